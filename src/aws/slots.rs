//! Slots for calls in flight, as many as an [`Aimd`] rule allows: a
//! semaphore that grows with the rule at once and, when the rule is cut
//! below the calls already in flight, withdraws slots as those calls finish.

use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use tokio::sync::Semaphore;

use super::aimd::Aimd;

#[derive(Debug)]
pub struct Slots {
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
}

impl Slots {
    pub fn new(aimd: Aimd) -> Slots {
        Slots { permits: Semaphore::new(aimd.limit()), state: Mutex::new(State { aimd, in_flight: 0, debt: 0 }) }
    }

    /// Waits for a slot, held until the [`Slot`] is dropped.
    pub async fn take(self: &Arc<Self>) -> Slot {
        self.permits.acquire().await.expect("slot semaphores are never closed").forget();
        self.state().in_flight += 1;
        Slot { slots: self.clone() }
    }

    /// A slot given back: it pays the debt of a cut first.
    fn give_back(&self) {
        let mut state = self.state();
        state.in_flight -= 1;
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

    /// Slots free now.
    pub fn free(&self) -> usize {
        self.permits.available_permits()
    }

    /// To be noted when an attempt is sent, and given back with its throttle.
    pub fn generation(&self) -> u64 {
        self.state().aimd.generation()
    }

    /// An attempt answered without throttling after `latency`, while its
    /// call still holds its slot.
    pub fn answered(&self, latency: Duration) {
        let mut state = self.state();
        let in_flight = state.in_flight;
        self.follow_rule(&mut state, |aimd| aimd.answered(latency, in_flight));
    }

    /// An attempt sent under the rule's generation `sent_in` throttled.
    /// Whether the limit was cut.
    pub fn throttled(&self, sent_in: u64) -> bool {
        let mut state = self.state();
        let mut cut = false;
        self.follow_rule(&mut state, |aimd| cut = aimd.throttled(sent_in));
        cut
    }

    /// Applies `change` to the rule and the slots to its new limit.
    fn follow_rule(&self, state: &mut State, change: impl FnOnce(&mut Aimd)) {
        let before = state.aimd.limit();
        change(&mut state.aimd);
        let after = state.aimd.limit();
        if after > before {
            let grown = after - before;
            let repaid = grown.min(state.debt);
            state.debt -= repaid;
            self.permits.add_permits(grown - repaid);
        } else if after < before {
            for _ in after..before {
                match self.permits.try_acquire() {
                    Ok(permit) => permit.forget(),
                    Err(_) => state.debt += 1,
                }
            }
        }
    }

    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// A slot taken, given back when dropped.
#[derive(Debug)]
pub struct Slot {
    slots: Arc<Slots>,
}

impl Drop for Slot {
    fn drop(&mut self) {
        self.slots.give_back();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const QUICK: Duration = Duration::from_millis(50);

    #[tokio::test]
    async fn a_cut_below_the_calls_in_flight_withdraws_slots_as_they_finish() {
        let slots = Arc::new(Slots::new(Aimd::new(64)));
        let mut taken = Vec::new();
        for _ in 0..8 {
            taken.push(slots.take().await);
        }
        assert_eq!((slots.limit(), slots.free()), (8, 0));
        assert!(slots.throttled(slots.generation()));
        assert_eq!(slots.limit(), 4);
        taken.truncate(2);
        // Four of the six finished calls paid the debt; two slots are free.
        assert_eq!(slots.free(), 2);
    }

    #[tokio::test]
    async fn growth_frees_slots_at_once() {
        let slots = Arc::new(Slots::new(Aimd::new(64)));
        let mut taken = Vec::new();
        for _ in 0..8 {
            taken.push(slots.take().await);
        }
        slots.answered(QUICK);
        assert_eq!((slots.limit(), slots.free()), (9, 1));
        taken.clear();
        assert_eq!(slots.free(), 9);
    }
}
