//! The first consumer: marks the findings the mutelist accepts, with the
//! entry's reason. Muted findings stay in every report.

use super::{AccountScope, Judged, Sink};
use crate::mutelist::{Date, Mutelist};

#[derive(Debug)]
pub struct Mute<'a> {
    mutelist: Option<&'a Mutelist>,
    /// Entries expire by calendar day: the day the scan judges on.
    today: Date,
}

impl<'a> Mute<'a> {
    pub fn new(mutelist: Option<&'a Mutelist>, today: Date) -> Mute<'a> {
        Mute { mutelist, today }
    }
}

impl Sink for Mute<'_> {
    fn finding(&mut self, _: &AccountScope<'_>, judged: &mut Judged) -> anyhow::Result<()> {
        if let Some(mutelist) = self.mutelist {
            mutelist.apply(&mut judged.finding, self.today);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::testing::{finding, scope};
    use crate::severity::Status;

    #[test]
    fn marks_what_an_entry_covers_and_nothing_else() {
        let yaml = "Mutelist:\n  Accounts:\n    \"*\":\n      Checks:\n        \"c\":\n          Regions: [\"*\"]\n          Resources: [\"sg-1\"]\n          Reason: accepted\n";
        let mutelist = Mutelist::parse(std::path::Path::new("m.yaml"), yaml).unwrap();
        let mut mute = Mute::new(Some(&mutelist), Date::parse("2026-01-01").unwrap());
        let (mut covered, mut other) = (finding("c", "sg-1", Status::Fail), finding("c", "sg-2", Status::Fail));
        mute.finding(&scope(None), &mut covered).unwrap();
        mute.finding(&scope(None), &mut other).unwrap();
        assert_eq!((covered.finding.muted, covered.finding.mute_reason.as_deref()), (true, Some("accepted")));
        assert!(!other.finding.muted);

        let mut none = Mute::new(None, Date::parse("2026-01-01").unwrap());
        let mut unmuted = finding("c", "sg-1", Status::Fail);
        none.finding(&scope(None), &mut unmuted).unwrap();
        assert!(!unmuted.finding.muted);
    }
}
