//! IAM checks: global, one evaluation per account.

mod admin_policies;
mod password_policy;
mod root;
mod users;

pub mod iam_aws_attached_policy_no_administrative_privileges;
pub mod iam_customer_attached_policy_no_administrative_privileges;
pub mod iam_no_root_access_key;
pub mod iam_password_policy_expires_passwords_within_90_days_or_less;
pub mod iam_password_policy_lowercase;
pub mod iam_password_policy_minimum_length_14;
pub mod iam_password_policy_number;
pub mod iam_password_policy_reuse_24;
pub mod iam_password_policy_symbol;
pub mod iam_password_policy_uppercase;
pub mod iam_root_hardware_mfa_enabled;
pub mod iam_root_mfa_enabled;
pub mod iam_rotate_access_key_90_days;
pub mod iam_user_accesskey_unused;
pub mod iam_user_mfa_enabled_console_access;
