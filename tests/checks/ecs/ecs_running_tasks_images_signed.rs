use bulkhead::inventory::ecr::{ManagedSigningStatus, Referrer, SigningConfiguration, SigningRule};

use super::*;

const CHECK: &str = "ecs_running_tasks_images_signed";
const NOTATION: &str = "application/vnd.cncf.notary.signature";

/// `app:1` running `app@sha256:aaa…` from the account's ECR, whose
/// repository lists that image with `referrers`, in a region without ECR
/// managed signing.
fn running_listed(referrers: Collected<Vec<Referrer>>) -> AccountInventory {
    let pinned = format!("{}@sha256:{}", own_ecr_image("app", "v1"), "a".repeat(64));
    let mut account = with_running_task(&pinned, |_| {});
    let mut app = repository("app");
    let mut listed = image(&app, &"a".repeat(64), &["v1"]);
    listed.referrers = referrers;
    app.images = Collected::Ok(vec![listed]);
    let ecr = &mut account.regions.get_mut(REGION).unwrap().ecr;
    ecr.repositories = Collected::Ok(vec![app]);
    ecr.signing_configuration = Collected::Ok(None);
    account
}

#[test]
fn pass_fail_and_error() {
    let signed = Referrer { digest: format!("sha256:{}", "5".repeat(64)), artifact_type: Some(NOTATION.into()) };
    assert_eq!(status(CHECK, &running_listed(Collected::Ok(vec![signed]))), Status::Pass);

    let finding = only(CHECK, &running_listed(Collected::Ok(Vec::new())));
    assert_eq!(finding.status, Status::Fail);
    assert!(finding.message.contains("container web runs app@sha256:aaaa"), "{}", finding.message);
    assert!(finding.message.contains("is not signed"), "{}", finding.message);

    let failed = running_listed(Collected::Failed(denied(Service::Ecr, "ListImageReferrers")));
    assert_eq!(status(CHECK, &failed), Status::Error);
    assert_running_task_errors(CHECK, &own_ecr_image("app", "v1"));
}

#[test]
fn an_image_gone_from_its_repository_fails() {
    let mut account = running_listed(Collected::Ok(Vec::new()));
    let Collected::Ok(repositories) = &mut account.regions.get_mut(REGION).unwrap().ecr.repositories else {
        unreachable!()
    };
    repositories[0].images = Collected::Ok(Vec::new());
    let finding = only(CHECK, &account);
    assert_eq!(finding.status, Status::Fail);
    assert!(finding.message.contains("no longer in its repository"), "{}", finding.message);
}

#[test]
fn images_of_other_registries_are_not_judged() {
    let account = with_running_task("ghcr.io/acme/app@sha256:0123", |_| {});
    assert_eq!(run(CHECK, &account).len(), 0);
}

#[test]
fn ecr_managed_signing_counts_as_for_the_repository_check() {
    let profile = "arn:aws:signer:eu-west-1:111122223333:/signing-profiles/app";
    let with_managed_status = |status: &str| {
        let mut account = running_listed(Collected::Ok(Vec::new()));
        let ecr = &mut account.regions.get_mut(REGION).unwrap().ecr;
        ecr.signing_configuration = Collected::Ok(Some(SigningConfiguration {
            rules: vec![SigningRule { signing_profile_arn: profile.to_owned(), repository_filters: Vec::new() }],
        }));
        let Collected::Ok(repositories) = &mut ecr.repositories else { unreachable!() };
        let Collected::Ok(images) = &mut repositories[0].images else { unreachable!() };
        images[0].managed_signing = Collected::Ok(vec![ManagedSigningStatus {
            signing_profile_arn: Some(profile.to_owned()),
            status: Some(status.to_owned()),
            failure_code: None,
            failure_reason: None,
        }]);
        account
    };
    assert_eq!(status(CHECK, &with_managed_status("COMPLETE")), Status::Pass);
    let finding = only(CHECK, &with_managed_status("IN_PROGRESS"));
    assert_eq!(finding.status, Status::Fail);
    assert!(finding.message.contains("status IN_PROGRESS"), "{}", finding.message);
}
