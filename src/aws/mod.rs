//! Everything that knows how to talk to AWS, short of the collectors themselves:
//! credentials and SDK configuration, the call gate that bounds concurrency,
//! the translation of SDK errors into [`CollectError`], and the redaction of
//! credentials from what the SDK logs.

pub mod aimd;
pub mod blob;
pub mod chain;
pub mod endpoint_limit;
pub mod error;
pub mod gate;
pub mod ledger;
pub mod pace;
pub mod redact;
pub mod session;
pub mod slots;

pub use blob::{BLOB_GET, BlobFetcher, ChunkSender, LAYER_GET};
pub use error::{CollectError, ErrorKind, Service};
pub use gate::{CallGate, ConcurrencyLimits};
pub use ledger::CallLedger;
pub use session::{RoleSession, Session, SessionOptions};
