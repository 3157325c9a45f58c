//! How many calls one (account, service, region) endpoint may have in
//! flight, found as TCP finds its congestion window: additive increase,
//! multiplicative decrease (AIMD). AWS rate-limits each operation of each
//! endpoint and says so when a limit is reached (it throttles), so the
//! limit grows while calls are answered quickly and halves on a throttle.
//!
//! This is the pure rule, fed with what the call gate observes: no clock
//! and no I/O of its own, so it is tested with latencies given by hand.

use std::time::Duration;

/// The limit the controller starts at: the fixed per-endpoint limit that
/// kept scans under AWS's rate limits before, so no endpoint starts faster
/// than it did.
pub const INITIAL_LIMIT: usize = 8;

/// Where an operation's slow start ends: past it, its limit grows by one
/// call a round. An operation's calls in flight when its bucket runs dry
/// are all throttled together, so however quickly the endpoint answers,
/// no one operation reaches that many calls in flight before it has
/// shown over several rounds that its quota allows them.
pub const OPERATION_SLOW_START_END: usize = 16;

/// An answer counts as quick while its latency is within this many times
/// the endpoint's quickest since the last cut: beyond that, calls queue at
/// the service (or at an emulator) and more of them in flight would only
/// queue longer.
const QUICK_FACTOR: u32 = 2;

#[derive(Debug, Clone)]
pub struct Aimd {
    limit: usize,
    ceiling: usize,
    /// Answers since the limit last grew, in congestion avoidance: a whole
    /// round of them (as many as the limit) adds one call.
    credit: usize,
    /// Until the first throttle, each quick answer adds a whole call (the
    /// limit doubles each round), as TCP's slow start.
    slow_start: bool,
    /// The limit at which slow start ends even without a throttle.
    slow_start_end: usize,
    /// How many times the limit was cut: a throttle of an attempt sent
    /// before the last cut was sent under a limit already cut for it.
    generation: u64,
    /// The quickest answer since the last cut (or since the start). A cut
    /// forgets it: the latency measured while the endpoint was idle is not
    /// the one it can answer with under the load it carries now, and
    /// judged by it, no answer would ever be quick again and the limit
    /// would never grow back.
    quickest: Option<Duration>,
}

impl Aimd {
    /// A limit starting at [`INITIAL_LIMIT`] (or `ceiling`, if lower) that
    /// never goes above `ceiling` nor below 1.
    pub fn new(ceiling: usize) -> Aimd {
        let ceiling = ceiling.max(1);
        Aimd {
            limit: INITIAL_LIMIT.min(ceiling),
            ceiling,
            credit: 0,
            slow_start: true,
            slow_start_end: ceiling,
            generation: 0,
            quickest: None,
        }
    }

    /// The limit of one operation of an endpoint: as [`Aimd::new`], with
    /// slow start ending at [`OPERATION_SLOW_START_END`].
    pub fn for_operation(ceiling: usize) -> Aimd {
        Aimd { slow_start_end: OPERATION_SLOW_START_END, ..Aimd::new(ceiling) }
    }

    /// Calls allowed in flight now.
    pub fn limit(&self) -> usize {
        self.limit
    }

    /// To be noted when an attempt is sent, and given back with its throttle.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// An attempt answered without throttling after `latency`, while
    /// `in_flight` calls (this one included) held the endpoint's slots. The
    /// limit grows only when it was what held calls back (every slot taken)
    /// and the answer was quick.
    pub fn answered(&mut self, latency: Duration, in_flight: usize) {
        let quickest = *self.quickest.get_or_insert(latency);
        if latency < quickest {
            self.quickest = Some(latency);
        }
        let quick = latency <= quickest.max(Duration::from_millis(1)) * QUICK_FACTOR;
        if !quick || in_flight < self.limit || self.limit == self.ceiling {
            return;
        }
        if !self.slow_start || self.limit >= self.slow_start_end {
            self.credit += 1;
            if self.credit < self.limit {
                return;
            }
        }
        self.credit = 0;
        self.limit += 1;
    }

    /// An attempt throttled; `sent_in` is [`Aimd::generation`] when it was
    /// sent. Halves the limit once for every burst of throttles: those of
    /// attempts sent before a cut change nothing more. Whether it was cut.
    pub fn throttled(&mut self, sent_in: u64) -> bool {
        if sent_in != self.generation {
            return false;
        }
        self.limit = (self.limit / 2).max(1);
        self.credit = 0;
        self.slow_start = false;
        self.generation += 1;
        self.quickest = None;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FAST: Duration = Duration::from_millis(300);

    /// Answers each call of `rounds` full windows, quick and unthrottled.
    fn full_rounds(aimd: &mut Aimd, rounds: usize) {
        for _ in 0..rounds {
            for _ in 0..aimd.limit() {
                // The gate admits another call as soon as the limit grows.
                let in_flight = aimd.limit();
                aimd.answered(FAST, in_flight);
            }
        }
    }

    #[test]
    fn starts_at_the_old_fixed_limit_and_doubles_each_round_until_throttled() {
        let mut aimd = Aimd::new(128);
        assert_eq!(aimd.limit(), 8);
        full_rounds(&mut aimd, 1);
        assert_eq!(aimd.limit(), 16);
        full_rounds(&mut aimd, 2);
        assert_eq!(aimd.limit(), 64);
    }

    #[test]
    fn halves_on_a_throttle_then_grows_by_one_a_round() {
        let mut aimd = Aimd::new(128);
        full_rounds(&mut aimd, 2);
        assert_eq!(aimd.limit(), 32);
        assert!(aimd.throttled(aimd.generation()));
        assert_eq!(aimd.limit(), 16);
        full_rounds(&mut aimd, 1);
        assert_eq!(aimd.limit(), 17);
        full_rounds(&mut aimd, 3);
        assert_eq!(aimd.limit(), 20);
    }

    #[test]
    fn a_burst_of_throttles_sent_under_one_limit_halves_it_once() {
        let mut aimd = Aimd::new(128);
        full_rounds(&mut aimd, 2);
        let sent_in = aimd.generation();
        assert!(aimd.throttled(sent_in));
        for _ in 0..20 {
            assert!(!aimd.throttled(sent_in));
        }
        assert_eq!(aimd.limit(), 16);
        // A throttle of an attempt sent under the cut limit cuts again.
        assert!(aimd.throttled(aimd.generation()));
        assert_eq!(aimd.limit(), 8);
    }

    #[test]
    fn an_operations_slow_start_ends_at_its_threshold_then_grows_by_one_a_round() {
        let mut aimd = Aimd::for_operation(128);
        full_rounds(&mut aimd, 1);
        assert_eq!(aimd.limit(), OPERATION_SLOW_START_END);
        full_rounds(&mut aimd, 3);
        assert_eq!(aimd.limit(), OPERATION_SLOW_START_END + 3);
        assert_eq!(Aimd::for_operation(4).limit(), 4, "never above the ceiling");
    }

    #[test]
    fn never_below_one() {
        let mut aimd = Aimd::new(128);
        for _ in 0..10 {
            aimd.throttled(aimd.generation());
        }
        assert_eq!(aimd.limit(), 1);
        full_rounds(&mut aimd, 2);
        assert_eq!(aimd.limit(), 3);
    }

    /// The ceiling is the lower of --max-concurrency and
    /// --max-concurrency-per-endpoint; the gate passes it in.
    #[test]
    fn never_above_the_ceiling() {
        let mut aimd = Aimd::new(20);
        full_rounds(&mut aimd, 10);
        assert_eq!(aimd.limit(), 20);
        let mut low = Aimd::new(3);
        assert_eq!(low.limit(), 3, "starts at the ceiling when it is under the initial limit");
        full_rounds(&mut low, 5);
        assert_eq!(low.limit(), 3);
        assert_eq!(Aimd::new(0).limit(), 1);
    }

    #[test]
    fn does_not_grow_while_slots_are_left_unused() {
        let mut aimd = Aimd::new(128);
        for _ in 0..100 {
            aimd.answered(FAST, 3);
        }
        assert_eq!(aimd.limit(), 8);
    }

    /// Answers that take much longer than the endpoint's quickest mean calls
    /// queue at the service: more in flight would only queue longer.
    #[test]
    fn does_not_grow_on_slow_answers() {
        let mut aimd = Aimd::new(128);
        aimd.answered(Duration::from_millis(10), 8);
        assert_eq!(aimd.limit(), 9);
        for _ in 0..50 {
            aimd.answered(Duration::from_millis(60), 9);
        }
        assert_eq!(aimd.limit(), 9);
        aimd.answered(Duration::from_millis(15), 9);
        assert_eq!(aimd.limit(), 10);
    }

    /// Cut while the endpoint got busier: answers take 60 ms where the
    /// first took 10. Judged against those 10 ms the limit could never
    /// grow back; judged against the quickest answer since the cut, it
    /// grows a call a round while that latency holds, and stops again if
    /// answers slow down beyond it.
    #[test]
    fn after_a_cut_grows_back_at_the_latency_the_endpoint_answers_with_now() {
        let mut aimd = Aimd::new(128);
        aimd.answered(Duration::from_millis(10), 8);
        assert!(aimd.throttled(aimd.generation()));
        assert_eq!(aimd.limit(), 4);
        for _ in 0..3 {
            for _ in 0..aimd.limit() {
                aimd.answered(Duration::from_millis(60), aimd.limit());
            }
        }
        assert_eq!(aimd.limit(), 7);
        for _ in 0..50 {
            aimd.answered(Duration::from_millis(200), 7);
        }
        assert_eq!(aimd.limit(), 7);
    }
}
