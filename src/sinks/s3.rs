//! Reports and the scan store on S3, with the caller's own credentials.
//!
//! Reports are uploaded after they are written locally, each file to the
//! same relative key under the prefix. The store is downloaded before the
//! scan and uploaded after it only if the object is still the one
//! downloaded: a conditional write on its ETag (`If-Match`), or
//! `If-None-Match: *` where there was none, so that two schedules sharing a
//! store refuse each other instead of one overwriting the other's scan.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use aws_sdk_s3::Client;
use aws_sdk_s3::error::SdkError;
use aws_sdk_s3::primitives::ByteStream;
use aws_smithy_types::error::display::DisplayErrorContext;

use super::S3Url;
use crate::aws::Session;

/// The largest store object downloaded: a guard against an object that is
/// not a store, far above any store's size (a scan of 100,000 findings
/// takes about 30 MB).
pub const MAX_STORE_BYTES: u64 = 8 << 30;

/// An S3 client with the session's (the caller's) credentials; path-style
/// addressing where the endpoint is overridden (an emulator answers one
/// host, not one per bucket).
pub fn client(session: &Session) -> Client {
    session.client::<Client>(session.home_region())
}

/// Why an S3 sink failed.
#[derive(Debug, thiserror::Error)]
pub enum S3Error {
    #[error("uploading {file} to {url}: {message}")]
    Upload { file: PathBuf, url: String, message: String },
    #[error("downloading the scan store {url}: {message}")]
    Download { url: String, message: String },
    #[error(
        "the scan store {url} changed since this run downloaded it (another scan recorded in it meanwhile): not overwritten; this scan is recorded only in the local copy {local}"
    )]
    Conflict { url: String, local: PathBuf },
    #[error("uploading the scan store {local} to {url}: {message}")]
    StoreUpload { url: String, local: PathBuf, message: String },
}

/// Uploads the files written into `dir` (`written`: their paths) under the
/// prefix `to`; returns the `s3://` URLs, in the same order.
pub async fn upload_reports(
    client: &Client,
    dir: &Path,
    written: &[String],
    to: &S3Url,
) -> Result<Vec<String>, S3Error> {
    let mut urls = Vec::with_capacity(written.len());
    for file in written {
        let path = PathBuf::from(file);
        let relative = path.strip_prefix(dir).unwrap_or(&path);
        let relative =
            relative.components().map(|part| part.as_os_str().to_string_lossy()).collect::<Vec<_>>().join("/");
        let key = to.join(&relative);
        let url = format!("s3://{}/{key}", to.bucket);
        let failed = |message: String| S3Error::Upload { file: path.clone(), url: url.clone(), message };
        let body = ByteStream::from_path(&path).await.map_err(|err| failed(err.to_string()))?;
        client
            .put_object()
            .bucket(&to.bucket)
            .key(&key)
            .content_type(content_type(&relative))
            .body(body)
            .send()
            .await
            .map_err(|err| failed(DisplayErrorContext(&err).to_string()))?;
        urls.push(url);
    }
    Ok(urls)
}

fn content_type(name: &str) -> &'static str {
    match name.rsplit('.').next() {
        Some("json" | "sarif") => "application/json",
        Some("html") => "text/html; charset=utf-8",
        Some("xml") => "application/xml",
        Some("csv") => "text/csv; charset=utf-8",
        _ => "application/octet-stream",
    }
}

/// The largest shard report downloaded (merge reads at most 64 MiB of
/// header and 1 MiB a finding from it).
pub const MAX_REPORT_BYTES: u64 = 16 << 30;

/// Downloads the shard reports `from` names into `into`: the object, or,
/// for a prefix (a key that is empty or ends in `/`), every `.json` object
/// directly under it (not in its sub-folders, where a merged report may
/// be). Returns the local paths, in key order.
pub async fn download_reports(client: &Client, from: &S3Url, into: &Path) -> Result<Vec<PathBuf>, S3Error> {
    let failed = |message: String| S3Error::Download { url: from.to_string(), message };
    let keys = if from.key.is_empty() || from.key.ends_with('/') {
        let mut keys = Vec::new();
        let mut pages =
            client.list_objects_v2().bucket(&from.bucket).prefix(&from.key).delimiter("/").into_paginator().send();
        while let Some(page) = pages.next().await {
            let page = page.map_err(|err| failed(DisplayErrorContext(&err).to_string()))?;
            keys.extend(
                page.contents()
                    .iter()
                    .filter_map(|object| object.key())
                    .filter(|key| is_report_name(key))
                    .map(str::to_owned),
            );
        }
        keys.sort();
        keys
    } else {
        vec![from.key.clone()]
    };
    let mut paths = Vec::with_capacity(keys.len());
    for (index, key) in keys.iter().enumerate() {
        let object = S3Url { bucket: from.bucket.clone(), key: key.clone() };
        // Numbered: two prefixes may hold files of one name.
        let path = into.join(format!("{index:05}-{}", object.file_name()));
        if download(client, &object, &path, MAX_REPORT_BYTES).await?.is_none() {
            return Err(S3Error::Download { url: object.to_string(), message: "no such object".to_owned() });
        }
        paths.push(path);
    }
    Ok(paths)
}

/// Whether a file or key names a JSON report, not an OCSF or ASFF file.
pub fn is_report_name(name: &str) -> bool {
    name.ends_with(".json") && !name.ends_with(".ocsf.json") && !name.ends_with(".asff.json")
}

/// Downloads one object to `local` (0600, whole or not at all), refusing
/// one larger than `limit`; returns its ETag, or `None` when there is no
/// such object.
async fn download(client: &Client, url: &S3Url, local: &Path, limit: u64) -> Result<Option<Option<String>>, S3Error> {
    let failed = |message: String| S3Error::Download { url: url.to_string(), message };
    let answer = match client.get_object().bucket(&url.bucket).key(&url.key).send().await {
        Ok(answer) => answer,
        Err(SdkError::ServiceError(err)) if err.err().is_no_such_key() => return Ok(None),
        Err(err) => return Err(failed(DisplayErrorContext(&err).to_string())),
    };
    let etag = answer.e_tag().map(str::to_owned);
    let too_large = || failed(format!("the object is larger than {} MiB: refused", limit >> 20));
    if answer.content_length().is_some_and(|length| length as u64 > limit) {
        return Err(too_large());
    }
    let dir = local.parent().filter(|dir| !dir.as_os_str().is_empty()).unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|err| failed(format!("creating {}: {err}", dir.display())))?;
    // tempfile creates it 0600 under a name no one can guess, as files.rs does.
    let mut temp = tempfile::Builder::new()
        .prefix(".download.")
        .suffix(".bulkhead-tmp")
        .tempfile_in(dir)
        .map_err(|err| failed(format!("in {}: {err}", dir.display())))?;
    let mut body = answer.body;
    let mut read: u64 = 0;
    while let Some(chunk) = body.try_next().await.map_err(|err| failed(DisplayErrorContext(&err).to_string()))? {
        read += chunk.len() as u64;
        if read > limit {
            return Err(too_large());
        }
        temp.write_all(&chunk).map_err(|err| failed(err.to_string()))?;
    }
    temp.as_file().sync_all().map_err(|err| failed(err.to_string()))?;
    temp.persist(local).map_err(|err| failed(format!("{}: {}", local.display(), err.error)))?;
    Ok(Some(etag))
}

/// A store downloaded from S3: where its local copy is, and which version
/// of the object it was (`None`: there was no object yet).
#[derive(Debug, Clone)]
pub struct RemoteStore {
    pub url: S3Url,
    pub local: PathBuf,
    etag: Option<String>,
}

/// Downloads the store at `url` to `local` (replacing what was there, and
/// any write-ahead files beside it); no object is a store with no scans.
pub async fn download_store(client: &Client, url: &S3Url, local: &Path) -> Result<RemoteStore, S3Error> {
    let failed = |message: String| S3Error::Download { url: url.to_string(), message };
    for suffix in ["", "-wal", "-shm"] {
        let mut path = local.as_os_str().to_owned();
        path.push(suffix);
        match std::fs::remove_file(&path) {
            Err(err) if err.kind() != std::io::ErrorKind::NotFound => {
                return Err(failed(format!("cannot replace {}: {err}", Path::new(&path).display())));
            }
            _ => {}
        }
    }
    // No object: a store with no scans yet, created when this scan begins.
    let etag = download(client, url, local, MAX_STORE_BYTES).await?.flatten();
    Ok(RemoteStore { url: url.clone(), local: local.to_owned(), etag })
}

impl RemoteStore {
    /// Uploads the local copy, only if the object is still the version
    /// downloaded (or still absent).
    pub async fn upload(&self, client: &Client) -> Result<(), S3Error> {
        let failed =
            |message: String| S3Error::StoreUpload { url: self.url.to_string(), local: self.local.clone(), message };
        if !self.local.exists() {
            // Nothing was recorded (--no-store, or the store failed before it was made).
            return Ok(());
        }
        let body = ByteStream::from_path(&self.local).await.map_err(|err| failed(err.to_string()))?;
        let put = client
            .put_object()
            .bucket(&self.url.bucket)
            .key(&self.url.key)
            .content_type("application/vnd.sqlite3")
            .body(body);
        let put = match &self.etag {
            Some(etag) => put.if_match(etag),
            None => put.if_none_match("*"),
        };
        match put.send().await {
            Ok(_) => Ok(()),
            Err(err) if is_conflict(&err) => {
                Err(S3Error::Conflict { url: self.url.to_string(), local: self.local.clone() })
            }
            Err(err) => Err(failed(DisplayErrorContext(&err).to_string())),
        }
    }
}

/// 412: the condition failed; 409: a concurrent conditional write won the
/// race; 404: `If-Match` on an object deleted meanwhile.
fn is_conflict<E>(err: &SdkError<E, aws_smithy_runtime_api::client::orchestrator::HttpResponse>) -> bool {
    err.raw_response().is_some_and(|response| matches!(response.status().as_u16(), 404 | 409 | 412))
}
