//! A problem with what the user asked for: exit 2, before any AWS call
//! (or, for `merge`, before anything is written).

use crate::config::ConfigError;
use crate::history::{SnapshotError, StoreError};
use crate::mutelist::MutelistError;
use crate::plan::PlanError;

#[derive(Debug, thiserror::Error)]
pub enum UsageError {
    #[error(transparent)]
    Plan(#[from] PlanError),
    #[error("invalid config file {0}")]
    Config(#[from] ConfigError),
    #[error(transparent)]
    Mutelist(#[from] MutelistError),
    #[error("baseline: {0}")]
    Baseline(#[from] SnapshotError),
    #[error("baseline: {0}")]
    BaselineStore(StoreError),
    #[error("{0}")]
    Other(String),
}
