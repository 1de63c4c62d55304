//! `warp predicate pack`, `unpack` and `gas`: a signed message as it rides in the
//! storage keys of an access-list tuple for the warp precompile, and what that
//! predicate costs as intrinsic gas.
//!
//! Packing appends the `0xff` delimiter and zero-fills to 32-byte keys; unpacking
//! refuses anything packing would not produce (missing delimiter, excess padding,
//! wrong delimiter). Gas is `base + per_chunk × keys + per_signer × signers` under
//! the chosen schedule, and a message that would make the transaction invalid
//! (unparseable, bad payload, non-canonical signers) is bad input.

use serde::Serialize;
use warp_predicate::{pack, predicate_gas, unpack, B256};

use crate::args::{GasArgs, PackArgs, PredicateCommand, UnpackArgs};
use crate::error::CliError;
use crate::input::{hex_arg, parse_hex_array, STDIN_ARG};
use crate::output::{hex0x, Lines, Render};
use crate::Context;

/// Runs `warp predicate …`.
pub fn run(cmd: PredicateCommand, ctx: &mut Context<'_>) -> Result<(), CliError> {
    match cmd {
        PredicateCommand::Pack(args) => pack_cmd(args, ctx),
        PredicateCommand::Unpack(args) => unpack_cmd(args, ctx),
        PredicateCommand::Gas(args) => gas_cmd(args, ctx),
    }
}

/// Storage keys, printed one per line (JSON: an array of `0x` hex strings).
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct KeysReport {
    /// The keys in order, `0x` hex.
    pub keys: Vec<String>,
}

impl Render for KeysReport {
    fn human(&self) -> String {
        self.keys.join("\n")
    }
}

fn pack_cmd(args: PackArgs, ctx: &mut Context<'_>) -> Result<(), CliError> {
    let bytes = hex_arg(&mut ctx.stdin, &args.bytes, "bytes")?;
    ctx.emit(&KeysReport { keys: pack(&bytes).iter().map(|k| hex0x(k.as_slice())).collect() })
}

/// Bytes, printed as `0x` hex (JSON: `{"bytes": "0x…"}`).
#[derive(Debug, Clone, Serialize)]
pub struct BytesReport {
    /// The bytes, `0x` hex.
    pub bytes: String,
}

impl Render for BytesReport {
    fn human(&self) -> String {
        self.bytes.clone()
    }
}

/// Splits what stdin gives for `unpack -`: a JSON array of strings (what
/// `pack --json` prints), else whitespace-separated keys.
pub fn stdin_keys(text: &str) -> Result<Vec<String>, CliError> {
    if text.trim_start().starts_with('[') {
        serde_json::from_str::<Vec<String>>(text)
            .map_err(|e| CliError::Input(format!("storage keys on stdin: not a JSON array of strings: {e}")))
    } else {
        Ok(text.split_whitespace().map(str::to_owned).collect())
    }
}

fn unpack_cmd(args: UnpackArgs, ctx: &mut Context<'_>) -> Result<(), CliError> {
    let mut texts = Vec::new();
    for arg in &args.keys {
        if arg == STDIN_ARG {
            texts.extend(stdin_keys(&ctx.stdin.read_all("storage keys")?)?);
        } else {
            texts.push(arg.clone());
        }
    }
    let keys = texts
        .iter()
        .enumerate()
        .map(|(i, text)| parse_hex_array::<32>(text, &format!("storage key {i}")).map(B256::from))
        .collect::<Result<Vec<_>, _>>()?;
    let bytes = unpack(&keys).map_err(CliError::Predicate)?;
    ctx.emit(&BytesReport { bytes: hex0x(bytes) })
}

/// The intrinsic gas of one predicate.
#[derive(Debug, Clone, Serialize)]
pub struct GasReport {
    /// The gas.
    pub gas: u64,
    /// Storage keys (32-byte chunks).
    pub chunks: usize,
    /// Signers in the bitset.
    pub signers: usize,
    /// The schedule's name.
    #[serde(skip)]
    pub schedule: &'static str,
    /// Its per-predicate base.
    #[serde(skip)]
    pub base: u64,
    /// Its price per chunk.
    #[serde(skip)]
    pub per_chunk: u64,
    /// Its price per signer.
    #[serde(skip)]
    pub per_signer: u64,
}

impl Render for GasReport {
    fn human(&self) -> String {
        let times = |n: usize, price: u64| {
            let total = u64::try_from(n).ok().and_then(|n| n.checked_mul(price));
            format!("{n} × {price} = {}", total.map_or_else(|| "overflow".to_owned(), |t| t.to_string()))
        };
        let mut lines = Lines::new();
        lines
            .row("gas", self.gas.to_string())
            .row("  base", format!("{} ({})", self.base, self.schedule))
            .row("  chunks", times(self.chunks, self.per_chunk))
            .row("  signers", times(self.signers, self.per_signer));
        lines.render()
    }
}

fn gas_cmd(args: GasArgs, ctx: &mut Context<'_>) -> Result<(), CliError> {
    let bytes = hex_arg(&mut ctx.stdin, &args.message, "message")?;
    let schedule = args.schedule.schedule();
    let gas = predicate_gas(&pack(&bytes), &schedule).map_err(CliError::PredicateGas)?;
    ctx.emit(&GasReport {
        gas: gas.gas,
        chunks: gas.chunks,
        signers: gas.signers,
        schedule: args.schedule.name(),
        base: schedule.verify_predicate_base,
        per_chunk: schedule.per_warp_message_chunk,
        per_signer: schedule.per_warp_signer,
    })
}
