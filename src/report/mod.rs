//! The finished report model, and its renderers. Renderers take a
//! [`Report`] only: they never see checks or inventory.

pub mod json;
pub mod model;
mod write;

pub use model::{Report, ReportFinding, ScanError, ScanSummary, Tool};
pub use write::write_atomically;
