//! Where a report set or a scan store lives: a local path, or an object (or
//! a prefix of objects) in S3, written `s3://BUCKET/KEY`.

use std::fmt;
use std::path::PathBuf;
use std::str::FromStr;

/// A local path or an S3 location, as `--output-dir` and `--store` take it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Place {
    Local(PathBuf),
    S3(S3Url),
}

impl Place {
    pub fn local(&self) -> Option<&PathBuf> {
        match self {
            Place::Local(path) => Some(path),
            Place::S3(_) => None,
        }
    }

    pub fn s3(&self) -> Option<&S3Url> {
        match self {
            Place::Local(_) => None,
            Place::S3(url) => Some(url),
        }
    }
}

impl FromStr for Place {
    type Err = String;

    fn from_str(text: &str) -> Result<Place, String> {
        if text.starts_with("s3://") {
            return text.parse().map(Place::S3);
        }
        if text.is_empty() {
            return Err("an empty path".to_owned());
        }
        Ok(Place::Local(PathBuf::from(text)))
    }
}

impl fmt::Display for Place {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Place::Local(path) => write!(f, "{}", path.display()),
            Place::S3(url) => url.fmt(f),
        }
    }
}

/// `s3://BUCKET/KEY`: an object, or (for reports) the prefix their keys
/// start with; `key` has no leading `/` and may be empty (the bucket's top).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct S3Url {
    pub bucket: String,
    pub key: String,
}

impl S3Url {
    /// The key of `relative` (`bulkhead.json`, `compliance/x.csv`) under this prefix.
    pub fn join(&self, relative: &str) -> String {
        let prefix = self.key.trim_end_matches('/');
        if prefix.is_empty() { relative.to_owned() } else { format!("{prefix}/{relative}") }
    }

    /// The last part of the key: the local file name of a store kept here.
    pub fn file_name(&self) -> &str {
        self.key.rsplit('/').next().unwrap_or(&self.key)
    }
}

impl FromStr for S3Url {
    type Err = String;

    fn from_str(text: &str) -> Result<S3Url, String> {
        let rest = text.strip_prefix("s3://").ok_or_else(|| format!("{text:?} is not an s3:// URL"))?;
        let (bucket, key) = rest.split_once('/').unwrap_or((rest, ""));
        // S3's bucket naming rules: 3 to 63 of a-z, 0-9, '.', '-', starting
        // and ending with a letter or digit.
        let valid = (3..=63).contains(&bucket.len())
            && bucket.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'.' || b == b'-')
            && bucket.starts_with(|c: char| c.is_ascii_alphanumeric())
            && bucket.ends_with(|c: char| c.is_ascii_alphanumeric());
        if !valid {
            return Err(format!("{text:?}: {bucket:?} is not an S3 bucket name (3 to 63 of a-z, 0-9, '.' and '-')"));
        }
        if key.split('/').any(|part| part == ".." || part == ".") || key.starts_with('/') || key.contains("//") {
            return Err(format!("{text:?}: the key may not hold '.', '..' or empty parts"));
        }
        if key.len() > 900 || key.chars().any(char::is_control) {
            return Err(format!("{text:?}: the key is too long or holds control characters"));
        }
        Ok(S3Url { bucket: bucket.to_owned(), key: key.to_owned() })
    }
}

impl fmt::Display for S3Url {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "s3://{}/{}", self.bucket, self.key)
    }
}

/// `--store`: a store is one object, so its key names a file.
pub fn parse_store(text: &str) -> Result<Place, String> {
    let place: Place = text.parse()?;
    if let Place::S3(url) = &place
        && (url.key.is_empty() || url.key.ends_with('/'))
    {
        return Err(format!("{text:?}: a store on S3 is one object: give its key, s3://BUCKET/PATH/bulkhead.db"));
    }
    Ok(place)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn s3_urls_and_local_paths() {
        let url: S3Url = "s3://reports-1/nightly/org".parse().unwrap();
        assert_eq!((url.bucket.as_str(), url.key.as_str()), ("reports-1", "nightly/org"));
        assert_eq!(url.join("bulkhead.json"), "nightly/org/bulkhead.json");
        assert_eq!("s3://b.example/".parse::<S3Url>().unwrap().join("x.json"), "x.json");
        assert_eq!("s3://bkt".parse::<S3Url>().unwrap().to_string(), "s3://bkt/");
        assert_eq!("out/dir".parse::<Place>().unwrap(), Place::Local("out/dir".into()));
        for wrong in ["s3://", "s3://UPPER/x", "s3://ab/x", "s3://bucket/../x", "s3://bucket//x", "s3://-bad/x"] {
            assert!(wrong.parse::<Place>().is_err(), "{wrong}");
        }
        let store = parse_store("s3://bucket/stores/bulkhead.db").unwrap();
        assert_eq!(store.s3().unwrap().file_name(), "bulkhead.db");
        assert!(parse_store("s3://bucket/stores/").is_err() && parse_store("s3://bucket").is_err());
        assert!(parse_store("local.db").unwrap().local().is_some());
    }
}
