//! `bulkhead diff [BASE] [NEW]`: what changed between two scans, each a
//! scan of the store or a JSON report. The scans are compared account by
//! account, in account order, so that diff holds one account of each side
//! (and the changes), whatever the size of the scans.

use std::collections::BTreeSet;
use std::io::{BufWriter, Write};
use std::iter::Peekable;
use std::path::PathBuf;
use std::process::ExitCode;

use super::fatal;
use crate::cli::{DiffArgs, DiffFormat};
use crate::history::{self, FindingRecord, ReportAccounts, ScanRef, Snapshot, Store};
use crate::model::Changes;
use crate::report::changes;

pub fn run(args: &DiffArgs) -> ExitCode {
    let changes = match compare(args) {
        Ok(changes) => changes,
        Err(err) => return fatal(&err),
    };
    let text = match args.format {
        DiffFormat::Text => changes::text(&changes),
        DiffFormat::Html => match changes::html(&changes) {
            Ok(text) => text,
            Err(err) => return fatal(&err),
        },
        // Written as it is serialised: the changes can be many.
        DiffFormat::Json => return write(args, &|out| changes::write_json(&changes, out)),
    };
    write(args, &|out| Ok(out.write_all(text.as_bytes())?))
}

/// Writes to `--output`, else to stdout, where a reader that stops early
/// (`| head`) is no error.
fn write(args: &DiffArgs, render: &dyn Fn(&mut dyn Write) -> anyhow::Result<()>) -> ExitCode {
    if let Some(path) = &args.output {
        return match crate::files::write_atomically_with(path, render) {
            Ok(()) => ExitCode::SUCCESS,
            Err(err) => fatal(&err.context(format!("writing {}", path.display()))),
        };
    }
    let mut out = BufWriter::new(std::io::stdout().lock());
    match render(&mut out).and_then(|()| Ok(out.flush()?)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(err) if super::is_broken_pipe(&err) => ExitCode::SUCCESS,
        Err(err) => fatal(&err.context("writing to stdout")),
    }
}

/// The changes between the two scans named.
fn compare(args: &DiffArgs) -> anyhow::Result<Changes> {
    let new_ref = args.new.clone().unwrap_or(ScanRef::Latest);
    let in_store = |reference: &ScanRef| !matches!(reference, ScanRef::Report(_));
    let store = if in_store(&new_ref) || args.base.as_ref().is_none_or(in_store) {
        Some(Store::open_to_read(&args.store)?)
    } else {
        None
    };
    let opened = || store.as_ref().expect("opened when a scan id is named");
    let new = Side::of(&new_ref, store.as_ref())?;
    let base = match &args.base {
        Some(base) => Side::of(base, store.as_ref())?,
        None => {
            let Some(new_id) = new.scan.header.id else {
                anyhow::bail!("name the base scan when the new one is a report file");
            };
            let store = opened();
            let Some(base_id) = store.latest(Some(new_id))? else {
                anyhow::bail!("the store {} has no scan before scan {new_id} to compare with", args.store.display());
            };
            Side::stored(store, base_id)?
        }
    };
    by_account(base, new)
}

/// The changes between two scans, compared one account at a time: only an
/// account both scans selected has findings to compare.
fn by_account(mut base: Side<'_>, mut new: Side<'_>) -> anyhow::Result<Changes> {
    let mut changes = history::compare(&base.scan, &new.scan);
    let selected: BTreeSet<&String> = base.scan.header.accounts.iter().collect();
    let accounts: BTreeSet<String> =
        new.scan.header.accounts.iter().filter(|account| selected.contains(account)).cloned().collect();
    for account in &accounts {
        base.scan.findings = base.of_account(account)?;
        new.scan.findings = new.of_account(account)?;
        history::absorb(&mut changes, history::compare(&base.scan, &new.scan));
    }
    base.finish()?;
    new.finish()?;
    history::order(&mut changes);
    Ok(changes)
}

/// One scan of the comparison: its header, with the findings of the
/// account being compared, and where the next account's come from.
struct Side<'s> {
    scan: Snapshot,
    source: Source<'s>,
}

enum Source<'s> {
    Stored(&'s Store),
    Report(Peekable<ReportAccounts>),
}

impl<'s> Side<'s> {
    /// The scan `reference` names: a report, or a scan of `store`.
    fn of(reference: &ScanRef, store: Option<&'s Store>) -> anyhow::Result<Side<'s>> {
        match reference {
            ScanRef::Report(path) => Side::report(path.clone()),
            stored => {
                let store = store.expect("opened when a scan id is named");
                Side::stored(store, store.resolve(stored.store_id())?)
            }
        }
    }

    fn stored(store: &'s Store, id: i64) -> anyhow::Result<Side<'s>> {
        let header = store.header(id)?;
        Ok(Side { scan: Snapshot { header, findings: Vec::new() }, source: Source::Stored(store) })
    }

    fn report(path: PathBuf) -> anyhow::Result<Side<'s>> {
        let header = history::read_report_header(&path)?;
        let accounts = ReportAccounts::open(path).peekable();
        Ok(Side { scan: Snapshot { header, findings: Vec::new() }, source: Source::Report(accounts) })
    }

    /// The findings of `account`; accounts are asked for in order.
    fn of_account(&mut self, account: &str) -> anyhow::Result<Vec<FindingRecord>> {
        let accounts = match &mut self.source {
            Source::Stored(store) => return Ok(store.account_snapshot(&self.scan.header, account)?.findings),
            Source::Report(accounts) => accounts,
        };
        loop {
            let next = match accounts.peek() {
                None => return Ok(Vec::new()),
                Some(Ok((next, _))) => next.as_str(),
                Some(Err(_)) => break,
            };
            if next > account {
                return Ok(Vec::new());
            }
            let (next, findings) = accounts.next().expect("peeked")?;
            if next == account {
                return Ok(findings);
            }
            // An account the other scan did not select: nothing to compare.
        }
        Err(accounts.next().expect("peeked").expect_err("peeked an error").into())
    }

    /// Reads what is left of a report, so that a report damaged after its
    /// last compared account is refused as well.
    fn finish(self) -> anyhow::Result<()> {
        if let Source::Report(accounts) = self.source {
            for account in accounts {
                account?;
            }
        }
        Ok(())
    }
}
