//! What every HTML page bulkhead writes shares: its style sheet, and the
//! nonce its Content-Security-Policy allows its one style and script by.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};

pub(super) const STYLE: &str = include_str!("../../templates/report.css");

/// A fresh value per report for the CSP nonce (not a secret against the
/// reader: it only has to be unguessable to data written before it).
pub(super) fn nonce() -> String {
    let mut value = String::new();
    for _ in 0..2 {
        let mut hasher = RandomState::new().build_hasher();
        hasher.write_u128(
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap_or_default().as_nanos(),
        );
        value.push_str(&format!("{:016x}", hasher.finish()));
    }
    value
}
