//! One endpoint's limit on calls in flight, adapted to what the endpoint
//! answers: the [`Aimd`] rule driving a semaphore; and, for each of its
//! operations once throttled, the [`Pace`] its calls are spaced at.
//!
//! The rule learns from every attempt, retries included, through the
//! interceptor every SDK client carries (the ledger's attempt counter): it
//! sees each attempt as it is answered, before the SDK backs off to retry
//! it, and classifies throttling with the same codes `--stats` counts. The
//! interceptor does not know which account's endpoint admitted the call, so
//! the call gate runs each call inside a task-local [`CallAttempts`] that
//! names it: no client needs to be built per account for it, and an
//! attempt made outside the gate (none is) would simply go unobserved.

use std::cell::Cell;
use std::collections::HashMap;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::{Duration, Instant};

use tokio::sync::Semaphore;

use super::aimd::Aimd;
use super::pace::Pace;

#[derive(Debug)]
pub struct EndpointLimit {
    /// Free slots. Slots free + calls in flight - debt = the rule's limit.
    permits: Semaphore,
    state: Mutex<State>,
}

#[derive(Debug)]
struct State {
    aimd: Aimd,
    in_flight: usize,
    /// Slots to withdraw as calls finish: the limit was cut below the calls
    /// already in flight.
    debt: usize,
    /// Each operation's pace, by operation name.
    paces: HashMap<&'static str, Pace>,
}

/// What one attempt's answer says about the endpoint's pace.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// The endpoint said "slow down".
    Throttled,
    /// Answered by the service, success or not (a missing policy is an
    /// answer like any other): it keeps up.
    Answered,
    /// No answer (a timeout, a dropped connection) or a server error: says
    /// nothing about the rate.
    Unknown,
}

impl EndpointLimit {
    /// A limit that starts at the rule's initial limit and stays within `ceiling`.
    pub fn new(ceiling: usize) -> Arc<EndpointLimit> {
        let aimd = Aimd::new(ceiling);
        Arc::new(EndpointLimit {
            permits: Semaphore::new(aimd.limit()),
            state: Mutex::new(State { aimd, in_flight: 0, debt: 0, paces: HashMap::new() }),
        })
    }

    /// Waits for a slot, then for `operation`'s pace once it was throttled;
    /// calls are let through in the order they came. The pace is booked
    /// when a call is about to go, so calls queued before a throttle are
    /// paced too; a call waiting for its turn gives its slot back meanwhile.
    pub async fn acquire(self: &Arc<Self>, operation: &'static str) -> EndpointPermit {
        self.take_slot().await;
        let now = Instant::now();
        let turn = self.state().paces.entry(operation).or_default().book(now);
        if turn > now {
            self.give_back_slot();
            tokio::time::sleep_until(turn.into()).await;
            self.take_slot().await;
        }
        self.state().in_flight += 1;
        EndpointPermit { limit: self.clone() }
    }

    async fn take_slot(&self) {
        self.permits.acquire().await.expect("endpoint semaphores are never closed").forget();
    }

    /// A slot taken and not used: it pays the debt of a cut first.
    fn give_back_slot(&self) {
        let mut state = self.state();
        if state.debt > 0 {
            state.debt -= 1;
        } else {
            self.permits.add_permits(1);
        }
    }

    /// Calls allowed in flight now.
    pub fn limit(&self) -> usize {
        self.state().aimd.limit()
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    fn release(&self) {
        self.state().in_flight -= 1;
        self.give_back_slot();
    }

    /// Feeds one attempt's answer to the rules: an attempt of `operation`,
    /// sent under `sent` (the limit's and the pace's generations), answered
    /// after `latency`.
    fn observe(&self, answer: Answer, operation: &'static str, sent: Generations, latency: Duration) {
        let mut state = self.state();
        let before = state.aimd.limit();
        let now = Instant::now();
        match answer {
            Answer::Throttled => {
                state.aimd.throttled(sent.limit);
                let pace = state.paces.entry(operation).or_default();
                if pace.throttled(sent.pace, now) {
                    tracing::debug!(operation, rate = pace.rate(), "throttled: operation paced");
                }
            }
            Answer::Answered => {
                let in_flight = state.in_flight;
                state.aimd.answered(latency, in_flight);
                state.paces.entry(operation).or_default().answered(now);
            }
            Answer::Unknown => {}
        }
        let after = state.aimd.limit();
        if after > before {
            let grown = after - before;
            let repaid = grown.min(state.debt);
            state.debt -= repaid;
            self.permits.add_permits(grown - repaid);
        } else if after < before {
            tracing::debug!(before, after, "throttled: endpoint limit cut");
            for _ in after..before {
                match self.permits.try_acquire() {
                    Ok(permit) => permit.forget(),
                    Err(_) => state.debt += 1,
                }
            }
        }
    }

    fn generations(&self, operation: &'static str) -> Generations {
        let mut state = self.state();
        let pace = state.paces.entry(operation).or_default().generation();
        Generations { limit: state.aimd.generation(), pace }
    }
}

/// Under which cut of the limit and of the operation's pace an attempt was sent.
#[derive(Debug, Clone, Copy, Default)]
struct Generations {
    limit: u64,
    pace: u64,
}

/// A slot of an endpoint, given back when dropped.
#[derive(Debug)]
pub struct EndpointPermit {
    limit: Arc<EndpointLimit>,
}

impl Drop for EndpointPermit {
    fn drop(&mut self) {
        self.limit.release();
    }
}

/// The endpoint and operation a call was admitted for, and when (and under
/// which of its limits) the call's latest attempt was sent.
struct CallAttempts {
    limit: Arc<EndpointLimit>,
    operation: &'static str,
    sent: Cell<Option<(Instant, Generations)>>,
}

tokio::task_local! {
    static CALL: CallAttempts;
}

/// Runs `call`, a call of `operation`, so that its attempts are fed to `limit`.
pub async fn observed<F: Future>(limit: Arc<EndpointLimit>, operation: &'static str, call: F) -> F::Output {
    CALL.scope(CallAttempts { limit, operation, sent: Cell::new(None) }, call).await
}

/// An attempt of the current call is being sent.
pub fn attempt_sent() {
    let _ = CALL.try_with(|call| call.sent.set(Some((Instant::now(), call.limit.generations(call.operation)))));
}

/// An attempt of the current call was answered (or not).
pub fn attempt_answered(answer: Answer) {
    let _ = CALL.try_with(|call| {
        if let Some((sent_at, generations)) = call.sent.take() {
            call.limit.observe(answer, call.operation, generations, sent_at.elapsed());
        }
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUICK: Duration = Duration::from_millis(50);
    const OP: &str = "DescribeImages";

    /// Slots free now, without waiting.
    fn free(limit: &EndpointLimit) -> usize {
        limit.permits.available_permits()
    }

    #[tokio::test]
    async fn a_cut_below_the_calls_in_flight_withdraws_slots_as_they_finish() {
        let limit = EndpointLimit::new(64);
        let mut permits: Vec<EndpointPermit> = futures::future::join_all((0..8).map(|_| limit.acquire(OP))).await;
        assert_eq!((limit.limit(), free(&limit)), (8, 0));
        limit.observe(Answer::Throttled, OP, Generations::default(), QUICK);
        assert_eq!(limit.limit(), 4);
        drop(permits.drain(..6).collect::<Vec<_>>());
        // Four of the six finished calls paid the debt; two slots are free.
        assert_eq!(free(&limit), 2);
    }

    #[tokio::test]
    async fn growth_frees_slots_at_once() {
        let limit = EndpointLimit::new(64);
        let permits: Vec<EndpointPermit> = futures::future::join_all((0..8).map(|_| limit.acquire(OP))).await;
        limit.observe(Answer::Answered, OP, Generations::default(), QUICK);
        assert_eq!((limit.limit(), free(&limit)), (9, 1));
        drop(permits);
        assert_eq!(free(&limit), 9);
        limit.observe(Answer::Unknown, OP, Generations::default(), QUICK);
        assert_eq!(limit.limit(), 9);
    }

    /// Once throttled, an operation's calls are spaced at its pace, also
    /// those that were waiting before the throttle; other operations are not.
    #[tokio::test]
    async fn a_throttled_operation_is_paced_and_the_others_are_not() {
        let limit = EndpointLimit::new(64);
        for _ in 0..10 {
            limit.observe(Answer::Answered, OP, Generations::default(), QUICK);
        }
        limit.observe(Answer::Throttled, OP, Generations::default(), QUICK);
        // Ten answers within the first second: 10 a second, halved to 5;
        // the first turn is kept for the throttled call's retry.
        let started = Instant::now();
        let permits = futures::future::join_all((0..4).map(|_| limit.acquire(OP))).await;
        assert!(started.elapsed() >= Duration::from_millis(790), "{:?}", started.elapsed());
        drop(permits);
        let started = Instant::now();
        let _others = futures::future::join_all((0..4).map(|_| limit.acquire("ListImages"))).await;
        assert!(started.elapsed() < Duration::from_millis(370), "{:?}", started.elapsed());
    }

    /// The interceptor's calls reach the endpoint of the call they run in,
    /// and do nothing outside any call.
    #[tokio::test]
    async fn attempts_reach_the_endpoint_that_admitted_the_call() {
        attempt_sent();
        attempt_answered(Answer::Throttled);
        let limit = EndpointLimit::new(64);
        let _permits: Vec<EndpointPermit> = futures::future::join_all((0..7).map(|_| limit.acquire(OP))).await;
        let permit = limit.acquire(OP).await;
        observed(limit.clone(), OP, async {
            attempt_sent();
            attempt_answered(Answer::Throttled);
            attempt_sent();
            attempt_answered(Answer::Throttled);
        })
        .await;
        drop(permit);
        assert_eq!(limit.limit(), 2, "each retry, sent under the cut limit, cuts it again");
    }
}
