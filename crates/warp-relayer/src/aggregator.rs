//! The asynchronous aggregator: asks a source's validators for their signatures
//! over ACP-118, concurrently, and folds enough stake into one signed message.
//!
//! 1. Validators are asked **heaviest first** (ties by canonical index), at most
//!    [`AggregatorConfig::max_in_flight`] at a time, each through its first node
//!    ID, each request bounded by [`AggregatorConfig::request_timeout`].
//! 2. Each answer is decoded and verified against that validator's key. A wrong
//!    or unparseable signature is dropped and counted ([`Progress::invalid`]),
//!    never aggregated.
//! 3. Asking stops as soon as the verified weight meets the exact quorum
//!    inequality (`num × total ≤ den × signed`, against the set's total weight,
//!    the check the receiver makes). Outstanding requests are cancelled.
//! 4. The result is the smallest heaviest-first subset of the verified
//!    signatures that meets the quorum ([`awm_core::aggregate_verified`]).
//!
//! Everything ends at [`AggregatorConfig::deadline`]; without the quorum by then
//! (or once every validator has answered or failed), the error carries the
//! weight gathered and needed and what happened to each request.

use std::sync::Arc;
use std::time::Duration;

use awm_core::acp118::{decode_signature_response, encode_signature_request};
use awm_core::bls::Signature;
use awm_core::{
    aggregate_verified, Aggregated, AggregationError, CanonicalValidatorSet, Quorum, UnsignedMessage,
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
    /// How long the whole aggregation may take.
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
    /// Validators asked.
    pub asked: usize,
    /// Valid signatures received.
    pub valid: usize,
    /// Answers whose signature did not parse or verify (dropped).
    pub invalid: usize,
    /// Validators that refused or were unreachable.
    pub refused: usize,
    /// Requests that timed out.
    pub timed_out: usize,
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
        let deadline = started.checked_add(self.config.deadline).unwrap_or(started);
        let total = set.total_weight();
        let mut progress = Progress { needed: quorum.required_weight(total), total, ..Progress::default() };
        let message = Arc::new(unsigned.to_bytes());
        let request = encode_signature_request(&message, &[]);

        let validators = set.validators();
        let mut order: Vec<usize> = (0..validators.len()).collect();
        order.sort_by_key(|i| (std::cmp::Reverse(validators.get(*i).map_or(0, |v| v.weight)), *i));
        let mut queue = order.into_iter();
        let mut in_flight = JoinSet::new();
        let mut verified: Vec<(usize, Signature)> = Vec::new();
        let mut deadline_passed = false;

        loop {
            // Checked before topping up, so no request goes out once the quorum holds.
            if quorum.is_met(progress.gathered, total) && !verified.is_empty() {
                break;
            }
            while in_flight.len() < self.config.max_in_flight.max(1) {
                let Some(index) = queue.next() else { break };
                let Some(validator) = validators.get(index) else { continue };
                let Some(node) = validator.node_ids.first().copied() else { continue };
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
            let next = match tokio::time::timeout_at(deadline, in_flight.join_next()).await {
                Err(_) => {
                    deadline_passed = true;
                    break;
                }
                Ok(None) => break,
                Ok(Some(joined)) => joined,
            };
            // A task only fails if it panicked or was cancelled: count it as refused.
            let (index, answer) = next.unwrap_or((usize::MAX, Answer::Refused));
            match answer {
                Answer::Valid(sig) => {
                    progress.valid = progress.valid.saturating_add(1);
                    let weight = validators.get(index).map_or(0, |v| v.weight);
                    progress.gathered = progress.gathered.saturating_add(weight);
                    verified.push((index, sig));
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
