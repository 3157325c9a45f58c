//! How a signature shows up next to an image in an OCI registry: cosign's
//! legacy tag scheme and the OCI 1.1 referrer artifact types of the
//! signers bulkhead knows.

use serde::{Deserialize, Serialize};

/// AWS Signer / Notation signatures, stored as OCI 1.1 referrers.
pub const NOTARY_SIGNATURE: &str = "application/vnd.cncf.notary.signature";
/// cosign v3 signatures, stored as OCI 1.1 referrers holding a sigstore bundle.
pub const SIGSTORE_BUNDLE: &str = "application/vnd.dev.sigstore.bundle.v0.3+json";

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
