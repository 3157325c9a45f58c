//! Container image references as task definitions name them:
//! `[registry/]repository[:tag][@digest]`, with Docker's defaults.

/// Docker Hub, where a reference without a registry host goes.
pub const DOCKER_HUB: &str = "docker.io";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageReference {
    /// The registry host (with port), `docker.io` when the reference names none.
    pub registry: String,
    pub repository: String,
    pub tag: Option<String>,
    /// `sha256:<64 hex>` (or another algorithm) when pinned.
    pub digest: Option<String>,
}

impl ImageReference {
    /// Pinned to content: a well-formed `sha256` digest.
    pub fn is_pinned_by_digest(&self) -> bool {
        self.digest.as_deref().is_some_and(is_sha256_digest)
    }

    /// The ECR registry this image comes from, if it is a private ECR registry.
    pub fn ecr_registry(&self) -> Option<EcrRegistry> {
        ecr_registry(&self.registry)
    }

    /// `registry/repository`, what trust-list prefixes are compared with.
    pub fn location(&self) -> String {
        format!("{}/{}", self.registry, self.repository)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EcrRegistry {
    pub account_id: String,
    pub region: String,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a valid image reference: {0:?}")]
pub struct InvalidReference(pub String);

pub fn parse(reference: &str) -> Result<ImageReference, InvalidReference> {
    let invalid = || InvalidReference(reference.to_owned());
    let trimmed = reference.trim();
    if trimmed.is_empty() || trimmed.contains(char::is_whitespace) {
        return Err(invalid());
    }
    let (name, digest) = match trimmed.split_once('@') {
        Some((name, digest)) if !digest.is_empty() && digest.contains(':') => (name, Some(digest.to_owned())),
        Some(_) => return Err(invalid()),
        None => (trimmed, None),
    };
    // A tag follows the last ':' after the last '/' (a ':' before it is a registry port).
    let last_slash = name.rfind('/').map_or(0, |at| at + 1);
    let (name, tag) = match name[last_slash..].rfind(':') {
        Some(at) => (&name[..last_slash + at], Some(name[last_slash + at + 1..].to_owned())),
        None => (name, None),
    };
    if tag.as_deref() == Some("") {
        return Err(invalid());
    }
    let (registry, repository) = match name.split_once('/') {
        Some((first, rest)) if first.contains('.') || first.contains(':') || first == "localhost" => {
            (first.to_ascii_lowercase(), rest.to_owned())
        }
        _ => (DOCKER_HUB.to_owned(), name.to_owned()),
    };
    if repository.is_empty() {
        return Err(invalid());
    }
    Ok(ImageReference { registry, repository, tag, digest })
}

fn is_sha256_digest(digest: &str) -> bool {
    digest.strip_prefix("sha256:").is_some_and(|hex| hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit()))
}

/// `<account>.dkr.ecr[-fips].<region>.amazonaws.com[.cn]`.
pub fn ecr_registry(host: &str) -> Option<EcrRegistry> {
    let host = host.split(':').next().unwrap_or(host);
    let (account_id, rest) = host.split_once('.')?;
    if account_id.len() != 12 || !account_id.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let rest = rest.strip_prefix("dkr.ecr.").or_else(|| rest.strip_prefix("dkr.ecr-fips."))?;
    let region = rest.strip_suffix(".amazonaws.com").or_else(|| rest.strip_suffix(".amazonaws.com.cn"))?;
    let valid_region = !region.is_empty() && region.split('-').count() >= 3 && !region.contains('.');
    valid_region.then(|| EcrRegistry { account_id: account_id.to_owned(), region: region.to_owned() })
}

/// Whether `image` comes from ECR in one of `accounts`, or from a location a
/// `trusted` entry names: a registry host (`ghcr.io`) or a path prefix
/// (`ghcr.io/acme`), matched at a `/` boundary.
pub fn is_trusted(image: &ImageReference, accounts: &[&str], trusted: &[String]) -> bool {
    if image.ecr_registry().is_some_and(|ecr| accounts.contains(&ecr.account_id.as_str())) {
        return true;
    }
    let location = image.location();
    trusted.iter().any(|entry| {
        let entry = entry.trim_end_matches('/').to_ascii_lowercase();
        let (entry_host, entry_path) = entry.split_once('/').map_or((entry.as_str(), None), |(h, p)| (h, Some(p)));
        if entry_host != image.registry {
            return false;
        }
        match entry_path {
            None => true,
            Some(path) => {
                let repository = location[image.registry.len() + 1..].to_owned();
                repository == path || repository.starts_with(&format!("{path}/"))
            }
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const DIGEST: &str = "sha256:4d2b4a1c5e2f6a7b8c9d0e1f2a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d";

    #[test]
    fn parses_docker_defaults_ports_tags_and_digests() {
        let hub = parse("nginx").unwrap();
        assert_eq!((hub.registry.as_str(), hub.repository.as_str(), hub.tag), (DOCKER_HUB, "nginx", None));
        let tagged = parse("bitnami/redis:7.2").unwrap();
        assert_eq!((tagged.registry.as_str(), tagged.tag.as_deref()), (DOCKER_HUB, Some("7.2")));
        let port = parse("registry.local:5000/team/app:1.0").unwrap();
        assert_eq!(port.registry, "registry.local:5000");
        assert_eq!(port.repository, "team/app");
        assert_eq!(port.tag.as_deref(), Some("1.0"));
        let pinned = parse(&format!("ghcr.io/acme/api:v2@{DIGEST}")).unwrap();
        assert_eq!(pinned.tag.as_deref(), Some("v2"));
        assert!(pinned.is_pinned_by_digest());
        assert!(!parse("ghcr.io/acme/api:v2").unwrap().is_pinned_by_digest());
        assert!(!parse("app@sha256:abc").unwrap().is_pinned_by_digest());
        assert!(parse("").is_err() && parse("app:").is_err() && parse("app@").is_err());
    }

    #[test]
    fn recognises_private_ecr_hosts() {
        let image = parse(&format!("111122223333.dkr.ecr.eu-west-1.amazonaws.com/payments/api@{DIGEST}")).unwrap();
        assert_eq!(
            image.ecr_registry(),
            Some(EcrRegistry { account_id: "111122223333".into(), region: "eu-west-1".into() })
        );
        assert!(ecr_registry("111122223333.dkr.ecr.cn-north-1.amazonaws.com.cn").is_some());
        assert!(ecr_registry("111122223333.dkr.ecr-fips.us-east-1.amazonaws.com").is_some());
        assert_eq!(ecr_registry("public.ecr.aws"), None);
        assert_eq!(ecr_registry("12345.dkr.ecr.eu-west-1.amazonaws.com"), None);
        assert_eq!(ecr_registry("111122223333.dkr.ecr.eu-west-1.amazonaws.com.evil.io"), None);
    }

    #[test]
    fn trust_is_own_ecr_plus_listed_locations() {
        let own = parse("111122223333.dkr.ecr.eu-west-1.amazonaws.com/api:1").unwrap();
        let other = parse("999988887777.dkr.ecr.eu-west-1.amazonaws.com/api:1").unwrap();
        let accounts = ["111122223333"];
        assert!(is_trusted(&own, &accounts, &[]));
        assert!(!is_trusted(&other, &accounts, &[]));
        assert!(!is_trusted(&parse("nginx").unwrap(), &accounts, &[]));

        let trusted = vec!["ghcr.io/acme".to_owned(), "public.ecr.aws".to_owned()];
        assert!(is_trusted(&parse("ghcr.io/acme/api:1").unwrap(), &accounts, &trusted));
        assert!(!is_trusted(&parse("ghcr.io/acme-evil/api:1").unwrap(), &accounts, &trusted));
        assert!(is_trusted(&parse("public.ecr.aws/nginx/nginx:1").unwrap(), &accounts, &trusted));
        assert!(is_trusted(&parse("docker.io/library/nginx").unwrap(), &accounts, &["docker.io".into()]));
    }
}
