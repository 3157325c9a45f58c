//! The last consumer: writes each finding to the report's temporary file
//! ([`crate::model::SpillWriter`]), from which every format is rendered.

use anyhow::Context as _;

use super::{AccountScope, Judged, Sink};
use crate::model::{Findings, SpillWriter};

#[derive(Debug)]
pub struct Spill {
    writer: SpillWriter,
}

impl Spill {
    /// An unnamed file in the output folder, which the system removes
    /// however bulkhead ends.
    pub fn create_in(dir: &std::path::Path) -> anyhow::Result<Spill> {
        let writer = SpillWriter::create_in(dir)
            .with_context(|| format!("creating the findings' temporary file in {}", dir.display()))?;
        Ok(Spill { writer })
    }

    /// The findings in report order, to render.
    pub fn finish(self) -> anyhow::Result<Findings> {
        self.writer.finish().context("reading back the findings' temporary file")
    }
}

impl Sink for Spill {
    fn begin_account(&mut self, account: &AccountScope<'_>) -> anyhow::Result<()> {
        self.writer.begin_account(account.account_id);
        Ok(())
    }

    fn finding(&mut self, _: &AccountScope<'_>, judged: &mut Judged) -> anyhow::Result<()> {
        self.writer.add(&judged.finding).context("writing findings to their temporary file")
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pipeline::testing::{finding, scope_of};
    use crate::severity::Status;

    #[test]
    fn accounts_come_back_in_report_order() {
        let dir = tempfile::tempdir().unwrap();
        let mut spill = Spill::create_in(dir.path()).unwrap();
        for account in ["222222222222", "111111111111"] {
            let scope = scope_of(account, None);
            spill.begin_account(&scope).unwrap();
            let mut judged = finding("c", "sg-1", Status::Fail);
            judged.finding.account_id = account.to_owned();
            spill.finding(&scope, &mut judged).unwrap();
            spill.end_account(&scope).unwrap();
        }
        let accounts: Vec<String> =
            spill.finish().unwrap().to_vec().unwrap().into_iter().map(|finding| finding.account_id).collect();
        assert_eq!(accounts, ["111111111111", "222222222222"]);
    }
}
