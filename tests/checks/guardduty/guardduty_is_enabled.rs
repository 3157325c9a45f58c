use super::*;

const CHECK: &str = "guardduty_is_enabled";

#[test]
fn an_enabled_detector_passes_none_or_a_disabled_one_fails() {
    let finding = only(CHECK, &with_detectors(vec![detector("d1", &[])]));
    assert_eq!((finding.status, finding.resource_id.as_str()), (Status::Pass, REGION));
    let none = only(CHECK, &with_detectors(Vec::new()));
    assert_eq!((none.status, none.resource_id.as_str()), (Status::Fail, REGION), "the same identity");
    let mut disabled = detector("d1", &[]);
    let Collected::Ok(details) = &mut disabled.details else { unreachable!() };
    details.status = Some("DISABLED".into());
    assert_eq!(status(CHECK, &with_detectors(vec![disabled])), Status::Fail);
}

#[test]
fn an_unreadable_detector_is_error_and_a_region_without_guardduty_is_not_judged() {
    let mut unreadable = detector("d1", &[]);
    unreadable.details = Collected::Failed(denied(Service::GuardDuty, "GetDetector"));
    assert_eq!(status(CHECK, &with_detectors(vec![unreadable])), Status::Error);
    let listing = account_with(|region| {
        region.guardduty.detectors = Collected::Failed(denied(Service::GuardDuty, "ListDetectors"));
    });
    assert_eq!(status(CHECK, &listing), Status::Error);
}

#[test]
fn a_region_that_does_not_offer_guardduty_gets_no_finding() {
    use bulkhead::aws::{CollectError, ErrorKind};
    use bulkhead::inventory::features::Feature;

    let account = account_with(|region| {
        let message = "UnknownOperationException: Unknown operation ListDetectors";
        let unknown = CollectError::new(Service::GuardDuty, "ListDetectors", REGION, ErrorKind::NotOffered, message);
        region.guardduty.detectors = Collected::Failed(unknown);
        let off = &mut region.guardduty.features_off;
        off.settle(&mut region.guardduty.detectors, Feature::GuardDuty, Vec::new);
    });
    assert!(run(CHECK, &account).is_empty());
}
