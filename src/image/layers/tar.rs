//! A streaming reader of tar archives (POSIX ustar, GNU and PAX, as image
//! builders write them): one 512-byte header at a time, each entry's data
//! read through or skipped, never held. Long names (GNU `L`/`K`, PAX
//! `path`/`linkpath`) are read into memory only up to [`MAX_EXTENSION`]
//! bytes; a hostile archive cannot make this reader allocate more.

use std::io::{self, Read};

/// The largest GNU long-name or PAX extended header read (real ones are a
/// path or a few records).
pub const MAX_EXTENSION: u64 = 1024 * 1024;

const BLOCK: usize = 512;

/// What an entry is, as far as reading an image goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Kind {
    File,
    HardLink,
    Symlink,
    Directory,
    /// Devices, FIFOs and anything else that holds no data worth reading.
    Other,
}

/// One entry's header, with long names and PAX records applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// As the archive spells it (`./etc/passwd`, `usr/bin/`).
    pub path: String,
    pub kind: Kind,
    /// The bytes of data that follow the header.
    pub size: u64,
    /// A link's target.
    pub link: Option<String>,
}

/// Reads entries one after the other from `inner`.
#[derive(Debug)]
pub struct TarReader<R> {
    inner: R,
    /// Data of the current entry not yet read, and the padding after it.
    remaining: u64,
    padding: u64,
}

fn corrupt(message: impl Into<String>) -> io::Error {
    io::Error::new(io::ErrorKind::InvalidData, message.into())
}

impl<R: Read> TarReader<R> {
    pub fn new(inner: R) -> TarReader<R> {
        TarReader { inner, remaining: 0, padding: 0 }
    }

    /// The current entry's data (what [`next`](Self::next) has not skipped yet).
    pub fn data(&mut self) -> EntryData<'_, R> {
        EntryData { reader: self }
    }

    /// The next entry, skipping what is left of the current one; `None` at
    /// the end of the archive. An archive that ends without its end
    /// marker, or inside an entry, is an error: it was not read in full.
    pub fn next_entry(&mut self) -> io::Result<Option<Header>> {
        let mut long_path: Option<String> = None;
        let mut long_link: Option<String> = None;
        let mut pax_size: Option<u64> = None;
        loop {
            self.skip_rest()?;
            let mut block = [0u8; BLOCK];
            if !read_block(&mut self.inner, &mut block)? {
                return Err(corrupt("the archive ends without its end-of-archive marker"));
            }
            if block.iter().all(|&byte| byte == 0) {
                return Ok(None);
            }
            verify_checksum(&block)?;
            let size = parse_size(&block[124..136])?;
            self.remaining = size;
            self.padding = (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64;
            match block[156] {
                b'L' => long_path = Some(self.extension(size)?.trim_end_matches('\0').to_owned()),
                b'K' => long_link = Some(self.extension(size)?.trim_end_matches('\0').to_owned()),
                b'x' => {
                    for (key, value) in pax_records(&self.extension(size)?)? {
                        match key.as_str() {
                            "path" => long_path = Some(value),
                            "linkpath" => long_link = Some(value),
                            "size" => {
                                pax_size = Some(value.parse().map_err(|_| corrupt("a PAX size is not a number"))?)
                            }
                            _ => {}
                        }
                    }
                }
                b'g' => {}
                flag => {
                    if let Some(size) = pax_size {
                        self.remaining = size;
                        self.padding = (BLOCK as u64 - size % BLOCK as u64) % BLOCK as u64;
                    }
                    return Ok(Some(header(&block, flag, self.remaining, long_path, long_link)));
                }
            }
        }
    }

    /// An extension entry's data as text, at most [`MAX_EXTENSION`] bytes.
    fn extension(&mut self, size: u64) -> io::Result<String> {
        if size > MAX_EXTENSION {
            return Err(corrupt(format!("an extended header of {size} bytes, more than the {MAX_EXTENSION} read")));
        }
        let mut bytes = Vec::with_capacity(size as usize);
        self.data().read_to_end(&mut bytes)?;
        if (bytes.len() as u64) < size {
            return Err(corrupt("the archive ends inside an extended header"));
        }
        Ok(String::from_utf8_lossy(&bytes).into_owned())
    }

    fn skip_rest(&mut self) -> io::Result<()> {
        let skip = self.remaining + self.padding;
        let skipped = io::copy(&mut (&mut self.inner).take(skip), &mut io::sink())?;
        if skipped < skip {
            return Err(corrupt("the archive ends inside an entry"));
        }
        self.remaining = 0;
        self.padding = 0;
        Ok(())
    }
}

/// The data of the entry a [`TarReader`] stands at.
#[derive(Debug)]
pub struct EntryData<'a, R> {
    reader: &'a mut TarReader<R>,
}

impl<R: Read> Read for EntryData<'_, R> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let want = buf.len().min(usize::try_from(self.reader.remaining).unwrap_or(usize::MAX));
        if want == 0 {
            return Ok(0);
        }
        let read = self.reader.inner.read(&mut buf[..want])?;
        if read == 0 {
            return Err(corrupt("the archive ends inside an entry"));
        }
        self.reader.remaining -= read as u64;
        Ok(read)
    }
}

/// Fills `block`; `false` when the input ended before its first byte.
fn read_block(inner: &mut impl Read, block: &mut [u8; BLOCK]) -> io::Result<bool> {
    let mut filled = 0;
    while filled < BLOCK {
        match inner.read(&mut block[filled..]) {
            Ok(0) if filled == 0 => return Ok(false),
            Ok(0) => return Err(corrupt("the archive ends inside a header")),
            Ok(read) => filled += read,
            Err(err) if err.kind() == io::ErrorKind::Interrupted => {}
            Err(err) => return Err(err),
        }
    }
    Ok(true)
}

fn verify_checksum(block: &[u8; BLOCK]) -> io::Result<()> {
    let stored = parse_octal(&block[148..156]).ok_or_else(|| corrupt("a header's checksum is not a number"))?;
    let sum: u64 = block
        .iter()
        .enumerate()
        .map(|(at, &byte)| if (148..156).contains(&at) { u64::from(b' ') } else { u64::from(byte) })
        .sum();
    if sum != stored {
        return Err(corrupt("a header's checksum does not match: not a tar archive, or a damaged one"));
    }
    Ok(())
}

fn parse_octal(field: &[u8]) -> Option<u64> {
    let text = std::str::from_utf8(field).ok()?;
    let text = text.trim_matches(|c: char| c == '\0' || c == ' ');
    if text.is_empty() {
        return Some(0);
    }
    u64::from_str_radix(text, 8).ok()
}

/// A size field: octal text, or GNU's base-256 (high bit of the first byte set).
fn parse_size(field: &[u8]) -> io::Result<u64> {
    if field[0] & 0x80 != 0 {
        let mut value: u64 = u64::from(field[0] & 0x7f);
        for &byte in &field[1..] {
            value = value.checked_mul(256).ok_or_else(|| corrupt("an entry size overflows"))? | u64::from(byte);
        }
        return Ok(value);
    }
    parse_octal(field).ok_or_else(|| corrupt("an entry size is not a number"))
}

/// `LEN KEY=VALUE\n` records.
fn pax_records(text: &str) -> io::Result<Vec<(String, String)>> {
    let mut records = Vec::new();
    let mut rest = text;
    while !rest.is_empty() {
        let (len, _) = rest.split_once(' ').ok_or_else(|| corrupt("a PAX record has no length"))?;
        let len: usize = len.parse().map_err(|_| corrupt("a PAX record's length is not a number"))?;
        let record = rest.get(..len).ok_or_else(|| corrupt("a PAX record is longer than its header"))?;
        rest = &rest[len..];
        let body = record.split_once(' ').map_or("", |(_, body)| body).trim_end_matches('\n');
        if let Some((key, value)) = body.split_once('=') {
            records.push((key.to_owned(), value.to_owned()));
        }
    }
    Ok(records)
}

fn text_field(field: &[u8]) -> String {
    let end = field.iter().position(|&byte| byte == 0).unwrap_or(field.len());
    String::from_utf8_lossy(&field[..end]).into_owned()
}

fn header(block: &[u8; BLOCK], flag: u8, size: u64, long_path: Option<String>, long_link: Option<String>) -> Header {
    let path = long_path.unwrap_or_else(|| {
        let name = text_field(&block[0..100]);
        // POSIX ustar splits a long path into prefix and name; GNU's magic
        // ("ustar  ") uses those bytes for other fields.
        let prefix = if &block[257..263] == b"ustar\0" { text_field(&block[345..500]) } else { String::new() };
        if prefix.is_empty() { name } else { format!("{prefix}/{name}") }
    });
    let kind = match flag {
        b'0' | 0 | b'7' => Kind::File,
        b'1' => Kind::HardLink,
        b'2' => Kind::Symlink,
        b'5' => Kind::Directory,
        _ => Kind::Other,
    };
    let link = matches!(kind, Kind::HardLink | Kind::Symlink)
        .then(|| long_link.unwrap_or_else(|| text_field(&block[157..257])));
    Header { path, kind, size, link }
}
