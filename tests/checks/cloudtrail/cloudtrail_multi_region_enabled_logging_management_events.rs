use bulkhead::inventory::cloudtrail::{ClassicEventSelector, EventSelectors};

use super::*;

const CHECK: &str = "cloudtrail_multi_region_enabled_logging_management_events";

fn multi_region(read_write: &str) -> Trail {
    let selectors = EventSelectors {
        classic: vec![ClassicEventSelector {
            read_write_type: Some(read_write.into()),
            include_management_events: true,
        }],
        advanced: vec![],
    };
    Trail {
        multi_region: true,
        has_custom_event_selectors: true,
        event_selectors: Collected::Ok(selectors),
        ..trail("t")
    }
}

#[test]
fn pass_fail_and_error() {
    assert_eq!(status(CHECK, &account_with_trails(vec![multi_region("All")])), Status::Pass);
    assert_eq!(status(CHECK, &account_with_trails(vec![multi_region("WriteOnly")])), Status::Fail);
    assert_eq!(status(CHECK, &account_with_trails(vec![trail("single")])), Status::Fail, "not multi-region");
    assert_eq!(status(CHECK, &account_with_trails(vec![status_denied(multi_region("All"))])), Status::Error);
    assert_eq!(status(CHECK, &listing_denied()), Status::Error);
}
