//! Which entries may mute a finding, found without walking the list: the
//! entries are grouped by account and check key, and a finding looks only
//! at the groups of its own account and of `*` whose key matches its check.
//!
//! The list's order decides which entry mutes (its reason is the one
//! shown), so each group keeps its entries in list order and the first
//! entry that mutes is the lowest position any group offers.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::{Arc, Mutex, PoisonError};

use super::pattern::Pattern;

/// The account key that stands for every account.
const EVERY_ACCOUNT: &str = "*";

#[derive(Debug, Default)]
pub(super) struct Index {
    /// Each distinct check key, once: a key's regex is compiled and matched
    /// once per check id, not once per entry.
    keys: Vec<Pattern>,
    key_ids: HashMap<String, u32>,
    account_ids: HashMap<String, u32>,
    /// (account, check key) to a range of `positions`.
    groups: HashMap<(u32, u32), Range<usize>>,
    /// Entry positions, group after group, each group in list order.
    positions: Vec<u32>,
    /// The keys that match a check id, worked out the first time a
    /// finding of that check comes by: there are few check ids.
    matching: Mutex<HashMap<String, Arc<[u32]>>>,
}

impl Clone for Index {
    fn clone(&self) -> Index {
        Index {
            keys: self.keys.clone(),
            key_ids: self.key_ids.clone(),
            account_ids: self.account_ids.clone(),
            groups: self.groups.clone(),
            positions: self.positions.clone(),
            matching: Mutex::default(),
        }
    }
}

/// Builds an [`Index`] from the entries in list order.
#[derive(Debug, Default)]
pub(super) struct IndexBuilder {
    index: Index,
    /// (account, check key, position) of every entry added.
    members: Vec<(u32, u32, u32)>,
}

impl IndexBuilder {
    /// Adds the entry at the next position; returns its check key's id.
    pub(super) fn add(&mut self, account: &str, check: Pattern) -> u32 {
        let index = &mut self.index;
        let key = match index.key_ids.get(check.text()) {
            Some(&key) => key,
            None => {
                let key = id(index.keys.len());
                index.key_ids.insert(check.text().to_owned(), key);
                index.keys.push(check);
                key
            }
        };
        let next = id(index.account_ids.len());
        let account = *index.account_ids.entry(account.to_owned()).or_insert(next);
        let position = id(self.members.len());
        self.members.push((account, key, position));
        key
    }

    pub(super) fn build(mut self) -> Index {
        // Positions were added in order, so a stable sort keeps each group in list order.
        self.members.sort_by_key(|&(account, key, _)| (account, key));
        let mut index = self.index;
        index.positions = self.members.iter().map(|&(_, _, position)| position).collect();
        let mut start = 0;
        for (at, &(account, key, _)) in self.members.iter().enumerate() {
            let last = self.members.get(at + 1).is_none_or(|&(a, k, _)| (a, k) != (account, key));
            if last {
                index.groups.insert((account, key), start..at + 1);
                start = at + 1;
            }
        }
        index
    }
}

impl Index {
    pub(super) fn key(&self, key: u32) -> &Pattern {
        &self.keys[key as usize]
    }

    /// The position of the first entry, in list order, whose account and
    /// check key cover (`account`, `check`) and for which `mutes` holds.
    pub(super) fn first(&self, account: &str, check: &str, mutes: impl Fn(usize) -> bool) -> Option<usize> {
        let keys = self.keys_matching(check);
        let mut first: Option<u32> = None;
        let accounts = [account, EVERY_ACCOUNT];
        let accounts = if account == EVERY_ACCOUNT { &accounts[..1] } else { &accounts[..] };
        for account in accounts {
            let Some(&account) = self.account_ids.get(*account) else {
                continue;
            };
            for &key in keys.iter() {
                let Some(group) = self.groups.get(&(account, key)) else {
                    continue;
                };
                // Past the best found so far, nothing in this group can win.
                let found = self.positions[group.clone()]
                    .iter()
                    .take_while(|&&position| first.is_none_or(|first| position < first))
                    .find(|&&position| mutes(position as usize));
                if let Some(&position) = found {
                    first = Some(position);
                }
            }
        }
        first.map(|position| position as usize)
    }

    /// The entry positions [`Index::first`] would try for (`account`,
    /// `check`), in list order.
    #[cfg(test)]
    pub(super) fn candidates(&self, account: &str, check: &str) -> Vec<usize> {
        let mut tried = std::cell::RefCell::new(Vec::new());
        self.first(account, check, |position| {
            tried.borrow_mut().push(position);
            false
        });
        let tried = tried.get_mut();
        tried.sort_unstable();
        tried.clone()
    }

    /// The ids of the check keys that match `check`: equal to it, or a
    /// pattern found in it.
    fn keys_matching(&self, check: &str) -> Arc<[u32]> {
        let mut matching = self.matching.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(keys) = matching.get(check) {
            return Arc::clone(keys);
        }
        let keys: Arc<[u32]> = (0..self.keys.len())
            .filter(|&key| {
                let pattern = &self.keys[key];
                pattern.text() == check || pattern.is_match(check)
            })
            .map(id)
            .collect();
        matching.insert(check.to_owned(), Arc::clone(&keys));
        keys
    }
}

/// A count or position as the index stores it: the entries of a mutelist
/// are bounded far below `u32::MAX`.
fn id(value: usize) -> u32 {
    u32::try_from(value).expect("a mutelist's entries are bounded")
}
