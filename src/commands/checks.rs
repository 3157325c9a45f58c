//! `bulkhead checks`: the checks, or one framework's controls with the
//! checks that assess them.

use std::fmt::Write as _;
use std::process::ExitCode;

use super::{fatal, print_bytes};
use crate::checks::docs;
use crate::checks::metadata::{catalog, frameworks};
use crate::checks::registry::CHECKS;
use crate::cli::{ChecksArgs, ListFormat};

pub fn run(args: &ChecksArgs) -> ExitCode {
    let text = match &args.compliance {
        Some(id) => match controls(id, args.format) {
            Ok(Some(text)) => text,
            Ok(None) => return ExitCode::from(2),
            Err(err) => return fatal(&err),
        },
        None => match checks(args.format) {
            Ok(text) => text,
            Err(err) => return fatal(&err),
        },
    };
    print_bytes(text.as_bytes())
}

fn checks(format: ListFormat) -> anyhow::Result<String> {
    let catalog = catalog()?;
    let entries: Vec<_> = CHECKS.iter().map(|check| &catalog[check.id]).collect();
    Ok(match format {
        ListFormat::Markdown => docs::markdown()?,
        ListFormat::Json => {
            let rows: Vec<serde_json::Value> = entries
                .iter()
                .map(|entry| {
                    serde_json::json!({
                        "id": entry.id,
                        "severity": entry.metadata.severity,
                        "service": entry.service,
                        "title": entry.metadata.title,
                    })
                })
                .collect();
            serde_json::to_string_pretty(&rows).expect("plain JSON values serialise") + "\n"
        }
        ListFormat::Text => {
            let width = entries.iter().map(|entry| entry.id.len()).max().unwrap_or(0);
            let mut text = String::new();
            for entry in entries {
                writeln!(
                    text,
                    "{:width$}  {:13}  {:10}  {}",
                    entry.id,
                    entry.metadata.severity.as_str(),
                    entry.service,
                    entry.metadata.title
                )
                .expect("writing to a String");
            }
            text
        }
    })
}

/// `bulkhead checks --compliance ID`: control -> checks; `None` (after
/// saying why) for a framework that does not exist.
fn controls(id: &str, format: ListFormat) -> anyhow::Result<Option<String>> {
    let frameworks = frameworks()?;
    let Some((framework, _)) = frameworks.iter().find(|(framework, _)| framework.id == id) else {
        let valid: Vec<&str> = frameworks.iter().map(|(framework, _)| framework.id.as_str()).collect();
        eprintln!("bulkhead: error: unknown compliance framework {id:?} (valid: {})", valid.join(", "));
        return Ok(None);
    };
    Ok(Some(match format {
        ListFormat::Json => {
            let controls: Vec<serde_json::Value> = framework
                .controls
                .iter()
                .map(|control| serde_json::json!({"id": control.id, "title": control.title, "checks": control.checks}))
                .collect();
            let value = serde_json::json!({
                "id": framework.id, "name": framework.name, "version": framework.version, "controls": controls,
            });
            serde_json::to_string_pretty(&value).expect("plain JSON values serialise") + "\n"
        }
        ListFormat::Text | ListFormat::Markdown => {
            let mut text = format!("{} {} ({})\n", framework.name, framework.version, framework.id);
            let mut controls: Vec<_> = framework.controls.iter().collect();
            controls.sort_by_key(|control| control_order(&control.id));
            for control in controls {
                write!(text, "\n{}  {}\n", control.id, control.title).expect("writing to a String");
                for check in &control.checks {
                    writeln!(text, "    {check}").expect("writing to a String");
                }
            }
            text
        }
    }))
}

/// `5.10` after `5.9`, `EC2.19` after `EC2.2`: numeric parts compare as numbers.
fn control_order(id: &str) -> Vec<(u32, String)> {
    id.split('.').map(|part| (part.parse().unwrap_or(u32::MAX), part.to_owned())).collect()
}
