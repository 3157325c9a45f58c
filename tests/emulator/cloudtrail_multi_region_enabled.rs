use std::collections::BTreeMap;

use crate::support::{Account, text};

const CHECK: &str = "cloudtrail_multi_region_enabled";

fn verdicts(fixture: &str) -> (crate::support::Scan, BTreeMap<String, String>) {
    let account = Account::seeded(&format!("{CHECK}/{fixture}"));
    let scan = account.scan(&["--checks", CHECK]);
    let verdicts = scan
        .findings(CHECK)
        .into_iter()
        .map(|finding| {
            assert_eq!(finding["resource_id"], finding["region"], "one finding per region, named by region");
            (text(&finding["region"]), text(&finding["status"]))
        })
        .collect();
    (scan, verdicts)
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn a_logging_multi_region_trail_covers_every_region() {
    let (scan, verdicts) = verdicts("covered");
    assert_eq!(verdicts.len(), 3);
    assert!(verdicts.values().all(|status| status == "PASS"), "{verdicts:?}");
    let sydney = scan.finding_mentioning(CHECK, "Region ap-southeast-2");
    assert!(text(&sydney["message"]).contains("org-audit (home region eu-west-1)"), "{sydney}");
    // A region's finding is about the account in that region, whichever trail covers it.
    assert!(
        text(&sydney["resource_arn"]).starts_with("arn:aws:iam::") && text(&sydney["resource_arn"]).ends_with(":root")
    );
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn a_stopped_trail_covers_nothing_and_a_single_region_trail_only_its_home() {
    let (scan, verdicts) = verdicts("partial");
    assert_eq!(verdicts["us-east-1"], "PASS");
    assert_eq!(verdicts["eu-west-1"], "FAIL");
    assert_eq!(verdicts["ap-southeast-2"], "FAIL");
    let ireland = scan.finding_mentioning(CHECK, "Region eu-west-1");
    assert!(text(&ireland["message"]).contains("stopped-everywhere is not logging"), "{ireland}");
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn a_trail_without_management_events_does_not_count() {
    let (scan, verdicts) = verdicts("data_events_only");
    assert!(verdicts.values().all(|status| status == "FAIL"), "{verdicts:?}");
    let finding = scan.finding_mentioning(CHECK, "Region us-east-1");
    assert!(text(&finding["message"]).contains("records no management events"), "{finding}");
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn no_trail_fails_every_region() {
    let account = Account::seeded("empty");
    let scan = account.scan(&["--checks", CHECK]);
    let findings = scan.findings(CHECK);
    assert_eq!(findings.len(), 3);
    for finding in findings {
        assert_eq!(finding["status"], "FAIL");
        assert!(text(&finding["message"]).contains("no trail applies"), "{finding}");
    }
}
