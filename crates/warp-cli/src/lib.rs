//! # warp-cli
//!
//! The `warp` command-line tool: a debugger for Avalanche Warp messages built on
//! `awm-core` and `warp-predicate`. The binary (`src/main.rs`) only parses the
//! command line and maps the outcome to an exit code; everything else is here.
//!
//! | module | what it holds |
//! |---|---|
//! | [`args`] | the clap types: [`args::Cli`], [`args::Command`] and each command's arguments |
//! | [`error`] | [`CliError`] and its exit-code class (1 for a "no", 2 for bad input) |
//! | [`input`] | hex (with or without `0x`), `-` for stdin, IDs, node IDs, quorums, keys, validator files |
//! | [`output`] | human-readable text or JSON ([`output::Render`]) |
//! | [`message`] | `warp message decode` and `warp message verify` |
//! | [`validators`] | `warp validators canonical` |
//! | [`keys`] | `warp keys new` and `warp keys pop` |
//! | [`sign`] | `warp sign` |
//! | [`aggregate`] | `warp aggregate` |
//! | [`predicate`] | `warp predicate pack`, `unpack` and `gas` |
//! | [`results`] | `warp results decode` and `encode` |
//! | [`demo`] | `warp demo`: two chains, their validators, the example apps and two relayers, then a replay |
//!
//! Every command writes its report to [`Context::out`] and returns `Ok(())`, or
//! returns a [`CliError`] whose one-line reason `main` prints on stderr. A command
//! whose answer is "no" (verification) may write its report first and then return
//! the error, so `--json` callers get both the JSON on stdout and the exit code.

pub mod aggregate;
pub mod args;
pub mod demo;
pub mod devnet;
pub mod error;
pub mod eth_client;
pub mod input;
pub mod keys;
pub mod message;
pub mod output;
pub mod pchain;
pub mod predicate;
pub mod relayer;
pub mod results;
pub mod sign;
pub mod validators;

use std::io::{Read, Write};

pub use error::{CliError, ErrorClass};

use crate::args::Command;
use crate::input::Stdin;
use crate::output::{to_json, Render};

/// What a command reads from and writes to, and how it renders.
pub struct Context<'a> {
    /// Render JSON instead of human-readable text (`--json`).
    pub json: bool,
    /// Standard input, which one `-` argument may claim.
    pub stdin: Stdin<'a>,
    /// Standard output: the report.
    pub out: &'a mut dyn Write,
    /// Standard error: warnings only (the final reason is printed by `main`).
    pub err: &'a mut dyn Write,
}

impl<'a> Context<'a> {
    /// A context over the given streams.
    pub fn new(json: bool, stdin: &'a mut dyn Read, out: &'a mut dyn Write, err: &'a mut dyn Write) -> Self {
        Self { json, stdin: Stdin::new(stdin), out, err }
    }

    /// Writes a report to stdout: its JSON with `--json`, else its human-readable form.
    pub fn emit<T: Render>(&mut self, report: &T) -> Result<(), CliError> {
        let text = if self.json { to_json(report)? } else { report.human() };
        writeln!(self.out, "{text}").map_err(CliError::Write)
    }

    /// Writes a one-line warning to stderr (for example a dropped signature).
    pub fn warn(&mut self, line: &str) -> Result<(), CliError> {
        writeln!(self.err, "warning: {}", error::one_line(line)).map_err(CliError::Write)
    }
}

/// Runs one command.
pub fn run(command: Command, ctx: &mut Context<'_>) -> Result<(), CliError> {
    match command {
        Command::Message(cmd) => message::run(cmd, ctx),
        Command::Validators(cmd) => validators::run(cmd, ctx),
        Command::Keys(cmd) => keys::run(cmd, ctx),
        Command::Sign(args) => sign::run(args, ctx),
        Command::Aggregate(args) => aggregate::run(args, ctx),
        Command::Predicate(cmd) => predicate::run(cmd, ctx),
        Command::Results(cmd) => results::run(cmd, ctx),
        Command::Relayer(args) => relayer::run(&args, ctx),
        Command::Devnet(args) => devnet::run(&args).map_err(|e| match e {
            devnet::DevnetCliError::Input(m) => CliError::Input(m),
            devnet::DevnetCliError::Failed(m) => CliError::No(m),
        }),
        Command::Demo(args) => demo::run(&args).map_err(|e| {
            if e.is_bad_input() {
                CliError::Input(e.to_string())
            } else {
                CliError::No(e.to_string())
            }
        }),
    }
}
