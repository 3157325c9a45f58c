//! One kind of HTTP request that is not an AWS API call: the GET of a
//! presigned URL that `ecr:GetDownloadUrlForLayer` hands out, to read an
//! image's config blob. Made with the SDK's own HTTP stack (the connector
//! every service client uses: hyper, rustls with aws-lc), behind the call
//! gate, counted in the ledger, with a size limit and the scan's timeouts.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use aws_smithy_http_client::Connector;
use aws_smithy_runtime_api::client::http::HttpConnector;
use aws_smithy_runtime_api::client::orchestrator::HttpRequest;
use aws_smithy_types::byte_stream::ByteStream;

use super::{CallGate, CollectError, ErrorKind, Service, chain};

/// The operation name a blob GET has in errors and in the call ledger.
pub const BLOB_GET: &str = "GetDownloadUrlForLayer (GET)";

#[derive(Debug, Clone)]
pub struct BlobFetcher {
    connector: Arc<Connector>,
    /// The hosts a plain `http://` URL may name: those of the endpoints the
    /// scan was pointed at (an emulator). Empty against AWS, whose URLs
    /// must be https.
    http_hosts: Vec<String>,
    timeout: Duration,
}

impl BlobFetcher {
    /// `http_hosts`: as [`http_host`] gives them.
    pub fn new(connector: Connector, http_hosts: Vec<String>, timeout: Duration) -> BlobFetcher {
        BlobFetcher { connector: Arc::new(connector), http_hosts, timeout }
    }

    /// The body of `url`, at most `limit` bytes; anything else is a
    /// `CollectError` naming the region the URL was handed out in.
    pub async fn get(&self, gate: &CallGate, region: &str, url: &str, limit: usize) -> Result<Vec<u8>, CollectError> {
        let error = |kind: ErrorKind, message: String| CollectError::new(Service::Ecr, BLOB_GET, region, kind, message);
        if let Some(refusal) = self.refusal(url) {
            return Err(error(ErrorKind::MalformedResponse, refusal));
        }
        // A dropped connection, a 5xx or a throttle is tried again, at
        // once, up to ATTEMPTS times; a timeout or a 4xx is not.
        let mut result = Err(error(ErrorKind::Other, "not attempted".to_owned()));
        for _ in 0..ATTEMPTS {
            result = self.attempt(gate, region, url, limit).await;
            match &result {
                Err(err) if matches!(err.kind, ErrorKind::Unreachable | ErrorKind::Throttled) => continue,
                Err(err) if err.kind == ErrorKind::ServiceError && err.message.contains("HTTP 5") => continue,
                _ => break,
            }
        }
        gate.ledger().record_plain_request(Service::Ecr, region, BLOB_GET, chain::advance());
        result
    }

    /// Why `url` is not fetched, if it is not: not https, and not plain
    /// http on the host of an endpoint the scan was pointed at.
    fn refusal(&self, url: &str) -> Option<String> {
        if url.starts_with("https://") {
            return None;
        }
        let shown = redact(url);
        if self.http_hosts.is_empty() || !url.starts_with("http://") {
            return Some(format!("the download URL is not https ({shown}), refused"));
        }
        match http_host(url) {
            Some(host) if self.http_hosts.contains(&host) => None,
            _ => Some(format!(
                "the download URL {shown} is plain http and its host is not the endpoint's host ({}), refused",
                self.http_hosts.join(", ")
            )),
        }
    }

    async fn attempt(&self, gate: &CallGate, region: &str, url: &str, limit: usize) -> Result<Vec<u8>, CollectError> {
        let error = |kind: ErrorKind, message: String| CollectError::new(Service::Ecr, BLOB_GET, region, kind, message);
        gate.call(Service::Ecr, region, BLOB_GET, || async {
            let request = HttpRequest::get(url)
                .map_err(|err| error(ErrorKind::MalformedResponse, format!("unusable download URL: {err}")))?;
            let fetch = async {
                let response = self
                    .connector
                    .call(request)
                    .await
                    .map_err(|err| error(connector_kind(&err), format!("GET of the download URL failed: {err}")))?;
                if let Some((kind, message)) = refused(response.status().as_u16()) {
                    return Err(error(kind, message));
                }
                let declared = response.headers().get("content-length").and_then(|len| len.parse::<u64>().ok());
                if declared.is_some_and(|len| len > limit as u64) {
                    return Err(error(
                        ErrorKind::MalformedResponse,
                        format!("the blob is {} bytes, more than the {limit} bulkhead reads", declared.unwrap_or(0)),
                    ));
                }
                let mut body = ByteStream::new(response.into_body());
                let mut bytes = Vec::new();
                while let Some(chunk) = body.next().await {
                    let chunk = chunk
                        .map_err(|err| error(ErrorKind::Unreachable, format!("reading the blob failed: {err}")))?;
                    if bytes.len() + chunk.len() > limit {
                        return Err(error(
                            ErrorKind::MalformedResponse,
                            format!("the blob is more than the {limit} bytes bulkhead reads"),
                        ));
                    }
                    bytes.extend_from_slice(&chunk);
                }
                Ok(bytes)
            };
            match tokio::time::timeout(self.timeout, fetch).await {
                Ok(result) => result,
                Err(_) => {
                    Err(error(ErrorKind::Timeout, format!("GET of the download URL took over {:?}", self.timeout)))
                }
            }
        })
        .await
    }
}

/// What a GET of a presigned download URL answering `status` failed with, if it did.
fn refused(status: u16) -> Option<(ErrorKind, String)> {
    if (200..300).contains(&status) {
        return None;
    }
    let kind = match status {
        403 => ErrorKind::AccessDenied,
        429 | 503 => ErrorKind::Throttled,
        _ => ErrorKind::ServiceError,
    };
    Some((kind, format!("GET of the download URL answered HTTP {status}")))
}

/// The operation name a layer blob GET has in errors and in the call ledger.
pub const LAYER_GET: &str = "GetDownloadUrlForLayer (layer GET)";

/// Where a streamed blob's chunks go: a chunk, or why the stream broke.
pub type ChunkSender = tokio::sync::mpsc::Sender<Result<Vec<u8>, String>>;

impl BlobFetcher {
    /// Streams the body of `url` into `chunks`, as it arrives, at most
    /// `limit` bytes, for a reader on the other end that holds a chunk at a
    /// time. Tried again only while nothing has been sent. A reader that
    /// stops reading (it found what it needed, or gave up) ends the GET.
    pub async fn stream(
        &self,
        gate: &CallGate,
        region: &str,
        url: &str,
        limit: u64,
        chunks: &ChunkSender,
    ) -> Result<(), CollectError> {
        let error =
            |kind: ErrorKind, message: String| CollectError::new(Service::Ecr, LAYER_GET, region, kind, message);
        if let Some(refusal) = self.refusal(url) {
            return Err(error(ErrorKind::MalformedResponse, refusal));
        }
        let mut result = Err(error(ErrorKind::Other, "not attempted".to_owned()));
        for _ in 0..ATTEMPTS {
            let sent = AtomicBool::new(false);
            result = self.stream_once(gate, region, url, limit, chunks, &sent).await;
            let sent = sent.load(Ordering::Relaxed);
            match &result {
                Err(err) if !sent && matches!(err.kind, ErrorKind::Unreachable | ErrorKind::Throttled) => continue,
                Err(err) if !sent && err.kind == ErrorKind::ServiceError && err.message.contains("HTTP 5") => continue,
                _ => break,
            }
        }
        gate.ledger().record_plain_request(Service::Ecr, region, LAYER_GET, chain::advance());
        result
    }

    async fn stream_once(
        &self,
        gate: &CallGate,
        region: &str,
        url: &str,
        limit: u64,
        chunks: &ChunkSender,
        sent: &AtomicBool,
    ) -> Result<(), CollectError> {
        let error =
            |kind: ErrorKind, message: String| CollectError::new(Service::Ecr, LAYER_GET, region, kind, message);
        gate.call(Service::Ecr, region, LAYER_GET, || async {
            let request = HttpRequest::get(url)
                .map_err(|err| error(ErrorKind::MalformedResponse, format!("unusable download URL: {err}")))?;
            let response = tokio::time::timeout(self.timeout, self.connector.call(request))
                .await
                .map_err(|_| {
                    error(ErrorKind::Timeout, format!("GET of the download URL took over {:?}", self.timeout))
                })?
                .map_err(|err| error(connector_kind(&err), format!("GET of the download URL failed: {err}")))?;
            if let Some((kind, message)) = refused(response.status().as_u16()) {
                return Err(error(kind, message));
            }
            let mut body = ByteStream::new(response.into_body());
            let mut read = 0u64;
            // The timeout is per chunk: a layer of gigabytes takes its time,
            // a stalled connection does not.
            while let Some(chunk) = tokio::time::timeout(self.timeout, body.next())
                .await
                .map_err(|_| error(ErrorKind::Timeout, format!("no data for {:?}", self.timeout)))?
            {
                let chunk =
                    chunk.map_err(|err| error(ErrorKind::Unreachable, format!("reading the blob failed: {err}")))?;
                read += chunk.len() as u64;
                sent.store(true, Ordering::Relaxed);
                // Past `limit` the reader's own budget stops it, and says why.
                if chunks.send(Ok(chunk.to_vec())).await.is_err() || read > limit {
                    return Ok(());
                }
            }
            Ok(())
        })
        .await
    }
}

/// Tries of one blob GET before its error stands.
const ATTEMPTS: usize = 3;

fn connector_kind(err: &aws_smithy_runtime_api::client::result::ConnectorError) -> ErrorKind {
    if err.is_timeout() { ErrorKind::Timeout } else { ErrorKind::Unreachable }
}

/// The host of an `http://` or `https://` URL, lowercase, without port or
/// brackets; `None` for anything else, and for a URL that names a user
/// (`http://127.0.0.1@elsewhere/`), which no endpoint or download URL does.
pub fn http_host(url: &str) -> Option<String> {
    let lower = url.to_ascii_lowercase();
    let rest = lower.strip_prefix("http://").or_else(|| lower.strip_prefix("https://"))?;
    let authority = rest.split(['/', '?', '#']).next()?;
    let host = match authority.strip_prefix('[') {
        Some(bracketed) => bracketed.split_once(']')?.0,
        None => authority.split(':').next()?,
    };
    let plain = host.chars().all(|c| c.is_ascii_alphanumeric() || ".-:".contains(c));
    (!host.is_empty() && plain).then(|| host.to_owned())
}

/// A presigned URL without its query string: the signature is a credential.
fn redact(url: &str) -> &str {
    url.split_once('?').map_or(url, |(base, _)| base)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gate() -> CallGate {
        use std::num::NonZeroUsize;
        CallGate::new(crate::aws::ConcurrencyLimits {
            global: NonZeroUsize::new(2).unwrap(),
            per_endpoint: NonZeroUsize::new(1).unwrap(),
        })
    }

    /// Against AWS (no endpoint override) only https is fetched: an http
    /// URL is refused before any connection, and is an error, not a blob.
    #[tokio::test]
    async fn http_urls_are_refused_without_an_endpoint_override() {
        let fetcher = BlobFetcher::new(Connector::builder().build_http(), Vec::new(), Duration::from_secs(1));
        let err = fetcher.get(&gate(), "eu-west-1", "http://127.0.0.1:1/blob?X-Amz-Signature=s", 10).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::MalformedResponse);
        assert!(err.message.contains("not https (http://127.0.0.1:1/blob)"), "{}", err.message);
        assert!(!err.message.contains("Signature"), "{}", err.message);
        let err = fetcher.get(&gate(), "eu-west-1", "file:///etc/passwd", 10).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::MalformedResponse);
        // With an override an http URL on its host is tried (and here fails to connect).
        let emulator =
            BlobFetcher::new(Connector::builder().build_http(), vec!["127.0.0.1".into()], Duration::from_secs(5));
        let err = emulator.get(&gate(), "eu-west-1", "http://127.0.0.1:1/blob", 10).await.unwrap_err();
        assert!(matches!(err.kind, ErrorKind::Unreachable | ErrorKind::Timeout), "{err:?}");
        // On any other host it is refused before any connection.
        for elsewhere in ["http://169.254.169.254/latest/meta-data/?X-Amz-Signature=s", "http://localhost:1/blob"] {
            let err = emulator.get(&gate(), "eu-west-1", elsewhere, 10).await.unwrap_err();
            assert_eq!(err.kind, ErrorKind::MalformedResponse, "{elsewhere}: {err:?}");
            assert!(err.message.contains("not the endpoint's host (127.0.0.1)"), "{}", err.message);
            assert!(!err.message.contains("Signature"), "{}", err.message);
        }
    }

    #[test]
    fn hosts_are_read_from_urls_as_endpoints_give_them() {
        assert_eq!(http_host("http://127.0.0.1:4566").as_deref(), Some("127.0.0.1"));
        assert_eq!(http_host("HTTP://LocalHost:5000/path?q").as_deref(), Some("localhost"));
        assert_eq!(http_host("https://[::1]:443/x").as_deref(), Some("::1"));
        assert_eq!(http_host("http://127.0.0.1@elsewhere.example/"), None, "a user part");
        assert_eq!(http_host("http://emulator#frag").as_deref(), Some("emulator"));
        assert_eq!(http_host("127.0.0.1:4566"), None, "no scheme");
        assert_eq!(http_host("http://"), None);
    }

    #[test]
    fn presigned_urls_lose_their_signature_in_messages() {
        assert_eq!(redact("http://x/blob?X-Amz-Signature=abc"), "http://x/blob");
        assert_eq!(redact("https://x/blob"), "https://x/blob");
    }
}
