//! `bulkhead completions SHELL`: a shell's completion script, generated
//! from the command line's own definition (`crate::manual`).

use std::process::ExitCode;

use super::print_bytes;
use crate::cli::CompletionsArgs;
use crate::manual;

pub fn run(args: &CompletionsArgs) -> ExitCode {
    print_bytes(&manual::completions(args.shell))
}
