use bulkhead::inventory::image_layers::{ImageLayers, LayerEntry, LayerSecret};

use super::*;

const CHECK: &str = "ecr_images_no_secrets_in_layers";

fn layer(digest: char, step: usize) -> LayerEntry {
    LayerEntry {
        digest: format!("sha256:{}", digest.to_string().repeat(64)),
        size: Some(1024),
        step: Some(step),
        instruction: Some("COPY".into()),
        unread: None,
    }
}

fn secret(path: &str, layer: usize, deleted_in: Option<usize>) -> LayerSecret {
    LayerSecret {
        path: path.into(),
        layer,
        rule: "aws_credentials_file".into(),
        fingerprint: "hmac-sha256:00".into(),
        deleted_in,
    }
}

fn three_layers() -> ImageLayers {
    ImageLayers { layers: vec![layer('a', 1), layer('b', 3), layer('c', 4)], ..ImageLayers::default() }
}

#[test]
fn pass_and_fail() {
    assert_eq!(status(CHECK, &with_layers(three_layers())), Status::Pass);

    let mut present = three_layers();
    present.secrets.push(secret("root/.aws/credentials", 1, None));
    let finding = only(CHECK, &with_layers(present));
    assert_eq!(finding.status, Status::Fail);
    for part in [
        "/root/.aws/credentials",
        "an AWS shared credentials file",
        "rule aws_credentials_file",
        "layer 2 (sha256:bbbbbbbbbbbb, created by history step 3, COPY)",
        "present in the image",
    ] {
        assert!(finding.message.contains(part), "{part}: {}", finding.message);
    }
    assert!(!finding.message.contains("hmac-sha256"), "no fingerprint in messages: {}", finding.message);

    let mut deleted = three_layers();
    deleted.secrets.push(secret("root/.ssh/id_rsa", 1, Some(2)));
    deleted.secrets[0].rule = "private_key".into();
    let finding = only(CHECK, &with_layers(deleted));
    assert_eq!(finding.status, Status::Fail);
    assert!(finding.message.contains("deleted in layer 3 but still shipped in layer 2"), "{}", finding.message);
    assert!(finding.message.contains("a private key block"), "{}", finding.message);
}

#[test]
fn a_layer_not_read_in_full_is_error_never_pass() {
    let mut unread = three_layers();
    unread.layers[2].unread = Some("1.2 GB over the 512.0 MB budget".into());
    let finding = only(CHECK, &with_layers(unread.clone()));
    assert_eq!(finding.status, Status::Error);
    assert!(finding.message.contains("layer 3 (sha256:cccccccccccc"), "{}", finding.message);
    assert!(finding.message.contains("not read in full: 1.2 GB over the 512.0 MB budget"), "{}", finding.message);
    // A secret already found is a FAIL however much is left unread.
    unread.secrets.push(secret("app/.npmrc", 0, None));
    let finding = only(CHECK, &with_layers(unread));
    assert_eq!(finding.status, Status::Fail);
    assert!(finding.message.contains("not read in full"), "{}", finding.message);
}

#[test]
fn layers_that_could_not_be_collected_are_error() {
    let mut account = with_layers(three_layers());
    let Collected::Ok(images) = &mut account.registry_images else { unreachable!() };
    images[0].layers = Collected::NotRequested;
    assert_eq!(status(CHECK, &account), Status::Error);
}
