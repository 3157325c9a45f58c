//! `bulkhead accounts --organization`: the accounts a fleet scan with the
//! same selection covers, for engines that fan out over a list (a Step
//! Functions Distributed Map's ItemReader, a Kubernetes Indexed Job).

use std::io::Write as _;
use std::time::Duration;

use anyhow::Result;

use crate::aws::session::RetryMode;
use crate::aws::{CallGate, ConcurrencyLimits, Session, SessionOptions};
use crate::cli::{AccountsArgs, AccountsFormat};
use crate::discovery::{self, OrgAccount, caller_identity};

/// The list as `--format` prints it, ending in a newline.
pub async fn run(args: &AccountsArgs) -> Result<String> {
    let gate = CallGate::new(ConcurrencyLimits {
        global: std::num::NonZeroUsize::new(16).expect("non-zero"),
        per_endpoint: std::num::NonZeroUsize::new(8).expect("non-zero"),
    });
    let session = Session::load(
        &SessionOptions {
            profile: args.profile.clone(),
            region: args.region.clone(),
            endpoint_url: args.endpoint_url.clone(),
            retry_mode: RetryMode::Standard,
            max_attempts: args.max_attempts,
            connect_timeout: Duration::from_secs(10),
            operation_timeout: Duration::from_secs(60),
        },
        gate.ledger().clone(),
    )
    .await?;
    let caller = caller_identity(&session, &gate).await?;
    let selection = discovery::Selection {
        units: args.selection.organizational_units.as_deref(),
        exclude: &args.selection.exclude_accounts,
    };
    let accounts = discovery::fleet(&session, &gate, &caller, &selection).await?;
    // On stderr: stdout is the list alone, for the engines that read it.
    let _ = writeln!(std::io::stderr(), "bulkhead: {} active account(s) {}", accounts.len(), selection.describe());
    Ok(match args.format {
        AccountsFormat::Json => json(&accounts),
        AccountsFormat::Text => text(&accounts),
    })
}

/// A plain JSON array, one object per account, sorted by id.
pub fn json(accounts: &[OrgAccount]) -> String {
    let mut text = serde_json::to_string_pretty(accounts).expect("plain values serialise");
    text.push('\n');
    text
}

/// One line per account: id, state, parent, name, email.
pub fn text(accounts: &[OrgAccount]) -> String {
    let rows: Vec<[&str; 5]> = accounts
        .iter()
        .map(|account| {
            fn or_dash(field: &Option<String>) -> &str {
                field.as_deref().filter(|value| !value.is_empty()).unwrap_or("-")
            }
            [
                account.account_id.as_str(),
                or_dash(&account.state),
                or_dash(&account.parent_id),
                or_dash(&account.name),
                or_dash(&account.email),
            ]
        })
        .collect();
    let header = ["account", "state", "parent", "name", "email"];
    let mut widths = header.map(str::len);
    for row in &rows {
        for (width, cell) in widths.iter_mut().zip(row) {
            *width = (*width).max(cell.chars().count());
        }
    }
    let mut text = String::new();
    for row in std::iter::once(&header).chain(&rows) {
        let cells: Vec<String> = row.iter().zip(widths).map(|(cell, width)| format!("{cell:width$}")).collect();
        text.push_str(cells.join("  ").trim_end());
        text.push('\n');
    }
    text
}

#[cfg(test)]
mod tests {
    use super::*;

    fn account(id: &str, name: Option<&str>, parent: Option<&str>) -> OrgAccount {
        OrgAccount {
            account_id: id.to_owned(),
            name: name.map(str::to_owned),
            email: name.map(|name| format!("{name}@example.com")),
            state: Some("ACTIVE".to_owned()),
            parent_id: parent.map(str::to_owned),
        }
    }

    #[test]
    fn json_is_a_plain_array_with_every_key() {
        let accounts =
            [account("111111111111", Some("prod"), Some("ou-ab12-cdef3456")), account("222222222222", None, None)];
        let value: serde_json::Value = serde_json::from_str(&json(&accounts)).unwrap();
        assert_eq!(
            value,
            serde_json::json!([
                {"account_id": "111111111111", "name": "prod", "email": "prod@example.com", "state": "ACTIVE", "parent_id": "ou-ab12-cdef3456"},
                {"account_id": "222222222222", "name": null, "email": null, "state": "ACTIVE", "parent_id": null},
            ])
        );
        assert_eq!(json(&[]), "[]\n");
    }

    #[test]
    fn text_is_aligned_with_dashes_for_the_unknown() {
        let accounts =
            [account("111111111111", Some("prod"), Some("ou-ab12-cdef3456")), account("222222222222", None, None)];
        assert_eq!(
            text(&accounts),
            "account       state   parent            name  email\n\
             111111111111  ACTIVE  ou-ab12-cdef3456  prod  prod@example.com\n\
             222222222222  ACTIVE  -                 -     -\n"
        );
    }
}
