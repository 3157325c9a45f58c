//! What a trail records, read from its event selectors.

use crate::inventory::Unavailable;
use crate::inventory::cloudtrail::{EventSelectors, Trail};

/// Whether the trail records management events (read or write).
pub fn records_management_events(trail: &Trail) -> Result<bool, Unavailable<'_>> {
    let selectors = trail.event_selectors.get()?;
    if selectors.classic.is_empty() && selectors.advanced.is_empty() {
        // AWS reports its default selector (all management events) for a trail
        // never given custom ones; an endpoint that reports none means the same.
        return Ok(!trail.has_custom_event_selectors);
    }
    Ok(selectors_include_management(selectors))
}

/// Whether the trail records both read and write management events, from
/// its classic selectors (`ReadWriteType` All, or ReadOnly plus WriteOnly) or
/// its advanced ones (`eventCategory` Management, with no `readOnly` field
/// or with selectors for both `readOnly` true and false).
pub fn records_read_and_write_management_events(trail: &Trail) -> Result<bool, Unavailable<'_>> {
    let selectors = trail.event_selectors.get()?;
    if selectors.classic.is_empty() && selectors.advanced.is_empty() {
        // The default selector is ReadWriteType All with management events.
        return Ok(!trail.has_custom_event_selectors);
    }
    let (mut read, mut write) = (false, false);
    for selector in selectors.classic.iter().filter(|selector| selector.include_management_events) {
        match selector.read_write_type.as_deref().unwrap_or("All") {
            "ReadOnly" => read = true,
            "WriteOnly" => write = true,
            _ => (read, write) = (true, true),
        }
    }
    for selector in &selectors.advanced {
        let management = selector
            .field_selectors
            .iter()
            .any(|field| field.field == "eventCategory" && field.equals.iter().any(|value| value == "Management"));
        if !management {
            continue;
        }
        match selector.field_selectors.iter().find(|field| field.field == "readOnly") {
            None => (read, write) = (true, true),
            Some(field) => {
                let only = |value: &str| field.equals.iter().any(|v| v == value);
                let not = |value: &str| field.not_equals.iter().any(|v| v == value);
                read |= only("true") || not("false");
                write |= only("false") || not("true");
            }
        }
    }
    Ok(read && write)
}

fn selectors_include_management(selectors: &EventSelectors) -> bool {
    let classic = selectors.classic.iter().any(|selector| selector.include_management_events);
    let advanced = selectors.advanced.iter().any(|selector| {
        selector
            .field_selectors
            .iter()
            .any(|field| field.field == "eventCategory" && field.equals.iter().any(|value| value == "Management"))
    });
    classic || advanced
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::Collected;
    use crate::inventory::cloudtrail::{AdvancedEventSelector, ClassicEventSelector, FieldSelector};

    fn trail(custom: bool, selectors: Collected<EventSelectors>) -> Trail {
        Trail {
            arn: "arn:aws:cloudtrail:eu-west-1:111122223333:trail/t".into(),
            name: "t".into(),
            home_region: "eu-west-1".into(),
            multi_region: true,
            organization_trail: false,
            log_file_validation: false,
            kms_key_id: None,
            cloudwatch_logs_group_arn: None,
            has_custom_event_selectors: custom,
            status: Collected::NotRequested,
            event_selectors: selectors,
        }
    }

    fn field(name: &str, equals: &[&str]) -> FieldSelector {
        FieldSelector {
            field: name.into(),
            equals: equals.iter().map(|s| s.to_string()).collect(),
            not_equals: vec![],
            starts_with: vec![],
            not_starts_with: vec![],
            ends_with: vec![],
            not_ends_with: vec![],
        }
    }

    #[test]
    fn no_selectors_mean_the_default_unless_custom_ones_were_set() {
        assert!(records_management_events(&trail(false, Collected::Ok(EventSelectors::default()))).unwrap());
        assert!(!records_management_events(&trail(true, Collected::Ok(EventSelectors::default()))).unwrap());
    }

    #[test]
    fn classic_and_advanced_selectors_are_read() {
        let data_only = EventSelectors {
            classic: vec![ClassicEventSelector {
                read_write_type: Some("All".into()),
                include_management_events: false,
            }],
            advanced: vec![],
        };
        // The flag from DescribeTrails does not override what the selectors say.
        assert!(!records_management_events(&trail(false, Collected::Ok(data_only))).unwrap());
        let advanced = EventSelectors {
            classic: vec![],
            advanced: vec![AdvancedEventSelector {
                name: None,
                field_selectors: vec![field("eventCategory", &["Management"])],
            }],
        };
        assert!(records_management_events(&trail(true, Collected::Ok(advanced))).unwrap());
    }

    #[test]
    fn read_and_write_from_classic_and_advanced_selectors() {
        let classic = |kinds: &[&str]| EventSelectors {
            classic: kinds
                .iter()
                .map(|kind| ClassicEventSelector {
                    read_write_type: Some(kind.to_string()),
                    include_management_events: true,
                })
                .collect(),
            advanced: vec![],
        };
        let both =
            |selectors| records_read_and_write_management_events(&trail(true, Collected::Ok(selectors))).unwrap();
        assert!(both(classic(&["All"])));
        assert!(!both(classic(&["WriteOnly"])));
        assert!(both(classic(&["ReadOnly", "WriteOnly"])));
        let advanced = |read_only: Option<&[&str]>| EventSelectors {
            classic: vec![],
            advanced: vec![AdvancedEventSelector {
                name: None,
                field_selectors: std::iter::once(field("eventCategory", &["Management"]))
                    .chain(read_only.map(|values| field("readOnly", values)))
                    .collect(),
            }],
        };
        assert!(both(advanced(None)));
        assert!(!both(advanced(Some(&["false"]))), "write-only");
        assert!(
            records_read_and_write_management_events(&trail(false, Collected::Ok(EventSelectors::default()))).unwrap()
        );
    }

    #[test]
    fn unknown_selectors_are_not_a_verdict() {
        assert!(records_management_events(&trail(false, Collected::NotRequested)).is_err());
    }
}
