//! How an error that ends bulkhead reads on the terminal: the outermost
//! context first, then one line per cause, then a hint where the cause is
//! one the person at the terminal can fix. Under `-v`, the SDK's whole error
//! too, as it came.

use std::fmt::Write as _;

use crate::aws::error::{CollectError, Remedy};

/// What the hints may refer to.
#[derive(Debug, Clone, Default)]
pub struct Setting {
    /// `--endpoint-url`, else `AWS_ENDPOINT_URL`: where the calls went.
    pub endpoint_url: Option<String>,
    /// `-v` given: print the SDK's full error chain as well.
    pub verbose: bool,
}

/// The whole text for stderr, `bulkhead: error: ` first, ending in a newline.
pub fn render(err: &anyhow::Error, setting: &Setting) -> String {
    let mut lines: Vec<String> = Vec::new();
    let mut failed: Option<&CollectError> = None;
    for layer in err.chain() {
        let own = match layer.downcast_ref::<CollectError>() {
            Some(call) => {
                failed.get_or_insert(call);
                let head = call.headline();
                std::iter::once(head).chain(call.causes()).collect()
            }
            // Its sources come next in the chain: this layer's own text only.
            None => vec![layer.to_string()],
        };
        for line in own {
            let line = line.trim_end().to_owned();
            if !line.is_empty() && !lines.iter().any(|seen| seen.contains(line.trim())) {
                lines.push(line);
            }
        }
    }

    let mut text = String::new();
    for (at, line) in lines.iter().enumerate() {
        let (lead, more) = if at == 0 { ("bulkhead: error: ", "    ") } else { ("  caused by: ", "      ") };
        let mut parts = line.lines();
        let _ = writeln!(text, "{lead}{}", parts.next().unwrap_or_default());
        for part in parts {
            let _ = writeln!(text, "{more}{}", part.trim());
        }
    }
    if let Some(call) = failed {
        if let Some(remedy) = call.remedy() {
            let _ = writeln!(text, "  hint: {}", hint(remedy, call, setting));
        }
        if setting.verbose && !call.detail().is_empty() {
            let _ = writeln!(text, "  the SDK's error: {}", call.detail());
        } else if !call.detail().is_empty() {
            text.push_str("  (-v prints the SDK's whole error)\n");
        }
    }
    text
}

fn hint(remedy: &Remedy, call: &CollectError, setting: &Setting) -> String {
    match remedy {
        Remedy::ProvideCredentials => "no AWS credentials were found. Set AWS_ACCESS_KEY_ID and \
             AWS_SECRET_ACCESS_KEY (and AWS_SESSION_TOKEN for temporary ones), or name a profile of \
             ~/.aws/config with --profile NAME or AWS_PROFILE; for an SSO profile run \
             `aws sso login --profile NAME` first."
            .to_owned(),
        Remedy::RenewCredentials => "AWS refused the credentials themselves (an unknown access key, a \
             wrong secret or an expired session token): renew them (`aws sso login`, a new session \
             token), and check that --profile / AWS_PROFILE names the profile you meant."
            .to_owned(),
        Remedy::GrantPermission(action) => format!(
            "the credentials may not call {action}. docs/iam-policy.json is the least-privilege policy \
             bulkhead needs (the AWS managed SecurityAudit policy covers all but ecr:BatchGetImage); \
             attach it to the principal that runs the scan."
        ),
        Remedy::CheckEndpoint { timed_out } => {
            let what = if *timed_out { "did not answer in time" } else { "could not be reached" };
            match &setting.endpoint_url {
                Some(endpoint) => format!(
                    "{endpoint} {what}: check --endpoint-url / AWS_ENDPOINT_URL (is the emulator \
                     running on that port?)."
                ),
                None => format!(
                    "the AWS endpoint of {} in {} {what}: check the region (--region, AWS_REGION, the \
                     profile's region), the network and any proxy (HTTPS_PROXY), and \
                     AWS_ENDPOINT_URL_{} / the profile's endpoint_url if set.{}",
                    call.service,
                    call.region,
                    call.service.as_str().to_uppercase(),
                    if *timed_out { " --connect-timeout and --operation-timeout set the limits." } else { "" }
                ),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::aws::error::Diagnosis;
    use crate::aws::{ErrorKind, Service};

    fn identity_error(kind: ErrorKind, causes: &[&str], remedy: Option<Remedy>) -> anyhow::Error {
        let mut err = CollectError::new(Service::Sts, "GetCallerIdentity", "us-east-1", kind, causes.join(": "));
        err.diagnosis = Some(Box::new(Diagnosis {
            causes: causes.iter().map(|cause| (*cause).to_owned()).collect(),
            remedy,
            detail: "dispatch failure: ... (DispatchFailure(DispatchFailure { source: ... }))".to_owned(),
        }));
        anyhow::Error::new(err).context("finding out which account the credentials belong to")
    }

    #[test]
    fn access_denied_names_the_action_and_the_policy() {
        let mut err = CollectError::new(
            Service::Ec2,
            "DescribeRegions",
            "us-east-1",
            ErrorKind::AccessDenied,
            "UnauthorizedOperation: You are not authorized to perform this operation.",
        );
        err.diagnosis = Some(Box::new(Diagnosis {
            remedy: Some(Remedy::GrantPermission("ec2:DescribeRegions".to_owned())),
            ..Diagnosis::default()
        }));
        let err =
            anyhow::Error::new(err).context("listing the account's enabled regions (pass --regions to skip this)");
        assert_eq!(
            render(&err, &Setting::default()),
            "bulkhead: error: listing the account's enabled regions (pass --regions to skip this)\n\
             \x20 caused by: ec2:DescribeRegions in us-east-1 failed (access denied)\n\
             \x20 caused by: UnauthorizedOperation: You are not authorized to perform this operation.\n\
             \x20 hint: the credentials may not call ec2:DescribeRegions. docs/iam-policy.json is the \
             least-privilege policy bulkhead needs (the AWS managed SecurityAudit policy covers all but \
             ecr:BatchGetImage); attach it to the principal that runs the scan.\n"
        );
    }

    #[test]
    fn an_unreachable_endpoint_is_named() {
        let err = identity_error(
            ErrorKind::Unreachable,
            &["tcp connect error", "Connection refused (os error 111)"],
            Some(Remedy::CheckEndpoint { timed_out: false }),
        );
        let setting = Setting { endpoint_url: Some("http://127.0.0.1:1".to_owned()), verbose: false };
        let text = render(&err, &setting);
        assert_eq!(
            text,
            "bulkhead: error: finding out which account the credentials belong to\n\
             \x20 caused by: sts:GetCallerIdentity in us-east-1 failed (endpoint unreachable)\n\
             \x20 caused by: tcp connect error\n\
             \x20 caused by: Connection refused (os error 111)\n\
             \x20 hint: http://127.0.0.1:1 could not be reached: check --endpoint-url / AWS_ENDPOINT_URL \
             (is the emulator running on that port?).\n\
             \x20 (-v prints the SDK's whole error)\n"
        );
        let without = render(&err, &Setting::default());
        assert!(without.contains("hint: the AWS endpoint of sts in us-east-1 could not be reached: check the region"));
        let verbose = render(&err, &Setting { verbose: true, ..setting });
        assert!(verbose.contains("the SDK's error: dispatch failure: ... (DispatchFailure("), "{verbose}");
        assert!(!verbose.contains("-v prints"));
    }

    #[test]
    fn missing_credentials_say_how_to_give_them() {
        let err = identity_error(
            ErrorKind::Other,
            &[
                "no credentials found in chain. Attempted:\n  Environment: environment variable not set\n  Profile: none",
            ],
            Some(Remedy::ProvideCredentials),
        );
        let text = render(&err, &Setting::default());
        assert!(
            text.starts_with(
                "bulkhead: error: finding out which account the credentials belong to\n\
                 \x20 caused by: sts:GetCallerIdentity in us-east-1 failed\n\
                 \x20 caused by: no credentials found in chain. Attempted:\n\
                 \x20     Environment: environment variable not set\n\
                 \x20     Profile: none\n\
                 \x20 hint: no AWS credentials were found. Set AWS_ACCESS_KEY_ID"
            ),
            "{text}"
        );
        assert!(text.contains("--profile NAME") && text.contains("aws sso login"), "{text}");
    }

    #[test]
    fn plain_errors_get_a_line_per_cause_and_no_hint() {
        let io = std::io::Error::new(std::io::ErrorKind::PermissionDenied, "Permission denied (os error 13)");
        let err = anyhow::Error::new(io).context("writing the report to out/bulkhead.json");
        assert_eq!(
            render(&err, &Setting::default()),
            "bulkhead: error: writing the report to out/bulkhead.json\n\
             \x20 caused by: Permission denied (os error 13)\n"
        );
    }

    #[test]
    fn a_cause_the_line_before_already_says_is_not_repeated() {
        #[derive(Debug, thiserror::Error)]
        #[error("invalid config file {0}")]
        struct Outer(#[source] Inner);
        #[derive(Debug, thiserror::Error)]
        #[error("bulkhead.toml:2:1: unknown field `x`")]
        struct Inner;
        let err = anyhow::Error::new(Outer(Inner));
        assert_eq!(
            render(&err, &Setting::default()),
            "bulkhead: error: invalid config file bulkhead.toml:2:1: unknown field `x`\n"
        );
    }
}
