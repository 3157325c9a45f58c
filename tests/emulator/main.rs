//! Integration tests against the moto emulator that `localstack/run-tests`
//! starts: the collectors and the end-to-end paths (CLI, reports, faults,
//! several accounts), each module with its fixtures in `tests/fixtures/`.
//! Every check's verdicts are tested offline in `tests/checks/`.
//!
//! Every test here that needs the emulator is `#[ignore]`d with the reason
//! "needs the AWS emulator", so that a plain `cargo test` reports it as
//! ignored, not as passed, and runs the others (usage errors, listings, the
//! read-only audit of the sources); `localstack/run-tests` sets
//! `BULKHEAD_TEST_ENDPOINT` and runs them all with `--include-ignored`.
//! [`ignored_tests`] keeps every other ignored test out of that run.

mod support;

mod call_stats;
mod cli;
mod closed_pipe;
mod cloudtrail_catalog;
mod cloudtrail_multi_region_enabled;
mod collection_errors;
mod config_file;
mod consumers;
mod ec2_networkacl_allow_ingress;
mod ec2_securitygroup_allow_ingress_from_internet;
mod ec2_securitygroup_catalog;
mod ecr_catalog;
mod ecr_images_signed;
mod ecr_repositories_not_publicly_accessible;
mod ecs_iam_collection_errors;
mod ecs_images;
mod ecs_running_tasks;
mod ecs_services;
mod ecs_task_definitions;
mod edges;
mod eks_detection;
mod elbv2_edge;
mod errors;
mod faults;
mod history;
mod hostile_input;
mod iam_password_policy;
mod iam_root;
mod iam_users;
mod ignored_tests;
mod image_layers;
mod image_vulnerabilities;
mod ipv6_exposure;
mod multi_account;
mod mutelist;
mod organization;
mod prioritised_vulnerabilities;
mod profiles;
mod rate_limits;
mod read_only;
mod release_image;
mod release_workflow;
mod report_command;
mod report_views;
mod reports;
mod shards;
mod sinks;
mod unfinished_runs;
mod unoffered_operations;
mod vpc_flow_logs_enabled;
