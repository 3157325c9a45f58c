//! The SDK configuration for one scan: credentials from the standard chain,
//! retries, timeouts and an optional endpoint override for emulators.

use std::sync::Arc;
use std::time::Duration;

use aws_config::retry::RetryConfig;
use aws_config::timeout::TimeoutConfig;
use aws_config::{BehaviorVersion, Region, SdkConfig};
use aws_sdk_sts::config::SharedCredentialsProvider;
use aws_smithy_http_client::proxy::ProxyConfig;
use aws_smithy_http_client::{ConnectorBuilder, tls};
use aws_smithy_runtime_api::client::http::SharedHttpClient;

use super::Service;
use super::ledger::{AttemptCounter, CallLedger};

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

/// The loaded SDK configuration; clients for any region are derived from it.
#[derive(Debug, Clone)]
pub struct Session {
    base: SdkConfig,
    /// Where every client's attempts are counted.
    ledger: Arc<CallLedger>,
}

impl Session {
    pub async fn load(options: &SessionOptions, ledger: Arc<CallLedger>) -> Session {
        let retry = match options.retry_mode {
            RetryMode::Standard => RetryConfig::standard(),
            RetryMode::Adaptive => RetryConfig::adaptive(),
        }
        .with_max_attempts(options.max_attempts);
        let timeouts = TimeoutConfig::builder()
            .connect_timeout(options.connect_timeout)
            .operation_attempt_timeout(options.operation_timeout)
            .build();

        let mut loader = aws_config::defaults(BehaviorVersion::latest())
            .retry_config(retry)
            .timeout_config(timeouts)
            .http_client(shared_https_client());
        if let Some(profile) = &options.profile {
            loader = loader.profile_name(profile);
        }
        if let Some(region) = &options.region {
            loader = loader.region(Region::new(region.clone()));
        }
        // Without --endpoint-url the SDK still honours AWS_ENDPOINT_URL and
        // AWS_ENDPOINT_URL_<SERVICE> on its own.
        if let Some(endpoint) = &options.endpoint_url {
            loader = loader.endpoint_url(endpoint);
        }
        let mut base = loader.load().await;
        if base.region().is_none() {
            // Every call fails with "missing signing region" otherwise.
            base = base.into_builder().region(Region::new(FALLBACK_REGION)).build();
        }
        Session { base, ledger }
    }

    /// The same settings with the credentials of `role_arn`, assumed (and
    /// refreshed) through STS with this session's credentials.
    pub async fn assume_role(&self, role_arn: &str) -> Session {
        let provider = aws_config::sts::AssumeRoleProvider::builder(role_arn)
            .session_name("bulkhead")
            .configure(&self.base)
            .build()
            .await;
        let base = self.base.to_builder().credentials_provider(SharedCredentialsProvider::new(provider)).build();
        Session { base, ledger: self.ledger.clone() }
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

/// One HTTP client for every service client of the scan, built as the SDK
/// builds its default (hyper 1, rustls with aws-lc, proxy from the
/// environment). Left to itself the SDK builds one per service client, each
/// reading and parsing the system's root certificates and keeping its own
/// connection pool: six services times every region.
fn shared_https_client() -> SharedHttpClient {
    aws_smithy_http_client::Builder::new().build_with_connector_fn(|settings, runtime_components| {
        let mut connector =
            ConnectorBuilder::default().tls_provider(tls::Provider::Rustls(tls::rustls_provider::CryptoMode::AwsLc));
        connector.set_connector_settings(settings.cloned());
        if let Some(components) = runtime_components {
            connector.set_sleep_impl(components.sleep_impl());
        }
        connector.set_proxy_config(Some(ProxyConfig::from_env()));
        connector.build()
    })
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
    ($($krate:ident => $service:expr),* $(,)?) => {$(
        impl ServiceClient for $krate::Client {
            const SERVICE: Service = $service;
            fn counted(config: &SdkConfig, counter: AttemptCounter) -> Self {
                use $krate::config::retry::{RetryPartition, TokenBucket};
                let region = config.region().map(|region| region.as_ref().to_owned()).unwrap_or_default();
                let partition = RetryPartition::custom(format!("bulkhead-{}-{region}", Self::SERVICE))
                    .token_bucket(TokenBucket::unlimited())
                    .build();
                let config = $krate::config::Builder::from(config).interceptor(counter).retry_partition(partition);
                $krate::Client::from_conf(config.build())
            }
        }
    )*};
}

service_client! {
    aws_sdk_sts => Service::Sts,
    aws_sdk_ec2 => Service::Ec2,
    aws_sdk_ecr => Service::Ecr,
    aws_sdk_ecs => Service::Ecs,
    aws_sdk_iam => Service::Iam,
    aws_sdk_cloudtrail => Service::Cloudtrail,
}
