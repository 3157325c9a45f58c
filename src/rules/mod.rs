//! Judgements over inventory that checks and the vulnerability ranking
//! share: which security group and network ACL rules let the internet in,
//! which trails record management events, and what reaches a running task.
//! No I/O here.

pub mod network_acl;
pub mod reachability;
pub mod security_group;
pub mod trail_events;

#[cfg(test)]
mod properties;
