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

/// Delivery age, which the emulator cannot vary (it always reports "now").
#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;
    use crate::config::Config;
    use crate::inventory::cloudtrail::{EventSelectors, Trail, TrailStatus};
    use crate::inventory::{AccountInventory, Collected};
    use crate::severity::Status;

    fn account(delivered: Option<&str>, status: Collected<TrailStatus>) -> AccountInventory {
        let trail = Trail {
            arn: "arn:aws:cloudtrail:eu-west-1:111122223333:trail/t".into(),
            name: "t".into(),
            home_region: "eu-west-1".into(),
            multi_region: false,
            organization_trail: false,
            log_file_validation: false,
            kms_key_id: None,
            cloudwatch_logs_group_arn: Some("arn:aws:logs:eu-west-1:111122223333:log-group:ct:*".into()),
            has_custom_event_selectors: false,
            status: match status {
                Collected::Ok(mut status) => {
                    status.latest_cloudwatch_logs_delivery_time = delivered.map(str::to_owned);
                    Collected::Ok(status)
                }
                other => other,
            },
            event_selectors: Collected::Ok(EventSelectors::default()),
        };
        AccountInventory {
            account_id: "111122223333".into(),
            partition: "aws".into(),
            regions: BTreeMap::new(),
            trails: BTreeMap::from([(trail.arn.clone(), trail)]),
            iam: Default::default(),
        }
    }

    fn verdict(account: &AccountInventory, now: &str) -> Status {
        let config = Config::default();
        let now = aws_smithy_types::DateTime::from_str(now, aws_smithy_types::date_time::Format::DateTime).unwrap();
        let context = Context { account, config: &config, now_epoch_seconds: now.secs() };
        let findings = CHECK.run(&context);
        assert_eq!(findings.len(), 1);
        findings[0].status
    }

    fn logging() -> Collected<TrailStatus> {
        Collected::Ok(TrailStatus {
            is_logging: true,
            latest_delivery_time: None,
            latest_cloudwatch_logs_delivery_time: None,
        })
    }

    #[test]
    fn delivery_must_be_within_24_hours_of_the_scan() {
        let recent = account(Some("2026-01-01T10:00:00Z"), logging());
        assert_eq!(verdict(&recent, "2026-01-02T09:59:59Z"), Status::Pass);
        assert_eq!(verdict(&recent, "2026-01-02T10:00:01Z"), Status::Fail);
        assert_eq!(verdict(&account(None, logging()), "2026-01-02T00:00:00Z"), Status::Fail);
    }

    #[test]
    fn an_unknown_status_is_an_error_not_a_pass() {
        let err = crate::aws::CollectError::new(
            crate::aws::Service::Cloudtrail,
            "GetTrailStatus",
            "eu-west-1",
            crate::aws::ErrorKind::AccessDenied,
            "denied",
        );
        assert_eq!(verdict(&account(None, Collected::Failed(err)), "2026-01-02T00:00:00Z"), Status::Error);
    }
}
