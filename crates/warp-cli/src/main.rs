//! The `warp` binary: parses the command line, runs the command, and maps the
//! outcome to the exit code (0 success, 1 a "no", 2 bad input) with a one-line
//! reason on stderr. The commands live in the `warp_cli` library.

use std::io::{self, Write};
use std::process::ExitCode;

use clap::Parser;
use warp_cli::args::{clap_error_line, Cli};
use warp_cli::{run, CliError, Context, ErrorClass};

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        // `--help` and `--version` are not errors: clap prints them to stdout.
        Err(e) if !e.use_stderr() => {
            return match e.print() {
                Ok(()) => ExitCode::SUCCESS,
                Err(_) => ExitCode::from(ErrorClass::BadInput.exit_code()),
            };
        }
        Err(e) => return fail(&clap_error_line(&e), ErrorClass::BadInput),
    };

    let (stdin, stdout, stderr) = (io::stdin(), io::stdout(), io::stderr());
    let (mut stdin, mut out, mut err) = (stdin.lock(), stdout.lock(), stderr.lock());
    let result = {
        let mut ctx = Context::new(cli.json, &mut stdin, &mut out, &mut err);
        run(cli.command, &mut ctx)
    };
    let result = result.and_then(|()| out.flush().map_err(CliError::Write));
    drop(err);
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            // Whatever the command printed comes before the reason.
            let _ = out.flush();
            fail(&e.one_line(), e.class())
        }
    }
}

/// Prints `error: <reason>` on stderr and returns the class's exit code.
fn fail(reason: &str, class: ErrorClass) -> ExitCode {
    let _ = writeln!(io::stderr(), "error: {reason}");
    ExitCode::from(class.exit_code())
}
