//! No image the task definitions run ships a secret in any of its layers,
//! including a file that a later layer deletes: the deleted file's bytes
//! are still in the layer that added it, and anyone who pulls the image
//! has them. Findings name the file, the layer and the step that made it,
//! and the rule; never the value.

use crate::checks::{Check, Context, Read, Scope, Unknown, Verdict, fail, pass};
use crate::inventory::ResourceKind;
use crate::inventory::image_configs::{ImageConfig, RegistryImage};
use crate::inventory::image_layers::{ImageLayers, LayerSecret};
use crate::secrets::files::FILE_RULES;

pub const CHECK: Check = Check {
    id: "ecr_images_no_secrets_in_layers",
    scope: Scope::RegistryImages(judge),
    reads: &[ResourceKind::EcrImageLayers],
};

/// How many secrets a message names before it counts the rest.
const NAMED: usize = 5;

fn judge(_: &Context<'_>, image: &RegistryImage, _: &ImageConfig) -> Verdict {
    let layers = image.layers.read("its layers")?;
    let unread = layers.unread();
    if layers.secrets.is_empty() {
        if !unread.is_empty() {
            return Err(Unknown(format!("has no secret in the layers read, but {}.", unread.join("; "))));
        }
        return pass(format!("has no secret in any of its {} layer(s).", layers.layers.len()));
    }
    let mut found: Vec<String> = layers.secrets.iter().take(NAMED).map(|secret| describe(layers, secret)).collect();
    if layers.secrets.len() > NAMED {
        found.push(format!("and {} more", layers.secrets.len() - NAMED));
    }
    let unread = if unread.is_empty() { String::new() } else { format!(" Besides, {}.", unread.join("; ")) };
    fail(format!("ships what looks like a secret, readable by anyone who can pull it: {}.{unread}", found.join("; ")))
}

/// `/root/.aws/credentials (an AWS shared credentials file ..., rule
/// aws_credentials_file) in layer 3 (sha256:..., created by history step 5,
/// COPY), deleted in layer 4 but still shipped in layer 3`.
fn describe(layers: &ImageLayers, secret: &LayerSecret) -> String {
    let rule = &secret.rule;
    let what = FILE_RULES.describe(rule).map_or_else(|| rule_description(rule), str::to_owned);
    let layer = layers
        .layers
        .get(secret.layer)
        .map_or_else(|| format!("layer {}", secret.layer + 1), |entry| entry.describe(secret.layer));
    let status = match secret.deleted_in {
        Some(deleted) => format!(
            ": deleted in layer {} but still shipped in layer {}, so anyone who pulls the image has it",
            deleted + 1,
            secret.layer + 1
        ),
        None => ", present in the image".to_owned(),
    };
    format!("/{} ({what}, rule {rule}) in {layer}{status}", secret.path)
}

/// The value detector's words for a rule of its own (`private_key`).
fn rule_description(rule: &str) -> String {
    serde_json::from_value::<crate::secrets::SecretKind>(serde_json::Value::String(rule.to_owned()))
        .map_or_else(|_| "a secret".to_owned(), |kind| kind.describe().to_owned())
}
