//! The instance metadata options of the launch template versions that
//! node groups name: EC2 `DescribeLaunchTemplateVersions`, one call per
//! template for all its versions in use.

use std::collections::BTreeMap;

use super::nodegroups::{LaunchTemplate, MetadataOptions, Nodegroup};
use crate::aws::chain::join_all;
use crate::aws::{CallGate, CollectError, ErrorKind, Service};
use crate::inventory::Collected;
use crate::inventory::paginate::CallSite;

/// EC2's client, which reads the launch templates.
pub(super) type Ec2 = aws_sdk_ec2::Client;

/// `DescribeLaunchTemplateVersions` once per template the node groups name,
/// for all the versions they name; each node group gets its version's
/// options, or the call's failure.
pub(super) async fn read(client: &Ec2, gate: &CallGate, region: &str, nodegroups: &mut [Nodegroup]) {
    // Template (id, else name) -> the versions named.
    let mut wanted: BTreeMap<(bool, String), Vec<String>> = BTreeMap::new();
    for template in nodegroups.iter().filter_map(|nodegroup| nodegroup.launch_template.as_ref()) {
        let Some(key) = template_key(template) else { continue };
        let versions = wanted.entry(key).or_default();
        let version = template.version.clone().unwrap_or_else(|| "$Default".to_owned());
        if !versions.contains(&version) {
            versions.push(version);
        }
    }
    let site = CallSite { gate, service: Service::Ec2, region, operation: "DescribeLaunchTemplateVersions" };
    let answers = join_all(wanted.into_iter().map(|((by_id, template), versions)| async move {
        let answer = site
            .all_pages(
                |token| {
                    let call = client.describe_launch_template_versions().set_versions(Some(versions.clone()));
                    let call =
                        if by_id { call.launch_template_id(&template) } else { call.launch_template_name(&template) };
                    call.set_next_token(token).send()
                },
                |page| (page.launch_template_versions().to_vec(), page.next_token().map(str::to_owned)),
            )
            .await;
        ((by_id, template), answer)
    }))
    .await;
    let answers: BTreeMap<(bool, String), _> = answers.into_iter().collect();
    for template in nodegroups.iter_mut().filter_map(|nodegroup| nodegroup.launch_template.as_mut()) {
        let Some(key) = template_key(template) else {
            let message = "the node group names a launch template without an id or a name";
            template.metadata = Collected::Failed(CollectError::new(
                Service::Eks,
                "DescribeNodegroup",
                region,
                ErrorKind::MalformedResponse,
                message,
            ));
            continue;
        };
        template.metadata = match &answers[&key] {
            Ok(versions) => version_options(versions, template, &site),
            Err(error) => Collected::Failed(error.clone()),
        };
    }
}

fn template_key(template: &LaunchTemplate) -> Option<(bool, String)> {
    match (&template.id, &template.name) {
        (Some(id), _) => Some((true, id.clone())),
        (None, Some(name)) => Some((false, name.clone())),
        (None, None) => None,
    }
}

/// The named version's options among those the call answered.
fn version_options(
    versions: &[aws_sdk_ec2::types::LaunchTemplateVersion],
    template: &LaunchTemplate,
    site: &CallSite<'_>,
) -> Collected<MetadataOptions> {
    let named = template.version.as_deref();
    let found = match named {
        None | Some("$Default") => versions.iter().find(|version| version.default_version() == Some(true)),
        Some("$Latest") => versions.iter().max_by_key(|version| version.version_number()),
        Some(number) => {
            versions.iter().find(|version| version.version_number().map(|n| n.to_string()).as_deref() == Some(number))
        }
    };
    let Some(version) = found else {
        let message = format!("the answer has no {}", template.describe());
        return Collected::Failed(CollectError::new(
            Service::Ec2,
            site.operation,
            site.region,
            ErrorKind::MalformedResponse,
            message,
        ));
    };
    let options = version.launch_template_data().and_then(|data| data.metadata_options());
    Collected::Ok(MetadataOptions {
        http_tokens: options.and_then(|options| options.http_tokens()).map(|tokens| tokens.as_str().to_owned()),
        http_put_response_hop_limit: options.and_then(|options| options.http_put_response_hop_limit()),
        http_endpoint: options.and_then(|options| options.http_endpoint()).map(|endpoint| endpoint.as_str().to_owned()),
    })
}
