//! How often one operation of one endpoint may be called, once it has been
//! throttled. AWS's API request quotas are token buckets per account,
//! region and operation: a steady rate and a burst. A limit on calls in
//! flight ([`super::aimd`]) cannot hold a rate that needs one and a half
//! calls in flight, so after the first throttle an operation's calls are
//! also spaced out, at a rate found as the SDK's adaptive retry mode finds
//! its own: start from an estimate of the bucket's rate, grow while calls
//! pass, and on a later throttle fall to just under what actually went
//! through, which is the bucket's own rate once it is empty.
//!
//! The pure rule: instants are given, so it is tested without a clock.
//! The calls of a paced operation go one at a time ([`Pace::turn`], then
//! [`Pace::book`] when the call is sent), so a change of the rate applies
//! to every call still waiting.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// The window over which what went through is measured.
const WINDOW: Duration = Duration::from_secs(2);

/// What went through before an operation's first throttle is its bucket's
/// burst and its refill since, in a split nothing shows; AWS's buckets hold
/// a second of their rate or more, so the first estimate of the rate takes
/// what went through over the last [`WINDOW`] as this many seconds of burst
/// and the rest as refill. Too high an estimate is soon measured (calls
/// paced above the bucket's rate are answered at that rate); too low a one
/// leaves the bucket filling unused until the rate grows back.
const BURST_SECONDS: f64 = 1.0;

/// The most a later throttle keeps of the rate.
const CUT: f64 = 0.8;

/// A later throttle also sets the rate to this share of the answers a
/// second to the calls sent since the last cut: while the pace is above
/// the bucket's rate, those answers are the bucket's rate, whatever the
/// pace. That throughput is the operation's measured limit.
const BELOW_THROUGHPUT: f64 = 0.9;

/// How much the rate grows a second while calls wait for it, as a share of
/// the rate: until a limit is measured (the first throttle's estimate
/// includes the burst and whatever else the start-up did), quickly; then
/// quickly while well under the measured limit, and slowly near and past
/// it, so probing the limit again costs a throttle only every several
/// seconds.
const GROWTH_UNMEASURED: f64 = 0.3;
const GROWTH_FAR: f64 = 0.10;
const GROWTH_NEAR: f64 = 0.005;

/// Under this share of the measured limit, the rate is far from it.
const NEAR: f64 = 0.9;

/// After a cut, throttles are taken for the burst that caused it (the
/// first attempts at the new rate meet a bucket the burst emptied), not
/// for a rate still too high, until what goes through at the new rate is
/// measured, or for this many calls at the new rate (and half a second at
/// least) when nothing goes through.
const SETTLE_CALLS: f64 = 5.0;
const SETTLE_MIN: Duration = Duration::from_millis(500);

/// The slowest pace: a call every four seconds.
const MIN_RATE: f64 = 0.25;

#[derive(Debug, Clone, Default)]
pub struct Pace {
    /// Calls a second once throttled; `None` until then (no pacing).
    rate: Option<f64>,
    /// The throughput measured at the last cut; `None` until a later
    /// throttle than the first measured one.
    measured_limit: Option<f64>,
    /// When the next call may be sent.
    next: Option<Instant>,
    /// When the answers of the last [`WINDOW`] arrived, and the
    /// [`Pace::generation`] their attempts were sent in.
    answers: VecDeque<(Instant, u64)>,
    first_answer: Option<Instant>,
    /// When the rate last grew.
    grown_at: Option<Instant>,
    /// When the rate was last cut.
    cut_at: Option<Instant>,
    /// When a call last had to wait for its turn.
    held_back_at: Option<Instant>,
    /// How many times the rate was cut: a throttle of an attempt sent
    /// before the last cut was sent at a rate already cut for it.
    generation: u64,
}

impl Pace {
    /// Calls a second allowed, once throttled.
    pub fn rate(&self) -> Option<f64> {
        self.rate
    }

    /// To be noted when an attempt is sent, and given back with its throttle.
    pub fn generation(&self) -> u64 {
        self.generation
    }

    /// When the next call, wanting to go at `now`, may be sent (`now` when
    /// the operation is not paced). Books nothing: see [`Pace::book`].
    pub fn turn(&mut self, now: Instant) -> Instant {
        if self.rate.is_none() {
            return now;
        }
        let turn = self.next.map_or(now, |next| next.max(now));
        if turn > now {
            self.held_back_at = Some(now);
        }
        turn
    }

    /// A call is sent at `now`: the next one may go a turn later.
    pub fn book(&mut self, now: Instant) {
        let Some(rate) = self.rate else { return };
        let sent = self.next.map_or(now, |next| next.max(now));
        self.next = Some(sent + Duration::from_secs_f64(1.0 / rate));
    }

    /// An attempt sent in `sent_in` ([`Pace::generation`]) answered without
    /// throttling at `now`.
    pub fn answered(&mut self, sent_in: u64, now: Instant) {
        self.first_answer.get_or_insert(now);
        self.answers.push_back((now, sent_in));
        while self.answers.front().is_some_and(|(at, _)| now.duration_since(*at) > WINDOW) {
            self.answers.pop_front();
        }
        let Some(rate) = self.rate else { return };
        // Grows only while the pace holds calls back: an operation called
        // more slowly than its rate says nothing about a faster one.
        let held_back = self.held_back_at.is_some_and(|at| now.duration_since(at) <= Duration::from_secs(1));
        let since = now.duration_since(self.grown_at.unwrap_or(now)).as_secs_f64();
        if held_back {
            let growth = match self.measured_limit {
                None => GROWTH_UNMEASURED,
                Some(limit) if rate < limit * NEAR => GROWTH_FAR,
                Some(_) => GROWTH_NEAR,
            };
            self.rate = Some(rate * (1.0 + growth * since));
        }
        self.grown_at = Some(now);
    }

    /// An attempt sent in `sent_in` ([`Pace::generation`]) was throttled at
    /// `now`. The first throttle sets the rate to an estimate of the
    /// bucket's from what went through over the last [`WINDOW`]; each
    /// later burst cuts it once.
    /// Whether the rate was cut. (The throttled call's retry takes a turn
    /// of its own: `endpoint_limit::retry_turn`.)
    pub fn throttled(&mut self, sent_in: u64, now: Instant) -> bool {
        if sent_in != self.generation {
            return false;
        }
        let throughput = self.throughput_since_cut(now);
        if throughput.is_none() && self.settling(now) {
            return false;
        }
        let rate = match self.rate {
            Some(rate) => match throughput {
                Some(throughput) => {
                    self.measured_limit = Some(throughput.min(rate));
                    (rate * CUT).min(throughput * BELOW_THROUGHPUT)
                }
                None => rate * CUT,
            },
            None => self.first_estimate(now),
        };
        self.cut_at = Some(now);
        self.rate = Some(rate.max(MIN_RATE));
        self.grown_at = Some(now);
        self.generation += 1;
        true
    }

    /// Within the settling time of the last cut.
    fn settling(&self, now: Instant) -> bool {
        let (Some(cut_at), Some(rate)) = (self.cut_at, self.rate) else { return false };
        let settle = Duration::from_secs_f64(SETTLE_CALLS / rate).max(SETTLE_MIN);
        now.duration_since(cut_at) < settle
    }

    /// Answers a second to the attempts sent since the last cut (over the
    /// last [`WINDOW`] at most), from the first of those answers to the
    /// last, so the latency before the first counts for nothing; the calls
    /// in flight at the cut, sent faster, do not count either. `None` with
    /// fewer than three such answers.
    fn throughput_since_cut(&self, now: Instant) -> Option<f64> {
        let cut_at = self.cut_at?;
        let since = now.checked_sub(WINDOW).map_or(cut_at, |window| cut_at.max(window));
        let mut answers =
            self.answers.iter().filter(|(at, sent_in)| *at > since && *sent_in == self.generation).map(|(at, _)| *at);
        let first = answers.next()?;
        let (count, last) = answers.fold((1_u32, first), |(count, _), at| (count + 1, at));
        let span = last.duration_since(first).as_secs_f64();
        (count >= 3 && span > 0.0).then(|| f64::from(count - 1) / span)
    }

    /// The rate first paced at: the answers of the last [`WINDOW`] (or
    /// since the first answer) as a second of burst and its refill since.
    fn first_estimate(&self, now: Instant) -> f64 {
        let span = self.first_answer.map_or(Duration::ZERO, |first| now.duration_since(first).min(WINDOW));
        let answers = self.answers.iter().filter(|(at, _)| now.duration_since(*at) <= WINDOW).count();
        answers as f64 / (BURST_SECONDS + span.as_secs_f64())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(start: Instant, millis: u64) -> Instant {
        start + Duration::from_millis(millis)
    }

    /// A call wanting to go at `now`: its turn, booked when it is sent.
    fn go(pace: &mut Pace, now: Instant) -> Instant {
        let turn = pace.turn(now);
        pace.book(turn);
        turn
    }

    #[test]
    fn no_pacing_until_the_first_throttle() {
        let start = Instant::now();
        let mut pace = Pace::default();
        for i in 0..100 {
            assert_eq!(go(&mut pace, ms(start, i)), ms(start, i));
            pace.answered(0, ms(start, i));
        }
        assert_eq!(pace.rate(), None);
    }

    #[test]
    fn the_first_throttle_paces_at_what_went_through_less_a_second_of_burst() {
        let start = Instant::now();
        let mut pace = Pace::default();
        // Ten answers a second for three seconds, then a throttle.
        for i in 0..30 {
            pace.answered(0, ms(start, i * 100));
        }
        assert!(pace.throttled(0, ms(start, 3000)));
        let rate = pace.rate().unwrap();
        // The 20 answers of the last two seconds, as one second of burst
        // and two of refill.
        assert!((rate - 20.0 / (BURST_SECONDS + 2.0)).abs() < 1e-9, "{rate}");
        // Calls then go 1/rate apart, however many want to go at once.
        let now = ms(start, 3000);
        let turns: Vec<Instant> = (0..4).map(|_| go(&mut pace, now)).collect();
        let gap = Duration::from_secs_f64(1.0 / rate);
        assert_eq!(turns, vec![now, now + gap, now + gap * 2, now + gap * 3]);
        // A throttle sent before the cut changes nothing.
        assert!(!pace.throttled(0, now));
        assert_eq!(go(&mut pace, now), now + gap * 4);
        // A call sent late (it waited for a slot of the endpoint) sets the
        // next turn from when it went, not from when it could have.
        let late = now + gap * 20;
        pace.book(late);
        assert_eq!(pace.turn(late), late + gap);
    }

    #[test]
    fn a_later_throttle_falls_just_under_what_went_through() {
        let start = Instant::now();
        let mut pace = Pace::default();
        for i in 0..60 {
            pace.answered(0, ms(start, i * 50));
        }
        assert!(pace.throttled(0, ms(start, 3000)));
        assert!((pace.rate().unwrap() - 40.0 / (BURST_SECONDS + 2.0)).abs() < 1e-9);
        // Paced at 13 a second, the bucket lets 5 a second through.
        for i in 1..=10 {
            pace.answered(pace.generation(), ms(start, 3000 + i * 200));
        }
        assert!(pace.throttled(pace.generation(), ms(start, 5000)));
        let rate = pace.rate().unwrap();
        assert!((rate - 5.0 * BELOW_THROUGHPUT).abs() < 1e-9, "{rate}");
    }

    #[test]
    fn a_burst_of_throttles_cuts_once_and_growth_slows_once_a_limit_is_measured() {
        let start = Instant::now();
        let mut pace = Pace::default();
        for i in 0..10 {
            pace.answered(0, ms(start, i * 100));
        }
        let sent_in = pace.generation();
        assert!(pace.throttled(sent_in, ms(start, 1000)));
        let cut = pace.rate().unwrap();
        for _ in 0..5 {
            assert!(!pace.throttled(sent_in, ms(start, 1001)), "sent before the cut");
        }
        assert_eq!(pace.rate(), Some(cut));
        // Calls held back by the pace (10 wanted a second), all answered:
        // with no limit measured yet, the rate grows 30% a second.
        let held_back = |pace: &mut Pace, from: u64, to: u64| {
            for i in from..to {
                let now = ms(start, i * 100);
                pace.turn(now);
                pace.book(now);
                pace.answered(pace.generation(), now);
            }
            pace.rate().unwrap()
        };
        let probed = held_back(&mut pace, 11, 31);
        assert!(probed > cut * 1.7 && probed < cut * 1.9, "{cut} -> {probed}");
        // Throttled at that rate with 10 answers a second going through:
        // the lesser of 80% of the rate and 90% of those; the limit is
        // measured, and growth slows to 10% a second, then 0.5% near it.
        assert!(pace.throttled(pace.generation(), ms(start, 3000)));
        let measured = (probed * CUT).min(10.0 * BELOW_THROUGHPUT);
        assert!((pace.rate().unwrap() - measured).abs() < 1e-9, "{:?}", pace.rate());
        let grown = held_back(&mut pace, 31, 81);
        assert!(grown > measured * 1.04 && grown < measured * 1.25, "{measured} -> {grown}");
    }

    #[test]
    fn throttles_while_a_cut_settles_are_its_bursts_retries() {
        let start = Instant::now();
        let mut pace = Pace::default();
        for i in 0..10 {
            pace.answered(0, ms(start, i * 100));
        }
        assert!(pace.throttled(0, ms(start, 1000)));
        let rate = pace.rate();
        // Five calls at the new rate of 5 a second: a second.
        assert!(!pace.throttled(pace.generation(), ms(start, 1900)));
        assert_eq!(pace.rate(), rate);
        assert!(pace.throttled(pace.generation(), ms(start, 2100)));
    }

    /// A throttle while a cut settles does cut once what goes through at
    /// the new rate is measured: then it says the new rate is too fast.
    #[test]
    fn a_throttle_while_a_cut_settles_cuts_once_what_goes_through_is_measured() {
        let start = Instant::now();
        let mut pace = Pace::default();
        for i in 0..10 {
            pace.answered(0, ms(start, i * 100));
        }
        assert!(pace.throttled(0, ms(start, 1000)));
        let rate = pace.rate().unwrap();
        // Three answers at the new rate, 5 a second: still settling (five
        // calls at 5 a second), but measured.
        for at in [1300, 1500, 1700] {
            pace.answered(pace.generation(), ms(start, at));
        }
        assert!(pace.throttled(pace.generation(), ms(start, 1800)));
        let cut = pace.rate().unwrap();
        assert!((cut - (rate * CUT).min(5.0 * BELOW_THROUGHPUT)).abs() < 1e-9, "{rate} -> {cut}");
    }

    #[test]
    fn calls_slower_than_the_pace_do_not_grow_it() {
        let start = Instant::now();
        let mut pace = Pace::default();
        pace.answered(0, start);
        assert!(pace.throttled(0, ms(start, 1000)));
        let rate = pace.rate().unwrap();
        // A call every 10 s, far slower than the pace.
        for i in 1..=10 {
            let now = ms(start, 1000 + i * 10_000);
            go(&mut pace, now);
            pace.answered(pace.generation(), now);
        }
        assert_eq!(pace.rate(), Some(rate));
    }

    #[test]
    fn the_rate_never_falls_below_the_slowest_pace() {
        let start = Instant::now();
        let mut pace = Pace::default();
        for i in 0..50 {
            pace.throttled(pace.generation(), ms(start, i * 30_000));
        }
        assert_eq!(pace.rate(), Some(MIN_RATE));
    }
}
