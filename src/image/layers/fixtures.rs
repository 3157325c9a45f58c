//! Layers built by hand, byte by byte, for tests: a tar archive as
//! `docker build` writes one, gzip or zstd compressed. Beside the code it
//! feeds (as `inventory::fixtures` is), so the reader's unit tests and the
//! checks' offline tests build their layers one way.

use std::io::Write;

/// A tar archive written as `docker build` writes one (ustar headers).
#[derive(Debug, Default)]
pub struct Tar(Vec<u8>);

impl Tar {
    fn header(&mut self, path: &str, flag: u8, size: usize, link: &str) {
        let mut block = [0u8; 512];
        block[..path.len()].copy_from_slice(path.as_bytes());
        block[100..108].copy_from_slice(b"0000644\0");
        block[124..136].copy_from_slice(format!("{size:011o}\0").as_bytes());
        block[136..148].copy_from_slice(b"00000000000\0");
        block[156] = flag;
        block[157..157 + link.len()].copy_from_slice(link.as_bytes());
        block[257..263].copy_from_slice(b"ustar\0");
        block[263..265].copy_from_slice(b"00");
        block[148..156].copy_from_slice(b"        ");
        let sum: u32 = block.iter().map(|&byte| u32::from(byte)).sum();
        block[148..156].copy_from_slice(format!("{sum:06o}\0 ").as_bytes());
        self.0.extend_from_slice(&block);
    }

    pub fn file(mut self, path: &str, content: impl AsRef<[u8]>) -> Tar {
        let content = content.as_ref();
        self.header(path, b'0', content.len(), "");
        self.0.extend_from_slice(content);
        self.0.resize(self.0.len().div_ceil(512) * 512, 0);
        self
    }

    pub fn dir(mut self, path: &str) -> Tar {
        self.header(path, b'5', 0, "");
        self
    }

    pub fn symlink(mut self, path: &str, target: &str) -> Tar {
        self.header(path, b'2', 0, target);
        self
    }

    /// A GNU long name (`././@LongLink`) for the entry that follows.
    pub fn long_name(mut self, name: &str) -> Tar {
        self.header("././@LongLink", b'L', name.len() + 1, "");
        self.0.extend_from_slice(name.as_bytes());
        self.0.push(0);
        self.0.resize(self.0.len().div_ceil(512) * 512, 0);
        self
    }

    /// A header alone, whatever size it claims: a damaged archive.
    pub fn bare_header(mut self, path: &str, flag: u8, size: usize) -> Tar {
        self.header(path, flag, size, "");
        self
    }

    /// The archive, uncompressed, with its end-of-archive blocks.
    pub fn finish(mut self) -> Vec<u8> {
        self.0.extend_from_slice(&[0u8; 1024]);
        self.0
    }

    pub fn gzip(self) -> Vec<u8> {
        let mut encoder = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        encoder.write_all(&self.finish()).expect("writing to memory");
        encoder.finish().expect("writing to memory")
    }

    pub fn zstd(self) -> Vec<u8> {
        ruzstd::encoding::compress_to_vec(&self.finish()[..], ruzstd::encoding::CompressionLevel::Fastest)
    }
}
