//! A layer blob as it arrives: counted and hashed as it is read (the
//! digest is the compressed bytes'), then decompressed as its first bytes
//! say (gzip, zstd, or a plain tar), all as streams.

use std::io::{self, BufRead, BufReader, Read};

use aws_lc_rs::digest::{Context, SHA256};
use flate2::bufread::MultiGzDecoder;
use ruzstd::decoding::{FrameDecoder, StreamingDecoder};

/// The largest zstd window accepted: what one decoder may hold. zstd's own
/// levels use at most 8 MiB on inputs of any size; a frame that asks for
/// more is refused rather than allowed to make memory grow with the input.
pub const MAX_ZSTD_WINDOW: u64 = 16 * 1024 * 1024;

/// How blob bytes are read: buffered in chunks this big.
const CHUNK: usize = 64 * 1024;

/// Counts and hashes the bytes read through it, and refuses more than `limit`.
pub struct Hashing<R> {
    inner: R,
    context: Context,
    read: u64,
    limit: u64,
}

impl<R> std::fmt::Debug for Hashing<R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Hashing").field("read", &self.read).field("limit", &self.limit).finish()
    }
}

impl<R: Read> Hashing<R> {
    pub fn new(inner: R, limit: u64) -> Hashing<R> {
        Hashing { inner, context: Context::new(&SHA256), read: 0, limit }
    }

    /// Whether more than the limit was offered (whatever a decompressor
    /// made of the error on its way up).
    pub fn exceeded(&self) -> bool {
        self.read > self.limit
    }

    /// The bytes read and their `sha256:<hex>`.
    pub fn finish(self) -> (u64, String) {
        let digest = self.context.finish();
        let hex: String = digest.as_ref().iter().map(|byte| format!("{byte:02x}")).collect();
        (self.read, format!("sha256:{hex}"))
    }
}

impl<R: Read> Read for Hashing<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.read += read as u64;
        if self.read > self.limit {
            return Err(over_budget(format!("the blob is more than the {} bytes budgeted", self.limit)));
        }
        self.context.update(&buf[..read]);
        Ok(read)
    }
}

/// Refuses to give more than `limit` bytes: the decompressed side of a layer.
#[derive(Debug)]
pub struct Limited<R> {
    inner: R,
    read: u64,
    limit: u64,
}

impl<R: Read> Limited<R> {
    pub fn new(inner: R, limit: u64) -> Limited<R> {
        Limited { inner, read: 0, limit }
    }

    pub fn bytes_read(&self) -> u64 {
        self.read
    }
}

impl<R: Read> Read for Limited<R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(buf)?;
        self.read += read as u64;
        if self.read > self.limit {
            return Err(over_budget(format!("more than {} bytes of tar", self.limit)));
        }
        Ok(read)
    }
}

/// An error that marks a budget reached, told apart from a damaged blob.
#[derive(Debug)]
pub struct OverBudget(pub String);

impl std::fmt::Display for OverBudget {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for OverBudget {}

pub fn over_budget(message: String) -> io::Error {
    io::Error::other(OverBudget(message))
}

/// The budget message, when `err` is one.
pub fn budget_message(err: &io::Error) -> Option<String> {
    err.get_ref().and_then(|inner| inner.downcast_ref::<OverBudget>()).map(|over| over.0.clone())
}

/// How a blob is compressed, from its first bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    Gzip,
    Zstd,
    None,
}

pub fn sniff(start: &[u8]) -> Compression {
    match start {
        [0x1f, 0x8b, ..] => Compression::Gzip,
        [0x28, 0xb5, 0x2f, 0xfd, ..] => Compression::Zstd,
        _ => Compression::None,
    }
}

pub type Raw<R> = BufReader<Hashing<R>>;

pub fn raw<R: Read>(inner: R, limit: u64) -> Raw<R> {
    BufReader::with_capacity(CHUNK, Hashing::new(inner, limit))
}

/// The tar stream inside `raw`, decompressed as its first bytes say.
pub fn decompressed<'a, R: Read + 'a>(raw: &'a mut Raw<R>) -> io::Result<Box<dyn Read + 'a>> {
    let compression = sniff(raw.fill_buf()?);
    Ok(match compression {
        Compression::Gzip => Box::new(MultiGzDecoder::new(raw)),
        Compression::Zstd => Box::new(ZstdFrames::new(raw)?),
        Compression::None => Box::new(raw),
    })
}

/// zstd frames one after the other, as `zstd` and concatenation write them.
struct ZstdFrames<'a, R: Read> {
    decoder: Option<StreamingDecoder<&'a mut Raw<R>, FrameDecoder>>,
}

impl<'a, R: Read> ZstdFrames<'a, R> {
    fn new(raw: &'a mut Raw<R>) -> io::Result<ZstdFrames<'a, R>> {
        let decoder = StreamingDecoder::new_with_max_window_size(raw, MAX_ZSTD_WINDOW).map_err(zstd_error)?;
        Ok(ZstdFrames { decoder: Some(decoder) })
    }
}

fn zstd_error(err: impl std::fmt::Display) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, format!("zstd: {err}"))
}

impl<R: Read> Read for ZstdFrames<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        loop {
            let Some(decoder) = self.decoder.as_mut() else { return Ok(0) };
            let read = decoder.read(buf)?;
            if read > 0 || buf.is_empty() {
                return Ok(read);
            }
            // The frame ended: another may follow.
            let Some(decoder) = self.decoder.take() else { return Ok(0) };
            let (source, frames) = decoder.into_parts();
            if source.fill_buf()?.is_empty() {
                return Ok(0);
            }
            self.decoder = Some(StreamingDecoder::new_with_decoder(source, frames).map_err(zstd_error)?);
        }
    }
}

impl<R: Read> std::fmt::Debug for ZstdFrames<'_, R> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("ZstdFrames")
    }
}
