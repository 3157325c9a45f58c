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

use std::io::{BufReader, Read};
use std::path::{Path, PathBuf};

use flate2::Compression;
use flate2::read::GzDecoder;
use flate2::write::GzEncoder;
use serde::{Deserialize, Serialize};

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

    /// Reads a saved inventory, gzip-compressed or plain JSON.
    pub fn read(path: &Path) -> Result<SavedInventory, SavedInventoryError> {
        let read_failed = |source| SavedInventoryError::Read { path: path.to_owned(), source };
        let not_one = |reason: String| SavedInventoryError::NotAnInventory { path: path.to_owned(), reason };
        let mut file = BufReader::new(std::fs::File::open(path).map_err(read_failed)?);
        let mut bytes = Vec::new();
        file.read_to_end(&mut bytes).map_err(read_failed)?;
        let text = if bytes.starts_with(&[0x1f, 0x8b]) {
            let mut text = Vec::new();
            GzDecoder::new(bytes.as_slice())
                .read_to_end(&mut text)
                .map_err(|err| not_one(format!("broken gzip data: {err}")))?;
            text
        } else {
            bytes
        };
        let value: serde_json::Value =
            serde_json::from_slice(&text).map_err(|err| not_one(format!("not JSON: {err}")))?;
        if value.get("format").and_then(serde_json::Value::as_str) != Some(FORMAT) {
            return Err(not_one(format!("it has no `\"format\": \"{FORMAT}\"`")));
        }
        let found = value.get("schema_version").and_then(serde_json::Value::as_u64).unwrap_or(0);
        if found != u64::from(SCHEMA_VERSION) {
            let tool = value.get("tool_version").and_then(serde_json::Value::as_str).unwrap_or("unknown").to_owned();
            return Err(SavedInventoryError::OtherVersion { path: path.to_owned(), found, tool });
        }
        serde_json::from_value(value).map_err(|err| not_one(err.to_string()))
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
}
