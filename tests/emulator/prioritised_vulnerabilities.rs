//! The prioritised vulnerabilities of the demo account (localstack/demo-account.yaml,
//! ap-southeast-2): enhanced scan findings (server.py), services that run behind an
//! internet-facing and an internal load balancer, the latter's dual-stack task also
//! reachable over IPv6, and an image no task runs. The image behind the internet-facing
//! load balancer ranks first, then the one exposed over IPv6, then the idle one, each
//! with its reasons; the check FAILs both exposed ones.

use crate::support::{Account, repo_root, text};

const CHECK: &str = "ecr_images_internet_exposed_no_vulnerabilities";

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn the_exposed_running_image_ranks_first() {
    let account = Account::seeded_from(&repo_root().join("localstack/demo-account.yaml"));
    let config = repo_root().join("localstack/demo-bulkhead.toml");
    // With the layer check, the ranking's reasons name the secrets the layers ship.
    let checks = format!("{CHECK},ecr_images_no_secrets_in_layers");
    let scan = account.scan(&[
        "--regions",
        "ap-southeast-2",
        "--checks",
        &checks,
        "--config",
        config.to_str().unwrap(),
        "--stats",
    ]);
    let images = scan.report["vulnerabilities"].as_array().expect("the vulnerabilities block").clone();
    let summary: Vec<(u64, String, String)> = images
        .iter()
        .map(|image| (image["rank"].as_u64().unwrap(), text(&image["exposure"]), text(&image["highest_severity"])))
        .collect();
    assert_eq!(
        summary,
        [
            (1, "internet".to_owned(), "CRITICAL".to_owned()),
            (2, "internet".to_owned(), "CRITICAL".to_owned()),
            (3, "not_running".to_owned(), "HIGH".to_owned()),
        ],
        "{images:#?}"
    );
    let first = &images[0];
    assert!(text(&first["image"]).starts_with("reporting-jobs@sha256:7ee873"), "{first}");
    assert_eq!(first["running_tasks"], 2);
    let reasons: Vec<String> = first["reasons"].as_array().unwrap().iter().map(text).collect();
    assert!(
        reasons[0].contains("internet-facing application load balancer reporting-public (HTTPS 443"),
        "{reasons:?}"
    );
    assert!(
        reasons
            .iter()
            .any(|reason| reason.contains("CVE-2024-3094 (CRITICAL, xz-utils, exploit known, fixed in 5.6.1)")),
        "{reasons:?}"
    );
    assert_eq!(first["findings"][0]["exploit_available"], "YES", "enhanced findings carry exploit information");
    // Internal behind its load balancer, but its IPv6 address is routed to the internet.
    let second: Vec<String> = images[1]["reasons"].as_array().unwrap().iter().map(text).collect();
    assert!(
        second.iter().any(|reason| reason.contains("IPv6 address ") && reason.contains("open to ::/0 on port 8080")),
        "{second:?}"
    );
    // builder-2016 copies a deploy key in and deletes it in a later step: still shipped.
    let shipped = "it also ships 1 secret(s) in its layers (private_key), 1 deleted by a later layer but still in \
                   the image: whoever breaks in from the internet finds credentials to go further";
    assert!(second.iter().any(|reason| reason == shipped), "{second:?}");
    assert!(!reasons.iter().any(|reason| reason.contains("secret(s) in its layers")), "{reasons:?}");
    assert_eq!(text(&images[2]["reasons"][0]), "named by a task definition but run by no task");

    let exposed = scan.finding_mentioning(CHECK, "reporting-jobs@sha256:7ee873");
    assert_eq!(exposed["status"], "FAIL", "{exposed}");
    assert!(
        text(&exposed["message"]).contains("2 finding(s) of severity high or above: CVE-2024-3094 (CRITICAL"),
        "{exposed}"
    );
    let findings = scan.findings(CHECK);
    assert_eq!(findings.len(), 3);
    assert_eq!(findings.iter().filter(|finding| finding["status"] == "PASS").count(), 1, "{findings:#?}");
    let builder = scan.finding_mentioning(CHECK, "report-builder:1");
    assert_eq!(builder["status"], "FAIL", "exposed over IPv6: {builder}");
}
