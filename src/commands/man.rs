//! `bulkhead man`: the manual pages, generated from the command line's own
//! definition (`crate::manual`).

use std::process::ExitCode;

use super::{fatal, print_bytes};
use crate::cli::ManArgs;
use crate::manual;

pub fn run(args: &ManArgs) -> ExitCode {
    if let Some(dir) = &args.output_dir {
        return match manual::write_man_pages(dir) {
            Ok(written) => {
                let listed: String = written.iter().map(|path| format!("{}\n", path.display())).collect();
                print_bytes(listed.as_bytes())
            }
            Err(err) => {
                fatal(&anyhow::Error::new(err).context(format!("writing the man pages into {}", dir.display())))
            }
        };
    }
    let mut page = Vec::new();
    if let Err(err) = manual::man_page(args.subcommand.as_deref(), &mut page) {
        eprintln!("bulkhead: error: {err}");
        return ExitCode::from(2);
    }
    print_bytes(&page)
}
