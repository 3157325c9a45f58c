//! Which accounts a fleet scan covers: who the caller is, and the accounts
//! of its AWS Organization (all of them, or those under some organizational
//! units), found before any account is scanned. A discovery that fails ends
//! the scan: scanning "the organization" without knowing its accounts would
//! report a fleet that silently lacks some.

use std::collections::BTreeSet;
use std::future::Future;

use anyhow::{Context as _, Result};
use aws_sdk_organizations::types::{Account, ChildType};
use futures::future::try_join_all;
use serde::{Deserialize, Serialize};

use crate::aws::{CallGate, CollectError, Service, Session};
use crate::inventory::paginate::CallSite;

/// The principal the credentials belong to (`sts:GetCallerIdentity`).
#[derive(Debug, Clone)]
pub struct Identity {
    pub account_id: String,
    pub arn: String,
    pub partition: String,
}

pub async fn caller_identity(session: &Session, gate: &CallGate) -> Result<Identity> {
    let region = session.home_region().to_owned();
    let client = session.client::<aws_sdk_sts::Client>(&region);
    let site = CallSite { gate, service: Service::Sts, region: &region, operation: "GetCallerIdentity" };
    let output = site
        .once(|| client.get_caller_identity().send())
        .await
        .context("finding out which account the credentials belong to")?;
    let arn = output.arn().unwrap_or_default().to_owned();
    let partition = arn.split(':').nth(1).filter(|p| !p.is_empty()).unwrap_or("aws").to_owned();
    Ok(Identity { account_id: output.account().unwrap_or_default().to_owned(), arn, partition })
}

/// One account of the organization, as `bulkhead accounts --format json`
/// prints it: every key always present (`null` when unknown), so consumers
/// can rely on the shape. docs/organizations.md documents it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgAccount {
    pub account_id: String,
    /// The account's name in Organizations.
    pub name: Option<String>,
    pub email: Option<String>,
    /// `State` (ACTIVE, SUSPENDED, PENDING_CLOSURE, ...), else the older `Status`.
    pub state: Option<String>,
    /// The root or unit the account sits in directly; known when the
    /// accounts were found by walking units (`--organizational-units`),
    /// `null` when they came from `ListAccounts`, which does not say.
    pub parent_id: Option<String>,
}

/// Which accounts of the organization.
#[derive(Debug, Clone, Copy)]
pub struct Selection<'a> {
    /// Roots (r-...) or units (ou-...), each with every unit below it; `None`: the whole organization.
    pub units: Option<&'a [String]>,
    pub exclude: &'a [String],
}

impl Selection<'_> {
    /// Where the accounts were found, in words: "in the whole
    /// organization", "under the organizational units ou-a, ou-b (nested
    /// units included)", then the exclusions.
    pub fn describe(&self) -> String {
        let mut text = match self.units {
            None => "in the whole organization".to_owned(),
            Some(units) => format!("under the organizational units {} (nested units included)", units.join(", ")),
        };
        if !self.exclude.is_empty() {
            text.push_str(&format!(", less the excluded {}", self.exclude.join(", ")));
        }
        text
    }
}

/// Where a partition's global services (Organizations) answer.
pub fn home_region(partition: &str) -> &'static str {
    match partition {
        "aws-cn" => "cn-northwest-1",
        "aws-us-gov" => "us-gov-west-1",
        "aws-iso" => "us-iso-east-1",
        "aws-iso-b" => "us-isob-east-1",
        _ => "us-east-1",
    }
}

/// An account's state: its `State`, else, from an API that has no `State`
/// yet, its `Status` (which AWS is retiring). `State` wins when both are
/// given: it is the one AWS keeps current (PENDING_CLOSURE and CLOSED exist
/// only there).
pub fn account_state<'a>(state: Option<&'a str>, status: Option<&'a str>) -> Option<&'a str> {
    state.or(status)
}

impl OrgAccount {
    /// Only active accounts are scanned; an account whose state is unknown is not one.
    pub fn is_active(&self) -> bool {
        self.state.as_deref() == Some("ACTIVE")
    }
}

/// What one parent (a root or a unit) holds directly.
#[derive(Debug, Clone, Default)]
pub struct Level {
    pub accounts: Vec<OrgAccount>,
    pub units: Vec<String>,
}

/// Every account under `parents`, however deeply nested, each once, with
/// the parent it sits in. `children` lists one parent; the parents of one
/// depth are listed side by side. A unit named twice (a unit and one of its
/// ancestors) is walked once.
pub async fn walk<F, Fut, E>(parents: &[String], children: F) -> Result<Vec<OrgAccount>, E>
where
    F: Fn(String) -> Fut,
    Fut: Future<Output = Result<Level, E>>,
{
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut found: Vec<OrgAccount> = Vec::new();
    let mut found_ids: BTreeSet<String> = BTreeSet::new();
    let mut frontier: Vec<String> = parents.iter().filter(|parent| seen.insert((*parent).clone())).cloned().collect();
    while !frontier.is_empty() {
        let levels = try_join_all(frontier.iter().map(|parent| children(parent.clone()))).await?;
        let mut next = Vec::new();
        for (parent, level) in frontier.iter().zip(levels) {
            for mut account in level.accounts {
                if found_ids.insert(account.account_id.clone()) {
                    account.parent_id = Some(parent.clone());
                    found.push(account);
                }
            }
            next.extend(level.units.into_iter().filter(|unit| seen.insert(unit.clone())));
        }
        frontier = next;
    }
    Ok(found)
}

/// The accounts a fleet scan of the organization covers, sorted by id: the
/// active accounts of the selection, less the excluded ones. The whole
/// organization includes the caller's own account (unless excluded), also
/// where Organizations does not list it; a selection of units includes it
/// only when it sits under one of them. The caller's own account is scanned
/// with the caller's credentials.
pub async fn fleet(
    session: &Session,
    gate: &CallGate,
    caller: &Identity,
    selection: &Selection<'_>,
) -> Result<Vec<OrgAccount>> {
    let region = home_region(&caller.partition);
    let client = session.client::<aws_sdk_organizations::Client>(region);
    let listed = match selection.units {
        None => list_accounts(&client, gate, region).await,
        Some(units) => walk(units, |parent| list_parent(&client, gate, region, parent)).await,
    }
    .map_err(|err| {
        let what = match selection.units {
            None => "listing the organization's accounts".to_owned(),
            Some(units) => format!("listing the accounts under {}", units.join(", ")),
        };
        anyhow::Error::new(err).context(format!(
            "{what} as {} (a fleet scan runs in the organization's management account or a delegated \
             administrator for AWS Organizations; see docs/organizations.md)",
            caller.arn
        ))
    })?;

    let mut accounts = Vec::new();
    for account in listed {
        if account.is_active() {
            accounts.push(account);
        } else {
            tracing::info!(account = %account.account_id, state = account.state.as_deref().unwrap_or("unknown"), "skipping an account that is not active");
        }
    }
    let whole_organization = selection.units.is_none();
    if whole_organization && !accounts.iter().any(|account| account.account_id == caller.account_id) {
        accounts.push(describe_caller(&client, gate, region, &caller.account_id).await);
    }
    accounts.retain(|account| !selection.exclude.contains(&account.account_id));
    accounts.sort_by(|a, b| a.account_id.cmp(&b.account_id));
    Ok(accounts)
}

fn org_account(account: &Account) -> OrgAccount {
    #[allow(deprecated)] // `Status`: read only where `State` is missing.
    let status = account.status().map(|status| status.as_str());
    let state = account_state(account.state().map(|state| state.as_str()), status);
    OrgAccount {
        account_id: account.id().unwrap_or_default().to_owned(),
        name: account.name().map(str::to_owned),
        email: account.email().map(str::to_owned),
        state: state.map(str::to_owned),
        parent_id: None,
    }
}

/// `ListAccounts`, every page: it may answer a page with no accounts and a
/// `NextToken`, which does not mean the end.
async fn list_accounts(
    client: &aws_sdk_organizations::Client,
    gate: &CallGate,
    region: &str,
) -> Result<Vec<OrgAccount>, CollectError> {
    let site = CallSite { gate, service: Service::Organizations, region, operation: "ListAccounts" };
    site.all_pages(
        |token| client.list_accounts().set_next_token(token).send(),
        |page| (page.accounts().iter().map(org_account).collect(), page.next_token().map(str::to_owned)),
    )
    .await
}

/// The accounts and the units directly under one root or unit.
async fn list_parent(
    client: &aws_sdk_organizations::Client,
    gate: &CallGate,
    region: &str,
    parent: String,
) -> Result<Level, CollectError> {
    let accounts_site = CallSite { gate, service: Service::Organizations, region, operation: "ListAccountsForParent" };
    let units_site = CallSite { gate, service: Service::Organizations, region, operation: "ListChildren" };
    let accounts = accounts_site.all_pages(
        |token| client.list_accounts_for_parent().parent_id(&parent).set_next_token(token).send(),
        |page| (page.accounts().iter().map(org_account).collect(), page.next_token().map(str::to_owned)),
    );
    let units = units_site.all_pages(
        |token| {
            client
                .list_children()
                .parent_id(&parent)
                .child_type(ChildType::OrganizationalUnit)
                .set_next_token(token)
                .send()
        },
        |page| {
            let units = page.children().iter().filter_map(|child| child.id().map(str::to_owned)).collect();
            (units, page.next_token().map(str::to_owned))
        },
    );
    let (accounts, units) = futures::future::try_join(accounts, units).await?;
    Ok(Level { accounts, units })
}

/// The caller's own account, when the organization's listing did not hold
/// it: its name if Organizations tells, else just its id.
async fn describe_caller(
    client: &aws_sdk_organizations::Client,
    gate: &CallGate,
    region: &str,
    account_id: &str,
) -> OrgAccount {
    let site = CallSite { gate, service: Service::Organizations, region, operation: "DescribeAccount" };
    match site.once(|| client.describe_account().account_id(account_id).send()).await {
        Ok(output) => match output.account() {
            Some(account) => OrgAccount { account_id: account_id.to_owned(), ..org_account(account) },
            None => plain(account_id),
        },
        Err(err) => {
            tracing::warn!(error = %err, "could not describe the caller's own account; it is named by its id");
            plain(account_id)
        }
    }
}

fn plain(account_id: &str) -> OrgAccount {
    OrgAccount { account_id: account_id.to_owned(), name: None, email: None, state: None, parent_id: None }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn state_decides_and_status_stands_in_only_when_state_is_missing() {
        let active = |state, status| {
            OrgAccount { state: account_state(state, status).map(str::to_owned), ..plain("1") }.is_active()
        };
        assert!(active(Some("ACTIVE"), None));
        assert!(active(Some("ACTIVE"), Some("SUSPENDED")));
        assert!(!active(Some("SUSPENDED"), Some("ACTIVE")), "State wins");
        assert!(!active(Some("PENDING_CLOSURE"), Some("ACTIVE")));
        assert!(!active(Some("CLOSED"), None));
        assert!(!active(Some("PENDING_ACTIVATION"), None));
        assert!(active(None, Some("ACTIVE")));
        assert!(!active(None, Some("SUSPENDED")));
        assert!(!active(None, None), "an account that says nothing is not scanned as active");
    }

    #[test]
    fn an_account_is_read_with_its_state_first() {
        use aws_sdk_organizations::types::{AccountState, AccountStatus};
        #[allow(deprecated)]
        let old = Account::builder().id("111111111111").status(AccountStatus::Active).build();
        assert_eq!(org_account(&old).state.as_deref(), Some("ACTIVE"));
        #[allow(deprecated)]
        let closing = Account::builder()
            .id("222222222222")
            .name("closing")
            .state(AccountState::PendingClosure)
            .status(AccountStatus::Active)
            .build();
        let read = org_account(&closing);
        assert_eq!(read.state.as_deref(), Some("PENDING_CLOSURE"));
        assert_eq!(read.name.as_deref(), Some("closing"));
        assert_eq!(org_account(&Account::builder().id("333333333333").build()).state, None);
    }

    fn tree() -> BTreeMap<&'static str, (Vec<&'static str>, Vec<&'static str>)> {
        // parent -> (accounts, units)
        BTreeMap::from([
            ("r-root", (vec!["100000000000"], vec!["ou-root-aaaaaaaa", "ou-root-bbbbbbbb"])),
            ("ou-root-aaaaaaaa", (vec!["200000000000"], vec!["ou-root-cccccccc"])),
            ("ou-root-cccccccc", (vec!["300000000000", "300000000001"], vec![])),
            ("ou-root-bbbbbbbb", (vec![], vec![])),
        ])
    }

    async fn walked(parents: &[&str]) -> Result<Vec<(String, String)>, String> {
        let tree = tree();
        let parents: Vec<String> = parents.iter().map(|parent| (*parent).to_owned()).collect();
        let found = walk(&parents, |parent| {
            let level = tree.get(parent.as_str()).map(|(accounts, units)| Level {
                accounts: accounts.iter().map(|id| plain(id)).collect(),
                units: units.iter().map(|unit| (*unit).to_owned()).collect(),
            });
            async move { level.ok_or(format!("{parent}: no such parent")) }
        })
        .await?;
        Ok(found.into_iter().map(|account| (account.account_id, account.parent_id.unwrap())).collect())
    }

    #[tokio::test]
    async fn the_walk_finds_every_nested_account_once_with_its_parent() {
        let from_root = walked(&["r-root"]).await.unwrap();
        assert_eq!(
            from_root,
            [
                ("100000000000".into(), "r-root".into()),
                ("200000000000".into(), "ou-root-aaaaaaaa".into()),
                ("300000000000".into(), "ou-root-cccccccc".into()),
                ("300000000001".into(), "ou-root-cccccccc".into()),
            ]
        );
        let nested = walked(&["ou-root-aaaaaaaa"]).await.unwrap();
        assert_eq!(nested.len(), 3, "{nested:?}");
        let twice = walked(&["ou-root-cccccccc", "ou-root-aaaaaaaa", "ou-root-aaaaaaaa"]).await.unwrap();
        assert_eq!(twice.len(), 3, "a unit and its ancestor, each account once: {twice:?}");
        assert!(walked(&["ou-root-bbbbbbbb"]).await.unwrap().is_empty());
    }

    #[tokio::test]
    async fn a_parent_that_cannot_be_listed_fails_the_walk() {
        assert_eq!(walked(&["r-root", "ou-root-zzzzzzzz"]).await.unwrap_err(), "ou-root-zzzzzzzz: no such parent");
    }

    #[test]
    fn a_selection_says_where_its_accounts_are() {
        let units = ["ou-ab12-cdef3456".to_owned(), "r-ab12".to_owned()];
        let excluded = ["111122223333".to_owned()];
        assert_eq!(Selection { units: None, exclude: &[] }.describe(), "in the whole organization");
        assert_eq!(
            Selection { units: Some(&units), exclude: &excluded }.describe(),
            "under the organizational units ou-ab12-cdef3456, r-ab12 (nested units included), less the excluded \
             111122223333"
        );
    }

    #[test]
    fn organizations_answers_in_the_partitions_home_region() {
        assert_eq!(home_region("aws"), "us-east-1");
        assert_eq!(home_region("aws-cn"), "cn-northwest-1");
        assert_eq!(home_region("aws-us-gov"), "us-gov-west-1");
    }
}
