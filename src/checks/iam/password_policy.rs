//! The rule shape the `require_*` password policy checks share.

use crate::checks::{Verdict, fail, pass};

/// PASS when the policy requires a character of `class` (`"uppercase
/// letter"`, `"number"`).
pub fn requires(flag: bool, class: &str) -> Verdict {
    if flag {
        pass(format!("requires at least one {class}"))
    } else {
        fail(format!("does not require {}", with_article(class)))
    }
}

/// `class` after "a" or "an", as its first letter sounds: the classes are
/// plain words whose first letter tells ("an uppercase letter", "a number").
fn with_article(class: &str) -> String {
    let vowel = class.starts_with(['a', 'e', 'i', 'o', 'u', 'A', 'E', 'I', 'O', 'U']);
    format!("{} {class}", if vowel { "an" } else { "a" })
}
