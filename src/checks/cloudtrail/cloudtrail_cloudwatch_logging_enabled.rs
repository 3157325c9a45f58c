//! Trails that do not deliver to CloudWatch Logs, or have not delivered in
//! the 24 hours before the scan.

use jiff::SignedDuration;

use super::trails::describe;
use crate::checks::{Check, Context, Scope, Unknown, Verdict, fail, pass};
use crate::inventory::cloudtrail::Trail;

pub const CHECK: Check = Check { id: "cloudtrail_cloudwatch_logging_enabled", scope: Scope::Trails(judge), reads: &[] };

const DAY: SignedDuration = SignedDuration::from_hours(24);

fn judge(ctx: &Context<'_>, trail: &Trail) -> Verdict {
    let subject = describe(trail);
    let Some(group) = &trail.cloudwatch_logs_group_arn else {
        return fail(format!("{subject} does not deliver to CloudWatch Logs."));
    };
    let status = trail
        .status
        .get()
        .map_err(|why| Unknown(format!("Could not tell when {subject} last delivered to CloudWatch Logs: {why}")))?;
    match status.latest_cloudwatch_logs_delivery_time {
        Some(at) if ctx.now.duration_since(at) <= DAY => {
            pass(format!("{subject} delivers to CloudWatch Logs group {group}; last delivery {at}."))
        }
        Some(at) => fail(format!(
            "{subject} is configured for CloudWatch Logs group {group} but last delivered at {at}, more than 24 hours ago."
        )),
        None => {
            fail(format!("{subject} is configured for CloudWatch Logs group {group} but has never delivered to it."))
        }
    }
}
