//! The rule shape the `require_*` password policy checks share.

use crate::checks::{Verdict, fail, pass};

/// PASS when the policy requires a character of `class`.
pub fn requires(flag: bool, class: &str) -> Verdict {
    if flag { pass(format!("requires at least one {class}")) } else { fail(format!("does not require a {class}")) }
}
