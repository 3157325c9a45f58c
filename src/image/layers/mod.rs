//! Reading an image's layers: each layer blob streamed once (hashed,
//! decompressed, its tar entries walked) with nothing held but the entry at
//! hand, and the layers then stacked in order with their OCI whiteouts, so
//! that what a later layer deletes is told apart from what the image still
//! has. Pure: the collector brings the bytes and decides what to look for
//! in a file (an [`Inspector`]); this module imports nothing of the crate.

mod decompress;
/// How later layers delete what earlier ones hold.
pub mod overlay;
/// The tar format, one entry at a time.
pub mod tar;

/// Layers built by hand, for tests here and in `tests/checks`.
pub mod fixtures;
#[cfg(test)]
pub(crate) mod tests;

use std::io::{self, Read};

pub use decompress::{Compression, MAX_ZSTD_WINDOW, sniff};
pub use overlay::LayerChanges;

use tar::{Kind, TarReader};

/// How much of a layer is read: every limit reached makes the layer
/// "not read in full", which the checks turn into ERROR, never PASS.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Budget {
    /// Bytes of a layer's blob (compressed) and of its tar (decompressed).
    pub layer_bytes: u64,
    /// Entries of one layer's tar.
    pub files_per_layer: u64,
    /// Files larger than this are not read (only their path is judged).
    pub file_bytes_scanned: u64,
}

impl Default for Budget {
    fn default() -> Budget {
        Budget { layer_bytes: 2 << 30, files_per_layer: 500_000, file_bytes_scanned: 1 << 20 }
    }
}

/// Why a layer was not read in full.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum LayerError {
    #[error("its bytes have digest {actual}, not {expected}")]
    DigestMismatch { expected: String, actual: String },
    #[error("{0}, over its budget")]
    OverBudget(String),
    #[error("{0}")]
    Damaged(String),
}

/// What a file's reader gets to see; the walker skips whatever it leaves.
pub trait Inspector {
    /// A regular file at `path` (normalised: no leading `./` or `/`) of
    /// `size` bytes; `content` is `None` when the file is over the
    /// budget's `file_bytes_scanned`, so only its path can be judged.
    fn file(&mut self, path: &str, size: u64, content: Option<&mut dyn Read>) -> io::Result<()>;
    /// A symbolic link at `path` to `target`.
    fn symlink(&mut self, _path: &str, _target: &str) {}
}

/// What reading one layer found beyond what its inspector kept.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayerRead {
    /// `sha256:<hex>` of the blob, verified against the expected one.
    pub digest: String,
    pub compressed_bytes: u64,
    pub tar_bytes: u64,
    pub entries: u64,
    pub compression: Option<Compression>,
    pub changes: LayerChanges,
}

/// Reads one layer blob from `blob`: verifies it has `expected_digest`,
/// walks its entries through `inspector`, and gathers its whiteouts. On any
/// error what the inspector was told must be discarded with the layer.
pub fn read_layer(
    blob: impl Read,
    expected_digest: &str,
    budget: &Budget,
    inspector: &mut dyn Inspector,
) -> Result<LayerRead, LayerError> {
    let mut raw = decompress::raw(blob, budget.layer_bytes);
    let mut read = LayerRead::default();
    let walked = (|| {
        let compression = sniff(io::BufRead::fill_buf(&mut raw)?);
        read.compression = Some(compression);
        let mut tar_stream = decompress::Limited::new(decompress::decompressed(&mut raw)?, budget.layer_bytes);
        walk(&mut tar_stream, budget, inspector, &mut read)?;
        // What follows the end marker (padding, a gzip trailer) is part of the digest.
        io::copy(&mut tar_stream, &mut io::sink())?;
        read.tar_bytes = tar_stream.bytes_read();
        drop(tar_stream);
        io::copy(&mut raw, &mut io::sink())?;
        Ok::<_, io::Error>(())
    })();
    let hashing = raw.into_inner();
    let over_limit = hashing.exceeded();
    let (compressed, actual) = hashing.finish();
    read.compressed_bytes = compressed;
    if let Err(err) = walked {
        return Err(match decompress::budget_message(&err) {
            Some(message) => LayerError::OverBudget(message),
            None if over_limit => {
                LayerError::OverBudget(format!("the blob is more than the {} bytes budgeted", budget.layer_bytes))
            }
            None => LayerError::Damaged(err.to_string()),
        });
    }
    if actual != expected_digest {
        return Err(LayerError::DigestMismatch { expected: expected_digest.to_owned(), actual });
    }
    read.digest = actual;
    Ok(read)
}

fn walk(tar_stream: impl Read, budget: &Budget, inspector: &mut dyn Inspector, read: &mut LayerRead) -> io::Result<()> {
    let mut archive = TarReader::new(tar_stream);
    while let Some(header) = archive.next_entry()? {
        read.entries += 1;
        if read.entries > budget.files_per_layer {
            return Err(decompress::over_budget(format!("more than {} entries", budget.files_per_layer)));
        }
        let path = normalise(&header.path);
        if path.is_empty() {
            continue;
        }
        let (parent, name) = path.rsplit_once('/').unwrap_or(("", path.as_str()));
        if name == overlay::OPAQUE {
            read.changes.opaque_dirs.insert(parent.to_owned());
            continue;
        }
        if let Some(deleted) = name.strip_prefix(overlay::WHITEOUT) {
            let deleted = if parent.is_empty() { deleted.to_owned() } else { format!("{parent}/{deleted}") };
            read.changes.whiteouts.insert(deleted);
            continue;
        }
        match header.kind {
            Kind::File if header.size > budget.file_bytes_scanned => inspector.file(&path, header.size, None)?,
            Kind::File => inspector.file(&path, header.size, Some(&mut archive.data()))?,
            Kind::Symlink => inspector.symlink(&path, header.link.as_deref().unwrap_or_default()),
            Kind::HardLink | Kind::Directory | Kind::Other => {}
        }
    }
    Ok(())
}

/// A path as archives spell it, without `./`, a leading or trailing `/`.
pub fn normalise(path: &str) -> String {
    let parts: Vec<&str> = path.split('/').filter(|part| !part.is_empty() && *part != ".").collect();
    parts.join("/")
}
