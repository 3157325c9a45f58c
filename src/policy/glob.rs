//! IAM wildcard patterns (`*` any run, `?` one character) as values we can
//! reason about as sets: does one pattern meet another, is one inside
//! another. A literal is a pattern without wildcards. The inclusion test is
//! sound but not complete: when it says yes, every string of the first is in
//! the second; when unsure it says no, and the caller treats the answer as
//! "maybe".

use std::fmt;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) enum Tok {
    Lit(char),
    One,
    Any,
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub(crate) struct Glob(Vec<Tok>);

impl Glob {
    /// `*` and `?` are wildcards (as in `StringLike` and `ArnLike`).
    pub(crate) fn pattern(text: &str) -> Glob {
        let mut tokens = Vec::with_capacity(text.len());
        for ch in text.chars() {
            let token = match ch {
                '*' => Tok::Any,
                '?' => Tok::One,
                other => Tok::Lit(other),
            };
            // `**` is `*`.
            if token == Tok::Any && tokens.last() == Some(&Tok::Any) {
                continue;
            }
            tokens.push(token);
        }
        Glob(tokens)
    }

    /// Every character stands for itself (as in `StringEquals`).
    pub(crate) fn literal(text: &str) -> Glob {
        Glob(text.chars().map(Tok::Lit).collect())
    }

    pub(crate) fn concat(&self, other: &Glob) -> Glob {
        let mut tokens = self.0.clone();
        for &token in &other.0 {
            if token == Tok::Any && tokens.last() == Some(&Tok::Any) {
                continue;
            }
            tokens.push(token);
        }
        Glob(tokens)
    }

    /// A literal equal to `text`.
    pub(crate) fn is_text(&self, text: &str) -> bool {
        let mut chars = text.chars();
        self.0.iter().all(|token| matches!(token, Tok::Lit(ch) if chars.next() == Some(*ch))) && chars.next().is_none()
    }

    pub(crate) fn is_literal(&self) -> bool {
        self.0.iter().all(|token| matches!(token, Tok::Lit(_)))
    }

    /// Only `*` (matches every string).
    pub(crate) fn is_universal(&self) -> bool {
        self.0.contains(&Tok::Any) && self.0.iter().all(|token| *token == Tok::Any)
    }

    pub(crate) fn lowercase(&self) -> Glob {
        Glob(
            self.0
                .iter()
                .map(|token| match token {
                    Tok::Lit(ch) => Tok::Lit(ch.to_lowercase().next().unwrap_or(*ch)),
                    other => *other,
                })
                .collect(),
        )
    }

    pub(crate) fn matches(&self, text: &str) -> bool {
        self.meets(&Glob::literal(text))
    }

    /// Some string matches both.
    pub(crate) fn meets(&self, other: &Glob) -> bool {
        match (self.is_literal(), other.is_literal()) {
            (true, true) => return self.0 == other.0,
            (false, true) => return wild_match(&self.0, &other.0),
            (true, false) => return wild_match(&other.0, &self.0),
            (false, false) => {}
        }
        let (a, b) = (&self.0, &other.0);
        let width = b.len() + 1;
        let mut seen = vec![false; (a.len() + 1) * width];
        let mut stack = vec![(0usize, 0usize)];
        while let Some((i, j)) = stack.pop() {
            if seen[i * width + j] {
                continue;
            }
            seen[i * width + j] = true;
            if i == a.len() && j == b.len() {
                return true;
            }
            // A `*` may match nothing.
            if a.get(i) == Some(&Tok::Any) {
                stack.push((i + 1, j));
            }
            if b.get(j) == Some(&Tok::Any) {
                stack.push((i, j + 1));
            }
            // Both consume one common character.
            if let (Some(&x), Some(&y)) = (a.get(i), b.get(j)) {
                if x == Tok::Any && y == Tok::Any {
                    continue;
                }
                if let (Tok::Lit(p), Tok::Lit(q)) = (x, y)
                    && p != q
                {
                    continue;
                }
                let next_i = if x == Tok::Any { i } else { i + 1 };
                let next_j = if y == Tok::Any { j } else { j + 1 };
                stack.push((next_i, next_j));
            }
        }
        false
    }

    /// Every string of `self` matches `other` (sound, not complete).
    pub(crate) fn within(&self, other: &Glob) -> bool {
        if other.is_universal() {
            return true;
        }
        if self.is_literal() {
            return wild_match(&other.0, &self.0);
        }
        if other.is_literal() {
            return false; // a pattern with a wildcard matches more than one string
        }
        let (a, b) = (&self.0, &other.0);
        let width = b.len() + 1;
        // memo: 0 unknown, 1 false, 2 true
        let mut memo = vec![0u8; (a.len() + 1) * width];
        fn cover(a: &[Tok], b: &[Tok], i: usize, j: usize, width: usize, memo: &mut [u8]) -> bool {
            let slot = i * width + j;
            if memo[slot] != 0 {
                return memo[slot] == 2;
            }
            let result = match b.get(j) {
                None => i == a.len(),
                Some(Tok::Any) => {
                    cover(a, b, i, j + 1, width, memo) || (i < a.len() && cover(a, b, i + 1, j, width, memo))
                }
                Some(Tok::One) => {
                    matches!(a.get(i), Some(Tok::Lit(_)) | Some(Tok::One)) && cover(a, b, i + 1, j + 1, width, memo)
                }
                Some(Tok::Lit(ch)) => a.get(i) == Some(&Tok::Lit(*ch)) && cover(a, b, i + 1, j + 1, width, memo),
            };
            memo[slot] = if result { 2 } else { 1 };
            result
        }
        cover(a, b, 0, 0, width, &mut memo)
    }

    /// Split at `sep` into at most `parts` globs (the last keeps the rest).
    pub(crate) fn splitn(&self, parts: usize, sep: char) -> Vec<Glob> {
        let mut out = vec![Vec::new()];
        for &token in &self.0 {
            if token == Tok::Lit(sep) && out.len() < parts {
                out.push(Vec::new());
            } else if let Some(last) = out.last_mut() {
                last.push(token);
            }
        }
        out.into_iter().map(Glob).collect()
    }

    pub(crate) fn join(parts: &[Glob], sep: char) -> Glob {
        let mut tokens = Vec::new();
        for (index, part) in parts.iter().enumerate() {
            if index > 0 {
                tokens.push(Tok::Lit(sep));
            }
            tokens.extend_from_slice(&part.0);
        }
        Glob(tokens)
    }
}

/// A pattern against a literal (all `Lit`), by the usual backtracking over
/// the last `*`: linear space, no allocation.
fn wild_match(pattern: &[Tok], text: &[Tok]) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(Tok::Any) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Tok::One) => {
                p += 1;
                t += 1;
            }
            Some(token) if *token == text[t] => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((star_p, star_t)) => {
                    p = star_p + 1;
                    t = star_t + 1;
                    star = Some((star_p, star_t + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p..].iter().all(|token| *token == Tok::Any)
}

impl fmt::Display for Glob {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for token in &self.0 {
            match token {
                Tok::Lit(ch) => write!(f, "{ch}")?,
                Tok::One => f.write_str("?")?,
                Tok::Any => f.write_str("*")?,
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn meeting_and_inclusion() {
        let p = Glob::pattern;
        assert!(p("a*").meets(&p("*b")));
        assert!(!p("a*").meets(&p("b*")));
        assert!(p("a?c").meets(&p("*c")));
        assert!(!p("a?").meets(&p("a")));
        assert!(p("o-a/r-*/").within(&p("o-a/*")));
        assert!(!p("o-a/*").within(&p("o-a/r-*/")));
        assert!(p("abc").within(&p("a?c")));
        assert!(!p("a*c").within(&p("a?c")));
        assert!(p("anything").within(&p("*")));
        assert!(p("arn:aws:iam::1:role/x").within(&p("arn:aws:iam::1:*")));
        assert!(Glob::literal("a*").matches("a*"));
        assert!(!Glob::literal("a*").matches("ab"));
        assert_eq!(p("a:b:c").splitn(2, ':'), vec![p("a"), p("b:c")]);
        assert!(p("**").is_universal() && !p("?").is_universal() && !p("").is_universal());
    }
}
