//! One endpoint's limits on calls in flight, adapted to what the endpoint
//! answers: [`Aimd`] rules driving [`Slots`], one for the endpoint and one
//! for each of its operations; and, for each operation once throttled, the
//! [`Pace`] its calls are spaced at.
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

use super::aimd::Aimd;
use super::pace::Pace;
use super::slots::{Slot, Slots};

#[derive(Debug)]
pub struct EndpointLimit {
    /// The calls in flight to the endpoint, all operations together.
    slots: Arc<Slots>,
    ceiling: usize,
    operations: Mutex<HashMap<&'static str, Operation>>,
}

/// One operation of the endpoint: AWS's quotas are per operation.
#[derive(Debug)]
struct Operation {
    /// Its own calls in flight: those in flight when its bucket runs dry
    /// are throttled together.
    slots: Arc<Slots>,
    /// How often it may be called, once throttled.
    pace: Pace,
    /// The line its calls wait in once paced (tokio's mutex is fair: first
    /// come, first served).
    line: Arc<tokio::sync::Mutex<()>>,
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
    /// A limit that starts at the rule's initial limit and stays within
    /// `ceiling`, as do each operation's.
    pub fn new(ceiling: usize) -> Arc<EndpointLimit> {
        Arc::new(EndpointLimit {
            slots: Arc::new(Slots::new(Aimd::new(ceiling))),
            ceiling,
            operations: Mutex::new(HashMap::new()),
        })
    }

    /// Waits for `operation`'s turn once it is paced, then for a slot of
    /// the operation and one of the endpoint. The calls of a paced
    /// operation wait in line, and only the first takes its turn of the
    /// pace, booked when it is sent: a rate cut or grown meanwhile applies
    /// to every call still in line, and a call that also had to wait for a
    /// slot sets the next turn from when it went. A call that was waiting
    /// for a slot when its operation was first throttled gives the slots
    /// back and joins the line.
    pub async fn acquire(&self, operation: &'static str) -> EndpointPermit {
        let slots = self.operation(operation, |operation| operation.slots.clone());
        loop {
            if let Some(line) = self.line_if_paced(operation) {
                let _first_in_line = line.lock().await;
                self.wait_for_turn(operation).await;
                let permit = self.take_slots(&slots).await;
                self.operation(operation, |operation| operation.pace.book(Instant::now()));
                return permit;
            }
            let permit = self.take_slots(&slots).await;
            if self.line_if_paced(operation).is_none() {
                return permit;
            }
        }
    }

    /// A slot of the operation (its `slots`), then one of the endpoint.
    async fn take_slots(&self, slots: &Arc<Slots>) -> EndpointPermit {
        let operation = slots.take().await;
        EndpointPermit { _operation: operation, _endpoint: self.slots.take().await }
    }

    /// Sleeps until `operation`'s next turn, however the pace moves it meanwhile.
    async fn wait_for_turn(&self, operation: &'static str) {
        loop {
            let now = Instant::now();
            let turn = self.operation(operation, |operation| operation.pace.turn(now));
            if turn <= now {
                return;
            }
            tokio::time::sleep_until(turn.into()).await;
        }
    }

    /// The line the calls of `operation` wait in, once it is paced.
    fn line_if_paced(&self, operation: &'static str) -> Option<Arc<tokio::sync::Mutex<()>>> {
        self.operation(operation, |operation| operation.pace.rate().map(|_| operation.line.clone()))
    }

    /// Runs `with` on `operation`'s state, made on first use.
    fn operation<T>(&self, operation: &'static str, with: impl FnOnce(&mut Operation) -> T) -> T {
        let mut operations = self.operations();
        with(operations.entry(operation).or_insert_with(|| Operation {
            slots: Arc::new(Slots::new(Aimd::for_operation(self.ceiling))),
            pace: Pace::default(),
            line: Arc::default(),
        }))
    }

    /// Calls allowed in flight now.
    pub fn limit(&self) -> usize {
        self.slots.limit()
    }

    fn operations(&self) -> MutexGuard<'_, HashMap<&'static str, Operation>> {
        self.operations.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// Feeds one attempt's answer to the rules: an attempt of `operation`,
    /// sent under `sent` (the limits' and the pace's generations), answered
    /// after `latency`.
    fn observe(&self, answer: Answer, operation: &'static str, sent: Generations, latency: Duration) {
        let now = Instant::now();
        self.operation(operation, |state| match answer {
            Answer::Throttled => {
                // Once an operation is paced, its throttles say its pace is
                // too fast, not its concurrency: cutting the endpoint's calls
                // in flight would slow every other operation of it.
                let was_paced = state.pace.rate().is_some();
                if state.pace.throttled(sent.pace, now) {
                    tracing::debug!(operation, rate = state.pace.rate(), "throttled: operation paced");
                }
                if !was_paced {
                    state.slots.throttled(sent.operation);
                    if self.slots.throttled(sent.endpoint) {
                        tracing::debug!(operation, limit = self.slots.limit(), "throttled: endpoint limit cut");
                    }
                }
            }
            Answer::Answered => {
                self.slots.answered(latency);
                state.slots.answered(latency);
                state.pace.answered(sent.pace, now);
            }
            Answer::Unknown => {}
        });
    }

    /// Books `operation`'s next turn for a retry; how long until it.
    fn book_retry(&self, operation: &'static str) -> Option<Duration> {
        self.operation(operation, |state| {
            state.pace.rate()?;
            let now = Instant::now();
            let turn = state.pace.turn(now);
            state.pace.book(turn);
            Some(turn.duration_since(now))
        })
    }

    fn generations(&self, operation: &'static str) -> Generations {
        self.operation(operation, |state| Generations {
            endpoint: self.slots.generation(),
            operation: state.slots.generation(),
            pace: state.pace.generation(),
        })
    }
}

/// Under which cut of the endpoint's limit, the operation's limit and the
/// operation's pace an attempt was sent.
#[derive(Debug, Clone, Copy, Default)]
struct Generations {
    endpoint: u64,
    operation: u64,
    pace: u64,
}

/// A slot of an operation and one of its endpoint, given back when dropped.
#[derive(Debug)]
pub struct EndpointPermit {
    _endpoint: Slot,
    _operation: Slot,
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

    /// Every free slot of one operation is taken before each quick answer
    /// (as the gate admits a waiting call as soon as a slot frees): the
    /// operation's limit doubles until its slow start ends, then grows by
    /// one a round; the endpoint's, still in slow start, is never what holds
    /// it back.
    #[tokio::test]
    async fn one_operations_calls_in_flight_leave_slow_start_before_the_endpoints() {
        let limit = EndpointLimit::new(128);
        let operation_free = || limit.operation(OP, |operation| operation.slots.free());
        let mut permits = Vec::new();
        let slow_start_end = crate::aws::aimd::OPERATION_SLOW_START_END;
        // 8 answers to double from 8 to 16, then two rounds of 16 and 17.
        for _ in 0..(8 + slow_start_end + slow_start_end + 1) {
            while operation_free() > 0 {
                permits.push(limit.acquire(OP).await);
            }
            limit.observe(Answer::Answered, OP, Generations::default(), QUICK);
        }
        let operation_limit = limit.operation(OP, |operation| operation.slots.limit());
        assert_eq!(operation_limit, slow_start_end + 2);
        assert!(limit.limit() >= operation_limit, "{} {operation_limit}", limit.limit());
    }

    /// An attempt that got no answer (or a server error) says nothing of
    /// the endpoint's pace.
    #[tokio::test]
    async fn an_answer_that_says_nothing_changes_no_limit() {
        let limit = EndpointLimit::new(64);
        limit.observe(Answer::Unknown, OP, Generations::default(), QUICK);
        assert_eq!(limit.limit(), 8);
        assert_eq!(limit.operation(OP, |operation| (operation.slots.limit(), operation.pace.rate())), (8, None));
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
        // Ten answers at once, taken for a second's burst: paced at 10 a
        // second, four calls take at least three gaps.
        let started = Instant::now();
        let permits = futures::future::join_all((0..4).map(|_| limit.acquire(OP))).await;
        assert!(started.elapsed() >= Duration::from_millis(290), "{:?}", started.elapsed());
        drop(permits);
        let started = Instant::now();
        let _others = futures::future::join_all((0..4).map(|_| limit.acquire("ListImages"))).await;
        assert!(started.elapsed() < Duration::from_millis(150), "{:?}", started.elapsed());
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
        assert!(limit.operation(OP, |operation| operation.pace.rate()).is_some(), "and paces the operation");
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
        // Paced at 10 a second: four calls take at least three gaps.
        let started = Instant::now();
        drop(held);
        for call in queued {
            call.await.unwrap();
        }
        assert!(started.elapsed() >= Duration::from_millis(290), "{:?}", started.elapsed());
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
        let paced = limit.operation(OP, |operation| operation.pace.rate()).unwrap();
        // A later throttle, sent under the current limit and pace.
        let sent = limit.generations(OP);
        limit.observe(Answer::Throttled, OP, sent, QUICK);
        assert_eq!(limit.limit(), after_first);
        assert!(limit.operation(OP, |operation| operation.pace.rate()).unwrap() <= paced);
        // Another operation's first throttle still halves it.
        limit.observe(Answer::Throttled, "ListImages", limit.generations("ListImages"), QUICK);
        assert_eq!(limit.limit(), (after_first / 2).max(1));
    }
}
