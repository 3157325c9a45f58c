//! Where a report's findings are: in memory, or spilled account by account
//! to an unnamed temporary file as a scan goes, so that a scan's memory does
//! not grow with the number of accounts it covers. Renderers read both the
//! same way, in report order: by account id, then check registry order,
//! then each check's own order.

use std::fmt;
use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::os::unix::fs::FileExt;
use std::path::Path;
use std::sync::Arc;

use serde::ser::{Error as _, SerializeSeq};
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::ReportFinding;

/// The report's findings.
#[derive(Clone)]
pub enum Findings {
    Memory(Vec<ReportFinding>),
    Spilled(Arc<Spill>),
}

impl Default for Findings {
    fn default() -> Findings {
        Findings::Memory(Vec::new())
    }
}

impl From<Vec<ReportFinding>> for Findings {
    fn from(findings: Vec<ReportFinding>) -> Findings {
        Findings::Memory(findings)
    }
}

impl fmt::Debug for Findings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Findings::Memory(findings) => f.debug_tuple("Memory").field(findings).finish(),
            Findings::Spilled(spill) => write!(f, "Spilled({} findings)", spill.len),
        }
    }
}

impl Findings {
    pub fn len(&self) -> usize {
        match self {
            Findings::Memory(findings) => findings.len(),
            Findings::Spilled(spill) => spill.len,
        }
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Calls `visit` with every finding and its index, in report order.
    pub fn each(&self, mut visit: impl FnMut(usize, &ReportFinding) -> anyhow::Result<()>) -> anyhow::Result<()> {
        match self {
            Findings::Memory(findings) => {
                findings.iter().enumerate().try_for_each(|(index, finding)| visit(index, finding))
            }
            Findings::Spilled(spill) => spill.each(|_| true, &mut visit),
        }
    }

    /// Calls `visit` with the findings of one check and their indexes, in
    /// report order.
    pub fn each_of_check(
        &self,
        check_id: &str,
        mut visit: impl FnMut(usize, &ReportFinding) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        match self {
            Findings::Memory(findings) => findings
                .iter()
                .enumerate()
                .filter(|(_, finding)| finding.check_id == check_id)
                .try_for_each(|(index, finding)| visit(index, finding)),
            Findings::Spilled(spill) => spill.each(|segment| segment.check_id == check_id, &mut visit),
        }
    }

    /// All findings in memory: for tests and small reports only.
    pub fn to_vec(&self) -> anyhow::Result<Vec<ReportFinding>> {
        match self {
            Findings::Memory(findings) => Ok(findings.clone()),
            Findings::Spilled(_) => {
                let mut all = Vec::with_capacity(self.len());
                self.each(|_, finding| {
                    all.push(finding.clone());
                    Ok(())
                })?;
                Ok(all)
            }
        }
    }
}

impl PartialEq for Findings {
    fn eq(&self, other: &Findings) -> bool {
        match (self.to_vec(), other.to_vec()) {
            (Ok(ours), Ok(theirs)) => ours == theirs,
            _ => false,
        }
    }
}

/// Serialised as a JSON array, read from the spill file as it is written.
impl Serialize for Findings {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_each(self, serializer, |finding, seq| seq.serialize_element(finding))
    }
}

impl<'de> Deserialize<'de> for Findings {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Findings, D::Error> {
        Vec::<ReportFinding>::deserialize(deserializer).map(Findings::Memory)
    }
}

/// A JSON array of what `map` makes of each finding (those it returns
/// `Some` for), read from the findings as the array is written.
pub struct StreamedSeq<'a, M> {
    findings: &'a Findings,
    map: M,
}

impl<'a, M> StreamedSeq<'a, M> {
    pub fn new(findings: &'a Findings, map: M) -> StreamedSeq<'a, M> {
        StreamedSeq { findings, map }
    }
}

impl<M> fmt::Debug for StreamedSeq<'_, M> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "StreamedSeq({} findings)", self.findings.len())
    }
}

impl<M, T> Serialize for StreamedSeq<'_, M>
where
    M: Fn(&ReportFinding) -> Option<T>,
    T: Serialize,
{
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serialize_each(self.findings, serializer, |finding, seq| match (self.map)(finding) {
            Some(item) => seq.serialize_element(&item),
            None => Ok(()),
        })
    }
}

/// Writes what `map` makes of each finding as a pretty JSON array, then a
/// newline, reading the findings as it writes.
pub fn write_json_array<T: Serialize>(
    findings: &Findings,
    out: &mut dyn Write,
    map: impl Fn(&ReportFinding) -> Option<T>,
) -> anyhow::Result<()> {
    serde_json::to_writer_pretty(&mut *out, &StreamedSeq::new(findings, map))?;
    out.write_all(b"\n")?;
    Ok(())
}

/// Serialises a sequence with `element` called for each finding as it is
/// read; a finding that cannot be read fails the serialisation.
pub fn serialize_each<S: Serializer>(
    findings: &Findings,
    serializer: S,
    mut element: impl FnMut(&ReportFinding, &mut S::SerializeSeq) -> Result<(), S::Error>,
) -> Result<S::Ok, S::Error> {
    let mut seq = serializer.serialize_seq(None)?;
    let mut failed = None;
    let read = findings.each(|_, finding| {
        element(finding, &mut seq).map_err(|err| {
            failed = Some(err);
            anyhow::anyhow!("serialising a finding")
        })
    });
    if let Some(err) = failed {
        return Err(err);
    }
    read.map_err(|err| S::Error::custom(format!("{err:#}")))?;
    seq.end()
}

/// The findings of a finished scan in a temporary file that the operating
/// system deletes when it is closed; an index of segments in memory.
#[derive(Debug)]
pub struct Spill {
    file: File,
    segments: Vec<Segment>,
    len: usize,
}

/// One account's findings of one check: consecutive JSON lines in the file.
#[derive(Debug, Clone)]
struct Segment {
    account_id: String,
    /// Its place among the account's segments, which arrive in report order.
    order: usize,
    check_id: String,
    offset: u64,
    bytes: u64,
    /// The report index of its first finding.
    first: usize,
    count: usize,
}

impl Spill {
    fn each(
        &self,
        wanted: impl Fn(&Segment) -> bool,
        visit: &mut dyn FnMut(usize, &ReportFinding) -> anyhow::Result<()>,
    ) -> anyhow::Result<()> {
        let mut line = String::new();
        for segment in self.segments.iter().filter(|segment| wanted(segment)) {
            let mut reader = BufReader::with_capacity(
                64 * 1024,
                Range { file: &self.file, position: segment.offset, end: segment.offset + segment.bytes },
            );
            for index in segment.first..segment.first + segment.count {
                line.clear();
                reader.read_line(&mut line).map_err(|err| anyhow::anyhow!("reading the spilled findings: {err}"))?;
                let finding: ReportFinding = serde_json::from_str(&line)
                    .map_err(|err| anyhow::anyhow!("the spilled findings are damaged: {err}"))?;
                visit(index, &finding)?;
            }
        }
        Ok(())
    }
}

/// A byte range of the spill file, read by position so that several
/// passes can read the one file without seeking a shared cursor.
struct Range<'a> {
    file: &'a File,
    position: u64,
    end: u64,
}

impl Read for Range<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let left = usize::try_from(self.end - self.position).unwrap_or(usize::MAX);
        let want = buf.len().min(left);
        if want == 0 {
            return Ok(0);
        }
        let read = self.file.read_at(&mut buf[..want], self.position)?;
        self.position += read as u64;
        Ok(read)
    }
}

/// Writes findings to the spill file as accounts finish, in any order.
pub struct SpillWriter {
    out: BufWriter<File>,
    position: u64,
    segments: Vec<Segment>,
    len: usize,
    /// The account being written, and how many segments it has so far.
    account: String,
    order: usize,
}

impl fmt::Debug for SpillWriter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SpillWriter({} findings)", self.len)
    }
}

impl SpillWriter {
    /// An unnamed file in `dir` (the output folder: on disk, unlike a
    /// `/tmp` that may be memory).
    pub fn create_in(dir: &Path) -> io::Result<SpillWriter> {
        std::fs::create_dir_all(dir)?;
        let file = tempfile::tempfile_in(dir)?;
        Ok(SpillWriter {
            out: BufWriter::with_capacity(64 * 1024, file),
            position: 0,
            segments: Vec::new(),
            len: 0,
            account: String::new(),
            order: 0,
        })
    }

    /// Adds one account's findings, in report order within the account.
    /// Taken one at a time, so that a caller can assemble each finding as
    /// it is written rather than hold the account's findings twice.
    pub fn add_account(
        &mut self,
        account_id: &str,
        findings: impl IntoIterator<Item = ReportFinding>,
    ) -> io::Result<()> {
        self.begin_account(account_id);
        findings.into_iter().try_for_each(|finding| self.add(&finding))
    }

    /// Starts an account: the findings [`SpillWriter::add`] takes next are
    /// its own, in report order within the account. An account is begun
    /// once; accounts may come in any order.
    pub fn begin_account(&mut self, account_id: &str) {
        account_id.clone_into(&mut self.account);
        self.order = 0;
    }

    /// Adds a finding of the account begun last.
    pub fn add(&mut self, finding: &ReportFinding) -> io::Result<()> {
        // After this account's first finding, the last segment is its own.
        let continues = self.order > 0 && self.segments.last().is_some_and(|last| last.check_id == finding.check_id);
        if !continues {
            self.segments.push(Segment {
                account_id: self.account.clone(),
                order: self.order,
                check_id: finding.check_id.clone(),
                offset: self.position,
                bytes: 0,
                first: 0,
                count: 0,
            });
            self.order += 1;
        }
        let mut line = serde_json::to_vec(finding).map_err(io::Error::other)?;
        line.push(b'\n');
        self.out.write_all(&line)?;
        self.position += line.len() as u64;
        let segment = self.segments.last_mut().expect("pushed above");
        segment.bytes += line.len() as u64;
        segment.count += 1;
        self.len += 1;
        Ok(())
    }

    /// Puts the segments in report order and hands the file to the report.
    pub fn finish(mut self) -> io::Result<Findings> {
        self.out.flush()?;
        let file = self.out.into_inner().map_err(|err| err.into_error())?;
        self.segments.sort_by(|a, b| a.account_id.cmp(&b.account_id).then(a.order.cmp(&b.order)));
        let mut first = 0;
        for segment in &mut self.segments {
            segment.first = first;
            first += segment.count;
        }
        Ok(Findings::Spilled(Arc::new(Spill { file, segments: self.segments, len: self.len })))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::severity::{Severity, Status};

    fn finding(account: &str, check: &str, resource: &str) -> ReportFinding {
        ReportFinding {
            check_id: check.into(),
            title: "t".into(),
            severity: Severity::High,
            status: Status::Fail,
            muted: false,
            mute_reason: None,
            account_id: account.into(),
            region: "eu-west-1".into(),
            service: "ec2".into(),
            resource_type: "AwsEc2SecurityGroup".into(),
            resource_id: resource.into(),
            resource_arn: format!("arn:aws:ec2:eu-west-1:{account}:security-group/{resource}"),
            message: "line one\nline two \u{1}".into(),
            compliance: Default::default(),
            resource_name: String::new(),
            resource_tags: Default::default(),
            resource_details: String::new(),
            failing_since: None,
        }
    }

    #[test]
    fn spilled_findings_read_back_in_report_order_whatever_order_accounts_finish() {
        let dir = tempfile::tempdir().unwrap();
        let b = [finding("222", "c1", "x"), finding("222", "c2", "y"), finding("222", "c1", "z")];
        let a = [finding("111", "c1", "p"), finding("111", "c2", "q")];
        let mut writer = SpillWriter::create_in(dir.path()).unwrap();
        writer.add_account("222", b.clone()).unwrap();
        writer.add_account("111", a.clone()).unwrap();
        let spilled = writer.finish().unwrap();
        let expected: Vec<ReportFinding> = a.iter().chain(&b).cloned().collect();
        assert_eq!(spilled.len(), 5);
        assert_eq!(spilled.to_vec().unwrap(), expected);
        assert_eq!(spilled, Findings::from(expected.clone()), "spilled and in-memory findings compare equal");

        let mut of_c1 = Vec::new();
        spilled
            .each_of_check("c1", |index, finding| {
                of_c1.push((index, finding.resource_id.clone()));
                Ok(())
            })
            .unwrap();
        assert_eq!(of_c1, [(0, "p".to_owned()), (2, "x".to_owned()), (4, "z".to_owned())]);

        let as_json = serde_json::to_value(&spilled).unwrap();
        assert_eq!(as_json, serde_json::to_value(&expected).unwrap());
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0, "the spill file has no name to leave behind");
    }
}
