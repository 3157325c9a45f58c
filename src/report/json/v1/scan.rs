//! What the scan covered, as v1 writes and reads it.

use std::borrow::Cow;
use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::{Text, Texts, optional, owned, text};
use crate::model;

#[derive(Debug, Serialize, Deserialize)]
pub(super) struct Scan<'a> {
    started_at: Text<'a>,
    finished_at: Text<'a>,
    principal_arn: Text<'a>,
    accounts: Texts<'a>,
    regions: Texts<'a>,
    checks: Texts<'a>,
    errors: Vec<ScanError<'a>>,
    /// Added in 0.3 (additive): the features a region does not offer, once
    /// per account, region and feature (not errors); absent when none.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    unavailable_features: Vec<UnavailableFeature<'a>>,
    mutelist: Option<Mutelist<'a>>,
    #[serde(default)]
    stats: Stats<'a>,
    /// Added in 0.2 (additive): `account id -> name` (the IAM alias, else the id).
    #[serde(default)]
    account_names: Cow<'a, BTreeMap<String, String>>,
    /// Added in 0.2 (additive): which shard of a `scan --shard` run this
    /// report is, for `bulkhead merge`; `null` for a whole scan.
    #[serde(default)]
    shard: Option<Shard<'a>>,
    /// Added in 0.3 (additive): the organizational units (or roots) a
    /// `scan --organization --organizational-units` covered, as given;
    /// absent for any other scan.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    organizational_units: Option<Texts<'a>>,
}

impl<'a> From<&'a model::ScanSummary> for Scan<'a> {
    fn from(scan: &'a model::ScanSummary) -> Self {
        Scan {
            started_at: text(&scan.started_at),
            finished_at: text(&scan.finished_at),
            principal_arn: text(&scan.principal_arn),
            accounts: Cow::Borrowed(&scan.accounts),
            regions: Cow::Borrowed(&scan.regions),
            checks: Cow::Borrowed(&scan.checks),
            errors: scan.errors.iter().map(ScanError::from).collect(),
            unavailable_features: scan.unavailable_features.iter().map(UnavailableFeature::from).collect(),
            mutelist: scan.mutelist.as_ref().map(Mutelist::from),
            stats: Stats::from(&scan.stats),
            account_names: Cow::Borrowed(&scan.account_names),
            shard: scan.shard.as_ref().map(Shard::from),
            organizational_units: scan.organizational_units.as_deref().map(Cow::Borrowed),
        }
    }
}

impl From<Scan<'_>> for model::ScanSummary {
    fn from(scan: Scan<'_>) -> Self {
        model::ScanSummary {
            started_at: scan.started_at.into_owned(),
            finished_at: scan.finished_at.into_owned(),
            principal_arn: scan.principal_arn.into_owned(),
            accounts: scan.accounts.into_owned(),
            account_names: scan.account_names.into_owned(),
            regions: scan.regions.into_owned(),
            checks: scan.checks.into_owned(),
            errors: scan.errors.into_iter().map(model::ScanError::from).collect(),
            unavailable_features: scan.unavailable_features.into_iter().map(model::UnavailableFeature::from).collect(),
            mutelist: scan.mutelist.map(model::MutelistSummary::from),
            stats: scan.stats.into(),
            shard: scan.shard.map(model::ShardInfo::from),
            organizational_units: scan.organizational_units.map(Cow::into_owned),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Shard<'a> {
    index: u64,
    count: u64,
    run_id: Option<Text<'a>>,
    fingerprint: Text<'a>,
    accounts_listed: u64,
}

impl<'a> From<&'a model::ShardInfo> for Shard<'a> {
    fn from(shard: &'a model::ShardInfo) -> Self {
        Shard {
            index: shard.index,
            count: shard.count,
            run_id: optional(&shard.run_id),
            fingerprint: text(&shard.fingerprint),
            accounts_listed: shard.accounts_listed,
        }
    }
}

impl From<Shard<'_>> for model::ShardInfo {
    fn from(shard: Shard<'_>) -> Self {
        model::ShardInfo {
            index: shard.index,
            count: shard.count,
            run_id: owned(shard.run_id),
            fingerprint: shard.fingerprint.into_owned(),
            accounts_listed: shard.accounts_listed,
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct ScanError<'a> {
    account_id: Text<'a>,
    region: Text<'a>,
    service: Text<'a>,
    operation: Text<'a>,
    kind: Text<'a>,
    message: Text<'a>,
}

impl<'a> From<&'a model::ScanError> for ScanError<'a> {
    fn from(error: &'a model::ScanError) -> Self {
        ScanError {
            account_id: text(&error.account_id),
            region: text(&error.region),
            service: text(&error.service),
            operation: text(&error.operation),
            kind: text(&error.kind),
            message: text(&error.message),
        }
    }
}

impl From<ScanError<'_>> for model::ScanError {
    fn from(error: ScanError<'_>) -> Self {
        model::ScanError {
            account_id: error.account_id.into_owned(),
            region: error.region.into_owned(),
            service: error.service.into_owned(),
            operation: error.operation.into_owned(),
            kind: error.kind.into_owned(),
            message: error.message.into_owned(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct UnavailableFeature<'a> {
    account_id: Text<'a>,
    region: Text<'a>,
    feature: Text<'a>,
    service: Text<'a>,
    operation: Text<'a>,
    message: Text<'a>,
    consequence: Text<'a>,
}

impl<'a> From<&'a model::UnavailableFeature> for UnavailableFeature<'a> {
    fn from(note: &'a model::UnavailableFeature) -> Self {
        UnavailableFeature {
            account_id: text(&note.account_id),
            region: text(&note.region),
            feature: text(&note.feature),
            service: text(&note.service),
            operation: text(&note.operation),
            message: text(&note.message),
            consequence: text(&note.consequence),
        }
    }
}

impl From<UnavailableFeature<'_>> for model::UnavailableFeature {
    fn from(note: UnavailableFeature<'_>) -> Self {
        model::UnavailableFeature {
            account_id: note.account_id.into_owned(),
            region: note.region.into_owned(),
            feature: note.feature.into_owned(),
            service: note.service.into_owned(),
            operation: note.operation.into_owned(),
            message: note.message.into_owned(),
            consequence: note.consequence.into_owned(),
        }
    }
}

#[derive(Debug, Serialize, Deserialize)]
struct Mutelist<'a> {
    path: Text<'a>,
    entries: usize,
    expired: Vec<ExpiredEntry<'a>>,
}

#[derive(Debug, Serialize, Deserialize)]
struct ExpiredEntry<'a> {
    account: Text<'a>,
    check: Text<'a>,
    expires: Text<'a>,
    reason: Text<'a>,
}

impl<'a> From<&'a model::MutelistSummary> for Mutelist<'a> {
    fn from(mutelist: &'a model::MutelistSummary) -> Self {
        Mutelist {
            path: text(&mutelist.path),
            entries: mutelist.entries,
            expired: mutelist
                .expired
                .iter()
                .map(|entry| ExpiredEntry {
                    account: text(&entry.account),
                    check: text(&entry.check),
                    expires: text(&entry.expires),
                    reason: text(&entry.reason),
                })
                .collect(),
        }
    }
}

impl From<Mutelist<'_>> for model::MutelistSummary {
    fn from(mutelist: Mutelist<'_>) -> Self {
        model::MutelistSummary {
            path: mutelist.path.into_owned(),
            entries: mutelist.entries,
            expired: mutelist
                .expired
                .into_iter()
                .map(|entry| model::ExpiredEntry {
                    account: entry.account.into_owned(),
                    check: entry.check.into_owned(),
                    expires: entry.expires.into_owned(),
                    reason: entry.reason.into_owned(),
                })
                .collect(),
        }
    }
}

#[derive(Debug, Default, Serialize, Deserialize)]
struct Stats<'a> {
    calls: u64,
    attempts: u64,
    retries: u64,
    throttles: u64,
    critical_path_depth: u32,
    operations: Vec<OperationStats<'a>>,
}

#[derive(Debug, Serialize, Deserialize)]
struct OperationStats<'a> {
    service: Text<'a>,
    operation: Text<'a>,
    region: Text<'a>,
    calls: u64,
    attempts: u64,
    retries: u64,
    throttles: u64,
}

impl<'a> From<&'a model::CallStats> for Stats<'a> {
    fn from(stats: &'a model::CallStats) -> Self {
        Stats {
            calls: stats.calls,
            attempts: stats.attempts,
            retries: stats.retries,
            throttles: stats.throttles,
            critical_path_depth: stats.critical_path_depth,
            operations: stats
                .operations
                .iter()
                .map(|operation| OperationStats {
                    service: text(&operation.service),
                    operation: text(&operation.operation),
                    region: text(&operation.region),
                    calls: operation.calls,
                    attempts: operation.attempts,
                    retries: operation.retries,
                    throttles: operation.throttles,
                })
                .collect(),
        }
    }
}

impl From<Stats<'_>> for model::CallStats {
    fn from(stats: Stats<'_>) -> Self {
        model::CallStats {
            calls: stats.calls,
            attempts: stats.attempts,
            retries: stats.retries,
            throttles: stats.throttles,
            critical_path_depth: stats.critical_path_depth,
            operations: stats
                .operations
                .into_iter()
                .map(|operation| model::OperationStats {
                    service: operation.service.into_owned(),
                    operation: operation.operation.into_owned(),
                    region: operation.region.into_owned(),
                    calls: operation.calls,
                    attempts: operation.attempts,
                    retries: operation.retries,
                    throttles: operation.throttles,
                })
                .collect(),
        }
    }
}
