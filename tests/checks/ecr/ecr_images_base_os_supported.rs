use bulkhead::checks::Context;
use bulkhead::checks::registry::find;
use bulkhead::config::Config;
use bulkhead::image::os_release::OsRelease;
use bulkhead::inventory::image_layers::{ImageLayers, LayerEntry};

use super::*;

const CHECK: &str = "ecr_images_base_os_supported";

fn on(id: &str, version: Option<&str>) -> ImageLayers {
    ImageLayers {
        layers: vec![LayerEntry {
            digest: format!("sha256:{}", "a".repeat(64)),
            size: None,
            step: None,
            instruction: None,
            unread: None,
        }],
        os_release: Some(OsRelease {
            id: id.into(),
            version_id: version.map(Into::into),
            pretty_name: Some(format!("{id} {}", version.unwrap_or("rolling"))),
        }),
        ..ImageLayers::default()
    }
}

#[test]
fn pass_and_fail() {
    let bookworm = only(CHECK, &with_layers(on("debian", Some("12"))));
    assert_eq!(bookworm.status, Status::Pass);
    assert!(bookworm.message.contains("supported until 2028-06-30"), "{}", bookworm.message);
    let buster = only(CHECK, &with_layers(on("debian", Some("10"))));
    assert_eq!(buster.status, Status::Fail);
    assert!(buster.message.contains("support ended on 2024-06-30 (https://wiki.debian.org/LTS)"), "{}", buster.message);
    assert_eq!(status(CHECK, &with_layers(on("alpine", Some("3.18.4")))), Status::Fail);
    assert_eq!(status(CHECK, &with_layers(on("wolfi", None))), Status::Pass);
}

#[test]
fn judged_on_the_scan_date() {
    let account = with_layers(on("amzn", Some("2")));
    let check = find(CHECK).unwrap();
    let on_day = |day: &str| {
        let findings = check.run(&Context { account: &account, config: &Config::default(), now: at(day) });
        findings[0].status
    };
    assert_eq!(on_day("2026-06-30T23:00:00Z"), Status::Pass);
    assert_eq!(on_day("2026-07-01T00:00:00Z"), Status::Fail);
}

#[test]
fn no_os_release_is_no_finding_unless_layers_are_missing() {
    let scratch = ImageLayers { os_release: None, ..on("debian", Some("12")) };
    assert!(run(CHECK, &with_layers(scratch.clone())).is_empty(), "scratch: not applicable");
    let mut unread = scratch;
    unread.layers[0].unread = Some("its bytes have digest sha256:0, not sha256:a".into());
    assert_eq!(status(CHECK, &with_layers(unread)), Status::Error);
    assert_eq!(status(CHECK, &with_layers(on("plan9", Some("4")))), Status::Error, "not in the table");
}
