//! What one layer holds ([`LayerFacts`], read once per scan however many
//! images share the layer), and what an image holds once its layers are
//! stacked in order ([`ImageLayers`], kept in the inventory).

use serde::{Deserialize, Serialize};

use crate::image::config::LayerDescriptor;
use crate::image::layers::LayerChanges;
use crate::image::layers::overlay::hidden_by;
use crate::image::os_release::{OS_RELEASE_PATHS, OsRelease};
use crate::inventory::image_configs::HistoryStep;
use crate::secrets::files::FileSecret;

/// What reading one layer found: the secrets (rule and fingerprint, never
/// the value), the os-release files, the sshd binaries, and what it deletes
/// from the layers below.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayerFacts {
    pub secrets: Vec<(String, FileSecret)>,
    pub os_releases: Vec<(String, OsRelease)>,
    pub sshd: Vec<String>,
    pub changes: LayerChanges,
    pub compressed_bytes: u64,
}

/// What an image's layers hold, stacked in order.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ImageLayers {
    /// Bottom first, as the manifest lists them.
    pub layers: Vec<LayerEntry>,
    /// Every secret in any layer, whether a later layer deletes it or not.
    pub secrets: Vec<LayerSecret>,
    /// The os-release the image has (the top-most that no layer deletes);
    /// `None` when it has none, or when a layer that could hold it was not read.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub os_release: Option<OsRelease>,
    /// sshd binaries the image has (not deleted by a later layer).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sshd: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerEntry {
    pub digest: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub size: Option<u64>,
    /// The history step (1-based) that created the layer, and its instruction.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub step: Option<usize>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub instruction: Option<String>,
    /// Why the layer was not read in full; what it holds is then unknown.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unread: Option<String>,
}

/// A secret in a layer, as bulkhead keeps it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LayerSecret {
    /// The file's path inside the image.
    pub path: String,
    /// The layer's index (0-based, bottom first) in [`ImageLayers::layers`].
    pub layer: usize,
    /// The rule that matched (`aws_credentials_file`, `private_key`).
    pub rule: String,
    pub fingerprint: String,
    /// The layer (index) that deletes the file, when one does: the bytes
    /// are still in the layer that holds them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub deleted_in: Option<usize>,
}

impl LayerEntry {
    /// `layer 2 (sha256:0123456789ab, created by history step 4, COPY)`.
    pub fn describe(&self, index: usize) -> String {
        let short: String = self.digest.chars().take(19).collect();
        let step = match (&self.step, &self.instruction) {
            (Some(step), Some(instruction)) => format!(", created by history step {step}, {instruction}"),
            (Some(step), None) => format!(", created by history step {step}"),
            _ => String::new(),
        };
        format!("layer {} ({short}{step})", index + 1)
    }
}

impl ImageLayers {
    /// The layers that could not be read in full, described.
    pub fn unread(&self) -> Vec<String> {
        self.layers
            .iter()
            .enumerate()
            .filter_map(|(index, layer)| {
                layer.unread.as_ref().map(|why| format!("{} not read in full: {why}", layer.describe(index)))
            })
            .collect()
    }
}

/// The history step (1-based) of each layer: the non-empty steps, in order.
/// `None` throughout when they do not pair up one to one.
fn steps(history: &[HistoryStep], layers: usize) -> Vec<Option<(usize, Option<String>)>> {
    let non_empty: Vec<(usize, Option<String>)> = history
        .iter()
        .enumerate()
        .filter(|(_, step)| !step.empty_layer)
        .map(|(index, step)| (index + 1, step.instruction.clone()))
        .collect();
    if non_empty.len() == layers { non_empty.into_iter().map(Some).collect() } else { vec![None; layers] }
}

/// An image's layers stacked: `facts[i]` is what layer `i` holds, or why it
/// was not read.
pub fn stack(
    descriptors: &[LayerDescriptor],
    history: &[HistoryStep],
    facts: &[Result<&LayerFacts, String>],
) -> ImageLayers {
    let steps = steps(history, descriptors.len());
    let layers: Vec<LayerEntry> = descriptors
        .iter()
        .zip(facts)
        .zip(steps)
        .map(|((descriptor, facts), step)| LayerEntry {
            digest: descriptor.digest.clone(),
            size: descriptor.size,
            step: step.as_ref().map(|(number, _)| *number),
            instruction: step.and_then(|(_, instruction)| instruction),
            unread: facts.as_ref().err().cloned(),
        })
        .collect();
    let empty = LayerChanges::default();
    let changes: Vec<&LayerChanges> =
        facts.iter().map(|facts| facts.as_ref().map_or(&empty, |facts| &facts.changes)).collect();
    let read: Vec<(usize, &LayerFacts)> =
        facts.iter().enumerate().filter_map(|(index, facts)| Some((index, *facts.as_ref().ok()?))).collect();
    let mut secrets = Vec::new();
    let mut sshd = Vec::new();
    for (index, facts) in &read {
        for (path, secret) in &facts.secrets {
            secrets.push(LayerSecret {
                path: path.clone(),
                layer: *index,
                rule: secret.rule.clone(),
                fingerprint: secret.fingerprint.clone(),
                deleted_in: hidden_by(&changes, *index, path),
            });
        }
        sshd.extend(facts.sshd.iter().filter(|path| hidden_by(&changes, *index, path).is_none()).cloned());
    }
    sshd.sort();
    sshd.dedup();
    ImageLayers { os_release: os_release(facts, &changes), layers, secrets, sshd }
}

/// The os-release of the top-most layer that has one the layers above do
/// not delete, preferring `etc/` to `usr/lib/`; `None` when there is none,
/// or when a layer above the one found (or any, if none is found) was not
/// read: it could have held another.
fn os_release(facts: &[Result<&LayerFacts, String>], changes: &[&LayerChanges]) -> Option<OsRelease> {
    for path in OS_RELEASE_PATHS {
        for (index, layer) in facts.iter().enumerate().rev() {
            let Ok(layer) = layer else { return None };
            let found = layer.os_releases.iter().find(|(at, _)| at == path);
            if let Some((_, release)) = found
                && hidden_by(changes, index, path).is_none()
            {
                return Some(release.clone());
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image::layers::Budget;
    use crate::image::layers::fixtures::Tar;
    use crate::image::layers::tests::digest;
    use crate::inventory::image_layers::read_blob;

    fn facts(blob: &[u8]) -> LayerFacts {
        read_blob(blob, &digest(blob), &Budget::default()).unwrap()
    }

    fn descriptor(blob: &[u8]) -> LayerDescriptor {
        LayerDescriptor { digest: digest(blob), size: Some(blob.len() as u64), media_type: None }
    }

    const KEY: &str =
        "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmU\n-----END OPENSSH PRIVATE KEY-----\n";
    const BUSTER: &str = "PRETTY_NAME=\"Debian GNU/Linux 10 (buster)\"\nID=debian\nVERSION_ID=\"10\"\n";

    #[test]
    fn layers_stack_with_steps_whiteouts_os_release_and_sshd() {
        let blobs = [
            Tar::default().file("etc/os-release", BUSTER.as_bytes()).file("usr/sbin/sshd", b"\x7fELF").gzip(),
            Tar::default()
                .file("root/.ssh/id_rsa", KEY.as_bytes())
                .file("app/.npmrc", b"_authToken=npm_0123456789abcdef")
                .gzip(),
            Tar::default().file("root/.ssh/.wh.id_rsa", b"").file("usr/sbin/.wh.sshd", b"").zstd(),
        ];
        let read: Vec<LayerFacts> = blobs.iter().map(|blob| facts(blob)).collect();
        let history = [
            HistoryStep::new("/bin/sh -c #(nop) ADD file:base in /", false),
            HistoryStep::new("/bin/sh -c #(nop)  ENV A=b", true),
            HistoryStep::new("COPY deploy/ /root/ # buildkit", false),
            HistoryStep::new("RUN /bin/sh -c rm /root/.ssh/id_rsa", false),
        ];
        let descriptors: Vec<LayerDescriptor> = blobs.iter().map(|blob| descriptor(blob)).collect();
        let layers = stack(&descriptors, &history, &read.iter().map(Ok).collect::<Vec<_>>());
        assert_eq!(layers.layers[1].step, Some(3));
        assert_eq!(layers.layers[1].instruction.as_deref(), Some("COPY"));
        let found: Vec<(&str, &str, Option<usize>)> = layers
            .secrets
            .iter()
            .map(|secret| (secret.path.as_str(), secret.rule.as_str(), secret.deleted_in))
            .collect();
        assert_eq!(found, [("root/.ssh/id_rsa", "private_key", Some(2)), ("app/.npmrc", "npmrc_auth_token", None)]);
        assert_eq!(layers.os_release.as_ref().map(|release| release.id.as_str()), Some("debian"));
        assert!(layers.sshd.is_empty(), "deleted by layer 3");
        assert!(layers.unread().is_empty());
        // What is kept names the rule and a fingerprint, never the value.
        let kept = serde_json::to_string(&layers).unwrap();
        assert!(!kept.contains("b3BlbnNzaC1") && !kept.contains("npm_0123456789"), "{kept}");
    }

    #[test]
    fn one_layer_read_once_serves_every_image_that_has_it() {
        let base = Tar::default().file("usr/sbin/sshd", b"\x7fELF").gzip();
        let removing = Tar::default().file("usr/sbin/.wh.sshd", b"").gzip();
        let (base_facts, removing_facts) = (facts(&base), facts(&removing));
        let alone = stack(&[descriptor(&base)], &[], &[Ok(&base_facts)]);
        let removed = stack(&[descriptor(&base), descriptor(&removing)], &[], &[Ok(&base_facts), Ok(&removing_facts)]);
        assert_eq!(alone.sshd, ["usr/sbin/sshd"]);
        assert!(removed.sshd.is_empty());
        assert_eq!(alone.layers[0].step, None, "no history to pair with");
    }

    #[test]
    fn an_unread_layer_hides_the_os_release_below_it() {
        let base = Tar::default().file("etc/os-release", BUSTER.as_bytes()).gzip();
        let base_facts = facts(&base);
        let unread: Result<&LayerFacts, String> = Err("1.2 GB over the 512.0 MB budget".to_owned());
        let above = stack(&[descriptor(&base), descriptor(b"x")], &[], &[Ok(&base_facts), unread.clone()]);
        assert_eq!(above.os_release, None, "the unread layer above could hold another");
        assert_eq!(above.unread(), ["layer 2 (sha256:2d711642b726) not read in full: 1.2 GB over the 512.0 MB budget"]);
        let below = stack(&[descriptor(b"x"), descriptor(&base)], &[], &[unread, Ok(&base_facts)]);
        assert!(below.os_release.is_some());
    }
}
