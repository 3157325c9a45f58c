//! Trails that do not deliver to CloudWatch Logs, or have not delivered in
//! the last 24 hours.

use super::trails;
use crate::checks::{Check, Context, Findings};
use crate::inventory::ResourceKind;

pub const CHECK: Check =
    Check { id: "cloudtrail_cloudwatch_logging_enabled", needs: &[ResourceKind::CloudTrailTrails], evaluate };

const DAY_SECONDS: i64 = 24 * 60 * 60;

fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>) {
    trails::each(ctx, out, |trail, out| {
        let subject = trails::describe(trail);
        let finding = out.resource(&trail.home_region, &trail.name, &trail.arn);
        let Some(group) = &trail.cloudwatch_logs_group_arn else {
            finding.fail(format!("{subject} does not deliver to CloudWatch Logs."));
            return;
        };
        let status = match trail.status.get() {
            Ok(status) => status,
            Err(why) => {
                finding.error(format!("Could not tell when {subject} last delivered to CloudWatch Logs: {why}"));
                return;
            }
        };
        let delivered = status.latest_cloudwatch_logs_delivery_time.as_deref().and_then(|at| {
            aws_smithy_types::DateTime::from_str(at, aws_smithy_types::date_time::Format::DateTime)
                .ok()
                .map(|at| (at, at.secs()))
        });
        match delivered {
            Some((_, secs)) if ctx.now_epoch_seconds - secs <= DAY_SECONDS => finding.pass(format!(
                "{subject} delivers to CloudWatch Logs group {group}; last delivery {}.",
                status.latest_cloudwatch_logs_delivery_time.as_deref().unwrap_or_default()
            )),
            Some(_) => finding.fail(format!(
                "{subject} is configured for CloudWatch Logs group {group} but last delivered at {}, more than 24 hours ago.",
                status.latest_cloudwatch_logs_delivery_time.as_deref().unwrap_or_default()
            )),
            None => finding.fail(format!(
                "{subject} is configured for CloudWatch Logs group {group} but has never delivered to it."
            )),
        }
    });
}
