use bulkhead::inventory::ecr::{Image, Referrer};

use super::*;

const CHECK: &str = "ecs_task_definitions_images_signed";
const NOTATION: &str = "application/vnd.cncf.notary.signature";

/// `app:1` naming `app:v1` (digest ddd…), whose repository lists that image
/// with `referrers` and the images `others`, in a region without ECR
/// managed signing.
fn named_and_listed(referrers: Collected<Vec<Referrer>>, others: Vec<Image>) -> AccountInventory {
    let mut account = with_image_config(|_| {});
    let mut app = repository("app");
    let mut listed = image(&app, &"d".repeat(64), &["v1"]);
    listed.referrers = referrers;
    let mut images = vec![listed];
    images.extend(others);
    app.images = Collected::Ok(images);
    let ecr = &mut account.regions.get_mut(REGION).unwrap().ecr;
    ecr.repositories = Collected::Ok(vec![app]);
    ecr.signing_configuration = Collected::Ok(None);
    account
}

#[test]
fn pass_and_fail() {
    let signed = Referrer { digest: format!("sha256:{}", "5".repeat(64)), artifact_type: Some(NOTATION.into()) };
    let finding = only(CHECK, &named_and_listed(Collected::Ok(vec![signed]), Vec::new()));
    assert_eq!(finding.status, Status::Pass, "{}", finding.message);
    assert!(finding.message.contains("is signed"), "{}", finding.message);

    let cosign_tag = image(&repository("app"), &"c".repeat(64), &[&format!("sha256-{}.sig", "d".repeat(64))]);
    assert_eq!(status(CHECK, &named_and_listed(Collected::Ok(Vec::new()), vec![cosign_tag])), Status::Pass);

    // A cosign signature of another image signs nothing here.
    let other_signature = image(&repository("app"), &"c".repeat(64), &[&format!("sha256-{}.sig", "e".repeat(64))]);
    let finding = only(CHECK, &named_and_listed(Collected::Ok(Vec::new()), vec![other_signature]));
    assert_eq!(finding.status, Status::Fail);
    assert!(finding.message.starts_with(&format!("Image app@sha256:{}", "d".repeat(64))), "{}", finding.message);
    assert!(finding.message.contains("is not signed: no cosign signature tag"), "{}", finding.message);
    assert!(finding.message.contains("ECR managed signing is not configured"), "{}", finding.message);
}

#[test]
fn an_image_its_repository_does_not_list_fails_and_unread_evidence_is_error() {
    let mut gone = named_and_listed(Collected::Ok(Vec::new()), Vec::new());
    let Collected::Ok(repositories) = &mut gone.regions.get_mut(REGION).unwrap().ecr.repositories else {
        unreachable!()
    };
    repositories[0].images = Collected::Ok(Vec::new());
    let finding = only(CHECK, &gone);
    assert_eq!(finding.status, Status::Fail);
    assert!(finding.message.contains("is not in the listing of repository app"), "{}", finding.message);

    let referrers_failed = named_and_listed(Collected::Failed(denied(Service::Ecr, "ListImageReferrers")), Vec::new());
    let finding = only(CHECK, &referrers_failed);
    assert_eq!(finding.status, Status::Error);
    assert!(finding.message.contains("ListImageReferrers"), "{}", finding.message);

    let mut unlisted = named_and_listed(Collected::Ok(Vec::new()), Vec::new());
    unlisted.regions.get_mut(REGION).unwrap().ecr.repositories =
        Collected::Failed(denied(Service::Ecr, "DescribeRepositories"));
    assert_eq!(status(CHECK, &unlisted), Status::Error);

    let mut unresolved = named_and_listed(Collected::Ok(Vec::new()), Vec::new());
    let Collected::Ok(images) = &mut unresolved.registry_images else { unreachable!() };
    images[0].digest = None;
    assert_eq!(status(CHECK, &unresolved), Status::Error);
}
