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
//! 2. Each answer is decoded and verified against that validator's key. A wrong
//!    or unparseable signature is dropped and counted ([`Progress::invalid`]),
//!    never aggregated. The first valid signature of a key counts its weight;
//!    the key's other node IDs are no longer asked, and their answers are not
//!    counted again.
//! 3. Asking stops as soon as the verified weight meets the exact quorum
//!    inequality (`num × total ≤ den × signed`, against the set's total weight,
//!    the check the receiver makes). Outstanding requests are cancelled.
//! 4. The result is the smallest heaviest-first subset of the verified
//!    signatures that meets the quorum ([`awm_core::aggregate_verified`]).
//!
//! Everything ends at [`AggregatorConfig::deadline`] (`Duration::MAX` means no
//! deadline); without the quorum by then (or once every node has answered or
//! failed), the error carries the weight gathered and needed and what happened
//! to each request.

use std::sync::Arc;
use std::time::Duration;

use awm_core::acp118::{decode_signature_response, encode_signature_request};
use awm_core::bls::Signature;
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
    Valid(Signature),
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
        let mut signed = vec![false; validators.len()];
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
                let Some(validator) = validators.get(index) else { continue };
                let (client, request, message, key) =
                    (Arc::clone(&self.client), request.clone(), Arc::clone(&message), validator.public_key);
                let timeout = self.config.request_timeout;
                progress.asked = progress.asked.saturating_add(1);
                in_flight.spawn(async move {
                    let answer = match tokio::time::timeout(timeout, client.app_request(node, request)).await
                    {
                        Err(_) => Answer::TimedOut,
                        Ok(Err(_)) => Answer::Refused,
                        Ok(Ok(bytes)) => match decode_signature_response(&bytes) {
                            Ok(Some(raw)) => match Signature::from_bytes(&raw) {
                                Ok(sig) if key.verify(&message, &sig) => Answer::Valid(sig),
                                _ => Answer::Invalid,
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
                Answer::Valid(sig) => {
                    // The first valid signature of a key counts; another node ID's is redundant.
                    if let Some(done @ false) = signed.get_mut(index) {
                        *done = true;
                        progress.valid = progress.valid.saturating_add(1);
                        let weight = validators.get(index).map_or(0, |v| v.weight);
                        progress.gathered = progress.gathered.saturating_add(weight);
                        verified.push((index, sig));
                    } else {
                        progress.redundant = progress.redundant.saturating_add(1);
                    }
                }
                Answer::Invalid => progress.invalid = progress.invalid.saturating_add(1),
                Answer::Refused => progress.refused = progress.refused.saturating_add(1),
                Answer::TimedOut => progress.timed_out = progress.timed_out.saturating_add(1),
            }
            on_progress(&progress);
        }
        in_flight.abort_all();

        let insufficient = |progress: Progress| AggregateError::InsufficientWeight {
            progress,
            quorum,
            validators: validators.len(),
            deadline_passed,
        };
        match aggregate_verified(unsigned, set, quorum, &verified) {
            Ok(aggregated) => Ok(SignedOutcome { aggregated, progress, elapsed: started.elapsed() }),
            Err(AggregationError::InsufficientWeight { .. }) => Err(insufficient(progress)),
        }
    }
}
