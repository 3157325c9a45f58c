//! bulkhead: an AWS account posture auditor for containerised workloads.
//!
//! One pass, data flowing one way:
//! `cli -> plan -> collect (inventory) -> evaluate (checks) -> filter
//! (mutelist, outcome) -> assemble -> report`.

pub mod assemble;
pub mod aws;
pub mod checks;
pub mod cli;
pub mod commands;
pub mod config;
pub mod discovery;
pub mod fatal;
pub mod files;
#[cfg(test)]
mod fleet_tests;
pub mod history;
pub mod image;
pub mod inventory;
#[cfg(test)]
mod layering_tests;
pub mod manual;
pub mod model;
pub mod mutelist;
pub mod outcome;
pub mod pipeline;
pub mod plan;
pub mod policy;
pub mod prioritise;
pub mod progress;
pub mod report;
pub mod rules;
pub mod saved_inventory;
pub mod secrets;
pub mod severity;
pub mod shard;
pub mod sinks;
pub mod usage;
