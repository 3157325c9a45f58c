//! What bulkhead looks for in each file of a layer: secrets (the rules of
//! the secret detector), the os-release, and an sshd binary. Values are
//! judged here, as the file streams by, and only the verdicts are kept.

use std::io::{self, Read};

use super::stack::LayerFacts;
use crate::image::layers::Inspector;
use crate::image::os_release::{self, MAX_OS_RELEASE_BYTES, OS_RELEASE_PATHS};
use crate::secrets::files::FILE_RULES;

/// Where package managers install sshd.
const SSHD_PATHS: [&str; 5] = ["usr/sbin/sshd", "sbin/sshd", "usr/bin/sshd", "bin/sshd", "usr/local/sbin/sshd"];

/// The most secrets kept of one layer: beyond this the layer is plainly
/// full of them, and a count would say no more.
pub const MAX_SECRETS_PER_LAYER: usize = 1000;

/// Fills a [`LayerFacts`] as a layer's files go by.
#[derive(Debug, Default)]
pub struct FactsInspector {
    pub facts: LayerFacts,
}

impl Inspector for FactsInspector {
    fn file(&mut self, path: &str, _size: u64, content: Option<&mut dyn Read>) -> io::Result<()> {
        if SSHD_PATHS.contains(&path) {
            self.facts.sshd.push(path.to_owned());
            return Ok(());
        }
        let Some(content) = content else { return Ok(()) };
        if OS_RELEASE_PATHS.contains(&path) {
            let mut bytes = Vec::new();
            content.take(MAX_OS_RELEASE_BYTES as u64).read_to_end(&mut bytes)?;
            if let Some(release) = os_release::parse(&String::from_utf8_lossy(&bytes)) {
                self.facts.os_releases.push((path.to_owned(), release));
            }
            return Ok(());
        }
        if self.facts.secrets.len() >= MAX_SECRETS_PER_LAYER {
            return Ok(());
        }
        for secret in FILE_RULES.scan(path, content)? {
            self.facts.secrets.push((path.to_owned(), secret));
        }
        Ok(())
    }
}
