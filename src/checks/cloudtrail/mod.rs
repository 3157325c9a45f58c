//! CloudTrail checks.

mod trails;

pub mod cloudtrail_cloudwatch_logging_enabled;
pub mod cloudtrail_kms_encryption_enabled;
pub mod cloudtrail_log_file_validation_enabled;
pub mod cloudtrail_multi_region_enabled;
pub mod cloudtrail_multi_region_enabled_logging_management_events;
