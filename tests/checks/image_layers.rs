//! The layer checks on layers built by hand, byte by byte, and read as a
//! scan reads them: each blob through the layer reader (digest, gzip or
//! zstd, tar, budgets, whiteouts), the layers stacked per image, then the
//! three checks that read them. Whiteouts, opaque directories, a secret
//! deleted later, a shared layer, a zstd layer, a truncated layer, a digest
//! mismatch and a layer over its budget; none may PASS an image whose
//! layers were not all read, and no secret value reaches a finding.

use bulkhead::checks::Finding;
use bulkhead::image::config::{LayerDescriptor, sha256_digest};
use bulkhead::image::layers::Budget;
use bulkhead::image::layers::fixtures::Tar;
use bulkhead::inventory::image_configs::HistoryStep;
use bulkhead::inventory::image_layers::{ImageLayers, LayerFacts, read_blob, stack};

use crate::ecr::with_layers;
use crate::support::*;

const SECRETS: &str = "ecr_images_no_secrets_in_layers";
const BASE_OS: &str = "ecr_images_base_os_supported";
const SSH: &str = "ecs_task_definitions_images_no_ssh";

const KEY: &str = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ\n-----END OPENSSH PRIVATE KEY-----\n";
const CREDENTIALS: &str = "[default]\naws_access_key_id = AKIAY34FZKBOKMUTVV7A\naws_secret_access_key = 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\n";
const TOKEN: &str = "GITHUB_TOKEN=ghp_aBcDeFgHiJkLmNoPqRsTuVwXyZ0123456789\n";
/// Pieces of every value planted above: none may appear in what bulkhead keeps or says.
const VALUES: [&str; 4] = ["b3BlbnNzaC1rZXkt", "Xk9mQ2vL7pR4sT1wY8zB", "AKIAY34FZKBOKMUTVV7A", "ghp_aBcDeFgHiJkLmNo"];
const BOOKWORM: &str = "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n";
const BUSTER: &str = "PRETTY_NAME=\"Debian GNU/Linux 10 (buster)\"\nID=debian\nVERSION_ID=\"10\"\n";

/// A layer as the manifest names it, and what reading it gave.
struct Layer {
    descriptor: LayerDescriptor,
    read: Result<LayerFacts, String>,
}

/// Reads `blob` as the collector does, expecting `digest`.
fn read_as(blob: &[u8], digest: &str, budget: &Budget) -> Layer {
    let descriptor = LayerDescriptor { digest: digest.to_owned(), size: Some(blob.len() as u64), media_type: None };
    Layer { descriptor, read: read_blob(blob, digest, budget) }
}

fn read(blob: &[u8]) -> Layer {
    read_as(blob, &sha256_digest(blob), &Budget::default())
}

/// An image of `layers` (bottom first), one non-empty history step each.
fn image(layers: &[&Layer]) -> ImageLayers {
    let descriptors: Vec<LayerDescriptor> = layers.iter().map(|layer| layer.descriptor.clone()).collect();
    let history: Vec<HistoryStep> =
        (0..layers.len()).map(|step| HistoryStep::new(&format!("COPY layer{step}/ / # buildkit"), false)).collect();
    let facts: Vec<Result<&LayerFacts, String>> =
        layers.iter().map(|layer| layer.read.as_ref().map_err(Clone::clone)).collect();
    stack(&descriptors, &history, &facts)
}

/// The one finding of each layer check (`None`: not applicable).
fn judged(layers: ImageLayers) -> [Option<Finding>; 3] {
    let account = with_layers(layers);
    let kept = serde_json::to_string(&account).unwrap();
    [SECRETS, BASE_OS, SSH].map(|check| {
        let mut findings = run(check, &account);
        assert!(findings.len() <= 1, "{findings:#?}");
        let finding = findings.pop();
        for value in VALUES {
            assert!(!kept.contains(value), "{value} kept in the inventory");
            let message = finding.as_ref().map(|finding| finding.message.as_str()).unwrap_or_default();
            assert!(!message.contains(value), "{value} in {check}: {message}");
        }
        finding
    })
}

fn status(finding: &Option<Finding>) -> Option<Status> {
    finding.as_ref().map(|finding| finding.status)
}

fn message(finding: &Option<Finding>) -> &str {
    finding.as_ref().map_or("", |finding| finding.message.as_str())
}

fn base() -> Layer {
    read(&Tar::default().file("etc/os-release", BOOKWORM).file("usr/sbin/sshd", "\x7fELF").gzip())
}

#[test]
fn a_secret_deleted_later_is_still_shipped_and_whiteouts_remove_sshd() {
    let base = base();
    let secrets = read(&Tar::default().file("root/.ssh/id_rsa", KEY).file("root/.aws/credentials", CREDENTIALS).zstd());
    let deletes = read(&Tar::default().file("root/.ssh/.wh.id_rsa", "").file("usr/sbin/.wh.sshd", "").gzip());
    let [secret, os, ssh] = judged(image(&[&base, &secrets, &deletes]));
    assert_eq!(status(&secret), Some(Status::Fail));
    for part in [
        "/root/.ssh/id_rsa (a private key block, rule private_key) in layer 2 (sha256:",
        "created by history step 2, COPY): deleted in layer 3 but still shipped in layer 2",
        "/root/.aws/credentials (an AWS shared credentials file with a secret access key, rule aws_credentials_file)",
        "present in the image",
    ] {
        assert!(message(&secret).contains(part), "{part}: {}", message(&secret));
    }
    assert_eq!(status(&os), Some(Status::Pass), "{}", message(&os));
    assert_eq!(status(&ssh), Some(Status::Pass), "sshd deleted by layer 3: {}", message(&ssh));

    // Without the deleting layer: the key and sshd are in the image.
    let [secret, _, ssh] = judged(image(&[&base, &secrets]));
    assert!(message(&secret).contains("/root/.ssh/id_rsa") && !message(&secret).contains("deleted in"));
    assert_eq!(status(&ssh), Some(Status::Fail));
    assert!(message(&ssh).contains("its layers install /usr/sbin/sshd"), "{}", message(&ssh));
}

#[test]
fn an_opaque_directory_hides_what_the_layers_below_put_there() {
    let base = base();
    let opaque = read(&Tar::default().file("usr/sbin/.wh..wh..opq", "").file("usr/sbin/nginx", "\x7fELF").zstd());
    let [secret, os, ssh] = judged(image(&[&base, &opaque]));
    assert_eq!(status(&ssh), Some(Status::Pass), "{}", message(&ssh));
    assert_eq!(status(&secret), Some(Status::Pass), "{}", message(&secret));
    assert_eq!(status(&os), Some(Status::Pass));
    // An opaque /etc hides the os-release below it: nothing left to judge.
    let etc = read(&Tar::default().file("etc/.wh..wh..opq", "").file("etc/hostname", "box\n").gzip());
    let [_, os, _] = judged(image(&[&base, &etc]));
    assert_eq!(status(&os), None, "no os-release left: not applicable");
}

#[test]
fn a_shared_layer_read_once_is_judged_in_each_image() {
    let shared = read(&Tar::default().file("etc/os-release", BUSTER).file("app/.env", TOKEN).gzip());
    let deletes = read(&Tar::default().file("app/.wh..env", "").gzip());
    let [secret, os, _] = judged(image(&[&shared]));
    assert!(message(&secret).contains("/app/.env (a GitHub token, rule github_token) in layer 1"), "{secret:?}");
    assert!(message(&secret).contains("present in the image"));
    assert_eq!(status(&os), Some(Status::Fail));
    assert!(message(&os).contains("Debian GNU/Linux 10 (buster), whose vendor support ended on 2024-06-30"));
    let [secret, _, _] = judged(image(&[&shared, &deletes]));
    assert_eq!(status(&secret), Some(Status::Fail), "deleting it above does not unship it");
    assert!(message(&secret).contains("deleted in layer 2 but still shipped in layer 1"), "{secret:?}");
}

#[test]
fn layers_not_read_in_full_are_error_never_pass() {
    let base = base();
    let clean = Tar::default().file("app/server.py", "print('hello')\n").file("app/data", "x".repeat(4096));
    let whole = clean.gzip();
    let truncated = read(&whole[..whole.len() - 20]);
    let mismatched = read_as(&whole, &sha256_digest(b"another layer"), &Budget::default());
    let over = read_as(&whole, &sha256_digest(&whole), &Budget { files_per_layer: 1, ..Budget::default() });
    for (layer, why) in
        [(&truncated, "not read in full"), (&mismatched, "its bytes have digest"), (&over, "over its budget")]
    {
        let [secret, os, ssh] = judged(image(&[&base, layer]));
        assert_eq!(status(&secret), Some(Status::Error), "{}", message(&secret));
        assert!(message(&secret).contains("layer 2 (sha256:") && message(&secret).contains(why), "{secret:?}");
        // The os-release below could be overwritten by the unread layer.
        assert_eq!(status(&os), Some(Status::Error), "{}", message(&os));
        // sshd is in the base, so the SSH check FAILs whatever the rest holds.
        assert_eq!(status(&ssh), Some(Status::Fail), "{}", message(&ssh));
    }
    let top = read(&Tar::default().file("etc/os-release", BOOKWORM).gzip());
    let [secret, os, ssh] = judged(image(&[&truncated, &top]));
    assert_eq!(status(&secret), Some(Status::Error));
    assert_eq!(status(&os), Some(Status::Pass), "the top layer's os-release is the image's: {}", message(&os));
    assert_eq!(status(&ssh), Some(Status::Error), "{}", message(&ssh));
}
