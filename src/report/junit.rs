//! JUnit XML for AWS CodeBuild report groups, in the Apache Ant JUnit shape
//! of the windyroad JUnit XSD (tests/fixtures/schemas/JUnit.xsd), which
//! CodeBuild reads: a `testsuite` per check, a `testcase` per resource;
//! FAIL = `failure` (message = finding message, body = remediation),
//! ERROR = `error`, muted = `skipped`.
//!
//! Written with quick-xml's event writer rather than a JUnit crate, because
//! that XSD requires elements and attributes (`properties`, `system-out`,
//! `system-err`, `package`, `id`, `hostname`, a timestamp without a zone)
//! that the JUnit writers we looked at leave out or shape differently.

use std::collections::BTreeSet;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesEnd, BytesStart, BytesText, Event};

use crate::model::{Report, ReportFinding};
use crate::severity::Status;

pub fn render(report: &Report) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    write(report, &mut bytes)?;
    Ok(bytes)
}

pub fn write(report: &Report, out: &mut dyn std::io::Write) -> anyhow::Result<()> {
    // One suite per check the scan ran or that has findings.
    let checks: BTreeSet<&str> =
        report.scan.checks.iter().chain(report.tally.by_check.keys()).map(String::as_str).collect();
    // The XSD's timestamp is a dateTime without a zone; ours are UTC.
    let timestamp: String = report.scan.finished_at.trim_end_matches('Z').chars().take(19).collect();

    let mut xml = Writer::new_with_indent(out, b' ', 2);
    xml.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None)))?;
    xml.write_event(Event::Start(BytesStart::new("testsuites")))?;
    for (id, check_id) in checks.into_iter().enumerate() {
        suite(&mut xml, report, check_id, id, &timestamp)?;
    }
    xml.write_event(Event::End(BytesEnd::new("testsuites")))?;
    let mut out = xml.into_inner();
    std::io::Write::write_all(&mut out, b"\n")?;
    std::io::Write::flush(&mut out)?;
    Ok(())
}

/// One check's suite: its counts, its metadata as properties, and a test
/// case per finding.
fn suite(
    xml: &mut Writer<impl std::io::Write>,
    report: &Report,
    check_id: &str,
    id: usize,
    timestamp: &str,
) -> anyhow::Result<()> {
    let counts = report.tally.check(check_id);
    let (tests, failures, errors, skipped) =
        (counts.findings().to_string(), counts.fail.to_string(), counts.error.to_string(), counts.muted().to_string());
    let id = id.to_string();
    let check = report.check(check_id);
    let package = format!("bulkhead.{}", check.map(|check| check.service.as_str()).unwrap_or("aws"));
    let suite = BytesStart::new("testsuite").with_attributes([
        ("name", clean(check_id).as_str()),
        ("package", package.as_str()),
        ("id", id.as_str()),
        ("timestamp", timestamp),
        ("hostname", "bulkhead"),
        ("tests", tests.as_str()),
        ("failures", failures.as_str()),
        ("errors", errors.as_str()),
        ("skipped", skipped.as_str()),
        ("time", "0"),
    ]);
    xml.write_event(Event::Start(suite))?;
    xml.write_event(Event::Start(BytesStart::new("properties")))?;
    if let Some(check) = check {
        for (name, value) in [
            ("title", check.title.as_str()),
            ("severity", check.severity.as_str()),
            ("service", check.service.as_str()),
            ("shared_responsibility", check.shared_responsibility.as_str()),
        ] {
            let value = clean(value);
            xml.write_event(Event::Empty(
                BytesStart::new("property").with_attributes([("name", name), ("value", value.as_str())]),
            ))?;
        }
    }
    xml.write_event(Event::End(BytesEnd::new("properties")))?;
    let remediation = check.map(|check| {
        format!(
            "{}\n\nAWS CLI:\n{}\n\nTerraform:\n{}",
            check.remediation.text, check.remediation.cli, check.remediation.terraform
        )
    });
    report
        .findings
        .each_of_check(check_id, |_, finding| testcase(xml, finding, remediation.as_deref().unwrap_or("")))?;
    xml.write_event(Event::Empty(BytesStart::new("system-out")))?;
    xml.write_event(Event::Empty(BytesStart::new("system-err")))?;
    xml.write_event(Event::End(BytesEnd::new("testsuite")))?;
    Ok(())
}

fn testcase(xml: &mut Writer<impl std::io::Write>, finding: &ReportFinding, remediation: &str) -> anyhow::Result<()> {
    // CodeBuild shows `classname.name`: the region and the resource.
    let name = clean(&format!("{} {}", finding.resource_id, finding.resource_arn));
    let classname = clean(&format!("{}.{}.{}", finding.check_id, finding.account_id, finding.region));
    let case = BytesStart::new("testcase").with_attributes([
        ("name", name.as_str()),
        ("classname", classname.as_str()),
        ("time", "0"),
    ]);
    let message = clean(&finding.message);
    let outcome = match (finding.muted, finding.status) {
        (true, _) => Some(("skipped", String::new())),
        (false, Status::Fail) => Some(("failure", clean(remediation))),
        (false, Status::Error) => Some(("error", message.clone())),
        (false, Status::Pass) => None,
    };
    let Some((element, body)) = outcome else {
        xml.write_event(Event::Empty(case))?;
        return Ok(());
    };
    xml.write_event(Event::Start(case))?;
    if element == "skipped" {
        xml.write_event(Event::Empty(BytesStart::new("skipped").with_attributes([("message", message.as_str())])))?;
    } else {
        let kind = format!("{}.{}", finding.check_id, finding.status.as_str());
        xml.write_event(Event::Start(
            BytesStart::new(element).with_attributes([("message", message.as_str()), ("type", kind.as_str())]),
        ))?;
        xml.write_event(Event::Text(BytesText::new(&body)))?;
        xml.write_event(Event::End(BytesEnd::new(element)))?;
    }
    xml.write_event(Event::End(BytesEnd::new("testcase")))?;
    Ok(())
}

/// XML 1.0 cannot carry most control characters, even escaped: AWS strings
/// that hold them lose them here (tab, newline and carriage return stay).
fn clean(text: &str) -> String {
    text.chars()
        .filter(|&c| matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}'))
        .collect()
}
