//! A v1 report read back into the model as a stream: the header (every
//! top-level field but `findings`) is held, and the findings are handed one
//! at a time to a consumer as they are parsed, never collected, so that a
//! reader's memory does not grow with them.

use std::fmt;
use std::fs::File;
use std::io::BufReader;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use serde::de::{self, DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};

use super::{Check, Finding, Framework, JsonReport, SCHEMA_VERSION, Scan, Tool, VulnerableImage};
use crate::model::{Findings, ReportFinding, ReportHeader, Tally};

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
}

impl<'a> Reader<'a> {
    fn new(path: &'a Path, exactness: Exactness, sink: Option<Sink<'a>>) -> Reader<'a> {
        Reader { path, exactness, sink, header: Map::new(), saw_findings: false, stopped: None }
    }

    fn run(mut self) -> Result<ReportHeader, ReadError> {
        let path = self.path;
        let file = File::open(path).map_err(|source| ReadError::Read { path: path.to_owned(), source })?;
        let mut json = serde_json::Deserializer::from_reader(BufReader::with_capacity(64 * 1024, file));
        let parsed = (&mut self).deserialize(&mut json).and_then(|()| json.end());
        if let Some(stopped) = self.stopped.take() {
            return Err(stopped);
        }
        match parsed {
            Ok(()) => self.header(),
            Err(err) if err.is_io() => Err(ReadError::Read { path: path.to_owned(), source: err.into() }),
            Err(err) => Err(self.not_a_report(err.to_string())),
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
        while let Some(key) = map.next_key::<String>()? {
            if key == "findings" {
                if self.saw_findings {
                    return Err(self.stop(self.not_a_report("it has `findings` twice")));
                }
                self.saw_findings = true;
                if self.sink.is_some() {
                    map.next_value_seed(FindingsSeed(&mut *self))?;
                } else {
                    map.next_value::<IgnoredAny>()?;
                }
                continue;
            }
            let value: Value = map.next_value()?;
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
        Ok(())
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
