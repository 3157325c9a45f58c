//! How a signature shows up next to an image in ECR, and what everything
//! collected about an image says of its signature.

use serde::{Deserialize, Serialize};

use crate::inventory::Collected;
use crate::inventory::ecr::Image;
use crate::inventory::ecr_signing::{ManagedSigningStatus, SigningConfiguration, SigningRule};
use crate::rules::policy::glob::Glob;

/// AWS Signer / Notation signatures, stored as OCI 1.1 referrers.
pub const NOTARY_SIGNATURE: &str = "application/vnd.cncf.notary.signature";
/// cosign v3 signatures, stored as OCI 1.1 referrers holding a sigstore bundle.
pub const SIGSTORE_BUNDLE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

/// The artifact types that count as signatures, for `ListImageReferrers` filters.
pub const SIGNATURE_ARTIFACT_TYPES: [&str; 2] = [NOTARY_SIGNATURE, SIGSTORE_BUNDLE];

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SignatureKind {
    /// A cosign signature under the legacy tag scheme `sha256-<hex>.sig`.
    CosignTag,
    /// A Notation (AWS Signer) signature referrer.
    Notation,
    /// A cosign v3 sigstore bundle referrer.
    SigstoreBundle,
    /// ECR managed signing reports its signing status COMPLETE.
    EcrManagedSigning,
}

impl SignatureKind {
    pub fn describe(self) -> &'static str {
        match self {
            SignatureKind::CosignTag => "a cosign signature (tag sha256-<digest>.sig)",
            SignatureKind::Notation => "a Notation / AWS Signer signature (OCI referrer)",
            SignatureKind::SigstoreBundle => "a cosign sigstore bundle (OCI referrer)",
            SignatureKind::EcrManagedSigning => "ECR managed signing (AWS Signer)",
        }
    }

    pub fn of_artifact_type(artifact_type: &str) -> Option<SignatureKind> {
        match artifact_type {
            NOTARY_SIGNATURE => Some(SignatureKind::Notation),
            SIGSTORE_BUNDLE => Some(SignatureKind::SigstoreBundle),
            _ => None,
        }
    }
}

/// The digest a cosign signature tag signs: `sha256-<hex>.sig` -> `sha256:<hex>`.
pub fn cosign_signed_digest(tag: &str) -> Option<String> {
    let hex = tag.strip_prefix("sha256-")?.strip_suffix(".sig")?;
    let is_sha256_hex = hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit());
    is_sha256_hex.then(|| format!("sha256:{}", hex.to_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cosign_tags_name_the_signed_digest() {
        let hex = "ab".repeat(32);
        assert_eq!(cosign_signed_digest(&format!("sha256-{hex}.sig")), Some(format!("sha256:{hex}")));
        assert_eq!(cosign_signed_digest(&format!("sha256-{hex}.att")), None);
        assert_eq!(cosign_signed_digest("sha256-abc.sig"), None);
        assert_eq!(cosign_signed_digest("v1.2.3"), None);
        assert_eq!(cosign_signed_digest(&format!("sha256-{}.sig", "zz".repeat(32))), None);
    }

    #[test]
    fn only_signature_artifact_types_count() {
        assert_eq!(SignatureKind::of_artifact_type(NOTARY_SIGNATURE), Some(SignatureKind::Notation));
        assert_eq!(SignatureKind::of_artifact_type(SIGSTORE_BUNDLE), Some(SignatureKind::SigstoreBundle));
        assert_eq!(SignatureKind::of_artifact_type("application/spdx+json"), None);
    }
}

/// Signature artifacts and other referrers are not images that need a signature.
pub fn is_signable(image: &Image) -> bool {
    image.subject_digest.is_none() && !image.tags.iter().any(|tag| cosign_signed_digest(tag).is_some())
}

/// The signature the `DescribeImages` listing shows for `image`, if any.
pub fn signature_from_listing(image: &Image, listing: &[Image]) -> Option<SignatureKind> {
    listing.iter().find_map(|other| {
        if other.tags.iter().any(|tag| cosign_signed_digest(tag).as_deref() == Some(image.digest.as_str())) {
            return Some(SignatureKind::CosignTag);
        }
        if other.subject_digest.as_deref() == Some(image.digest.as_str()) {
            return other.artifact_media_type.as_deref().and_then(SignatureKind::of_artifact_type);
        }
        None
    })
}

/// The most recently pushed image (signatures and other referrers aside);
/// on a tie, the one listed last.
pub fn latest_image(images: &[Image]) -> Option<&Image> {
    images.iter().filter(|image| is_signable(image)).max_by_key(|image| image.pushed_at)
}

#[cfg(test)]
mod latest_image_tests {
    use super::*;
    use crate::inventory::fixtures;

    fn image(hex: &str, tags: &[&str], pushed_at: &str, subject: Option<&str>) -> Image {
        let mut image = fixtures::image(&fixtures::repository("app"), hex, tags);
        image.pushed_at = Some(fixtures::at(pushed_at));
        image.subject_digest = subject.map(str::to_owned);
        image
    }

    #[test]
    fn the_latest_pushed_image_ignoring_signatures_and_comparing_times_not_text() {
        let images = [
            image("a", &["v1"], "2025-01-15T09:30:00.5Z", None),
            image("b", &["v2"], "2025-01-15T09:30:00Z", None),
            image("c", &[], "2025-01-16T00:00:00Z", Some("sha256:a")),
            image("d", &[&format!("sha256-{}.sig", "a".repeat(64))], "2025-01-17T00:00:00Z", None),
        ];
        // As text "…00Z" sorts after "…00.5Z"; as times it is earlier.
        assert_eq!(latest_image(&images).map(|image| image.digest.as_str()), Some("sha256:a"));
        assert!(latest_image(&[]).is_none());
    }
}

/// What everything collected about an image says of its signature.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageSignature {
    /// `evidence` says what shows it, in words.
    Signed { kind: SignatureKind, evidence: String },
    /// `why` says what was looked for and what ECR reports, in words.
    Unsigned { why: String },
    /// A call that would tell failed, or what it answers was not collected.
    Unknown { why: String },
}

/// The image's signature, from the repository's `DescribeImages` listing,
/// the image's signature referrers and ECR managed signing (the region's
/// signing configuration and, where a rule covers `repository`, ECR's
/// signing status of the image). Evidence of a signature wins over a call
/// that failed; a failed call never makes the image unsigned.
pub fn image_signature(
    repository: &str,
    image: &Image,
    listing: &[Image],
    signing: &Collected<Option<SigningConfiguration>>,
) -> ImageSignature {
    if let Some(kind) = signature_found(image, listing) {
        return ImageSignature::Signed { kind, evidence: format!("{} was found", kind.describe()) };
    }
    let managed = match managed_signing(repository, image, signing) {
        Managed::Signed(evidence) => {
            return ImageSignature::Signed { kind: SignatureKind::EcrManagedSigning, evidence };
        }
        Managed::Unknown(why) => return ImageSignature::Unknown { why },
        Managed::NotSigned(why) => why,
    };
    if let Collected::Failed(err) = &image.referrers {
        let why = format!("{}:{} failed ({}): {} ({managed})", err.service, err.operation, err.kind, err.message);
        return ImageSignature::Unknown { why };
    }
    ImageSignature::Unsigned {
        why: format!("no cosign signature tag and no Notation or sigstore signature referrer, and {managed}"),
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
pub fn wildcard_matches(pattern: &str, name: &str) -> bool {
    Glob::pattern(pattern).matches(name)
}

enum Managed {
    Signed(String),
    NotSigned(String),
    Unknown(String),
}

fn managed_signing(repository: &str, image: &Image, signing: &Collected<Option<SigningConfiguration>>) -> Managed {
    let config = match signing.get() {
        Ok(Some(config)) => config,
        Ok(None) => return Managed::NotSigned("ECR managed signing is not configured in the region".to_owned()),
        Err(why) => {
            return Managed::Unknown(format!(
                "ECR managed signing might sign it, but its signing configuration could not be read: {why}"
            ));
        }
    };
    if signing_rules_covering(config, repository).is_empty() {
        return Managed::NotSigned(format!("no ECR managed signing rule covers repository {repository}"));
    }
    let statuses = match image.managed_signing.get() {
        Ok(statuses) => statuses,
        Err(why) => {
            return Managed::Unknown(format!(
                "an ECR managed signing rule covers repository {repository}, but ECR's signing status of the image could not be read: {why}"
            ));
        }
    };
    if let Some(complete) = statuses.iter().find(|status| status.status.as_deref() == Some("COMPLETE")) {
        return Managed::Signed(format!(
            "ECR managed signing reports its signing status COMPLETE for signing profile {} (ECR's signing status, not a cryptographic verification of the signature)",
            complete.signing_profile_arn.as_deref().unwrap_or("(not named)")
        ));
    }
    if statuses.is_empty() {
        return Managed::NotSigned(format!(
            "ECR reports no managed signing status for it although a signing rule covers repository {repository} (pushed before the rule?)"
        ));
    }
    let reported: Vec<String> = statuses.iter().map(describe_status).collect();
    Managed::NotSigned(format!("ECR managed signing reports {}", reported.join("; ")))
}

/// `status FAILED for signing profile ARN (CODE: reason)`.
fn describe_status(status: &ManagedSigningStatus) -> String {
    let profile = status.signing_profile_arn.as_deref().unwrap_or("(not named)");
    let mut text = format!("status {} for signing profile {profile}", status.status.as_deref().unwrap_or("(none)"));
    match (&status.failure_code, &status.failure_reason) {
        (None, None) => {}
        (code, reason) => text.push_str(&format!(
            " ({}: {})",
            code.as_deref().unwrap_or("no failure code"),
            reason.as_deref().unwrap_or("no failure reason")
        )),
    }
    text
}

#[cfg(test)]
mod managed_signing_tests {
    use super::*;
    use crate::inventory::ecr_signing::SigningFilter;

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
