//! Layers stacked in order, as a container runtime stacks them (the OCI
//! image spec's "whiteouts"): a `.wh.NAME` entry deletes `NAME` and all
//! beneath it from the layers below, and `.wh..wh..opq` in a directory
//! hides everything the layers below put in that directory. The bytes of
//! the lower layer are still in the image: whoever pulls it has them.

use std::collections::BTreeSet;

/// The prefix of a whiteout entry's name.
pub const WHITEOUT: &str = ".wh.";
/// The name of an opaque-directory marker.
pub const OPAQUE: &str = ".wh..wh..opq";

/// What one layer deletes from the layers below it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LayerChanges {
    /// Paths deleted (`etc/secret` for `etc/.wh.secret`).
    pub whiteouts: BTreeSet<String>,
    /// Directories made opaque (`""` for the root).
    pub opaque_dirs: BTreeSet<String>,
}

impl LayerChanges {
    /// Whether this layer, laid over a lower one, hides `path` of it.
    pub fn hides(&self, path: &str) -> bool {
        ancestors(path).any(|ancestor| self.whiteouts.contains(ancestor))
            || parents(path).any(|dir| self.opaque_dirs.contains(dir))
    }
}

/// `path` and every directory above it: `a/b/c`, `a/b`, `a`.
fn ancestors(path: &str) -> impl Iterator<Item = &str> {
    std::iter::successors(Some(path), |current| current.rsplit_once('/').map(|(parent, _)| parent))
}

/// Every directory above `path`, the root (`""`) included.
fn parents(path: &str) -> impl Iterator<Item = &str> {
    ancestors(path).skip(1).chain(std::iter::once(""))
}

/// The first layer above `layer` (an index into `stack`, bottom first)
/// that hides `path` of it; `None` when the image still has it there.
pub fn hidden_by(stack: &[&LayerChanges], layer: usize, path: &str) -> Option<usize> {
    stack.iter().enumerate().skip(layer + 1).find(|(_, changes)| changes.hides(path)).map(|(index, _)| index)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn changes(whiteouts: &[&str], opaque: &[&str]) -> LayerChanges {
        LayerChanges {
            whiteouts: whiteouts.iter().map(|path| (*path).to_owned()).collect(),
            opaque_dirs: opaque.iter().map(|path| (*path).to_owned()).collect(),
        }
    }

    #[test]
    fn whiteouts_hide_the_path_and_what_is_beneath_it() {
        let layer = changes(&["root/.aws"], &[]);
        assert!(layer.hides("root/.aws"));
        assert!(layer.hides("root/.aws/credentials"));
        assert!(!layer.hides("root/.aws2/credentials"));
        assert!(!layer.hides("root"));
    }

    #[test]
    fn opaque_directories_hide_their_lower_contents_not_themselves() {
        let layer = changes(&[], &["app/config"]);
        assert!(layer.hides("app/config/id_rsa"));
        assert!(layer.hides("app/config/deep/id_rsa"));
        assert!(!layer.hides("app/config"));
        assert!(!layer.hides("app/other"));
        assert!(changes(&[], &[""]).hides("anything"));
    }

    #[test]
    fn only_layers_above_count() {
        let base = LayerChanges::default();
        let deletes = changes(&["id_rsa"], &[]);
        let stack = [&deletes, &base, &deletes, &base];
        assert_eq!(hidden_by(&stack, 1, "id_rsa"), Some(2));
        assert_eq!(hidden_by(&stack, 2, "id_rsa"), None, "a layer does not hide its own files");
        assert_eq!(hidden_by(&stack, 0, "etc/passwd"), None);
    }
}
