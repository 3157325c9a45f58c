//! Amazon Inspector scans the account's ECR images in every region (FSBP
//! Inspector.2): ECR's enhanced scanning.

use crate::checks::{Check, Context, Scope, Verdict, fail, pass};
use crate::inventory::inspector2::InspectorAccount;

pub const CHECK: Check = Check { id: "inspector2_is_enabled", scope: Scope::Inspector(judge), reads: &[] };

fn judge(_: &Context<'_>, account: &InspectorAccount) -> Verdict {
    let overall = account.status.as_deref().unwrap_or("not reported");
    match account.ecr.as_deref() {
        Some("ENABLED") => pass("scans ECR images (enhanced scanning on)."),
        Some(ecr) => fail(format!("does not scan ECR images (ECR scanning {ecr}; Inspector {overall}).")),
        None => fail(format!("does not report ECR scanning (Inspector {overall}).")),
    }
}
