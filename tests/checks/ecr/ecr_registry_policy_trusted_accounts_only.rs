use super::*;

const CHECK: &str = "ecr_registry_policy_trusted_accounts_only";

fn registry(policy: Collected<Option<String>>) -> AccountInventory {
    account_with(|region| region.ecr.registry_policy = policy)
}

#[test]
fn pass_fail_and_error() {
    assert_eq!(status(CHECK, &registry(Collected::Ok(None))), Status::Pass);
    let foreign = r#"{"Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::999988887777:root"},"Action":"ecr:ReplicateImage"}]}"#;
    assert_eq!(status(CHECK, &registry(Collected::Ok(Some(foreign.into())))), Status::Fail);
    assert_eq!(status(CHECK, &registry(Collected::Ok(Some("[]".into())))), Status::Error, "unreadable policy");
    assert_eq!(status(CHECK, &registry(Collected::Failed(denied(Service::Ecr, "GetRegistryPolicy")))), Status::Error);
}
