//! How a signature shows up next to an image in ECR.

use serde::{Deserialize, Serialize};

use crate::inventory::ecr::Image;

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
}

impl SignatureKind {
    pub fn describe(self) -> &'static str {
        match self {
            SignatureKind::CosignTag => "a cosign signature (tag sha256-<digest>.sig)",
            SignatureKind::Notation => "a Notation / AWS Signer signature (OCI referrer)",
            SignatureKind::SigstoreBundle => "a cosign sigstore bundle (OCI referrer)",
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

/// Whether an image is signed, from everything collected about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureStatus {
    Signed(SignatureKind),
    /// Why not, to follow "which ...": "is not signed: ...".
    Unsigned(String),
    Unknown(String),
}

/// The image's signature: the listing's (a cosign tag, a referrer listed
/// with its artifact type) first, then the referrers `ListImageReferrers` gave.
pub fn signature_status(image: &Image, listing: &[Image]) -> SignatureStatus {
    if let Some(kind) = signature_from_listing(image, listing) {
        return SignatureStatus::Signed(kind);
    }
    let unsigned = || {
        SignatureStatus::Unsigned(
            "is not signed: no cosign signature tag and no Notation or sigstore signature referrer".to_owned(),
        )
    };
    match &image.referrers {
        crate::inventory::Collected::Ok(referrers) => referrers
            .iter()
            .find_map(|referrer| referrer.artifact_type.as_deref().and_then(SignatureKind::of_artifact_type))
            .map_or_else(unsigned, SignatureStatus::Signed),
        // The listing settled it: no referrer points at this image.
        crate::inventory::Collected::NotRequested => unsigned(),
        crate::inventory::Collected::Failed(err) => SignatureStatus::Unknown(format!(
            "{}:{} failed ({}): {}",
            err.service, err.operation, err.kind, err.message
        )),
    }
}
