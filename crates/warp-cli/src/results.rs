//! `warp results decode` and `warp results encode`: the predicate results a block
//! header stores, `{txHash: {address: [failed predicate indices]}}`.
//!
//! Decoding is strict as the reference's codec is (sorted keys, no trailing
//! bytes, 1 MiB cap) and lenient on bitsets (leading zero bytes are accepted).
//! Encoding sorts the maps; the same hash or address written twice (in different
//! letter cases, say) is refused rather than silently merged. The size of the
//! encoding is counted as the entries are read, from each bitset's highest
//! index, and the input is refused as soon as it passes the 1 MiB limit, before
//! the bitset that would pass it is built: memory follows the input, not the
//! indices it names.

use std::collections::{BTreeMap, BTreeSet};

use awm_core::get_validators_at::value_kind;
use serde::Serialize;
use serde_json::Value;
use warp_predicate::results::MAX_RESULTS_SIZE;
use warp_predicate::{Address, FailureBits, PredicateResults, B256};

use crate::args::{LayoutArg, ResultsCommand};
use crate::error::CliError;
use crate::input::{hex_arg, parse_hex_array, text_arg};
use crate::output::{hex0x, index_list, Render};
use crate::predicate::BytesReport;
use crate::Context;

/// Runs `warp results …`.
pub fn run(cmd: ResultsCommand, ctx: &mut Context<'_>) -> Result<(), CliError> {
    match cmd {
        ResultsCommand::Decode(args) => {
            if args.layout.is_some() && args.extra.is_none() {
                return Err(CliError::Input(
                    "--layout says where results sit in --extra HEX: give --extra".into(),
                ));
            }
            let results = match (&args.results, &args.extra) {
                (_, Some(extra)) => {
                    let bytes = hex_arg(&mut ctx.stdin, extra, "--extra")?;
                    // No bytes past the fee data mean no transaction had failures.
                    args.layout.unwrap_or(LayoutArg::SubnetEvm).layout().results(&bytes)
                }
                (Some(results), None) => {
                    PredicateResults::parse(&hex_arg(&mut ctx.stdin, results, "results")?)
                }
                (None, None) => return Err(CliError::Input("give the results HEX, or --extra HEX".into())),
            }
            .map_err(CliError::Results)?;
            ctx.emit(&ResultsReport::new(&results))
        }
        ResultsCommand::Encode(args) => {
            let text = text_arg(&mut ctx.stdin, &args.input, "results JSON")?;
            let results = parse_results_json(&text)?;
            let bytes = results.to_bytes().map_err(CliError::Results)?;
            ctx.emit(&BytesReport { bytes: hex0x(bytes) })
        }
    }
}

/// Decoded results: tx hash → address → failed indices (all `0x` lowercase hex).
#[derive(Debug, Clone, Serialize)]
#[serde(transparent)]
pub struct ResultsReport {
    /// The entries, sorted by hash then address.
    pub txs: BTreeMap<String, BTreeMap<String, Vec<usize>>>,
}

impl ResultsReport {
    /// Describes decoded results.
    pub fn new(results: &PredicateResults) -> Self {
        let txs = results
            .iter()
            .map(|(tx, addrs)| {
                let addrs =
                    addrs.iter().map(|(a, bits)| (hex0x(a.as_slice()), bits.indices().collect())).collect();
                (hex0x(tx.as_slice()), addrs)
            })
            .collect();
        Self { txs }
    }
}

impl Render for ResultsReport {
    fn human(&self) -> String {
        if self.txs.is_empty() {
            return "no transactions with predicates".to_owned();
        }
        let mut out = Vec::new();
        for (tx, addrs) in &self.txs {
            out.push(format!("tx {tx}"));
            for (address, failed) in addrs {
                let what = if failed.is_empty() {
                    "all valid".to_owned()
                } else {
                    format!("failed {}", index_list(failed))
                };
                out.push(format!("  {address}  {what}"));
            }
        }
        out.join("\n")
    }
}

/// The largest failed index a bitset within the 1 MiB results limit can hold, plus one.
const INDEX_LIMIT: u64 = (MAX_RESULTS_SIZE as u64).saturating_mul(8);

/// Parses `{txHash: {address: [failed indices]}}` into predicate results.
pub fn parse_results_json(text: &str) -> Result<PredicateResults, CliError> {
    let bad = |msg: String| CliError::Input(format!("results JSON: {msg}"));
    let value: Value = serde_json::from_str(text).map_err(|e| bad(format!("invalid JSON: {e}")))?;
    let Value::Object(txs) = value else {
        return Err(bad(format!(
            "expected an object {{txHash: {{address: [indices]}}}}, found {}",
            value_kind(&value)
        )));
    };
    let mut results = PredicateResults::new();
    let mut seen_txs = BTreeSet::new();
    // The encoding's size so far: version and transaction count.
    let mut size: usize = 6;
    let too_large = |size: usize, tx: &B256| {
        bad(format!(
            "the encoding passes {size} bytes by transaction {tx}, above the {MAX_RESULTS_SIZE}-byte limit"
        ))
    };
    for (tx_text, addrs) in &txs {
        let tx = B256::from(parse_hex_array::<32>(
            tx_text,
            &format!("results JSON: transaction hash {tx_text:?}"),
        )?);
        if !seen_txs.insert(tx) {
            return Err(bad(format!("transaction {tx} appears twice")));
        }
        let Value::Object(addrs) = addrs else {
            return Err(bad(format!(
                "transaction {tx}: expected an object {{address: [indices]}}, found {}",
                value_kind(addrs)
            )));
        };
        // Hash and address count.
        size = size.saturating_add(36);
        if size > MAX_RESULTS_SIZE {
            return Err(too_large(size, &tx));
        }
        let mut seen_addrs = BTreeSet::new();
        for (addr_text, indices) in addrs {
            let address = Address::from(parse_hex_array::<20>(
                addr_text,
                &format!("results JSON: address {addr_text:?}"),
            )?);
            if !seen_addrs.insert(address) {
                return Err(bad(format!("transaction {tx}: address {address} appears twice")));
            }
            let Value::Array(indices) = indices else {
                return Err(bad(format!(
                    "transaction {tx}, address {address}: expected an array of indices, found {}",
                    value_kind(indices)
                )));
            };
            let indices = indices
                .iter()
                .map(|v| match v.as_u64() {
                    Some(i) if i < INDEX_LIMIT => usize::try_from(i).map_err(|_| ()),
                    _ => Err(()),
                })
                .collect::<Result<Vec<usize>, ()>>()
                .map_err(|()| {
                    bad(format!(
                        "transaction {tx}, address {address}: indices must be integers from 0 to {}",
                        INDEX_LIMIT.saturating_sub(1)
                    ))
                })?;
            // Address, length, and the bitset's bytes: enough for the highest index.
            let bitset_len = indices.iter().max().map_or(0, |max| (max / 8).saturating_add(1));
            size = size.saturating_add(24).saturating_add(bitset_len);
            if size > MAX_RESULTS_SIZE {
                return Err(too_large(size, &tx));
            }
            results.set(tx, address, FailureBits::from_indices(indices));
        }
    }
    Ok(results)
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn json_round_trip() {
        let json = r#"{"0x01":{}}"#;
        assert!(parse_results_json(json).unwrap_err().to_string().contains("expected 32 bytes, got 1"));
        let tx = format!("0x01{}", "00".repeat(31));
        let addr = format!("02{}", "00".repeat(19));
        let json = format!(r#"{{"{tx}":{{"{addr}":[3,1,2]}}}}"#);
        let results = parse_results_json(&json).unwrap();
        let report = ResultsReport::new(&results);
        assert_eq!(report.txs[&tx][&format!("0x{addr}")], vec![1, 2, 3]);
    }

    #[test]
    fn duplicates_and_bad_indices_are_refused() {
        let tx = "ab".repeat(32);
        let json = format!(r#"{{"0x{tx}":{{}},"0x{}":{{}}}}"#, tx.to_uppercase());
        assert!(parse_results_json(&json).unwrap_err().to_string().contains("appears twice"));
        let addr = "0x".to_owned() + &"02".repeat(20);
        for bad in ["[-1]", "[1.5]", "[\"1\"]", &format!("[{INDEX_LIMIT}]")] {
            let json = format!(r#"{{"0x{tx}":{{"{addr}":{bad}}}}}"#);
            assert!(parse_results_json(&json).unwrap_err().to_string().contains("indices must be"), "{bad}");
        }
        // The size is counted before each bitset is built: exactly 1 MiB passes,
        // one byte more is refused while reading (6 + 36 + 24 + bitset bytes).
        let at = |max_index: usize| format!(r#"{{"0x{tx}":{{"{addr}":[3,{max_index}]}}}}"#);
        let fits = (MAX_RESULTS_SIZE - 66 - 1) * 8;
        assert_eq!(parse_results_json(&at(fits)).unwrap().to_bytes().unwrap().len(), MAX_RESULTS_SIZE);
        let err = parse_results_json(&at(fits + 8)).unwrap_err().to_string();
        assert!(err.contains("passes 1048577 bytes") && err.contains("1048576-byte limit"), "{err}");
        let max = format!(r#"{{"0x{tx}":{{"{addr}":[{}]}}}}"#, INDEX_LIMIT - 1);
        assert!(parse_results_json(&max).unwrap_err().to_string().contains("1048576-byte limit"));
    }
}
