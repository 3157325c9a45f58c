//! One kind of HTTP request that is not an AWS API call: the GET of a
//! presigned URL that `ecr:GetDownloadUrlForLayer` hands out, to read an
//! image's config blob. Made with the SDK's own HTTP stack (the connector
//! every service client uses: hyper, rustls with aws-lc), behind the call
//! gate, counted in the ledger, with a size limit and the scan's timeouts.

use std::sync::Arc;
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
    /// Plain `http://` URLs are accepted only when the scan's endpoint is
    /// overridden (an emulator); against AWS the URL must be https.
    allow_http: bool,
    timeout: Duration,
}

impl BlobFetcher {
    pub fn new(connector: Connector, allow_http: bool, timeout: Duration) -> BlobFetcher {
        BlobFetcher { connector: Arc::new(connector), allow_http, timeout }
    }

    /// The body of `url`, at most `limit` bytes; anything else is a
    /// `CollectError` naming the region the URL was handed out in.
    pub async fn get(&self, gate: &CallGate, region: &str, url: &str, limit: usize) -> Result<Vec<u8>, CollectError> {
        let error = |kind: ErrorKind, message: String| CollectError::new(Service::Ecr, BLOB_GET, region, kind, message);
        let scheme_ok = url.starts_with("https://") || (self.allow_http && url.starts_with("http://"));
        if !scheme_ok {
            return Err(error(
                ErrorKind::MalformedResponse,
                format!("the download URL is not https ({}), refused", redact(url)),
            ));
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

    async fn attempt(&self, gate: &CallGate, region: &str, url: &str, limit: usize) -> Result<Vec<u8>, CollectError> {
        let error = |kind: ErrorKind, message: String| CollectError::new(Service::Ecr, BLOB_GET, region, kind, message);
        gate.call(Service::Ecr, region, || async {
            let request = HttpRequest::get(url)
                .map_err(|err| error(ErrorKind::MalformedResponse, format!("unusable download URL: {err}")))?;
            let fetch = async {
                let response = self
                    .connector
                    .call(request)
                    .await
                    .map_err(|err| error(connector_kind(&err), format!("GET of the download URL failed: {err}")))?;
                let status = response.status().as_u16();
                if !(200..300).contains(&status) {
                    let kind = match status {
                        403 => ErrorKind::AccessDenied,
                        429 | 503 => ErrorKind::Throttled,
                        _ => ErrorKind::ServiceError,
                    };
                    return Err(error(kind, format!("GET of the download URL answered HTTP {status}")));
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

/// Tries of one blob GET before its error stands.
const ATTEMPTS: usize = 3;

fn connector_kind(err: &aws_smithy_runtime_api::client::result::ConnectorError) -> ErrorKind {
    if err.is_timeout() { ErrorKind::Timeout } else { ErrorKind::Unreachable }
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
        let fetcher = BlobFetcher::new(Connector::builder().build_http(), false, Duration::from_secs(1));
        let err = fetcher.get(&gate(), "eu-west-1", "http://127.0.0.1:1/blob?X-Amz-Signature=s", 10).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::MalformedResponse);
        assert!(err.message.contains("not https (http://127.0.0.1:1/blob)"), "{}", err.message);
        assert!(!err.message.contains("Signature"), "{}", err.message);
        let err = fetcher.get(&gate(), "eu-west-1", "file:///etc/passwd", 10).await.unwrap_err();
        assert_eq!(err.kind, ErrorKind::MalformedResponse);
        // With an override the http URL is tried (and here fails to connect).
        let emulator = BlobFetcher::new(Connector::builder().build_http(), true, Duration::from_secs(5));
        let err = emulator.get(&gate(), "eu-west-1", "http://127.0.0.1:1/blob", 10).await.unwrap_err();
        assert!(matches!(err.kind, ErrorKind::Unreachable | ErrorKind::Timeout), "{err:?}");
    }

    #[test]
    fn presigned_urls_lose_their_signature_in_messages() {
        assert_eq!(redact("http://x/blob?X-Amz-Signature=abc"), "http://x/blob");
        assert_eq!(redact("https://x/blob"), "https://x/blob");
    }
}
