//! Signature aggregation, synchronous core: from (validator, signature) pairs for one
//! unsigned message to a signed [`Message`].
//!
//! 1. Each pair is matched to its canonical validator by node ID; unknown nodes are
//!    dropped.
//! 2. Candidates are taken **heaviest first** (ties by canonical index, then arrival
//!    order) until, with what is already kept, their weight meets the exact quorum
//!    inequality (`num × total ≤ den × signed`, against the set's total weight).
//!    Each is parsed without the subgroup check ([`UncheckedSignature`]); one that
//!    does not parse is dropped. Another signature for a validator already in the
//!    batch waits: it is taken only if that one is dropped.
//! 3. The batch is checked **as one aggregate** against its keys' sum
//!    ([`OneMessage::sift`]): one pairing check when every signature is good.
//!    Otherwise it is bisected: groups that hold are kept, lone signatures that
//!    fail are dropped, and step 2 takes the next candidates for the weight lost.
//!    Once a validator is kept, later signatures for it (the same key under
//!    another node ID, or a resend) are dropped as duplicates.
//! 4. Taking stops as soon as the quorum holds, so the signers are the smallest
//!    heaviest-first set of good signatures that meets it, and no signature past
//!    that point is parsed or checked. The kept signatures' sum is the aggregate
//!    (its subgroup checked once), and the bitset is built from their indices.
//!
//! Exactness: with no liars, the signers are the ones one-by-one verification
//! picks. What may differ: signatures whose errors cancel in a sum (liars
//! colluding) are kept when a group holding them holds; the aggregate is then
//! still exactly the valid multi-signature of its signers, which is all a
//! receiver checks ([`crate::sift`]). If keys whose owners cooperate make the
//! kept groups' union fail (their sum is infinity), aggregation falls back to
//! verifying each kept signature on its own.
//!
//! Cost: one hash to G2, one parse per signature taken (no subgroup check), one
//! pairing check, against one verification per signature before; with `d`
//! liars among the batch, about `d · log₂(n/d) + d` pairing checks (one per
//! failing split, [`crate::sift`]), one more per later batch, and none for the
//! union of the kept groups (their sums are added and checked finite).
//!
//! With too little valid weight the error names the weight gathered and needed.

use std::collections::VecDeque;

use rayon::prelude::*;
use thiserror::Error;

use crate::bitset::SignerBitSet;
use crate::bls::{self, BlsError, Signature};
use crate::ids::NodeId;
use crate::message::{BitSetSignature, Message, UnsignedMessage};
use crate::quorum::Quorum;
use crate::sift::{sum_held, OneMessage, UncheckedSignature};
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
    let mut queue = candidates(set, signatures, &mut dropped);
    let weight = |i: usize| set.validators().get(i).map_or(0, |v| v.weight);
    let key = |i: usize| set.validators().get(i).map(|v| &v.public_key);
    let msg_bytes = msg.to_bytes();
    let total = set.total_weight();
    let mut kept_flag = vec![false; set.len()];
    // Hash the message to G2 on one thread while the first batch's signatures are parsed on the others.
    let (one, ()) = rayon::join(
        || OneMessage::new(&msg_bytes),
        || parse_ahead(&mut queue, &kept_flag, 0, total, quorum, &weight),
    );
    // The aggregate when the first batch held as a whole (its sum was checked in G2).
    let mut first_sum = None;
    let (mut kept, mut signed, mut rounds) = (Vec::<(usize, UncheckedSignature)>::new(), 0u64, 0usize);

    while !quorum.is_met(signed, total) || kept.is_empty() {
        // The next heaviest candidates that, with what is kept, meet the quorum.
        let mut batch: Vec<(usize, NodeId, UncheckedSignature)> = Vec::new();
        let mut in_batch = vec![false; set.len()];
        let mut deferred = Vec::new();
        let mut batch_weight = 0u64;
        parse_ahead(&mut queue, &kept_flag, signed, total, quorum, &weight);
        while let Some((index, node_id, bytes, parsed)) = queue.pop_front() {
            if kept_flag.get(index).copied().unwrap_or(true) {
                dropped.push(Dropped { node_id, reason: DropReason::Duplicate { index } });
                continue;
            }
            // Another signature for a validator in this batch waits: it counts only if that one fails.
            if in_batch.get(index).copied().unwrap_or(true) {
                deferred.push((index, node_id, bytes, parsed));
                continue;
            }
            match parsed.unwrap_or_else(|| UncheckedSignature::from_bytes(bytes)) {
                Err(e) => dropped.push(Dropped { node_id, reason: DropReason::Unparseable(e) }),
                Ok(sig) => {
                    if let Some(flag) = in_batch.get_mut(index) {
                        *flag = true;
                    }
                    batch_weight = batch_weight.saturating_add(weight(index));
                    batch.push((index, node_id, sig));
                    if quorum.is_met(signed.saturating_add(batch_weight), total) {
                        break;
                    }
                }
            }
        }
        for entry in deferred.into_iter().rev() {
            queue.push_front(entry);
        }
        if batch.is_empty() {
            break;
        }
        rounds = rounds.saturating_add(1);
        let terms: Option<Vec<_>> = batch.iter().map(|(i, _, sig)| key(*i).map(|k| (k, sig))).collect();
        let Some(terms) = terms else { break };
        let sift = one.sift(&terms);
        if rounds == 1 {
            first_sum = sift.sum;
        }
        for ((index, node_id, sig), keep) in batch.iter().zip(&sift.kept) {
            if *keep {
                if let Some(flag) = kept_flag.get_mut(*index) {
                    *flag = true;
                }
                signed = signed.saturating_add(weight(*index));
                kept.push((*index, *sig));
            } else {
                dropped.push(Dropped { node_id: *node_id, reason: DropReason::Invalid });
            }
        }
    }

    // Report drops in the order the candidates were taken: unknown nodes first,
    // then heaviest first (ties by canonical index, then arrival).
    dropped.sort_by_key(|d| match set.index_of_node(&d.node_id) {
        None => (false, core::cmp::Reverse(0), 0),
        Some(i) => (true, core::cmp::Reverse(weight(i)), i),
    });
    if !quorum.is_met(signed, total) {
        return Err(insufficient(quorum, total, signed, dropped));
    }
    // Each kept group holds; so does their union (bilinearity) unless
    // cooperating keys make a sum infinity. After more than one group, check
    // the sums, and fall back to verifying one by one if one is infinity.
    if rounds > 1 || dropped.iter().any(|d| d.reason == DropReason::Invalid) {
        let terms: Option<Vec<_>> = kept.iter().map(|(i, sig)| key(*i).map(|k| (k, sig))).collect();
        if !terms.is_some_and(|t| one.union_holds(&t)) {
            return aggregate_one_by_one(msg, set, quorum, signatures_of(&kept, set));
        }
    }
    let sigs: Vec<UncheckedSignature> = kept.iter().map(|(_, s)| *s).collect();
    // One batch that held whole: its checked sum is the aggregate.
    let reuse = if rounds == 1 { first_sum } else { None };
    let Some(aggregate) = reuse.or_else(|| sum_held(&sigs)) else {
        return Err(insufficient(quorum, total, signed, dropped));
    };
    let mut signers: Vec<usize> = kept.iter().map(|(i, _)| *i).collect();
    signers.sort_unstable();
    let bitset = SignerBitSet::from_indices(signers.iter().copied());
    let message = Message::new(msg.clone(), BitSetSignature::new(bitset, aggregate.to_bytes()));
    Ok(Aggregated { message, signers, signed_weight: signed, total_weight: total, dropped })
}

/// A candidate: canonical index, node, offered bytes, and the bytes parsed ahead.
type Candidate<'a> = (usize, NodeId, &'a [u8], Option<Result<UncheckedSignature, BlsError>>);

/// Parses, on rayon's threads, the candidates at the front of `queue` that the
/// next batch will take if they are all good: those whose weight, with what is
/// kept, meets the quorum (decompression is most of a batch's cost).
fn parse_ahead(
    queue: &mut VecDeque<Candidate<'_>>,
    kept: &[bool],
    signed: u64,
    total: u64,
    quorum: Quorum,
    weight: &dyn Fn(usize) -> u64,
) {
    let mut ahead = 0usize;
    let mut sum = signed;
    let mut seen = vec![false; kept.len()];
    for (index, ..) in queue.iter() {
        if quorum.is_met(sum, total) {
            break;
        }
        ahead = ahead.saturating_add(1);
        if let (Some(false), Some(seen)) = (kept.get(*index).copied(), seen.get_mut(*index)) {
            if !*seen {
                *seen = true;
                sum = sum.saturating_add(weight(*index));
            }
        }
    }
    let front = queue.make_contiguous();
    let end = ahead.min(front.len());
    if let Some(front) = front.get_mut(..end) {
        front.par_iter_mut().for_each(|(_, _, bytes, parsed)| {
            if parsed.is_none() {
                *parsed = Some(UncheckedSignature::from_bytes(bytes));
            }
        });
    }
}

/// The kept signatures again, as offered bytes (the one-by-one fallback's input).
fn signatures_of(
    kept: &[(usize, UncheckedSignature)],
    set: &CanonicalValidatorSet,
) -> Vec<(NodeId, [u8; 96])> {
    kept.iter()
        .filter_map(|(i, sig)| {
            set.validators().get(*i).and_then(|v| v.node_ids.first()).map(|n| (*n, sig.to_bytes()))
        })
        .collect()
}

/// The offered signatures matched to canonical validators, heaviest first (ties
/// by canonical index, then arrival order); unknown nodes are dropped.
fn candidates<'a>(
    set: &CanonicalValidatorSet,
    signatures: impl IntoIterator<Item = (NodeId, &'a [u8])>,
    dropped: &mut Vec<Dropped>,
) -> VecDeque<Candidate<'a>> {
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
    candidates.into_iter().map(|(index, node, bytes)| (index, node, bytes, None)).collect()
}

fn insufficient(quorum: Quorum, total: u64, signed: u64, dropped: Vec<Dropped>) -> AggregationError {
    AggregationError::InsufficientWeight {
        gathered: signed,
        needed: quorum.required_weight(total),
        total,
        quorum,
        dropped,
    }
}

/// Verifies each signature on its own against its validator's key, heaviest
/// first, until the quorum holds: the fallback of [`aggregate_signatures`] when
/// cooperating keys made the kept groups' union fail.
fn aggregate_one_by_one(
    msg: &UnsignedMessage,
    set: &CanonicalValidatorSet,
    quorum: Quorum,
    offered: Vec<(NodeId, [u8; 96])>,
) -> Result<Aggregated, AggregationError> {
    let mut dropped = Vec::new();
    let candidates = candidates(set, offered.iter().map(|(n, s)| (*n, s.as_slice())), &mut dropped);
    let mut taken = vec![false; set.len()];
    let msg_bytes = msg.to_bytes();
    let total = set.total_weight();
    let (mut signers, mut sigs, mut signed) = (Vec::new(), Vec::<Signature>::new(), 0u64);
    for (index, node_id, bytes, _) in candidates {
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
