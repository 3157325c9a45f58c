//! The arguments of `bulkhead image`: one ECR image audited before it is
//! deployed.

use clap::Args;

use super::{EXIT_CODES, EvaluationArgs, exit_status_help};

#[derive(Debug, Args)]
#[command(after_long_help = exit_status_help(EXIT_CODES))]
pub struct ImageArgs {
    /// The image, in ECR, by tag or by digest:
    /// ACCOUNT.dkr.ecr.REGION.amazonaws.com/REPOSITORY:TAG or ...@sha256:DIGEST.
    #[arg(value_name = "REFERENCE")]
    pub reference: String,

    /// The platform to audit when the reference is a multi-platform index
    /// (linux/amd64 or linux/arm64; default linux/amd64, as ECS runs).
    #[arg(long, value_name = "OS/ARCH")]
    pub platform: Option<String>,

    /// Named profile from the AWS config files, which wins over credentials in
    /// the environment (default: the standard credential chain).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,

    /// Send every AWS call to this endpoint (an emulator), a URL with its
    /// scheme: http://127.0.0.1:4566. AWS_ENDPOINT_URL works too.
    #[arg(long, value_name = "URL", value_parser = crate::aws::session::parse_endpoint_url)]
    pub endpoint_url: Option<String>,

    /// Print the AWS calls made, per service and operation (the JSON report always has them).
    #[arg(long)]
    pub stats: bool,

    #[command(flatten)]
    pub evaluation: EvaluationArgs,
}
