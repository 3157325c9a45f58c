//! Counts the findings for the report, once ([`crate::model::Tally`]).

use super::{AccountScope, Judged, Sink};
use crate::model::Tally;

impl Sink for Tally {
    fn finding(&mut self, _: &AccountScope<'_>, judged: &mut Judged) -> anyhow::Result<()> {
        self.add(&judged.finding);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::testing::{finding, scope};
    use crate::severity::Status;

    #[test]
    fn every_finding_is_counted_as_it_passes() {
        let mut tally = Tally::default();
        for status in [Status::Pass, Status::Fail, Status::Fail] {
            tally.finding(&scope(None), &mut finding("c", "sg-1", status)).unwrap();
        }
        assert_eq!((tally.total.pass, tally.total.fail), (1, 2));
        assert_eq!(tally.check("c").findings(), 3);
    }
}
