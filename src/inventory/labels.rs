//! What a reader needs to recognise a resource in a report (its name, tags
//! and description), indexed by ARN. Checks judge; this only labels.

use std::collections::{BTreeMap, HashMap};

use super::AccountInventory;
use super::ec2::Tag;

#[derive(Debug, Clone, Default, PartialEq)]
pub struct ResourceLabel {
    pub name: String,
    pub tags: BTreeMap<String, String>,
    pub details: String,
}

/// Labels for the resources of one account that carry names, tags or
/// descriptions, by ARN.
pub fn resource_labels(account: &AccountInventory) -> HashMap<String, ResourceLabel> {
    let mut labels = HashMap::new();
    for (region, inventory) in &account.regions {
        if let Ok(groups) = inventory.ec2.security_groups.get() {
            for group in groups {
                let arn = account.arn("ec2", region, &format!("security-group/{}", group.id));
                labels.insert(
                    arn,
                    ResourceLabel {
                        name: group.name.clone(),
                        tags: tags(&group.tags),
                        details: group.description.clone(),
                    },
                );
            }
        }
        if let Ok(acls) = inventory.ec2.network_acls.get() {
            for acl in acls {
                let arn = account.arn("ec2", region, &format!("network-acl/{}", acl.id));
                let tags = tags(&acl.tags);
                let name = tags.get("Name").cloned().unwrap_or_default();
                labels.insert(arn, ResourceLabel { name, tags, details: String::new() });
            }
        }
        if let Ok(repositories) = inventory.ecr.repositories.get() {
            for repository in repositories {
                let label = ResourceLabel { name: repository.name.clone(), ..ResourceLabel::default() };
                labels.insert(repository.arn.clone(), label);
            }
        }
    }
    for trail in account.trails.values() {
        labels.insert(trail.arn.clone(), ResourceLabel { name: trail.name.clone(), ..ResourceLabel::default() });
    }
    labels
}

fn tags(tags: &[Tag]) -> BTreeMap<String, String> {
    tags.iter().map(|tag| (tag.key.clone(), tag.value.clone())).collect()
}
