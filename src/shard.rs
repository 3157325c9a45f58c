//! Splitting the account list across machines (`bulkhead scan --shard I/N`),
//! and what a shard's report carries so that `bulkhead merge` can refuse
//! shards of different scans. Pure: the environment is passed in.
//!
//! An account belongs to shard `FNV-1a-64(account id) mod N`, index 0-based.
//! The hash depends on the id alone, so every account lands in exactly one
//! shard for any N, and an account never moves when others join the list
//! (changing N does move accounts: N is fixed for a run). FNV-1a 64 is
//! written out here rather than taken from `std::hash`, whose
//! `DefaultHasher` may change between Rust releases.

use std::fmt;
use std::str::FromStr;

/// The AWS Batch array job child's index (0-based).
pub const BATCH_INDEX: &str = "AWS_BATCH_JOB_ARRAY_INDEX";
/// The AWS Batch array job's size, passed to every child.
pub const BATCH_SIZE: &str = "AWS_BATCH_JOB_ARRAY_SIZE";
/// A Kubernetes Indexed Job pod's completion index (0-based).
pub const KUBERNETES_INDEX: &str = "JOB_COMPLETION_INDEX";
/// The AWS Batch job id; an array child's is `PARENT:INDEX`.
pub const BATCH_JOB_ID: &str = "AWS_BATCH_JOB_ID";

/// FNV-1a, 64 bits (offset basis and prime from the FNV specification).
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for byte in bytes {
        hash ^= u64::from(*byte);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The shard, of `count`, that scans this account.
pub fn shard_of(account_id: &str, count: u64) -> u64 {
    fnv1a64(account_id.as_bytes()) % count.max(1)
}

/// One shard of a sharded run: `index` of `count`, 0-based.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Shard {
    pub index: u64,
    pub count: u64,
}

impl Shard {
    pub fn owns(&self, account_id: &str) -> bool {
        shard_of(account_id, self.count) == self.index
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

/// `--shard I/N` as given: both numbers, validated (N >= 1, I < N).
impl FromStr for Shard {
    type Err = String;

    fn from_str(text: &str) -> Result<Shard, String> {
        let usage = || format!("{text:?}: give INDEX/COUNT, e.g. 0/4 (the index is 0-based)");
        let (index, count) = text.split_once('/').ok_or_else(usage)?;
        let index: u64 = index.trim().parse().map_err(|_| usage())?;
        let count: u64 = count.trim().parse().map_err(|_| usage())?;
        if count == 0 {
            return Err("the shard count must be at least 1".to_owned());
        }
        if index >= count {
            return Err(format!("shard index {index} is not below the count {count} (indices are 0-based)"));
        }
        Ok(Shard { index, count })
    }
}

/// The accounts of `listed` this shard scans, in the order given; all of
/// them when the scan is not sharded.
pub fn select(listed: Vec<String>, shard: Option<&Shard>) -> Vec<String> {
    match shard {
        Some(shard) => listed.into_iter().filter(|account| shard.owns(account)).collect(),
        None => listed,
    }
}

/// The sharding flags of `bulkhead scan`, as parsed.
#[derive(Debug, Clone, Default)]
pub struct ShardFlags {
    pub shard: Option<Shard>,
    pub shard_count: Option<u64>,
    pub run_id: Option<String>,
}

/// A sharded run as this process takes part in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShardRun {
    pub shard: Shard,
    /// Names the run, so that merge refuses shards of another; `None` when
    /// neither `--run-id` nor the engine gives one.
    pub run_id: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ShardError {
    #[error("--shard-count must be at least 1")]
    ZeroCount,
    #[error("conflicting shard counts: {0}")]
    CountConflict(String),
    #[error("conflicting shard indices: {0}")]
    IndexConflict(String),
    #[error("{name}={value:?} is not a shard index (a whole number from 0)")]
    NotAnIndex { name: &'static str, value: String },
    #[error("shard index {index} from {source_name} is not below the shard count {count} (indices are 0-based)")]
    IndexOutOfRange { index: u64, count: u64, source_name: &'static str },
    #[error(
        "--shard-count {count} needs this shard's index: give --shard INDEX/{count}, or run as an AWS Batch array \
         job ({BATCH_INDEX}) or a Kubernetes Indexed Job ({KUBERNETES_INDEX})"
    )]
    NoIndex { count: u64 },
    #[error("--run-id names a sharded run: give --shard INDEX/COUNT or --shard-count COUNT too")]
    RunIdWithoutShard,
}

/// Resolves the shard from the flags and the engines' variables (`env`
/// looks one up). The variables are read only when the flags ask for a
/// sharded scan, so a plain scan inside an array job is not cut. Sources
/// that disagree are an error, never a silent choice: a shard that guessed
/// wrong would leave accounts unscanned.
pub fn resolve(flags: &ShardFlags, env: impl Fn(&str) -> Option<String>) -> Result<Option<ShardRun>, ShardError> {
    if flags.shard.is_none() && flags.shard_count.is_none() {
        return match flags.run_id {
            Some(_) => Err(ShardError::RunIdWithoutShard),
            None => Ok(None),
        };
    }
    if flags.shard_count == Some(0) {
        return Err(ShardError::ZeroCount);
    }

    let read_index = |name: &'static str| -> Result<Option<(&'static str, u64)>, ShardError> {
        match env(name) {
            None => Ok(None),
            Some(value) => match value.trim().parse::<u64>() {
                Ok(index) => Ok(Some((name, index))),
                Err(_) => Err(ShardError::NotAnIndex { name, value }),
            },
        }
    };

    let mut counts: Vec<(String, u64)> = Vec::new();
    if let Some(shard) = flags.shard {
        counts.push((format!("--shard {shard}"), shard.count));
    }
    if let Some(count) = flags.shard_count {
        counts.push((format!("--shard-count {count}"), count));
    }
    // AWS Batch passes the array size to each child: a --shard-count that
    // disagrees with it would leave some accounts to no child.
    if let Some((name, size)) = read_index(BATCH_SIZE)? {
        counts.push((format!("{name}={size}"), size));
    }
    let count = agreed(&counts).map_err(ShardError::CountConflict)?;

    let mut indices: Vec<(String, u64, &'static str)> = Vec::new();
    if let Some(shard) = flags.shard {
        indices.push((format!("--shard {shard}"), shard.index, "--shard"));
    }
    for name in [BATCH_INDEX, KUBERNETES_INDEX] {
        if let Some((name, index)) = read_index(name)? {
            indices.push((format!("{name}={index}"), index, name));
        }
    }
    let pairs: Vec<(String, u64)> = indices.iter().map(|(label, index, _)| (label.clone(), *index)).collect();
    let index =
        agreed(&pairs).map_err(ShardError::IndexConflict)?.ok_or(ShardError::NoIndex { count: count.unwrap_or(1) })?;
    let count = count.expect("a sharded scan has --shard or --shard-count");
    if index >= count {
        let source_name = indices.iter().find(|(_, value, _)| *value == index).map_or("--shard", |(_, _, name)| name);
        return Err(ShardError::IndexOutOfRange { index, count, source_name });
    }
    Ok(Some(ShardRun { shard: Shard { index, count }, run_id: run_id(flags.run_id.as_deref(), &env) }))
}

/// The one value all sources give, or the list of them when they disagree.
fn agreed(sources: &[(String, u64)]) -> Result<Option<u64>, String> {
    let Some((_, first)) = sources.first() else { return Ok(None) };
    if sources.iter().all(|(_, value)| value == first) {
        Ok(Some(*first))
    } else {
        Err(sources.iter().map(|(label, _)| label.as_str()).collect::<Vec<_>>().join(" vs "))
    }
}

/// `--run-id`, else the AWS Batch array job's id (each child's
/// `AWS_BATCH_JOB_ID` is `PARENT:INDEX`; the parent's is common to all).
/// Kubernetes gives a pod no such variable by default (docs/fleet.md passes
/// the job name with the downward API).
fn run_id(flag: Option<&str>, env: &impl Fn(&str) -> Option<String>) -> Option<String> {
    if let Some(id) = flag {
        return Some(id.to_owned());
    }
    let job_id = env(BATCH_JOB_ID).filter(|id| !id.trim().is_empty())?;
    let parent = match job_id.rsplit_once(':') {
        Some((parent, index)) if !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit()) => parent,
        _ => job_id.as_str(),
    };
    Some(parent.to_owned())
}

/// What must be the same in every shard of a run for their union to be the
/// scan one process would have made.
#[derive(Debug, Clone, serde::Serialize)]
pub struct FingerprintInputs<'a> {
    pub tool_version: &'a str,
    pub schema_version: u32,
    /// The selected checks, in registry order.
    pub checks: &'a [&'a str],
    pub regions: Option<&'a [String]>,
    pub exclude_regions: &'a [String],
    pub shard_count: u64,
    /// The account list before sharding, sorted and deduplicated.
    pub accounts: &'a [String],
    /// The bytes of `--config` and `--mutelist`, when given: thresholds and
    /// muting change verdicts.
    pub config: Option<&'a [u8]>,
    pub mutelist: Option<&'a [u8]>,
}

/// `fnv1a64:` and 16 hex digits over the canonical JSON of the inputs. A
/// check against accidents (a shard run with other flags), not against
/// forgery: a report file is no more trusted than its writer.
pub fn fingerprint(inputs: &FingerprintInputs<'_>) -> String {
    let digest = |bytes: Option<&[u8]>| bytes.map(|bytes| format!("{:016x}", fnv1a64(bytes)));
    let canonical = serde_json::json!({
        "tool_version": inputs.tool_version,
        "schema_version": inputs.schema_version,
        "checks": inputs.checks,
        "regions": inputs.regions,
        "exclude_regions": inputs.exclude_regions,
        "shard_count": inputs.shard_count,
        "accounts": inputs.accounts,
        "config": digest(inputs.config),
        "mutelist": digest(inputs.mutelist),
    });
    format!("fnv1a64:{:016x}", fnv1a64(canonical.to_string().as_bytes()))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;

    use super::*;

    fn env_of(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> + use<> {
        let map: BTreeMap<String, String> = pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect();
        move |name: &str| map.get(name).cloned()
    }

    fn flags(shard: Option<&str>, count: Option<u64>) -> ShardFlags {
        ShardFlags { shard: shard.map(|s| s.parse().unwrap()), shard_count: count, run_id: None }
    }

    fn resolved(flags: &ShardFlags, env: &[(&str, &str)]) -> Result<Option<Shard>, ShardError> {
        resolve(flags, env_of(env)).map(|run| run.map(|run| run.shard))
    }

    #[test]
    fn fnv1a64_matches_the_specification_vectors() {
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn the_shard_of_an_account_is_pinned() {
        // Changing the hash would move accounts between the shards of a
        // fleet's runs (and break merges across versions): this pins it.
        assert_eq!(fnv1a64(b"111122223333"), 0xae52_9f9f_a9ff_25ad);
        let placed: Vec<u64> =
            ["111122223333", "444455556666", "123456789012"].iter().map(|id| shard_of(id, 7)).collect();
        assert_eq!(placed, [2, 1, 6]);
        assert_eq!(shard_of("123456789012", 1), 0);
    }

    fn account_ids() -> impl Strategy<Value = Vec<String>> {
        proptest::collection::btree_set("[0-9]{12}", 0..300).prop_map(|ids| ids.into_iter().collect())
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

        #[test]
        fn every_account_lands_in_exactly_one_shard(accounts in account_ids(), count in 1u64..64) {
            let mut seen: BTreeMap<&str, u64> = BTreeMap::new();
            for index in 0..count {
                for account in select(accounts.clone(), Some(&Shard { index, count })) {
                    let account = accounts.iter().find(|a| **a == account).unwrap();
                    prop_assert!(seen.insert(account, index).is_none(), "{account} in two shards");
                }
            }
            prop_assert_eq!(seen.len(), accounts.len());
        }

        #[test]
        fn adding_accounts_moves_none(accounts in account_ids(), added in account_ids(), count in 1u64..64) {
            let before: BTreeMap<&String, u64> = accounts.iter().map(|a| (a, shard_of(a, count))).collect();
            let mut grown = added.clone();
            grown.extend(accounts.iter().cloned());
            for index in 0..count {
                for account in select(grown.clone(), Some(&Shard { index, count })) {
                    if let Some(was) = before.get(&account) {
                        prop_assert_eq!(*was, index, "{} moved", account);
                    }
                }
            }
        }

        #[test]
        fn select_keeps_the_order_given(accounts in account_ids(), count in 1u64..8, index in 0u64..8) {
            let shard = Shard { index: index % count, count };
            let selected = select(accounts.clone(), Some(&shard));
            let expected: Vec<String> = accounts.into_iter().filter(|a| shard.owns(a)).collect();
            prop_assert_eq!(selected, expected);
        }
    }

    #[test]
    fn shards_are_not_lopsided() {
        // 1,000 sequential ids over 10 shards: FNV-1a spreads them.
        let accounts: Vec<String> = (0..1000u64).map(|n| format!("{:012}", 100_000_000_000 + n)).collect();
        for index in 0..10 {
            let size = select(accounts.clone(), Some(&Shard { index, count: 10 })).len();
            assert!((50..=150).contains(&size), "shard {index} has {size} of 1000");
        }
    }

    #[test]
    fn the_shard_flag_is_index_slash_count() {
        assert_eq!("2/5".parse::<Shard>(), Ok(Shard { index: 2, count: 5 }));
        assert_eq!("0/1".parse::<Shard>(), Ok(Shard { index: 0, count: 1 }));
        for bad in ["5/5", "1/0", "3", "a/2", "-1/2", "1/2/3", ""] {
            assert!(bad.parse::<Shard>().is_err(), "{bad}");
        }
    }

    #[test]
    fn no_flags_no_shard_whatever_the_environment() {
        assert_eq!(resolved(&ShardFlags::default(), &[(BATCH_INDEX, "3"), (KUBERNETES_INDEX, "1")]), Ok(None));
        let run_id = ShardFlags { run_id: Some("r".into()), ..ShardFlags::default() };
        assert_eq!(resolved(&run_id, &[]), Err(ShardError::RunIdWithoutShard));
    }

    #[test]
    fn the_index_comes_from_the_flag_or_an_engine() {
        let shard = |index, count| Ok(Some(Shard { index, count }));
        assert_eq!(resolved(&flags(Some("1/3"), None), &[]), shard(1, 3));
        assert_eq!(resolved(&flags(None, Some(3)), &[(BATCH_INDEX, "2")]), shard(2, 3));
        assert_eq!(resolved(&flags(None, Some(3)), &[(KUBERNETES_INDEX, "0")]), shard(0, 3));
        assert_eq!(resolved(&flags(None, Some(4)), &[(BATCH_INDEX, "1"), (BATCH_SIZE, "4")]), shard(1, 4));
        // Sources that agree are fine.
        assert_eq!(resolved(&flags(Some("1/3"), Some(3)), &[(BATCH_INDEX, "1"), (KUBERNETES_INDEX, "1")]), shard(1, 3));
    }

    #[test]
    fn sources_that_disagree_are_refused() {
        let conflict = resolved(&flags(Some("1/3"), None), &[(BATCH_INDEX, "2")]);
        assert_eq!(conflict, Err(ShardError::IndexConflict(format!("--shard 1/3 vs {BATCH_INDEX}=2"))));
        let engines = resolved(&flags(None, Some(3)), &[(BATCH_INDEX, "0"), (KUBERNETES_INDEX, "1")]);
        assert_eq!(engines, Err(ShardError::IndexConflict(format!("{BATCH_INDEX}=0 vs {KUBERNETES_INDEX}=1"))));
        let counts = resolved(&flags(Some("1/3"), Some(4)), &[]);
        assert_eq!(counts, Err(ShardError::CountConflict("--shard 1/3 vs --shard-count 4".into())));
        let size = resolved(&flags(None, Some(4)), &[(BATCH_INDEX, "0"), (BATCH_SIZE, "5")]);
        assert_eq!(size, Err(ShardError::CountConflict(format!("--shard-count 4 vs {BATCH_SIZE}=5"))));
    }

    #[test]
    fn a_missing_bad_or_out_of_range_index_is_refused() {
        assert_eq!(resolved(&flags(None, Some(3)), &[]), Err(ShardError::NoIndex { count: 3 }));
        assert_eq!(resolved(&flags(None, Some(0)), &[(BATCH_INDEX, "0")]), Err(ShardError::ZeroCount));
        assert_eq!(
            resolved(&flags(None, Some(3)), &[(KUBERNETES_INDEX, "x")]),
            Err(ShardError::NotAnIndex { name: KUBERNETES_INDEX, value: "x".into() })
        );
        assert_eq!(
            resolved(&flags(None, Some(3)), &[(KUBERNETES_INDEX, "3")]),
            Err(ShardError::IndexOutOfRange { index: 3, count: 3, source_name: KUBERNETES_INDEX })
        );
        let message = resolved(&flags(None, Some(3)), &[]).unwrap_err().to_string();
        assert!(message.contains(BATCH_INDEX) && message.contains(KUBERNETES_INDEX), "{message}");
    }

    #[test]
    fn the_run_id_is_the_flag_else_the_batch_parent_job() {
        let run = |flag: Option<&str>, env: &[(&str, &str)]| {
            let flags = ShardFlags { run_id: flag.map(str::to_owned), ..flags(Some("0/2"), None) };
            resolve(&flags, env_of(env)).unwrap().unwrap().run_id
        };
        assert_eq!(run(None, &[(BATCH_JOB_ID, "a1b2-c3:7")]), Some("a1b2-c3".into()));
        assert_eq!(run(None, &[(BATCH_JOB_ID, "a1b2-c3")]), Some("a1b2-c3".into()));
        assert_eq!(run(Some("nightly-42"), &[(BATCH_JOB_ID, "a1b2-c3:7")]), Some("nightly-42".into()));
        assert_eq!(run(None, &[(KUBERNETES_INDEX, "0")]), None);
    }

    #[test]
    fn the_fingerprint_changes_with_what_must_match() {
        let accounts = ["111122223333".to_owned()];
        let base = FingerprintInputs {
            tool_version: "0.1.0",
            schema_version: 1,
            checks: &["a", "b"],
            regions: None,
            exclude_regions: &[],
            shard_count: 3,
            accounts: &accounts,
            config: None,
            mutelist: None,
        };
        let same = fingerprint(&base);
        assert_eq!(same, fingerprint(&base.clone()));
        assert!(same.starts_with("fnv1a64:") && same.len() == "fnv1a64:".len() + 16, "{same}");
        let other_accounts = ["111122223334".to_owned()];
        let regions = ["eu-west-1".to_owned()];
        for changed in [
            FingerprintInputs { checks: &["a"], ..base.clone() },
            FingerprintInputs { shard_count: 4, ..base.clone() },
            FingerprintInputs { accounts: &other_accounts, ..base.clone() },
            FingerprintInputs { regions: Some(&regions), ..base.clone() },
            FingerprintInputs { exclude_regions: &regions, ..base.clone() },
            FingerprintInputs { tool_version: "0.1.1", ..base.clone() },
            FingerprintInputs { config: Some(b"x"), ..base.clone() },
            FingerprintInputs { mutelist: Some(b"x"), ..base.clone() },
        ] {
            assert_ne!(fingerprint(&changed), same, "{changed:?}");
        }
    }
}
