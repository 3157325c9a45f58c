//! Trails whose log files are not encrypted with a KMS key (SSE-KMS).

use super::trails;
use crate::checks::{Check, Context, Findings};
use crate::inventory::ResourceKind;

pub const CHECK: Check =
    Check { id: "cloudtrail_kms_encryption_enabled", needs: &[ResourceKind::CloudTrailTrails], evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    trails::each(ctx, out, |trail, out| {
        let subject = trails::describe(trail);
        let finding = out.resource(&trail.home_region, &trail.name, &trail.arn);
        match &trail.kms_key_id {
            Some(key) => finding.pass(format!("{subject} encrypts its log files with KMS key {key}.")),
            None => finding.fail(format!(
                "{subject} does not encrypt its log files with a KMS key (only the bucket's default encryption applies)."
            )),
        }
    });
}
