//! The state of a mutelist being read: the regexes compiled so far, shared
//! by every pattern with the same source, and the counts its limits bound.
//!
//! YAML aliases (`*name`) repeat what their anchor holds, so a small file
//! can stand for a huge one: what is counted is what the parse produces,
//! each alias as often as it is used. A file without aliases never holds
//! more text than its size, as every value takes at least one byte more
//! than its text in the file.

use std::cell::RefCell;
use std::collections::HashMap;

use regex::Regex;

/// How much a mutelist may hold.
#[derive(Debug, Clone, Copy)]
pub(super) struct Limits {
    pub entries: usize,
    pub patterns: usize,
    pub text_bytes: u64,
}

#[derive(Debug)]
struct State {
    limits: Limits,
    regexes: HashMap<String, Regex>,
    entries: usize,
    patterns: usize,
    text_bytes: u64,
}

thread_local! {
    static READING: RefCell<Option<State>> = const { RefCell::new(None) };
}

/// The parse under way on this thread, until dropped.
#[derive(Debug)]
pub(super) struct Reading(());

impl Reading {
    pub(super) fn start(limits: Limits) -> Reading {
        let state = State { limits, regexes: HashMap::new(), entries: 0, patterns: 0, text_bytes: 0 };
        READING.with(|reading| *reading.borrow_mut() = Some(state));
        Reading(())
    }
}

impl Drop for Reading {
    fn drop(&mut self) {
        READING.with(|reading| reading.borrow_mut().take());
    }
}

/// Adds to a count of the parse under way, if any (a pattern made outside
/// a parse counts against nothing): `add` returns the count and its limit.
fn count(add: impl FnOnce(&mut State) -> (u64, u64), too_many: impl FnOnce(u64) -> String) -> Result<(), String> {
    let over = READING.with(|reading| {
        let mut reading = reading.borrow_mut();
        let (count, limit) = add(reading.as_mut()?);
        (count > limit).then_some(limit)
    });
    over.map_or(Ok(()), |limit| Err(too_many(limit)))
}

/// Counts one entry (an account's check key).
pub(super) fn entry() -> Result<(), String> {
    count(
        |state| {
            state.entries += 1;
            (state.entries as u64, state.limits.entries as u64)
        },
        |limit| format!("the mutelist has more than {limit} entries, the most it may have"),
    )
}

/// Counts a value's text, and the byte that at least separates it from the next.
pub(super) fn text(value: &str) -> Result<(), String> {
    count(
        |state| {
            state.text_bytes += value.len() as u64 + 1;
            (state.text_bytes, state.limits.text_bytes)
        },
        |limit| {
            format!(
                "the mutelist holds more than {} MiB of text (an alias counted each time it is used), the most it may",
                limit >> 20
            )
        },
    )
}

/// Counts a pattern (its text counted by [`text`]).
pub(super) fn pattern() -> Result<(), String> {
    count(
        |state| {
            state.patterns += 1;
            (state.patterns as u64, state.limits.patterns as u64)
        },
        |limit| {
            format!(
                "the mutelist has more than {limit} patterns (an alias counted each time it is used), the most it may have"
            )
        },
    )
}

/// The regex for `source`, compiled once per parse.
pub(super) fn compile(source: String) -> Result<Regex, regex::Error> {
    let known = READING.with(|reading| reading.borrow().as_ref().and_then(|state| state.regexes.get(&source).cloned()));
    if let Some(regex) = known {
        return Ok(regex);
    }
    let regex = Regex::new(&source)?;
    READING.with(|reading| {
        if let Some(state) = reading.borrow_mut().as_mut() {
            state.regexes.insert(source, regex.clone());
        }
    });
    Ok(regex)
}
