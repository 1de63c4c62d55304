//! Signature aggregation, synchronous core: from (validator, signature) pairs for one
//! unsigned message to a signed [`Message`].
//!
//! 1. Each pair is matched to its canonical validator by node ID; unknown nodes are
//!    dropped.
//! 2. Candidates are taken **heaviest first** (ties by canonical index, then arrival
//!    order). Each one's signature is parsed and verified against that validator's
//!    key; a bad one is dropped and never aggregated. Once a validator has a valid
//!    signature, later ones for it (the same key under another node ID, or a resend)
//!    are dropped as duplicates; a bad signature never blocks a later good one.
//! 3. Taking stops as soon as the exact quorum inequality
//!    (`num × total ≤ den × signed`, against the set's total weight) holds, so the
//!    signer set is the smallest heaviest-first set that meets the quorum, and no
//!    signature past that point is verified at all.
//! 4. The kept signatures are summed and the bitset is built from their canonical indices.
//!
//! With too little valid weight the error names the weight gathered and needed.

use thiserror::Error;

use crate::bitset::SignerBitSet;
use crate::bls::{self, BlsError, Signature};
use crate::ids::NodeId;
use crate::message::{BitSetSignature, Message, UnsignedMessage};
use crate::quorum::Quorum;
use crate::validators::CanonicalValidatorSet;

/// Why a signature was not aggregated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum DropReason {
    /// The node is not in the canonical set (no key, or not a validator).
    #[error("not a canonical validator of the set")]
    UnknownValidator,
    /// A valid signature for the same canonical validator (same key) was already taken.
    #[error("duplicate signature for canonical validator {index}")]
    Duplicate {
        /// The canonical index.
        index: usize,
    },
    /// The signature bytes do not parse.
    #[error("signature does not parse: {0}")]
    Unparseable(BlsError),
    /// The signature does not verify against the validator's key.
    #[error("signature does not verify against the validator's key")]
    Invalid,
}

/// A dropped signature and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Dropped {
    /// Who sent it.
    pub node_id: NodeId,
    /// Why it was dropped.
    pub reason: DropReason,
}

/// Why aggregation failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AggregationError {
    /// The valid signatures do not carry enough weight.
    #[error(
        "valid signatures carry weight {gathered} of total {total}; quorum {quorum} needs {needed} \
         ({} signatures dropped)",
        dropped.len()
    )]
    InsufficientWeight {
        /// Weight of every valid signature offered.
        gathered: u64,
        /// The least weight that meets the quorum.
        needed: u64,
        /// Total weight of the set.
        total: u64,
        /// The quorum asked.
        quorum: Quorum,
        /// The signatures that were dropped.
        dropped: Vec<Dropped>,
    },
}

/// A signed message and what went into it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Aggregated {
    /// The signed message.
    pub message: Message,
    /// Canonical indices of the signers, ascending.
    pub signers: Vec<usize>,
    /// Their weight.
    pub signed_weight: u64,
    /// Total weight of the set.
    pub total_weight: u64,
    /// Signatures dropped before quorum was reached.
    pub dropped: Vec<Dropped>,
}

/// Aggregates signatures of `msg` from the validators of `set` until `quorum` holds.
pub fn aggregate_signatures<'a>(
    msg: &UnsignedMessage,
    set: &CanonicalValidatorSet,
    quorum: Quorum,
    signatures: impl IntoIterator<Item = (NodeId, &'a [u8])>,
) -> Result<Aggregated, AggregationError> {
    let mut dropped = Vec::new();
    // One candidate per canonical validator: (index, node, signature bytes).
    let mut candidates: Vec<(usize, NodeId, &[u8])> = Vec::new();
    for (node_id, sig) in signatures {
        match set.index_of_node(&node_id) {
            None => dropped.push(Dropped { node_id, reason: DropReason::UnknownValidator }),
            Some(index) => candidates.push((index, node_id, sig)),
        }
    }
    let weight = |i: usize| set.validators().get(i).map_or(0, |v| v.weight);
    // Stable: signatures for one validator keep their arrival order.
    candidates.sort_by_key(|(i, _, _)| (core::cmp::Reverse(weight(*i)), *i));
    let mut taken = vec![false; set.len()];

    let msg_bytes = msg.to_bytes();
    let total = set.total_weight();
    let (mut signers, mut sigs, mut signed) = (Vec::new(), Vec::<Signature>::new(), 0u64);
    for (index, node_id, bytes) in candidates {
        if quorum.is_met(signed, total) && !signers.is_empty() {
            break;
        }
        let (Some(validator), Some(already)) = (set.validators().get(index), taken.get_mut(index)) else {
            continue;
        };
        if *already {
            dropped.push(Dropped { node_id, reason: DropReason::Duplicate { index } });
            continue;
        }
        match Signature::from_bytes(bytes) {
            Err(e) => dropped.push(Dropped { node_id, reason: DropReason::Unparseable(e) }),
            Ok(sig) if !validator.public_key.verify(&msg_bytes, &sig) => {
                dropped.push(Dropped { node_id, reason: DropReason::Invalid })
            }
            Ok(sig) => {
                *already = true;
                signed = signed.saturating_add(validator.weight);
                signers.push(index);
                sigs.push(sig);
            }
        }
    }
    assemble(msg, quorum, total, signers, &sigs, signed, dropped)
}

/// Folds signatures that were **already verified** against their validators'
/// keys (by an asynchronous aggregator, as they arrived) into a signed message:
/// heaviest first (ties by canonical index), repeated indices and indices outside
/// the set ignored, stopping as soon as the exact quorum holds, so the signer set
/// is the smallest heaviest-first one, as [`aggregate_signatures`] picks it.
pub fn aggregate_verified(
    msg: &UnsignedMessage,
    set: &CanonicalValidatorSet,
    quorum: Quorum,
    verified: &[(usize, Signature)],
) -> Result<Aggregated, AggregationError> {
    let weight = |i: usize| set.validators().get(i).map(|v| v.weight);
    let mut order: Vec<&(usize, Signature)> = verified.iter().filter(|(i, _)| weight(*i).is_some()).collect();
    order.sort_by_key(|(i, _)| (core::cmp::Reverse(weight(*i)), *i));
    order.dedup_by_key(|(i, _)| *i);
    let total = set.total_weight();
    let (mut signers, mut sigs, mut signed) = (Vec::new(), Vec::new(), 0u64);
    for (index, sig) in order {
        if quorum.is_met(signed, total) && !signers.is_empty() {
            break;
        }
        signed = signed.saturating_add(weight(*index).unwrap_or(0));
        signers.push(*index);
        sigs.push(*sig);
    }
    assemble(msg, quorum, total, signers, &sigs, signed, Vec::new())
}

/// The signed message from the chosen signers, or the weight error.
fn assemble(
    msg: &UnsignedMessage,
    quorum: Quorum,
    total: u64,
    mut signers: Vec<usize>,
    sigs: &[Signature],
    signed: u64,
    dropped: Vec<Dropped>,
) -> Result<Aggregated, AggregationError> {
    let insufficient = |dropped: Vec<Dropped>| AggregationError::InsufficientWeight {
        gathered: signed,
        needed: quorum.required_weight(total),
        total,
        quorum,
        dropped,
    };
    if !quorum.is_met(signed, total) {
        return Err(insufficient(dropped));
    }
    let aggregate = match bls::aggregate_signatures(sigs) {
        Ok(aggregate) => aggregate,
        Err(_) => return Err(insufficient(dropped)),
    };
    signers.sort_unstable();
    let bitset = SignerBitSet::from_indices(signers.iter().copied());
    let message = Message::new(msg.clone(), BitSetSignature::new(bitset, aggregate.to_bytes()));
    Ok(Aggregated { message, signers, signed_weight: signed, total_weight: total, dropped })
}
