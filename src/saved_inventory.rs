//! `scan --save-inventory` and `evaluate --inventory`: the collected
//! inventory in a file (gzip-compressed JSON), so a new version's checks, a
//! changed config or a new mutelist can be run on last night's collection
//! without one AWS call.
//!
//! The file carries its own schema version. The inventory's shape follows
//! the collectors' types, so any change to them that an older file cannot
//! be read into bumps [`SCHEMA_VERSION`]; the demo inventories in
//! `tests/fixtures/inventories/` are read by a test to catch changes that
//! forget to.
//!
//! It holds no secret: the collectors keep, of a value the secret detector
//! flags, the variable's name, the rule and a keyed fingerprint, never the
//! value (`inventory::ecs::EnvironmentVariable`). It holds everything else
//! the scan read of the accounts, so it is written owner-only.

use std::io::{BufReader, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};
use serde_json::error::Category;

use crate::files;
use crate::inventory::{Inventory, ResourceKind};

/// 2: environment variables and image history steps keep the secret
/// detector's verdict instead of their values.
pub const SCHEMA_VERSION: u32 = 2;
const FORMAT: &str = "bulkhead-inventory";

/// Everything evaluation needs besides the inventory itself.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SavedInventory {
    pub format: String,
    pub schema_version: u32,
    pub tool_version: String,
    /// The scan's start: checks that judge recency measure from it.
    pub started_at: jiff::Timestamp,
    pub principal_arn: String,
    pub regions: Vec<String>,
    /// The checks the scan ran.
    pub checks: Vec<String>,
    /// What was collected: a check needing more cannot be evaluated on it.
    pub collected: Vec<ResourceKind>,
    pub inventory: Inventory,
}

#[derive(Debug, thiserror::Error)]
pub enum SavedInventoryError {
    #[error("cannot read saved inventory {path}: {source}")]
    Read {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error("cannot write saved inventory {path}: {source}")]
    Write {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    #[error(
        "saved inventory {path} holds more than {} MiB of JSON, the most bulkhead reads of one",
        limit >> 20
    )]
    TooLarge { path: PathBuf, limit: u64 },
    #[error("{path} is not a bulkhead saved inventory: {reason}")]
    NotAnInventory { path: PathBuf, reason: String },
    #[error(
        "{path} is a saved inventory of schema version {found} (written by bulkhead {tool}); this bulkhead reads version {SCHEMA_VERSION}: scan again with this version"
    )]
    OtherVersion { path: PathBuf, found: u64, tool: String },
}

impl SavedInventory {
    pub fn new(
        started_at: jiff::Timestamp,
        principal_arn: String,
        regions: Vec<String>,
        checks: Vec<String>,
        collected: Vec<ResourceKind>,
        inventory: Inventory,
    ) -> SavedInventory {
        SavedInventory {
            format: FORMAT.to_owned(),
            schema_version: SCHEMA_VERSION,
            tool_version: env!("CARGO_PKG_VERSION").to_owned(),
            started_at,
            principal_arn,
            regions,
            checks,
            collected,
            inventory,
        }
    }

    /// Writes beside the target, owner-only, and renames, so a reader never
    /// sees half a file; the temporary files an earlier run that was killed
    /// left for this target are removed first.
    pub fn write(&self, path: &Path) -> Result<(), SavedInventoryError> {
        let failed = |source| SavedInventoryError::Write { path: path.to_owned(), source };
        if let (Some(dir), Some(name)) = (path.parent(), path.file_name().and_then(|name| name.to_str())) {
            let dir = if dir.as_os_str().is_empty() { Path::new(".") } else { dir };
            files::remove_stale(dir, &[name]).map_err(failed)?;
        }
        files::write_atomically_with(path, &|out| {
            let mut encoder = GzEncoder::new(out, Compression::default());
            serde_json::to_writer(&mut encoder, self)?;
            encoder.finish()?.flush()?;
            Ok(())
        })
        .map_err(|err| failed(std::io::Error::other(format!("{err:#}"))))
    }

    /// Reads a saved inventory, gzip-compressed or plain JSON, of at most
    /// [`MAX_JSON_BYTES`] of JSON.
    pub fn read(path: &Path) -> Result<SavedInventory, SavedInventoryError> {
        SavedInventory::read_within(path, MAX_JSON_BYTES)
    }

    /// Reads as a stream, the JSON parsed as it is decompressed, so that
    /// nothing but the inventory itself is held, and no more than `limit`
    /// bytes of JSON are ever decompressed.
    fn read_within(path: &Path, limit: u64) -> Result<SavedInventory, SavedInventoryError> {
        let read_failed = |source| SavedInventoryError::Read { path: path.to_owned(), source };
        let too_large = || SavedInventoryError::TooLarge { path: path.to_owned(), limit };
        let file = std::fs::File::open(path).map_err(read_failed)?;
        let regular = file.metadata().is_ok_and(|metadata| metadata.is_file());
        // The first bytes, read without seeking: the file may be a pipe.
        let mut magic = Vec::with_capacity(2);
        let mut file = BufReader::new(file);
        (&mut file).take(2).read_to_end(&mut magic).map_err(read_failed)?;
        let gzip = magic == [0x1f, 0x8b];
        if gzip && regular && gzip_size(path).map_err(read_failed)?.is_some_and(|size| size > limit) {
            return Err(too_large());
        }
        let file = std::io::Cursor::new(magic).chain(file);
        let source: Box<dyn Read> = if gzip { Box::new(GzDecoder::new(file)) } else { Box::new(file) };
        let mut json = Bounded { inner: source, left: limit, exceeded: false, prefix: Vec::new() };
        let parsed = serde_json::from_reader::<_, SavedInventory>(BufReader::new(&mut json));
        if json.exceeded {
            return Err(too_large());
        }
        let not_one = |reason: String| SavedInventoryError::NotAnInventory { path: path.to_owned(), reason };
        let saved = match parsed {
            Ok(saved) => saved,
            Err(err) => match err.classify() {
                Category::Io if gzip => return Err(not_one(format!("broken gzip data: {err}"))),
                Category::Io => return Err(read_failed(err.into())),
                Category::Syntax | Category::Eof => return Err(not_one(format!("not JSON: {err}"))),
                // Its own fields say best what the file is, when they are there.
                Category::Data => {
                    let (format, found, tool) = probe(&json.prefix);
                    check(path, format.as_deref(), found, tool)?;
                    return Err(not_one(err.to_string()));
                }
            },
        };
        check(path, Some(&saved.format), u64::from(saved.schema_version), Some(saved.tool_version.clone()))?;
        Ok(saved)
    }
}

/// The most JSON a saved inventory may hold, decompressed: an inventory is
/// held whole while it is evaluated, and its JSON takes about 0.25 MiB
/// for an account like the demo's (3 regions in use); 512 MiB is 2,000
/// such accounts, where `--save-inventory` of a fleet needs several GiB
/// to write it.
pub const MAX_JSON_BYTES: u64 = 512 * 1024 * 1024;

/// How much of the JSON is kept to say what a file is when it cannot be read.
const PREFIX_BYTES: usize = 64 * 1024;

/// Refuses a file that is not a saved inventory of this version.
fn check(path: &Path, format: Option<&str>, found: u64, tool: Option<String>) -> Result<(), SavedInventoryError> {
    if format != Some(FORMAT) {
        return Err(SavedInventoryError::NotAnInventory {
            path: path.to_owned(),
            reason: format!("it has no `\"format\": \"{FORMAT}\"`"),
        });
    }
    if found != u64::from(SCHEMA_VERSION) {
        let tool = tool.unwrap_or_else(|| "unknown".to_owned());
        return Err(SavedInventoryError::OtherVersion { path: path.to_owned(), found, tool });
    }
    Ok(())
}

/// `format`, `schema_version` and `tool_version` as far as the start of
/// the JSON has them (bulkhead writes them first).
fn probe(prefix: &[u8]) -> (Option<String>, u64, Option<String>) {
    #[derive(Default)]
    struct Found(Option<String>, u64, Option<String>);
    struct Seed<'a>(&'a mut Found);
    impl<'de> serde::de::DeserializeSeed<'de> for Seed<'_> {
        type Value = ();
        fn deserialize<D: serde::Deserializer<'de>>(self, deserializer: D) -> Result<(), D::Error> {
            deserializer.deserialize_map(self)
        }
    }
    impl<'de> serde::de::Visitor<'de> for Seed<'_> {
        type Value = ();
        fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
            while let Some(key) = map.next_key::<String>()? {
                let value: serde_json::Value = match key.as_str() {
                    "format" | "schema_version" | "tool_version" => map.next_value()?,
                    _ => map.next_value::<serde::de::IgnoredAny>().map(|_| serde_json::Value::Null)?,
                };
                match key.as_str() {
                    "format" => self.0.0 = value.as_str().map(str::to_owned),
                    "schema_version" => self.0.1 = value.as_u64().unwrap_or(0),
                    "tool_version" => self.0.2 = value.as_str().map(str::to_owned),
                    _ => {}
                }
            }
            Ok(())
        }
    }
    let mut found = Found::default();
    // The prefix may end anywhere: what was found before it ends is kept.
    let _ =
        serde::de::DeserializeSeed::deserialize(Seed(&mut found), &mut serde_json::Deserializer::from_slice(prefix));
    (found.0, found.1, found.2)
}

/// The size a gzip file says its data has, from its trailer: a cheap
/// first look that refuses an honest large file at once. The trailer holds
/// the size modulo 4 GiB, and may lie, so the read is bounded all the same;
/// a size deflate cannot reach from the file's length (about 1:1032) is
/// no size at all (data after the gzip stream, say).
fn gzip_size(path: &Path) -> std::io::Result<Option<u64>> {
    let mut file = std::fs::File::open(path)?;
    let length = file.seek(SeekFrom::End(0))?;
    if length < 18 {
        return Ok(None);
    }
    let mut size = [0; 4];
    file.seek(SeekFrom::End(-4))?;
    file.read_exact(&mut size)?;
    Ok(Some(u64::from(u32::from_le_bytes(size))).filter(|size| *size <= length.saturating_mul(1032)))
}

/// Reads at most `left` bytes from `inner`, then fails, keeping the first
/// [`PREFIX_BYTES`] read.
struct Bounded<R> {
    inner: R,
    left: u64,
    exceeded: bool,
    prefix: Vec<u8>,
}

impl<R: Read> Read for Bounded<R> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if self.left == 0 {
            // One byte more tells a file of exactly the limit from a larger one.
            self.exceeded = self.exceeded || self.inner.read(&mut [0])? > 0;
            return if self.exceeded { Err(std::io::Error::other("larger than the limit")) } else { Ok(0) };
        }
        let wanted = buf.len().min(usize::try_from(self.left).unwrap_or(usize::MAX));
        let read = self.inner.read(&mut buf[..wanted])?;
        self.left -= read as u64;
        let keep = read.min(PREFIX_BYTES.saturating_sub(self.prefix.len()));
        self.prefix.extend_from_slice(&buf[..keep]);
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn saved() -> SavedInventory {
        let mut inventory = Inventory::default();
        let account = crate::inventory::fixtures::account();
        inventory.accounts.insert(account.account_id.clone(), account);
        SavedInventory::new(
            "2026-11-30T00:00:00Z".parse().unwrap(),
            "arn:aws:iam::111122223333:role/audit".to_owned(),
            vec!["eu-west-1".to_owned()],
            vec!["ecr_images_signed".to_owned()],
            vec![ResourceKind::EcrRepositories],
            inventory,
        )
    }

    #[test]
    fn a_saved_inventory_reads_back_whole() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("inventory.json.gz");
        saved().write(&path).unwrap();
        let read = SavedInventory::read(&path).unwrap();
        assert_eq!(serde_json::to_value(&read).unwrap(), serde_json::to_value(saved()).unwrap());
    }

    #[test]
    fn a_saved_inventory_keeps_no_secret_value_and_is_owner_only() {
        use std::os::unix::fs::PermissionsExt as _;
        let token = "ghp_abcdefghijklmnopqrstuvwxyz0123456789";
        let mut with_secrets = saved();
        let mut container = crate::inventory::fixtures::container("web");
        container.environment.push(crate::inventory::ecs::EnvironmentVariable::new("GITHUB_TOKEN", token));
        let definition = crate::inventory::fixtures::task_definition("app", 1, vec![container]);
        let account = crate::inventory::fixtures::account_with_task_definitions(vec![definition]);
        with_secrets.inventory.accounts.insert(account.account_id.clone(), account);
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("inventory.json.gz");
        with_secrets.write(&path).unwrap();
        assert_eq!(std::fs::metadata(&path).unwrap().permissions().mode() & 0o777, 0o600);
        let mut text = String::new();
        GzDecoder::new(std::fs::File::open(&path).unwrap()).read_to_string(&mut text).unwrap();
        assert!(!text.contains("abcdefghijklmnopqrstuvwxyz"), "{text}");
        assert!(text.contains(r#"{"name":"GITHUB_TOKEN","secret":{"rule":"github_token","fingerprint":"hmac-sha256:"#));
    }

    #[test]
    fn other_versions_and_other_files_are_refused_by_name() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("inventory.json");
        let mut value = serde_json::to_value(saved()).unwrap();
        value["schema_version"] = 99.into();
        std::fs::write(&path, value.to_string()).unwrap();
        let err = SavedInventory::read(&path).unwrap_err().to_string();
        assert!(err.contains("schema version 99") && err.contains(&format!("reads version {SCHEMA_VERSION}")), "{err}");

        std::fs::write(&path, b"{\"schema_version\": 1}").unwrap();
        let err = SavedInventory::read(&path).unwrap_err().to_string();
        assert!(err.contains("not a bulkhead saved inventory"), "{err}");

        std::fs::write(&path, [0x1f, 0x8b, 0, 1, 2]).unwrap();
        let err = SavedInventory::read(&path).unwrap_err().to_string();
        assert!(err.contains("broken gzip data"), "{err}");
    }

    /// A gzip file of `head` then `spaces` MiB of spaces, made without
    /// compressing them all: deflate blocks that end on a full flush stand
    /// alone, so one block of 1 MiB of spaces is repeated. `trailer_size`
    /// is what its trailer says (its CRC is wrong: no reader gets there).
    fn bomb(head: &str, spaces: usize, trailer_size: u32) -> Vec<u8> {
        let mut block = Vec::with_capacity(4096);
        let mut deflate = flate2::Compress::new(Compression::best(), false);
        deflate.compress_vec(&vec![b' '; 1 << 20], &mut block, flate2::FlushCompress::Full).unwrap();
        let mut first = Vec::with_capacity(head.len() + 64);
        let mut deflate = flate2::Compress::new(Compression::best(), false);
        deflate.compress_vec(head.as_bytes(), &mut first, flate2::FlushCompress::Full).unwrap();
        let mut last = Vec::with_capacity(64);
        deflate.compress_vec(b"", &mut last, flate2::FlushCompress::Finish).unwrap();
        let mut file = vec![0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 0xff];
        file.extend(first);
        for _ in 0..spaces {
            file.extend_from_slice(&block);
        }
        file.extend(last);
        file.extend([0; 4]);
        file.extend(trailer_size.to_le_bytes());
        file
    }

    const HEAD: &str = r#"{"format": "bulkhead-inventory", "schema_version": 1, "padding": ""#;

    #[test]
    fn a_gzip_bomb_is_refused_before_it_is_expanded() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bomb.json.gz");
        // 1 GiB of JSON from a file of about 1 MiB, as its trailer says.
        std::fs::write(&path, bomb(HEAD, 1024, (1 << 30) + HEAD.len() as u32)).unwrap();
        let err = SavedInventory::read(&path).unwrap_err().to_string();
        assert!(err.contains(&path.display().to_string()), "the file is named: {err}");
        assert!(err.contains("more than 512 MiB of JSON"), "the limit is named: {err}");
    }

    #[test]
    fn the_read_stops_at_the_limit_whatever_the_file_says() {
        let dir = tempfile::tempdir().unwrap();
        let limit = 1 << 20;
        // A trailer that lies (it says 0 bytes): the read stops at the limit all the same.
        let lying = dir.path().join("lying.json.gz");
        std::fs::write(&lying, bomb(HEAD, 64, 0)).unwrap();
        let err = SavedInventory::read_within(&lying, limit).unwrap_err();
        assert!(matches!(err, SavedInventoryError::TooLarge { .. }), "{err}");
        assert!(err.to_string().contains("more than 1 MiB of JSON"), "{err}");
        // Plain JSON is bounded the same way.
        let plain = dir.path().join("plain.json");
        std::fs::write(&plain, format!("{HEAD}{}\"}}", " ".repeat(limit as usize))).unwrap();
        let err = SavedInventory::read_within(&plain, limit).unwrap_err();
        assert!(matches!(err, SavedInventoryError::TooLarge { .. }), "{err}");
    }

    #[test]
    fn an_inventory_of_exactly_the_limit_is_read() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("inventory.json");
        let json = serde_json::to_vec(&saved()).unwrap();
        std::fs::write(&path, &json).unwrap();
        let read = SavedInventory::read_within(&path, json.len() as u64).unwrap();
        assert_eq!(serde_json::to_value(&read).unwrap(), serde_json::to_value(saved()).unwrap());
        let err = SavedInventory::read_within(&path, json.len() as u64 - 1).unwrap_err();
        assert!(matches!(err, SavedInventoryError::TooLarge { .. }), "{err}");
    }

    #[test]
    fn a_saved_inventory_is_read_from_a_pipe() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("inventory.json.gz");
        saved().write(&path).unwrap();
        let mut child =
            std::process::Command::new("cat").arg(&path).stdout(std::process::Stdio::piped()).spawn().unwrap();
        let pipe = format!("/dev/fd/{}", std::os::fd::AsRawFd::as_raw_fd(child.stdout.as_ref().unwrap()));
        let read = SavedInventory::read(Path::new(&pipe));
        child.wait().unwrap();
        assert_eq!(serde_json::to_value(read.unwrap()).unwrap(), serde_json::to_value(saved()).unwrap());
    }
}
