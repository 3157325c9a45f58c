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
    /// The line each paced operation's calls wait in (tokio's mutex is fair:
    /// first come, first served).
    lines: HashMap<&'static str, Arc<tokio::sync::Mutex<()>>>,
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
            state: Mutex::new(State { aimd, in_flight: 0, debt: 0, paces: HashMap::new(), lines: HashMap::new() }),
        })
    }

    /// Waits for `operation`'s turn once it is paced, then for a slot. The
    /// calls of a paced operation wait in line, and only the first takes
    /// its turn of the pace, booked when it is sent: a rate cut or grown
    /// meanwhile applies to every call still in line, and a call that also
    /// had to wait for a slot sets the next turn from when it went. A call
    /// that was waiting for a slot when its operation was first throttled
    /// gives the slot back and joins the line.
    pub async fn acquire(self: &Arc<Self>, operation: &'static str) -> EndpointPermit {
        loop {
            if let Some(line) = self.line_if_paced(operation) {
                let _first_in_line = line.lock().await;
                self.wait_for_turn(operation).await;
                self.take_slot().await;
                self.state().paces.entry(operation).or_default().book(Instant::now());
                break;
            }
            self.take_slot().await;
            if self.line_if_paced(operation).is_none() {
                break;
            }
            self.give_back_slot();
        }
        self.state().in_flight += 1;
        EndpointPermit { limit: self.clone() }
    }

    /// Sleeps until `operation`'s next turn, however the pace moves it meanwhile.
    async fn wait_for_turn(&self, operation: &'static str) {
        loop {
            let now = Instant::now();
            let turn = self.state().paces.entry(operation).or_default().turn(now);
            if turn <= now {
                return;
            }
            tokio::time::sleep_until(turn.into()).await;
        }
    }

    /// The line the calls of `operation` wait in, once it is paced.
    fn line_if_paced(&self, operation: &'static str) -> Option<Arc<tokio::sync::Mutex<()>>> {
        let mut state = self.state();
        state.paces.get(operation)?.rate()?;
        Some(state.lines.entry(operation).or_default().clone())
    }

    async fn take_slot(&self) {
        self.permits.acquire().await.expect("endpoint semaphores are never closed").forget();
    }

    /// A slot given back: it pays the debt of a cut first.
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
                let pace = state.paces.entry(operation).or_default();
                // Once an operation is paced, its throttles say its pace is
                // too fast, not the endpoint's concurrency: cutting the calls
                // in flight would slow every other operation of the endpoint.
                let was_paced = pace.rate().is_some();
                if pace.throttled(sent.pace, now) {
                    tracing::debug!(operation, rate = pace.rate(), "throttled: operation paced");
                }
                if !was_paced {
                    state.aimd.throttled(sent.limit);
                }
            }
            Answer::Answered => {
                let in_flight = state.in_flight;
                state.aimd.answered(latency, in_flight);
                state.paces.entry(operation).or_default().answered(sent.pace, now);
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

    /// Books `operation`'s next turn for a retry; how long until it.
    fn book_retry(&self, operation: &'static str) -> Option<Duration> {
        let mut state = self.state();
        let pace = state.paces.get_mut(operation)?;
        pace.rate()?;
        let now = Instant::now();
        let turn = pace.turn(now);
        pace.book(turn);
        Some(turn.duration_since(now))
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

/// When the current call's throttled attempt may be retried: its turn of
/// its operation's pace, booked now, from now. `None` outside a call, or
/// when the operation is not paced.
pub fn retry_turn() -> Option<Duration> {
    CALL.try_with(|call| call.limit.book_retry(call.operation)).ok().flatten()
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
        // Ten answers within the first second: 10 a second, paced at 5.
        let started = Instant::now();
        let permits = futures::future::join_all((0..4).map(|_| limit.acquire(OP))).await;
        assert!(started.elapsed() >= Duration::from_millis(420), "{:?}", started.elapsed());
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
        assert_eq!(limit.limit(), 4, "the first throttle halves the endpoint's limit");
        assert!(limit.state().paces[OP].rate().is_some(), "and paces the operation");
    }

    /// Calls already waiting for a slot when their operation is first
    /// throttled are paced too, once they get one.
    #[tokio::test]
    async fn calls_queued_for_a_slot_before_the_first_throttle_are_paced() {
        let limit = EndpointLimit::new(1);
        let held = limit.acquire(OP).await;
        let queued: Vec<_> = (0..4)
            .map(|_| {
                let limit = limit.clone();
                tokio::spawn(async move { drop(limit.acquire(OP).await) })
            })
            .collect();
        tokio::task::yield_now().await;
        for _ in 0..10 {
            limit.observe(Answer::Answered, OP, Generations::default(), QUICK);
        }
        limit.observe(Answer::Throttled, OP, Generations::default(), QUICK);
        // Paced at 5 a second: four calls take at least three gaps.
        let started = Instant::now();
        drop(held);
        for call in queued {
            call.await.unwrap();
        }
        assert!(started.elapsed() >= Duration::from_millis(420), "{:?}", started.elapsed());
    }

    /// A paced operation's throttles cut its pace, never the calls in
    /// flight that every other operation of the endpoint shares.
    #[tokio::test]
    async fn a_paced_operations_throttles_leave_the_endpoints_limit_alone() {
        let limit = EndpointLimit::new(64);
        for _ in 0..10 {
            limit.observe(Answer::Answered, OP, Generations::default(), QUICK);
        }
        limit.observe(Answer::Throttled, OP, Generations::default(), QUICK);
        let after_first = limit.limit();
        assert!(after_first < 18, "{after_first}");
        let paced = limit.state().paces[OP].rate().unwrap();
        // A later throttle, sent under the current limit and pace.
        let sent = limit.generations(OP);
        limit.observe(Answer::Throttled, OP, sent, QUICK);
        assert_eq!(limit.limit(), after_first);
        assert!(limit.state().paces[OP].rate().unwrap() <= paced);
        // Another operation's first throttle still halves it.
        limit.observe(Answer::Throttled, "ListImages", limit.generations("ListImages"), QUICK);
        assert_eq!(limit.limit(), (after_first / 2).max(1));
    }
}
