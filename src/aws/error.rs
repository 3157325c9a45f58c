//! A failed AWS call, kept as data. The checks turn it into ERROR findings;
//! it is never mistaken for "nothing there".

use std::error::Error as StdError;
use std::fmt;

use aws_config::imds::client::error::{ImdsError, TokenError};
use aws_credential_types::provider::error::CredentialsError;
use aws_sdk_sts::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_sts::operation::assume_role::AssumeRoleError;
use aws_smithy_runtime_api::client::orchestrator::HttpResponse;
use aws_smithy_types::error::ErrorMetadata;
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
    /// Elastic Load Balancing v2 (application, network and gateway load balancers).
    Elbv2,
    Iam,
    Organizations,
    Wafv2,
    Eks,
    GuardDuty,
    /// Amazon Inspector (the v2 API).
    Inspector2,
    /// The sinks a user names: reports and the store on S3, a message on
    /// SNS, findings into Security Hub (with the caller's own credentials).
    S3,
    Sns,
    SecurityHub,
}

impl Service {
    pub fn as_str(self) -> &'static str {
        match self {
            Service::Sts => "sts",
            Service::Ec2 => "ec2",
            Service::Ecr => "ecr",
            Service::Cloudtrail => "cloudtrail",
            Service::Ecs => "ecs",
            // As IAM and the endpoints name it; the v2 API shares the prefix.
            Service::Elbv2 => "elasticloadbalancing",
            Service::Iam => "iam",
            Service::Organizations => "organizations",
            Service::Wafv2 => "wafv2",
            Service::Eks => "eks",
            Service::GuardDuty => "guardduty",
            Service::Inspector2 => "inspector2",
            Service::S3 => "s3",
            Service::Sns => "sns",
            Service::SecurityHub => "securityhub",
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
    /// The endpoint does not offer the operation, or the account has not
    /// turned on what it needs there: an API that has not reached the
    /// region or partition (or an emulator that lacks it), a service the
    /// account is not subscribed to or has not opted in to. A collector
    /// whose call reads an optional feature takes it as the feature being
    /// off in that region (`inventory::features`); for any other call it
    /// is a failure like the rest.
    NotOffered,
    ServiceError,
    MalformedResponse,
    Other,
}

impl ErrorKind {
    /// In words, for messages.
    pub fn as_words(self) -> &'static str {
        match self {
            ErrorKind::AccessDenied => "access denied",
            ErrorKind::Throttled => "throttled",
            ErrorKind::Timeout => "timed out",
            ErrorKind::Unreachable => "endpoint unreachable",
            ErrorKind::NotFound => "not found",
            ErrorKind::NotOffered => "not offered in this region",
            ErrorKind::ServiceError => "service error",
            ErrorKind::MalformedResponse => "malformed response",
            ErrorKind::Other => "error",
        }
    }
}

impl fmt::Display for ErrorKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_words())
    }
}

/// What the person running the scan can do about a failed call, where the
/// error tells: the start-up errors print it as a hint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Remedy {
    /// No provider in the credential chain had credentials.
    ProvideCredentials,
    /// AWS refused the credentials themselves: unknown key, wrong secret, expired session.
    RenewCredentials,
    /// The caller may not make this call (`service:Action`).
    GrantPermission(String),
    /// Nothing answered: DNS, connection refused, TLS; or the answer took too long.
    CheckEndpoint { timed_out: bool },
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CollectError {
    pub service: Service,
    pub operation: String,
    pub region: String,
    pub kind: ErrorKind,
    /// One readable line: what the report shows.
    pub message: String,
    /// What the terminal shows of an SDK error; `None` for errors made
    /// here and for errors read back from a saved inventory. Boxed: errors
    /// travel in `Result`s everywhere and most are never printed.
    #[serde(skip)]
    pub diagnosis: Option<Box<Diagnosis>>,
}

/// An SDK error, read for the person at the terminal.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Diagnosis {
    /// The message, one cause a line, outermost first (a line may continue
    /// on indented lines, as the credential chain's list of attempts does).
    pub causes: Vec<String>,
    pub remedy: Option<Remedy>,
    /// The SDK's whole error, every wrapper and its debug form: for `-v`.
    pub detail: String,
}

impl fmt::Display for CollectError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.headline(), self.message)
    }
}

impl StdError for CollectError {}

impl CollectError {
    /// `ecr:DescribeRepositories in eu-west-1 failed (access denied)`: the
    /// call and the kind, without the causes.
    pub fn headline(&self) -> String {
        let mut line = format!("{}:{} in {} failed", self.service, self.operation, self.region);
        if self.kind != ErrorKind::Other {
            line.push_str(&format!(" ({})", self.kind));
        }
        line
    }

    pub fn new(service: Service, operation: &str, region: &str, kind: ErrorKind, message: impl Into<String>) -> Self {
        CollectError {
            service,
            operation: operation.to_owned(),
            region: region.to_owned(),
            kind,
            message: message.into(),
            diagnosis: None,
        }
    }

    /// The causes, one a line; the message alone when there is no diagnosis.
    pub fn causes(&self) -> Vec<String> {
        match &self.diagnosis {
            Some(diagnosis) if !diagnosis.causes.is_empty() => diagnosis.causes.clone(),
            _ => vec![self.message.clone()],
        }
    }

    pub fn remedy(&self) -> Option<&Remedy> {
        self.diagnosis.as_ref()?.remedy.as_ref()
    }

    /// The SDK's whole error (empty when there was none).
    pub fn detail(&self) -> &str {
        self.diagnosis.as_ref().map_or("", |diagnosis| diagnosis.detail.as_str())
    }

    /// Adds a remark, in brackets, to the message and the last cause.
    pub fn note(&mut self, remark: &str) {
        let remark = format!(" ({remark})");
        self.message.push_str(&remark);
        if let Some(last) = self.diagnosis.as_mut().and_then(|diagnosis| diagnosis.causes.last_mut()) {
            last.push_str(&remark);
        }
    }

    /// Translates any SDK error. The SDK's own `Display` says only "service
    /// error" or "dispatch failure", and `DisplayErrorContext` ends with the
    /// whole error's debug form; the message here is the chain of causes,
    /// read, one line.
    pub fn from_sdk<E>(service: Service, operation: &str, region: &str, err: &SdkError<E, HttpResponse>) -> Self
    where
        E: ProvideErrorMetadata + StdError + Send + Sync + 'static,
    {
        let action = format!("{service}:{operation}");
        let (kind, causes, remedy) = match err {
            SdkError::ServiceError(context) => {
                let status = context.raw().status().as_u16();
                let code = context.err().code();
                let kind = code.map(kind_of_code).unwrap_or(match status {
                    403 => ErrorKind::AccessDenied,
                    // What some endpoints answer an action they do not have, with no body to name it.
                    404 => ErrorKind::NotOffered,
                    429 => ErrorKind::Throttled,
                    // A success status the SDK could not read: the body did not parse.
                    200..=299 => ErrorKind::MalformedResponse,
                    _ => ErrorKind::ServiceError,
                });
                let cause = match (code, context.err().message()) {
                    (Some(code), Some(message)) => format!("{code}: {message}"),
                    (Some(code), None) => code.to_owned(),
                    (None, _) if (200..300).contains(&status) => {
                        let parse = causes(context.err()).join(": ");
                        format!("HTTP {status} with a body that could not be parsed: {parse}")
                    }
                    // Emulators answer unimplemented calls with a bare 500 and an HTML page.
                    (None, _) => format!("HTTP {status} with no AWS error code"),
                };
                let remedy = (kind == ErrorKind::AccessDenied).then(|| remedy_for_denial(code, &action));
                (kind, vec![cause], remedy)
            }
            SdkError::TimeoutError(_) => {
                (ErrorKind::Timeout, causes(err), Some(Remedy::CheckEndpoint { timed_out: true }))
            }
            SdkError::DispatchFailure(failure) => {
                let credentials = credentials_remedy(err);
                let kind = if failure.is_timeout() {
                    ErrorKind::Timeout
                } else if matches!(credentials, Some(Remedy::GrantPermission(_) | Remedy::RenewCredentials)) {
                    // A role profile's or --accounts' AssumeRole, refused.
                    ErrorKind::AccessDenied
                } else if failure.is_io() || reached_no_one(err) {
                    ErrorKind::Unreachable
                } else {
                    ErrorKind::Other
                };
                let remedy = credentials.or(match kind {
                    ErrorKind::Timeout => Some(Remedy::CheckEndpoint { timed_out: true }),
                    ErrorKind::Unreachable => Some(Remedy::CheckEndpoint { timed_out: false }),
                    _ => None,
                });
                (kind, causes(err), remedy)
            }
            SdkError::ResponseError(_) => (ErrorKind::MalformedResponse, causes(err), None),
            _ => (ErrorKind::Other, causes(err), None),
        };
        let message = one_line(&causes);
        let detail = DisplayErrorContext(err).to_string();
        CollectError {
            diagnosis: Some(Box::new(Diagnosis { causes, remedy, detail })),
            ..CollectError::new(service, operation, region, kind, message)
        }
    }
}

/// The SDK's wrapper labels: they name the layer, not the cause, and are
/// left out when a cause follows them.
const WRAPPERS: &[&str] = &[
    "dispatch failure",
    "service error",
    "response error",
    "io error",
    "other",
    "user error",
    "timeout",
    "failed to construct request",
    "client error (Connect)",
    "an error occurred while loading credentials",
    "the credential provider was not enabled",
];

/// The readable causes of an error, outermost first: each error's own
/// message (walking `source()`), without the SDK's wrapper labels and
/// without what the line before already says.
pub fn causes(err: &(dyn StdError + 'static)) -> Vec<String> {
    let mut lines: Vec<String> = Vec::new();
    let mut next = Some(err);
    while let Some(err) = next {
        next = err.source();
        let text = match err.downcast_ref::<ErrorMetadata>() {
            // A service error below another layer (a credential provider's
            // STS call): its Display is a struct dump.
            Some(metadata) => match (metadata.code(), metadata.message()) {
                (Some(code), Some(message)) => format!("{code}: {message}"),
                (code, message) => code.or(message).unwrap_or_default().to_owned(),
            },
            None => err.to_string(),
        };
        let text = text.trim();
        let wrapper = next.is_some() && (WRAPPERS.contains(&text) || text.starts_with("unhandled error"));
        if text.is_empty() || wrapper || lines.last().is_some_and(|last| last.contains(text)) {
            continue;
        }
        lines.push(text.to_owned());
    }
    lines
}

/// Causes as one line: `a: b: c`, a cause's own continuation lines
/// separated by `; ` (`Attempted: Environment: ...; Profile: ...`).
pub fn one_line(causes: &[String]) -> String {
    let flatten = |cause: &String| {
        let mut line = String::new();
        for part in cause.lines().map(str::trim).filter(|part| !part.is_empty()) {
            if !line.is_empty() {
                line.push_str(if line.ends_with(':') { " " } else { "; " });
            }
            line.push_str(part);
        }
        line
    };
    causes.iter().map(flatten).collect::<Vec<_>>().join(": ")
}

fn sources<'a>(err: &'a (dyn StdError + 'static)) -> impl Iterator<Item = &'a (dyn StdError + 'static)> {
    std::iter::successors(Some(err), |err: &&'a (dyn StdError + 'static)| (*err).source())
}

/// Whether a failed call would fail the same way on another round of
/// retries: the credentials are what failed ([`credentials_fail_for_good`]),
/// or nothing listens at the endpoint ([`connection_refused`]).
pub fn fails_for_good(err: &(dyn StdError + 'static)) -> bool {
    credentials_fail_for_good(err) || connection_refused(err)
}

/// Whether the connection was refused: nothing listens at that address
/// (the endpoint or its port is wrong, the emulator is not running). A
/// connection that was made and then reset or dropped is not this.
pub fn connection_refused(err: &(dyn StdError + 'static)) -> bool {
    sources(err).any(|cause| {
        cause.downcast_ref::<std::io::Error>().is_some_and(|io| io.kind() == std::io::ErrorKind::ConnectionRefused)
    })
}

/// Whether the credentials are what failed, in a way the next attempt would
/// meet again: none found, a provider misconfigured, or its AssumeRole
/// refused. Not worth another round of retries.
fn credentials_fail_for_good(err: &(dyn StdError + 'static)) -> bool {
    let hopeless = sources(err).any(|cause| {
        matches!(
            cause.downcast_ref::<CredentialsError>(),
            Some(CredentialsError::CredentialsNotLoaded(_) | CredentialsError::InvalidConfiguration(_))
        )
    });
    hopeless || credentials_remedy(err).is_some()
}

/// A connection that never happened (DNS, refused, TLS) below some other
/// layer, such as the STS call of a credential provider.
fn reached_no_one(err: &(dyn StdError + 'static)) -> bool {
    sources(err).any(|cause| cause.is::<std::io::Error>())
}

/// What to do when the credentials are the trouble: none at all, or the
/// provider's own STS call (a role profile's AssumeRole) refused.
fn credentials_remedy(err: &(dyn StdError + 'static)) -> Option<Remedy> {
    let none = |cause: &(dyn StdError + 'static)| {
        matches!(cause.downcast_ref(), Some(CredentialsError::CredentialsNotLoaded(_))) || imds_forbids(cause)
    };
    if sources(err).any(none) {
        return Some(Remedy::ProvideCredentials);
    }
    sources(err).find_map(|cause| {
        let denied = cause.downcast_ref::<SdkError<AssumeRoleError, HttpResponse>>()?.as_service_error()?;
        let code = denied.code();
        (code.map(kind_of_code) == Some(ErrorKind::AccessDenied)).then(|| remedy_for_denial(code, "sts:AssumeRole"))
    })
}

/// The instance metadata service answered 401 or 403 (it is disabled, or
/// out of reach of this container), to the token request or after: the
/// last link of the credential chain found none, as when IMDS is absent.
/// The SDK reports it as a provider error rather than "not loaded".
fn imds_forbids(cause: &(dyn StdError + 'static)) -> bool {
    let forbidden = |status: u16| matches!(status, 401 | 403);
    if let Some(ImdsError::ErrorResponse(response)) = cause.downcast_ref::<ImdsError>() {
        return forbidden(response.response().status().as_u16());
    }
    cause
        .downcast_ref::<SdkError<TokenError, HttpResponse>>()
        .and_then(SdkError::raw_response)
        .is_some_and(|response| forbidden(response.status().as_u16()))
}

/// Codes that refuse the credentials rather than the call.
fn remedy_for_denial(code: Option<&str>, action: &str) -> Remedy {
    match code {
        Some(
            "AuthFailure"
            | "UnrecognizedClientException"
            | "InvalidClientTokenId"
            | "ExpiredToken"
            | "ExpiredTokenException"
            | "SignatureDoesNotMatch",
        ) => Remedy::RenewCredentials,
        _ => Remedy::GrantPermission(action.to_owned()),
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
        | "SignatureDoesNotMatch" => ErrorKind::AccessDenied,
        // An unknown action: AWS's JSON protocols (`UnknownOperationException`)
        // and query protocols (`InvalidAction`); EC2's `UnsupportedOperation`;
        // a service the account needs a subscription to (`OptInRequired`,
        // `SubscriptionRequiredException`): none is fixed by a permission.
        "UnknownOperationException"
        | "UnknownOperation"
        | "InvalidAction"
        | "UnsupportedOperation"
        | "OptInRequired"
        | "SubscriptionRequiredException" => ErrorKind::NotOffered,
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
    use aws_sdk_sts::operation::get_caller_identity::GetCallerIdentityError;
    use aws_smithy_runtime_api::client::result::ConnectorError;
    use aws_smithy_types::body::SdkBody;

    type IdentityError = SdkError<GetCallerIdentityError, HttpResponse>;

    fn identity(err: &IdentityError) -> CollectError {
        CollectError::from_sdk(Service::Sts, "GetCallerIdentity", "us-east-1", err)
    }

    fn denied(code: &str) -> IdentityError {
        let metadata =
            ErrorMetadata::builder().code(code).message("User: arn:aws:iam::1:user/x is not authorized").build();
        let response = HttpResponse::new(403.try_into().unwrap(), SdkBody::empty());
        SdkError::service_error(GetCallerIdentityError::generic(metadata), response)
    }

    #[test]
    fn a_refused_connection_reads_as_its_causes_and_points_at_the_endpoint() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "Connection refused (os error 111)");
        let err: IdentityError = SdkError::dispatch_failure(ConnectorError::io(Box::new(refused)));
        let collected = identity(&err);
        assert_eq!(collected.kind, ErrorKind::Unreachable);
        assert_eq!(collected.message, "Connection refused (os error 111)", "no wrapper labels, no debug dump");
        assert_eq!(collected.remedy().cloned(), Some(Remedy::CheckEndpoint { timed_out: false }));
        assert!(
            collected.detail().contains("DispatchFailure"),
            "the whole error is kept for -v: {}",
            collected.detail()
        );
    }

    #[test]
    fn no_credentials_is_recognised_through_the_connector_error() {
        let missing = CredentialsError::not_loaded(
            "no credentials found in chain. Attempted:\n  Environment: not set\n  Profile: none",
        );
        let err: IdentityError = SdkError::dispatch_failure(ConnectorError::other(Box::new(missing), None));
        let collected = identity(&err);
        assert_eq!(collected.remedy().cloned(), Some(Remedy::ProvideCredentials));
        assert!(credentials_fail_for_good(&err));
        assert_eq!(
            collected.message, "no credentials found in chain. Attempted: Environment: not set; Profile: none",
            "one line for the report"
        );
        assert_eq!(collected.causes().len(), 1, "{:?}", collected.causes());
        assert!(collected.causes()[0].contains("\n  Profile: none"), "the terminal gets the list as lines");
    }

    #[test]
    fn denials_tell_missing_permissions_from_refused_credentials() {
        let collected = identity(&denied("AccessDenied"));
        assert_eq!(collected.kind, ErrorKind::AccessDenied);
        assert_eq!(collected.message, "AccessDenied: User: arn:aws:iam::1:user/x is not authorized");
        assert_eq!(collected.remedy().cloned(), Some(Remedy::GrantPermission("sts:GetCallerIdentity".to_owned())));
        assert_eq!(identity(&denied("InvalidClientTokenId")).remedy().cloned(), Some(Remedy::RenewCredentials));
        assert_eq!(identity(&denied("ExpiredToken")).remedy().cloned(), Some(Remedy::RenewCredentials));
        assert!(!credentials_fail_for_good(&denied("AccessDenied")), "the call's own denial is no credentials failure");
    }

    #[test]
    fn a_note_goes_on_the_message_and_the_last_cause() {
        let refused = std::io::Error::new(std::io::ErrorKind::ConnectionRefused, "refused");
        let mut collected = identity(&SdkError::dispatch_failure(ConnectorError::io(Box::new(refused))));
        collected.note("after two rounds");
        assert_eq!(collected.message, "refused (after two rounds)");
        assert_eq!(collected.causes(), ["refused (after two rounds)"]);
        assert_eq!(
            collected.to_string(),
            "sts:GetCallerIdentity in us-east-1 failed (endpoint unreachable): refused (after two rounds)"
        );
    }

    #[test]
    fn codes_map_to_kinds() {
        assert_eq!(kind_of_code("AccessDeniedException"), ErrorKind::AccessDenied);
        assert_eq!(kind_of_code("UnauthorizedOperation"), ErrorKind::AccessDenied);
        assert_eq!(kind_of_code("RequestLimitExceeded"), ErrorKind::Throttled);
        assert_eq!(kind_of_code("Throttling"), ErrorKind::Throttled);
        assert_eq!(kind_of_code("RepositoryNotFoundException"), ErrorKind::NotFound);
        assert_eq!(kind_of_code("InternalFailure"), ErrorKind::ServiceError);
    }

    /// An operation the endpoint does not offer, named in each protocol's
    /// way, and a bare 404: [`ErrorKind::NotOffered`], with no permission to grant.
    #[test]
    fn an_operation_the_endpoint_does_not_offer_is_not_offered() {
        for code in ["UnknownOperationException", "InvalidAction", "UnsupportedOperation", "OptInRequired"] {
            assert_eq!(kind_of_code(code), ErrorKind::NotOffered, "{code}");
            let metadata = ErrorMetadata::builder().code(code).message("not here").build();
            let response = HttpResponse::new(400.try_into().unwrap(), SdkBody::empty());
            let collected = identity(&SdkError::service_error(GetCallerIdentityError::generic(metadata), response));
            assert_eq!((collected.kind, collected.remedy()), (ErrorKind::NotOffered, None), "{code}");
            assert_eq!(collected.message, format!("{code}: not here"));
        }
        assert_eq!(kind_of_code("SubscriptionRequiredException"), ErrorKind::NotOffered);
        let bare = HttpResponse::new(404.try_into().unwrap(), SdkBody::empty());
        let err = SdkError::service_error(GetCallerIdentityError::generic(ErrorMetadata::builder().build()), bare);
        let collected = identity(&err);
        assert_eq!(collected.kind, ErrorKind::NotOffered);
        assert_eq!(collected.message, "HTTP 404 with no AWS error code");
        assert_eq!(collected.headline(), "sts:GetCallerIdentity in us-east-1 failed (not offered in this region)");
    }
}
