//! The relayer: follows a source chain's accepted blocks and carries each warp
//! message its routes name to the destination chain.
//!
//! For each `SendWarpMessage` in an accepted block whose `AddressedCall` source
//! address has a [`Route`]:
//!
//! 1. skip it if this relayer already delivered it (it remembers message IDs);
//! 2. find the set the destination will check it against (its P-Chain height
//!    and its quorum for the source, from the destination's own config) and
//!    aggregate signatures ([`Aggregator`]);
//! 3. build the destination transaction, an EIP-1559 transaction signed by the
//!    relayer's [`Wallet`]: the signed message as the predicate of the access
//!    list's first warp tuple, the route's calldata, a fee cap of twice the base
//!    fee, and a gas limit of the intrinsic gas (21,000, calldata and
//!    `predicate_gas`) plus the execution an `eth_estimateGas`-like call
//!    measured, plus a quarter;
//! 4. submit it to the destination's mempool and wait for its receipt; confirm
//!    the predicate verified and the call succeeded.
//!
//! Delivery is at least once with no double delivery: a failed attempt is
//! retried up to [`RelayerConfig::attempts`] times, the relayer never submits a
//! message it delivered again, and a message some other relayer already delivered shows up
//! in the simulation as the app's replay refusal ([`RelayEvent::AlreadyDelivered`]).

use std::collections::{HashSet, VecDeque};
use std::sync::{Arc, PoisonError};
use std::time::{Duration, Instant};

use alloy_consensus::TxEip1559;
use alloy_primitives::{Address, Bytes, TxKind, B256, U256};
use awm_core::{AddressedCall, Id, Payload, UnsignedMessage, WarpVerifier};
use futures_util::stream::{FuturesUnordered, StreamExt};
use thiserror::Error;
use warp_node::executor::call_env;
use warp_node::{sent_messages, Node, Wallet};
use warp_predicate::{warp_access_list, PredicateVerifier};

use crate::aggregator::{AggregateError, Aggregator, Progress};
use crate::client::ValidatorClient;

/// Calldata gas: 4 per zero byte, 16 per other byte.
fn calldata_gas(data: &[u8]) -> u64 {
    data.iter().fold(0u64, |sum, b| sum.saturating_add(if *b == 0 { 4 } else { 16 }))
}

/// Where messages from one source address go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    /// A name for the timeline.
    pub name: String,
    /// The sending contract on the source chain (the `AddressedCall` source address).
    pub source_address: Address,
    /// The receiving contract on the destination chain.
    pub destination: Address,
    /// The call that consumes the message (it reads predicate index 0).
    pub calldata: Bytes,
    /// Which 32-byte word of the `AddressedCall` payload names the destination
    /// blockchain ID (1 for `CrossChainMessenger`'s `abi.encode(nonce,
    /// destinationChainID, …)`): a message naming another chain is not this
    /// route's, so a relayer to one of several chains only carries its own.
    /// `None`: every message of the source address is.
    pub destination_chain_word: Option<usize>,
}

/// What the relayer did, for a timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayEvent {
    /// A message for a route was found in an accepted block.
    Seen {
        /// The message ID.
        id: Id,
        /// The route's name.
        route: String,
        /// The source block.
        block: u64,
    },
    /// Aggregation progress.
    Progress {
        /// The message ID.
        id: Id,
        /// Where it stands.
        progress: Progress,
    },
    /// Enough stake signed.
    Aggregated {
        /// The message ID.
        id: Id,
        /// Signers in the bitset.
        signers: usize,
        /// Their weight.
        signed_weight: u64,
        /// The weight the quorum needed.
        needed: u64,
        /// The counts when it stopped.
        progress: Progress,
        /// How long it took.
        elapsed: Duration,
    },
    /// The destination transaction was submitted.
    Submitted {
        /// The message ID.
        id: Id,
        /// The transaction hash.
        tx: B256,
        /// Its gas limit.
        gas_limit: u64,
        /// The predicate's part of it.
        predicate_gas: u64,
    },
    /// The receiver's effect is confirmed.
    Delivered(Delivery),
    /// The message had already been delivered (by this relayer or, per the app, another).
    AlreadyDelivered {
        /// The message ID.
        id: Id,
    },
    /// An attempt failed; the message will be tried again.
    Retrying {
        /// The message ID.
        id: Id,
        /// The attempt that failed (1-based).
        attempt: u32,
        /// Why.
        reason: String,
    },
    /// The message could not be delivered (after every attempt).
    Failed {
        /// The message ID.
        id: Id,
        /// Why.
        reason: String,
    },
}

/// A confirmed delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Delivery {
    /// The message ID.
    pub id: Id,
    /// The route's name.
    pub route: String,
    /// The destination transaction.
    pub tx: B256,
    /// The destination block.
    pub block: u64,
    /// Gas used.
    pub gas_used: u64,
    /// Signers in the bitset.
    pub signers: usize,
    /// From the block accept on the source to the receipt on the destination.
    pub elapsed: Duration,
}

/// Why a message could not be delivered.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RelayError {
    /// The destination cannot find the source's validator set.
    #[error("validator set for source chain {chain}: {reason}")]
    ValidatorSet {
        /// The source chain.
        chain: Id,
        /// Why.
        reason: String,
    },
    /// Aggregation did not reach the quorum.
    #[error(transparent)]
    Aggregate(#[from] AggregateError),
    /// The destination would not accept the predicate.
    #[error("the destination rejects the predicate: {0}")]
    Predicate(String),
    /// The destination's mempool refused the transaction.
    #[error("the destination refused the transaction: {0}")]
    Submit(String),
    /// The simulated call reverted (for a reason other than a replay).
    #[error("the destination call reverts in simulation (output 0x{output})")]
    Reverts {
        /// The revert data, hex.
        output: String,
    },
    /// No receipt before the timeout.
    #[error("transaction {tx} has no receipt after {timeout:?}")]
    NoReceipt {
        /// The transaction.
        tx: B256,
        /// How long the relayer waited.
        timeout: Duration,
    },
    /// The transaction ran but the effect is not there.
    #[error("transaction {tx} in block {block}: success {success}, failed predicates {failed:?}")]
    NotConfirmed {
        /// The transaction.
        tx: B256,
        /// Its block.
        block: u64,
        /// Whether the call succeeded.
        success: bool,
        /// Failed predicate indices.
        failed: Vec<usize>,
    },
}

/// The relayer's settings.
#[derive(Debug, Clone)]
pub struct RelayerConfig {
    /// The account that signs and pays for destination transactions.
    pub wallet: Wallet,
    /// Where messages go.
    pub routes: Vec<Route>,
    /// How long to wait for a receipt.
    pub receipt_timeout: Duration,
    /// Selectors of app errors that mean "already delivered" (for example
    /// `AlreadyReceived(bytes32)`).
    pub replay_errors: Vec<[u8; 4]>,
    /// How many times a message is tried before it is reported as failed (at
    /// least once).
    pub attempts: u32,
    /// How many messages [`Relayer::run`] carries at once (at least one): each
    /// is aggregated, submitted and confirmed on its own, so messages may land
    /// out of order; submissions take the relayer's nonces in turn.
    pub concurrency: usize,
}

/// Carries messages from one chain to another.
#[derive(Debug)]
pub struct Relayer<C> {
    source: Arc<Node>,
    destination: Arc<Node>,
    aggregator: Aggregator<C>,
    config: RelayerConfig,
    delivered: HashSet<Id>,
    next_block: u64,
}

impl<C: ValidatorClient> Relayer<C> {
    /// A relayer from `source` to `destination`, starting at the source's first block.
    pub fn new(
        source: Arc<Node>,
        destination: Arc<Node>,
        aggregator: Aggregator<C>,
        config: RelayerConfig,
    ) -> Self {
        Self { source, destination, aggregator, config, delivered: HashSet::new(), next_block: 1 }
    }

    /// The IDs of the messages delivered.
    pub fn delivered(&self) -> &HashSet<Id> {
        &self.delivered
    }

    /// Relays every routed message of source block `number`, one after the
    /// other, reporting to `on_event`.
    pub async fn relay_block(&mut self, number: u64, on_event: &mut (impl FnMut(RelayEvent) + Send)) {
        let accepted = Instant::now();
        let events = std::sync::Mutex::new(on_event);
        let emit = |event: RelayEvent| (events.lock().unwrap_or_else(PoisonError::into_inner))(event);
        for (msg, route) in self.routed(number) {
            let id = msg.id();
            emit(RelayEvent::Seen { id, route: route.name.clone(), block: number });
            if self.delivered.contains(&id) {
                emit(RelayEvent::AlreadyDelivered { id });
                continue;
            }
            let outcome = self.deliver(&msg, &route, &emit).await;
            conclude(&mut self.delivered, id, &route, outcome, accepted, &emit);
        }
    }

    /// Follows the source's accepted blocks until the task is dropped (or the
    /// source's node is), carrying up to [`RelayerConfig::concurrency`]
    /// messages at once.
    pub async fn run(mut self, on_event: impl FnMut(RelayEvent) + Send) {
        let events = std::sync::Mutex::new(on_event);
        let emit = |event: RelayEvent| (events.lock().unwrap_or_else(PoisonError::into_inner))(event);
        let mut head = self.source.subscribe();
        let mut delivered = std::mem::take(&mut self.delivered);
        let mut next_block = self.next_block;
        let limit = self.config.concurrency.max(1);
        let this = &self;
        let mut queue: VecDeque<(u64, UnsignedMessage, Route, Instant)> = VecDeque::new();
        let mut carrying: HashSet<Id> = HashSet::new();
        let mut in_flight = FuturesUnordered::new();
        let mut open = true;
        loop {
            let latest = *head.borrow_and_update();
            while next_block <= latest {
                let seen = Instant::now();
                queue.extend(this.routed(next_block).into_iter().map(|(m, r)| (next_block, m, r, seen)));
                next_block = next_block.saturating_add(1);
            }
            while in_flight.len() < limit {
                let Some((block, msg, route, seen)) = queue.pop_front() else { break };
                let id = msg.id();
                emit(RelayEvent::Seen { id, route: route.name.clone(), block });
                if delivered.contains(&id) || !carrying.insert(id) {
                    emit(RelayEvent::AlreadyDelivered { id });
                    continue;
                }
                let emit = &emit;
                in_flight.push(async move {
                    let outcome = this.deliver(&msg, &route, emit).await;
                    (id, route, outcome, seen)
                });
            }
            if !open && in_flight.is_empty() {
                return;
            }
            tokio::select! {
                changed = head.changed(), if open => open = changed.is_ok(),
                Some((id, route, outcome, seen)) = in_flight.next(), if !in_flight.is_empty() => {
                    carrying.remove(&id);
                    conclude(&mut delivered, id, &route, outcome, seen, &emit);
                }
            }
        }
    }

    /// The routed messages of source block `number`.
    fn routed(&self, number: u64) -> Vec<(UnsignedMessage, Route)> {
        let Some(receipts) = self.source.with_chain(|c| c.block(number).map(|(_, r)| r.to_vec())) else {
            return Vec::new();
        };
        sent_messages(&receipts).into_iter().filter_map(|m| self.route_of(&m).map(|r| (m, r))).collect()
    }

    /// Tries a message up to [`RelayerConfig::attempts`] times.
    async fn deliver(
        &self,
        msg: &UnsignedMessage,
        route: &Route,
        emit: &(impl Fn(RelayEvent) + Sync),
    ) -> Result<Option<(B256, u64, u64, usize)>, RelayError> {
        let attempts = self.config.attempts.max(1);
        let mut attempt = 1;
        loop {
            match self.relay(msg, route, emit).await {
                Err(e) if attempt < attempts => {
                    emit(RelayEvent::Retrying { id: msg.id(), attempt, reason: e.to_string() });
                    attempt = attempt.saturating_add(1);
                }
                outcome => return outcome,
            }
        }
    }

    fn route_of(&self, msg: &UnsignedMessage) -> Option<Route> {
        let Ok(Payload::AddressedCall(call)) = msg.parsed_payload() else { return None };
        let sender = sender_address(&call)?;
        let destination = self.destination.with_chain(|c| c.config().blockchain_id);
        self.config
            .routes
            .iter()
            .find(|r| {
                r.source_address == sender
                    && r.destination_chain_word.is_none_or(|word| {
                        let start = word.saturating_mul(32);
                        call.payload().get(start..start.saturating_add(32)) == Some(destination.0.as_slice())
                    })
            })
            .cloned()
    }

    /// Delivers one message: `Ok(None)` if the app says it was already delivered.
    async fn relay(
        &self,
        msg: &UnsignedMessage,
        route: &Route,
        on_event: &(impl Fn(RelayEvent) + Sync),
    ) -> Result<Option<(B256, u64, u64, usize)>, RelayError> {
        let id = msg.id();
        let dest_config = self.destination.with_chain(|c| c.config().clone());
        let timestamp = self.destination.with_chain(|c| c.head_timestamp().saturating_add(1));
        let params = dest_config
            .warp_at(timestamp)
            .ok_or_else(|| RelayError::Predicate("warp is not enabled on the destination".into()))?;
        let registry = Arc::clone(self.destination.registry());
        let height = registry.height();
        let verifier = WarpVerifier::new(&*registry, dest_config.warp_config(params));
        let (set, quorum) = verifier
            .signing_set(&msg.source_chain_id(), height)
            .map_err(|e| RelayError::ValidatorSet { chain: msg.source_chain_id(), reason: e.to_string() })?;

        let outcome = self
            .aggregator
            .aggregate(msg, &set, quorum, |progress| {
                on_event(RelayEvent::Progress { id, progress: *progress })
            })
            .await?;
        let aggregated = &outcome.aggregated;
        on_event(RelayEvent::Aggregated {
            id,
            signers: aggregated.signers.len(),
            signed_weight: aggregated.signed_weight,
            needed: outcome.progress.needed,
            progress: outcome.progress,
            elapsed: outcome.elapsed,
        });

        let signed = aggregated.message.to_bytes();
        let access_list = warp_access_list([signed.as_slice()]);
        let block_gas_limit = dest_config.gas_limit;
        let schedule = dest_config
            .schedule_at(timestamp)
            .ok_or_else(|| RelayError::Predicate("warp is not active on the destination".into()))?;
        let check = PredicateVerifier::new(verifier, schedule)
            .check_tx(&access_list, height)
            .map_err(|e| RelayError::Predicate(e.to_string()))?;
        if !check.failures.is_empty() {
            return Err(RelayError::Predicate(format!(
                "predicates {:?} fail verification",
                check.failures.indices().collect::<Vec<_>>()
            )));
        }

        let wallet = &self.config.wallet;
        let env = call_env(
            wallet.address(),
            TxKind::Call(route.destination),
            route.calldata.clone(),
            U256::ZERO,
            block_gas_limit,
            access_list.clone(),
        );
        let simulated = self
            .destination
            .with_chain(|c| c.call(env, check.failures.clone(), timestamp))
            .map_err(|e| RelayError::Predicate(e.to_string()))?;
        if !simulated.success {
            let selector = simulated.output.get(..4).and_then(|s| <[u8; 4]>::try_from(s).ok());
            if selector.is_some_and(|s| self.config.replay_errors.contains(&s)) {
                return Ok(None);
            }
            return Err(RelayError::Reverts { output: alloy_primitives::hex::encode(&simulated.output) });
        }
        let intrinsic =
            21_000u64.saturating_add(calldata_gas(&route.calldata)).saturating_add(check.gas.with_predicates);
        // This chain applies no refunds: what the call used is what it needs.
        let execution = simulated.gas_used.saturating_sub(intrinsic);
        let gas_limit =
            intrinsic.saturating_add(execution).saturating_add(execution / 4).min(block_gas_limit);
        let predicate_gas = check.gas.with_predicates;
        let base_fee = self.destination.with_chain(|c| c.base_fee_at(timestamp));
        let tx = TxEip1559 {
            chain_id: dest_config.evm_chain_id,
            nonce: self.destination.next_nonce(wallet.address()),
            gas_limit,
            max_fee_per_gas: u128::from(base_fee).saturating_mul(2),
            max_priority_fee_per_gas: 0,
            to: TxKind::Call(route.destination),
            value: U256::ZERO,
            access_list,
            input: route.calldata.clone(),
        };
        let hash = self
            .destination
            .submit(wallet.sign_envelope(tx))
            .map_err(|e| RelayError::Submit(e.to_string()))?;
        on_event(RelayEvent::Submitted { id, tx: hash, gas_limit, predicate_gas });
        let (block, receipt) = self
            .destination
            .wait_for_receipt(hash, self.config.receipt_timeout)
            .await
            .ok_or(RelayError::NoReceipt { tx: hash, timeout: self.config.receipt_timeout })?;
        if !receipt.success || !receipt.failed_predicates.is_empty() {
            return Err(RelayError::NotConfirmed {
                tx: hash,
                block,
                success: receipt.success,
                failed: receipt.failed_predicates,
            });
        }
        Ok(Some((hash, block, receipt.gas_used, aggregated.signers.len())))
    }
}

/// Reports how a message ended, remembering it in `delivered` if it is
/// delivered (by this relayer or, per the app, another).
fn conclude(
    delivered: &mut HashSet<Id>,
    id: Id,
    route: &Route,
    outcome: Result<Option<(B256, u64, u64, usize)>, RelayError>,
    seen: Instant,
    emit: &impl Fn(RelayEvent),
) {
    match outcome {
        Ok(Some((tx, block, gas_used, signers))) => {
            delivered.insert(id);
            emit(RelayEvent::Delivered(Delivery {
                id,
                route: route.name.clone(),
                tx,
                block,
                gas_used,
                signers,
                elapsed: seen.elapsed(),
            }));
        }
        Ok(None) => {
            delivered.insert(id);
            emit(RelayEvent::AlreadyDelivered { id });
        }
        Err(e) => emit(RelayEvent::Failed { id, reason: e.to_string() }),
    }
}

/// The EVM sender of an `AddressedCall` (20-byte source address), if it is one.
fn sender_address(call: &AddressedCall) -> Option<Address> {
    <[u8; 20]>::try_from(call.source_address()).ok().map(Address::from)
}
