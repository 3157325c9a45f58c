//! Every output format, from the demo account, validated against its schema;
//! the HTML report in a real headless chromium, hostile strings included.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use crate::support::{Account, bulkhead, endpoint, repo_root};

const ALL_FORMATS: &str = "json,html,ocsf,junit,sarif,csv,asff,compliance";

/// Git-ignored; kept after the run (screenshots, the 50,000-finding report).
pub(crate) fn artifacts() -> PathBuf {
    let dir = repo_root().join("test-artifacts");
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn scan_into(account: &Account, dir: &Path, formats: &str) -> i32 {
    let output = bulkhead()
        .args(["scan", "--endpoint-url", &endpoint(), "--region", "us-east-1"])
        .args(["--regions", crate::support::REGIONS, "--output-formats", formats])
        .args(["--output-dir", dir.to_str().unwrap()])
        .envs(account.env())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("report: "), "{stderr}");
    output.status.code().unwrap()
}

/// Scans the account into `dir`, recording in `store`.
pub fn scan_into_store(account: &Account, dir: &Path, store: &Path, formats: &str) {
    let output = bulkhead()
        .args(["scan", "--endpoint-url", &endpoint(), "--region", "us-east-1"])
        .args(["--regions", crate::support::REGIONS, "--output-formats", formats])
        .args(["--output-dir", dir.to_str().unwrap(), "--store", store.to_str().unwrap()])
        .envs(account.env())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("report: "), "{stderr}");
}

pub fn python() -> PathBuf {
    repo_root().join("localstack/.venv/bin/python")
}

pub fn json_schema_valid(schema: &str, document: &Path) {
    let schema = repo_root().join("tests/fixtures/schemas").join(schema);
    let script = "import json, sys, jsonschema\n\
        schema = json.load(open(sys.argv[1])); doc = json.load(open(sys.argv[2]))\n\
        cls = jsonschema.validators.validator_for(schema); cls.check_schema(schema)\n\
        errors = sorted(cls(schema).iter_errors(doc), key=lambda e: list(e.path))\n\
        [print(list(e.path), e.message[:300]) for e in errors[:20]]\n\
        sys.exit(1 if errors else 0)\n";
    let output = Command::new(python()).args(["-c", script]).arg(&schema).arg(document).output().unwrap();
    assert!(
        output.status.success(),
        "{} does not validate against {}:\n{}{}",
        document.display(),
        schema.display(),
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn every_format_from_the_demo_account_validates() {
    let account = Account::seeded_from(&repo_root().join("localstack/demo-account.yaml"));
    let dir = tempfile::tempdir().unwrap();
    assert_eq!(scan_into(&account, dir.path(), ALL_FORMATS), 3, "the demo account has failing findings");
    let file = |ext: &str| dir.path().join(format!("bulkhead.{ext}"));
    let report: serde_json::Value = serde_json::from_slice(&std::fs::read(file("json")).unwrap()).unwrap();
    let findings = report["findings"].as_array().unwrap();
    assert!(findings.len() > 20);
    assert!(!report["checks"].as_array().unwrap().is_empty());
    assert!(!report["frameworks"].as_array().unwrap().is_empty());

    // SARIF 2.1.0: the OASIS schema; one rule per check, one result per non-PASS finding.
    json_schema_valid("sarif-schema-2.1.0.json", &file("sarif"));
    let sarif: serde_json::Value = serde_json::from_slice(&std::fs::read(file("sarif")).unwrap()).unwrap();
    let non_pass = findings.iter().filter(|f| f["status"] != "PASS").count();
    assert_eq!(sarif["runs"][0]["results"].as_array().unwrap().len(), non_pass);
    assert_eq!(
        sarif["runs"][0]["tool"]["driver"]["rules"].as_array().unwrap().len(),
        report["checks"].as_array().unwrap().len()
    );
    let first = &sarif["runs"][0]["results"][0];
    assert!(
        first["locations"][0]["logicalLocations"][0]["fullyQualifiedName"].as_str().unwrap().starts_with("arn:aws:")
    );
    // Opaque, stable rule ids (each check's sarif_id); the check id is the rule's name.
    let driver = &sarif["runs"][0]["tool"]["driver"];
    assert!(driver["informationUri"].as_str().unwrap().starts_with("https://"), "{}", driver["informationUri"]);
    let rules = driver["rules"].as_array().unwrap();
    assert_eq!(rules.len(), report["checks"].as_array().unwrap().len(), "a rule per check that ran");
    for rule in rules {
        let id = rule["id"].as_str().unwrap();
        assert!(id.len() == 6 && id.starts_with("BH") && id[2..].bytes().all(|b| b.is_ascii_digit()), "{id}");
        assert!(report["checks"].as_array().unwrap().iter().any(|check| check["id"] == rule["name"]), "{rule}");
    }
    for result in sarif["runs"][0]["results"].as_array().unwrap() {
        let rule = &rules[result["ruleIndex"].as_u64().unwrap() as usize];
        assert_eq!(result["ruleId"], rule["id"]);
        assert_eq!(result["properties"]["check_id"], rule["name"]);
    }

    // ASFF: the schema generated from botocore's Security Hub model; one finding per finding.
    json_schema_valid("asff-2018-10-08.schema.json", &file("asff.json"));
    let asff: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(file("asff.json")).unwrap()).unwrap();
    assert_eq!(asff.len(), findings.len());
    assert!(dir.path().join("compliance/bulkhead_cis-aws-5.0.csv").exists());

    // OCSF 1.3.0 Detection Finding: one event per finding.
    json_schema_valid("ocsf-1.3.0-detection_finding.schema.json", &file("ocsf.json"));
    let ocsf: Vec<serde_json::Value> = serde_json::from_slice(&std::fs::read(file("ocsf.json")).unwrap()).unwrap();
    assert_eq!(ocsf.len(), findings.len());
    assert!(ocsf.iter().all(|event| event["class_uid"] == 2004 && event["type_uid"] == 200401));

    // JUnit: the XSD CodeBuild reads; a testsuite per check, a testcase per finding.
    let output = Command::new("xmllint")
        .args(["--noout", "--schema"])
        .arg(repo_root().join("tests/fixtures/schemas/JUnit.xsd"))
        .arg(file("junit.xml"))
        .output()
        .expect("xmllint (Debian's libxml2-utils) must be installed: .ci/run installs it");
    assert!(output.status.success(), "JUnit XSD: {}", String::from_utf8_lossy(&output.stderr));
    let junit = std::fs::read_to_string(file("junit.xml")).unwrap();
    assert_eq!(junit.matches("<testsuite ").count(), report["scan"]["checks"].as_array().unwrap().len());
    assert_eq!(junit.matches("<testcase ").count(), findings.len());
    let fails = findings.iter().filter(|f| f["status"] == "FAIL" && f["muted"] == false).count();
    assert_eq!(junit.matches("<failure ").count(), fails);

    // CSV: RFC 4180, one row per finding.
    let mut reader = csv::Reader::from_path(file("csv")).unwrap();
    let records: Vec<csv::StringRecord> = reader.records().collect::<Result<_, _>>().unwrap();
    assert_eq!(records.len(), findings.len());
    for (record, finding) in records.iter().zip(findings) {
        assert_eq!(record.len(), 16);
        assert_eq!(&record[13], finding["message"].as_str().unwrap(), "quoting round-trips the message");
    }
    assert!(std::fs::read_to_string(file("csv")).unwrap().contains("\r\n"), "RFC 4180 line ends");

    // HTML: self-contained, with a strict CSP.
    let html = std::fs::read_to_string(file("html")).unwrap();
    assert!(html.contains("http-equiv=\"Content-Security-Policy\" content=\"default-src 'none';"));
    for external in ["<link", "src=\"http", "href=\"http", "@import", "url("] {
        assert!(!html.contains(external), "the HTML report refers to something outside itself: {external}");
    }

    // HTML in chromium: axe-core finds nothing serious, and each severity's
    // FAIL bar has a colour of its own and says what it counts in words.
    let result = browser_check(&file("html"), &artifacts().join("report-demo.png"), &[], true);
    assert_eq!(result["requests"], serde_json::json!([]), "{result}");
    assert_accessible(&result, "the demo account's report");
    let bars = result["page"]["severityBars"].as_array().unwrap();
    let labels: Vec<&str> = bars.iter().map(|bar| bar["label"].as_str().unwrap()).collect();
    let fails = findings.iter().filter(|f| f["status"] == "FAIL" && f["muted"] == false).count();
    for (label, severity) in labels.iter().zip(["critical", "high", "medium", "low", "informational"]) {
        assert!(
            label.starts_with(&format!("{severity}: ")) && label.ends_with(&format!(" of {fails} FAIL")),
            "{label}"
        );
    }
    let colours: BTreeSet<&str> = bars.iter().map(|bar| bar["colour"].as_str().unwrap()).collect();
    assert_eq!((labels.len(), colours.len()), (5, 5), "one colour per severity: {bars:#?}");

    printed_and_seen(&file("html"), &report);
}

/// The demo report printed to PDF (the print stylesheet, A4) and seen at
/// 1400 and 390 px: test-artifacts/report-demo.pdf, report-demo-1400.png and
/// report-demo-390.png. The PDF's pages hold every section, each from a new
/// page, with the navigation and filters left out.
fn printed_and_seen(html: &Path, report: &serde_json::Value) {
    let pdf = artifacts().join("report-demo.pdf");
    let shots = artifacts().join("report-demo");
    let result =
        crate::report_views::views(html, &["--pdf", pdf.to_str().unwrap(), "--shots", shots.to_str().unwrap()]);
    for width in [1400, 390] {
        let shot = &result[format!("shot{width}")];
        assert!(
            shot["scrollWidth"].as_u64() <= shot["clientWidth"].as_u64(),
            "the page scrolls sideways at {width} px: {shot}"
        );
    }
    let poppler = |tool: &str| {
        let output = Command::new(tool)
            .arg(&pdf)
            .args(if tool == "pdftotext" { &["-layout", "-"][..] } else { &[][..] })
            .output()
            .unwrap_or_else(|err| panic!("{tool} (Debian's poppler-utils, localstack/install-test-tools): {err}"));
        assert!(output.status.success(), "{tool}: {}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap()
    };
    let pages: u64 = poppler("pdfinfo")
        .lines()
        .find_map(|line| line.strip_prefix("Pages:"))
        .and_then(|pages| pages.trim().parse().ok())
        .unwrap();
    let text = poppler("pdftotext");
    let figures = format!("demo report printed to PDF: {pages} A4 pages\n");
    eprint!("{figures}");
    std::fs::write(artifacts().join("report-demo-pdf.txt"), &figures).unwrap();
    // Summary, compliance, findings and scan each start a page; the demo's findings fill some more.
    assert!((5..=150).contains(&pages), "{figures}");
    assert_eq!(text.matches('\u{c}').count() as u64, pages, "one form feed per page");
    for heading in ["AWS posture report", "Summary", "Compliance", "Findings by check", "Scan", "Collection errors"] {
        assert!(text.contains(heading), "the PDF lacks {heading:?}");
    }
    for framework in report["frameworks"].as_array().unwrap() {
        let name = framework["name"].as_str().unwrap();
        assert!(text.contains(name), "the PDF lacks the framework {name}");
    }
    assert!(!text.contains("Expand all") && !text.contains("Collapse all"), "the filters are not printed");
    // The findings' rows are printed whether their check is folded or not.
    let findings = report["findings"].as_array().unwrap();
    let printed = |status: &str| {
        findings
            .iter()
            .filter(|f| f["status"] == status)
            .filter_map(|f| f["resource_id"].as_str())
            .filter(|id| (4..28).contains(&id.len()))
            .find(|id| !text.contains(*id))
    };
    for status in ["FAIL", "PASS"] {
        assert_eq!(printed(status), None, "a {status} finding's resource is not in the PDF");
    }
    assert!(!text.contains("Summary · Compliance"), "the navigation is not printed");
}

#[test]
fn the_template_marks_nothing_from_aws_safe() {
    let template = std::fs::read_to_string(repo_root().join("templates/report.html")).unwrap();
    let safe: Vec<&str> = template.lines().filter(|line| line.contains("| safe") || line.contains("|safe")).collect();
    assert_eq!(safe.len(), 2, "only the embedded style and script may be `safe`: {safe:#?}");
    assert!(safe[0].contains("{{ style | safe }}") && safe[1].contains("{{ script | safe }}"));
}

/// node + playwright-core (tests/browser, `npm ci` by .ci/run) driving
/// Debian's chromium, and with `axe` the axe-core audit (also from
/// tests/browser/node_modules). Missing pieces fail the test: CI installs them.
pub(crate) fn browser_check(html: &Path, screenshot: &Path, needles: &[&str], axe: bool) -> serde_json::Value {
    let chromium = std::env::var("CHROMIUM").unwrap_or_else(|_| "/usr/bin/chromium".to_owned());
    assert!(Path::new(&chromium).exists(), "no chromium at {chromium}: `apt-get install chromium` (.ci/run does)");
    let driver = repo_root().join("tests/browser");
    assert!(
        driver.join("node_modules/playwright-core").exists(),
        "playwright-core is not installed: `npm ci --prefix tests/browser` (.ci/run does)"
    );
    let mut command = Command::new("node");
    command.arg(driver.join("check-report.mjs")).arg(html).arg(screenshot).env("CHROMIUM", &chromium);
    for needle in needles {
        command.args(["--needle", needle]);
    }
    if axe {
        assert!(
            driver.join("node_modules/axe-core/axe.min.js").exists(),
            "axe-core is not installed: `npm ci --prefix tests/browser` (.ci/run does)"
        );
        command.arg("--axe");
    }
    let output = command.output().expect("node must be installed");
    assert!(output.status.success(), "browser check failed:\n{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).unwrap()
}

/// Fails on any axe violation of serious or critical impact; prints the rest.
pub(crate) fn assert_accessible(result: &serde_json::Value, report: &str) {
    let audit = &result["axe"];
    let violations = audit["violations"].as_array().unwrap_or_else(|| panic!("no axe result: {result}"));
    assert!(audit["passes"].as_u64().unwrap() > 20, "axe ran hardly any rules: {audit}");
    let (blocking, minor): (Vec<_>, Vec<_>) =
        violations.iter().partition(|violation| matches!(violation["impact"].as_str(), Some("serious" | "critical")));
    for violation in &minor {
        eprintln!("{report}: axe ({}): {} [{}]", violation["impact"], violation["help"], violation["id"]);
    }
    assert!(
        blocking.is_empty(),
        "{report}: axe {} finds serious or critical violations:\n{blocking:#?}",
        audit["version"]
    );
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn hostile_strings_render_inert_in_a_real_browser() {
    let account = Account::seeded("report_hostile_strings");
    let dir = tempfile::tempdir().unwrap();
    scan_into(&account, dir.path(), "json,html");
    let html = dir.path().join("bulkhead.html");
    let text = std::fs::read_to_string(&html).unwrap();
    assert!(!text.contains("<script>window.__pwned"), "markup from AWS reached the HTML unescaped");
    assert!(!text.contains("<img src=x"));
    assert!(text.contains(&"A".repeat(65536)), "the 64 KiB string is shown whole");

    let screenshot = artifacts().join("report-hostile.png");
    let result = browser_check(
        &html,
        &screenshot,
        &["<script>window.__pwned = 1</script>", "\"><img src=x onerror=\"window.__pwned = 4\">"],
        true,
    );
    assert_accessible(&result, "the hostile-strings report");
    assert_eq!(result["consoleErrors"], serde_json::json!([]), "{result}");
    assert_eq!(result["pageErrors"], serde_json::json!([]), "{result}");
    assert_eq!(result["requests"], serde_json::json!([]), "the report made network requests: {result}");
    let page = &result["page"];
    assert_eq!(page["pwned"], false, "{result}");
    assert_eq!(page["images"], 0, "{result}");
    assert_eq!(page["scripts"], 1, "{result}");
    assert_eq!(page["needlesAsText"], serde_json::json!([true, true]), "{result}");
    assert_eq!(page["filtersShown"], true);
    let before = page["visibleRows"].as_u64().unwrap();
    let after = result["afterStatusFilter"].as_u64().unwrap();
    assert!(after > 0 && after < before, "the status filter changes what is shown: {before} -> {after}");
    assert_eq!(result["afterSearchNothing"], 0);
    assert_eq!(result["withoutJs"]["findingsTextVisible"], true, "{result}");
    assert_eq!(result["withoutJs"]["filtersHidden"], true);
    assert!(screenshot.exists());
}

/// 50,000 synthetic findings (no emulator): the HTML must stay usable.
/// The figures go to test-artifacts/report-50000.txt.
#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn html_report_at_50000_findings() {
    use bulkhead::model::{Report, ReportFinding, ScanSummary, SpillWriter, Tool};
    use bulkhead::report::html;
    use bulkhead::severity::{Severity, Status};

    let checks: Vec<String> = (0..25).map(|n| format!("synthetic_check_{n:02}")).collect();
    let regions = ["us-east-1", "eu-west-1", "ap-southeast-2", "sa-east-1"];
    let findings: Vec<ReportFinding> = (0..50_000)
        .map(|n| {
            let status = match n % 10 {
                0..=2 => Status::Fail,
                3 => Status::Error,
                _ => Status::Pass,
            };
            ReportFinding {
                check_id: checks[n % checks.len()].clone(),
                title: format!("Synthetic check {}", n % checks.len()),
                severity: Severity::ALL[n % 5],
                status,
                muted: n % 97 == 0,
                mute_reason: (n % 97 == 0).then(|| "accepted risk: synthetic".to_owned()),
                account_id: format!("1111222233{:02}", n % 3),
                region: regions[n % regions.len()].to_owned(),
                service: ["ec2", "ecr", "cloudtrail", "ecs", "iam"][n % 5].to_owned(),
                resource_type: "AwsEc2SecurityGroup".to_owned(),
                resource_id: format!("sg-{n:017x}"),
                resource_arn: format!("arn:aws:ec2:us-east-1:111122223333:security-group/sg-{n:017x}"),
                message: format!(
                    "Security group sg-{n:017x} (web-{n}) allows SSH from 0.0.0.0/0; attached to eni-{n:x}."
                ),
                compliance: [("cis-aws-5.0".to_owned(), vec!["5.3".to_owned()])].into(),
                resource_name: format!("web-{n}"),
                resource_tags: [("Team".to_owned(), format!("team-{}", n % 40))].into(),
                resource_details: String::new(),
                failing_since: None,
            }
        })
        .collect();
    // Spilled to disk account by account, as a scan writes them.
    let spill_dir = tempfile::tempdir().unwrap();
    let mut spill = SpillWriter::create_in(spill_dir.path()).unwrap();
    let mut by_account = findings;
    by_account.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    for of_account in by_account.chunk_by(|a, b| a.account_id == b.account_id) {
        spill.add_account(&of_account[0].account_id, of_account.iter().cloned()).unwrap();
    }
    drop(by_account);
    let findings = spill.finish().unwrap();
    let mut report = Report {
        tool: Tool::this(),
        scan: ScanSummary {
            started_at: "2026-01-01T00:00:00Z".into(),
            finished_at: "2026-01-01T00:05:00Z".into(),
            principal_arn: "arn:aws:iam::111122223333:role/audit".into(),
            accounts: vec!["111122223300".into(), "111122223301".into(), "111122223302".into()],
            account_names: Default::default(),
            regions: regions.iter().map(|r| (*r).to_owned()).collect(),
            checks,
            errors: Vec::new(),
            unavailable_features: Vec::new(),
            mutelist: None,
            stats: Default::default(),
            shard: None,
            organizational_units: None,
        },
        findings,
        checks: Vec::new(),
        frameworks: Vec::new(),
        history: None,
        vulnerabilities: None,
        tally: Default::default(),
    };
    report.recount().unwrap();
    let started = std::time::Instant::now();
    let text = html::render(&report).unwrap();
    let render_ms = started.elapsed().as_millis();
    let path = artifacts().join("report-50000.html");
    std::fs::write(&path, &text).unwrap();

    let result = browser_check(&path, &artifacts().join("report-50000.png"), &[], false);
    assert_eq!(result["consoleErrors"], serde_json::json!([]), "{result}");
    assert_eq!(result["requests"], serde_json::json!([]), "{result}");
    assert_eq!(result["page"]["rows"], 50_000);
    let timing = &result["timing"];
    let figures = format!(
        "HTML report at 50,000 findings: {:.1} MiB; rendered by bulkhead in {render_ms} ms (debug build); \
         chromium: first contentful paint {} ms, DOMContentLoaded {} ms, load {} ms (wall {} ms); \
         status filter over all rows then leaves {} visible\n",
        text.len() as f64 / 1_048_576.0,
        timing["firstContentfulPaintMs"],
        timing["domContentLoadedMs"],
        timing["loadMs"],
        result["wallLoadMs"],
        result["afterStatusFilter"],
    );
    eprint!("{figures}");
    std::fs::write(artifacts().join("report-50000.txt"), &figures).unwrap();
    assert!(timing["loadMs"].as_u64().unwrap() < 60_000, "{figures}");
}
