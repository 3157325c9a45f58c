//! IAM inventory: global, collected once per account (not per region).
//!
//! Per-user facts (console password, MFA, access key ages and last use) come
//! from the credential report, one call for all users instead of four per
//! user. Dates are kept as the report prints them and as timestamps, and
//! the time the report was fetched is the "now" ages are measured against,
//! so checks stay pure and a saved inventory re-evaluates to the same result.

use crate::aws::chain::{self, join_all};
use aws_sdk_iam::Client;
use aws_sdk_iam::operation::get_credential_report::GetCredentialReportError;
use aws_sdk_iam::types::{PolicyScopeType, SummaryKeyType};
use aws_smithy_runtime_api::client::interceptors::context::InterceptorContext;
use aws_smithy_runtime_api::client::retries::classifiers::{ClassifyRetry, RetryAction};
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::paginate::{CallSite, timestamp};
use super::{Collected, Needs, ResourceKind, requested};
use crate::aws::{CallGate, CollectError, ErrorKind, Service};

/// The credential report row of the root user.
pub const ROOT_ROW: &str = "<root_account>";

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct IamAccount {
    /// The region the global IAM calls went to; IAM findings carry it.
    pub region: String,
    pub summary: Collected<AccountSummary>,
    /// `Ok(None)`: the account has no password policy (`NoSuchEntity`).
    pub password_policy: Collected<Option<PasswordPolicy>>,
    pub credential_report: Collected<CredentialReport>,
    pub virtual_mfa_devices: Collected<Vec<VirtualMfaDevice>>,
    /// Customer managed policies attached to something (`Scope=Local`).
    pub customer_policies: Collected<Vec<ManagedPolicy>>,
    /// AWS managed policies attached to something (`Scope=AWS`).
    pub aws_policies: Collected<Vec<ManagedPolicy>>,
    /// The account's alias (`ListAccountAliases`; an account has at most
    /// one), `Ok(None)` when it has none. Collected for every scan, whatever
    /// the checks: it names the account in the reports. No verdict reads it,
    /// so a failed call is not a collection error (it leaves the scan
    /// complete); the reports then name the account by its id.
    #[serde(default)]
    pub account_alias: Collected<Option<String>>,
}

impl IamAccount {
    /// The account's alias, when it has one and the call succeeded.
    pub fn alias(&self) -> Option<&str> {
        match &self.account_alias {
            Collected::Ok(Some(alias)) => Some(alias),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccountSummary {
    /// `AccountMFAEnabled`: 1 when the root user has an MFA device.
    pub account_mfa_enabled: Option<i32>,
    /// `AccountAccessKeysPresent`: 1 when the root user has an access key.
    pub account_access_keys_present: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PasswordPolicy {
    pub minimum_password_length: Option<i32>,
    pub require_symbols: bool,
    pub require_numbers: bool,
    pub require_uppercase_characters: bool,
    pub require_lowercase_characters: bool,
    pub expire_passwords: bool,
    pub max_password_age: Option<i32>,
    pub password_reuse_prevention: Option<i32>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialReport {
    /// When IAM says it generated the report. Not used as "now": some
    /// endpoints (moto) report a fixed date.
    pub generated_at: Option<Timestamp>,
    /// When the collector fetched the report: ages are measured from it, so
    /// a saved inventory re-evaluates to the same result.
    pub fetched_at: Timestamp,
    pub rows: Vec<CredentialReportRow>,
}

impl CredentialReport {
    pub fn root(&self) -> Option<&CredentialReportRow> {
        self.rows.iter().find(|row| row.user == ROOT_ROW)
    }

    pub fn users(&self) -> impl Iterator<Item = &CredentialReportRow> {
        self.rows.iter().filter(|row| row.user != ROOT_ROW)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CredentialReportRow {
    pub user: String,
    pub arn: String,
    pub password_enabled: bool,
    pub mfa_active: bool,
    pub access_keys: Vec<AccessKeyReport>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessKeyReport {
    /// 1 or 2, the report's column number.
    pub slot: u8,
    pub active: bool,
    pub last_rotated: ReportDate,
    pub last_used: ReportDate,
}

/// A report date column: `N/A` (and the like) is `None`; text that is not a
/// date is kept with `at` unset, so a check can say it cannot judge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ReportDate {
    pub text: String,
    pub at: Option<Timestamp>,
}

impl ReportDate {
    pub fn parse(text: &str) -> ReportDate {
        ReportDate { text: text.to_owned(), at: parse_report_date(text) }
    }

    /// `N/A`, `no_information`, `not_supported`: no date was ever recorded.
    pub fn is_absent(&self) -> bool {
        matches!(self.text.as_str(), "" | "N/A" | "no_information" | "not_supported")
    }
}

super::resource!(CredentialReportRow, user, arn);

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VirtualMfaDevice {
    pub serial_number: String,
    /// The ARN of the user it is assigned to (the root user's is `arn:...:root`).
    pub user_arn: Option<String>,
    pub enabled: bool,
}

impl VirtualMfaDevice {
    /// Assigned to the root user: AWS names the root device
    /// `arn:aws:iam::<account>:mfa/root-account-mfa-device`, and lists it
    /// with the root user's ARN.
    pub fn is_root(&self) -> bool {
        self.serial_number.ends_with("root-account-mfa-device")
            || self.user_arn.as_deref().is_some_and(|arn| arn.ends_with(":root"))
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ManagedPolicy {
    pub name: String,
    pub arn: String,
    pub default_version_id: String,
    pub attachment_count: i32,
    /// The default version's document, as JSON text (decoded).
    pub document: Collected<String>,
}

super::resource!(ManagedPolicy, name, arn);

pub async fn collect(client: &Client, gate: &CallGate, region: &str, needs: &Needs) -> IamAccount {
    use ResourceKind as K;
    let policies = needs.wants(K::IamPolicies);
    let (
        (summary, password_policy, credential_report, virtual_mfa_devices, customer_policies, aws_policies),
        account_alias,
    ) = futures::join!(
        collect_for_checks(client, gate, region, needs, policies),
        chain::branch(account_alias(client, gate, region)),
    );
    IamAccount {
        region: region.to_owned(),
        summary,
        password_policy,
        credential_report,
        virtual_mfa_devices,
        customer_policies,
        aws_policies,
        account_alias: account_alias.into(),
    }
}

type ForChecks = (
    Collected<AccountSummary>,
    Collected<Option<PasswordPolicy>>,
    Collected<CredentialReport>,
    Collected<Vec<VirtualMfaDevice>>,
    Collected<Vec<ManagedPolicy>>,
    Collected<Vec<ManagedPolicy>>,
);

async fn collect_for_checks(
    client: &Client,
    gate: &CallGate,
    region: &str,
    needs: &Needs,
    policies: bool,
) -> ForChecks {
    use ResourceKind as K;
    futures::join!(
        requested(needs.wants(K::IamAccountSummary), account_summary(client, gate, region)),
        requested(needs.wants(K::IamPasswordPolicy), password_policy(client, gate, region)),
        requested(needs.wants(K::IamCredentialReport), credential_report(client, gate, region)),
        requested(needs.wants(K::IamVirtualMfaDevices), virtual_mfa_devices(client, gate, region)),
        requested(policies, attached_policies(client, gate, region, PolicyScopeType::Local)),
        requested(policies, attached_policies(client, gate, region, PolicyScopeType::Aws)),
    )
}

/// `ListAccountAliases`: the account's alias, if it has one. A failure is
/// logged and kept in the inventory; it fails no check.
async fn account_alias(client: &Client, gate: &CallGate, region: &str) -> Result<Option<String>, CollectError> {
    let site = CallSite { gate, service: Service::Iam, region, operation: "ListAccountAliases" };
    let result = site.once(|| client.list_account_aliases().send()).await;
    match result {
        Ok(output) => Ok(output.account_aliases().first().cloned()),
        Err(err) => {
            tracing::warn!(error = %err, "could not read the account alias; the reports name the account by its id");
            Err(err)
        }
    }
}

async fn account_summary(client: &Client, gate: &CallGate, region: &str) -> Result<AccountSummary, CollectError> {
    let site = CallSite { gate, service: Service::Iam, region, operation: "GetAccountSummary" };
    let output = site.once(|| client.get_account_summary().send()).await?;
    let map = output.summary_map();
    let value = |key: SummaryKeyType| map.and_then(|map| map.get(&key).copied());
    Ok(AccountSummary {
        account_mfa_enabled: value(SummaryKeyType::AccountMfaEnabled),
        account_access_keys_present: value(SummaryKeyType::AccountAccessKeysPresent),
    })
}

async fn password_policy(
    client: &Client,
    gate: &CallGate,
    region: &str,
) -> Result<Option<PasswordPolicy>, CollectError> {
    let site = CallSite { gate, service: Service::Iam, region, operation: "GetAccountPasswordPolicy" };
    // No policy at all is an answer (the checks FAIL it), not an error.
    let output = site
        .unless_absent(|| client.get_account_password_policy().send(), |err| err.is_no_such_entity_exception())
        .await?;
    Ok(output.and_then(|output| {
        output.password_policy().map(|policy| PasswordPolicy {
            minimum_password_length: policy.minimum_password_length(),
            require_symbols: policy.require_symbols(),
            require_numbers: policy.require_numbers(),
            require_uppercase_characters: policy.require_uppercase_characters(),
            require_lowercase_characters: policy.require_lowercase_characters(),
            expire_passwords: policy.expire_passwords(),
            max_password_age: policy.max_password_age(),
            password_reuse_prevention: policy.password_reuse_prevention(),
        })
    }))
}

async fn credential_report(client: &Client, gate: &CallGate, region: &str) -> Result<CredentialReport, CollectError> {
    let generate = CallSite { gate, service: Service::Iam, region, operation: "GenerateCredentialReport" };
    let get = CallSite { operation: "GetCredentialReport", ..generate };
    generate.once(|| client.generate_credential_report().send()).await?;
    // IAM builds the report asynchronously; a report not ready yet is retried
    // by the SDK's own retry strategy (backoff, --max-attempts), not a loop here.
    let output = get
        .once(|| {
            client
                .get_credential_report()
                .customize()
                .config_override(aws_sdk_iam::config::Builder::default().retry_classifier(ReportNotReadyYet))
                .send()
        })
        .await?;
    let fetched_at = Timestamp::now();
    let malformed =
        |why: &str| CollectError::new(Service::Iam, get.operation, region, ErrorKind::MalformedResponse, why);
    let content = output.content().ok_or_else(|| malformed("the answer has no report content"))?;
    let text = std::str::from_utf8(content.as_ref()).map_err(|_| malformed("the report is not UTF-8 text"))?;
    let rows = parse_credential_report(text).map_err(|why| malformed(&why))?;
    Ok(CredentialReport { generated_at: output.generated_time().and_then(timestamp), fetched_at, rows })
}

/// Classifies "the credential report is not ready yet" as a transient error
/// for `GetCredentialReport`, so the SDK retries it with backoff.
#[derive(Debug)]
struct ReportNotReadyYet;

impl ClassifyRetry for ReportNotReadyYet {
    fn classify_retry(&self, ctx: &InterceptorContext) -> RetryAction {
        let Some(Err(error)) = ctx.output_or_error() else {
            return RetryAction::NoActionIndicated;
        };
        let not_ready = error
            .as_operation_error()
            .and_then(|error| error.downcast_ref::<GetCredentialReportError>())
            .is_some_and(|error| {
                error.is_credential_report_not_ready_exception()
                    || error.is_credential_report_not_present_exception()
                    || error.is_credential_report_expired_exception()
            });
        if not_ready { RetryAction::transient_error() } else { RetryAction::NoActionIndicated }
    }

    fn name(&self) -> &'static str {
        "credential report not ready yet"
    }
}

/// Parses the report's CSV by its header names (AWS has added columns over
/// the years; positions are not stable). Fields never contain commas.
pub fn parse_credential_report(text: &str) -> Result<Vec<CredentialReportRow>, String> {
    let mut lines = text.lines().filter(|line| !line.trim().is_empty());
    let header: Vec<&str> = lines.next().ok_or("the report is empty")?.split(',').map(str::trim).collect();
    let column = |name: &str| header.iter().position(|column| *column == name);
    let required = |name: &str| column(name).ok_or_else(|| format!("the report has no {name} column"));
    let (user, arn, password, mfa) =
        (required("user")?, required("arn")?, required("password_enabled")?, required("mfa_active")?);
    let slots: Vec<(u8, usize, usize, usize)> = (1..=2u8)
        .filter_map(|slot| {
            Some((
                slot,
                column(&format!("access_key_{slot}_active"))?,
                column(&format!("access_key_{slot}_last_rotated"))?,
                column(&format!("access_key_{slot}_last_used_date"))?,
            ))
        })
        .collect();
    let mut rows = Vec::new();
    for (number, line) in lines.enumerate() {
        let fields: Vec<&str> = line.split(',').map(str::trim).collect();
        let field = |index: usize| {
            fields.get(index).copied().ok_or_else(|| format!("row {} has fewer columns than the header", number + 1))
        };
        let access_keys = slots
            .iter()
            .map(|&(slot, active, rotated, used)| {
                Ok(AccessKeyReport {
                    slot,
                    active: field(active)? == "true",
                    last_rotated: ReportDate::parse(field(rotated)?),
                    last_used: ReportDate::parse(field(used)?),
                })
            })
            .collect::<Result<Vec<_>, String>>()?;
        rows.push(CredentialReportRow {
            user: field(user)?.to_owned(),
            arn: field(arn)?.to_owned(),
            password_enabled: field(password)? == "true",
            mfa_active: field(mfa)? == "true",
            access_keys,
        });
    }
    Ok(rows)
}

/// `2014-09-01T22:28:48+00:00` (AWS) or `...Z`.
pub fn parse_report_date(text: &str) -> Option<Timestamp> {
    text.parse().ok()
}

async fn virtual_mfa_devices(
    client: &Client,
    gate: &CallGate,
    region: &str,
) -> Result<Vec<VirtualMfaDevice>, CollectError> {
    let site = CallSite { gate, service: Service::Iam, region, operation: "ListVirtualMFADevices" };
    site.all_pages(
        |marker| client.list_virtual_mfa_devices().set_marker(marker).max_items(1000).send(),
        |page| {
            let devices = page
                .virtual_mfa_devices()
                .iter()
                .map(|device| VirtualMfaDevice {
                    serial_number: device.serial_number().to_owned(),
                    user_arn: device.user().map(|user| user.arn().to_owned()),
                    enabled: device.enable_date().is_some(),
                })
                .collect();
            (devices, page.is_truncated().then(|| page.marker().map(str::to_owned)).flatten())
        },
    )
    .await
}

async fn attached_policies(
    client: &Client,
    gate: &CallGate,
    region: &str,
    scope: PolicyScopeType,
) -> Result<Vec<ManagedPolicy>, CollectError> {
    let site = CallSite { gate, service: Service::Iam, region, operation: "ListPolicies" };
    let listed = site
        .all_pages(
            |marker| {
                client
                    .list_policies()
                    .scope(scope.clone())
                    .only_attached(true)
                    .set_marker(marker)
                    .max_items(1000)
                    .send()
            },
            |page| (page.policies().to_vec(), page.is_truncated().then(|| page.marker().map(str::to_owned)).flatten()),
        )
        .await?;
    let version = CallSite { operation: "GetPolicyVersion", ..site };
    let policies = listed.iter().map(|policy| async move {
        let arn = policy.arn().unwrap_or_default().to_owned();
        let default_version_id = policy.default_version_id().unwrap_or_default().to_owned();
        let document = version
            .once(|| client.get_policy_version().policy_arn(&arn).version_id(&default_version_id).send())
            .await
            .and_then(|output| {
                output.policy_version().and_then(|version| version.document()).map(str::to_owned).ok_or_else(|| {
                    CollectError::new(
                        Service::Iam,
                        version.operation,
                        region,
                        ErrorKind::MalformedResponse,
                        format!("no document in the default version of {arn}"),
                    )
                })
            });
        ManagedPolicy {
            name: policy.policy_name().unwrap_or_default().to_owned(),
            attachment_count: policy.attachment_count().unwrap_or_default(),
            arn,
            default_version_id,
            document: document.into(),
        }
    });
    Ok(join_all(policies).await)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn credential_report_is_read_by_column_name() {
        let report = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated
<root_account>,arn:aws:iam::111111111111:root,2020-01-01T00:00:00+00:00,not_supported,2024-01-01T00:00:00+00:00,not_supported,not_supported,true,false,N/A,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
alice,arn:aws:iam::111111111111:user/alice,2024-01-01T00:00:00+00:00,true,no_information,N/A,N/A,false,true,2024-01-02T03:04:05+00:00,N/A,N/A,N/A,false,N/A,N/A,N/A,N/A,false,N/A,false,N/A
";
        let rows = parse_credential_report(report).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].user, ROOT_ROW);
        assert!(rows[0].mfa_active);
        let alice = &rows[1];
        assert!(alice.password_enabled && !alice.mfa_active);
        assert!(alice.access_keys[0].active && !alice.access_keys[1].active);
        assert_eq!(alice.access_keys[0].last_rotated.at.map(|at| at.as_second()), Some(1_704_164_645));
        assert!(alice.access_keys[0].last_used.is_absent());
        assert_eq!(alice.access_keys[0].last_used.at, None);
        assert!(parse_credential_report("user,arn\nbob").is_err());
    }

    #[test]
    fn report_dates_in_both_spellings() {
        assert_eq!(parse_report_date("1970-01-02T00:00:00+00:00").map(|at| at.as_second()), Some(86_400));
        assert_eq!(parse_report_date("1970-01-02T00:00:00Z").map(|at| at.as_second()), Some(86_400));
        assert_eq!(parse_report_date("N/A"), None);
    }
}

/// The report is retried by the SDK while IAM is still building it; the
/// emulator serves it at once, so SDK-level stubs cover this.
#[cfg(test)]
mod credential_report_retry_tests {
    use std::num::NonZeroUsize;
    use std::time::Duration;

    use aws_sdk_iam::config::{BehaviorVersion, Credentials, Region};
    use aws_sdk_iam::operation::generate_credential_report::GenerateCredentialReportOutput;
    use aws_sdk_iam::operation::get_credential_report::GetCredentialReportOutput;
    use aws_sdk_iam::primitives::Blob;
    use aws_smithy_mocks::{MockResponseInterceptor, Rule, RuleMode, create_mock_http_client, mock};
    use aws_smithy_types::retry::RetryConfig;

    use super::*;
    use crate::aws::ConcurrencyLimits;

    const REPORT: &str = "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date\nalice,arn:aws:iam::111122223333:user/alice,2026-01-01T00:00:00+00:00,true,N/A,N/A,N/A,true,false,N/A,N/A,false,N/A,N/A\n";

    fn client(rules: &[&Rule], attempts: u32) -> Client {
        let mut interceptor = MockResponseInterceptor::new().rule_mode(RuleMode::MatchAny);
        for rule in rules {
            interceptor = interceptor.with_rule(rule);
        }
        let config = aws_sdk_iam::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new("us-east-1"))
            .credentials_provider(Credentials::new("AKIDTEST", "secret", None, None, "stub"))
            .retry_config(
                RetryConfig::standard().with_max_attempts(attempts).with_initial_backoff(Duration::from_millis(1)),
            )
            .http_client(create_mock_http_client())
            .interceptor(interceptor)
            .build();
        Client::from_conf(config)
    }

    fn gate() -> CallGate {
        CallGate::new(ConcurrencyLimits {
            global: NonZeroUsize::new(4).unwrap(),
            per_endpoint: NonZeroUsize::new(2).unwrap(),
        })
    }

    fn in_progress() -> aws_smithy_runtime_api::http::Response {
        aws_smithy_runtime_api::http::Response::new(
            aws_smithy_runtime_api::http::StatusCode::try_from(404).unwrap(),
            aws_smithy_types::body::SdkBody::from(
                "<ErrorResponse><Error><Type>Sender</Type><Code>ReportInProgress</Code><Message>not yet</Message></Error></ErrorResponse>",
            ),
        )
    }

    fn rules() -> (Rule, Rule) {
        let generate =
            mock!(Client::generate_credential_report).then_output(|| GenerateCredentialReportOutput::builder().build());
        let get = mock!(Client::get_credential_report)
            .sequence()
            .http_response(in_progress)
            .times(2)
            .output(|| GetCredentialReportOutput::builder().content(Blob::new(REPORT)).build())
            .build();
        (generate, get)
    }

    #[tokio::test]
    async fn a_report_in_progress_is_retried_by_the_sdk() {
        let (generate, get) = rules();
        let report = credential_report(&client(&[&generate, &get], 5), &gate(), "us-east-1").await.unwrap();
        assert_eq!(report.rows.len(), 1);
        assert_eq!(get.num_calls(), 3, "two not-ready answers, then the report");
        assert_eq!(generate.num_calls(), 1);
    }

    #[tokio::test]
    async fn a_report_never_ready_is_an_error_within_max_attempts() {
        let (generate, get) = rules();
        let err = credential_report(&client(&[&generate, &get], 2), &gate(), "us-east-1").await.unwrap_err();
        assert_eq!(err.operation, "GetCredentialReport");
        assert!(err.message.contains("ReportInProgress"), "{err}");
    }
}
