//! The asynchronous aggregator: asks a source's validators for their signatures
//! over ACP-118, concurrently, and folds enough stake into one signed message.
//!
//! 1. Validators are asked **heaviest first** (ties by canonical index), at most
//!    [`AggregatorConfig::max_in_flight`] requests at a time, each bounded by
//!    [`AggregatorConfig::request_timeout`]. A canonical validator is a BLS key
//!    that several node IDs may hold (the P-Chain lets anyone register a published
//!    key with its published proof of possession), so **every node ID holding
//!    the key is asked**: a silent node registered with a victim's key cannot
//!    hide the victim's weight.
//! 2. Each answer is decoded (a canonical G2 point in the subgroup); one that
//!    does not parse is dropped and counted ([`Progress::invalid`]). A parsed
//!    signature is a **candidate** of its key.
//! 3. Once verified and candidate weight meet the quorum, the signatures the
//!    result would take are chosen (heaviest first, ties by canonical index,
//!    until the quorum holds, as [`awm_core::aggregate_verified`] chooses) and
//!    **verified together**: one pairing check of their aggregate against their
//!    keys' aggregate (sound for distinct keys registered with proofs of
//!    possession, as every key of the P-Chain is; and what the receiver checks).
//!    If it holds, they are the result, and the candidates it did not need stay
//!    unverified ([`Progress::pending`]). If it fails, the chosen candidates are
//!    bisected ([`awm_core::sift`]): groups that hold are kept, lone signatures
//!    that fail are dropped and counted, and asking goes on. With no liars this
//!    is one pairing per message instead of one per signer; `d` liars among `n`
//!    chosen cost about `d · log₂(n/d) + 2d` group checks. Two liars whose
//!    errors cancel in a sum are kept while aggregated together; if the final
//!    choice splits them, its aggregate is checked, fails, and every kept
//!    signature is then verified on its own. The
//!    first verified signature of a key counts its weight; the key's other node
//!    IDs are no longer asked, and their answers are not counted again.
//! 4. Asking stops as soon as the verified weight meets the exact quorum
//!    inequality (`num × total ≤ den × signed`, against the set's total weight,
//!    the check the receiver makes). Outstanding requests are cancelled.
//! 5. The result is the subset verified together (with any signature verified
//!    on its own before), which is its own heaviest-first choice.
//!    Without the quorum, the candidates left are verified one by one, for the
//!    report.
//!
//! Everything ends at [`AggregatorConfig::deadline`] (`Duration::MAX` means no
//! deadline); without the quorum by then (or once every node has answered or
//! failed), the error carries the weight gathered and needed and what happened
//! to each request.

use std::sync::Arc;
use std::time::Duration;

use awm_core::acp118::{decode_signature_response, encode_signature_request};
use awm_core::bls::{PublicKey, Signature};
use awm_core::sift::{OneMessage, UncheckedSignature};
use awm_core::{
    aggregate_verified, Aggregated, AggregationError, CanonicalValidatorSet, NodeId, Quorum, UnsignedMessage,
};
use thiserror::Error;
use tokio::task::JoinSet;
use tokio::time::Instant;

use crate::client::ValidatorClient;

/// Timeouts and concurrency.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AggregatorConfig {
    /// How long one validator may take to answer.
    pub request_timeout: Duration,
    /// How long the whole aggregation may take; `Duration::MAX` (or any duration
    /// past what the clock can hold) means no deadline.
    pub deadline: Duration,
    /// How many requests may be outstanding at once.
    pub max_in_flight: usize,
}

impl Default for AggregatorConfig {
    /// 2 s per request, 5 s in all, every validator asked at once (as avalanchego's
    /// in-node aggregator does).
    fn default() -> Self {
        Self {
            request_timeout: Duration::from_secs(2),
            deadline: Duration::from_secs(5),
            max_in_flight: usize::MAX,
        }
    }
}

/// Where an aggregation stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Progress {
    /// Weight of the verified signatures so far.
    pub gathered: u64,
    /// Weight the quorum needs.
    pub needed: u64,
    /// The set's total weight.
    pub total: u64,
    /// Requests sent (one per node ID asked).
    pub asked: usize,
    /// Validators (keys) whose valid signature was received.
    pub valid: usize,
    /// Answers whose signature did not parse or verify (dropped).
    pub invalid: usize,
    /// Validators that refused or were unreachable.
    pub refused: usize,
    /// Requests that timed out.
    pub timed_out: usize,
    /// Valid signatures from another node ID of a key that had already signed
    /// (not counted again).
    pub redundant: usize,
    /// Signatures received and not verified: awaiting verification (together,
    /// once they could meet the quorum), or, once the quorum holds, not needed.
    pub pending: usize,
}

/// Why aggregation failed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AggregateError {
    /// The quorum was not reached.
    #[error(
        "gathered weight {} of total {}; quorum {quorum} needs {} ({} valid, {} invalid dropped, {} refused, {} timed out, {} of {validators} asked{})",
        progress.gathered, progress.total, progress.needed, progress.valid, progress.invalid,
        progress.refused, progress.timed_out, progress.asked,
        if *deadline_passed { "; deadline passed" } else { "" }
    )]
    InsufficientWeight {
        /// Where it stood when it ended.
        progress: Progress,
        /// The quorum asked.
        quorum: Quorum,
        /// Validators in the set.
        validators: usize,
        /// `true` if the overall deadline ended it.
        deadline_passed: bool,
    },
}

/// A signed message and how it was gathered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedOutcome {
    /// The signed message, its signers and weights.
    pub aggregated: Aggregated,
    /// The counts when asking stopped.
    pub progress: Progress,
    /// How long it took.
    pub elapsed: Duration,
}

/// What one request came to.
enum Answer {
    /// A signature that parses (not yet verified).
    Parsed(Signature),
    Invalid,
    Refused,
    TimedOut,
}

/// Gathers signatures through a [`ValidatorClient`].
#[derive(Debug)]
pub struct Aggregator<C> {
    client: Arc<C>,
    config: AggregatorConfig,
}

impl<C> Clone for Aggregator<C> {
    fn clone(&self) -> Self {
        Self { client: Arc::clone(&self.client), config: self.config }
    }
}

impl<C: ValidatorClient> Aggregator<C> {
    /// An aggregator asking through `client`.
    pub fn new(client: Arc<C>, config: AggregatorConfig) -> Self {
        Self { client, config }
    }

    /// The settings.
    pub fn config(&self) -> &AggregatorConfig {
        &self.config
    }

    /// Gathers signatures on `unsigned` from `set` until `quorum` holds; calls
    /// `on_progress` after every answer.
    pub async fn aggregate(
        &self,
        unsigned: &UnsignedMessage,
        set: &CanonicalValidatorSet,
        quorum: Quorum,
        mut on_progress: impl FnMut(&Progress),
    ) -> Result<SignedOutcome, AggregateError> {
        let started = Instant::now();
        // A deadline past what the clock can hold is no deadline.
        let deadline = started.checked_add(self.config.deadline);
        let total = set.total_weight();
        let mut progress = Progress { needed: quorum.required_weight(total), total, ..Progress::default() };
        let message = Arc::new(unsigned.to_bytes());
        // Hashed to G2 once, for every group check of this message's signatures.
        let one = OneMessage::new(&message);
        let request = encode_signature_request(&message, &[]);

        let validators = set.validators();
        let mut order: Vec<usize> = (0..validators.len()).collect();
        order.sort_by_key(|i| (std::cmp::Reverse(validators.get(*i).map_or(0, |v| v.weight)), *i));
        // One request per node ID, a key's node IDs one after the other.
        let requests: Vec<(usize, NodeId)> = order
            .into_iter()
            .filter_map(|index| validators.get(index).map(|v| (index, v)))
            .flat_map(|(index, v)| v.node_ids.iter().map(move |node| (index, *node)))
            .collect();
        let mut queue = requests.into_iter();
        let mut in_flight = JoinSet::new();
        // `signed`: the key's signature is verified; `pending`: a candidate awaits verification.
        let mut signed = vec![false; validators.len()];
        let mut pending = vec![false; validators.len()];
        let mut candidates: Vec<(usize, Signature)> = Vec::new();
        let mut pending_weight = 0u64;
        let mut verified: Vec<(usize, Signature)> = Vec::new();
        let mut deadline_passed = false;

        loop {
            // Checked before topping up, so no request goes out once the quorum holds.
            if quorum.is_met(progress.gathered, total) && !verified.is_empty() {
                break;
            }
            while in_flight.len() < self.config.max_in_flight.max(1) {
                let Some((index, node)) = queue.next() else { break };
                // A key that already signed needs none of its other node IDs.
                if signed.get(index).copied().unwrap_or(true) {
                    continue;
                }
                if validators.get(index).is_none() {
                    continue;
                }
                let (client, request) = (Arc::clone(&self.client), request.clone());
                let timeout = self.config.request_timeout;
                progress.asked = progress.asked.saturating_add(1);
                in_flight.spawn(async move {
                    let answer = match tokio::time::timeout(timeout, client.app_request(node, request)).await
                    {
                        Err(_) => Answer::TimedOut,
                        Ok(Err(_)) => Answer::Refused,
                        Ok(Ok(bytes)) => match decode_signature_response(&bytes) {
                            Ok(Some(raw)) => match Signature::from_bytes(&raw) {
                                Ok(sig) => Answer::Parsed(sig),
                                Err(_) => Answer::Invalid,
                            },
                            // An empty response means "not seen" (icm-services' reading).
                            Ok(None) => Answer::Refused,
                            Err(_) => Answer::Invalid,
                        },
                    };
                    (index, answer)
                });
            }
            let joined = match deadline {
                Some(deadline) => match tokio::time::timeout_at(deadline, in_flight.join_next()).await {
                    Err(_) => {
                        deadline_passed = true;
                        break;
                    }
                    Ok(joined) => joined,
                },
                None => in_flight.join_next().await,
            };
            let Some(next) = joined else { break };
            // A task only fails if it panicked or was cancelled: count it as refused.
            let (index, answer) = next.unwrap_or((usize::MAX, Answer::Refused));
            match answer {
                Answer::Parsed(sig) => {
                    // The first signature of a key is its candidate; another node ID's is redundant.
                    let taken = signed.get(index).copied().unwrap_or(true)
                        || pending.get(index).copied().unwrap_or(true);
                    if taken {
                        progress.redundant = progress.redundant.saturating_add(1);
                    } else {
                        if let Some(p) = pending.get_mut(index) {
                            *p = true;
                        }
                        pending_weight =
                            pending_weight.saturating_add(validators.get(index).map_or(0, |v| v.weight));
                        progress.pending = progress.pending.saturating_add(1);
                        candidates.push((index, sig));
                    }
                }
                Answer::Invalid => progress.invalid = progress.invalid.saturating_add(1),
                Answer::Refused => progress.refused = progress.refused.saturating_add(1),
                Answer::TimedOut => progress.timed_out = progress.timed_out.saturating_add(1),
            }
            if !candidates.is_empty()
                && quorum.is_met(progress.gathered.saturating_add(pending_weight), total)
            {
                settle(
                    &one,
                    &message,
                    set,
                    quorum,
                    &mut candidates,
                    &mut verified,
                    &mut progress,
                    &mut signed,
                    &mut pending,
                );
                pending_weight = candidates
                    .iter()
                    .fold(0u64, |sum, (i, _)| sum.saturating_add(validators.get(*i).map_or(0, |v| v.weight)));
            }
            on_progress(&progress);
        }
        in_flight.abort_all();
        // Without the quorum, what is left unverified is checked for the report (one
        // more report, no new answer); with it, the signatures not needed stay unverified.
        if !candidates.is_empty() && !quorum.is_met(progress.gathered, total) {
            verify_each(
                &message,
                set,
                &mut candidates,
                &mut verified,
                &mut progress,
                &mut signed,
                &mut pending,
            );
            on_progress(&progress);
        }

        let insufficient = |progress: Progress| AggregateError::InsufficientWeight {
            progress,
            quorum,
            validators: validators.len(),
            deadline_passed,
        };
        // `verified` holds the subset checked as a whole (and any signature verified on its
        // own before): its heaviest-first choice is that subset again.
        let mut chosen = aggregate_verified(unsigned, set, quorum, &verified);
        // Group checks may keep liars whose errors cancel in a group (harmless while
        // the group is aggregated whole); if the choice splits such a group, its
        // aggregate fails: then every kept signature is verified on its own.
        if progress.invalid > 0 {
            if let Ok(aggregated) = &chosen {
                if aggregated.message.verify(unsigned.network_id(), set, quorum).is_err() {
                    verified.retain(|(index, sig)| {
                        let valid =
                            validators.get(*index).is_some_and(|v| v.public_key.verify(&message, sig));
                        if !valid {
                            progress.valid = progress.valid.saturating_sub(1);
                            progress.invalid = progress.invalid.saturating_add(1);
                            progress.gathered = progress
                                .gathered
                                .saturating_sub(validators.get(*index).map_or(0, |v| v.weight));
                        }
                        valid
                    });
                    chosen = aggregate_verified(unsigned, set, quorum, &verified);
                    on_progress(&progress);
                }
            }
        }
        match chosen {
            Ok(aggregated) => Ok(SignedOutcome { aggregated, progress, elapsed: started.elapsed() }),
            Err(AggregationError::InsufficientWeight { .. }) => Err(insufficient(progress)),
        }
    }
}

/// Once verified and candidate weight meet the quorum: chooses, heaviest first
/// (ties by canonical index), the verified signatures and candidates that meet
/// it, as [`aggregate_verified`] will, and checks that choice's aggregate
/// against its keys' aggregate in one pairing check. If it holds, the chosen
/// candidates are verified (the others stay pending: not needed). If not, the
/// chosen candidates are bisected: the groups that hold are verified, the lone
/// signatures that fail are dropped and counted.
#[allow(clippy::too_many_arguments)]
fn settle(
    one: &OneMessage,
    message: &[u8],
    set: &CanonicalValidatorSet,
    quorum: Quorum,
    candidates: &mut Vec<(usize, Signature)>,
    verified: &mut Vec<(usize, Signature)>,
    progress: &mut Progress,
    signed: &mut [bool],
    pending: &mut [bool],
) {
    let weight = |i: usize| set.validators().get(i).map_or(0, |v| v.weight);
    let mut pool: Vec<(usize, Signature, bool)> = verified
        .iter()
        .map(|(i, s)| (*i, *s, false))
        .chain(candidates.iter().map(|(i, s)| (*i, *s, true)))
        .collect();
    pool.sort_by_key(|(i, _, _)| (std::cmp::Reverse(weight(*i)), *i));
    let total = set.total_weight();
    let mut gathered = 0u64;
    let mut chosen = Vec::new();
    for entry in pool {
        if quorum.is_met(gathered, total) && !chosen.is_empty() {
            break;
        }
        gathered = gathered.saturating_add(weight(entry.0));
        chosen.push(entry);
    }
    let chosen_unchecked: Vec<UncheckedSignature> = chosen.iter().map(|(_, s, _)| s.into()).collect();
    let chosen_terms: Option<Vec<(&PublicKey, &UncheckedSignature)>> = chosen
        .iter()
        .zip(&chosen_unchecked)
        .map(|((i, _, _), sig)| set.validators().get(*i).map(|v| (&v.public_key, sig)))
        .collect();
    let holds = chosen_terms.is_some_and(|terms| one.holds(&terms));
    let picked: Vec<(usize, Signature)> = if holds {
        chosen.iter().filter(|(_, _, candidate)| *candidate).map(|(i, s, _)| (*i, *s)).collect()
    } else {
        // Find the wrong ones among the chosen candidates by group checks: the groups
        // that hold are kept, the lone signatures that fail are dropped.
        let chosen_candidates: Vec<(usize, Signature)> =
            chosen.iter().filter(|(_, _, candidate)| *candidate).map(|(i, s, _)| (*i, *s)).collect();
        let unchecked: Vec<UncheckedSignature> = chosen_candidates.iter().map(|(_, s)| s.into()).collect();
        let terms: Option<Vec<(&PublicKey, &UncheckedSignature)>> = chosen_candidates
            .iter()
            .zip(&unchecked)
            .map(|((i, _), sig)| set.validators().get(*i).map(|v| (&v.public_key, sig)))
            .collect();
        let Some(terms) = terms else {
            verify_each(message, set, candidates, verified, progress, signed, pending);
            return;
        };
        let sift = one.sift(&terms);
        let mut kept = Vec::new();
        for ((index, sig), keep) in chosen_candidates.into_iter().zip(sift.kept) {
            if keep {
                kept.push((index, sig));
            } else {
                reject(index, progress, pending);
                candidates.retain(|(i, _)| *i != index);
            }
        }
        kept
    };
    let mut rest = Vec::with_capacity(candidates.len().saturating_sub(picked.len()));
    for (index, sig) in candidates.drain(..) {
        if picked.iter().any(|(i, _)| *i == index) {
            accept(index, sig, set, verified, progress, signed, pending);
        } else {
            rest.push((index, sig));
        }
    }
    *candidates = rest;
}

/// Counts a signature of validator `index` found wrong.
fn reject(index: usize, progress: &mut Progress, pending: &mut [bool]) {
    progress.pending = progress.pending.saturating_sub(1);
    progress.invalid = progress.invalid.saturating_add(1);
    if let Some(p) = pending.get_mut(index) {
        *p = false;
    }
}

/// Verifies each candidate on its own.
fn verify_each(
    message: &[u8],
    set: &CanonicalValidatorSet,
    candidates: &mut Vec<(usize, Signature)>,
    verified: &mut Vec<(usize, Signature)>,
    progress: &mut Progress,
    signed: &mut [bool],
    pending: &mut [bool],
) {
    for (index, sig) in candidates.drain(..) {
        let valid = set.validators().get(index).is_some_and(|v| v.public_key.verify(message, &sig));
        if valid {
            accept(index, sig, set, verified, progress, signed, pending);
        } else {
            reject(index, progress, pending);
        }
    }
}

/// Counts a verified signature of validator `index`.
fn accept(
    index: usize,
    sig: Signature,
    set: &CanonicalValidatorSet,
    verified: &mut Vec<(usize, Signature)>,
    progress: &mut Progress,
    signed: &mut [bool],
    pending: &mut [bool],
) {
    if let Some(p) = pending.get_mut(index) {
        *p = false;
    }
    progress.pending = progress.pending.saturating_sub(1);
    if let Some(done @ false) = signed.get_mut(index) {
        *done = true;
        progress.valid = progress.valid.saturating_add(1);
        progress.gathered =
            progress.gathered.saturating_add(set.validators().get(index).map_or(0, |v| v.weight));
        verified.push((index, sig));
    } else {
        progress.redundant = progress.redundant.saturating_add(1);
    }
}
