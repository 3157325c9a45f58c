//! Snapshot files: outputs the tests pin (verdict counts, the check
//! reference, the SARIF rule ids, the test module lists) kept in files of
//! the repository rather than as numbers in test code. A test compares what
//! it computes with the file and fails with a line diff; with
//! `UPDATE_SNAPSHOTS=1` (what `tests/update-snapshots` sets) it rewrites the
//! file instead, and the change is reviewed in `git diff`.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

/// Whether snapshot tests rewrite their files (`UPDATE_SNAPSHOTS=1`).
pub fn updating() -> bool {
    std::env::var_os("UPDATE_SNAPSHOTS").is_some_and(|value| value == "1")
}

/// The repository's root.
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `actual` is what the file at `path` (from the repository's root) holds.
pub fn assert_snapshot(path: &str, actual: &str) {
    let file: PathBuf = root().join(path);
    let expected = std::fs::read_to_string(&file).unwrap_or_default();
    if expected == actual {
        return;
    }
    if updating() {
        std::fs::write(&file, actual).unwrap_or_else(|err| panic!("writing {}: {err}", file.display()));
        eprintln!("updated {path}");
        return;
    }
    panic!(
        "{path} differs from what the code gives (- the file, + now). If the change is intended, \
         run tests/update-snapshots and commit the file.\n{}",
        diff(&expected, actual)
    );
}

/// The lines that differ, with two lines of context, as `-` (old) and `+` (new).
pub fn diff(old: &str, new: &str) -> String {
    const CONTEXT: usize = 2;
    const MOST: usize = 400;
    if old == new {
        return String::new();
    }
    let old: Vec<&str> = old.lines().collect();
    let new: Vec<&str> = new.lines().collect();
    let edits = edit_script(&old, &new);
    let mut out = String::new();
    let mut shown = 0;
    let mut last_printed: Option<usize> = None;
    for (index, (tag, line)) in edits.iter().enumerate() {
        let near_change = edits[index.saturating_sub(CONTEXT)..(index + CONTEXT + 1).min(edits.len())]
            .iter()
            .any(|(tag, _)| *tag != ' ');
        if !near_change {
            continue;
        }
        if last_printed.is_some_and(|last| last + 1 != index) || (last_printed.is_none() && index > 0) {
            out.push_str("...\n");
        }
        let _ = writeln!(out, "{tag} {line}");
        last_printed = Some(index);
        shown += 1;
        if shown == MOST {
            out.push_str("... (diff cut short)\n");
            break;
        }
    }
    if out.is_empty() {
        out.push_str("(only line endings or the last newline differ)\n");
    }
    out
}

/// A shortest edit script from `old` to `new` by longest common
/// subsequence, after taking off the common head and tail: the files are
/// at most a few thousand lines and a change touches a few of them.
fn edit_script<'a>(old: &[&'a str], new: &[&'a str]) -> Vec<(char, &'a str)> {
    let head = old.iter().zip(new).take_while(|(a, b)| a == b).count();
    let tail = old[head..].iter().rev().zip(new[head..].iter().rev()).take_while(|(a, b)| a == b).count();
    let (a, b) = (&old[head..old.len() - tail], &new[head..new.len() - tail]);
    // lcs[i][j]: the longest common subsequence of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] { lcs[i + 1][j + 1] + 1 } else { lcs[i + 1][j].max(lcs[i][j + 1]) };
        }
    }
    let mut edits: Vec<(char, &str)> = old[..head].iter().map(|line| (' ', *line)).collect();
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        if i < a.len() && j < b.len() && a[i] == b[j] {
            edits.push((' ', a[i]));
            (i, j) = (i + 1, j + 1);
        } else if i < a.len() && (j == b.len() || lcs[i + 1][j] >= lcs[i][j + 1]) {
            edits.push(('-', a[i]));
            i += 1;
        } else {
            edits.push(('+', b[j]));
            j += 1;
        }
    }
    edits.extend(old[old.len() - tail..].iter().map(|line| (' ', *line)));
    edits
}

#[test]
fn a_diff_shows_the_changed_lines_with_context() {
    let old = "a\nb\nc\nd\ne\nf\ng\n";
    let new = "a\nb\nc\nD\ne\nf\ng\nh\n";
    assert_eq!(diff(old, new), "...\n  b\n  c\n- d\n+ D\n  e\n  f\n  g\n+ h\n");
    assert_eq!(diff("x\n", "x\n"), "");
}
