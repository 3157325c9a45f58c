use bulkhead::config::Config;

use super::*;

const CHECK: &str = "ecr_repositories_policy_trusted_accounts_only";

fn granting(account: &str) -> Repository {
    let policy = format!(
        r#"{{"Statement":[{{"Effect":"Allow","Principal":{{"AWS":"arn:aws:iam::{account}:root"}},"Action":"ecr:BatchGetImage"}}]}}"#
    );
    Repository { policy: Collected::Ok(Some(policy)), ..repository("app") }
}

#[test]
fn pass_fail_and_error() {
    assert_eq!(status(CHECK, &repositories(vec![granting(ACCOUNT)])), Status::Pass);
    let foreign = repositories(vec![granting("999988887777")]);
    assert_eq!(status(CHECK, &foreign), Status::Fail);
    let config = Config { trusted_accounts: vec!["999988887777".into()], ..Config::default() };
    assert_eq!(run_with(CHECK, &foreign, &config)[0].status, Status::Pass, "trusted_accounts");
    let unread =
        Repository { policy: Collected::Failed(denied(Service::Ecr, "GetRepositoryPolicy")), ..repository("app") };
    assert_eq!(status(CHECK, &repositories(vec![unread])), Status::Error);
}

/// A grant to `*` narrowed to one account is as cross-account as naming it.
#[test]
fn a_narrowed_wildcard_grants_the_account_it_names() {
    let narrowed = r#"{"Statement":[{"Sid":"Partner","Effect":"Allow","Principal":"*","Action":"ecr:BatchGetImage",
        "Condition":{"StringEquals":{"aws:PrincipalAccount":"444455556666"}}}]}"#;
    let repo = Repository { policy: Collected::Ok(Some(narrowed.into())), ..repository("app") };
    let finding = only(CHECK, &repositories(vec![repo.clone()]));
    assert_eq!(finding.status, Status::Fail);
    assert!(finding.message.contains("444455556666") && finding.message.contains("Partner"), "{}", finding.message);
    let config = Config { trusted_accounts: vec!["444455556666".into()], ..Config::default() };
    assert_eq!(run_with(CHECK, &repositories(vec![repo]), &config)[0].status, Status::Pass);
}
