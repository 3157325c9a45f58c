//! The sinks a user names: the only writes bulkhead makes, each with the
//! caller's own credentials, never with an audited account's role.
//! docs/sink-policy.json lists their IAM actions (a test keeps it equal to
//! the calls made here); docs/iam-policy.json, the audit role's, stays
//! read-only.
//!
//! - [`s3`]: reports uploaded under `--output-dir s3://BUCKET/PREFIX`, and
//!   the scan store kept at `--store s3://BUCKET/KEY`, written back only
//!   if no other scan changed it meanwhile;
//! - [`sns`]: `--notify sns:TOPIC_ARN`, what changed since the baseline;
//! - [`security_hub`]: `--security-hub`, the ASFF findings imported.

mod location;
pub mod s3;
pub mod security_hub;
pub mod sns;

pub use location::{Place, S3Url, parse_store};

#[cfg(test)]
pub(crate) mod testing {
    use crate::model::Report;

    /// A report whose finding fills every field the renderer can write.
    pub fn full_report() -> Report {
        let mut report: Report = serde_json::from_value(serde_json::json!({
            "tool": {"name": "bulkhead", "version": "0.1.0"},
            "scan": {
                "started_at": "2026-12-07T10:00:00Z", "finished_at": "2026-12-07T10:01:00Z",
                "principal_arn": "arn:aws:iam::111122223333:role/audit",
                "accounts": ["111122223333"], "account_names": {"111122223333": "prod"},
                "regions": ["eu-west-1"], "checks": ["c"], "errors": [], "mutelist": null
            },
            "findings": [{
                "check_id": "c", "title": "A title", "severity": "high", "status": "FAIL", "muted": true,
                "mute_reason": "accepted", "account_id": "111122223333", "region": "eu-west-1",
                "service": "ec2", "resource_type": "AwsEc2SecurityGroup", "resource_id": "sg-1",
                "resource_arn": "arn:aws:ec2:eu-west-1:111122223333:security-group/sg-1",
                "message": "open", "compliance": {"cis": ["5.3"]}, "resource_name": "web",
                "resource_tags": {"team": "a"}, "resource_details": "details", "failing_since": null
            }],
            "checks": [{
                "id": "c", "service": "ec2", "title": "A title", "severity": "high",
                "resource_type": "AwsEc2SecurityGroup", "sarif_id": "BH0001", "description": "d", "risk": "r",
                "shared_responsibility": "network", "references": ["https://example.com/fix"],
                "remediation": {"text": "Fix it", "cli": "aws ...", "terraform": "..."}
            }],
            "frameworks": [{"id": "cis", "name": "CIS", "version": "5.0", "controls": []}],
            "history": null, "vulnerabilities": null, "tally": {}
        }))
        .unwrap();
        report.recount().unwrap();
        report
    }
}
