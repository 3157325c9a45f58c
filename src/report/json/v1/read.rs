//! A v1 report read back into the model as a stream: the header (every
//! top-level field but `findings`) is held, and the findings are handed one
//! at a time to a consumer as they are parsed, never collected, so that a
//! reader's memory does not grow with them.
//!
//! What is held is bounded too: the header may take at most
//! [`MAX_HEADER_BYTES`] of the file and each finding [`MAX_FINDING_BYTES`],
//! so that one huge value cannot make the reader hold it whole.

use std::cell::Cell;
use std::fmt;
use std::fs::File;
use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::{Check, Finding, Framework, JsonReport, SCHEMA_VERSION, Scan, Tool, VulnerableImage};
use crate::model::{Findings, ReportFinding, ReportHeader, Tally};

/// The most of the file a report's header (every top-level field but
/// `findings`) may take. The header holds the check catalog and the
/// frameworks (about 150 KiB), the accounts, the collection errors and the
/// prioritised vulnerabilities (a few KiB an image): a 1,000-account
/// organisation's is a few MiB.
pub const MAX_HEADER_BYTES: u64 = 64 * 1024 * 1024;

/// The most of the file one finding may take. A finding is a few KiB (the
/// largest of the demo scan's is 1.6 KiB: a message, the resource's tags
/// and details).
pub const MAX_FINDING_BYTES: u64 = 1024 * 1024;

/// How closely a report must match what this bulkhead writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exactness {
    /// Every field comes back and would be written again as it is: for a
    /// reader that writes the report again (`merge`), which must not drop
    /// what another version added or carry a changed value over.
    Exact,
    /// Fields this bulkhead does not know are passed over, as v1 grows by
    /// adding fields: for a reader that compares (`diff`, `--baseline`).
    Known,
}

/// Why a file cannot be read as a v1 report. Each names the file.
#[derive(Debug, thiserror::Error)]
pub enum ReadError {
    #[error("cannot read report {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("{path} is not a bulkhead JSON report: {reason}")]
    NotAReport { path: PathBuf, reason: String },
    #[error("{path} has report schema version {found}; this bulkhead reads version {SCHEMA_VERSION}")]
    UnknownSchema { path: PathBuf, found: u64 },
    #[error(
        "{path} holds what this bulkhead would not write back the same (first at `{at}`): another bulkhead version?"
    )]
    Lossy { path: PathBuf, at: String },
    /// The consumer of the findings refused one, or could not take it.
    #[error("{path}: {message}")]
    Refused { path: PathBuf, message: String },
    #[error("{path}: {part} is larger than {} MiB, the most bulkhead reads of {what}", limit >> 20)]
    TooLarge { path: PathBuf, part: String, what: &'static str, limit: u64 },
}

/// What the findings are handed to, one at a time, in the file's order.
pub type Sink<'a> = &'a mut dyn FnMut(ReportFinding) -> anyhow::Result<()>;

/// Reads the report at `path`: its findings go to `sink` as they are
/// parsed, the rest comes back once the whole file is read. A file that is
/// not a whole v1 report is refused, possibly after some of its findings
/// went to the sink: a consumer keeps nothing of a read that failed.
pub fn read<'a>(path: &'a Path, exactness: Exactness, sink: Sink<'a>) -> Result<ReportHeader, ReadError> {
    Reader::new(path, exactness, Some(sink)).run()
}

/// Reads the report at `path` without its findings, which are passed over
/// (and checked when they are read with [`read`]).
pub fn read_header(path: &Path, exactness: Exactness) -> Result<ReportHeader, ReadError> {
    Reader::new(path, exactness, None).run()
}

struct Reader<'a> {
    path: &'a Path,
    exactness: Exactness,
    sink: Option<Sink<'a>>,
    /// The top-level fields but `findings`, as the file holds them.
    header: Map<String, Value>,
    saw_findings: bool,
    /// Why the parse was stopped, when it was not the parser's own error.
    stopped: Option<ReadError>,
    /// How much of the file the value being read may still take.
    budget: Rc<Budget>,
    /// How much of the file the header took so far.
    header_bytes: u64,
}

impl<'a> Reader<'a> {
    fn new(path: &'a Path, exactness: Exactness, sink: Option<Sink<'a>>) -> Reader<'a> {
        Reader {
            path,
            exactness,
            sink,
            header: Map::new(),
            saw_findings: false,
            stopped: None,
            budget: Rc::default(),
            header_bytes: 0,
        }
    }

    fn run(mut self) -> Result<ReportHeader, ReadError> {
        let path = self.path;
        let file = File::open(path).map_err(|source| ReadError::Read { path: path.to_owned(), source })?;
        let counted = Counted { inner: BufReader::with_capacity(64 * 1024, file), budget: Rc::clone(&self.budget) };
        let mut json = serde_json::Deserializer::from_reader(counted);
        self.budget.allow(Some(Part::Header), MAX_HEADER_BYTES);
        let parsed = (&mut self).deserialize(&mut json).and_then(|()| json.end());
        if let Some(part) = self.budget.exceeded.get() {
            return Err(self.too_large(part));
        }
        if let Some(stopped) = self.stopped.take() {
            return Err(stopped);
        }
        match parsed {
            Ok(()) => self.header(),
            Err(err) if err.is_io() => Err(ReadError::Read { path: path.to_owned(), source: err.into() }),
            Err(err) => Err(self.not_a_report(err.to_string())),
        }
    }

    fn too_large(&self, part: Part) -> ReadError {
        let path = self.path.to_owned();
        match part {
            Part::Header => ReadError::TooLarge {
                path,
                part: "its header (every field but `findings`)".to_owned(),
                what: "a report's header",
                limit: MAX_HEADER_BYTES,
            },
            Part::Finding(index) => ReadError::TooLarge {
                path,
                part: format!("`.findings[{index}]`"),
                what: "one finding",
                limit: MAX_FINDING_BYTES,
            },
        }
    }

    fn not_a_report(&self, reason: impl Into<String>) -> ReadError {
        ReadError::NotAReport { path: self.path.to_owned(), reason: reason.into() }
    }

    /// Stops the parse for `error`, which [`Reader::run`] returns.
    fn stop<E: de::Error>(&mut self, error: ReadError) -> E {
        let message = error.to_string();
        self.stopped = Some(error);
        E::custom(message)
    }

    fn check_version(&self, value: &Value) -> Result<(), ReadError> {
        match value.as_u64() {
            Some(found) if found == u64::from(SCHEMA_VERSION) => Ok(()),
            Some(found) => Err(ReadError::UnknownSchema { path: self.path.to_owned(), found }),
            None => Err(self.not_a_report(format!("its `schema_version` {value} is not a version number"))),
        }
    }

    /// One finding in exact reading: it must be written back as it is.
    fn exact_finding(&self, value: Value, index: usize) -> Result<ReportFinding, ReadError> {
        let finding =
            Finding::deserialize(&value).map_err(|err| self.not_a_report(format!("finding {index}: {err}")))?;
        let again = serde_json::to_value(&finding).expect("a finding always serialises");
        match first_difference(&value, &again, format!(".findings[{index}]")) {
            Some(at) => Err(ReadError::Lossy { path: self.path.to_owned(), at }),
            None => Ok(finding.into()),
        }
    }

    /// The header, from the top-level fields the file held.
    fn header(&self) -> Result<ReportHeader, ReadError> {
        if !self.header.contains_key("schema_version") {
            return Err(self.not_a_report("it has no `schema_version`"));
        }
        if !self.saw_findings {
            return Err(self.not_a_report("it has no `findings`"));
        }
        let header = ReportHeader {
            tool: self.field::<Tool<'static>>("tool")?.ok_or_else(|| self.not_a_report("it has no `tool`"))?.into(),
            scan: self.field::<Scan<'static>>("scan")?.ok_or_else(|| self.not_a_report("it has no `scan`"))?.into(),
            checks: self
                .field::<Vec<Check<'static>>>("checks")?
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            frameworks: self
                .field::<Vec<Framework<'static>>>("frameworks")?
                .unwrap_or_default()
                .into_iter()
                .map(Into::into)
                .collect(),
            vulnerabilities: self
                .field::<Option<Vec<VulnerableImage<'static>>>>("vulnerabilities")?
                .flatten()
                .map(|images| images.into_iter().map(Into::into).collect()),
        };
        if self.exactness == Exactness::Exact {
            let again = header_value(&header);
            if let Some(at) = first_difference(&Value::Object(self.header.clone()), &again, String::new()) {
                return Err(ReadError::Lossy { path: self.path.to_owned(), at });
            }
        }
        Ok(header)
    }

    /// A top-level field, when the file has it.
    fn field<T: DeserializeOwned>(&self, name: &str) -> Result<Option<T>, ReadError> {
        self.header
            .get(name)
            .map(|value| T::deserialize(value).map_err(|err| self.not_a_report(format!("`{name}`: {err}"))))
            .transpose()
    }
}

/// The header as this bulkhead writes it: the report without `findings`.
fn header_value(header: &ReportHeader) -> Value {
    let report = header.clone().into_report(Findings::default(), Tally::default());
    let mut value = serde_json::to_value(JsonReport::from(&report)).expect("a report always serialises");
    if let Some(fields) = value.as_object_mut() {
        fields.remove("findings");
    }
    value
}

impl<'de> DeserializeSeed<'de> for &mut Reader<'_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_map(self)
    }
}

impl<'de> Visitor<'de> for &mut Reader<'_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a bulkhead report (a JSON object)")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        loop {
            // Keys, values and what lies between count towards the header.
            let start = self.budget.read.get();
            self.budget.allow(Some(Part::Header), MAX_HEADER_BYTES.saturating_sub(self.header_bytes));
            let Some(key) = map.next_key::<String>()? else {
                return Ok(());
            };
            self.header_bytes += self.budget.read.get() - start;
            if key == "findings" {
                if self.saw_findings {
                    return Err(self.stop(self.not_a_report("it has `findings` twice")));
                }
                self.saw_findings = true;
                if self.sink.is_some() {
                    map.next_value_seed(FindingsSeed(&mut *self))?;
                } else {
                    // Passed over, nothing of them held.
                    self.budget.allow(None, u64::MAX);
                    map.next_value::<IgnoredAny>()?;
                }
                continue;
            }
            let start = self.budget.read.get();
            let value: Value = map.next_value()?;
            self.header_bytes += self.budget.read.get() - start;
            if key == "schema_version"
                && let Err(err) = self.check_version(&value)
            {
                return Err(self.stop(err));
            }
            if self.header.contains_key(&key) {
                return Err(self.stop(self.not_a_report(format!("it has `{key}` twice"))));
            }
            self.header.insert(key, value);
        }
    }
}

/// The `findings` array, each element handed to the reader's sink.
struct FindingsSeed<'r, 'a>(&'r mut Reader<'a>);

impl<'de> DeserializeSeed<'de> for FindingsSeed<'_, '_> {
    type Value = ();

    fn deserialize<D: de::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
        deserializer.deserialize_seq(self)
    }
}

impl<'de> Visitor<'de> for FindingsSeed<'_, '_> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an array of findings")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let reader = self.0;
        let mut index = 0;
        loop {
            reader.budget.allow(Some(Part::Finding(index)), MAX_FINDING_BYTES);
            let finding = match reader.exactness {
                Exactness::Known => match seq.next_element::<Finding<'static>>()? {
                    Some(finding) => ReportFinding::from(finding),
                    None => return Ok(()),
                },
                Exactness::Exact => match seq.next_element::<Value>()? {
                    Some(value) => match reader.exact_finding(value, index) {
                        Ok(finding) => finding,
                        Err(err) => return Err(reader.stop(err)),
                    },
                    None => return Ok(()),
                },
            };
            let sink = reader.sink.as_mut().expect("findings are parsed only for a sink");
            if let Err(err) = sink(finding) {
                let refused = ReadError::Refused { path: reader.path.to_owned(), message: format!("{err:#}") };
                return Err(reader.stop(refused));
            }
            index += 1;
        }
    }
}

/// The part of a report being read, which its budget bounds.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Header,
    Finding(usize),
}

/// How much of the file the parser has read, and how far the value it is
/// on may go.
#[derive(Debug, Default)]
struct Budget {
    read: Cell<u64>,
    until: Cell<u64>,
    part: Cell<Option<Part>>,
    /// The part that went past its end, which ended the read.
    exceeded: Cell<Option<Part>>,
}

impl Budget {
    /// From here, `part` may take `bytes` more (`None`: a part that is
    /// passed over, nothing of it held).
    fn allow(&self, part: Option<Part>, bytes: u64) {
        self.part.set(part);
        self.until.set(self.read.get().saturating_add(bytes));
    }
}

/// The file as the parser reads it (byte by byte), counted: a read past the
/// current part's budget fails, and the parse ends there.
struct Counted<R> {
    inner: R,
    budget: Rc<Budget>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let budget = &self.budget;
        let left = budget.until.get() - budget.read.get();
        if left == 0 && !buf.is_empty() {
            budget.exceeded.set(budget.part.get());
            return Err(std::io::Error::other("a value is larger than bulkhead reads"));
        }
        let wanted = buf.len().min(usize::try_from(left).unwrap_or(usize::MAX));
        let read = self.inner.read(&mut buf[..wanted])?;
        budget.read.set(budget.read.get() + read as u64);
        Ok(read)
    }
}

/// The JSON path of the first place `a` and `b` differ.
fn first_difference(a: &Value, b: &Value, path: String) -> Option<String> {
    match (a, b) {
        (Value::Object(a), Value::Object(b)) => {
            let keys: std::collections::BTreeSet<&String> = a.keys().chain(b.keys()).collect();
            keys.into_iter().find_map(|key| match (a.get(key), b.get(key)) {
                (Some(x), Some(y)) => first_difference(x, y, format!("{path}.{key}")),
                _ => Some(format!("{path}.{key}")),
            })
        }
        (Value::Array(x), Value::Array(y)) if x.len() == y.len() => {
            x.iter().zip(y).enumerate().find_map(|(i, (x, y))| first_difference(x, y, format!("{path}[{i}]")))
        }
        _ if a == b => None,
        _ => Some(if path.is_empty() { ".".to_owned() } else { path }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const FIXTURE: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/report-schema-v1.json");

    fn report_with(edit: impl FnOnce(&mut Value)) -> (tempfile::TempDir, PathBuf) {
        let mut value: Value = serde_json::from_str(&std::fs::read_to_string(FIXTURE).unwrap()).unwrap();
        edit(&mut value);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("report.json");
        std::fs::write(&path, value.to_string()).unwrap();
        (dir, path)
    }

    fn count(path: &Path, exactness: Exactness) -> Result<usize, ReadError> {
        let mut findings = 0;
        read(path, exactness, &mut |_| {
            findings += 1;
            Ok(())
        })?;
        Ok(findings)
    }

    #[test]
    fn a_finding_larger_than_the_limit_is_refused_by_its_place() {
        let (_dir, path) = report_with(|value| {
            let first = value["findings"][0].clone();
            let mut huge = first.clone();
            huge["message"] = "x".repeat(MAX_FINDING_BYTES as usize).into();
            value["findings"] = vec![first, huge].into();
        });
        for exactness in [Exactness::Known, Exactness::Exact] {
            let err = count(&path, exactness).unwrap_err();
            assert!(matches!(err, ReadError::TooLarge { .. }), "{err}");
            assert_eq!(
                err.to_string(),
                format!(
                    "{}: `.findings[1]` is larger than 1 MiB, the most bulkhead reads of one finding",
                    path.display()
                )
            );
        }
        // Passed over, the findings are not held, whatever their size.
        assert!(read_header(&path, Exactness::Known).is_ok());

        let (_dir, path) = report_with(|value| {
            value["findings"][0]["message"] = "x".repeat(MAX_FINDING_BYTES as usize / 2).into();
        });
        assert_eq!(count(&path, Exactness::Exact).unwrap(), 1, "a large finding within the limit is read");
    }

    #[test]
    fn a_header_larger_than_the_limit_is_refused() {
        // A field this bulkhead does not know, which a comparing reader keeps
        // in the header while it reads on.
        let (_dir, path) = report_with(|value| {
            value["added_later"] = "x".repeat(MAX_HEADER_BYTES as usize).into();
        });
        let expected = format!(
            "{}: its header (every field but `findings`) is larger than 64 MiB, the most bulkhead reads of a report's header",
            path.display()
        );
        assert_eq!(read_header(&path, Exactness::Known).unwrap_err().to_string(), expected);
        assert_eq!(count(&path, Exactness::Known).unwrap_err().to_string(), expected);
    }
}
