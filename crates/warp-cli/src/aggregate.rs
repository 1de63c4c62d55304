//! `warp aggregate`: validators' signatures of an unsigned message, given as
//! `--sig NODEID=SIGHEX`, aggregated into a signed message by awm-core's
//! [`aggregate_signatures`]: heaviest validators first, each signature verified
//! against its validator's key, stopping as soon as the quorum holds.
//!
//! A signature from an unknown node, one that does not parse or does not verify,
//! and a duplicate are dropped and named on stderr (`warning: dropped …`). Too
//! little valid weight is a "no" (exit 1) naming the weight gathered and needed.
//! Text that is not `NODEID=HEX` at all is bad input (exit 2).

use awm_core::{aggregate_signatures, AggregationError, Dropped, NodeId};
use serde::Serialize;

use crate::args::AggregateArgs;
use crate::error::CliError;
use crate::input::{hex_arg, parse_hex, parse_node_id, parse_quorum, validator_set};
use crate::message::parse_unsigned;
use crate::output::{hex0x, Render};
use crate::Context;

/// Parses one `--sig NODEID=SIGHEX` (the signature's length is the aggregator's
/// to judge: a wrong one is dropped, not refused).
pub fn parse_sig(text: &str) -> Result<(NodeId, Vec<u8>), CliError> {
    let (node, sig) = text.split_once('=').ok_or_else(|| {
        CliError::Input(format!("--sig {text:?}: expected NODEID=SIGHEX, e.g. NodeID-…=0x8a…"))
    })?;
    let node_id = parse_node_id(node, "--sig node ID")?;
    let sig = parse_hex(sig, &format!("--sig signature of {node_id}"))?;
    Ok((node_id, sig))
}

/// Runs `warp aggregate`.
pub fn run(args: AggregateArgs, ctx: &mut Context<'_>) -> Result<(), CliError> {
    let quorum = parse_quorum(&args.quorum)?;
    let sigs = args.sigs.iter().map(|s| parse_sig(s)).collect::<Result<Vec<_>, _>>()?;
    let bytes = hex_arg(&mut ctx.stdin, &args.message, "message")?;
    let msg = parse_unsigned(&bytes)?;
    let set = validator_set(
        &mut ctx.stdin,
        args.source.validators.as_deref(),
        &args.source.pchain,
        Some(msg.source_chain_id()),
    )?;
    let outcome =
        aggregate_signatures(&msg, &set, quorum, sigs.iter().map(|(node, sig)| (*node, sig.as_slice())));
    match outcome {
        Ok(aggregated) => {
            warn_dropped(ctx, &aggregated.dropped)?;
            ctx.emit(&AggregateReport {
                message: hex0x(aggregated.message.to_bytes()),
                signers: aggregated.signers,
                signed_weight: aggregated.signed_weight,
                total_weight: aggregated.total_weight,
                quorum: quorum.to_string(),
                dropped: aggregated.dropped.iter().map(DroppedReport::new).collect(),
            })
        }
        Err(e) => {
            let AggregationError::InsufficientWeight { dropped, .. } = &e;
            warn_dropped(ctx, dropped)?;
            Err(CliError::Aggregate(e))
        }
    }
}

fn warn_dropped(ctx: &mut Context<'_>, dropped: &[Dropped]) -> Result<(), CliError> {
    for d in dropped {
        ctx.warn(&format!("dropped signature from {}: {}", d.node_id, d.reason))?;
    }
    Ok(())
}

/// The signed message and what went into it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AggregateReport {
    /// The signed message, `0x` hex.
    pub message: String,
    /// Canonical indices of the signers, ascending.
    pub signers: Vec<usize>,
    /// Their weight.
    pub signed_weight: u64,
    /// Total weight of the set.
    pub total_weight: u64,
    /// The quorum asked, `NUM/DEN`.
    pub quorum: String,
    /// Signatures dropped before the quorum was reached.
    pub dropped: Vec<DroppedReport>,
}

/// A dropped signature.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DroppedReport {
    /// Who sent it.
    pub node_id: String,
    /// Why it was dropped.
    pub reason: String,
}

impl DroppedReport {
    /// Describes a dropped signature.
    pub fn new(d: &Dropped) -> Self {
        Self { node_id: d.node_id.to_string(), reason: d.reason.to_string() }
    }
}

impl Render for AggregateReport {
    fn human(&self) -> String {
        self.message.clone()
    }
}
