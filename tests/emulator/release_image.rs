//! bulkhead's container image as a user gets it: built by `release/image`
//! (the release archive's static binary on an empty base, through the
//! Containerfile) with buildah in storage of this test's own, then run:
//! `bulkhead --version`, and a real scan of the emulator from inside the
//! image (`buildah run` shares the host's network) after the image was
//! pushed into the emulated ECR and a task definition runs it, so that
//! bulkhead judges its own image: runs as non-root, no secret in its config,
//! no SSH, from the account's own registry, pinned, freshly built.
//!
//! Also the release archive that `release/image` packed: its layout and its
//! SHA256SUMS line.
//!
//! The binary is the release profile's (`BULKHEAD_IMAGE_PROFILE` names
//! another), so the size asserted is the published image's.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::time::Instant;

use serde_json::{Value, json};

use crate::support::{Account, Scan, endpoint, repo_root, text};

/// Under this many bytes, unpacked: what a scheduled task pulls and stores.
const MAX_IMAGE_BYTES: u64 = 25_000_000;
const UID: &str = "65532";

/// The checks that judge an image a task definition runs.
const IMAGE_CHECKS: [&str; 6] = [
    "ecs_task_definitions_containers_non_root_user",
    "ecs_task_definitions_images_no_secrets_in_config",
    "ecs_task_definitions_images_no_ssh",
    "ecs_task_definitions_images_from_trusted_registries",
    "ecs_task_definitions_images_not_outdated",
    "ecs_task_definitions_images_pinned_by_digest",
];

/// buildah with a storage of its own, removed with the test's folder.
#[derive(Debug)]
struct Buildah {
    folder: tempfile::TempDir,
}

impl Buildah {
    fn new() -> Buildah {
        Buildah { folder: tempfile::tempdir().unwrap() }
    }

    fn storage(&self) -> PathBuf {
        self.folder.path().join("storage")
    }

    fn command(&self) -> Command {
        let mut command = Command::new("buildah");
        command
            .arg("--root")
            .arg(self.storage().join("root"))
            .arg("--runroot")
            .arg(self.storage().join("run"))
            .args(["--storage-driver", "vfs"]);
        command
    }

    /// Runs buildah with `args`; its stdout, which it must succeed to give.
    fn run(&self, args: &[&str]) -> String {
        let output = self.command().args(args).output().expect("running buildah");
        assert!(output.status.success(), "buildah {args:?} failed:\n{}", String::from_utf8_lossy(&output.stderr));
        String::from_utf8(output.stdout).unwrap().trim().to_owned()
    }

    /// `buildah run` of `command` in `container`, with `env`, as the image's user.
    fn run_in(&self, container: &str, env: &[(String, String)], command: &[&str]) -> Output {
        let mut buildah = self.command();
        buildah.args(["run", "--isolation", "chroot"]);
        for (name, value) in env {
            buildah.arg("--env").arg(format!("{name}={value}"));
        }
        buildah.args([container, "--"]).args(command).output().expect("running buildah run")
    }
}

impl Drop for Buildah {
    fn drop(&mut self) {
        // vfs leaves read-only folders behind that a plain removal trips over.
        let _ = Command::new("chmod").arg("-R").arg("u+rwX").arg(self.folder.path()).status();
    }
}

/// `release/image` into the test's storage; the image's name and how long it took.
fn build_image(buildah: &Buildah, archive_dir: &Path) -> String {
    let profile = std::env::var("BULKHEAD_IMAGE_PROFILE").unwrap_or_else(|_| "release".to_owned());
    let archive = release_build(&profile, archive_dir);
    let tag = format!("localhost/bulkhead-test:{}", std::process::id());
    let started = Instant::now();
    let output = Command::new(repo_root().join("release/image"))
        .arg("--storage")
        .arg(buildah.storage())
        .args(["--tag", &tag, "--archive"])
        .arg(&archive)
        .output()
        .expect("running release/image");
    assert!(output.status.success(), "release/image failed:\n{}", String::from_utf8_lossy(&output.stderr));
    eprintln!("release/image built {tag} in {:.1} s", started.elapsed().as_secs_f64());
    assert_eq!(String::from_utf8(output.stdout).unwrap().lines().last(), Some(tag.as_str()), "the name, last");
    tag
}

/// `release/build` into `dir`; the archive's path.
fn release_build(profile: &str, dir: &Path) -> PathBuf {
    let started = Instant::now();
    let output = Command::new(repo_root().join("release/build"))
        .args(["--profile", profile, "--out-dir"])
        .arg(dir)
        .output()
        .expect("running release/build");
    assert!(output.status.success(), "release/build failed:\n{}", String::from_utf8_lossy(&output.stderr));
    eprintln!("release/build ({profile}) took {:.1} s", started.elapsed().as_secs_f64());
    PathBuf::from(String::from_utf8(output.stdout).unwrap().lines().last().expect("the archive's path"))
}

#[test]
#[ignore = "needs the AWS emulator: run localstack/run-tests"]
fn the_image_scans_the_emulator_and_passes_its_own_image_checks() {
    let buildah = Buildah::new();
    let dist = buildah.folder.path().join("dist");
    let tag = build_image(&buildah, &dist);
    check_archive(&dist);
    check_codebuild_install(&dist);

    let inspected: Value = serde_json::from_str(&buildah.run(&["inspect", "--type", "image", &tag])).unwrap();
    check_config(&inspected["OCIv1"]);

    let layout = buildah.folder.path().join("layout");
    buildah.run(&["push", "--quiet", &tag, &format!("oci:{}", layout.display())]);
    let (packed, unpacked) = image_size(&layout);
    eprintln!("image: {packed} bytes of compressed layers, {unpacked} bytes unpacked");
    assert!(unpacked < MAX_IMAGE_BYTES, "the image takes {unpacked} bytes unpacked, over {MAX_IMAGE_BYTES}");

    let container = buildah.run(&["from", "--quiet", &tag]);
    let version = buildah.run_in(&container, &[], &["/usr/local/bin/bulkhead", "--version"]);
    assert!(version.status.success(), "{version:?}");
    let printed = String::from_utf8_lossy(&version.stdout).trim().to_owned();
    assert_eq!(printed, format!("bulkhead {}", env!("CARGO_PKG_VERSION")));

    let account = Account::seeded("empty");
    let pushed = push_to_ecr(&account, &layout);
    let scan = scan_from_inside(&buildah, &container, &account);
    assert_eq!(scan.exit_code, 0, "{}", scan.stderr);
    let family = "bulkhead-image:1";
    for check in IMAGE_CHECKS {
        let finding = scan.finding_mentioning(check, family);
        assert_eq!(finding["status"], "PASS", "{check} on bulkhead's own image {}: {finding:#}", pushed["image"]);
    }
    let user = text(&scan.finding_mentioning(IMAGE_CHECKS[0], family)["message"]);
    assert!(user.contains(&format!("runs as {UID}:{UID} (no user in the task definition")), "{user}");
    buildah.run(&["rm", &container]);
}

/// The image's config: the numeric user, the entrypoint, the labels.
fn check_config(image: &Value) {
    let config = &image["config"];
    assert_eq!(config["User"], format!("{UID}:{UID}"), "{config:#}");
    assert_eq!(config["Entrypoint"], json!(["/usr/local/bin/bulkhead"]));
    assert_eq!(config["WorkingDir"], "/home/bulkhead");
    let labels = &config["Labels"];
    assert_eq!(labels["org.opencontainers.image.source"], "https://github.com/bulkhead-audit/bulkhead");
    assert_eq!(labels["org.opencontainers.image.licenses"], "Apache-2.0");
    assert_eq!(labels["org.opencontainers.image.version"], env!("CARGO_PKG_VERSION"));
    let revision = Command::new("git").args(["rev-parse", "HEAD"]).current_dir(repo_root()).output().unwrap();
    assert_eq!(text(&labels["org.opencontainers.image.revision"]), String::from_utf8_lossy(&revision.stdout).trim());
    let env = config["Env"].as_array().unwrap();
    assert!(env.contains(&json!("SSL_CERT_FILE=/etc/ssl/certs/ca-certificates.crt")), "{env:?}");
}

/// Bytes of the image's layers as stored (compressed) and as unpacked, from
/// an OCI layout holding it.
fn image_size(layout: &Path) -> (u64, u64) {
    let blob = |digest: &Value| layout.join("blobs/sha256").join(text(digest).trim_start_matches("sha256:"));
    let index: Value = serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(blob(&index["manifests"][0]["digest"])).unwrap()).unwrap();
    let mut packed = 0;
    let mut unpacked = 0;
    for layer in manifest["layers"].as_array().unwrap() {
        let path = blob(&layer["digest"]);
        packed += std::fs::metadata(&path).unwrap().len();
        let file = std::fs::File::open(&path).unwrap();
        let mut reader: Box<dyn std::io::Read> = if text(&layer["mediaType"]).ends_with("gzip") {
            Box::new(flate2::read::GzDecoder::new(file))
        } else {
            Box::new(file)
        };
        unpacked += std::io::copy(&mut reader, &mut std::io::sink()).unwrap();
    }
    (packed, unpacked)
}

/// localstack/push_image.py: the layout's image into the account's ECR
/// (us-east-1, repository bulkhead) and a task definition bulkhead-image
/// that runs it by digest.
fn push_to_ecr(account: &Account, layout: &Path) -> Value {
    let root = repo_root();
    let output = Command::new(root.join("localstack/.venv/bin/python"))
        .arg(root.join("localstack/push_image.py"))
        .args(["--endpoint", &endpoint(), "--region", "us-east-1", "--repository", "bulkhead"])
        .args(["--tag", env!("CARGO_PKG_VERSION"), "--family", "bulkhead-image"])
        .arg(layout)
        .envs(account.env())
        .output()
        .expect("running push_image.py");
    assert!(output.status.success(), "push_image.py failed:\n{}", String::from_utf8_lossy(&output.stderr));
    serde_json::from_slice(&output.stdout).expect("push_image.py prints JSON")
}

/// `bulkhead scan` of the account's us-east-1, run inside the image; the
/// report read out of the container's file system.
fn scan_from_inside(buildah: &Buildah, container: &str, account: &Account) -> Scan {
    let mut env = account.env();
    env.push(("AWS_EC2_METADATA_DISABLED".to_owned(), "true".to_owned()));
    let endpoint = endpoint();
    let checks = IMAGE_CHECKS.join(",");
    let command = [
        "/usr/local/bin/bulkhead",
        "scan",
        "--region",
        "us-east-1",
        "--regions",
        "us-east-1",
        "--endpoint-url",
        &endpoint,
        "--checks",
        &checks,
        "--output-dir",
        "/home/bulkhead/out",
    ];
    let output = buildah.run_in(container, &env, &command);
    let mounted = PathBuf::from(buildah.run(&["mount", container]));
    let report = mounted.join("home/bulkhead/out/bulkhead.json");
    let scan = Scan::read(output, &report);
    // Written by the image's user, not by root.
    let owner = std::os::unix::fs::MetadataExt::uid(&std::fs::metadata(&report).unwrap());
    assert_eq!(owner.to_string(), UID, "the report's owner");
    check_files(&mounted);
    buildah.run(&["umount", container]);
    scan
}

/// The image's own files besides the binary: its SBOM and license, the CA
/// bundle, a /tmp anyone may write to.
fn check_files(rootfs: &Path) {
    let sbom: Value =
        serde_json::from_slice(&std::fs::read(rootfs.join("usr/share/doc/bulkhead/bulkhead.cdx.json")).unwrap())
            .unwrap();
    assert_eq!((&sbom["bomFormat"], &sbom["metadata"]["component"]["name"]), (&json!("CycloneDX"), &json!("bulkhead")));
    assert!(sbom["components"].as_array().unwrap().iter().any(|component| component["name"] == "aws-sdk-ecr"));
    assert!(rootfs.join("usr/share/doc/bulkhead/LICENSE").is_file());
    let bundle = std::fs::read_to_string(rootfs.join("etc/ssl/certs/ca-certificates.crt")).unwrap();
    assert!(bundle.matches("BEGIN CERTIFICATE").count() > 50, "a CA bundle");
    let tmp = std::os::unix::fs::PermissionsExt::mode(&std::fs::metadata(rootfs.join("tmp")).unwrap().permissions());
    assert_eq!(tmp & 0o7777, 0o1777, "/tmp");
}

/// The archive release/build wrote into `dist`: its files, and SHA256SUMS
/// verifying it.
fn check_archive(dist: &Path) {
    let version = env!("CARGO_PKG_VERSION");
    let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap();
    let archive = sums.lines().next().and_then(|line| line.split_once("  ")).map(|(_, name)| name.to_owned());
    let archive = archive.expect("SHA256SUMS: a line `HASH  NAME`");
    let prefix = format!("bulkhead-{version}-");
    let target = archive.strip_prefix(&prefix).and_then(|rest| rest.strip_suffix(".tar.gz")).unwrap_or_else(|| {
        panic!("{archive}: not bulkhead-VERSION-TARGET.tar.gz");
    });
    let check = Command::new("sha256sum").args(["--check", "--strict", "SHA256SUMS"]).current_dir(dist).output();
    let check = check.expect("running sha256sum");
    assert!(check.status.success(), "sha256sum -c: {}", String::from_utf8_lossy(&check.stdout));

    let listing = Command::new("tar").arg("-tvzf").arg(dist.join(&archive)).output().unwrap();
    let listing = String::from_utf8(listing.stdout).unwrap();
    let top = format!("bulkhead-{version}-{target}/");
    let names: Vec<&str> = listing.lines().filter_map(|line| line.split_whitespace().last()).collect();
    for name in [
        "bulkhead",
        "bulkhead.cdx.json",
        "LICENSE",
        "README.md",
        "man/man1/bulkhead.1",
        "man/man1/bulkhead-scan.1",
        "completions/bulkhead.bash",
        "completions/_bulkhead",
        "completions/bulkhead.fish",
    ] {
        assert!(names.contains(&format!("{top}{name}").as_str()), "{archive} lacks {name}:\n{listing}");
    }
    assert!(names.iter().all(|name| name.starts_with(&top)), "everything under {top}:\n{listing}");
    let binary = listing.lines().find(|line| line.ends_with(&format!("{top}bulkhead"))).unwrap();
    assert!(binary.starts_with("-rwxr-xr-x"), "{binary}");
}

/// docs/codebuild.md's install phase, run as written against the archive in
/// `dist`: curl is a stand-in that serves the release URL from `dist`, and
/// /usr/local/bin a folder of the test's. With the archive's checksum it
/// installs a binary that runs; with another it stops before unpacking.
fn check_codebuild_install(dist: &Path) {
    let recipe = std::fs::read_to_string(repo_root().join("docs/codebuild.md")).unwrap();
    let yaml = recipe.split("```yaml\n").nth(1).and_then(|rest| rest.split("```").next()).expect("a yaml block");
    let buildspec: Value = serde_yaml_ng::from_str(yaml).expect("the buildspec is YAML");
    let commands: Vec<String> =
        buildspec["phases"]["install"]["commands"].as_array().unwrap().iter().map(text).collect();
    let variables = &buildspec["env"]["variables"];
    assert_eq!(text(&variables["BULKHEAD_VERSION"]), env!("CARGO_PKG_VERSION"), "the recipe's release");

    let sums = std::fs::read_to_string(dist.join("SHA256SUMS")).unwrap();
    let line =
        sums.lines().find(|line| line.ends_with("-x86_64-unknown-linux-musl.tar.gz")).expect("the x86_64 archive");
    let sha256 = line.split_whitespace().next().unwrap();
    let folder = tempfile::tempdir().unwrap();
    let shim = folder.path().join("bin");
    std::fs::create_dir(&shim).unwrap();
    // curl -fsSL -o FILE URL, for the release's download URLs only.
    let release =
        format!("https://github.com/bulkhead-audit/bulkhead/releases/download/v{}/", env!("CARGO_PKG_VERSION"));
    let curl = format!(
        "#!/bin/sh\nset -eu\n[ \"$1 $2\" = \"-fsSL -o\" ] || exit 2\ncase \"$4\" in {release}*) cp \"{}/${{4#{release}}}\" \"$3\" ;; *) exit 22 ;; esac\n",
        dist.display()
    );
    std::fs::write(shim.join("curl"), curl).unwrap();
    std::fs::set_permissions(shim.join("curl"), std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();
    let installed = folder.path().join("usr-local-bin");
    std::fs::create_dir(&installed).unwrap();
    let script = commands.join("\n").replace("/usr/local/bin", installed.to_str().unwrap());

    let run = |checksum: &str| {
        let work = tempfile::tempdir().unwrap();
        Command::new("sh")
            .args(["-eu", "-c", &script])
            .current_dir(work.path())
            .env("PATH", format!("{}:{}", shim.display(), std::env::var("PATH").unwrap()))
            .env("BULKHEAD_VERSION", env!("CARGO_PKG_VERSION"))
            .env("BULKHEAD_SHA256", checksum)
            .output()
            .unwrap()
    };
    let refused = run(&"0".repeat(64));
    assert!(!refused.status.success(), "a wrong checksum must stop the install");
    assert!(!installed.join("bulkhead").exists(), "nothing installed after a wrong checksum");
    let done = run(sha256);
    assert!(done.status.success(), "the recipe's install phase failed:\n{}", String::from_utf8_lossy(&done.stderr));
    let version = Command::new(installed.join("bulkhead")).arg("--version").output().unwrap();
    assert_eq!(String::from_utf8_lossy(&version.stdout).trim(), format!("bulkhead {}", env!("CARGO_PKG_VERSION")));
}
