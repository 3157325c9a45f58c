//! Trails without log file integrity validation (digest files).

use super::trails;
use crate::checks::{Check, Context, Findings};
use crate::inventory::ResourceKind;

pub const CHECK: Check =
    Check { id: "cloudtrail_log_file_validation_enabled", needs: &[ResourceKind::CloudTrailTrails], evaluate };

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    trails::each(ctx, out, |trail, out| {
        let subject = trails::describe(trail);
        let finding = out.resource(&trail.home_region, &trail.name, &trail.arn);
        if trail.log_file_validation {
            finding.pass(format!("{subject} has log file validation enabled."))
        } else {
            finding.fail(format!(
                "{subject} has log file validation disabled: a deleted or edited log file would go unnoticed."
            ))
        }
    });
}
