//! `--notify sns:TOPIC_ARN`: after a scan, one message saying what changed
//! since the baseline (new FAILs, the worst first, with check, resource,
//! account and region; what was resolved), the exit code and where the
//! reports are. AWS Chatbot and e-mail subscribe to the topic.
//!
//! The message is made of the report's changes only: check ids, resource
//! ids and ARNs, accounts, regions, severities and counts. Finding
//! messages are left out, so a value of the account's configuration never
//! travels in it.

use aws_sdk_sns::Client;
use aws_smithy_types::error::display::DisplayErrorContext;

use crate::aws::Session;
use crate::model::{ChangedFinding, Report};
use crate::severity::Status;

/// How many new FAILs the message lists (the counts cover them all).
pub const TOP_NEW_FAILS: usize = 10;

/// SNS takes subjects of at most 100 characters.
const SUBJECT_LIMIT: usize = 100;

/// `sns:TOPIC_ARN`, as `--notify` takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Topic {
    pub arn: String,
    /// The topic's region: a topic is published to where it lives.
    pub region: String,
}

pub fn parse_topic(text: &str) -> Result<Topic, String> {
    let arn = text.strip_prefix("sns:").ok_or_else(|| format!("{text:?}: give sns:TOPIC_ARN"))?;
    let parts: Vec<&str> = arn.split(':').collect();
    let valid = parts.len() == 6
        && parts[0] == "arn"
        && parts[1].starts_with("aws")
        && parts[2] == "sns"
        && !parts[3].is_empty()
        && parts[4].len() == 12
        && parts[4].bytes().all(|b| b.is_ascii_digit())
        && !parts[5].is_empty()
        && parts[5].len() <= 256
        && parts[5].bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_' || b == b'.');
    if !valid {
        return Err(format!("{text:?}: not an SNS topic ARN (sns:arn:aws:sns:REGION:ACCOUNT:NAME)"));
    }
    Ok(Topic { arn: arn.to_owned(), region: parts[3].to_owned() })
}

/// The message's subject and body, or `None` when nothing changed since
/// the baseline and `always` is off. The first scan of a store (no
/// baseline) is news: its FAILs are all new.
pub fn message(report: &Report, exit_code: u8, reports_at: &str, always: bool) -> Option<(String, String)> {
    let changes = report.history.as_ref().and_then(|history| history.changes.as_ref());
    let changed = changes.is_none_or(|changes| {
        !changes.new_failures.is_empty() || !changes.resolved_failures.is_empty() || !changes.new_errors.is_empty()
    });
    if !changed && !always {
        return None;
    }
    let total = &report.tally.total;
    let mut body = String::new();
    let mut line = |text: String| {
        body.push_str(&text);
        body.push('\n');
    };
    line(format!(
        "bulkhead scanned {} account(s) in {} region(s) with {} checks: {} FAIL, {} PASS, {} ERROR, {} muted.",
        report.scan.accounts.len(),
        report.scan.regions.len(),
        report.scan.checks.len(),
        total.fail,
        total.pass,
        total.error,
        total.muted()
    ));
    let subject = match changes {
        None => {
            line("No earlier scan to compare with: this is the first one in the store.".to_owned());
            format!("bulkhead: {} FAIL (first scan), exit {exit_code}", total.fail)
        }
        Some(changes) => {
            let mut new: Vec<&ChangedFinding> =
                changes.new_failures.iter().filter(|finding| finding.status == Status::Fail).collect();
            let unmuted = new.iter().filter(|finding| !finding.muted).count();
            line(format!(
                "Since {}: {} new FAIL ({} unmuted), {} resolved, {} new ERROR, {} still failing.",
                changes.base.label,
                new.len(),
                unmuted,
                changes.resolved_failures.len(),
                changes.new_errors.len(),
                changes.still_failing.len()
            ));
            // Unmuted first, then the most severe.
            new.sort_by_key(|finding| (finding.muted, std::cmp::Reverse(finding.severity)));
            if !new.is_empty() {
                line(String::new());
                line(format!("New FAILs (the first {} of {}):", new.len().min(TOP_NEW_FAILS), new.len()));
                for finding in new.iter().take(TOP_NEW_FAILS) {
                    line(format!("- {}", describe(finding)));
                }
            }
            if !changes.resolved_failures.is_empty() {
                line(String::new());
                line(format!(
                    "Resolved (the first {} of {}):",
                    changes.resolved_failures.len().min(TOP_NEW_FAILS),
                    changes.resolved_failures.len()
                ));
                for finding in changes.resolved_failures.iter().take(TOP_NEW_FAILS) {
                    line(format!("- {}", describe(finding)));
                }
            }
            format!("bulkhead: {} new FAIL, {} resolved, exit {exit_code}", new.len(), changes.resolved_failures.len())
        }
    };
    line(String::new());
    line(format!("Exit code: {exit_code}. Reports: {reports_at}"));
    Some((cut(&subject, SUBJECT_LIMIT), body))
}

fn describe(finding: &ChangedFinding) -> String {
    let resource = if finding.resource_arn.is_empty() { &finding.resource_id } else { &finding.resource_arn };
    let muted = if finding.muted { " (muted)" } else { "" };
    format!(
        "[{}] {} on {} (account {}, {}){muted}",
        finding.severity.as_str(),
        finding.check_id,
        resource,
        finding.account_id,
        finding.region
    )
}

fn cut(text: &str, limit: usize) -> String {
    text.chars().take(limit).collect()
}

/// Publishes the message to the topic, in the topic's region, with the
/// caller's credentials; returns the message id.
pub async fn publish(session: &Session, topic: &Topic, subject: &str, body: &str) -> Result<String, String> {
    let client: Client = session.client(&topic.region);
    let answer = client
        .publish()
        .topic_arn(&topic.arn)
        .subject(subject)
        .message(body)
        .send()
        .await
        .map_err(|err| format!("publishing to {}: {}", topic.arn, DisplayErrorContext(&err)))?;
    Ok(answer.message_id().unwrap_or_default().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Changes, History, ScanInfo};
    use crate::severity::Severity;

    fn changed(check: &str, resource: &str, severity: Severity, muted: bool) -> ChangedFinding {
        ChangedFinding {
            account_id: "111122223333".into(),
            region: "eu-west-1".into(),
            check_id: check.into(),
            resource_id: resource.into(),
            resource_arn: format!("arn:aws:ecr:eu-west-1:111122223333:repository/{resource}"),
            severity,
            status: Status::Fail,
            muted,
            message: "the secret value s3cr3t".into(),
            failing_since: None,
            age_days: None,
            resolution: None,
        }
    }

    fn with_changes(changes: Option<Changes>) -> Report {
        let mut report = crate::sinks::testing::full_report();
        report.history = Some(History { changes, trends: Vec::new() });
        report
    }

    #[test]
    fn the_message_lists_the_worst_new_fails_first_and_no_finding_message() {
        let base = ScanInfo { id: Some(1), label: "scan 1".into(), started_at: "2026-12-06T03:00:00Z".into() };
        let mut new_failures: Vec<ChangedFinding> =
            (0..12).map(|n| changed("low_check", &format!("repo-{n:02}"), Severity::Low, false)).collect();
        new_failures.push(changed("critical_check", "muted-repo", Severity::Critical, true));
        new_failures.push(changed("critical_check", "prod-repo", Severity::Critical, false));
        let changes = Changes {
            base,
            new_failures,
            resolved_failures: vec![changed("c", "fixed-repo", Severity::High, false)],
            ..Changes::default()
        };
        let report = with_changes(Some(changes));
        let (subject, body) = message(&report, 3, "s3://bucket/nightly/", false).unwrap();
        assert_eq!(subject, "bulkhead: 14 new FAIL, 1 resolved, exit 3");
        assert!(body.contains("Since scan 1: 14 new FAIL (13 unmuted), 1 resolved"), "{body}");
        let listed: Vec<&str> = body.lines().filter(|line| line.starts_with("- ")).collect();
        assert_eq!(listed.len(), TOP_NEW_FAILS + 1, "ten new, one resolved: {body}");
        assert_eq!(
            listed[0],
            "- [critical] critical_check on arn:aws:ecr:eu-west-1:111122223333:repository/prod-repo (account 111122223333, eu-west-1)"
        );
        assert!(body.contains("Resolved (the first 1 of 1):\n- [high] c on "), "{body}");
        assert!(body.ends_with("Exit code: 3. Reports: s3://bucket/nightly/\n"), "{body}");
        assert!(!body.contains("s3cr3t"), "no finding message travels");
    }

    #[test]
    fn nothing_is_sent_when_nothing_changed_unless_always() {
        let unchanged = with_changes(Some(Changes::default()));
        assert_eq!(message(&unchanged, 0, "out", false), None);
        let (subject, _) = message(&unchanged, 0, "out", true).unwrap();
        assert_eq!(subject, "bulkhead: 0 new FAIL, 0 resolved, exit 0");
        let first = with_changes(None);
        let (subject, body) = message(&first, 3, "out", false).unwrap();
        assert!(subject.contains("(first scan)"), "{subject}");
        assert!(body.contains("first one in the store"), "{body}");
    }

    #[test]
    fn topics_are_sns_arns() {
        let topic = parse_topic("sns:arn:aws:sns:eu-west-1:111122223333:bulkhead-alerts").unwrap();
        assert_eq!(topic.region, "eu-west-1");
        assert_eq!(topic.arn, "arn:aws:sns:eu-west-1:111122223333:bulkhead-alerts");
        for wrong in [
            "arn:aws:sns:eu-west-1:111122223333:t",
            "sns:arn:aws:sqs:eu-west-1:111122223333:t",
            "sns:arn:aws:sns:eu-west-1:1111:t",
            "sns:arn:aws:sns:eu-west-1:111122223333:",
        ] {
            assert!(parse_topic(wrong).is_err(), "{wrong}");
        }
    }
}
