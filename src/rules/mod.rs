//! Pure evaluation rules shared by checks (and, where the collector must
//! decide what else to fetch, by collectors). No I/O here.

pub mod iam_policy;
pub mod image_config;
pub mod image_reference;
pub mod image_signature;
pub mod network_acl;
pub mod policy;
pub mod reachability;
pub mod secrets;
pub mod security_group;
pub mod trail_events;

#[cfg(test)]
mod properties;
