//! Layers built by hand, byte by byte: whiteouts, opaque directories, a
//! secret deleted later, gzip and zstd, and every way a layer is not read
//! in full.

use std::io::{Read, Write};

use super::fixtures::Tar;
use super::overlay::hidden_by;
use super::*;

pub(crate) fn digest(bytes: &[u8]) -> String {
    let digest = aws_lc_rs::digest::digest(&aws_lc_rs::digest::SHA256, bytes);
    let hex: String = digest.as_ref().iter().map(|byte| format!("{byte:02x}")).collect();
    format!("sha256:{hex}")
}

/// Notes each file whose content says `SECRET`, and each symlink.
#[derive(Default)]
struct Notes {
    secrets: Vec<String>,
    unread: Vec<String>,
    links: Vec<(String, String)>,
}

impl Inspector for Notes {
    fn file(&mut self, path: &str, _size: u64, content: Option<&mut dyn Read>) -> io::Result<()> {
        let Some(content) = content else {
            self.unread.push(path.to_owned());
            return Ok(());
        };
        let mut text = String::new();
        content.read_to_string(&mut text)?;
        if text.contains("SECRET") {
            self.secrets.push(path.to_owned());
        }
        Ok(())
    }

    fn symlink(&mut self, path: &str, target: &str) {
        self.links.push((path.to_owned(), target.to_owned()));
    }
}

fn read(blob: &[u8], budget: &Budget) -> (Result<LayerRead, LayerError>, Notes) {
    let mut notes = Notes::default();
    let result = read_layer(blob, &digest(blob), budget, &mut notes);
    (result, notes)
}

#[test]
fn gzip_zstd_and_plain_layers_read_alike() {
    let tar = || {
        Tar::default()
            .dir("./root/")
            .file("./root/.aws/credentials", b"[default]\nSECRET\n")
            .file("etc/hostname", b"box\n")
            .symlink("etc/os-release", "../usr/lib/os-release")
    };
    for (blob, compression) in
        [(tar().gzip(), Compression::Gzip), (tar().zstd(), Compression::Zstd), (tar().finish(), Compression::None)]
    {
        let (result, notes) = read(&blob, &Budget::default());
        let layer = result.unwrap();
        assert_eq!(layer.compression, Some(compression));
        assert_eq!(layer.entries, 4);
        assert_eq!(layer.digest, digest(&blob));
        assert_eq!(layer.compressed_bytes, blob.len() as u64);
        assert_eq!(notes.secrets, ["root/.aws/credentials"]);
        assert_eq!(notes.links, [("etc/os-release".to_owned(), "../usr/lib/os-release".to_owned())]);
    }
}

#[test]
fn concatenated_zstd_frames_and_gzip_members_are_one_stream() {
    let tar = Tar::default().file("a", b"SECRET").file("b", vec![b'x'; 3000]).finish();
    let (head, tail) = tar.split_at(1024);
    let level = ruzstd::encoding::CompressionLevel::Fastest;
    let mut zstd = ruzstd::encoding::compress_to_vec(head, level);
    zstd.extend(ruzstd::encoding::compress_to_vec(tail, level));
    let gzip = |part: &[u8]| {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(part).unwrap();
        encoder.finish().unwrap()
    };
    let mut gz = gzip(head);
    gz.extend(gzip(tail));
    for blob in [zstd, gz] {
        let (result, notes) = read(&blob, &Budget::default());
        assert_eq!(result.unwrap().entries, 2);
        assert_eq!(notes.secrets, ["a"]);
    }
}

#[test]
fn whiteouts_and_opaque_directories_are_changes_not_files() {
    let blob = Tar::default()
        .file("root/.wh.id_rsa", b"")
        .file(".wh.tmp", b"")
        .file("app/config/.wh..wh..opq", b"")
        .file("app/config/settings", b"ok")
        .gzip();
    let (result, notes) = read(&blob, &Budget::default());
    let changes = result.unwrap().changes;
    assert_eq!(changes.whiteouts.iter().collect::<Vec<_>>(), ["root/id_rsa", "tmp"]);
    assert_eq!(changes.opaque_dirs.iter().collect::<Vec<_>>(), ["app/config"]);
    assert!(notes.secrets.is_empty());
}

#[test]
fn a_secret_deleted_later_is_still_in_its_layer() {
    let layers = [
        Tar::default().file("etc/passwd", b"root:x:0:0").gzip(),
        Tar::default().file("root/.ssh/id_rsa", b"SECRET").file("app/.env", b"SECRET").gzip(),
        Tar::default().file("root/.ssh/.wh.id_rsa", b"").gzip(),
        Tar::default().dir("app").file("app/.wh..wh..opq", b"").file("app/main", b"bin").zstd(),
    ];
    let reads: Vec<(LayerRead, Notes)> = layers
        .iter()
        .map(|blob| {
            let (result, notes) = read(blob, &Budget::default());
            (result.unwrap(), notes)
        })
        .collect();
    let stack: Vec<&LayerChanges> = reads.iter().map(|(read, _)| &read.changes).collect();
    let found = &reads[1].1.secrets;
    assert_eq!(found, &["root/.ssh/id_rsa", "app/.env"]);
    assert_eq!(hidden_by(&stack, 1, "root/.ssh/id_rsa"), Some(2), "deleted by a whiteout in layer 2");
    assert_eq!(hidden_by(&stack, 1, "app/.env"), Some(3), "hidden by the opaque app/ of layer 3");
    assert_eq!(hidden_by(&stack, 0, "etc/passwd"), None, "still in the image");
}

#[test]
fn one_layer_shared_by_two_stacks_is_judged_in_each() {
    let shared = Tar::default().file("opt/token", b"SECRET").gzip();
    let (shared_read, notes) = read(&shared, &Budget::default());
    let shared_read = shared_read.unwrap();
    assert_eq!(notes.secrets, ["opt/token"]);
    let deleting = read(&Tar::default().file("opt/.wh.token", b"").gzip(), &Budget::default()).0.unwrap();
    // The same read, two images: one deletes the file above it, one does not.
    assert_eq!(hidden_by(&[&shared_read.changes, &deleting.changes], 0, "opt/token"), Some(1));
    assert_eq!(hidden_by(&[&shared_read.changes], 0, "opt/token"), None);
}

#[test]
fn a_truncated_layer_is_damaged() {
    let whole = Tar::default().file("a", vec![b'a'; 4096]).file("b", b"SECRET").finish();
    for cut in [100, 700, 3000, whole.len() - 600] {
        let (result, _) = read(&whole[..cut], &Budget::default());
        assert!(matches!(result, Err(LayerError::Damaged(_))), "cut at {cut}: {result:?}");
    }
    let gz = Tar::default().file("a", vec![b'a'; 4096]).gzip();
    let (result, _) = read(&gz[..gz.len() - 10], &Budget::default());
    assert!(matches!(result, Err(LayerError::Damaged(_))), "{result:?}");
    let zstd = Tar::default().file("a", b"abc").zstd();
    let (result, _) = read(&zstd[..zstd.len() / 2], &Budget::default());
    assert!(matches!(result, Err(LayerError::Damaged(_))), "{result:?}");
    let (result, _) = read(b"not a tar archive at all, and not compressed either", &Budget::default());
    assert!(result.is_err());
}

#[test]
fn a_digest_mismatch_fails_the_layer() {
    let blob = Tar::default().file("a", b"SECRET").gzip();
    let mut notes = Notes::default();
    let other = digest(b"something else");
    let err = read_layer(&blob[..], &other, &Budget::default(), &mut notes).unwrap_err();
    assert_eq!(err, LayerError::DigestMismatch { expected: other, actual: digest(&blob) });
}

#[test]
fn layers_over_budget_are_not_read_in_full() {
    let blob = Tar::default().file("a", vec![0u8; 1 << 20]).file("b", b"x").file("c", b"y").gzip();
    let small = Budget { layer_bytes: 64 * 1024, ..Budget::default() };
    let (result, _) = read(&blob, &small);
    assert!(matches!(&result, Err(LayerError::OverBudget(message)) if message.contains("65536")), "{result:?}");
    let few = Budget { files_per_layer: 2, ..Budget::default() };
    let (result, _) = read(&blob, &few);
    assert_eq!(result.unwrap_err(), LayerError::OverBudget("more than 2 entries".into()));
    // A compressed blob over the budget, as zstd reports it.
    let noise: Vec<u8> = (0..200_000u32).map(|n| (n.wrapping_mul(2_654_435_761) >> 13) as u8).collect();
    let zstd = Tar::default().file("noise", &noise).zstd();
    let (result, _) = read(&zstd, &Budget { layer_bytes: 100_000, ..Budget::default() });
    assert!(matches!(result, Err(LayerError::OverBudget(_))), "{result:?}");
}

#[test]
fn files_over_the_scanned_size_are_named_not_read() {
    let blob = Tar::default().file("big", vec![b'S'; 5000]).file("small", b"SECRET").gzip();
    let (result, notes) = read(&blob, &Budget { file_bytes_scanned: 1000, ..Budget::default() });
    result.unwrap();
    assert_eq!(notes.unread, ["big"]);
    assert_eq!(notes.secrets, ["small"]);
}

#[test]
fn long_names_are_read_and_bounded() {
    let long = format!("{}/credentials", "d".repeat(150));
    let blob = Tar::default().long_name(&long).file("short-name-ignored", b"SECRET").finish();
    let (result, notes) = read(&blob, &Budget::default());
    result.unwrap();
    assert_eq!(notes.secrets, [long]);

    let huge = Tar::default().bare_header("././@LongLink", b'L', 1 << 30);
    let (result, _) = read(&huge.finish(), &Budget::default());
    assert!(matches!(&result, Err(LayerError::Damaged(message)) if message.contains("extended header")), "{result:?}");
}
