//! The relayer process: followers, deliveries and shutdown.
//!
//! - **Following.** One task per source: heads from WebSocket `newHeads` when
//!   a ws endpoint is configured (with a slow poll beside it, in case a
//!   notification is lost), `eth_blockNumber` polling otherwise. Each block's
//!   `SendWarpMessage` logs come from `eth_getLogs` by block hash; the
//!   messages of configured contracts and the new height are recorded in one
//!   redb transaction, then queued.
//! - **Delivering.** Up to `max-concurrent-messages` at once. A message is
//!   planned by its format ([`crate::format`]), signed (warp API or
//!   aggregator), checked against the source's validator set from the
//!   P-Chain API (so a bad answer costs no gas), estimated with its
//!   predicate, and sent as an EIP-1559 transaction. The signed transaction is
//!   recorded *before* it is sent. Without a receipt after
//!   `tx-inclusion-timeout-seconds`, the same nonce is signed again with fees
//!   12.5% higher (up to five times). The receipt (and, for Teleporter, the
//!   messenger's `ReceiveCrossChainMessage` event) confirms delivery.
//! - **Errors.** The destination refusing the call (a revert in the estimate,
//!   or a reverted transaction) ends the message as failed, once; a replay
//!   error the route names, or Teleporter's `messageReceived`, ends it as
//!   skipped. Transport errors and a missing quorum are retried with
//!   exponential back-off (0.5 s doubling to 60 s), without end.
//! - **Restarts.** Unfinished messages are taken up again first: for one with
//!   signed transactions, their receipts are checked; if none is included and
//!   the nonce is still free, the newest is sent again; if the nonce was used
//!   by another transaction, the message starts over. So a message is never
//!   delivered by two transactions of this relayer.

use std::collections::{HashMap, HashSet};
use std::future::Future;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use alloy_consensus::{Transaction, TxEip1559, TxEnvelope};
use alloy_primitives::{Address, Bytes, TxKind, B256, U256};
use alloy_rpc_types_eth::TransactionReceipt;
use alloy_sol_types::{SolCall, SolEvent};
use awm_core::{CanonicalValidatorSet, Id, Quorum, UnsignedMessage};
use jsonrpsee_core::client::SubscriptionClientT;
use jsonrpsee_core::rpc_params;
use thiserror::Error;
use tokio::sync::{mpsc, Semaphore};
use tokio::task::JoinSet;
use warp_node::Wallet;
use warp_predicate::warp_access_list;

use crate::config::{DestinationConfig, MessageFormat, RelayerConfig, SignatureSource, SourceConfig};
use crate::format::{self, DeliveryPlan, ITeleporterMessenger, Plan};
use crate::metrics::{self, Metrics, Pair};
use crate::rpc::{CallRequest, EvmRpc, PChainRpc, RpcError, SendWarpMessage};
use crate::signatures;
use crate::store::{MessageRecord, MessageState, SentTx, Store, StoreError};

/// How many times one transaction's fees are bumped before the message is retried later.
const MAX_BUMPS: usize = 5;
/// How many versions of one message's transaction are signed in all (the first
/// and its bumps, over every attempt): fees stop rising there (about 2.6× the first).
const MAX_VERSIONS: usize = 9;
/// How often a receipt is polled.
const RECEIPT_POLL: Duration = Duration::from_millis(50);
/// How long in-flight deliveries may finish after a shutdown signal.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

/// Why the relayer could not start.
#[derive(Debug, Error)]
pub enum ServiceError {
    /// The store failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// An endpoint could not be set up.
    #[error(transparent)]
    Rpc(#[from] RpcError),
    /// A destination's account key is invalid.
    #[error("destination {chain}: {reason}")]
    Account {
        /// The destination.
        chain: Id,
        /// Why.
        reason: String,
    },
    /// The metrics port could not be bound.
    #[error("metrics-port {port}: {reason}")]
    Metrics {
        /// The port.
        port: u16,
        /// Why.
        reason: String,
    },
}

/// What the relayer did, for a log or a timeline.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum RelayerEvent {
    /// The metrics server listens here.
    MetricsListening(SocketAddr),
    /// A source is followed from this block on.
    Following {
        /// The source.
        source: Id,
        /// The first block to read.
        from: u64,
        /// Whether heads come over WebSocket.
        websocket: bool,
    },
    /// A message of a configured contract was found.
    Found {
        /// The message.
        id: Id,
        /// Its source.
        source: Id,
        /// Its block.
        block: u64,
    },
    /// A transaction was sent (or sent again with higher fees).
    Submitted {
        /// The message.
        id: Id,
        /// The destination.
        destination: Id,
        /// The transaction.
        tx: B256,
        /// Its nonce.
        nonce: u64,
        /// Its gas limit.
        gas_limit: u64,
    },
    /// Delivered and confirmed.
    Delivered {
        /// The message.
        id: Id,
        /// The destination.
        destination: Id,
        /// The transaction.
        tx: B256,
        /// Its block.
        block: u64,
        /// Gas used.
        gas_used: u64,
        /// From found (or taken up again) to confirmed.
        elapsed: Duration,
    },
    /// Skipped on purpose.
    Skipped {
        /// The message.
        id: Id,
        /// Why.
        reason: String,
    },
    /// Refused or given up on; not retried.
    Failed {
        /// The message.
        id: Id,
        /// Why.
        reason: String,
    },
    /// A transient failure; the message is tried again later.
    Retrying {
        /// The message.
        id: Id,
        /// After this long.
        after: Duration,
        /// Why.
        reason: String,
    },
    /// A source could not be read; the follower tries again.
    SourceError {
        /// The source.
        source: Id,
        /// Why.
        reason: String,
    },
}

/// Where events go.
pub type Report = Arc<dyn Fn(RelayerEvent) + Send + Sync>;

/// Logs an event through `tracing` (the `warp relayer` command's report):
/// one line per event, its fields as key-value pairs.
pub fn log_event(event: &RelayerEvent) {
    match event {
        RelayerEvent::MetricsListening(address) => tracing::info!(%address, "metrics listening"),
        RelayerEvent::Following { source, from, websocket } => {
            tracing::info!(%source, from, websocket, "following source")
        }
        RelayerEvent::Found { id, source, block } => tracing::info!(id = %id, %source, block, "found"),
        RelayerEvent::Submitted { id, destination, tx, nonce, gas_limit } => {
            tracing::info!(id = %id, %destination, %tx, nonce, gas_limit, "submitted")
        }
        RelayerEvent::Delivered { id, destination, tx, block, gas_used, elapsed } => tracing::info!(
            id = %id, %destination, %tx, block, gas_used, elapsed_ms = elapsed.as_millis(), "delivered"
        ),
        RelayerEvent::Skipped { id, reason } => tracing::info!(id = %id, %reason, "skipped"),
        RelayerEvent::Failed { id, reason } => tracing::warn!(id = %id, %reason, "failed"),
        RelayerEvent::Retrying { id, after, reason } => {
            tracing::info!(id = %id, after_ms = after.as_millis(), %reason, "retrying")
        }
        RelayerEvent::SourceError { source, reason } => tracing::warn!(%source, %reason, "source error"),
    }
}

struct Source {
    config: SourceConfig,
    rpc: EvmRpc,
}

impl Source {
    fn format_of(&self, sender: &Address) -> Option<&MessageFormat> {
        self.config.message_contracts.iter().find(|(a, _)| a == sender).map(|(_, f)| f)
    }
}

struct Destination {
    config: DestinationConfig,
    rpc: EvmRpc,
    wallet: Wallet,
    chain_id: tokio::sync::OnceCell<u64>,
    /// The next nonce, once known; `None` after a send failed.
    nonce: tokio::sync::Mutex<Option<u64>>,
    /// The highest nonce recorded in the store, plus one (at start).
    stored_next: u64,
}

struct Inner {
    config: RelayerConfig,
    store: Store,
    metrics: Arc<Metrics>,
    sources: Vec<Source>,
    destinations: Vec<Destination>,
    accounts: Vec<(Id, Address)>,
    pchain: PChainRpc,
    sets: Mutex<HashMap<(Id, u64), Arc<CanonicalValidatorSet>>>,
    report: Report,
    /// Messages being delivered, and when each was found or taken up.
    in_flight: Mutex<HashMap<Id, Instant>>,
    /// Failed attempts per message (for back-off).
    attempts: Mutex<HashMap<Id, u32>>,
}

/// How one attempt ended.
enum Attempt {
    /// Nothing more to do.
    Done,
    /// Try again after a back-off.
    Retry(String),
}

fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}

fn pair(source: &Id, destination: Option<&Id>) -> Pair {
    Pair {
        source: source.to_string(),
        destination: destination.map_or_else(|| "unknown".into(), Id::to_string),
    }
}

/// Runs the relayer until `shutdown` completes, then lets in-flight
/// deliveries finish for up to five seconds (their progress is durable
/// either way).
pub async fn run(
    config: RelayerConfig,
    shutdown: impl Future<Output = ()> + Send,
    report: Report,
) -> Result<(), ServiceError> {
    let store = if config.storage_location.as_os_str().is_empty() {
        Store::in_memory()?
    } else {
        Store::open(&config.storage_location)?
    };
    let metrics = Arc::new(Metrics::new());
    let mut stored_next: HashMap<B256, u64> = HashMap::new();
    // Unfinished messages only: the history of final ones is not read.
    let recorded = store.unfinished()?;
    for (_, record) in &recorded {
        if let MessageState::Submitted { destination, nonce, .. } = &record.state {
            let next = stored_next.entry(*destination).or_default();
            *next = (*next).max(nonce.saturating_add(1));
        }
    }
    let mut sources = Vec::new();
    for s in &config.sources {
        sources.push(Source { config: s.clone(), rpc: EvmRpc::new(&s.rpc_url)? });
    }
    let mut destinations = Vec::new();
    let mut accounts = Vec::new();
    for d in &config.destinations {
        let wallet = Wallet::from_bytes(&d.private_key)
            .map_err(|e| ServiceError::Account { chain: d.blockchain_id, reason: e.to_string() })?;
        accounts.push((d.blockchain_id, wallet.address()));
        destinations.push(Destination {
            rpc: EvmRpc::new(&d.rpc_url)?,
            wallet,
            chain_id: tokio::sync::OnceCell::new(),
            nonce: tokio::sync::Mutex::new(None),
            stored_next: stored_next.get(&B256::from(*d.blockchain_id.as_bytes())).copied().unwrap_or(0),
            config: d.clone(),
        });
    }
    let inner = Arc::new(Inner {
        pchain: PChainRpc::new(&config.p_chain_api)?,
        config,
        store,
        metrics: Arc::clone(&metrics),
        sources,
        destinations,
        accounts,
        sets: Mutex::new(HashMap::new()),
        report,
        in_flight: Mutex::new(HashMap::new()),
        attempts: Mutex::new(HashMap::new()),
    });
    let mut background = JoinSet::new();
    let mut metrics_server = None;
    if let Some(port) = inner.config.metrics_port {
        let (address, task) = metrics::serve(Arc::clone(&metrics), port)
            .await
            .map_err(|e| ServiceError::Metrics { port, reason: e.to_string() })?;
        (inner.report)(RelayerEvent::MetricsListening(address));
        metrics_server = Some(task);
    }
    let (queue, mut jobs) = mpsc::unbounded_channel::<Id>();
    // Unfinished messages first, in the order they were found.
    let mut unfinished = recorded;
    unfinished.sort_by_key(|(_, r)| (r.source, r.height));
    for (id, _) in unfinished {
        let _ = queue.send(id);
    }
    for index in 0..inner.sources.len() {
        let (inner, queue) = (Arc::clone(&inner), queue.clone());
        background.spawn(async move { follow(inner, index, queue).await });
    }
    let permits = Arc::new(Semaphore::new(inner.config.max_concurrent_messages));
    let mut deliveries = JoinSet::new();
    tokio::pin!(shutdown);
    loop {
        // A free slot first, then a message: both give way to the shutdown.
        let permit = tokio::select! {
            () = &mut shutdown => break,
            permit = Arc::clone(&permits).acquire_owned() => match permit {
                Ok(permit) => permit,
                Err(_) => break,
            },
        };
        tokio::select! {
            () = &mut shutdown => break,
            Some(id) = jobs.recv() => {
                {
                    let mut in_flight = lock(&inner.in_flight);
                    if in_flight.contains_key(&id) {
                        continue;
                    }
                    in_flight.insert(id, Instant::now());
                }
                let (inner, queue) = (Arc::clone(&inner), queue.clone());
                deliveries.spawn(async move {
                    let attempt = deliver(&inner, id).await;
                    lock(&inner.in_flight).remove(&id);
                    drop(permit);
                    if let Attempt::Retry(reason) = attempt {
                        let failures = {
                            let mut attempts = lock(&inner.attempts);
                            let n = attempts.entry(id).or_insert(0);
                            *n = n.saturating_add(1);
                            *n
                        };
                        let after = Duration::from_millis(500u64.saturating_mul(1u64 << failures.min(8).saturating_sub(1)))
                            .min(Duration::from_secs(60));
                        (inner.report)(RelayerEvent::Retrying { id, after, reason });
                        tokio::spawn(async move {
                            tokio::time::sleep(after).await;
                            let _ = queue.send(id);
                        });
                    } else {
                        lock(&inner.attempts).remove(&id);
                    }
                });
            }
            Some(_) = deliveries.join_next(), if !deliveries.is_empty() => {}
        }
    }
    background.abort_all();
    if let Some(server) = metrics_server {
        server.abort();
    }
    let _ =
        tokio::time::timeout(SHUTDOWN_GRACE, async { while deliveries.join_next().await.is_some() {} }).await;
    deliveries.abort_all();
    Ok(())
}

/// The chain's head: waits for a `newHeads` notification (or a second's poll)
/// with a subscription, else sleeps the poll interval and asks.
async fn next_head(
    source: &Source,
    poll: Duration,
    heads: &mut Option<(
        jsonrpsee_ws_client::WsClient,
        jsonrpsee_core::client::Subscription<serde_json::Value>,
    )>,
) -> Result<u64, RpcError> {
    if let Some((_, subscription)) = heads.as_mut() {
        tokio::select! {
            notification = subscription.next() => match notification {
                Some(Ok(head)) => {
                    if let Some(number) = head.get("number").and_then(|n| serde_json::from_value::<alloy_primitives::U64>(n.clone()).ok()) {
                        return Ok(number.to());
                    }
                }
                _ => *heads = None,
            },
            () = tokio::time::sleep(Duration::from_secs(1)) => {}
        }
    } else {
        tokio::time::sleep(poll).await;
    }
    source.rpc.block_number().await
}

async fn subscribe_heads(
    url: &str,
) -> Option<(jsonrpsee_ws_client::WsClient, jsonrpsee_core::client::Subscription<serde_json::Value>)> {
    let connect = async {
        let client = jsonrpsee_ws_client::WsClientBuilder::default().build(url).await.ok()?;
        let subscription = client
            .subscribe::<serde_json::Value, _>("eth_subscribe", rpc_params!["newHeads"], "eth_unsubscribe")
            .await
            .ok()?;
        Some((client, subscription))
    };
    tokio::time::timeout(Duration::from_secs(5), connect).await.ok().flatten()
}

/// Follows source `index`, recording and queueing its messages.
async fn follow(inner: Arc<Inner>, index: usize, queue: mpsc::UnboundedSender<Id>) {
    let Some(source) = inner.sources.get(index) else { return };
    let chain = source.config.blockchain_id;
    let label = metrics::Source { source: chain.to_string() };
    let report_error = |reason: String| (inner.report)(RelayerEvent::SourceError { source: chain, reason });
    // Where to start: after the recorded height, or the configured height, or
    // after the current head (recorded at once, so a restart carries what was
    // sent in between).
    let mut next = loop {
        let start = match inner.store.height(&chain) {
            Ok(Some(height)) => Ok(height.saturating_add(1)),
            Ok(None) => match source.config.start_height {
                Some(height) => Ok(height.max(1)),
                None => match source.rpc.block_number().await {
                    Ok(head) => inner
                        .store
                        .record_block(&chain, head, Vec::new())
                        .map(|_| head.saturating_add(1))
                        .map_err(|e| e.to_string()),
                    Err(e) => Err(e.to_string()),
                },
            },
            Err(e) => Err(e.to_string()),
        };
        match start {
            Ok(next) => break next,
            Err(reason) => {
                report_error(reason);
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
    };
    let mut heads = match &source.config.ws_url {
        Some(url) => subscribe_heads(url).await,
        None => None,
    };
    (inner.report)(RelayerEvent::Following { source: chain, from: next, websocket: heads.is_some() });
    let mut head = next.saturating_sub(1);
    loop {
        while next <= head {
            match scan_block(&inner, source, next).await {
                Ok(fresh) => {
                    inner.metrics.height.get_or_create(&label).set(i64::try_from(next).unwrap_or(i64::MAX));
                    for id in fresh {
                        let _ = queue.send(id);
                    }
                    next = next.saturating_add(1);
                }
                Err(reason) => {
                    report_error(reason);
                    tokio::time::sleep(Duration::from_secs(1)).await;
                }
            }
        }
        match next_head(source, inner.config.poll_interval, &mut heads).await {
            Ok(latest) => head = latest,
            Err(e) => {
                report_error(e.to_string());
                tokio::time::sleep(Duration::from_secs(1)).await;
            }
        }
        if heads.is_none() {
            if let Some(url) = &source.config.ws_url {
                heads = subscribe_heads(url).await;
            }
        }
    }
}

/// Reads block `number` of `source` and records its messages with the new
/// height; returns the IDs that were new.
async fn scan_block(inner: &Inner, source: &Source, number: u64) -> Result<Vec<Id>, String> {
    let chain = source.config.blockchain_id;
    let hash = source
        .rpc
        .block_hash(number)
        .await
        .map_err(|e| e.to_string())?
        .ok_or_else(|| format!("block {number} of {chain} is not available yet"))?;
    let logs = source.rpc.warp_logs(hash).await.map_err(|e| e.to_string())?;
    let mut records = Vec::new();
    let mut destinations = Vec::new();
    for log in logs {
        let Ok(event) = SendWarpMessage::decode_log_data(&log.inner.data) else { continue };
        let Ok(unsigned) = UnsignedMessage::parse(&event.message) else { continue };
        if unsigned.source_chain_id() != chain {
            continue;
        }
        let Some(sender) = format::sender(&unsigned) else { continue };
        let Some(format) = source.format_of(&sender) else { continue };
        let destination = match format::plan(&unsigned, format, &inner.accounts) {
            Plan::Deliver(plan) => Some(plan.destination),
            Plan::Skip(_) => None,
        };
        let record = MessageRecord {
            source: B256::from(*chain.as_bytes()),
            height: number,
            unsigned: event.message.clone(),
            state: MessageState::Pending,
        };
        records.push((unsigned.id(), record));
        destinations.push((unsigned.id(), destination));
    }
    let fresh = inner.store.record_block(&chain, number, records).map_err(|e| e.to_string())?;
    let mut ids = Vec::new();
    for (id, _) in fresh {
        let destination = destinations.iter().find(|(m, _)| *m == id).and_then(|(_, d)| d.as_ref());
        inner.metrics.seen.get_or_create(&pair(&chain, destination)).inc();
        (inner.report)(RelayerEvent::Found { id, source: chain, block: number });
        ids.push(id);
    }
    Ok(ids)
}

impl Inner {
    fn finish(&self, id: Id, source: &Id, destination: Option<&Id>, state: MessageState) -> Attempt {
        if let Err(e) = self.store.set_state(&id, state.clone()) {
            return Attempt::Retry(e.to_string());
        }
        let labels = pair(source, destination);
        match state {
            MessageState::Skipped { reason } => {
                self.metrics.skipped.get_or_create(&labels).inc();
                (self.report)(RelayerEvent::Skipped { id, reason });
            }
            MessageState::Failed { reason } => {
                self.metrics.failed.get_or_create(&labels).inc();
                (self.report)(RelayerEvent::Failed { id, reason });
            }
            _ => {}
        }
        Attempt::Done
    }

    async fn validator_set(&self, subnet: &Id) -> Result<(Arc<CanonicalValidatorSet>, u64), RpcError> {
        let height = self.pchain.height().await?;
        if let Some(set) = lock(&self.sets).get(&(*subnet, height)) {
            return Ok((Arc::clone(set), height));
        }
        let set = Arc::new(self.pchain.validators_at(subnet, height).await?);
        let mut sets = lock(&self.sets);
        if sets.len() > 64 {
            sets.clear();
        }
        sets.insert((*subnet, height), Arc::clone(&set));
        Ok((set, height))
    }
}

/// One attempt at delivering message `id`.
async fn deliver(inner: &Inner, id: Id) -> Attempt {
    let record = match inner.store.get(&id) {
        Ok(Some(record)) => record,
        Ok(None) => return Attempt::Done,
        Err(e) => return Attempt::Retry(e.to_string()),
    };
    if record.state.is_final() {
        return Attempt::Done;
    }
    let source_id = Id::from(record.source.0);
    let unsigned = match UnsignedMessage::parse(&record.unsigned) {
        Ok(unsigned) => unsigned,
        Err(e) => {
            return inner.finish(
                id,
                &source_id,
                None,
                MessageState::Failed { reason: format!("unreadable: {e}") },
            )
        }
    };
    let plan = inner
        .sources
        .iter()
        .find(|s| s.config.blockchain_id == source_id)
        .and_then(|s| format::sender(&unsigned).and_then(|a| s.format_of(&a)))
        .map(|f| format::plan(&unsigned, f, &inner.accounts));
    if let MessageState::Submitted { destination, nonce, txs } = &record.state {
        // Transactions may be out there: settle them whatever the plan now says.
        let destination = Id::from(destination.0);
        let Some(dest) = inner.destinations.iter().find(|d| d.config.blockchain_id == destination) else {
            return inner.finish(
                id,
                &source_id,
                Some(&destination),
                MessageState::Failed { reason: format!("destination {destination} is no longer configured") },
            );
        };
        let plan = match &plan {
            Some(Plan::Deliver(p)) => Some(p),
            _ => None,
        };
        return resume(inner, id, &source_id, dest, plan, *nonce, txs.clone()).await;
    }
    let plan = match plan {
        None => {
            return inner.finish(
                id,
                &source_id,
                None,
                MessageState::Skipped { reason: "its contract is no longer configured".into() },
            )
        }
        Some(Plan::Skip(reason)) => {
            return inner.finish(id, &source_id, None, MessageState::Skipped { reason })
        }
        Some(Plan::Deliver(plan)) => plan,
    };
    let Some(source) = inner.sources.iter().find(|s| s.config.blockchain_id == source_id) else {
        return Attempt::Done;
    };
    let Some(dest) = inner.destinations.iter().find(|d| d.config.blockchain_id == plan.destination) else {
        return Attempt::Done;
    };
    match fresh_delivery(inner, id, source, dest, &unsigned, &plan).await {
        Ok(attempt) => attempt,
        Err(reason) => Attempt::Retry(reason),
    }
}

/// Whether a Teleporter message was already received on its destination.
async fn teleporter_received(dest: &Destination, plan: &DeliveryPlan) -> Result<bool, String> {
    let Some(check) = &plan.teleporter else { return Ok(false) };
    let from = dest.wallet.address();
    let call = |input: Bytes| CallRequest { from, to: plan.to, input, access_list: Default::default() };
    let output = dest.rpc.eth_call(&call(check.id_calldata())).await.map_err(|e| e.to_string())?;
    let message_id = ITeleporterMessenger::calculateMessageIDCall::abi_decode_returns(&output)
        .map_err(|e| format!("calculateMessageID: {e}"))?;
    let input = ITeleporterMessenger::messageReceivedCall { messageID: message_id }.abi_encode();
    let output = dest.rpc.eth_call(&call(input.into())).await.map_err(|e| e.to_string())?;
    ITeleporterMessenger::messageReceivedCall::abi_decode_returns(&output)
        .map_err(|e| format!("messageReceived: {e}"))
}

async fn fresh_delivery(
    inner: &Inner,
    id: Id,
    source: &Source,
    dest: &Destination,
    unsigned: &UnsignedMessage,
    plan: &DeliveryPlan,
) -> Result<Attempt, String> {
    let source_id = source.config.blockchain_id;
    let destination = dest.config.blockchain_id;
    if teleporter_received(dest, plan).await? {
        return Ok(inner.finish(
            id,
            &source_id,
            Some(&destination),
            MessageState::Skipped { reason: "the destination already received it".into() },
        ));
    }
    // Signatures.
    let quorum = dest.config.quorum_for(&source_id);
    let percentage = quorum_percentage(quorum);
    let started = Instant::now();
    let (from, signed) = match &inner.config.signatures {
        SignatureSource::WarpApi => {
            (source.rpc.url().to_owned(), signatures::from_warp_api(&source.rpc, &id, percentage).await)
        }
        SignatureSource::Aggregator(url) => (
            url.clone(),
            signatures::aggregate_signatures(url, unsigned, &source.config.subnet_id, percentage).await,
        ),
    };
    let signed = signed.map_err(|e| e.to_string())?;
    let message = signatures::check_signed(&from, &signed, unsigned).map_err(|e| e.to_string())?;
    let (set, height) = inner.validator_set(&source.config.subnet_id).await.map_err(|e| e.to_string())?;
    let weight = message.verify(unsigned.network_id(), &set, quorum).map_err(|e| {
        format!("the signed message from {from} does not verify at P-Chain height {height}: {e}")
    })?;
    inner
        .metrics
        .aggregation
        .get_or_create(&metrics::Source { source: source_id.to_string() })
        .observe(started.elapsed().as_secs_f64());
    tracing::debug!(id = %id, signers = weight.signers, signed_weight = weight.signed_weight, "signed");

    // The transaction.
    let access_list = warp_access_list([signed.as_ref()]);
    let call = CallRequest {
        from: dest.wallet.address(),
        to: plan.to,
        input: plan.calldata.clone(),
        access_list: access_list.clone(),
    };
    let estimate = match dest.rpc.estimate_gas(&call).await {
        Ok(gas) => gas,
        Err(RpcError::Reverted { data, .. }) => {
            let selector = data.get(..4).and_then(|s| <[u8; 4]>::try_from(s).ok());
            let state = if selector.is_some_and(|s| plan.already_delivered.contains(&s)) {
                MessageState::Skipped {
                    reason: format!("the destination app says it was delivered ({data})"),
                }
            } else if teleporter_received(dest, plan).await.unwrap_or(false) {
                MessageState::Skipped { reason: "the destination already received it".into() }
            } else {
                MessageState::Failed {
                    reason: format!("the destination refuses the call: it reverts with {data}"),
                }
            };
            return Ok(inner.finish(id, &source_id, Some(&destination), state));
        }
        Err(e) => return Err(e.to_string()),
    };
    let predicate = if dest.config.estimate_includes_predicate_gas {
        0
    } else {
        let keys = access_list.0.first().map(|item| item.storage_keys.as_slice()).unwrap_or_default();
        warp_predicate::predicate_gas(keys, &dest.config.predicate_gas_schedule)
            .map_err(|e| e.to_string())?
            .gas
    };
    let needed = estimate.saturating_add(predicate);
    let mut gas_limit = needed.saturating_add(needed / 5).saturating_add(plan.extra_gas);
    if let Some(cap) = dest.config.block_gas_limit {
        gas_limit = gas_limit.min(cap);
    }
    let base_fee = dest.rpc.base_fee().await.map_err(|e| e.to_string())?;
    let suggested = dest.rpc.max_priority_fee().await.map_err(|e| e.to_string())?;
    let mut tip = suggested.saturating_add(dest.config.priority_fee_buffer);
    if let Some(cap) = dest.config.max_priority_fee {
        tip = tip.min(cap);
    }
    let mut base_part = base_fee.saturating_mul(2);
    if let Some(cap) = dest.config.max_base_fee {
        base_part = base_part.min(cap);
    }
    let chain_id = match dest.chain_id.get_or_try_init(|| dest.rpc.chain_id()).await {
        Ok(id) => *id,
        Err(e) => return Err(e.to_string()),
    };
    let template = TxEip1559 {
        chain_id,
        nonce: 0,
        gas_limit,
        max_fee_per_gas: base_part.saturating_add(tip),
        max_priority_fee_per_gas: tip,
        to: TxKind::Call(plan.to),
        value: U256::ZERO,
        access_list,
        input: plan.calldata.clone(),
    };

    // Sign, record, send: under the nonce lock, so nonces go out in order.
    let sent = {
        let mut next = dest.nonce.lock().await;
        let nonce = match *next {
            Some(nonce) => nonce,
            None => dest
                .rpc
                .nonce(dest.wallet.address(), "pending")
                .await
                .map_err(|e| e.to_string())?
                .max(dest.stored_next),
        };
        let tx = TxEip1559 { nonce, ..template };
        let sent = sign(&dest.wallet, tx);
        let state = MessageState::Submitted {
            destination: B256::from(*destination.as_bytes()),
            nonce,
            txs: vec![sent.clone()],
        };
        inner.store.set_state(&id, state).map_err(|e| e.to_string())?;
        match send(dest, &sent.raw).await {
            Ok(()) => *next = Some(nonce.saturating_add(1)),
            Err(e) => {
                *next = None;
                // A transport failure may have handed it to the node: it stays
                // recorded, and the next attempt settles it (receipt, nonce or resend).
                // A refusal means nothing of it is out there: forget it.
                if !e.is_transient() {
                    inner.store.set_state(&id, MessageState::Pending).map_err(|e| e.to_string())?;
                }
                return Err(e.to_string());
            }
        }
        (inner.report)(RelayerEvent::Submitted { id, destination, tx: sent.hash, nonce, gas_limit });
        (nonce, sent)
    };
    Ok(wait_and_bump(inner, id, &source_id, dest, Some(plan), sent.0, vec![sent.1]).await)
}

fn sign(wallet: &Wallet, tx: TxEip1559) -> SentTx {
    let envelope = wallet.sign_envelope(tx);
    SentTx { hash: *envelope.tx_hash(), raw: warp_node::tx::encode(&envelope) }
}

/// Sends raw bytes; a node that already has them is not an error.
async fn send(dest: &Destination, raw: &Bytes) -> Result<(), RpcError> {
    match dest.rpc.send_raw(raw).await {
        Ok(_) => Ok(()),
        Err(e)
            if e.answer_message()
                .is_some_and(|m| m.contains("already known") || m.contains("already in")) =>
        {
            Ok(())
        }
        Err(e) => Err(e),
    }
}

fn quorum_percentage(quorum: Quorum) -> u64 {
    let (numerator, denominator) = (quorum.numerator(), quorum.denominator());
    // The smallest whole percentage that is at least the quorum.
    numerator.saturating_mul(100).div_ceil(denominator.max(1))
}

/// The receipt of whichever of `txs` is included, if one is.
async fn included<'t>(
    dest: &Destination,
    txs: &'t [SentTx],
) -> Result<Option<(TransactionReceipt, &'t SentTx)>, RpcError> {
    for sent in txs {
        if let Some(receipt) = dest.rpc.receipt(sent.hash).await? {
            return Ok(Some((receipt, sent)));
        }
    }
    Ok(None)
}

/// Takes up a message with signed transactions after a restart or retry.
async fn resume(
    inner: &Inner,
    id: Id,
    source: &Id,
    dest: &Destination,
    plan: Option<&DeliveryPlan>,
    nonce: u64,
    txs: Vec<SentTx>,
) -> Attempt {
    // The nonce first, then the receipts: a version included in between is
    // seen by its receipt, not taken for another transaction.
    let used = match dest.rpc.nonce(dest.wallet.address(), "latest").await {
        Ok(used) => used,
        Err(e) => return Attempt::Retry(e.to_string()),
    };
    match included(dest, &txs).await {
        Ok(Some((receipt, sent))) => {
            return conclude(inner, id, source, dest, plan, &receipt, &sent.raw).await
        }
        Ok(None) => {}
        Err(e) => return Attempt::Retry(e.to_string()),
    }
    if used > nonce {
        // The nonce went to another transaction and none of ours is
        // included: this message was not delivered by us. Start over.
        if let Err(e) = inner.store.set_state(&id, MessageState::Pending) {
            return Attempt::Retry(e.to_string());
        }
        return Attempt::Retry(format!("nonce {nonce} was used by another transaction; delivering again"));
    }
    if let Some(last) = txs.last() {
        if let Err(e) = send(dest, &last.raw).await {
            // "nonce too low" and the like: the next attempt sees the receipt or the used nonce.
            return Attempt::Retry(e.to_string());
        }
    }
    wait_and_bump(inner, id, source, dest, plan, nonce, txs).await
}

/// Waits for a receipt of any of `txs`, bumping fees after each inclusion timeout.
async fn wait_and_bump(
    inner: &Inner,
    id: Id,
    source: &Id,
    dest: &Destination,
    plan: Option<&DeliveryPlan>,
    nonce: u64,
    mut txs: Vec<SentTx>,
) -> Attempt {
    let destination = dest.config.blockchain_id;
    for bump in 0..=MAX_BUMPS {
        let waiting = Instant::now();
        while waiting.elapsed() < dest.config.inclusion_timeout {
            match included(dest, &txs).await {
                Ok(Some((receipt, sent))) => {
                    return conclude(inner, id, source, dest, plan, &receipt, &sent.raw).await
                }
                Ok(None) => {}
                Err(e) => return Attempt::Retry(e.to_string()),
            }
            tokio::time::sleep(RECEIPT_POLL).await;
        }
        if bump == MAX_BUMPS {
            break;
        }
        if txs.len() > MAX_VERSIONS {
            // Fees stop rising: the newest version is sent again and waited for.
            if let Some(last) = txs.last() {
                let _ = send(dest, &last.raw).await;
            }
            continue;
        }
        let Some(last) = txs.last() else { break };
        let Ok(TxEnvelope::Eip1559(signed)) = warp_node::tx::decode(&last.raw) else { break };
        let old = signed.tx().clone();
        let raise = |fee: u128| fee.saturating_add(fee / 8).saturating_add(1);
        let mut max_fee = raise(old.max_fee_per_gas());
        if let Some(cap) = dest.config.max_base_fee {
            let tip = raise(old.max_priority_fee_per_gas);
            max_fee = max_fee.min(cap.saturating_add(tip));
        }
        let tx = TxEip1559 {
            max_fee_per_gas: max_fee,
            max_priority_fee_per_gas: raise(old.max_priority_fee_per_gas).min(max_fee),
            ..old
        };
        let sent = sign(&dest.wallet, tx);
        txs.push(sent.clone());
        let state = MessageState::Submitted {
            destination: B256::from(*destination.as_bytes()),
            nonce,
            txs: txs.clone(),
        };
        if let Err(e) = inner.store.set_state(&id, state) {
            return Attempt::Retry(e.to_string());
        }
        if let Err(e) = send(dest, &sent.raw).await {
            tracing::warn!(id = %id, error = %e, "fee bump refused");
        }
        (inner.report)(RelayerEvent::Submitted {
            id,
            destination,
            tx: sent.hash,
            nonce,
            gas_limit: sent_gas(&sent),
        });
    }
    Attempt::Retry(format!("no receipt for nonce {nonce} after {} fee bumps", MAX_BUMPS))
}

fn sent_gas(sent: &SentTx) -> u64 {
    warp_node::tx::decode(&sent.raw).map(|e| e.gas_limit()).unwrap_or_default()
}

/// Settles a message by its included transaction's receipt.
async fn conclude(
    inner: &Inner,
    id: Id,
    source: &Id,
    dest: &Destination,
    plan: Option<&DeliveryPlan>,
    receipt: &TransactionReceipt,
    raw: &Bytes,
) -> Attempt {
    let destination = dest.config.blockchain_id;
    let block = receipt.block_number.unwrap_or_default();
    if !receipt.status() {
        let tx = receipt.transaction_hash;
        let state = match delivered_by_another(dest, plan, raw).await {
            Some(how) => MessageState::Skipped {
                reason: format!(
                    "transaction {tx} reverted in block {block}: {how} (another relayer was first)"
                ),
            },
            None => MessageState::Failed { reason: format!("transaction {tx} reverted in block {block}") },
        };
        return inner.finish(id, source, Some(&destination), state);
    }
    if let Some(plan) = plan.filter(|p| p.teleporter.is_some()) {
        let received = receipt.inner.logs().iter().any(|log| {
            log.address() == plan.to
                && log.topics().first()
                    == Some(&ITeleporterMessenger::ReceiveCrossChainMessage::SIGNATURE_HASH)
        });
        if !received {
            return inner.finish(
                id,
                source,
                Some(&destination),
                MessageState::Failed {
                    reason: format!(
                        "transaction {} has no ReceiveCrossChainMessage event",
                        receipt.transaction_hash
                    ),
                },
            );
        }
    }
    let state = MessageState::Delivered {
        destination: B256::from(*destination.as_bytes()),
        tx: receipt.transaction_hash,
    };
    if let Err(e) = inner.store.set_state(&id, state) {
        return Attempt::Retry(e.to_string());
    }
    let elapsed = lock(&inner.in_flight).get(&id).map(Instant::elapsed).unwrap_or_default();
    inner.metrics.delivered.get_or_create(&pair(source, Some(&destination))).inc();
    inner.metrics.delivery.get_or_create(&pair(source, Some(&destination))).observe(elapsed.as_secs_f64());
    (inner.report)(RelayerEvent::Delivered {
        id,
        destination,
        tx: receipt.transaction_hash,
        block,
        gas_used: receipt.gas_used,
        elapsed,
    });
    Attempt::Done
}

/// Why a reverted delivery was not needed, if it was not: the Teleporter
/// messenger received the message, or the same call now reverts with one of
/// the route's "already delivered" errors.
async fn delivered_by_another(
    dest: &Destination,
    plan: Option<&DeliveryPlan>,
    raw: &Bytes,
) -> Option<String> {
    let plan = plan?;
    if plan.teleporter.is_some() {
        return teleporter_received(dest, plan)
            .await
            .ok()
            .filter(|received| *received)
            .map(|_| "the destination already received it".to_owned());
    }
    let Ok(TxEnvelope::Eip1559(signed)) = warp_node::tx::decode(raw) else { return None };
    let call = CallRequest {
        from: dest.wallet.address(),
        to: plan.to,
        input: signed.tx().input.clone(),
        access_list: signed.tx().access_list.clone(),
    };
    match dest.rpc.estimate_gas(&call).await {
        Err(RpcError::Reverted { data, .. }) => {
            let selector = data.get(..4).and_then(|s| <[u8; 4]>::try_from(s).ok())?;
            plan.already_delivered
                .contains(&selector)
                .then(|| format!("the destination app says it was delivered ({data})"))
        }
        _ => None,
    }
}

/// The set of messages a store holds as delivered (for tests and tools).
pub fn delivered_ids(store: &Store) -> Result<HashSet<Id>, StoreError> {
    Ok(store
        .messages()?
        .into_iter()
        .filter(|(_, r)| matches!(r.state, MessageState::Delivered { .. }))
        .map(|(id, _)| id)
        .collect())
}
