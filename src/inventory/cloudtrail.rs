//! CloudTrail inventory. A trail lives in one home region but a multi-region
//! trail covers them all, so each region records which trails apply to it
//! and each trail's details are fetched once, in its home region.

use std::collections::BTreeMap;

use aws_sdk_cloudtrail::Client;
use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use super::Collected;
use super::paginate::{CallSite, timestamp};
use crate::aws::{CallGate, CollectError, Service, chain};

#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct CloudTrailRegion {
    /// ARNs of the trails that apply to this region: those homed here and
    /// multi-region trails homed anywhere ("shadow trails").
    pub trail_arns: Collected<Vec<String>>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trail {
    pub arn: String,
    pub name: String,
    pub home_region: String,
    pub multi_region: bool,
    pub organization_trail: bool,
    pub log_file_validation: bool,
    pub kms_key_id: Option<String>,
    pub cloudwatch_logs_group_arn: Option<String>,
    /// As `DescribeTrails` reports it. Not trusted to skip `GetEventSelectors`:
    /// some endpoints (moto) always report false.
    pub has_custom_event_selectors: bool,
    pub status: Collected<TrailStatus>,
    pub event_selectors: Collected<EventSelectors>,
}

super::resource!(Trail, name, arn, |trail| super::Label { name: trail.name.clone(), ..super::Label::default() });

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrailStatus {
    pub is_logging: bool,
    pub latest_delivery_time: Option<Timestamp>,
    pub latest_cloudwatch_logs_delivery_time: Option<Timestamp>,
}

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct EventSelectors {
    pub classic: Vec<ClassicEventSelector>,
    pub advanced: Vec<AdvancedEventSelector>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ClassicEventSelector {
    /// `ReadOnly`, `WriteOnly` or `All`.
    pub read_write_type: Option<String>,
    pub include_management_events: bool,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AdvancedEventSelector {
    pub name: Option<String>,
    pub field_selectors: Vec<FieldSelector>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FieldSelector {
    pub field: String,
    pub equals: Vec<String>,
    pub not_equals: Vec<String>,
    pub starts_with: Vec<String>,
    pub not_starts_with: Vec<String>,
    pub ends_with: Vec<String>,
    pub not_ends_with: Vec<String>,
}

/// `DescribeTrails` in one region: every trail that applies to it.
/// The API has no pagination.
pub async fn trails_applying_to(client: &Client, gate: &CallGate, region: &str) -> Result<Vec<Trail>, CollectError> {
    let site = CallSite { gate, service: Service::Cloudtrail, region, operation: "DescribeTrails" };
    let output = site.once(|| client.describe_trails().include_shadow_trails(true).send()).await?;
    Ok(output
        .trail_list()
        .iter()
        .map(|trail| Trail {
            arn: trail.trail_arn().unwrap_or_default().to_owned(),
            name: trail.name().unwrap_or_default().to_owned(),
            home_region: trail.home_region().unwrap_or(region).to_owned(),
            multi_region: trail.is_multi_region_trail().unwrap_or(false),
            organization_trail: trail.is_organization_trail().unwrap_or(false),
            log_file_validation: trail.log_file_validation_enabled().unwrap_or(false),
            kms_key_id: trail.kms_key_id().map(str::to_owned),
            cloudwatch_logs_group_arn: trail.cloud_watch_logs_log_group_arn().map(str::to_owned),
            has_custom_event_selectors: trail.has_custom_event_selectors().unwrap_or(false),
            status: Collected::NotRequested,
            event_selectors: Collected::NotRequested,
        })
        .collect())
}

/// Fills in status and selectors, both asked at once. `client` must be for
/// the trail's home region: some endpoints (moto among them) refuse a trail
/// ARN from elsewhere.
pub async fn trail_details(client: &Client, gate: &CallGate, mut trail: Trail) -> Trail {
    let (status, selectors) = futures::join!(
        chain::branch(trail_status(client, gate, &trail)),
        chain::branch(event_selectors(client, gate, &trail)),
    );
    trail.status = status.into();
    trail.event_selectors = selectors.into();
    trail
}

async fn trail_status(client: &Client, gate: &CallGate, trail: &Trail) -> Result<TrailStatus, CollectError> {
    let site = CallSite { gate, service: Service::Cloudtrail, region: &trail.home_region, operation: "GetTrailStatus" };
    let output = site.once(|| client.get_trail_status().name(&trail.arn).send()).await?;
    Ok(TrailStatus {
        is_logging: output.is_logging().unwrap_or(false),
        latest_delivery_time: output.latest_delivery_time().and_then(timestamp),
        latest_cloudwatch_logs_delivery_time: output.latest_cloud_watch_logs_delivery_time().and_then(timestamp),
    })
}

async fn event_selectors(client: &Client, gate: &CallGate, trail: &Trail) -> Result<EventSelectors, CollectError> {
    let site =
        CallSite { gate, service: Service::Cloudtrail, region: &trail.home_region, operation: "GetEventSelectors" };
    let output = site.once(|| client.get_event_selectors().trail_name(&trail.arn).send()).await?;
    let classic = output
        .event_selectors()
        .iter()
        .map(|selector| ClassicEventSelector {
            read_write_type: selector.read_write_type().map(|kind| kind.as_str().to_owned()),
            // The API's own default for an absent flag is true.
            include_management_events: selector.include_management_events().unwrap_or(true),
        })
        .collect();
    let advanced = output
        .advanced_event_selectors()
        .iter()
        .map(|selector| AdvancedEventSelector {
            name: selector.name().map(str::to_owned),
            field_selectors: selector
                .field_selectors()
                .iter()
                .map(|field| FieldSelector {
                    field: field.field().to_owned(),
                    equals: field.equals().to_vec(),
                    not_equals: field.not_equals().to_vec(),
                    starts_with: field.starts_with().to_vec(),
                    not_starts_with: field.not_starts_with().to_vec(),
                    ends_with: field.ends_with().to_vec(),
                    not_ends_with: field.not_ends_with().to_vec(),
                })
                .collect(),
        })
        .collect();
    Ok(EventSelectors { classic, advanced })
}

/// Indexes trails by ARN, keeping the first copy of each: every region's
/// listing of a multi-region trail describes the same trail.
pub fn unique_trails(listings: impl IntoIterator<Item = Trail>) -> BTreeMap<String, Trail> {
    let mut trails = BTreeMap::new();
    for trail in listings {
        trails.entry(trail.arn.clone()).or_insert(trail);
    }
    trails
}
