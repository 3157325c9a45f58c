//! The shared walk of the per-user checks over the credential report.

use crate::checks::{Context, Findings};
use crate::inventory::ResourceKind;
use crate::inventory::iam::{AccessKeyReport, CredentialReportRow, ReportDate};

pub const NEEDS: &[ResourceKind] = &[ResourceKind::IamCredentialReport];

pub enum Judgement {
    Pass(String),
    Fail(String),
    Error(String),
}

/// `judge` gets each IAM user's row and the time the report was fetched.
pub fn evaluate(ctx: &Context<'_>, out: &mut Findings<'_>, judge: impl Fn(&CredentialReportRow, i64) -> Judgement) {
    let iam = &ctx.account.iam;
    let report = match iam.credential_report.get() {
        Ok(report) => report,
        Err(why) => {
            let arn = format!("arn:{}:iam::{}:user/*", ctx.account.partition, ctx.account.account_id);
            out.resource(&iam.region, "user/*", arn).error(format!("Could not evaluate the IAM users: {why}"));
            return;
        }
    };
    for row in report.users() {
        let subject = format!("User {}", row.user);
        let finding = out.resource(&iam.region, &row.user, &row.arn);
        match judge(row, report.fetched_at) {
            Judgement::Pass(detail) => finding.pass(format!("{subject} {detail}")),
            Judgement::Fail(detail) => finding.fail(format!("{subject} {detail}")),
            Judgement::Error(detail) => finding.error(format!("{subject}: {detail}")),
        }
    }
}

/// Whole days from `date` to `now`; `None` when the date is not a date.
pub fn age_days(date: &ReportDate, now: i64) -> Option<i64> {
    date.epoch.map(|at| (now - at).max(0) / 86_400)
}

pub fn active_keys(row: &CredentialReportRow) -> Vec<&AccessKeyReport> {
    row.access_keys.iter().filter(|key| key.active).collect()
}
