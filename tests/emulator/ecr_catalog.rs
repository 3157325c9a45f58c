//! ECR registry and repository settings: scanning (registry rules and the
//! repository setting), tag immutability, lifecycle, encryption, the latest
//! image's vulnerabilities, and cross-account policies.

use crate::support::{Account, Scan, repo_root, text};

const REGISTRY_SCAN: &str = "ecr_registry_scan_images_on_push_enabled";
const REPO_SCAN: &str = "ecr_repositories_scan_images_on_push_enabled";
const IMMUTABLE: &str = "ecr_repositories_tag_immutability";
const LIFECYCLE: &str = "ecr_repositories_lifecycle_policy_enabled";
const KMS: &str = "ecr_repositories_encrypted_with_kms";
const VULNS: &str = "ecr_repositories_scan_vulnerabilities_in_latest_image";
const REGISTRY_POLICY: &str = "ecr_registry_policy_trusted_accounts_only";
const REPO_POLICY: &str = "ecr_repositories_policy_trusted_accounts_only";

fn scan(account: &Account, config: &str) -> Scan {
    let config = repo_root().join("tests/fixtures/ecr_catalog").join(config);
    account.scan(&["--services", "ecr", "--config", config.to_str().unwrap()])
}

/// `repository -> status` of a per-repository check in eu-west-1; image
/// findings are keyed `repo@digest`, reduced to the repository here.
fn by_repository(scan: &Scan, check: &str) -> std::collections::BTreeMap<String, String> {
    scan.statuses(check, "eu-west-1")
        .into_iter()
        .map(|(id, status)| (id.split('@').next().unwrap().to_owned(), status))
        .collect()
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn registry_and_repository_settings_pass_and_fail() {
    let account = Account::seeded("ecr_catalog/registry_and_repositories");
    let scan = scan(&account, "trusted.toml");
    assert_eq!(scan.exit_code, 3, "{}", scan.stderr);
    assert!(scan.report["scan"]["errors"].as_array().unwrap().is_empty(), "{}", scan.report["scan"]["errors"]);

    // Registry: one finding per region, named by the account id.
    for (region, expected) in [("us-east-1", "PASS"), ("eu-west-1", "FAIL"), ("ap-southeast-2", "FAIL")] {
        assert_eq!(scan.statuses(REGISTRY_SCAN, region)[&account.id], expected, "{REGISTRY_SCAN} {region}");
    }
    let partial = text(&scan.statuses_findings(REGISTRY_SCAN, "eu-west-1")[0]["message"]);
    assert!(partial.contains("only for repositories matching prod-*"), "{partial}");
    for (region, expected) in [("us-east-1", "FAIL"), ("eu-west-1", "PASS"), ("ap-southeast-2", "PASS")] {
        assert_eq!(scan.statuses(REGISTRY_POLICY, region)[&account.id], expected, "{REGISTRY_POLICY} {region}");
    }
    let stranger = text(&scan.statuses_findings(REGISTRY_POLICY, "us-east-1")[0]["message"]);
    assert!(stranger.contains("444455556666"), "{stranger}");

    let expect = |check: &str, rows: &[(&str, &str)]| {
        let got = by_repository(&scan, check);
        for (repository, status) in rows {
            assert_eq!(got.get(*repository).map(String::as_str), Some(*status), "{check} {repository}: {got:?}");
        }
    };
    // scan on push: the repository setting, or a registry rule (prod-*).
    expect(REPO_SCAN, &[("hardened", "PASS"), ("prod-api", "PASS"), ("loose", "FAIL"), ("no-images", "FAIL")]);
    assert_eq!(scan.statuses(REPO_SCAN, "us-east-1")["enhanced-covered"], "PASS");
    expect(IMMUTABLE, &[("hardened", "PASS"), ("loose", "FAIL")]);
    expect(LIFECYCLE, &[("hardened", "PASS"), ("loose", "FAIL")]);
    expect(KMS, &[("hardened", "PASS"), ("loose", "FAIL")]);
    expect(REPO_POLICY, &[("hardened", "PASS"), ("loose", "FAIL"), ("prod-api", "PASS")]);
    // Latest image: clean, HIGH findings, never scanned, MEDIUM only (below the default threshold).
    expect(VULNS, &[("hardened", "PASS"), ("loose", "FAIL"), ("prod-api", "FAIL"), ("medium-only", "PASS")]);
    assert!(!by_repository(&scan, VULNS).contains_key("no-images"), "a repository without images is not judged");
    let loose = text(&scan.finding_mentioning(VULNS, "repository loose")["message"]);
    assert!(loose.contains("2 high"), "{loose}");
    let medium = text(&scan.finding_mentioning(VULNS, "repository medium-only")["message"]);
    assert!(medium.contains("no finding of severity high or above"), "{medium}");
    let never = text(&scan.finding_mentioning(VULNS, "repository prod-api")["message"]);
    assert!(never.contains("never been scanned"), "{never}");
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn the_vulnerability_threshold_and_trusted_accounts_come_from_the_config() {
    let account = Account::seeded("ecr_catalog/registry_and_repositories");
    let strict = scan(&account, "strict.toml");
    assert_eq!(by_repository(&strict, VULNS)["medium-only"], "FAIL");
    let no_config = account.scan(&["--checks", &format!("{REPO_POLICY},{REGISTRY_POLICY}")]);
    // Without trusted_accounts, 111122223333 is a stranger too.
    assert_eq!(by_repository(&no_config, REPO_POLICY)["hardened"], "FAIL");
    assert_eq!(no_config.statuses(REGISTRY_POLICY, "eu-west-1")[&account.id], "FAIL");
}
