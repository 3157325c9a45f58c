//! Three-valued evaluation of statements on principal classes, and IAM's
//! rule on top: an explicit Deny wins, then an Allow, else implicit deny.
//!
//! True means "for every member of the class, on every request"; False
//! "for none"; Unknown "for some, or we cannot tell". An Allow lets a class
//! in unless it is False (so a condition we cannot read never narrows a
//! grant); a Deny shuts a class out only when it is True (so a condition we
//! cannot read never cancels a grant). Both errors, where they happen, err
//! toward reporting access.

use std::collections::{HashMap, HashSet};

use super::glob::Glob;
use super::parse::{Base, Compiled, Condition, Effect, Kind, Operator, PrincipalValue, Principals, SetOp, Statement};
use super::universe::{Class, ClassFacts, KeyValue, Universe};

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Tri {
    False,
    Unknown,
    True,
}

impl Tri {
    pub(crate) fn from_bool(value: bool) -> Tri {
        if value { Tri::True } else { Tri::False }
    }
    pub(crate) fn and(self, other: Tri) -> Tri {
        self.min(other)
    }
    pub(crate) fn or(self, other: Tri) -> Tri {
        self.max(other)
    }
    pub(crate) fn not(self) -> Tri {
        match self {
            Tri::False => Tri::True,
            Tri::Unknown => Tri::Unknown,
            Tri::True => Tri::False,
        }
    }
    /// The same answer whichever of several cases holds, or Unknown.
    fn merge(answers: impl IntoIterator<Item = Tri>) -> Tri {
        let mut iter = answers.into_iter();
        let Some(first) = iter.next() else { return Tri::Unknown };
        if iter.all(|answer| answer == first) { first } else { Tri::Unknown }
    }
}

/// A class glob against a literal.
fn tri_eq(glob: &Glob, literal: &str) -> Tri {
    if glob.is_literal() {
        Tri::from_bool(glob.is_text(literal))
    } else if glob.matches(literal) {
        Tri::Unknown
    } else {
        Tri::False
    }
}

/// A class glob against a pattern.
fn tri_like(glob: &Glob, pattern: &Glob) -> Tri {
    if glob.within(pattern) {
        Tri::True
    } else if glob.meets(pattern) {
        Tri::Unknown
    } else {
        Tri::False
    }
}

/// `ArnLike` / `ArnEquals`: each of the six parts matched on its own.
fn arn_like(parts: &[Glob], pattern: &Glob, wanted: Option<&Vec<Glob>>) -> Tri {
    match wanted {
        Some(wanted) => parts.iter().zip(wanted).fold(Tri::True, |acc, (part, want)| acc.and(tri_like(part, want))),
        // Not an ARN: `*` matches everything; anything else we cannot read.
        None if pattern.is_universal() => Tri::True,
        None => Tri::Unknown,
    }
}

fn parse_bool(value: &str) -> Option<bool> {
    match value.to_ascii_lowercase().as_str() {
        "true" => Some(true),
        "false" => Some(false),
        _ => None,
    }
}

/// One policy value against one present key value.
fn match_one(base: Base, key_value: &KeyValue<'_>, value: &Compiled) -> Tri {
    match (base, key_value, value) {
        (_, _, Compiled::Variable) => Tri::Unknown,
        (Base::StringEquals, KeyValue::Str(glob) | KeyValue::Arn(_, glob), Compiled::Literal(text)) => {
            tri_eq(glob, text)
        }
        (Base::StringEqualsIgnoreCase, KeyValue::Str(glob) | KeyValue::Arn(_, glob), Compiled::Literal(text)) => {
            tri_eq(&glob.lowercase(), text)
        }
        (Base::StringLike, KeyValue::Str(glob) | KeyValue::Arn(_, glob), Compiled::Pattern(pattern)) => {
            tri_like(glob, pattern)
        }
        (Base::StringEquals | Base::StringEqualsIgnoreCase, KeyValue::Bool(flag), Compiled::Literal(text)) => {
            Tri::from_bool(text.eq_ignore_ascii_case(&flag.to_string()))
        }
        (Base::StringLike, KeyValue::Bool(flag), Compiled::Pattern(pattern)) => {
            Tri::from_bool(pattern.matches(&flag.to_string()))
        }
        (Base::ArnLike, KeyValue::Arn(parts, _), Compiled::Arn(pattern, wanted)) => {
            arn_like(parts, pattern, wanted.as_ref())
        }
        (Base::Bool, KeyValue::Bool(flag), Compiled::Other(text)) => match parse_bool(text) {
            Some(wanted) => Tri::from_bool(wanted == *flag),
            None => Tri::Unknown,
        },
        _ => Tri::Unknown,
    }
}

/// Whether some value of the condition matches a present key value.
fn match_any(condition: &Condition, base: Base, key_value: &KeyValue<'_>) -> Tri {
    if let (Base::StringEquals | Base::StringEqualsIgnoreCase, KeyValue::Str(glob) | KeyValue::Arn(_, glob)) =
        (base, key_value)
        && glob.is_literal()
    {
        let mut text = glob.to_string();
        if base == Base::StringEqualsIgnoreCase {
            text = text.to_lowercase();
        }
        return if condition.equal_set.contains(&text) {
            Tri::True
        } else if condition.has_variables {
            Tri::Unknown
        } else {
            Tri::False
        };
    }
    let mut matched = Tri::False;
    for value in &condition.compiled {
        matched = matched.or(match_one(base, key_value, value));
        if matched == Tri::True {
            break;
        }
    }
    matched
}

fn eval_key(condition: &Condition, key_value: &KeyValue<'_>) -> Tri {
    let Operator::Known { base, negated, if_exists, set } = condition.operator else {
        return Tri::Unknown;
    };
    match *key_value {
        KeyValue::Unknown => Tri::Unknown,
        KeyValue::MaybeStr(glob) => {
            Tri::merge([eval_key(condition, &KeyValue::Absent), eval_key(condition, &KeyValue::Str(glob))])
        }
        KeyValue::MaybeArn(parts, flat) => {
            Tri::merge([eval_key(condition, &KeyValue::Absent), eval_key(condition, &KeyValue::Arn(parts, flat))])
        }
        KeyValue::Absent => {
            if base == Base::Null {
                condition
                    .values
                    .iter()
                    .fold(Tri::False, |acc, value| acc.or(parse_bool(value).map_or(Tri::Unknown, Tri::from_bool)))
            } else if if_exists {
                Tri::True
            } else {
                match set {
                    Some(SetOp::ForAnyValue) => Tri::False,
                    Some(SetOp::ForAllValues) => Tri::True,
                    None => Tri::from_bool(negated),
                }
            }
        }
        ref present => {
            if base == Base::Null {
                return condition.values.iter().fold(Tri::False, |acc, value| {
                    acc.or(parse_bool(value).map_or(Tri::Unknown, |null| Tri::from_bool(!null)))
                });
            }
            // Every multivalued key we model (the organization paths) holds
            // one value per caller, so ForAnyValue and ForAllValues over it
            // both come to the single comparison.
            let matched = match_any(condition, base, present);
            if negated { matched.not() } else { matched }
        }
    }
}

/// A key value as a map key: many classes share one (every account in an
/// organization has its path), and a long list of patterns is worth
/// comparing once per value rather than once per class.
#[derive(Debug, PartialEq, Eq, Hash)]
enum ValueKey {
    Absent,
    Str(Glob),
    Arn(Glob),
    Bool(bool),
    Unknown,
    MaybeStr(Glob),
    MaybeArn(Glob),
}

impl ValueKey {
    fn of(value: &KeyValue<'_>) -> ValueKey {
        match *value {
            KeyValue::Absent => ValueKey::Absent,
            KeyValue::Str(glob) => ValueKey::Str(glob.clone()),
            KeyValue::Arn(_, flat) => ValueKey::Arn(flat.clone()),
            KeyValue::Bool(flag) => ValueKey::Bool(flag),
            KeyValue::Unknown => ValueKey::Unknown,
            KeyValue::MaybeStr(glob) => ValueKey::MaybeStr(glob.clone()),
            KeyValue::MaybeArn(_, flat) => ValueKey::MaybeArn(flat.clone()),
        }
    }
}

/// Answers of long conditions, by condition and key value.
#[derive(Debug, Default)]
pub(crate) struct Memo(HashMap<(usize, ValueKey), Tri>);

const WORTH_REMEMBERING: usize = 4;

fn eval_condition(
    universe: &Universe,
    class: &Class,
    facts: &ClassFacts,
    condition: &Condition,
    memo: &mut Memo,
) -> Tri {
    let Some(key_value) = universe.key_value(class, facts, &condition.key) else {
        return Tri::Unknown;
    };
    if condition.compiled.len() < WORTH_REMEMBERING {
        return eval_key(condition, &key_value);
    }
    *memo.0.entry((condition.id, ValueKey::of(&key_value))).or_insert_with(|| eval_key(condition, &key_value))
}

/// Whether one `Principal` / `NotPrincipal` value names (members of) the class.
fn names(universe: &Universe, class: &Class, facts: &ClassFacts, value: &PrincipalValue, not_principal: bool) -> Tri {
    let principal = facts.principal.as_ref();
    match (value, class) {
        (PrincipalValue::Star(Kind::Aws), Class::Anonymous | Class::Iam(_)) => Tri::True,
        (PrincipalValue::Star(Kind::Service), Class::Service { .. })
        | (PrincipalValue::Star(Kind::Federated), Class::Federated(_))
        | (PrincipalValue::Star(Kind::CanonicalUser), Class::Canonical(_)) => Tri::True,
        // `{"AWS": "*"}` may or may not take in service principals; `"*"` under
        // another kind is not IAM grammar. Either way: maybe.
        (PrincipalValue::Star(_), _) => Tri::Unknown,
        (PrincipalValue::Account(account), Class::Iam(_)) => {
            let Some(principal) = principal else { return Tri::Unknown };
            let in_account = tri_eq(&principal.account, account);
            if !not_principal || in_account == Tri::False {
                // As Principal, an account delegates to everyone in it.
                in_account
            } else {
                // In NotPrincipal an account ARN stands for the account's own
                // identity, and it is not clear which of its principals that exempts.
                let root = format!("arn:{}:iam::{account}:root", universe.partition);
                if tri_eq(&principal.arn_flat, &root) == Tri::True { Tri::True } else { Tri::Unknown }
            }
        }
        (PrincipalValue::Arn(arn), Class::Iam(_)) => principal.map_or(Tri::Unknown, |p| tri_eq(&p.arn_flat, arn)),
        (PrincipalValue::Session { account }, Class::Iam(_)) => {
            match principal.map_or(Tri::Unknown, |p| tri_eq(&p.account, account)) {
                Tri::False => Tri::False,
                _ => Tri::Unknown,
            }
        }
        (PrincipalValue::Service(name), Class::Service { .. }) => {
            facts.service.as_ref().map_or(Tri::Unknown, |service| tri_eq(&service.lowercase(), name))
        }
        (PrincipalValue::Federated(name), Class::Federated(index)) => {
            Tri::from_bool(universe.federated[*index as usize] == *name)
        }
        (PrincipalValue::CanonicalUser(id), Class::Canonical(index)) => {
            Tri::from_bool(universe.canonical[*index as usize] == *id)
        }
        _ => Tri::False,
    }
}

/// A statement's principals, with the literal accounts and ARNs in sets so
/// that a long list costs one look-up per class.
#[derive(Debug, Default)]
pub(crate) struct PrincipalIndex {
    accounts: HashSet<String>,
    arns: HashSet<String>,
    rest: Vec<PrincipalValue>,
}

impl PrincipalIndex {
    pub(crate) fn new(statement: &Statement) -> PrincipalIndex {
        let mut index = PrincipalIndex::default();
        if let Principals::Listed(values) = &statement.principals {
            for value in values {
                match value {
                    PrincipalValue::Account(account) => {
                        index.accounts.insert(account.clone());
                    }
                    PrincipalValue::Arn(arn) => {
                        index.arns.insert(arn.clone());
                    }
                    other => index.rest.push(other.clone()),
                }
            }
        }
        index
    }
}

fn names_any(
    universe: &Universe,
    class: &Class,
    facts: &ClassFacts,
    statement: &Statement,
    index: &PrincipalIndex,
) -> Tri {
    if statement.principals == Principals::Everyone {
        return Tri::True;
    }
    let not = statement.not_principal;
    let mut named = Tri::False;
    if let Some(principal) = facts.principal.as_ref() {
        if principal.account.is_literal() {
            let account = principal.account.to_string();
            if index.accounts.contains(&account) {
                named = named.or(names(universe, class, facts, &PrincipalValue::Account(account), not));
            }
        } else {
            for account in &index.accounts {
                named = named.or(names(universe, class, facts, &PrincipalValue::Account(account.clone()), not));
            }
        }
        if principal.arn_flat.is_literal() {
            if index.arns.contains(&principal.arn_flat.to_string()) {
                named = Tri::True;
            }
        } else {
            for arn in &index.arns {
                named = named.or(tri_eq(&principal.arn_flat, arn));
            }
        }
    }
    for value in &index.rest {
        if named == Tri::True {
            break;
        }
        named = named.or(names(universe, class, facts, value, not));
    }
    named
}

pub(crate) fn applies(
    universe: &Universe,
    class: &Class,
    facts: &ClassFacts,
    statement: &Statement,
    index: &PrincipalIndex,
    memo: &mut Memo,
) -> Tri {
    let named = names_any(universe, class, facts, statement, index);
    let mut result = if statement.not_principal { named.not() } else { named };
    for condition in &statement.conditions {
        if result == Tri::False {
            break;
        }
        result = result.and(eval_condition(universe, class, facts, condition, memo));
    }
    result
}

/// What a condition of this statement leaves to things we do not evaluate.
pub(crate) fn unevaluated(statement: &Statement, universe: &Universe) -> Vec<String> {
    let mut out = Vec::new();
    for condition in &statement.conditions {
        let note = match condition.operator {
            Operator::Unknown => Some(format!("{} {}", condition.operator_name, condition.key_name)),
            Operator::Known { base: Base::Other, .. } => Some(condition.key_name.clone()),
            _ if universe.key_value(&Class::Anonymous, &ClassFacts::default(), &condition.key).is_none() => {
                Some(condition.key_name.clone())
            }
            _ if condition.values.iter().any(|value| value.contains("${")) => {
                Some(format!("{} (a policy variable)", condition.key_name))
            }
            _ => None,
        };
        if let Some(note) = note
            && !out.contains(&note)
        {
            out.push(note);
        }
    }
    out
}

const ECR: &str = "ecr:*";

/// An Allow that grants some ECR action.
pub(crate) fn grants_ecr(statement: &Statement) -> bool {
    let ecr = Glob::pattern(ECR);
    if statement.not_action {
        !statement.actions.iter().any(|excluded| ecr.within(excluded))
    } else {
        statement.actions.iter().any(|action| action.meets(&ecr))
    }
}

/// The ECR actions the policy tells apart: each action pattern it names
/// that is narrower than `ecr:*`, and one ECR action it does not name.
fn action_classes(statements: &[Statement], marker: char) -> Vec<Glob> {
    let ecr = Glob::pattern(ECR);
    let mut classes: Vec<Glob> = statements
        .iter()
        .flat_map(|statement| statement.actions.iter())
        .filter(|action| action.meets(&ecr) && !ecr.within(action))
        .cloned()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    classes.push(Glob::literal(&format!("ecr:{}", String::from_iter([marker; 6]))));
    classes
}

fn action_matches(statement: &Statement, action: &Glob) -> Tri {
    let named = statement.actions.iter().fold(Tri::False, |acc, pattern| acc.or(tri_like(action, pattern)));
    if statement.not_action { named.not() } else { named }
}

/// The Deny reaches every resource the Allow grants. When we cannot show
/// it, the Deny is taken not to cancel the Allow.
pub(crate) fn deny_reaches(deny: &Statement, allow: &Statement) -> bool {
    let universal = |list: &[Glob]| list.iter().any(Glob::is_universal);
    match (&deny.resources, deny.not_resource) {
        (None, _) => true,
        (Some(denied), false) if universal(denied) => true,
        (Some(denied), false) => match (&allow.resources, allow.not_resource) {
            (Some(granted), false) => granted.iter().all(|resource| denied.iter().any(|d| resource.within(d))),
            (None, _) => {
                let any_repository = Glob::pattern("arn:*:ecr:*:*:repository/*");
                denied.iter().any(|d| any_repository.within(d))
            }
            (Some(_), true) => false,
        },
        (Some(spared), true) => match (&allow.resources, allow.not_resource) {
            (Some(granted), false) => granted.iter().all(|resource| spared.iter().all(|s| !resource.meets(s))),
            _ => false,
        },
    }
}

/// Per class: how far it gets in, and through which Allow statements.
#[derive(Debug)]
pub(crate) struct Outcome {
    /// Indices into the statements of the Allows that grant something ECR.
    pub allows: Vec<usize>,
    /// `status[class]`: admitted (True), maybe (Unknown), or not (False).
    pub status: Vec<Tri>,
    /// `via[class][i]`: admitted through `allows[i]`.
    pub via: Vec<Vec<Tri>>,
}

/// What every class is weighed against: the statements' action and
/// resource relations, worked out once.
#[derive(Debug)]
pub(crate) struct Prepared {
    allows: Vec<usize>,
    matches: Vec<Vec<Tri>>,
    reaching: Vec<Vec<usize>>,
    indexes: Vec<PrincipalIndex>,
    /// Steps to weigh one class, at worst.
    pub per_class_cost: usize,
}

pub(crate) fn prepare(statements: &[Statement], marker: char) -> Prepared {
    let allows: Vec<usize> = (0..statements.len())
        .filter(|&i| statements[i].effect == Effect::Allow && grants_ecr(&statements[i]))
        .collect();
    let denies: Vec<usize> = (0..statements.len()).filter(|&i| statements[i].effect == Effect::Deny).collect();
    let actions = action_classes(statements, marker);
    let matches: Vec<Vec<Tri>> = statements
        .iter()
        .map(|statement| actions.iter().map(|action| action_matches(statement, action)).collect())
        .collect();
    let reaching: Vec<Vec<usize>> = allows
        .iter()
        .map(|&a| denies.iter().copied().filter(|&d| deny_reaches(&statements[d], &statements[a])).collect())
        .collect();
    let indexes: Vec<PrincipalIndex> = statements.iter().map(PrincipalIndex::new).collect();
    let statement_cost: usize = statements
        .iter()
        .map(|statement| {
            let principals = match &statement.principals {
                Principals::Everyone => 1,
                Principals::Listed(values) => values.len(),
            };
            principals + statement.conditions.iter().map(|c| c.values.len() + 1).sum::<usize>() + 1
        })
        .sum();
    let action_cost: usize = allows
        .iter()
        .enumerate()
        .map(|(i, &a)| {
            (0..actions.len())
                .filter(|&x| matches[a][x] != Tri::False)
                .map(|x| 1 + reaching[i].iter().filter(|&&d| matches[d][x] != Tri::False).count())
                .sum::<usize>()
        })
        .sum();
    Prepared { allows, matches, reaching, indexes, per_class_cost: statement_cost.saturating_add(action_cost) }
}

pub(crate) fn run(universe: &Universe, statements: &[Statement], prepared: &Prepared) -> Outcome {
    let Prepared { allows, matches, reaching, indexes, .. } = prepared;
    let mut memo = Memo::default();
    let mut status = Vec::with_capacity(universe.classes.len());
    let mut via = Vec::with_capacity(universe.classes.len());
    for class in &universe.classes {
        let facts = universe.facts(class);
        let mut denied: Vec<Option<Tri>> = vec![None; statements.len()];
        let mut class_via = Vec::with_capacity(allows.len());
        let mut class_status = Tri::False;
        for (i, &a) in allows.iter().enumerate() {
            let granted = applies(universe, class, &facts, &statements[a], &indexes[a], &mut memo);
            let mut through = Tri::False;
            if granted != Tri::False {
                // Some ECR action the Allow grants and no Deny takes back.
                for (x, allowed) in matches[a].iter().enumerate() {
                    let mut result = granted.and(*allowed);
                    for &d in &reaching[i] {
                        if result == Tri::False {
                            break;
                        }
                        if matches[d][x] == Tri::False {
                            continue;
                        }
                        let deny = *denied[d].get_or_insert_with(|| {
                            applies(universe, class, &facts, &statements[d], &indexes[d], &mut memo)
                        });
                        result = result.and(deny.and(matches[d][x]).not());
                    }
                    through = through.or(result);
                    if through == Tri::True {
                        break;
                    }
                }
            }
            class_status = class_status.or(through);
            class_via.push(through);
        }
        status.push(class_status);
        via.push(class_via);
    }
    Outcome { allows: allows.clone(), status, via }
}
