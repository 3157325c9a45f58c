//! Prowler's patterns: a regex searched anywhere in the text, where a
//! leading `*` means `.*` (so `*` alone matches everything).
//!
//! Most patterns in a mutelist are plain ids and names (`sg-0abc`,
//! `eu-west-1`, an ARN, a check id): a text with no regex syntax is
//! searched for as a substring, which is what its regex would do, and no
//! regex is compiled for it. The regexes of a file are compiled once per
//! distinct source while it is read.

use regex::Regex;

use super::reading::compile;

/// What makes a text more than a literal in a regex, outside a character
/// class (only a class gives `-`, `&` and `~` a meaning; `#` and spaces
/// need the `x` flag, which takes `(`).
const REGEX_SYNTAX: &[char] = &['\\', '.', '+', '*', '?', '(', ')', '|', '[', ']', '{', '}', '^', '$'];

#[derive(Debug, Clone)]
pub struct Pattern {
    text: String,
    matcher: Matcher,
}

#[derive(Debug, Clone)]
enum Matcher {
    /// `.*`, which matches anything.
    Everything,
    /// No regex syntax: the text from this byte on is searched for.
    Contains(usize),
    Regex(Regex),
}

impl Pattern {
    pub fn new(text: &str) -> Result<Pattern, regex::Error> {
        let (start, rest) = match text.strip_prefix('*') {
            Some(rest) => (1, rest),
            None => (0, text),
        };
        let matcher = if text == ".*" {
            Matcher::Everything
        } else if !rest.contains(REGEX_SYNTAX) {
            // `.*` before a literal adds nothing to an unanchored search.
            Matcher::Contains(start)
        } else if start == 1 {
            Matcher::Regex(compile(format!(".*{rest}"))?)
        } else {
            Matcher::Regex(compile(text.to_owned())?)
        };
        Ok(Pattern { text: text.to_owned(), matcher })
    }

    pub fn text(&self) -> &str {
        &self.text
    }

    pub fn is_match(&self, text: &str) -> bool {
        match &self.matcher {
            Matcher::Everything => true,
            Matcher::Contains(start) => text.contains(&self.text[*start..]),
            Matcher::Regex(regex) => regex.is_match(text),
        }
    }

    /// Whether matching takes a compiled regex.
    #[cfg(test)]
    pub(super) fn is_regex(&self) -> bool {
        matches!(self.matcher, Matcher::Regex(_))
    }
}
