//! Shell completions and man pages, generated from the command line's own
//! definition ([`crate::cli::Cli`]) when asked for, so they always match the
//! binary that prints them. At run time rather than in a build script: a
//! build script would have to compile `cli.rs` a second time and write files
//! nobody installs from `cargo install`; `bulkhead man` works from any copy
//! of the binary, and packagers can still run it once at packaging time.

use std::io::{self, Write};
use std::path::{Path, PathBuf};

use clap::CommandFactory;
use clap_complete::Shell;

use crate::cli::{Cli, EXIT_CODES, MERGE_EXIT_CODES};

/// The command as the user sees it, with every subcommand's name and
/// display name (`bulkhead-scan`) filled in.
fn command() -> clap::Command {
    let mut command = Cli::command().disable_help_subcommand(true);
    command.build();
    command
}

/// The completion script for `shell`. Into memory first: clap_complete
/// panics on a write error, and `bulkhead completions bash | head` closes
/// the pipe early.
pub fn completions(shell: Shell) -> Vec<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "bulkhead", &mut script);
    script
}

/// The names of the subcommands that have a page of their own, nested ones
/// joined by `-` as their pages are named (`history-list`).
pub fn subcommands() -> Vec<String> {
    pages(&command(), "").into_iter().map(|(name, _)| name).collect()
}

/// Every subcommand below `parent`, depth first, with its page name.
fn pages(parent: &clap::Command, prefix: &str) -> Vec<(String, clap::Command)> {
    let mut found = Vec::new();
    for sub in parent.get_subcommands() {
        let name = format!("{prefix}{}", sub.get_name());
        found.push((name.clone(), sub.clone()));
        found.extend(pages(sub, &format!("{name}-")));
    }
    found
}

/// Renders `bulkhead(1)`, or `bulkhead-SUBCOMMAND(1)` when one is named.
pub fn man_page(subcommand: Option<&str>, out: &mut dyn Write) -> io::Result<()> {
    let command = command();
    let page = match subcommand {
        None => command,
        Some(name) => {
            pages(&command, "").into_iter().find(|(page, _)| page == name).map(|(_, sub)| sub).ok_or_else(|| {
                io::Error::new(
                    io::ErrorKind::InvalidInput,
                    format!("no subcommand {name:?} (valid: {})", subcommands().join(", ")),
                )
            })?
        }
    };
    // The commands that judge findings; the others exit 0 or 1 (2 for usage).
    let exit_status = match page.get_name() {
        "bulkhead" | "scan" | "evaluate" | "image" => Some(EXIT_CODES),
        "merge" => Some(MERGE_EXIT_CODES),
        _ => None,
    };
    let has_options = page.get_arguments().any(|arg| !arg.is_hide_set());
    let has_subcommands = page.has_subcommands();
    let has_version = page.get_version().is_some();
    let man =
        clap_mangen::Man::new(page).manual("bulkhead manual").source(concat!("bulkhead ", env!("CARGO_PKG_VERSION")));
    man.render_title(out)?;
    man.render_name_section(out)?;
    man.render_synopsis_section(out)?;
    man.render_description_section(out)?;
    if has_options {
        man.render_options_section(out)?;
    }
    if has_subcommands {
        man.render_subcommands_section(out)?;
    }
    // In place of clap_mangen's "EXTRA" section, which would hold the same
    // table as the --help text: a section of the name man pages use.
    if let Some(exit_codes) = exit_status {
        out.write_all(b".SH \"EXIT STATUS\"\n")?;
        for (code, meaning) in exit_codes {
            writeln!(out, ".TP\n{code}\n{}", roff_text(meaning))?;
        }
    }
    if has_version {
        man.render_version_section(out)?;
    }
    Ok(())
}

/// Plain text as a roff text line: hyphens as `\-` (so they stay ASCII in
/// what man prints), backslashes escaped, no request at the line's start.
fn roff_text(text: &str) -> String {
    let escaped = text.replace('\\', "\\e").replace('-', "\\-");
    if escaped.starts_with(['.', '\'']) { format!("\\&{escaped}") } else { escaped }
}

/// Writes `bulkhead.1` and one `bulkhead-SUBCOMMAND.1` per subcommand into
/// `dir`; returns the paths written.
pub fn write_man_pages(dir: &Path) -> io::Result<Vec<PathBuf>> {
    std::fs::create_dir_all(dir)?;
    let mut written = Vec::new();
    for subcommand in std::iter::once(None).chain(subcommands().into_iter().map(Some)) {
        let name = match &subcommand {
            None => "bulkhead.1".to_owned(),
            Some(sub) => format!("bulkhead-{sub}.1"),
        };
        let mut page = Vec::new();
        man_page(subcommand.as_deref(), &mut page)?;
        let path = dir.join(name);
        std::fs::write(&path, page)?;
        written.push(path);
    }
    Ok(written)
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::process::{Command, Stdio};

    fn script(shell: Shell) -> String {
        String::from_utf8(completions(shell)).expect("completion scripts are UTF-8")
    }

    /// Runs `program args... FILE` on `text` when the program is installed;
    /// `None` when it is not (the test then checks the text only).
    fn syntax_check(program: &str, args: &[&str], text: &str, extension: &str) -> Option<(bool, String)> {
        let found = Command::new(program).arg("--version").stdout(Stdio::null()).stderr(Stdio::null()).status();
        if found.is_err() {
            eprintln!("{program} is not installed: its completion script is checked as text only");
            return None;
        }
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join(format!("bulkhead.{extension}"));
        std::fs::write(&file, text).unwrap();
        let output = Command::new(program).args(args).arg(&file).output().unwrap();
        Some((output.status.success(), String::from_utf8_lossy(&output.stderr).into_owned()))
    }

    #[test]
    fn every_shell_gets_a_script_naming_every_subcommand_and_scan_option() {
        for shell in [Shell::Bash, Shell::Zsh, Shell::Fish, Shell::PowerShell, Shell::Elvish] {
            let text = script(shell);
            assert!(text.len() > 1000, "{shell}: {} bytes", text.len());
            for word in ["bulkhead", "scan", "checks", "frameworks", "completions", "man", "endpoint-url", "fail-on"] {
                assert!(text.contains(word), "{shell} script lacks {word:?}");
            }
        }
        // The values of enumerated options are completed too.
        assert!(script(Shell::Fish).contains("sarif"));
        assert!(script(Shell::Bash).contains("powershell"));
    }

    #[test]
    fn the_scripts_parse_in_their_shells() {
        let checks = [
            (Shell::Bash, "bash", &["-n"][..], "bash"),
            (Shell::Zsh, "zsh", &["-n"][..], "zsh"),
            (Shell::Fish, "fish", &["--no-execute"][..], "fish"),
            (
                Shell::PowerShell,
                "pwsh",
                &["-NoProfile", "-Command", "$null = [ScriptBlock]::Create((Get-Content -Raw $args[0]))"][..],
                "ps1",
            ),
        ];
        for (shell, program, args, extension) in checks {
            if let Some((ok, stderr)) = syntax_check(program, args, &script(shell), extension) {
                assert!(ok, "{program} rejects the {shell} completion script:\n{stderr}");
            }
        }
        // Bash and the PowerShell text need no shell to be plausible.
        assert!(script(Shell::Bash).contains("complete -F _bulkhead"));
        assert!(script(Shell::PowerShell).contains("Register-ArgumentCompleter"));
    }

    #[test]
    fn the_man_page_lists_the_subcommands_and_each_has_a_page() {
        let mut page = Vec::new();
        man_page(None, &mut page).unwrap();
        let page = String::from_utf8(page).unwrap();
        assert!(page.starts_with(".ie \\n(.g .ds Aq") || page.contains(".TH bulkhead 1"), "{page}");
        assert!(page.contains(".SH SUBCOMMANDS"), "{page}");
        for sub in ["scan", "evaluate", "diff", "report", "history", "checks", "frameworks", "completions", "man"] {
            assert!(page.contains(&format!("bulkhead\\-{sub}(1)")), "the page lacks {sub}:\n{page}");
        }

        let mut scan = Vec::new();
        man_page(Some("scan"), &mut scan).unwrap();
        let scan = String::from_utf8(scan).unwrap();
        assert!(scan.contains(".TH bulkhead-scan 1"), "{scan}");
        assert!(scan.contains("\\-\\-endpoint\\-url"), "{scan}");
        assert!(scan.contains("EXIT STATUS"), "the exit codes are on the scan page:\n{scan}");
        assert!(man_page(Some("nope"), &mut Vec::new()).is_err());

        let mut prune = Vec::new();
        man_page(Some("history-prune"), &mut prune).unwrap();
        let prune = String::from_utf8(prune).unwrap();
        assert!(prune.contains(".TH bulkhead-history-prune 1"), "{prune}");
        assert!(prune.contains("\\-\\-older\\-than"), "a nested subcommand's page has its options:\n{prune}");

        let dir = tempfile::tempdir().unwrap();
        let written = write_man_pages(dir.path()).unwrap();
        let names: Vec<String> =
            written.iter().map(|path| path.file_name().unwrap().to_string_lossy().into_owned()).collect();
        assert_eq!(
            names,
            [
                "bulkhead.1",
                "bulkhead-scan.1",
                "bulkhead-merge.1",
                "bulkhead-evaluate.1",
                "bulkhead-image.1",
                "bulkhead-diff.1",
                "bulkhead-report.1",
                "bulkhead-history.1",
                "bulkhead-history-list.1",
                "bulkhead-history-prune.1",
                "bulkhead-accounts.1",
                "bulkhead-checks.1",
                "bulkhead-frameworks.1",
                "bulkhead-completions.1",
                "bulkhead-man.1"
            ]
        );
    }

    #[test]
    fn groff_renders_the_pages_without_warnings() {
        let dir = tempfile::tempdir().unwrap();
        for path in write_man_pages(dir.path()).unwrap() {
            let Ok(output) = Command::new("groff").args(["-man", "-Tutf8", "-ww", "-z"]).arg(&path).output() else {
                eprintln!("groff is not installed: the man pages are checked as text only");
                return;
            };
            assert!(output.status.success(), "{}: {}", path.display(), String::from_utf8_lossy(&output.stderr));
            assert_eq!(String::from_utf8_lossy(&output.stderr), "", "{}", path.display());
        }
    }
}
