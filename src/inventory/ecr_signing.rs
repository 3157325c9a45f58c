//! ECR managed signing: the calls that read the registry's signing
//! configuration (which repositories ECR signs pushed images of, with which
//! AWS Signer profile) and, for the images no cheaper evidence settles,
//! ECR's signing status; and the decisions of which images to ask about.

use aws_sdk_ecr::Client;
use aws_sdk_ecr::types::ImageIdentifier;

use super::Collected;
use super::ecr::{
    Image, ManagedSigningStatus, Repository, SigningConfiguration, SigningFilter, SigningRule, is_signable,
    signature_from_listing,
};
use super::paginate::CallSite;
use crate::aws::chain::join_all;
use crate::aws::{CallGate, CollectError, Service};
use crate::image::signature::{SignatureKind, cosign_signed_digest};
use crate::policy::glob::Glob;

/// The region's signing configuration; `Ok(None)`: managed signing is not
/// configured (`SigningConfigurationNotFoundException`).
pub async fn signing_configuration(
    client: &Client,
    gate: &CallGate,
    region: &str,
) -> Result<Option<SigningConfiguration>, CollectError> {
    let site = CallSite { gate, service: Service::Ecr, region, operation: "GetSigningConfiguration" };
    let output = site
        .unless_absent(
            || client.get_signing_configuration().send(),
            |err| err.is_signing_configuration_not_found_exception(),
        )
        .await?;
    Ok(output.and_then(|output| output.signing_configuration().cloned()).map(|config| SigningConfiguration {
        rules: config
            .rules()
            .iter()
            .map(|rule| SigningRule {
                signing_profile_arn: rule.signing_profile_arn().to_owned(),
                repository_filters: rule
                    .repository_filters()
                    .iter()
                    .map(|filter| SigningFilter {
                        filter: filter.filter().to_owned(),
                        filter_type: filter.filter_type().as_str().to_owned(),
                    })
                    .collect(),
            })
            .collect(),
    }))
}

/// Asks ECR's signing status of every image that a signing rule covers and
/// that the listing and referrers do not already show signed; every other
/// image's status stays `NotRequested`.
pub async fn signing_statuses(
    client: &Client,
    gate: &CallGate,
    region: &str,
    repositories: &mut [Repository],
    config: &SigningConfiguration,
) {
    // (repository index, image index, repository name, image digest)
    let mut lookups = Vec::new();
    for (r, repository) in repositories.iter().enumerate() {
        if signing_rules_covering(config, &repository.name).is_empty() {
            continue;
        }
        let Collected::Ok(images) = &repository.images else { continue };
        for (i, image) in images.iter().enumerate() {
            if needs_managed_signing_status(image, images) {
                lookups.push((r, i, repository.name.clone(), image.digest.clone()));
            }
        }
    }
    let statuses =
        join_all(lookups.iter().map(|(_, _, name, digest)| image_signing_status(client, gate, region, name, digest)))
            .await;
    for ((r, i, _, _), status) in lookups.into_iter().zip(statuses) {
        if let Collected::Ok(images) = &mut repositories[r].images {
            images[i].managed_signing = status.into();
        }
    }
}

/// A signature the listing or the image's referrers show, without asking ECR
/// managed signing.
pub fn signature_found(image: &Image, listing: &[Image]) -> Option<SignatureKind> {
    signature_from_listing(image, listing).or_else(|| match &image.referrers {
        Collected::Ok(referrers) => referrers
            .iter()
            .find_map(|referrer| referrer.artifact_type.as_deref().and_then(SignatureKind::of_artifact_type)),
        _ => None,
    })
}

/// Whether ECR's signing status could tell more about `image`: it needs a
/// signature and nothing cheaper shows one. (The collector asks it only in
/// repositories a signing rule covers.)
pub fn needs_managed_signing_status(image: &Image, listing: &[Image]) -> bool {
    is_signable(image) && signature_found(image, listing).is_none()
}

/// The rules of `config` that sign the images pushed to `repository`. A
/// filter of a type this version does not know counts as covering, so that
/// ECR's status is asked rather than the image called unsigned.
pub fn signing_rules_covering<'a>(config: &'a SigningConfiguration, repository: &str) -> Vec<&'a SigningRule> {
    config
        .rules
        .iter()
        .filter(|rule| {
            rule.repository_filters.is_empty()
                || rule.repository_filters.iter().any(|filter| {
                    filter.filter_type != "WILDCARD_MATCH" || wildcard_matches(&filter.filter, repository)
                })
        })
        .collect()
}

/// ECR's `WILDCARD_MATCH`: `*` matches any run of characters, everything
/// else itself (a repository name holds no `?`, the one other wildcard of
/// the policy patterns this reuses).
fn wildcard_matches(pattern: &str, name: &str) -> bool {
    Glob::pattern(pattern).matches(name)
}

async fn image_signing_status(
    client: &Client,
    gate: &CallGate,
    region: &str,
    repository: &str,
    digest: &str,
) -> Result<Vec<ManagedSigningStatus>, CollectError> {
    let site = CallSite { gate, service: Service::Ecr, region, operation: "DescribeImageSigningStatus" };
    let id = ImageIdentifier::builder().image_digest(digest).build();
    let output = site
        .once(|| client.describe_image_signing_status().repository_name(repository).image_id(id.clone()).send())
        .await?;
    Ok(output
        .signing_statuses()
        .iter()
        .map(|status| ManagedSigningStatus {
            signing_profile_arn: status.signing_profile_arn().map(str::to_owned),
            status: status.status().map(|status| status.as_str().to_owned()),
            failure_code: status.failure_code().map(str::to_owned),
            failure_reason: status.failure_reason().map(str::to_owned),
        })
        .collect())
}

/// Cuts each repository's listing to the images with `digests` and the
/// images that refer to them (their signatures), so that what is read
/// next of each listed image (managed signing statuses) is read for those
/// alone.
pub fn keep_only_images(repositories: &mut [Repository], digests: &[&str]) {
    for repository in repositories {
        if let Collected::Ok(images) = &mut repository.images {
            images.retain(|image| {
                digests.contains(&image.digest.as_str())
                    || image.subject_digest.as_deref().is_some_and(|subject| digests.contains(&subject))
                    || image
                        .tags
                        .iter()
                        .any(|tag| cosign_signed_digest(tag).is_some_and(|signed| digests.contains(&signed.as_str())))
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::inventory::fixtures;

    fn rule(filters: &[&str]) -> SigningRule {
        SigningRule {
            signing_profile_arn: "arn:aws:signer:eu-west-1:111122223333:/signing-profiles/ecr".to_owned(),
            repository_filters: filters
                .iter()
                .map(|filter| SigningFilter { filter: (*filter).to_owned(), filter_type: "WILDCARD_MATCH".to_owned() })
                .collect(),
        }
    }

    #[test]
    fn a_listing_cut_to_some_images_keeps_what_refers_to_them() {
        let digest = |c: &str| format!("sha256:{}", c.repeat(64));
        let signature_of = |c: &str| format!("sha256-{}.sig", c.repeat(64));
        let mut repository = fixtures::repository("app");
        let image = |c: &str, tags: &[&str], subject: Option<String>| {
            let mut image = fixtures::image(&repository, &c.repeat(64), tags);
            image.subject_digest = subject;
            image
        };
        let images = vec![
            image("a", &["v1"], None),
            image("b", &["v2"], None),
            image("c", &[], Some(digest("a"))),
            image("d", &[&signature_of("a")], None),
            image("e", &[&signature_of("b")], None),
            image("f", &[], Some(digest("b"))),
        ];
        repository.images = Collected::Ok(images);
        let mut repositories = vec![repository];
        keep_only_images(&mut repositories, &[digest("a").as_str()]);
        let Collected::Ok(images) = &repositories[0].images else { unreachable!() };
        let kept: Vec<String> = images.iter().map(|image| image.digest.clone()).collect();
        assert_eq!(kept, vec![digest("a"), digest("c"), digest("d")], "the image, its referrer and its cosign tag");
    }

    #[test]
    fn wildcards_match_any_run_of_characters() {
        for (pattern, name, matches) in [
            ("*", "anything/at-all", true),
            ("myapp/*", "myapp/api", true),
            ("myapp/*", "other/api", false),
            ("*/production", "web/production", true),
            ("*/production", "web/production-old", false),
            ("*prod*", "eu-prod-api", true),
            ("*prod*", "staging", false),
            ("payments", "payments", true),
            ("payments", "payments-api", false),
            ("a*b*a", "aba", true),
            ("a*a", "a", false),
        ] {
            assert_eq!(wildcard_matches(pattern, name), matches, "{pattern} against {name}");
        }
    }

    #[test]
    fn a_rule_without_filters_covers_every_repository_and_an_unknown_filter_type_is_asked() {
        let config = SigningConfiguration { rules: vec![rule(&["prod/*"]), rule(&[])] };
        assert_eq!(signing_rules_covering(&config, "dev/api").len(), 1);
        assert_eq!(signing_rules_covering(&config, "prod/api").len(), 2);
        let mut odd = rule(&["nothing-matches-this"]);
        odd.repository_filters[0].filter_type = "REGEX_MATCH".to_owned();
        assert_eq!(signing_rules_covering(&SigningConfiguration { rules: vec![odd] }, "dev/api").len(), 1);
        assert!(signing_rules_covering(&SigningConfiguration { rules: vec![rule(&["prod/*"])] }, "dev/api").is_empty());
    }
}
