//! How often one operation of one endpoint may be called, once it has been
//! throttled. AWS's API request quotas are token buckets per account,
//! region and operation: a steady rate and a burst. A limit on calls in
//! flight ([`super::aimd`]) cannot hold a rate that needs one and a half
//! calls in flight, so after the first throttle an operation's calls are
//! also spaced out, at a rate found as the SDK's adaptive retry mode finds
//! its own: start at what the endpoint just sustained, grow slowly while
//! calls pass, and cut multiplicatively on a throttle.
//!
//! The pure rule: instants are given, so it is tested without a clock.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// The window over which the rate an operation sustained is measured when
/// it is first throttled: long enough to see past a burst of the size AWS
/// usually allows at these rates.
const WINDOW: Duration = Duration::from_secs(2);

/// The share of the rate kept on a throttle.
const CUT: f64 = 0.8;

/// The share of the measured rate the first throttle keeps: what an
/// operation sustained before its first throttle includes the bucket's
/// burst, as much as a second's worth of calls or more.
const FIRST_CUT: f64 = 0.5;

/// How much the rate grows a second while calls pass, as a share of the
/// rate, as CUBIC grows a window: quickly while well under the rate last
/// throttled, slowly near and past it, so probing the limit again costs a
/// throttle only every several seconds.
const GROWTH_FAR: f64 = 0.15;
const GROWTH_NEAR: f64 = 0.015;

/// Under this share of the rate last throttled, the rate is far from it.
const NEAR: f64 = 0.9;

/// After a cut, how long throttles are taken for the retries of the
/// burst that caused it rather than for a rate still too high.
const SETTLE: Duration = Duration::from_secs(2);

/// The slowest pace: a call every four seconds.
const MIN_RATE: f64 = 0.25;

#[derive(Debug, Clone, Default)]
pub struct Pace {
    /// Calls a second once throttled; `None` until then (no pacing).
    rate: Option<f64>,
    /// The rate at the last throttle (at the first, what was sustained).
    throttled_at_rate: f64,
    /// When the next call may be sent.
    next: Option<Instant>,
    /// When the answers of the last [`WINDOW`] arrived.
    answers: VecDeque<Instant>,
    first_answer: Option<Instant>,
    /// When the rate last grew.
    grown_at: Option<Instant>,
    /// When the rate was last cut.
    cut_at: Option<Instant>,
    /// When a call last had to wait for its slot.
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

    /// When a call wanting to go at `now` may be sent; books that moment.
    pub fn book(&mut self, now: Instant) -> Instant {
        let Some(rate) = self.rate else { return now };
        let slot = self.next.map_or(now, |next| next.max(now));
        if slot > now {
            self.held_back_at = Some(now);
        }
        self.next = Some(slot + Duration::from_secs_f64(1.0 / rate));
        slot
    }

    /// An attempt answered without throttling at `now`.
    pub fn answered(&mut self, now: Instant) {
        self.first_answer.get_or_insert(now);
        self.answers.push_back(now);
        while self.answers.front().is_some_and(|at| now.duration_since(*at) > WINDOW) {
            self.answers.pop_front();
        }
        let Some(rate) = self.rate else { return };
        // Grows only while the pace holds calls back: an operation called
        // more slowly than its rate says nothing about a faster one.
        let held_back = self.held_back_at.is_some_and(|at| now.duration_since(at) <= Duration::from_secs(1));
        let since = now.duration_since(self.grown_at.unwrap_or(now)).as_secs_f64();
        if held_back {
            let growth = if rate < self.throttled_at_rate * NEAR { GROWTH_FAR } else { GROWTH_NEAR };
            self.rate = Some(rate * (1.0 + growth * since));
        }
        self.grown_at = Some(now);
    }

    /// An attempt sent in `sent_in` ([`Pace::generation`]) was throttled at
    /// `now`. The first throttle sets the rate to half what the operation
    /// sustained over the last [`WINDOW`]; each later burst cuts it once.
    /// Whether the rate was cut.
    pub fn throttled(&mut self, sent_in: u64, now: Instant) -> bool {
        let cut = self.cut(sent_in, now);
        // The SDK retries the throttled call: its turn is kept for it, so
        // the retries of a burst do not meet the calls paced after it.
        let Some(rate) = self.rate else { return cut };
        let next = self.next.map_or(now, |next| next.max(now));
        self.next = Some(next + Duration::from_secs_f64(1.0 / rate));
        cut
    }

    fn cut(&mut self, sent_in: u64, now: Instant) -> bool {
        // The SDK retries a burst's throttled calls within a second or two,
        // after the cut: their throttles are the burst's, not a new one.
        if sent_in != self.generation || self.cut_at.is_some_and(|at| now.duration_since(at) < SETTLE) {
            return false;
        }
        self.cut_at = Some(now);
        let rate = match self.rate {
            Some(rate) => {
                self.throttled_at_rate = rate;
                rate * CUT
            }
            None => {
                self.throttled_at_rate = self.sustained(now);
                self.throttled_at_rate * FIRST_CUT
            }
        };
        self.rate = Some(rate.max(MIN_RATE));
        self.grown_at = Some(now);
        self.generation += 1;
        true
    }

    /// Answers a second over the last [`WINDOW`] (or since the first, when
    /// the operation is younger than that, but over a second at least).
    fn sustained(&self, now: Instant) -> f64 {
        let span =
            self.first_answer.map_or(WINDOW, |first| now.duration_since(first).min(WINDOW)).max(Duration::from_secs(1));
        self.answers.iter().filter(|at| now.duration_since(**at) <= WINDOW).count() as f64 / span.as_secs_f64()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(start: Instant, millis: u64) -> Instant {
        start + Duration::from_millis(millis)
    }

    #[test]
    fn no_pacing_until_the_first_throttle() {
        let start = Instant::now();
        let mut pace = Pace::default();
        for i in 0..100 {
            assert_eq!(pace.book(ms(start, i)), ms(start, i));
            pace.answered(ms(start, i));
        }
        assert_eq!(pace.rate(), None);
    }

    #[test]
    fn the_first_throttle_paces_at_what_the_operation_sustained() {
        let start = Instant::now();
        let mut pace = Pace::default();
        // Ten answers a second for three seconds, then a throttle.
        for i in 0..30 {
            pace.answered(ms(start, i * 100));
        }
        assert!(pace.throttled(0, ms(start, 3000)));
        let rate = pace.rate().unwrap();
        assert!((rate - 10.0 * FIRST_CUT).abs() < 1.0, "{rate}");
        // Calls are then spaced 1/rate apart, however many want to go at
        // once, after the turn kept for the throttled call's retry.
        let now = ms(start, 3000);
        let slots: Vec<Instant> = (0..4).map(|_| pace.book(now)).collect();
        let gap = Duration::from_secs_f64(1.0 / rate);
        assert_eq!(slots, vec![now + gap, now + gap * 2, now + gap * 3, now + gap * 4]);
        // Each throttle of the burst, cutting or not, keeps a turn for its retry.
        assert!(!pace.throttled(0, now));
        assert_eq!(pace.book(now), now + gap * 6);
    }

    #[test]
    fn a_burst_of_throttles_cuts_once_and_passing_calls_grow_the_rate_slowly() {
        let start = Instant::now();
        let mut pace = Pace::default();
        for i in 0..10 {
            pace.answered(ms(start, i * 100));
        }
        let sent_in = pace.generation();
        assert!(pace.throttled(sent_in, ms(start, 1000)));
        let cut = pace.rate().unwrap();
        for _ in 0..5 {
            assert!(!pace.throttled(sent_in, ms(start, 1001)), "sent before the cut");
        }
        assert_eq!(pace.rate(), Some(cut));
        // Passing calls, each held back by the pace (10 wanted a second):
        // 15% a second up to 90% of the 10 a second last throttled, in
        // about four seconds, then 1.5% a second.
        let mut held_back = |from: u64, to: u64| {
            for i in from..to {
                let now = ms(start, 1000 + i * 100);
                pace.book(now);
                pace.answered(now);
            }
            pace.rate().unwrap()
        };
        let far = held_back(1, 45);
        assert!(far > 9.0 && far < 9.5, "{cut} -> {far}");
        let grown = held_back(45, 101);
        assert!(grown > far * 1.06 && grown < far * 1.12, "{far} -> {grown}");
        assert!(pace.throttled(pace.generation(), ms(start, 11_100)));
        assert!((pace.rate().unwrap() - grown * CUT).abs() < 1e-9);
    }

    #[test]
    fn throttles_within_two_seconds_of_a_cut_are_its_bursts_retries() {
        let start = Instant::now();
        let mut pace = Pace::default();
        for i in 0..10 {
            pace.answered(ms(start, i * 100));
        }
        assert!(pace.throttled(0, ms(start, 1000)));
        let rate = pace.rate();
        // Retries sent after the cut, throttled within the settling time.
        assert!(!pace.throttled(pace.generation(), ms(start, 2500)));
        assert_eq!(pace.rate(), rate);
        assert!(pace.throttled(pace.generation(), ms(start, 3100)));
    }

    #[test]
    fn calls_slower_than_the_pace_do_not_grow_it() {
        let start = Instant::now();
        let mut pace = Pace::default();
        pace.answered(start);
        assert!(pace.throttled(0, ms(start, 1000)));
        let rate = pace.rate().unwrap();
        // A call every 10 s, far slower than the pace.
        for i in 1..=10 {
            let now = ms(start, 1000 + i * 10_000);
            pace.book(now);
            pace.answered(now);
        }
        assert_eq!(pace.rate(), Some(rate));
    }

    #[test]
    fn the_rate_never_falls_below_the_slowest_pace() {
        let start = Instant::now();
        let mut pace = Pace::default();
        for i in 0..50 {
            pace.throttled(pace.generation(), ms(start, i * 2000));
        }
        assert_eq!(pace.rate(), Some(MIN_RATE));
    }
}
