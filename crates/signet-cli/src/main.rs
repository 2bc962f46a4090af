//! `signet`: the command-line face of signet-core. Parses arguments, calls
//! core, prints. No business rules live here.
//!
//! Exit codes: 0 ok; 1 a check failed (`gate`, `audit verify`); 2 usage or
//! input error. A closed stdout (`signet show | head`) is a normal exit.

mod cli;
mod cmd;
mod error;
mod out;
mod password;

use std::process::ExitCode;

use clap::{CommandFactory, FromArgMatches};

use crate::error::CliError;

fn main() -> ExitCode {
    let matches = cli::Cli::command().get_matches();
    let mut args = match cli::Cli::from_arg_matches(&matches) {
        Ok(args) => args,
        Err(e) => e.exit(),
    };
    args.global.db_on_command_line =
        matches.value_source("db") == Some(clap::parser::ValueSource::CommandLine);
    // What the command printed is sent before its exit: a write that fails
    // there (a full disk) is an error of the command.
    match cmd::run(args).and_then(|code| out::flush().map(|()| code)) {
        Ok(code) => code,
        Err(CliError::Io(e)) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::SUCCESS,
        // A single bad file: its own error line already said it all.
        Err(e @ CliError::Reported { of: 1, .. }) => ExitCode::from(e.exit_code()),
        Err(e) => {
            // The lines printed before the error first; if they cannot be
            // written either, the error below is the one to report.
            let _ = out::flush();
            eprintln!("signet: {e}");
            ExitCode::from(e.exit_code())
        }
    }
}
