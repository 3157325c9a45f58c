//! The shard reports merge is given, as local files: a folder stands for
//! every `.json` directly in it, and reports on S3 are downloaded first
//! (an `s3://BUCKET/PREFIX/` for every `.json` object directly under it),
//! so that a merge job needs no shell to gather them.

use std::path::{Path, PathBuf};

use anyhow::{Context as _, Result};

use crate::aws::Session;
use crate::sinks::{Place, s3};
use crate::usage::UsageError;

/// The local paths of the reports, in the order given (a folder's and a
/// prefix's in name order). `downloads`: where reports on S3 go.
pub async fn local_paths(
    reports: &[Place],
    session: Option<&Session>,
    downloads: Option<&Path>,
) -> Result<Vec<PathBuf>> {
    let mut paths = Vec::new();
    for (index, report) in reports.iter().enumerate() {
        match report {
            Place::Local(path) if path.is_dir() => {
                let found =
                    json_files(path).with_context(|| format!("listing the shard reports in {}", path.display()))?;
                if found.is_empty() {
                    return Err(UsageError::new(format!("{} holds no .json report", path.display())).into());
                }
                paths.extend(found);
            }
            Place::Local(path) => paths.push(path.clone()),
            Place::S3(url) => {
                let (Some(session), Some(downloads)) = (session, downloads) else {
                    anyhow::bail!("no session to read {url} with");
                };
                let client = s3::client(session);
                let found = s3::download_reports(&client, url, &downloads.join(index.to_string())).await?;
                if found.is_empty() {
                    return Err(UsageError::new(format!("{url} holds no .json report")).into());
                }
                paths.extend(found);
            }
        }
    }
    Ok(paths)
}

fn json_files(dir: &Path) -> std::io::Result<Vec<PathBuf>> {
    let mut found = Vec::new();
    for entry in std::fs::read_dir(dir)? {
        let entry = entry?;
        let path = entry.path();
        let named = path.file_name().and_then(|name| name.to_str()).is_some_and(s3::is_report_name);
        if entry.file_type()?.is_file() && named {
            found.push(path);
        }
    }
    found.sort();
    Ok(found)
}
