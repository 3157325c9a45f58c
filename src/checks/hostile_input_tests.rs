//! Malformed data from AWS spoils the verdict of the one resource it
//! belongs to (ERROR, with the reason) and nothing else.

use std::collections::BTreeMap;

use crate::checks::registry;
use crate::inventory::ecr::Repository;
use crate::inventory::{AccountInventory, Collected, RegionInventory};
use crate::severity::Status;

fn repository(name: &str, policy: Option<&str>) -> Repository {
    Repository { policy: Collected::Ok(policy.map(str::to_owned)), ..crate::inventory::fixtures::repository(name) }
}

#[test]
fn a_malformed_repository_policy_is_error_for_that_repository_only() {
    let many = format!(
        r#"{{"Statement":[{}]}}"#,
        vec![r#"{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::111122223333:root"},"Action":"*"}"#; 10_000]
            .join(",")
    );
    let repositories = vec![
        repository("not-json", Some("{this is not json")),
        repository("list-principal", Some(r#"{"Statement":[{"Effect":"Allow","Principal":["*"],"Action":"*"}]}"#)),
        repository("no-statement", Some(r#"{"Version":"2012-10-17"}"#)),
        repository("public", Some(r#"{"Statement":{"Effect":"Allow","Principal":"*","Action":"*"}}"#)),
        repository("many-statements", Some(&many)),
        repository("no-policy", None),
    ];
    let mut region = RegionInventory::default();
    region.ecr.repositories = Collected::Ok(repositories);
    let account = AccountInventory {
        account_id: "111122223333".to_owned(),
        partition: "aws".to_owned(),
        regions: BTreeMap::from([("eu-west-1".to_owned(), region)]),
        trails: BTreeMap::new(),
        iam: Default::default(),
        registry_images: Collected::NotRequested,
    };
    let config = crate::config::Config::default();
    let check = registry::find("ecr_repositories_not_publicly_accessible").unwrap();
    let verdicts: BTreeMap<String, (Status, String)> = check
        .run(&crate::checks::Context { account: &account, config: &config, now: jiff::Timestamp::UNIX_EPOCH })
        .into_iter()
        .map(|finding| (finding.resource_id, (finding.status, finding.message)))
        .collect();

    let status = |name: &str| verdicts[name].0;
    assert_eq!(status("not-json"), Status::Error);
    assert!(verdicts["not-json"].1.contains("not valid JSON"), "{:?}", verdicts["not-json"]);
    assert_eq!(status("list-principal"), Status::Error);
    assert_eq!(status("no-statement"), Status::Error);
    assert!(verdicts["no-statement"].1.contains("no Statement"));
    assert_eq!(status("public"), Status::Fail);
    // 10,000 statements (ten times what ECR stores) are past what is evaluated: ERROR with the reason.
    assert_eq!(status("many-statements"), Status::Error);
    assert!(verdicts["many-statements"].1.contains("statements"), "{:?}", verdicts["many-statements"]);
    assert_eq!(status("no-policy"), Status::Pass);
    assert_eq!(verdicts.len(), 6);
}
