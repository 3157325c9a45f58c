//! Trails whose log files are not encrypted with a KMS key (SSE-KMS).

use super::trails::describe;
use crate::checks::{Check, Context, Scope, Verdict, fail, pass};
use crate::inventory::cloudtrail::Trail;

pub const CHECK: Check = Check { id: "cloudtrail_kms_encryption_enabled", scope: Scope::Trails(judge), reads: &[] };

fn judge(_: &Context<'_>, trail: &Trail) -> Verdict {
    let subject = describe(trail);
    match &trail.kms_key_id {
        Some(key) => pass(format!("{subject} encrypts its log files with KMS key {key}.")),
        None => fail(format!(
            "{subject} does not encrypt its log files with a KMS key (only the bucket's default encryption applies)."
        )),
    }
}
