//! A problem with what the user asked for: exit 2, before any AWS call (or,
//! for `merge`, before anything is written). Any stage can say one: the
//! type knows none of them.

use std::error::Error;
use std::fmt;

/// Why what was asked cannot be done, said as the cause says it, after a
/// prefix that names the input when the cause does not (`baseline: `).
#[derive(Debug)]
pub struct UsageError {
    prefix: &'static str,
    cause: Box<dyn Error + Send + Sync + 'static>,
}

impl UsageError {
    /// The cause, said as it is: an error, or a message.
    pub fn new(cause: impl Into<Box<dyn Error + Send + Sync + 'static>>) -> UsageError {
        UsageError { prefix: "", cause: cause.into() }
    }

    /// The cause after `prefix` (`"invalid config file "`, `"baseline: "`).
    pub fn of(prefix: &'static str, cause: impl Into<Box<dyn Error + Send + Sync + 'static>>) -> UsageError {
        UsageError { prefix, cause: cause.into() }
    }
}

impl fmt::Display for UsageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}{}", self.prefix, self.cause)
    }
}

/// The cause's own causes follow, as if the cause were said alone.
impl Error for UsageError {
    fn source(&self) -> Option<&(dyn Error + 'static)> {
        self.cause.source()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_usage_error_reads_as_its_cause_and_keeps_its_causes() {
        let io = std::io::Error::other("no such file");
        let inner = anyhow::Error::new(io).context("reading mute.yaml");
        let said = UsageError::of("baseline: ", inner.into_boxed_dyn_error());
        assert_eq!(said.to_string(), "baseline: reading mute.yaml");
        assert_eq!(said.source().map(ToString::to_string).as_deref(), Some("no such file"));
        assert_eq!(UsageError::new("--regions: unknown region").to_string(), "--regions: unknown region");
    }
}
