//! The IAM policy language. Pure: it imports nothing of the crate.
//!
//! Who a resource policy (an ECR repository or registry policy) lets in,
//! judged on the whole policy: every Allow, less what an explicit Deny
//! takes away; and, in [`full_admin`], which statements of an identity
//! policy grant full administrative access.
//!
//! [`evaluate`] answers with an [`Access`]: the audiences that some Allow
//! lets in and no Deny shuts out again (anyone, any account, an
//! organization, an organization path, an account, a principal, a service
//! acting for someone), each with the statements behind it and whether
//! every such caller gets in or only some. The two judgements the checks
//! need are [`Access::is_public`] and [`Access::outside`].
//!
//! # How a policy is read
//!
//! * The caller is all that matters: the question is "can they do anything
//!   ECR-ish to this resource". An Allow counts when its `Action` meets
//!   `ecr:*`, or when its `NotAction` leaves some ECR action out.
//! * IAM's rule, per ECR action: an explicit Deny wins over any Allow;
//!   without an Allow the caller is out. The ECR actions are weighed as the
//!   classes the policy's action patterns tell apart (each pattern narrower
//!   than `ecr:*`, plus an action it names nowhere), so `Deny ecr:PutImage`
//!   leaves `ecr:BatchGetImage` granted and `Deny NotAction ecr:PutImage`
//!   takes it back. A Deny counts against an Allow only where we can show
//!   it reaches the Allow's resources (no `Resource`, `*`, every repository,
//!   or every resource the Allow names); otherwise it is taken not to.
//! * Conditions: keys, operators and values follow IAM: keys in one
//!   operator and operators in one block are ANDed, values are ORed, and a
//!   negated operator (`StringNotEquals`, `ArnNotLike`, ...) is true when
//!   no value matches, including when the key is absent. `...IfExists` is
//!   true when the key is absent; `Null` tests presence; `ForAnyValue` is
//!   false and `ForAllValues` true on an absent key. `ArnLike` and
//!   `ArnEquals` match each of the six ARN parts as a pattern, so a `*` in
//!   the resource part after a fixed account still pins that account, and a
//!   `*` matching everything narrows nothing.
//! * The keys that say who the caller is are modelled: `aws:PrincipalAccount`
//!   (`anonymous` for anonymous callers), `aws:PrincipalArn`,
//!   `aws:PrincipalOrgID`, `aws:PrincipalOrgPaths` (absent outside an
//!   organization), `aws:PrincipalIsAWSService`, `aws:PrincipalServiceName`,
//!   and for a service acting for a resource `aws:SourceAccount`,
//!   `aws:SourceArn`, `aws:SourceOrgID`, `aws:SourceOrgPaths` (absent when
//!   an IAM principal calls directly). For a service principal the
//!   `aws:Principal*` account keys are taken as absent or a value the policy
//!   does not name.
//!
//! # What we cannot read errs toward access (the asymmetry)
//!
//! Every test answers yes, no, or "maybe" (a key we do not model such as
//! `aws:SourceIp` or `aws:SecureTransport`, an operator we do not know, a
//! policy variable, a pattern that only partly overlaps the caller).
//! On an **Allow**, "maybe" keeps the grant: a condition we cannot evaluate
//! never narrows who gets in (the grant is reported as partial, with the
//! keys that were not evaluated). On a **Deny**, "maybe" cancels nothing: a
//! Deny shuts a caller out only when its condition provably holds for
//! them. So the result may name someone the policy in truth keeps out,
//! never the other way round.
//!
//! # How it works
//!
//! Callers are grouped into finitely many classes built from the values the
//! policy names plus "anything else" (see `universe`), every statement is
//! evaluated on every class in three-valued logic (see `eval`), and the
//! classes that get in are reported by the most general audience that
//! explains them. A policy too large or too intricate for that is
//! [`PolicyError::TooComplex`], never a pass.

mod eval;
pub mod full_admin;
pub(crate) mod glob;
mod parse;
mod universe;

#[cfg(test)]
mod properties;
#[cfg(test)]
pub(crate) mod table;

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt;

use eval::Tri;
use glob::Glob;
use universe::{ArnSlot, Class, Entity, OrgSlot, Pool, Slot, Universe};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PolicyError {
    #[error("the policy is not valid JSON: {0}")]
    NotJson(String),
    #[error("the policy has an unexpected shape: {0}")]
    UnexpectedShape(String),
    #[error("the policy is too complex to evaluate: {0}")]
    TooComplex(String),
}

/// How much policy [`evaluate`] reads before it gives up with
/// [`PolicyError::TooComplex`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Limits {
    /// Bytes of policy text (ECR allows 10,240 characters in a repository policy).
    pub max_bytes: usize,
    /// Nesting of JSON arrays and objects (a policy needs 6).
    pub max_depth: usize,
    pub max_statements: usize,
    /// Values in one Principal, Action, Resource or condition key.
    pub max_values: usize,
    /// Kinds of caller the policy tells apart.
    pub max_classes: usize,
    /// Kinds of caller times the size of the statements.
    pub max_work: usize,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_bytes: 64 * 1024,
            max_depth: 16,
            max_statements: 500,
            max_values: 2_000,
            max_classes: 200_000,
            max_work: 50_000_000,
        }
    }
}

/// Whether every caller of the audience gets in, or only some.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Certainty {
    /// Every such caller, on every request (no Deny takes out, say, one of
    /// the account's roles).
    All,
    /// Some of them, or on some requests: it depends on conditions (or
    /// principals) the policy names that we could not settle.
    Some,
}

/// On whose behalf a service principal calls.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Source {
    /// Any account, or no source at all.
    Any,
    Account(String),
    Organization(String),
    OrgPath(String),
    /// A source resource (ARN pattern) in a named account.
    Arn(String),
}

/// A group of callers a policy lets in. Names that came from a pattern keep
/// their wildcards (`accounts matching 1111*`).
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Audience {
    /// Callers who do not sign their requests.
    Anonymous,
    /// Principals of any AWS account, with nothing narrowing the account.
    AnyAccount,
    /// Accounts in this organization (id or pattern).
    Organization(String),
    /// Accounts whose organization path matches this.
    OrgPath(String),
    /// Principals of this account (id or pattern).
    Account(String),
    /// This principal (ARN or ARN pattern) of a named account.
    Principal(String),
    /// An AWS service principal (`*`: any service).
    Service {
        service: String,
        source: Source,
    },
    Federated(String),
    CanonicalUser(String),
}

/// One audience let in, with the Allow statements that let it in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Grant {
    pub audience: Audience,
    pub certainty: Certainty,
    /// `Sid`s, or positions (`#1` is the first), in policy order.
    pub statements: Vec<String>,
    /// Condition keys (or operators) that were not evaluated, of those
    /// statements and of any Deny, when `certainty` is `Some`.
    pub unevaluated: Vec<String>,
}

/// A Deny whose condition we could not evaluate, and so did not rely on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnprovenDeny {
    pub statement: String,
    pub unevaluated: Vec<String>,
}

/// Who gets in.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Access {
    pub grants: Vec<Grant>,
    pub unproven_denies: Vec<UnprovenDeny>,
}

pub fn evaluate(policy: &str, limits: &Limits) -> Result<Access, PolicyError> {
    let (statements, document) = parse::parse(policy, limits)?;
    let marker = universe::pick_marker(&document)?;
    let prepared = eval::prepare(&statements, marker);
    let universe = Universe::build(&statements, marker, prepared.per_class_cost, limits)?;
    let outcome = eval::run(&universe, &statements, &prepared);
    Ok(report(&universe, &statements, &outcome))
}

struct GroupAcc {
    reported: bool,
    statements: BTreeSet<usize>,
}

fn report(universe: &Universe, statements: &[parse::Statement], outcome: &eval::Outcome) -> Access {
    let mut groups: BTreeMap<Audience, GroupAcc> = BTreeMap::new();
    for (index, class) in universe.classes.iter().enumerate() {
        let status = outcome.status[index];
        if status == Tri::False {
            continue;
        }
        let group = groups
            .entry(audience(universe, class))
            .or_insert(GroupAcc { reported: false, statements: BTreeSet::new() });
        if !explained(universe, outcome, index) {
            group.reported = true;
        }
        for (i, via) in outcome.via[index].iter().enumerate() {
            if *via != Tri::False {
                group.statements.insert(outcome.allows[i]);
            }
        }
    }
    let deny_notes: Vec<String> = statements
        .iter()
        .filter(|statement| statement.effect == parse::Effect::Deny)
        .flat_map(|statement| eval::unevaluated(statement, universe))
        .collect();
    let reported: Vec<(Audience, GroupAcc)> = groups.into_iter().filter(|(_, group)| group.reported).collect();
    let certainties =
        certainties(universe, outcome, &reported.iter().map(|(audience, _)| audience).collect::<Vec<_>>());
    let grants = reported
        .into_iter()
        .zip(certainties)
        .map(|((audience, group), certainty)| {
            let mut unevaluated: Vec<String> = Vec::new();
            if certainty == Certainty::Some {
                let allow_notes = group.statements.iter().flat_map(|&s| eval::unevaluated(&statements[s], universe));
                for note in allow_notes.chain(deny_notes.iter().cloned()) {
                    if !unevaluated.contains(&note) {
                        unevaluated.push(note);
                    }
                }
            }
            Grant {
                audience,
                certainty,
                statements: group.statements.iter().map(|&s| statements[s].label.clone()).collect(),
                unevaluated,
            }
        })
        .collect();
    let unproven_denies = statements
        .iter()
        .filter(|statement| statement.effect == parse::Effect::Deny)
        .filter_map(|statement| {
            let unevaluated = eval::unevaluated(statement, universe);
            (!unevaluated.is_empty()).then(|| UnprovenDeny { statement: statement.label.clone(), unevaluated })
        })
        .collect();
    Access { grants, unproven_denies }
}

/// A more general class (something the policy does not name in place of
/// something it does) gets in at least as far, through the same statements:
/// report that one instead.
fn explained(universe: &Universe, outcome: &eval::Outcome, index: usize) -> bool {
    let mine = outcome.status[index];
    let through = |class: usize| outcome.via[class].iter().map(|via| *via != Tri::False).collect::<Vec<_>>();
    let my_statements = through(index);
    let mut stack = universe.parents(&universe.classes[index]);
    while let Some(parent) = stack.pop() {
        let covers = through(parent).iter().zip(&my_statements).all(|(theirs, mine)| *theirs || !*mine);
        if outcome.status[parent] >= mine && covers {
            return true;
        }
        stack.extend(universe.parents(&universe.classes[parent]));
    }
    false
}

/// A member of an audience, as globs to test classes against.
enum Want {
    Anonymous,
    AnyIam,
    Org(Glob),
    Path(Glob),
    Account(Glob),
    Arn(Glob),
    Service { name: Option<Glob>, source: Option<(Part, Glob)> },
    Federated(String),
    Canonical(String),
}

#[derive(Clone, Copy)]
enum Part {
    Account,
    Org,
    Path,
    Arn,
}

impl Want {
    fn of(audience: &Audience) -> Want {
        let glob = |text: &str| Glob::pattern(text);
        match audience {
            Audience::Anonymous => Want::Anonymous,
            Audience::AnyAccount => Want::AnyIam,
            Audience::Organization(org) => Want::Org(glob(org)),
            Audience::OrgPath(path) => Want::Path(glob(path)),
            Audience::Account(account) => Want::Account(glob(account)),
            Audience::Principal(arn) => Want::Arn(glob(arn)),
            Audience::Service { service, source } => Want::Service {
                name: (service != "*").then(|| glob(service)),
                source: match source {
                    Source::Any => None,
                    Source::Account(account) => Some((Part::Account, glob(account))),
                    Source::Organization(org) => Some((Part::Org, glob(org))),
                    Source::OrgPath(path) => Some((Part::Path, glob(path))),
                    Source::Arn(arn) => Some((Part::Arn, glob(arn))),
                },
            },
            Audience::Federated(name) => Want::Federated(name.clone()),
            Audience::CanonicalUser(id) => Want::Canonical(id.clone()),
        }
    }
}

fn facts_may_hold(facts: Option<&universe::Facts>, what: Part, glob: &Glob) -> bool {
    let Some(facts) = facts else { return false };
    match what {
        Part::Account => facts.account.meets(glob),
        Part::Org => facts.org.as_ref().is_some_and(|org| org.meets(glob)),
        Part::Path => facts.path.as_ref().is_some_and(|path| path.meets(glob)),
        Part::Arn => facts.arn_flat.meets(glob),
    }
}

/// Some member of the class may be a member of the audience.
fn may_hold(universe: &Universe, class: &Class, facts: &universe::ClassFacts, want: &Want) -> bool {
    let principal = facts.principal.as_ref();
    match (want, class) {
        (Want::Anonymous, Class::Anonymous) | (Want::AnyIam, Class::Iam(_)) => true,
        (Want::Org(glob), Class::Iam(_)) => facts_may_hold(principal, Part::Org, glob),
        (Want::Path(glob), Class::Iam(_)) => facts_may_hold(principal, Part::Path, glob),
        (Want::Account(glob), Class::Iam(_)) => facts_may_hold(principal, Part::Account, glob),
        (Want::Arn(glob), Class::Iam(_)) => facts_may_hold(principal, Part::Arn, glob),
        (Want::Service { name, source }, Class::Service { .. }) => {
            name.as_ref().is_none_or(|name| facts.service.as_ref().is_some_and(|service| service.meets(name)))
                && source.as_ref().is_none_or(|(what, glob)| facts_may_hold(facts.source.as_ref(), *what, glob))
        }
        (Want::Federated(name), Class::Federated(index)) => universe.federated[*index as usize] == *name,
        (Want::Canonical(id), Class::Canonical(index)) => universe.canonical[*index as usize] == *id,
        _ => false,
    }
}

/// Per audience: `All` when every class that may hold a member of it is
/// let in for certain (so a Deny on one named role makes its account `Some`).
fn certainties(universe: &Universe, outcome: &eval::Outcome, audiences: &[&Audience]) -> Vec<Certainty> {
    let wants: Vec<Want> = audiences.iter().map(|audience| Want::of(audience)).collect();
    // Audiences that name one literal account, ARN, organization or path,
    // by that value: a class with a literal value needs only those.
    let mut by_value: [HashMap<String, Vec<usize>>; 4] = Default::default();
    let mut others = Vec::new();
    for (i, want) in wants.iter().enumerate() {
        let keyed = match want {
            Want::Account(glob) => Some((0, glob)),
            Want::Arn(glob) => Some((1, glob)),
            Want::Org(glob) => Some((2, glob)),
            Want::Path(glob) => Some((3, glob)),
            _ => None,
        };
        match keyed {
            Some((slot, glob)) if glob.is_literal() => by_value[slot].entry(glob.to_string()).or_default().push(i),
            _ => others.push(i),
        }
    }
    let mut all = vec![true; audiences.len()];
    let check = |i: usize, class: &Class, facts: &universe::ClassFacts, all: &mut Vec<bool>| {
        if all[i] && may_hold(universe, class, facts, &wants[i]) {
            all[i] = false;
        }
    };
    for (class, status) in universe.classes.iter().zip(&outcome.status) {
        if *status == Tri::True {
            continue;
        }
        let facts = universe.facts(class);
        if let Some(principal) = &facts.principal {
            let values =
                [Some(&principal.account), Some(&principal.arn_flat), principal.org.as_ref(), principal.path.as_ref()];
            for (slot, value) in values.into_iter().enumerate() {
                match value {
                    Some(glob) if glob.is_literal() => {
                        for &i in by_value[slot].get(&glob.to_string()).into_iter().flatten() {
                            check(i, class, &facts, &mut all);
                        }
                    }
                    Some(_) => {
                        for &i in by_value[slot].values().flatten() {
                            check(i, class, &facts, &mut all);
                        }
                    }
                    None => {}
                }
            }
        }
        for &i in &others {
            check(i, class, &facts, &mut all);
        }
    }
    all.into_iter().map(|all| if all { Certainty::All } else { Certainty::Some }).collect()
}

fn entity_source(universe: &Universe, pool: &Pool, entity: &Entity) -> Source {
    match (entity.account, entity.org, entity.arn) {
        (Slot::Named(_), _, ArnSlot::Named(_)) => {
            Source::Arn(Glob::join(&universe.arn_parts(pool, entity), ':').to_string())
        }
        (Slot::Named(index), _, _) => Source::Account(pool.accounts[index as usize].to_string()),
        (Slot::Fresh, OrgSlot::In(_, Some(path)), _) => Source::OrgPath(pool.paths[path as usize].to_string()),
        (Slot::Fresh, OrgSlot::In(Slot::Named(org), None), _) => {
            Source::Organization(pool.orgs[org as usize].to_string())
        }
        (Slot::Fresh, _, _) => Source::Any,
    }
}

fn audience(universe: &Universe, class: &Class) -> Audience {
    match class {
        Class::Anonymous => Audience::Anonymous,
        Class::Iam(entity) => match entity_source(universe, &universe.principal, entity) {
            Source::Any => Audience::AnyAccount,
            Source::Account(account) => Audience::Account(account),
            Source::Organization(org) => Audience::Organization(org),
            Source::OrgPath(path) => Audience::OrgPath(path),
            Source::Arn(arn) => Audience::Principal(arn),
        },
        Class::Service { service, source } => Audience::Service {
            service: match service {
                Slot::Named(index) => universe.services[*index as usize].to_string(),
                Slot::Fresh => "*".to_owned(),
            },
            source: match source {
                None => Source::Any,
                Some(entity) => entity_source(universe, &universe.source, entity),
            },
        },
        Class::Federated(index) => Audience::Federated(universe.federated[*index as usize].clone()),
        Class::Canonical(index) => Audience::CanonicalUser(universe.canonical[*index as usize].clone()),
    }
}

fn has_wildcard(text: &str) -> bool {
    text.contains('*') || text.contains('?')
}

/// An organization id (`o-...`) or path prefix in `trusted` covers the path.
fn trusted_path(path: &str, trusted: &[&str]) -> bool {
    trusted.iter().filter(|entry| entry.starts_with("o-")).any(|entry| {
        let prefix = if entry.contains('/') { format!("{entry}*") } else { format!("{entry}/*") };
        Glob::pattern(path).within(&Glob::pattern(&prefix))
    })
}

fn arn_account(arn: &str) -> Option<&str> {
    parse::arn_parts(arn).map(|parts| parts[4])
}

fn trusted_account(account: &str, trusted: &[&str]) -> bool {
    !has_wildcard(account) && trusted.contains(&account)
}

impl Audience {
    /// Anyone on the internet, or any AWS account.
    pub fn is_public(&self) -> bool {
        matches!(self, Audience::Anonymous | Audience::AnyAccount)
    }

    /// Whether the audience reaches beyond `trusted`: account ids, and
    /// organization ids (`o-...`) or organization path prefixes, which
    /// trust every account under them. A service principal with no source
    /// narrowing is not counted as an account (it is reported, not judged).
    pub fn is_outside(&self, trusted: &[&str]) -> bool {
        match self {
            Audience::Anonymous | Audience::AnyAccount => true,
            Audience::Organization(org) => has_wildcard(org) || !trusted.contains(&org.as_str()),
            Audience::OrgPath(path) => !trusted_path(path, trusted),
            Audience::Account(account) => !trusted_account(account, trusted),
            Audience::Principal(arn) => !arn_account(arn).is_some_and(|account| trusted_account(account, trusted)),
            Audience::Service { source, .. } => match source {
                Source::Any => false,
                Source::Account(account) => !trusted_account(account, trusted),
                Source::Organization(org) => has_wildcard(org) || !trusted.contains(&org.as_str()),
                Source::OrgPath(path) => !trusted_path(path, trusted),
                Source::Arn(arn) => !arn_account(arn).is_some_and(|account| trusted_account(account, trusted)),
            },
            Audience::Federated(provider) => {
                !arn_account(provider).is_some_and(|account| trusted_account(account, trusted))
            }
            Audience::CanonicalUser(_) => true,
        }
    }
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Source::Any => f.write_str("for any account"),
            Source::Account(account) if has_wildcard(account) => write!(f, "for accounts matching {account}"),
            Source::Account(account) => write!(f, "for account {account}"),
            Source::Organization(org) => write!(f, "for accounts in organization {org}"),
            Source::OrgPath(path) => write!(f, "for accounts under organization path {path}"),
            Source::Arn(arn) => write!(f, "for {arn}"),
        }
    }
}

impl fmt::Display for Audience {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Audience::Anonymous => f.write_str("anonymous callers"),
            Audience::AnyAccount => f.write_str("any AWS account"),
            Audience::Organization(org) if has_wildcard(org) => write!(f, "accounts in organizations matching {org}"),
            Audience::Organization(org) => write!(f, "accounts in organization {org}"),
            Audience::OrgPath(path) => write!(f, "accounts under organization path {path}"),
            Audience::Account(account) if has_wildcard(account) => write!(f, "accounts matching {account}"),
            Audience::Account(account) => write!(f, "account {account}"),
            Audience::Principal(arn) => write!(f, "principal {arn}"),
            Audience::Service { service, source } if service == "*" => write!(f, "any AWS service {source}"),
            Audience::Service { service, source } => write!(f, "AWS service {service} {source}"),
            Audience::Federated(provider) => write!(f, "users federated through {provider}"),
            Audience::CanonicalUser(id) => write!(f, "canonical user {id}"),
        }
    }
}

impl Grant {
    /// `account 444455556666 (statement Partner)`,
    /// `any AWS account (statements A, B; depends on aws:SourceIp, not evaluated here)`.
    pub fn describe(&self) -> String {
        let noun = if self.statements.len() == 1 { "statement" } else { "statements" };
        let mut text = format!("{} ({noun} {}", self.audience, self.statements.join(", "));
        if self.certainty == Certainty::Some {
            if self.unevaluated.is_empty() {
                text.push_str("; possibly only some of them");
            } else {
                text.push_str(&format!("; depends on {}, not evaluated here", self.unevaluated.join(", ")));
            }
        }
        text.push(')');
        text
    }
}

impl Access {
    /// Anyone, or any AWS account, gets in.
    pub fn is_public(&self) -> bool {
        self.grants.iter().any(|grant| grant.audience.is_public())
    }

    pub fn public_grants(&self) -> Vec<&Grant> {
        self.grants.iter().filter(|grant| grant.audience.is_public()).collect()
    }

    /// The grants that reach beyond `trusted` (account ids, organization
    /// ids, organization path prefixes).
    pub fn outside(&self, trusted: &[&str]) -> Vec<&Grant> {
        self.grants.iter().filter(|grant| grant.audience.is_outside(trusted)).collect()
    }

    /// The grants described, `; `-separated (empty when there are none).
    pub fn describe(grants: &[&Grant]) -> String {
        grants.iter().map(|grant| grant.describe()).collect::<Vec<_>>().join("; ")
    }

    /// Everyone let in, described.
    pub fn open_to(&self) -> String {
        Access::describe(&self.grants.iter().collect::<Vec<_>>())
    }
}
