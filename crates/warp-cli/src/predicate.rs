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
use warp_predicate::{pack, predicate_gas, unpack, GasSchedule, B256};

use crate::args::{GasArgs, PackArgs, PredicateCommand, ScheduleArg, UnpackArgs};
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

/// The warp predicates of an access list, each unpacked: its index among warp
/// tuples and its bytes (JSON: `[{"index", "bytes"}]`).
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct PredicatesReport {
    /// One entry per warp tuple, in order.
    pub predicates: Vec<PredicateEntry>,
}

/// One unpacked warp predicate.
#[derive(Debug, Clone, Serialize)]
pub struct PredicateEntry {
    /// Its index among the warp tuples (what `getVerifiedWarpMessage` takes).
    pub index: usize,
    /// The bytes it carries, `0x` hex.
    pub bytes: String,
}

impl Render for PredicatesReport {
    fn human(&self) -> String {
        if self.predicates.is_empty() {
            return "no warp predicates (no access-list tuple for 0x0200000000000000000000000000000000000005)"
                .to_owned();
        }
        self.predicates.iter().map(|p| format!("[{}] {}", p.index, p.bytes)).collect::<Vec<_>>().join("\n")
    }
}

/// An access list from JSON text: the list itself, or a transaction object
/// holding it under `accessList` (with or without a JSON-RPC envelope).
pub fn access_list_from_json(text: &str) -> Result<warp_predicate::AccessList, CliError> {
    let value: serde_json::Value =
        serde_json::from_str(text).map_err(|e| CliError::Input(format!("access list: not JSON: {e}")))?;
    let value = value.get("result").cloned().unwrap_or(value);
    let list = match &value {
        serde_json::Value::Array(_) => value,
        serde_json::Value::Object(map) => map.get("accessList").cloned().ok_or_else(|| {
            CliError::Input(
                "access list: a JSON object without `accessList` (give the list or the transaction)".into(),
            )
        })?,
        serde_json::Value::Null => {
            return Err(CliError::Input("access list: null (the transaction was not found?)".into()))
        }
        _ => {
            return Err(CliError::Input("access list: expected a JSON array or a transaction object".into()))
        }
    };
    serde_json::from_value(list).map_err(|e| CliError::Input(format!("access list: {e}")))
}

fn unpack_access_list(source: &str, ctx: &mut Context<'_>) -> Result<(), CliError> {
    let text = if source == STDIN_ARG {
        ctx.stdin.read_all("access list")?
    } else if source.trim_start().starts_with(['[', '{']) {
        source.to_owned()
    } else {
        std::fs::read_to_string(source)
            .map_err(|e| CliError::Input(format!("access list file {source}: {e}")))?
    };
    let list = access_list_from_json(&text)?;
    let predicates = warp_predicate::warp_predicates(&list)
        .iter()
        .enumerate()
        .map(|(index, keys)| {
            unpack(keys)
                .map(|bytes| PredicateEntry { index, bytes: hex0x(bytes) })
                .map_err(|e| CliError::Input(format!("warp predicate {index}: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    ctx.emit(&PredicatesReport { predicates })
}

fn unpack_cmd(args: UnpackArgs, ctx: &mut Context<'_>) -> Result<(), CliError> {
    if let Some(source) = &args.access_list {
        return unpack_access_list(source, ctx);
    }
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

/// The schedule `--schedule` names, or the one `--network` has at `--timestamp`.
fn chosen_schedule(args: &GasArgs) -> Result<(ScheduleArg, GasSchedule), CliError> {
    if let Some(named) = args.schedule {
        return Ok((named, named.schedule()));
    }
    let (Some(network), Some(timestamp)) = (args.network, args.timestamp) else {
        return Err(CliError::Input("give --schedule, or --network with --timestamp".into()));
    };
    let schedule = network.upgrades().schedule_at(timestamp).copied().ok_or_else(|| {
        CliError::Input(format!(
            "warp is not active on {} at timestamp {timestamp}: predicates are charged from Durango",
            network.name()
        ))
    })?;
    let named = [ScheduleArg::Granite, ScheduleArg::PreGranite, ScheduleArg::Acp30]
        .into_iter()
        .find(|s| s.schedule() == schedule)
        .ok_or_else(|| {
            CliError::Input(format!("{} has an unnamed schedule at {timestamp}", network.name()))
        })?;
    Ok((named, schedule))
}

fn gas_cmd(args: GasArgs, ctx: &mut Context<'_>) -> Result<(), CliError> {
    let (named, schedule) = chosen_schedule(&args)?;
    let bytes = hex_arg(&mut ctx.stdin, &args.message, "message")?;
    let gas = predicate_gas(&pack(&bytes), &schedule).map_err(CliError::PredicateGas)?;
    ctx.emit(&GasReport {
        gas: gas.gas,
        chunks: gas.chunks,
        signers: gas.signers,
        schedule: named.name(),
        base: schedule.verify_predicate_base,
        per_chunk: schedule.per_warp_message_chunk,
        per_signer: schedule.per_warp_signer,
    })
}
