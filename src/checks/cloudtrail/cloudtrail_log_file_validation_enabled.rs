//! Trails without log file integrity validation (digest files).

use super::trails::describe;
use crate::checks::{Check, Context, Scope, Verdict, fail, pass};
use crate::inventory::cloudtrail::Trail;

pub const CHECK: Check =
    Check { id: "cloudtrail_log_file_validation_enabled", scope: Scope::Trails(judge), reads: &[] };

fn judge(_: &Context<'_>, trail: &Trail) -> Verdict {
    let subject = describe(trail);
    if trail.log_file_validation {
        pass(format!("{subject} has log file validation enabled."))
    } else {
        fail(format!("{subject} has log file validation disabled: a deleted or edited log file would go unnoticed."))
    }
}
