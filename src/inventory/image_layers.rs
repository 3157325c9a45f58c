//! The layers of the images in use (those [`super::image_configs`] read):
//! each distinct layer digest is fetched once per scan, whichever images,
//! repositories or accounts name it (`GetDownloadUrlForLayer`, then a GET
//! of the presigned URL), streamed through the layer reader on a blocking
//! thread a chunk at a time, and each image then gets its layers stacked.
//!
//! Budgets: bytes per layer, files per layer and the largest file read
//! (the reader's), and bytes of layers per scan (here). A layer that is not
//! read in full is named with why on every image that has it, which the
//! checks turn into ERROR.

use std::collections::HashMap;
use std::io::{self, Read};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};

use aws_sdk_ecr::Client;
use tokio::sync::{OnceCell, Semaphore, mpsc};

use super::image_configs::RegistryImage;
use super::paginate::CallSite;
use crate::aws::chain::join_all;
use crate::aws::{BlobFetcher, CallGate, Service, Session};
use crate::config::LayerLimits;
use crate::image::config::LayerDescriptor;
use crate::image::layers::{Budget, read_layer};

mod inspect;
mod stack;

use inspect::FactsInspector;
pub use stack::{ImageLayers, LayerEntry, LayerFacts, LayerSecret, stack};

/// Chunks in flight between the GET and the reader of one layer.
const CHUNKS_IN_FLIGHT: usize = 8;

/// Layers read at once: each holds a blocking thread and a decompressor.
/// Bounded below tokio's blocking pool, so that a reader waiting for its
/// GET (which waits for the call gate) never keeps another's from starting.
const READERS: usize = 8;

/// What one layer's read came to: its facts, or why it was not read in full.
type LayerOutcome = Result<Arc<LayerFacts>, String>;

/// The layers of one scan: the budgets, and each digest's read, shared.
#[derive(Debug)]
pub struct LayerScan {
    pub budget: Budget,
    /// Bytes of layer blobs one scan fetches at most.
    pub scan_bytes: u64,
    reserved: AtomicU64,
    fetched: AtomicU64,
    reads: Mutex<HashMap<String, Arc<OnceCell<LayerOutcome>>>>,
    readers: Semaphore,
}

impl LayerScan {
    pub fn new(budget: Budget, scan_bytes: u64) -> LayerScan {
        LayerScan {
            budget,
            scan_bytes,
            reserved: AtomicU64::new(0),
            fetched: AtomicU64::new(0),
            reads: Mutex::new(HashMap::new()),
            readers: Semaphore::new(READERS),
        }
    }

    /// The budgets `bulkhead.toml` sets.
    pub fn with_limits(limits: &LayerLimits) -> LayerScan {
        let budget = Budget {
            layer_bytes: limits.layer_bytes,
            files_per_layer: limits.files_per_layer,
            file_bytes_scanned: limits.file_bytes_scanned,
        };
        LayerScan::new(budget, limits.scan_bytes)
    }

    /// How many layer blobs were fetched, and their bytes.
    pub fn fetched(&self) -> (usize, u64) {
        let reads = self.reads.lock().expect("the layer map is never poisoned");
        (reads.values().filter(|cell| cell.initialized()).count(), self.fetched.load(Ordering::Relaxed))
    }

    fn cell(&self, digest: &str) -> Arc<OnceCell<LayerOutcome>> {
        let mut reads = self.reads.lock().expect("the layer map is never poisoned");
        reads.entry(digest.to_owned()).or_default().clone()
    }

    /// Takes `size` bytes of the scan's budget, or says it is spent.
    fn reserve(&self, size: u64) -> Result<(), String> {
        let before = self.reserved.fetch_add(size, Ordering::Relaxed);
        if before + size > self.scan_bytes {
            return Err(format!("the scan's budget of {} of layers is spent", bytes(self.scan_bytes)));
        }
        Ok(())
    }
}

impl Default for LayerScan {
    fn default() -> LayerScan {
        LayerScan::with_limits(&LayerLimits::default())
    }
}

/// `1.2 GB`, `512 MB`, `900 bytes`.
pub fn bytes(count: u64) -> String {
    match count {
        0..1_000_000 => format!("{count} bytes"),
        1_000_000..1_000_000_000 => format!("{:.1} MB", count as f64 / 1e6),
        _ => format!("{:.1} GB", count as f64 / 1e9),
    }
}

/// Reads the layers of every image whose config was read, and stacks them.
pub async fn collect(session: &Session, gate: &CallGate, scan: &LayerScan, images: &mut [RegistryImage]) {
    let fetcher = &session.blob_fetcher();
    let stacked = join_all(images.iter().map(|image| async move {
        let Ok(config) = image.config.get() else { return None };
        let client = session.client::<Client>(&image.region);
        let client = &client;
        let facts = join_all(config.layers.iter().map(|layer| async move {
            layer_facts(client, gate, fetcher, scan, &image.region, &image.repository, layer).await
        }))
        .await;
        let facts: Vec<Result<&LayerFacts, String>> =
            facts.iter().map(|outcome| outcome.as_ref().map(|facts| facts.as_ref()).map_err(Clone::clone)).collect();
        Some(stack(&config.layers, &config.history, &facts))
    }))
    .await;
    for (image, layers) in images.iter_mut().zip(stacked) {
        if let Some(layers) = layers {
            image.layers = super::Collected::Ok(layers);
        }
    }
}

/// One layer's facts: read once per scan, then shared.
async fn layer_facts(
    client: &Client,
    gate: &CallGate,
    fetcher: &BlobFetcher,
    scan: &LayerScan,
    region: &str,
    repository: &str,
    layer: &LayerDescriptor,
) -> LayerOutcome {
    let cell = scan.cell(&layer.digest);
    cell.get_or_init(|| async {
        let facts = fetch(client, gate, fetcher, scan, region, repository, layer).await?;
        scan.fetched.fetch_add(facts.compressed_bytes, Ordering::Relaxed);
        Ok(Arc::new(facts))
    })
    .await
    .clone()
}

async fn fetch(
    client: &Client,
    gate: &CallGate,
    fetcher: &BlobFetcher,
    scan: &LayerScan,
    region: &str,
    repository: &str,
    layer: &LayerDescriptor,
) -> Result<LayerFacts, String> {
    let budget = scan.budget;
    if let Some(size) = layer.size {
        if size > budget.layer_bytes {
            return Err(format!("{} over the {} budget", bytes(size), bytes(budget.layer_bytes)));
        }
        scan.reserve(size)?;
    }
    let site = CallSite { gate, service: Service::Ecr, region, operation: "GetDownloadUrlForLayer" };
    let output = site
        .once(|| client.get_download_url_for_layer().repository_name(repository).layer_digest(&layer.digest).send())
        .await
        .map_err(|err| err.to_string())?;
    let url = output.download_url().ok_or_else(|| "ECR gave no download URL".to_owned())?;
    let _reader = scan.readers.acquire().await.map_err(|err| err.to_string())?;
    let (sender, receiver) = mpsc::channel(CHUNKS_IN_FLIGHT);
    let digest = layer.digest.clone();
    let reader = tokio::task::spawn_blocking(move || read_blob(ChannelReader::new(receiver), &digest, &budget));
    let streamed = fetcher.stream(gate, region, url, budget.layer_bytes, &sender).await;
    if let Err(err) = &streamed {
        // The reader learns it from the stream, not from an early end.
        let _ = sender.send(Err(err.to_string())).await;
    }
    drop(sender);
    reader.await.map_err(|err| format!("the layer reader stopped: {err}"))?
}

/// What a layer blob holds, read from `blob` (blocking): its facts, or why
/// it was not read in full.
pub fn read_blob(blob: impl Read, digest: &str, budget: &Budget) -> Result<LayerFacts, String> {
    let mut inspector = FactsInspector::default();
    let read = read_layer(blob, digest, budget, &mut inspector).map_err(|err| err.to_string())?;
    let mut facts = inspector.facts;
    facts.changes = read.changes;
    facts.compressed_bytes = read.compressed_bytes;
    Ok(facts)
}

/// The chunks of a streamed blob as a [`Read`], for the blocking reader.
struct ChannelReader {
    chunks: mpsc::Receiver<Result<Vec<u8>, String>>,
    chunk: Vec<u8>,
    at: usize,
}

impl ChannelReader {
    fn new(chunks: mpsc::Receiver<Result<Vec<u8>, String>>) -> ChannelReader {
        ChannelReader { chunks, chunk: Vec::new(), at: 0 }
    }
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        while self.at == self.chunk.len() {
            match self.chunks.blocking_recv() {
                None => return Ok(0),
                Some(Ok(chunk)) => (self.chunk, self.at) = (chunk, 0),
                Some(Err(why)) => return Err(io::Error::other(why)),
            }
        }
        let count = buf.len().min(self.chunk.len() - self.at);
        buf[..count].copy_from_slice(&self.chunk[self.at..self.at + count]);
        self.at += count;
        Ok(count)
    }
}

impl std::fmt::Debug for ChannelReader {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ChannelReader")
    }
}
