//! The principals a policy can tell apart, as a finite set of classes.
//!
//! A policy compares the caller only with the values it names. So every
//! caller falls into a class built from those values: an account the policy
//! names (or a pattern it uses), or an account it does not name at all
//! ("fresh"); likewise the organization, the organization path, the
//! principal's ARN, the service and the service's source. Each class is
//! described by condition-key values that are globs (a set of strings), and
//! every test on a class answers True (for all its members), False (for
//! none) or Unknown (for some, or we cannot tell). Every real caller is a
//! member of at least one class, so a verdict drawn from the classes never
//! misses anyone who gets in.
//!
//! Fresh values are literals made of a private-use character the policy does
//! not contain: they match only patterns that match everything.

use std::collections::{BTreeSet, HashMap};

use serde_json::Value;

use super::glob::Glob;
use super::parse::{Base, Condition, Operator, PrincipalValue, Principals, Statement};
use super::{Limits, PolicyError};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Slot {
    Named(u32),
    Fresh,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum OrgSlot {
    NoOrg,
    /// In an organization; `Some(path)`: at a path matching a pattern the
    /// policy names, `None`: at a path matching none of them.
    In(Slot, Option<u32>),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum ArnSlot {
    /// An IAM principal of the account (root, user, role) matching no ARN pattern the policy names.
    FreshIam,
    /// An STS federated user of the account, likewise.
    FreshSts,
    /// A resource of the account (a service's source), likewise.
    FreshResource,
    /// Matching this ARN pattern the policy names (its account part set to the entity's).
    Named(u32),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Entity {
    pub account: Slot,
    pub org: OrgSlot,
    pub arn: ArnSlot,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Class {
    Anonymous,
    /// An IAM principal (root, user, role session, federated user).
    Iam(Entity),
    /// An AWS service principal, acting for a source resource or for none.
    Service {
        service: Slot,
        source: Option<Entity>,
    },
    Federated(u32),
    Canonical(u32),
}

/// What a condition key holds for a class.
#[derive(Debug, Clone, Copy)]
pub(crate) enum KeyValue<'a> {
    Absent,
    Str(&'a Glob),
    /// The six parts of an ARN, and the whole.
    Arn(&'a [Glob], &'a Glob),
    Bool(bool),
    /// We cannot tell.
    Unknown,
    /// Absent, or this value: we do not know which.
    MaybeStr(&'a Glob),
    MaybeArn(&'a [Glob], &'a Glob),
}

/// The values of an account-side entity (a calling IAM principal, or the
/// source a service acts for), worked out once per class.
#[derive(Debug, Clone)]
pub(crate) struct Facts {
    pub account: Glob,
    pub arn: Vec<Glob>,
    pub arn_flat: Glob,
    pub org: Option<Glob>,
    pub path: Option<Glob>,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct ClassFacts {
    pub principal: Option<Facts>,
    pub source: Option<Facts>,
    pub service: Option<Glob>,
}

/// The values one side (the calling principal, or a service's source) is compared with.
#[derive(Debug, Default)]
pub(crate) struct Pool {
    pub accounts: Vec<Glob>,
    pub orgs: Vec<Glob>,
    pub paths: Vec<Glob>,
    pub arns: Vec<Vec<Glob>>,
}

#[derive(Debug)]
pub(crate) struct Universe {
    pub principal: Pool,
    pub source: Pool,
    pub services: Vec<Glob>,
    pub federated: Vec<String>,
    pub canonical: Vec<String>,
    pub partition: String,
    pub marker: char,
    /// Coarse classes (any ARN of the account, any path of the organization)
    /// instead of one per ARN or path pattern: the fallback for a policy
    /// that names too many of them to weigh every combination.
    pub coarse_arns: bool,
    pub coarse_paths: bool,
    pub classes: Vec<Class>,
    pub index: HashMap<Class, usize>,
    anonymous_account: Glob,
    opaque: Glob,
    opaque_arn: Vec<Glob>,
    opaque_arn_flat: Glob,
}

#[derive(Default)]
struct Collect {
    accounts: BTreeSet<Glob>,
    orgs: BTreeSet<Glob>,
    paths: BTreeSet<Glob>,
    arns: BTreeSet<Vec<Glob>>,
    /// A `StringLike` on an ARN key with a wildcard before the resource
    /// part: matched on the whole string, its `*` may span colons, so the
    /// six-part classes would not cover it.
    unaligned: bool,
}

impl Collect {
    fn account(&mut self, glob: Glob) {
        let text = glob.to_string();
        let is_id = text.len() == 12 && text.bytes().all(|byte| byte.is_ascii_digit());
        if (glob.is_literal() && is_id) || (!glob.is_literal() && !glob.is_universal()) {
            self.accounts.insert(glob);
        }
    }

    fn org(&mut self, glob: Glob) {
        if (glob.is_literal() && glob.to_string().starts_with("o-")) || (!glob.is_literal() && !glob.is_universal()) {
            self.orgs.insert(glob);
        }
    }

    fn path(&mut self, glob: Glob) {
        if glob.is_universal() {
            return;
        }
        let segments = glob.splitn(2, '/');
        if segments.len() == 2 {
            self.org(segments[0].clone());
        }
        self.paths.insert(glob);
    }

    fn arn(&mut self, glob: &Glob, whole_string: bool, partitions: &mut HashMap<String, usize>) {
        let parts = glob.splitn(6, ':');
        if whole_string && (parts.len() != 6 || parts[..5].iter().any(|part| !part.is_literal())) {
            self.unaligned = true;
            // Coarse classes end in `*`, which meets anything after a
            // wildcard; only a literal lead into the account part needs the
            // account as a class of its own.
            if parts.len() == 5 && parts[..4].iter().all(Glob::is_literal) {
                self.account(parts[4].clone());
            }
        }
        if parts.len() != 6 || parts[0] != Glob::literal("arn") {
            return;
        }
        if parts[1].is_literal() {
            *partitions.entry(parts[1].to_string()).or_default() += 1;
        }
        self.account(parts[4].clone());
        self.arns.insert(parts);
    }

    fn into_pool(self) -> Pool {
        Pool {
            accounts: self.accounts.into_iter().collect(),
            orgs: self.orgs.into_iter().collect(),
            paths: self.paths.into_iter().collect(),
            arns: self.arns.into_iter().collect(),
        }
    }
}

fn value_glob(base: Base, value: &str) -> Glob {
    match base {
        Base::StringLike | Base::ArnLike => Glob::pattern(value),
        Base::StringEqualsIgnoreCase => Glob::literal(&value.to_lowercase()),
        _ => Glob::literal(value),
    }
}

fn each_string<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::String(text) => out.push(text),
        Value::Array(values) => values.iter().for_each(|value| each_string(value, out)),
        Value::Object(map) => map.iter().for_each(|(key, value)| {
            out.push(key);
            each_string(value, out);
        }),
        _ => {}
    }
}

/// A private-use character no string of the policy contains.
pub(crate) fn pick_marker(document: &Value) -> Result<char, PolicyError> {
    let mut strings = Vec::new();
    each_string(document, &mut strings);
    let used: BTreeSet<char> =
        strings.iter().flat_map(|text| text.chars()).filter(|ch| ('\u{E000}'..='\u{F8FF}').contains(ch)).collect();
    ('\u{E000}'..='\u{F8FF}')
        .find(|ch| !used.contains(ch))
        .ok_or_else(|| PolicyError::TooComplex("the policy uses every private-use character".to_owned()))
}

/// What the statements name: principals and sources (from `Principal` and
/// from conditions), services, federated and canonical users, and the
/// partitions their ARNs are in.
#[derive(Default)]
struct Seen {
    principal: Collect,
    source: Collect,
    services: BTreeSet<Glob>,
    federated: BTreeSet<String>,
    canonical: BTreeSet<String>,
    partitions: HashMap<String, usize>,
}

impl Seen {
    fn principal(&mut self, value: &PrincipalValue) {
        match value {
            PrincipalValue::Account(account) | PrincipalValue::Session { account } => {
                self.principal.account(Glob::literal(account))
            }
            PrincipalValue::Arn(arn) => self.principal.arn(&Glob::literal(arn), false, &mut self.partitions),
            PrincipalValue::Service(service) => {
                self.services.insert(Glob::literal(service));
            }
            PrincipalValue::Federated(name) => {
                self.federated.insert(name.clone());
            }
            PrincipalValue::CanonicalUser(id) => {
                self.canonical.insert(id.clone());
            }
            PrincipalValue::Star(_) | PrincipalValue::UniqueId => {}
        }
    }

    fn condition(&mut self, condition: &Condition) {
        let Operator::Known { base, .. } = condition.operator else { return };
        for value in condition.values.iter().filter(|value| !value.contains("${")) {
            let glob = value_glob(base, value);
            let whole_string = base == Base::StringLike;
            match condition.key.as_str() {
                "aws:principalaccount" => self.principal.account(glob),
                "aws:principalarn" => self.principal.arn(&glob, whole_string, &mut self.partitions),
                "aws:principalorgid" => self.principal.org(glob),
                "aws:principalorgpaths" => self.principal.path(glob),
                "aws:sourceaccount" => self.source.account(glob),
                "aws:sourcearn" => self.source.arn(&glob, whole_string, &mut self.partitions),
                "aws:sourceorgid" => self.source.org(glob),
                "aws:sourceorgpaths" => self.source.path(glob),
                "aws:principalservicename" if !glob.is_universal() => {
                    self.services.insert(glob);
                }
                _ => {}
            }
        }
    }
}

impl Universe {
    pub(crate) fn build(
        statements: &[Statement],
        marker: char,
        per_class_cost: usize,
        limits: &Limits,
    ) -> Result<Universe, PolicyError> {
        let mut seen = Seen::default();
        for statement in statements {
            if let Principals::Listed(values) = &statement.principals {
                values.iter().for_each(|value| seen.principal(value));
            }
            statement.conditions.iter().for_each(|condition| seen.condition(condition));
        }
        let Seen { principal, source, services, federated, canonical, partitions } = seen;
        // The partition the policy's ARNs are in: a resource is reached only from its own.
        let partition = partitions
            .into_iter()
            .max_by(|a, b| a.1.cmp(&b.1).then_with(|| b.0.cmp(&a.0)))
            .map_or_else(|| "aws".to_owned(), |(partition, _)| partition);
        let unaligned = principal.unaligned || source.unaligned;
        let mut universe = Universe {
            principal: principal.into_pool(),
            source: source.into_pool(),
            services: services.into_iter().collect(),
            federated: federated.into_iter().collect(),
            canonical: canonical.into_iter().collect(),
            partition,
            marker,
            coarse_arns: false,
            coarse_paths: false,
            classes: Vec::new(),
            index: HashMap::new(),
            anonymous_account: Glob::literal("anonymous"),
            opaque: Glob::literal(&String::from_iter(std::iter::repeat_n(marker, 80))),
            opaque_arn: Vec::new(),
            opaque_arn_flat: Glob::literal(""),
        };
        universe.opaque_arn =
            std::iter::once(Glob::literal("arn")).chain((0..5).map(|_| universe.opaque.clone())).collect();
        universe.opaque_arn_flat = Glob::join(&universe.opaque_arn, ':');
        universe.enumerate(unaligned, per_class_cost, limits)?;
        Ok(universe)
    }

    fn enumerate(&mut self, unaligned: bool, per_class_cost: usize, limits: &Limits) -> Result<(), PolicyError> {
        // Precise first (unless an ARN pattern needs the coarse classes); then
        // one class for any ARN of an account; then also one class for any
        // path of an organization.
        let mut total = 0;
        let levels = [(false, false), (true, false), (true, true)];
        for (coarse_arns, coarse_paths) in levels.into_iter().skip(usize::from(unaligned)) {
            self.coarse_arns = coarse_arns;
            self.coarse_paths = coarse_paths;
            let iam = self.entities(&self.principal, &[ArnSlot::FreshIam, ArnSlot::FreshSts]);
            let sources = self.entities(&self.source, &[ArnSlot::FreshResource]);
            let services = self.services.len() + 1;
            total = 1 + iam.len() + services * (1 + sources.len()) + self.federated.len() + self.canonical.len();
            if total > limits.max_classes || total.saturating_mul(per_class_cost.max(1)) > limits.max_work {
                continue;
            }
            let mut classes = Vec::with_capacity(total);
            classes.push(Class::Anonymous);
            classes.extend(iam.into_iter().map(Class::Iam));
            let service_slots = (0..self.services.len() as u32).map(Slot::Named).chain([Slot::Fresh]);
            for service in service_slots {
                classes.push(Class::Service { service, source: None });
                classes.extend(sources.iter().map(|&source| Class::Service { service, source: Some(source) }));
            }
            classes.extend((0..self.federated.len() as u32).map(Class::Federated));
            classes.extend((0..self.canonical.len() as u32).map(Class::Canonical));
            self.index = classes.iter().enumerate().map(|(index, class)| (*class, index)).collect();
            self.classes = classes;
            return Ok(());
        }
        Err(PolicyError::TooComplex(format!(
            "the policy tells apart {total} kinds of caller, each weighed in up to {per_class_cost} steps, \
             beyond this evaluator's limits ({} kinds, {} steps)",
            limits.max_classes, limits.max_work
        )))
    }

    /// Every combination of account, organization (and path) and ARN that
    /// the pool's values tell apart. A value matching several patterns is
    /// in several classes; a value matching none is in the fresh one.
    fn entities(&self, pool: &Pool, fresh_arns: &[ArnSlot]) -> Vec<Entity> {
        let mut orgs = vec![OrgSlot::NoOrg];
        for org in (0..pool.orgs.len() as u32).map(Slot::Named).chain([Slot::Fresh]) {
            orgs.push(OrgSlot::In(org, None));
            if self.coarse_paths {
                continue;
            }
            let under = self.org_glob(pool, org).concat(&Glob::pattern("/*"));
            for (index, path) in pool.paths.iter().enumerate() {
                if path.meets(&under) {
                    orgs.push(OrgSlot::In(org, Some(index as u32)));
                }
            }
        }
        let mut entities = Vec::new();
        for account in (0..pool.accounts.len() as u32).map(Slot::Named).chain([Slot::Fresh]) {
            let mut arns: Vec<ArnSlot> = fresh_arns.to_vec();
            let glob = self.account_glob(pool, account);
            for (arn_index, arn) in pool.arns.iter().enumerate().filter(|_| !self.coarse_arns) {
                if arn[4].is_universal() || arn[4].meets(&glob) {
                    arns.push(ArnSlot::Named(arn_index as u32));
                }
            }
            for &org in &orgs {
                for &arn in &arns {
                    entities.push(Entity { account, org, arn });
                }
            }
        }
        entities
    }

    fn fresh(&self, count: usize) -> String {
        std::iter::repeat_n(self.marker, count).collect()
    }

    // Fresh values stand for "a value matching none of the policy's
    // patterns". They are longer than any real value of their kind (account
    // ids are 12 digits, organization ids at most 34 characters), so a
    // pattern that matches one without matching everything is one that
    // matches nothing fresh either. In coarse mode the "fresh" ARN and path
    // are patterns for "any", which the tests then answer with "maybe".

    pub(crate) fn account_glob(&self, pool: &Pool, slot: Slot) -> Glob {
        match slot {
            Slot::Named(index) => pool.accounts[index as usize].clone(),
            Slot::Fresh => Glob::literal(&self.fresh(12)),
        }
    }

    pub(crate) fn org_glob(&self, pool: &Pool, slot: Slot) -> Glob {
        match slot {
            Slot::Named(index) => pool.orgs[index as usize].clone(),
            Slot::Fresh => Glob::literal(&format!("o-{}", self.fresh(40))),
        }
    }

    pub(crate) fn service_glob(&self, slot: Slot) -> Glob {
        match slot {
            Slot::Named(index) => self.services[index as usize].clone(),
            Slot::Fresh => Glob::literal(&self.fresh(80)),
        }
    }

    pub(crate) fn path_glob(&self, pool: &Pool, org: OrgSlot) -> Option<Glob> {
        match org {
            OrgSlot::NoOrg => None,
            OrgSlot::In(_, Some(path)) => Some(pool.paths[path as usize].clone()),
            OrgSlot::In(org, None) if self.coarse_paths => {
                Some(self.org_glob(pool, org).concat(&Glob::pattern("/r-*/")))
            }
            OrgSlot::In(org, None) => {
                Some(self.org_glob(pool, org).concat(&Glob::literal(&format!("/r-{}/", self.fresh(80)))))
            }
        }
    }

    pub(crate) fn arn_parts(&self, pool: &Pool, entity: &Entity) -> Vec<Glob> {
        let account = self.account_glob(pool, entity.account);
        let fresh = if self.coarse_arns { "*".to_owned() } else { self.fresh(80) };
        let fixed = |service: &str, region: &str, resource: &str| {
            vec![
                Glob::literal("arn"),
                Glob::literal(&self.partition),
                Glob::pattern(service),
                Glob::pattern(region),
                account.clone(),
                Glob::pattern(resource),
            ]
        };
        match entity.arn {
            ArnSlot::FreshIam => fixed("iam", "", &fresh),
            ArnSlot::FreshSts => fixed("sts", "", &format!("federated-user/{fresh}")),
            ArnSlot::FreshResource => fixed(&fresh, &fresh, &fresh),
            ArnSlot::Named(index) => {
                let mut parts = pool.arns[index as usize].clone();
                parts[4] = account;
                parts
            }
        }
    }

    fn entity_facts(&self, pool: &Pool, entity: &Entity) -> Facts {
        let arn = self.arn_parts(pool, entity);
        Facts {
            account: self.account_glob(pool, entity.account),
            arn_flat: Glob::join(&arn, ':'),
            arn,
            org: match entity.org {
                OrgSlot::NoOrg => None,
                OrgSlot::In(org, _) => Some(self.org_glob(pool, org)),
            },
            path: self.path_glob(pool, entity.org),
        }
    }

    pub(crate) fn facts(&self, class: &Class) -> ClassFacts {
        match class {
            Class::Iam(entity) => {
                ClassFacts { principal: Some(self.entity_facts(&self.principal, entity)), ..ClassFacts::default() }
            }
            Class::Service { service, source } => ClassFacts {
                principal: None,
                source: source.as_ref().map(|entity| self.entity_facts(&self.source, entity)),
                service: Some(self.service_glob(*service)),
            },
            Class::Anonymous | Class::Federated(_) | Class::Canonical(_) => ClassFacts::default(),
        }
    }

    /// `None`: a key this evaluator does not model.
    pub(crate) fn key_value<'a>(&'a self, class: &Class, facts: &'a ClassFacts, key: &str) -> Option<KeyValue<'a>> {
        let from = |facts: &'a Option<Facts>, which: &str| match facts {
            None => KeyValue::Absent,
            Some(facts) => match which {
                "account" => KeyValue::Str(&facts.account),
                "arn" => KeyValue::Arn(&facts.arn, &facts.arn_flat),
                "orgid" => facts.org.as_ref().map_or(KeyValue::Absent, KeyValue::Str),
                _ => facts.path.as_ref().map_or(KeyValue::Absent, KeyValue::Str),
            },
        };
        let (side, which) = match key {
            "aws:principalaccount" => ("principal", "account"),
            "aws:principalarn" => ("principal", "arn"),
            "aws:principalorgid" => ("principal", "orgid"),
            "aws:principalorgpaths" => ("principal", "orgpaths"),
            "aws:sourceaccount" => ("source", "account"),
            "aws:sourcearn" => ("source", "arn"),
            "aws:sourceorgid" => ("source", "orgid"),
            "aws:sourceorgpaths" => ("source", "orgpaths"),
            "aws:principalisawsservice" => ("", "isservice"),
            "aws:principalservicename" => ("", "servicename"),
            _ => return None,
        };
        Some(match (class, side, which) {
            (Class::Federated(_) | Class::Canonical(_), _, _) => KeyValue::Unknown,
            // "For anonymous requests, the request context returns anonymous."
            (Class::Anonymous, "principal", "account") => KeyValue::Str(&self.anonymous_account),
            (Class::Anonymous, _, _) => KeyValue::Absent,
            (Class::Iam(_), "principal", _) => from(&facts.principal, which),
            (Class::Iam(_), "", "isservice") => KeyValue::Bool(false),
            (Class::Iam(_), _, _) => KeyValue::Absent,
            // Not documented for service principals: absent, or some value
            // of AWS's own that the policy does not name.
            (Class::Service { .. }, "principal", "arn") => KeyValue::MaybeArn(&self.opaque_arn, &self.opaque_arn_flat),
            (Class::Service { .. }, "principal", _) => KeyValue::MaybeStr(&self.opaque),
            (Class::Service { .. }, "", "isservice") => KeyValue::Bool(true),
            (Class::Service { .. }, "", _) => facts.service.as_ref().map_or(KeyValue::Absent, KeyValue::Str),
            (Class::Service { .. }, _, _) => from(&facts.source, which),
        })
    }

    /// The classes one step "more general" than `class`: the same caller
    /// with one thing the policy names replaced by something it does not.
    /// When that caller gets in as far, through the same statements, the
    /// named thing made no difference and the grant is reported under the
    /// more general audience.
    pub(crate) fn parents(&self, class: &Class) -> Vec<usize> {
        let mut out = Vec::new();
        let mut push = |class: Class| {
            if let Some(&index) = self.index.get(&class) {
                out.push(index);
            }
        };
        match *class {
            Class::Iam(entity) => {
                for general in generalise(entity, &[ArnSlot::FreshIam, ArnSlot::FreshSts]) {
                    push(Class::Iam(general));
                }
            }
            Class::Service { service, source } => {
                if let Some(entity) = source {
                    for general in generalise(entity, &[ArnSlot::FreshResource]) {
                        push(Class::Service { service, source: Some(general) });
                    }
                }
                if service != Slot::Fresh {
                    push(Class::Service { service: Slot::Fresh, source });
                }
            }
            Class::Anonymous | Class::Federated(_) | Class::Canonical(_) => {}
        }
        out
    }
}

fn generalise(entity: Entity, fresh_arns: &[ArnSlot]) -> Vec<Entity> {
    if let ArnSlot::Named(_) = entity.arn {
        return fresh_arns.iter().map(|&arn| Entity { arn, ..entity }).collect();
    }
    if entity.account != Slot::Fresh {
        return vec![Entity { account: Slot::Fresh, ..entity }];
    }
    match entity.org {
        OrgSlot::In(org, Some(_)) => vec![Entity { org: OrgSlot::In(org, None), ..entity }],
        OrgSlot::In(Slot::Named(_), None) => {
            vec![Entity { org: OrgSlot::In(Slot::Fresh, None), ..entity }, Entity { org: OrgSlot::NoOrg, ..entity }]
        }
        OrgSlot::In(Slot::Fresh, None) | OrgSlot::NoOrg => Vec::new(),
    }
}
