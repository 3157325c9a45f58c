//! How bulkhead writes files. Everything it writes holds account data, so
//! every file is created readable by its owner alone (0600); a file is
//! written whole or not at all (a temporary file beside it, created
//! exclusively under a name no one can guess, then renamed over it), and
//! the temporary files a killed run leaves are ours to recognise and remove.

use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::os::unix::fs::OpenOptionsExt as _;
use std::path::{Path, PathBuf};

/// Owner read and write, nothing for anyone else.
pub const PRIVATE: u32 = 0o600;

/// What every temporary file of ours ends with.
const TEMP_SUFFIX: &str = ".bulkhead-tmp";

/// Creates `path` for writing, owner-only, failing if it exists already
/// (so a file or a link someone placed there is never followed).
pub fn create_private(path: &Path) -> io::Result<File> {
    OpenOptions::new().write(true).create_new(true).mode(PRIVATE).open(path)
}

/// Writes `path` through `render`, buffered, whole or not at all: a
/// renderer that fails, or a process that dies, leaves the previous file in
/// place (and, for a death, a temporary file [`remove_stale`] recognises).
pub fn write_atomically_with(path: &Path, render: &dyn Fn(&mut dyn Write) -> anyhow::Result<()>) -> anyhow::Result<()> {
    use anyhow::Context as _;
    write_beside(path, render).with_context(|| path.display().to_string())
}

fn write_beside(path: &Path, render: &dyn Fn(&mut dyn Write) -> anyhow::Result<()>) -> anyhow::Result<()> {
    let dir = parent(path);
    fs::create_dir_all(dir)?;
    let file_name = path.file_name().map(|name| name.to_string_lossy()).unwrap_or_default();
    // tempfile opens with O_EXCL and mode 0600, under a random name.
    let temp = tempfile::Builder::new().prefix(&format!(".{file_name}.")).suffix(TEMP_SUFFIX).tempfile_in(dir)?;
    let mut out = io::BufWriter::with_capacity(64 * 1024, temp);
    render(&mut out)?;
    let temp = out.into_inner().map_err(|err| err.into_error())?;
    temp.as_file().sync_all()?;
    temp.persist(path).map_err(|err| err.error)?;
    Ok(())
}

pub fn write_atomically(path: &Path, contents: &[u8]) -> io::Result<()> {
    write_atomically_with(path, &|out| Ok(out.write_all(contents)?)).map_err(|err| match err.downcast::<io::Error>() {
        Ok(err) => err,
        Err(err) => io::Error::other(format!("{err:#}")),
    })
}

/// Removes the temporary files a killed run left in `dir` for the files
/// whose names begin with one of `names` followed by `.` or `_` (a report
/// set `bulkhead`: `bulkhead.json`, `bulkhead_cis-aws-5.0.csv`), also
/// those of earlier bulkhead versions (`.NAME.PID.tmp`, `NAME.partial`);
/// returns how many. Call it only while holding the folder's
/// [`OutputLock`], or for a file no other run writes.
pub fn remove_stale(dir: &Path, names: &[&str]) -> io::Result<usize> {
    let entries = match fs::read_dir(dir) {
        Ok(entries) => entries,
        Err(err) if err.kind() == io::ErrorKind::NotFound => return Ok(0),
        Err(err) => return Err(err),
    };
    let mut removed = 0;
    for entry in entries {
        let entry = entry?;
        let file_name = entry.file_name();
        let Some(file_name) = file_name.to_str() else { continue };
        if names.iter().any(|name| is_temp_of(file_name, name)) && entry.file_type()?.is_file() {
            fs::remove_file(entry.path())?;
            removed += 1;
        }
    }
    Ok(removed)
}

fn is_temp_of(file_name: &str, name: &str) -> bool {
    let partial =
        file_name.strip_suffix(".partial").is_some_and(|stem| Path::new(name).with_extension("") == Path::new(stem));
    let Some(rest) = file_name.strip_prefix('.').and_then(|rest| rest.strip_prefix(name)) else {
        return partial;
    };
    if !rest.starts_with(['.', '_']) {
        return false;
    }
    let older = rest
        .strip_suffix(".tmp")
        .and_then(|rest| rest.rsplit_once('.'))
        .is_some_and(|(_, pid)| !pid.is_empty() && pid.bytes().all(|byte| byte.is_ascii_digit()));
    rest.ends_with(TEMP_SUFFIX) || older
}

fn parent(path: &Path) -> &Path {
    path.parent().filter(|dir| !dir.as_os_str().is_empty()).unwrap_or(Path::new("."))
}

/// An advisory lock on a set of output files (`DIR/NAME.*`), held for as
/// long as the value lives: two runs writing one set at once would mix
/// their files, so the second is refused. The lock file goes when the
/// lock does (a run that is killed leaves it, and the next run takes it).
#[derive(Debug)]
pub struct OutputLock {
    _file: File,
    pub path: PathBuf,
}

/// Why the output set cannot be written.
#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error("--output-dir {0} is a file, not a folder")]
    NotAFolder(PathBuf),
    #[error(
        "another bulkhead is writing {name}.* in {dir} (it holds {lock}): wait for it to end, or give another --output-dir or --output-name"
    )]
    Held { dir: PathBuf, name: String, lock: PathBuf },
    #[error("cannot use {path} as the lock of the reports: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: io::Error,
    },
}

impl OutputLock {
    /// Takes the lock of `DIR/NAME.*`, creating the folder, then removes
    /// the temporary files a killed run left there.
    pub fn acquire(dir: &Path, name: &str) -> Result<OutputLock, LockError> {
        if dir.exists() && !dir.is_dir() {
            return Err(LockError::NotAFolder(dir.to_owned()));
        }
        let path = dir.join(format!(".{name}.lock"));
        let io = |source: io::Error| LockError::Io { path: path.clone(), source };
        fs::create_dir_all(dir).map_err(io)?;
        let file = OpenOptions::new().write(true).create(true).truncate(false).mode(PRIVATE).open(&path).map_err(io)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(fs::TryLockError::WouldBlock) => {
                return Err(LockError::Held { dir: dir.to_owned(), name: name.to_owned(), lock: path });
            }
            Err(fs::TryLockError::Error(err)) => return Err(io(err)),
        }
        for folder in [dir.to_owned(), dir.join("compliance")] {
            remove_stale(&folder, &[name]).map_err(io)?;
        }
        remove_abandoned_sets(dir).map_err(io)?;
        Ok(OutputLock { _file: file, path })
    }
}

/// The sets of other names in `dir` whose run was killed (it left its lock
/// file, and no run holds that lock now): their temporary files and lock
/// file are removed.
fn remove_abandoned_sets(dir: &Path) -> io::Result<()> {
    for entry in fs::read_dir(dir)? {
        let entry = entry?;
        let file_name = entry.file_name();
        let Some(name) = file_name.to_str().and_then(|name| name.strip_prefix('.')?.strip_suffix(".lock")) else {
            continue;
        };
        let Ok(file) = OpenOptions::new().write(true).open(entry.path()) else { continue };
        if file.try_lock().is_ok() {
            for folder in [dir.to_owned(), dir.join("compliance")] {
                remove_stale(&folder, &[name])?;
            }
            // Still held: a run that opens it now is refused, not mixed in.
            fs::remove_file(entry.path())?;
        }
    }
    Ok(())
}

impl Drop for OutputLock {
    fn drop(&mut self) {
        // Removed while still held: a run that opened it meanwhile was
        // refused, and the next one creates it anew.
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use std::os::unix::fs::PermissionsExt as _;

    use super::*;

    fn mode(path: &Path) -> u32 {
        fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn replaces_rather_than_appends_and_is_private() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("nested/report.json");
        write_atomically(&path, b"first, longer content").unwrap();
        write_atomically(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        assert_eq!(mode(&path), PRIVATE);
        let leftovers: Vec<_> = fs::read_dir(path.parent().unwrap()).unwrap().collect();
        assert_eq!(leftovers.len(), 1, "no temp file is left behind");
    }

    #[test]
    fn a_link_in_the_way_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let victim = dir.path().join("victim");
        fs::write(&victim, b"keep").unwrap();
        let path = dir.path().join("report.json");
        std::os::unix::fs::symlink(&victim, &path).unwrap();
        write_atomically(&path, b"report").unwrap();
        assert_eq!(fs::read(&victim).unwrap(), b"keep");
        assert!(!fs::symlink_metadata(&path).unwrap().file_type().is_symlink());
        assert!(create_private(&victim).is_err(), "an existing file is never opened for writing");
    }

    #[test]
    fn stale_temporary_files_of_ours_are_removed_and_nothing_else() {
        let dir = tempfile::tempdir().unwrap();
        let ours = [
            ".bulkhead.json.x7Yq2a.bulkhead-tmp",
            ".bulkhead_cis-aws-5.0.csv.Qz91kA.bulkhead-tmp",
            ".bulkhead.html.4242.tmp",
            "inv.json.partial",
        ];
        let theirs = [
            ".bulkhead.json.notes",
            "bulkhead.json",
            ".other.json.1.tmp",
            "x.partial",
            ".bulkhead.json.12a.tmp",
            ".bulkheadx.json.Qz91kA.bulkhead-tmp",
        ];
        for name in ours.iter().chain(&theirs) {
            fs::write(dir.path().join(name), b"").unwrap();
        }
        let removed = remove_stale(dir.path(), &["bulkhead", "inv.json.gz"]).unwrap();
        assert_eq!(removed, ours.len());
        let mut left: Vec<String> =
            fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        left.sort();
        let mut expected: Vec<&str> = theirs.to_vec();
        expected.sort();
        assert_eq!(left, expected);
    }

    #[test]
    fn the_leftovers_of_a_killed_run_of_another_set_are_cleared_unless_it_runs() {
        let dir = tempfile::tempdir().unwrap();
        let running = OutputLock::acquire(dir.path(), "running").unwrap();
        for name in [".running.json.AbCdEf.bulkhead-tmp", ".killed.lock", ".killed.html.x1y2z3.bulkhead-tmp"] {
            fs::write(dir.path().join(name), b"").unwrap();
        }
        let _mine = OutputLock::acquire(dir.path(), "mine").unwrap();
        let mut left: Vec<String> =
            fs::read_dir(dir.path()).unwrap().map(|e| e.unwrap().file_name().into_string().unwrap()).collect();
        left.sort();
        assert_eq!(left, [".mine.lock", ".running.json.AbCdEf.bulkhead-tmp", ".running.lock"]);
        drop(running);
    }

    #[test]
    fn a_second_writer_of_one_output_set_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let first = OutputLock::acquire(dir.path(), "bulkhead").unwrap();
        assert_eq!(mode(&first.path), PRIVATE);
        let second = OutputLock::acquire(dir.path(), "bulkhead").unwrap_err();
        assert!(second.to_string().starts_with("another bulkhead is writing bulkhead.* in"), "{second}");
        assert!(OutputLock::acquire(dir.path(), "other").is_ok(), "another name is another set");
        drop(first);
        assert!(!dir.path().join(".bulkhead.lock").exists(), "the lock leaves no file behind");
        assert!(OutputLock::acquire(dir.path(), "bulkhead").is_ok());
        let file = dir.path().join("file");
        fs::write(&file, b"").unwrap();
        let not_a_folder = OutputLock::acquire(&file, "bulkhead").unwrap_err();
        assert_eq!(not_a_folder.to_string(), format!("--output-dir {} is a file, not a folder", file.display()));
    }
}
