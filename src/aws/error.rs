//! A failed AWS call, kept as data. The checks turn it into ERROR findings;
//! it is never mistaken for "nothing there".

use std::error::Error as StdError;
use std::fmt;

use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::error::display::DisplayErrorContext;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Service {
    Sts,
    Ec2,
    Ecr,
    Cloudtrail,
    Ecs,
    Iam,
}

impl Service {
    pub fn as_str(self) -> &'static str {
        match self {
            Service::Sts => "sts",
            Service::Ec2 => "ec2",
            Service::Ecr => "ecr",
            Service::Cloudtrail => "cloudtrail",
            Service::Ecs => "ecs",
            Service::Iam => "iam",
        }
    }
}

impl fmt::Display for Service {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Why a call failed, coarsely: enough for a reader to know whether to fix
/// permissions, retry later, or report a bug.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ErrorKind {
    AccessDenied,
    Throttled,
    Timeout,
    Unreachable,
    NotFound,
    ServiceError,
    MalformedResponse,
    Other,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[error("{service}:{operation} in {region} failed ({kind:?}): {message}")]
pub struct CollectError {
    pub service: Service,
    pub operation: String,
    pub region: String,
    pub kind: ErrorKind,
    pub message: String,
}

impl CollectError {
    pub fn new(service: Service, operation: &str, region: &str, kind: ErrorKind, message: impl Into<String>) -> Self {
        CollectError {
            service,
            operation: operation.to_owned(),
            region: region.to_owned(),
            kind,
            message: message.into(),
        }
    }

    /// Translates any SDK error. The SDK's own `Display` says only "service
    /// error" or "dispatch failure"; the message here carries the whole chain.
    pub fn from_sdk<E>(service: Service, operation: &str, region: &str, err: &SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        let (kind, message) = match err {
            SdkError::ServiceError(context) => {
                let status = context.raw().status().as_u16();
                let code = context.err().code();
                let kind = code.map(kind_of_code).unwrap_or(match status {
                    403 => ErrorKind::AccessDenied,
                    429 => ErrorKind::Throttled,
                    // A success status the SDK could not read: the body did not parse.
                    200..=299 => ErrorKind::MalformedResponse,
                    _ => ErrorKind::ServiceError,
                });
                let message = match (code, context.err().message()) {
                    (Some(code), Some(message)) => format!("{code}: {message}"),
                    (Some(code), None) => code.to_owned(),
                    (None, _) if (200..300).contains(&status) => {
                        format!("HTTP {status} with a body that could not be parsed: {}", DisplayErrorContext(err))
                    }
                    // Emulators answer unimplemented calls with a bare 500 and an HTML page.
                    (None, _) => format!("HTTP {status} with no AWS error code"),
                };
                (kind, message)
            }
            SdkError::TimeoutError(_) => (ErrorKind::Timeout, DisplayErrorContext(err).to_string()),
            SdkError::DispatchFailure(failure) => {
                let kind = if failure.is_timeout() {
                    ErrorKind::Timeout
                } else if failure.is_io() {
                    ErrorKind::Unreachable
                } else {
                    ErrorKind::Other
                };
                (kind, DisplayErrorContext(err).to_string())
            }
            SdkError::ResponseError(_) => (ErrorKind::MalformedResponse, DisplayErrorContext(err).to_string()),
            _ => (ErrorKind::Other, DisplayErrorContext(err).to_string()),
        };
        CollectError::new(service, operation, region, kind, message)
    }
}

fn kind_of_code(code: &str) -> ErrorKind {
    match code {
        "AccessDenied"
        | "AccessDeniedException"
        | "UnauthorizedOperation"
        | "AuthFailure"
        | "UnrecognizedClientException"
        | "InvalidClientTokenId"
        | "ExpiredToken"
        | "ExpiredTokenException"
        | "OptInRequired"
        | "SignatureDoesNotMatch" => ErrorKind::AccessDenied,
        "Throttling"
        | "ThrottlingException"
        | "RequestLimitExceeded"
        | "TooManyRequestsException"
        | "RequestThrottled"
        | "SlowDown" => ErrorKind::Throttled,
        "RequestTimeout" | "RequestTimeoutException" => ErrorKind::Timeout,
        code if code.ends_with("NotFoundException") || code.ends_with(".NotFound") => ErrorKind::NotFound,
        _ => ErrorKind::ServiceError,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_map_to_kinds() {
        assert_eq!(kind_of_code("AccessDeniedException"), ErrorKind::AccessDenied);
        assert_eq!(kind_of_code("UnauthorizedOperation"), ErrorKind::AccessDenied);
        assert_eq!(kind_of_code("RequestLimitExceeded"), ErrorKind::Throttled);
        assert_eq!(kind_of_code("Throttling"), ErrorKind::Throttled);
        assert_eq!(kind_of_code("RepositoryNotFoundException"), ErrorKind::NotFound);
        assert_eq!(kind_of_code("InternalFailure"), ErrorKind::ServiceError);
    }
}
