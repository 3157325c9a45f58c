//! Reads one layer blob from a file as a scan reads it from the registry
//! (digest verified, decompressed, every file judged), for the benchmark in
//! docs/performance.md:
//!
//!     cargo run --release --example layer_read -- LAYER.tar.gz [DIGEST]
//!
//! Prints the bytes read, the time taken and what was found (counts only).

use std::io::BufReader;
use std::time::Instant;

use bulkhead::image::layers::Budget;
use bulkhead::inventory::image_layers::read_blob;

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: layer_read LAYER [DIGEST]");
        std::process::exit(2);
    };
    let file = std::fs::File::open(&path).unwrap_or_else(|err| panic!("{path}: {err}"));
    // Without a digest, the read reports a mismatch at the end, with the real one.
    let digest = args.next().unwrap_or_else(|| "sha256:unknown".to_owned());
    let budget = Budget { layer_bytes: u64::MAX, files_per_layer: u64::MAX, ..Budget::default() };
    let started = Instant::now();
    let outcome = read_blob(BufReader::with_capacity(64 * 1024, file), &digest, &budget);
    let elapsed = started.elapsed();
    match outcome {
        Ok(facts) => println!(
            "read {} bytes in {:.3} s: {} secret(s), {} os-release, {} sshd, {} whiteout(s)",
            facts.compressed_bytes,
            elapsed.as_secs_f64(),
            facts.secrets.len(),
            facts.os_releases.len(),
            facts.sshd.len(),
            facts.changes.whiteouts.len(),
        ),
        Err(why) => println!("not read in full after {:.3} s: {why}", elapsed.as_secs_f64()),
    }
}
