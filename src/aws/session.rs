//! The SDK configuration for one scan: credentials from the standard chain,
//! retries, timeouts and an optional endpoint override for emulators.

use std::sync::Arc;
use std::time::Duration;

use aws_config::ecs::EcsCredentialsProvider;
use aws_config::imds::credentials::ImdsCredentialsProvider;
use aws_config::meta::credentials::CredentialsProviderChain;
use aws_config::profile::ProfileFileCredentialsProvider;
use aws_config::provider_config::ProviderConfig;
use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::web_identity_token::WebIdentityTokenCredentialsProvider;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_runtime::env_config::file::{EnvConfigFileKind, EnvConfigFiles};
use aws_sdk_sts::config::SharedCredentialsProvider;
use aws_smithy_async::rt::sleep::SharedAsyncSleep;
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::{Connector, ConnectorBuilder, tls};
use aws_smithy_runtime_api::client::http::{HttpConnectorSettings, SharedHttpClient};
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{
    ClassifyRetry, RetryAction, RetryClassifierPriority, RetryReason,
};
use aws_smithy_types::retry::ErrorKind;
use aws_types::os_shim_internal::{Env, Fs};

use super::Service;
use super::blob::{self, BlobFetcher};
use super::endpoint_limit;
use super::error::connection_refused;
use super::ledger::{AttemptCounter, CallLedger};
use crate::usage::UsageError;

/// Where to send global calls (STS, IAM, DescribeRegions) when neither the
/// command line nor the profile names a region.
pub const FALLBACK_REGION: &str = "us-east-1";

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum RetryMode {
    /// Exponential backoff with jitter for throttling and transient errors.
    Standard,
    /// Standard, plus a client-side rate limiter that slows down under throttling.
    Adaptive,
}

#[derive(Debug, Clone)]
pub struct SessionOptions {
    pub profile: Option<String>,
    pub region: Option<String>,
    pub endpoint_url: Option<String>,
    pub retry_mode: RetryMode,
    pub max_attempts: u32,
    pub connect_timeout: Duration,
    pub operation_timeout: Duration,
}

/// How a role is assumed: `--role-session-name`, `--external-id`, `--role-duration`.
#[derive(Debug, Clone)]
pub struct RoleSession {
    pub session_name: String,
    pub external_id: Option<String>,
    /// `None`: STS's default, one hour.
    pub duration: Option<Duration>,
}

/// The loaded SDK configuration; clients for any region are derived from it.
#[derive(Debug, Clone)]
pub struct Session {
    base: SdkConfig,
    /// Where every client's attempts are counted.
    ledger: Arc<CallLedger>,
    /// For the presigned GETs of image config blobs.
    blobs: BlobFetcher,
}

impl Session {
    /// The SDK configuration for `options`. `--profile` names a profile of
    /// the config files, or it is a usage error naming those there are.
    pub async fn load(options: &SessionOptions, ledger: Arc<CallLedger>) -> anyhow::Result<Session> {
        if let Some(profile) = &options.profile {
            check_profile_exists(profile).await?;
        }
        let retry = match options.retry_mode {
            RetryMode::Standard => RetryConfig::standard(),
            RetryMode::Adaptive => RetryConfig::adaptive(),
        }
        .with_max_attempts(options.max_attempts);
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(options.connect_timeout)
            .operation_attempt_timeout(options.operation_timeout)
            .build();

        let http = shared_https_client();
        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(retry.clone())
            .timeout_config(timeouts.clone())
            .http_client(http.clone());
        if let Some(profile) = &options.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &options.region {
            loader = loader.region(Region::new(region.clone()));
        }
        // Without --endpoint-url the SDK still honours AWS_ENDPOINT_URL and
        // AWS_ENDPOINT_URL_<SERVICE> on its own.
        let mut files = EnvConfigFiles::default();
        if let Some(endpoint) = &options.endpoint_url {
            loader = loader.endpoint_url(endpoint);
            if let Some(with_endpoint) = profile_files_with_endpoint(options.profile.as_deref(), endpoint).await {
                files = with_endpoint.clone();
                loader = loader.profile_files(with_endpoint);
            }
        }
        let mut base = loader.load().await;
        if base.region().is_none() {
            // Every call fails with "missing signing region" otherwise.
            base = base.into_builder().region(Region::new(FALLBACK_REGION)).build();
        }
        if let Some(profile) = &options.profile {
            let provider = ProviderConfig::without_region()
                .with_region(base.region().cloned())
                .with_http_client(http)
                .with_retry_config(retry)
                .with_timeout_config(timeouts)
                .with_behavior_version(Some(BehaviorVersion::latest()));
            let chain = named_profile_chain(&provider, profile, files);
            base = base.into_builder().credentials_provider(SharedCredentialsProvider::new(chain)).build();
        }
        let blobs = blob_fetcher(options, &base);
        Ok(Session { base, ledger, blobs })
    }

    /// What reads image config blobs from their presigned URLs.
    pub fn blob_fetcher(&self) -> BlobFetcher {
        self.blobs.clone()
    }

    /// The same settings with the credentials of `role_arn`, assumed
    /// through STS with this session's credentials.
    ///
    /// Renewal needs nothing here: `AssumeRoleProvider` caches nothing and
    /// calls AssumeRole whenever asked, and what asks is the identity cache
    /// of `base` (aws-config's default lazy cache, shared by every client
    /// made from this session), which asks again shortly (10 s plus jitter)
    /// before the credentials expire. A scan longer than `duration` thus
    /// gets a fresh session per account, one AssumeRole each time.
    pub async fn assume_role(&self, role_arn: &str, role: &RoleSession) -> Session {
        let mut builder = aws_config::sts::AssumeRoleProvider::builder(role_arn)
            .session_name(&role.session_name)
            .configure(&self.base);
        if let Some(external_id) = &role.external_id {
            builder = builder.external_id(external_id);
        }
        if let Some(duration) = role.duration {
            builder = builder.session_length(duration);
        }
        let provider = builder.build().await;
        let base = self.base.to_builder().credentials_provider(SharedCredentialsProvider::new(provider)).build();
        Session { base, ledger: self.ledger.clone(), blobs: self.blobs.clone() }
    }

    /// The region global calls go to.
    pub fn home_region(&self) -> &str {
        self.base.region().map(Region::as_ref).unwrap_or(FALLBACK_REGION)
    }

    pub fn config_for(&self, region: &str) -> SdkConfig {
        self.base.to_builder().region(Region::new(region.to_owned())).build()
    }

    /// A client of one service in `region`, its attempts counted in the ledger.
    pub fn client<C: ServiceClient>(&self, region: &str) -> C {
        C::counted(&self.config_for(region), AttemptCounter::new(self.ledger.clone(), C::SERVICE, region))
    }
}

/// `--endpoint-url` as the SDK takes it: `http://` or `https://`, a host,
/// maybe a port and a path. Without a scheme the SDK would fail every call
/// only once it is made, after its retries.
pub fn parse_endpoint_url(url: &str) -> Result<String, String> {
    if blob::http_host(url).is_some() && !url.contains(char::is_whitespace) {
        Ok(url.to_owned())
    } else {
        Err("a URL with its scheme and host, such as http://127.0.0.1:4566 or https://sts.example.com".to_owned())
    }
}

/// The fetcher of image config blobs. AWS hands out https URLs, and
/// nothing else is accepted from it; an emulator's are plain http, accepted
/// only on the host of the endpoint the scan was pointed at
/// (`--endpoint-url`, `AWS_ENDPOINT_URL_ECR`, `AWS_ENDPOINT_URL`, the
/// profile's `endpoint_url`).
fn blob_fetcher(options: &SessionOptions, base: &SdkConfig) -> BlobFetcher {
    let from_env = ["AWS_ENDPOINT_URL_ECR", "AWS_ENDPOINT_URL"].map(|name| std::env::var(name).ok());
    let mut http_hosts: Vec<String> = [options.endpoint_url.clone(), base.endpoint_url().map(str::to_owned)]
        .into_iter()
        .chain(from_env)
        .flatten()
        .filter_map(|endpoint| blob::http_host(&endpoint))
        .collect();
    http_hosts.sort();
    http_hosts.dedup();
    let settings = HttpConnectorSettings::builder()
        .connect_timeout(options.connect_timeout)
        .read_timeout(options.operation_timeout)
        .build();
    BlobFetcher::new(https_connector(Some(&settings), base.sleep_impl()), http_hosts, options.operation_timeout)
}

/// `--profile NAME` must name a profile of the config files: the SDK would
/// otherwise find no credentials in it at the first call (or, before the
/// profile won over the environment, use the environment's silently).
async fn check_profile_exists(profile: &str) -> Result<(), UsageError> {
    let files = EnvConfigFiles::default();
    let loaded = aws_config::profile::load(&Fs::real(), &Env::real(), &files, Some(profile.to_owned().into())).await;
    let paths = || {
        let path = |variable: &str, default: &str| std::env::var(variable).unwrap_or_else(|_| default.to_owned());
        format!(
            "{} or {}",
            path("AWS_CONFIG_FILE", "~/.aws/config"),
            path("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials")
        )
    };
    let profiles = loaded.map_err(|err| {
        UsageError::new(format!("--profile {profile}: the AWS config files ({}) could not be read: {err}", paths()))
    })?;
    if profiles.get_profile(profile).is_some() {
        return Ok(());
    }
    let mut names: Vec<&str> = profiles.profiles().collect();
    names.sort_unstable();
    let there = if names.is_empty() { "they hold none".to_owned() } else { format!("they hold {}", names.join(", ")) };
    Err(UsageError::new(format!("--profile {profile}: no such profile in {}; {there}", paths())))
}

/// The standard credential chain without its first link, the environment:
/// as with the AWS CLI, a profile named on the command line wins over
/// `AWS_ACCESS_KEY_ID` and the rest (a profile that asks for them with
/// `credential_source = Environment` still gets them). The other links are
/// the SDK's, in its order.
fn named_profile_chain(provider: &ProviderConfig, profile: &str, files: EnvConfigFiles) -> CredentialsProviderChain {
    let profile = ProfileFileCredentialsProvider::builder()
        .configure(provider)
        .profile_name(profile)
        .profile_files(files)
        .build();
    CredentialsProviderChain::first_try("Profile", profile)
        .or_else("WebIdentityToken", WebIdentityTokenCredentialsProvider::builder().configure(provider).build())
        .or_else("EcsContainer", EcsCredentialsProvider::builder().configure(provider).build())
        .or_else("Ec2InstanceMetadata", ImdsCredentialsProvider::builder().configure(provider).build())
}

/// The AWS config files as the SDK reads them, plus one more in memory that
/// sets `endpoint_url` on the selected profile.
///
/// `ConfigLoader::endpoint_url` reaches the service clients only: the
/// credential providers (STS for `role_arn` and web identity, SSO and its
/// token refresh) build clients of their own from the environment and the
/// selected profile, so with the flag alone a role profile's AssumeRole went
/// to the real STS. aws-config offers no other way in (its `env` override is
/// test-only), and a profile's `endpoint_url` is exactly what those clients
/// read. `AWS_ENDPOINT_URL`/`AWS_ENDPOINT_URL_<SERVICE>` in the environment
/// still win over it for those clients, as the SDK orders them.
///
/// `None` (the files as they are) when the profile was named (--profile,
/// AWS_PROFILE) but is not in the files: the SDK then reports the missing
/// profile itself, rather than a profile we made up with no credentials.
async fn profile_files_with_endpoint(profile: Option<&str>, endpoint: &str) -> Option<EnvConfigFiles> {
    let named = profile.map(str::to_owned).or_else(|| std::env::var("AWS_PROFILE").ok().filter(|p| !p.is_empty()));
    let name = named.clone().unwrap_or_else(|| "default".to_owned());
    if named.is_some() {
        let files = EnvConfigFiles::default();
        let profiles = aws_config::profile::load(&Fs::real(), &Env::real(), &files, Some(name.clone().into())).await;
        if !profiles.is_ok_and(|profiles| profiles.get_profile(&name).is_some()) {
            return None;
        }
    }
    Some(
        EnvConfigFiles::builder()
            .include_default_config_file(true)
            .include_default_credentials_file(true)
            .with_contents(EnvConfigFileKind::Config, endpoint_overlay(&name, endpoint)?)
            .build(),
    )
}

/// `[profile NAME]` (`[default]`) with `endpoint_url`; `None` when either
/// would not survive the config file syntax.
fn endpoint_overlay(profile: &str, endpoint: &str) -> Option<String> {
    let plain = |text: &str| !text.is_empty() && !text.contains(['\n', '\r', '[', ']', '#', ';']);
    if !plain(profile) || profile.contains(char::is_whitespace) || !plain(endpoint) {
        return None;
    }
    let header = if profile == "default" { "[default]".to_owned() } else { format!("[profile {profile}]") };
    Some(format!("{header}\nendpoint_url = {endpoint}\n"))
}

/// One HTTP client for every service client of the scan, built as the SDK
/// builds its default (hyper 1, rustls with aws-lc, proxy from the
/// environment). Left to itself the SDK builds one per service client, each
/// reading and parsing the system's root certificates and keeping its own
/// connection pool: six services times every region.
fn shared_https_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new().build_with_connector_fn(|settings, runtime_components| {
        https_connector(settings, runtime_components.and_then(|components| components.sleep_impl()))
    })
}

/// The connector the SDK builds by default: hyper 1, rustls with aws-lc,
/// the proxy from the environment.
fn https_connector(settings: Option<&HttpConnectorSettings>, sleep: Option<SharedAsyncSleep>) -> Connector {
    let mut connector =
        ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc));
    connector.set_connector_settings(settings.cloned());
    connector.set_sleep_impl(sleep);
    connector.set_proxy_config(Some(ProxyConfig::from_env()));
    connector.build()
}

/// An SDK client that can carry the attempt counter.
///
/// Each client gets a retry partition of its own (service and region) with
/// no retry quota: the SDK's default quota, 500 tokens shared by every
/// client of a service, ran dry under sustained throttling and made calls
/// fail before their `--max-attempts`. Attempts stay bounded by
/// `--max-attempts` and the call gate, and each retry still backs off.
pub trait ServiceClient {
    const SERVICE: Service;
    fn counted(config: &SdkConfig, counter: AttemptCounter) -> Self;
}

macro_rules! service_client {
    ($($krate:ident => $service:expr $(, with $tweak:path)?);* $(;)?) => {$(
        impl ServiceClient for $krate::Client {
            const SERVICE: Service = $service;
            fn counted(config: &SdkConfig, counter: AttemptCounter) -> Self {
                use $krate::config::retry::{RetryPartition, TokenBucket};
                let region = config.region().map(|region| region.as_ref().to_owned()).unwrap_or_default();
                let _overridden = config.endpoint_url().is_some();
                let partition = RetryPartition::custom(format!("bulkhead-{}-{region}", Self::SERVICE))
                    .token_bucket(TokenBucket::unlimited())
                    .build();
                let config = $krate::config::Builder::from(config)
                    .interceptor(counter)
                    .retry_partition(partition)
                    .retry_classifier(RefusedIsFinal)
                    .retry_classifier(ThrottledRetriesArePaced);
                $(let config = $tweak(config, _overridden);)?
                $krate::Client::from_conf(config.build())
            }
        }
    )*};
}

/// A connection refused is not retried: nothing listens at that address,
/// and backing off will not make anything listen. Runs after the SDK's
/// classifiers, which would retry it as a transient error; a connection
/// dropped or reset after it was made is still theirs to retry.
#[derive(Debug)]
struct RefusedIsFinal;

impl ClassifyRetry for RefusedIsFinal {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        match ctx.output_or_error() {
            Some(Err(err)) if err.as_connector_error().is_some_and(|err| connection_refused(err)) => {
                RetryAction::RetryForbidden
            }
            _ => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "connection refused is final"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

/// A throttled call is retried at its turn of its operation's pace (see
/// [`super::pace`]) rather than after a backoff of its own: a retry sent
/// whenever its backoff ends spends the bucket's tokens that the paced
/// calls count on, and throttles them in turn. The SDK still decides
/// whether to retry (`--max-attempts`); this only says when.
#[derive(Debug)]
struct ThrottledRetriesArePaced;

impl ClassifyRetry for ThrottledRetriesArePaced {
    fn classify_retry(&self, _: &InterceptorContext) -> RetryAction {
        RetryAction::NoActionIndicated
    }

    fn classify_retry_v2(&self, _: &InterceptorContext, previous: &RetryAction) -> RetryAction {
        let RetryAction::RetryIndicated(RetryReason::RetryableError { kind: ErrorKind::ThrottlingError, .. }) =
            previous
        else {
            return RetryAction::NoActionIndicated;
        };
        match endpoint_limit::retry_turn() {
            Some(wait) => RetryAction::retryable_error_with_explicit_delay(ErrorKind::ThrottlingError, wait),
            None => RetryAction::NoActionIndicated,
        }
    }

    fn name(&self) -> &'static str {
        "throttled retries are paced"
    }

    fn priority(&self) -> RetryClassifierPriority {
        RetryClassifierPriority::run_after(RetryClassifierPriority::transient_error_classifier())
    }
}

service_client! {
    aws_sdk_sts => Service::Sts;
    aws_sdk_ec2 => Service::Ec2;
    aws_sdk_ecr => Service::Ecr;
    aws_sdk_ecs => Service::Ecs;
    aws_sdk_elasticloadbalancingv2 => Service::Elbv2;
    aws_sdk_iam => Service::Iam;
    aws_sdk_organizations => Service::Organizations;
    aws_sdk_cloudtrail => Service::Cloudtrail;
    aws_sdk_s3 => Service::S3, with path_style_where_overridden;
    aws_sdk_sns => Service::Sns;
    aws_sdk_securityhub => Service::SecurityHub;
    aws_sdk_wafv2 => Service::Wafv2;
    aws_sdk_eks => Service::Eks;
    aws_sdk_guardduty => Service::GuardDuty;
    aws_sdk_inspector2 => Service::Inspector2;
}

/// An emulator behind an overridden endpoint answers one host, not one
/// per bucket: S3 is addressed path-style there.
fn path_style_where_overridden(config: aws_sdk_s3::config::Builder, overridden: bool) -> aws_sdk_s3::config::Builder {
    config.force_path_style(overridden)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A throttled call's retry waits for its turn of the operation's
    /// pace; any other retry, or one outside a call, keeps the SDK's backoff.
    #[tokio::test]
    async fn throttled_retries_wait_for_their_turn_of_the_pace() {
        use aws_smithy_runtime_api::client::interceptors::context::Input;
        use endpoint_limit::{Answer, EndpointLimit, attempt_answered, attempt_sent, observed};

        let ctx = InterceptorContext::new(Input::erase(()));
        let classify = |previous: RetryAction| ThrottledRetriesArePaced.classify_retry_v2(&ctx, &previous);
        assert_eq!(classify(RetryAction::throttling_error()), RetryAction::NoActionIndicated, "outside a call");
        observed(EndpointLimit::new(8), "DescribeImages", async {
            attempt_sent();
            attempt_answered(Answer::Throttled);
            // Nothing answered before the throttle: the slowest pace, a turn every 4 s.
            let delay = |action: RetryAction| match action {
                RetryAction::RetryIndicated(RetryReason::RetryableError {
                    kind: ErrorKind::ThrottlingError,
                    retry_after: Some(delay),
                }) => delay,
                other => panic!("{other:?}"),
            };
            assert!(delay(classify(RetryAction::throttling_error())) < Duration::from_millis(100));
            let second = delay(classify(RetryAction::throttling_error()));
            assert!(second > Duration::from_millis(3900) && second <= Duration::from_secs(4), "{second:?}");
            assert_eq!(classify(RetryAction::server_error()), RetryAction::NoActionIndicated);
        })
        .await;
    }

    #[test]
    fn endpoints_have_a_scheme_and_a_host() {
        assert!(parse_endpoint_url("http://127.0.0.1:4566").is_ok());
        assert!(parse_endpoint_url("https://localhost.localstack.cloud:4566/").is_ok());
        for wrong in ["127.0.0.1:6201", "localhost", "ftp://127.0.0.1", "http://", "http://a b", ""] {
            assert!(parse_endpoint_url(wrong).is_err(), "{wrong}");
        }
    }

    #[test]
    fn the_overlay_names_the_profile_as_config_files_do() {
        assert_eq!(
            endpoint_overlay("default", "http://127.0.0.1:4566").as_deref(),
            Some("[default]\nendpoint_url = http://127.0.0.1:4566\n")
        );
        assert_eq!(
            endpoint_overlay("audit", "http://localhost:5000").as_deref(),
            Some("[profile audit]\nendpoint_url = http://localhost:5000\n")
        );
        // Nothing that would change the file's structure.
        assert_eq!(endpoint_overlay("a b", "http://x"), None);
        assert_eq!(endpoint_overlay("audit", "http://x\n[profile other]"), None);
        assert_eq!(endpoint_overlay("", "http://x"), None);
    }
}
