//! A node: a [`Chain`] with a [`Mempool`], block production on tokio, head
//! notifications, the accept hook that feeds the chain's validators'
//! [`SigningService`]s, and, with a data directory, durability.
//!
//! With a data directory ([`Node::open`]) a block is **committed to redb
//! before it counts as accepted**: [`Node::produce_block`] returns, the
//! validators sign its messages and the head moves only after the commit, and a
//! failed commit rolls the block back. Reopening the directory bootstraps the
//! stored blocks (header results, no BLS) to the same state root, checks their
//! receipts, and gives the validators back their accepted blocks and messages.

use std::path::Path;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use alloy_consensus::{TxEip1559, TxEnvelope};
use alloy_primitives::{Address, Bytes, TxKind, B256, U256};
use awm_core::PChainRegistry;
use thiserror::Error;
use tokio::sync::{watch, Notify};

use crate::block::Receipt;
use crate::config::{ChainConfig, Genesis};
use crate::executor::{BuiltBlock, Chain, ChainError};
use crate::mempool::{Mempool, MempoolError};
use crate::signing::{AcceptedBlock, SigningService};
use crate::store::{ChainStore, StoreError};
use crate::tx::Wallet;

/// A transaction for the node to complete, sign and submit for an account whose
/// key it holds (a dev account's `eth_sendTransaction`, the demo, tests).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TxRequest {
    /// The callee, or a creation.
    pub to: TxKind,
    /// The calldata or creation code.
    pub input: Bytes,
    /// The value sent.
    pub value: U256,
    /// The gas limit.
    pub gas_limit: u64,
    /// The access list (warp predicates travel in it).
    pub access_list: warp_predicate::AccessList,
}

/// Why a node could not open, or produce a block.
#[derive(Debug, Error)]
pub enum NodeError {
    /// Building the block failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The store failed (the block was rolled back).
    #[error(transparent)]
    Store(#[from] StoreError),
    /// A stored block did not bootstrap.
    #[error("bootstrapping stored block {number}: {source}")]
    Bootstrap {
        /// The block number.
        number: u64,
        /// Why.
        source: ChainError,
    },
    /// A stored block's receipts differ from those its replay computed.
    #[error("stored receipts of block {number} differ from its replay")]
    Receipts {
        /// The block number.
        number: u64,
    },
    /// A simulated transaction's warp predicates make it invalid (malformed,
    /// or their gas overflows).
    #[error("invalid warp predicate: {0}")]
    Predicate(#[from] warp_predicate::AccessListGasError),
    /// A simulation asked for a state this node no longer keeps (or never had).
    #[error("no state for block {number} (kept: the last {kept} blocks; head {head})")]
    NoState {
        /// The block asked for.
        number: u64,
        /// How many recent states are kept.
        kept: usize,
        /// The head's number.
        head: u64,
    },
}

/// What a simulation ([`Node::simulate`]) gives back: the call's outcome and
/// its access list's intrinsic gas (with predicate gas, while warp is enabled).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Simulation {
    /// The call's outcome (its `gas_used` includes the predicates' gas).
    pub outcome: crate::executor::CallOutcome,
    /// The predicates that failed verification.
    pub failed_predicates: Vec<usize>,
}

/// How the node picks a block's timestamp.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Clock {
    /// Follow the wall clock (plus `offset`), never earlier than the parent's
    /// time (Subnet-EVM lets blocks share a second); otherwise always the
    /// parent's plus one.
    pub wall: bool,
    /// Seconds added to the wall clock (a devnet's `evm_increaseTime`).
    pub offset: i64,
    /// The next block's timestamp, once (`evm_setNextBlockTimestamp`).
    pub next: Option<u64>,
}

/// A state a devnet can go back to (`evm_snapshot`).
#[derive(Debug, Clone)]
struct Snapshot {
    chain: Chain,
    overrides: usize,
}

/// A chain with a mempool and block production.
#[derive(Debug)]
pub struct Node {
    chain: Mutex<Chain>,
    mempool: Mutex<Mempool>,
    store: Option<ChainStore>,
    registry: Arc<PChainRegistry>,
    validators: Vec<Arc<SigningService>>,
    head: watch::Sender<u64>,
    pending: Notify,
    clock: Mutex<Clock>,
    snapshots: Mutex<Vec<Snapshot>>,
}

impl Node {
    /// A node for `chain` that keeps everything in memory, verifying predicates
    /// against `registry` and running the accept hook of `validators` (the
    /// chain's own validators), which start with the chain's genesis, and every
    /// block the chain holds, accepted.
    pub fn new(chain: Chain, registry: Arc<PChainRegistry>, validators: Vec<Arc<SigningService>>) -> Self {
        for validator in &validators {
            validator.accept_genesis(chain.genesis_hash());
            for (block, receipts) in (1..=chain.height()).filter_map(|n| chain.block(n)) {
                validator.accept(block, receipts);
            }
        }
        Self::assemble(chain, None, registry, validators)
    }

    fn assemble(
        chain: Chain,
        store: Option<ChainStore>,
        registry: Arc<PChainRegistry>,
        validators: Vec<Arc<SigningService>>,
    ) -> Self {
        let mut chain = chain;
        if chain.verdict_cache().is_none() {
            chain.set_verdict_cache(Arc::new(warp_predicate::VerdictCache::default()));
        }
        let (head, _) = watch::channel(chain.height());
        Self {
            chain: Mutex::new(chain),
            mempool: Mutex::default(),
            store,
            registry,
            validators,
            head,
            pending: Notify::new(),
            clock: Mutex::default(),
            snapshots: Mutex::default(),
        }
    }

    /// A node whose blocks, receipts and signable messages live in `dir`:
    /// opened where it was (the stored blocks bootstrapped from `genesis`), or
    /// created. A directory holding another chain is refused.
    pub fn open(
        dir: &Path,
        config: ChainConfig,
        genesis: Genesis,
        registry: Arc<PChainRegistry>,
        validators: Vec<Arc<SigningService>>,
    ) -> Result<Self, NodeError> {
        let mut chain = Chain::new(config, genesis);
        let store = ChainStore::open(dir, chain.genesis_hash())?;
        let mut hashes = vec![chain.genesis_hash()];
        let mut overrides = store.overrides()?.into_iter().peekable();
        let mut apply_due = |chain: &mut Chain| {
            while let Some((_, change)) = overrides.next_if(|(after, _)| *after <= chain.height()) {
                chain.apply_override(change);
            }
        };
        apply_due(&mut chain);
        for (block, stored) in store.blocks()? {
            let number = block.number();
            let replayed =
                chain.bootstrap_block(block).map_err(|source| NodeError::Bootstrap { number, source })?;
            if replayed != stored.as_slice() {
                return Err(NodeError::Receipts { number });
            }
            hashes.push(chain.head_hash());
            apply_due(&mut chain);
        }
        let messages = store.warp_messages()?;
        for validator in &validators {
            validator.restore(hashes.iter().copied(), &messages);
        }
        Ok(Self::assemble(chain, Some(store), registry, validators))
    }

    fn lock(&self) -> MutexGuard<'_, Chain> {
        // A block is applied whole (or rolled back) before the guard drops.
        self.chain.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn pool(&self) -> MutexGuard<'_, Mempool> {
        self.mempool.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the chain (for reads: state, blocks, receipts, calls).
    pub fn with_chain<R>(&self, f: impl FnOnce(&Chain) -> R) -> R {
        f(&self.lock())
    }

    /// The chain's validators' signing services.
    pub fn validators(&self) -> &[Arc<SigningService>] {
        &self.validators
    }

    /// The embedded P-Chain.
    pub fn registry(&self) -> &Arc<PChainRegistry> {
        &self.registry
    }

    /// Whether blocks are committed to a data directory.
    pub fn is_durable(&self) -> bool {
        self.store.is_some()
    }

    /// The next nonce of `address`, counting its pending transactions.
    pub fn next_nonce(&self, address: Address) -> u64 {
        let chain = self.lock();
        self.pool().next_nonce(address, &chain)
    }

    /// A pending transaction (admitted, not yet in a block).
    pub fn pending_transaction(&self, hash: &B256) -> Option<crate::tx::SignedTx> {
        self.pool().get(hash).cloned()
    }

    /// Number of pending transactions.
    pub fn pending_count(&self) -> usize {
        self.pool().len()
    }

    /// Admits a signed transaction to the mempool (see [`Mempool::add`]).
    pub fn submit(&self, tx: TxEnvelope) -> Result<B256, MempoolError> {
        let access_list = crate::tx::access_list(&tx);
        let hash = {
            let chain = self.lock();
            self.pool().add(tx, &chain)?
        };
        // Only an admitted transaction is worth BLS work, and before the producer hears of it.
        self.precheck_predicates(&access_list);
        self.pending.notify_one();
        Ok(hash)
    }

    /// Verifies an admitted transaction's warp predicates at the current
    /// P-Chain height and remembers the verdicts in the chain's cache, so the
    /// block that carries it does not verify them again (the block's results
    /// are the same either way). Outside the chain's lock, and only after the
    /// mempool accepted the transaction: a refused one costs no BLS work.
    fn precheck_predicates(&self, access_list: &warp_predicate::AccessList) {
        if !warp_predicate::has_warp_predicates(access_list) {
            return;
        }
        let timestamp = self.pending_timestamp();
        let (cache, warp) = {
            let chain = self.lock();
            let config = chain.config();
            let warp = match (config.warp_at(timestamp), config.schedule_at(timestamp)) {
                (Some(params), Some(schedule)) => Some((config.warp_config(params), schedule)),
                _ => None,
            };
            (chain.verdict_cache().cloned(), warp)
        };
        if let (Some(cache), Some((warp_config, schedule))) = (cache, warp) {
            let verifier = awm_core::WarpVerifier::new(&*self.registry, warp_config);
            let _ = warp_predicate::PredicateVerifier::new(verifier, schedule)
                .with_cache(cache)
                .check_tx(access_list, self.registry.height());
        }
    }

    /// Completes `request` as an EIP-1559 transaction from `wallet` (its next
    /// nonce, pending ones counted; a fee cap of twice the next block's base fee;
    /// no tip), signs and admits it.
    pub fn sign_and_submit(&self, wallet: &Wallet, request: TxRequest) -> Result<B256, MempoolError> {
        let hash = {
            let chain = self.lock();
            let mut pool = self.pool();
            let base_fee = chain.base_fee_at(chain.head_timestamp().saturating_add(1));
            let tx = TxEip1559 {
                chain_id: chain.config().evm_chain_id,
                nonce: pool.next_nonce(wallet.address(), &chain),
                gas_limit: request.gas_limit,
                max_fee_per_gas: u128::from(base_fee).saturating_mul(2),
                max_priority_fee_per_gas: 0,
                to: request.to,
                value: request.value,
                access_list: request.access_list,
                input: request.input,
            };
            pool.add(wallet.sign_envelope(tx), &chain)?
        };
        self.pending.notify_one();
        Ok(hash)
    }

    /// Admits raw EIP-2718 bytes (`eth_sendRawTransaction`).
    pub fn submit_raw(&self, bytes: &[u8]) -> Result<B256, MempoolError> {
        let hash = {
            let chain = self.lock();
            self.pool().add_raw(bytes, &chain)?
        };
        // Only an admitted transaction is worth BLS work, and before the producer hears of it.
        if let Ok(tx) = crate::tx::decode(bytes) {
            self.precheck_predicates(&crate::tx::access_list(&tx));
        }
        self.pending.notify_one();
        Ok(hash)
    }

    /// Seals a block from the mempool (`None` if nothing is executable), commits
    /// it to the data directory if there is one, then accepts it (the
    /// validators' accept hook) and announces the new head. A transaction that
    /// did not fit stays pending; an invalid one is dropped.
    pub fn produce_block(&self) -> Result<Option<BuiltBlock>, NodeError> {
        self.produce(false)
    }

    /// Seals a block now, empty if nothing is executable (a devnet's `evm_mine`).
    pub fn mine(&self) -> Result<BuiltBlock, NodeError> {
        self.produce(true)?.ok_or(NodeError::Chain(ChainError::Call("no block was sealed".into())))
    }

    /// How block timestamps are chosen.
    pub fn clock(&self) -> Clock {
        *self.clock.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Changes how block timestamps are chosen.
    pub fn set_clock(&self, clock: Clock) {
        *self.clock.lock().unwrap_or_else(PoisonError::into_inner) = clock;
    }

    /// The timestamp the next block gets (taking a one-time `next`).
    fn next_timestamp(&self, parent: u64, take: bool) -> u64 {
        let mut clock = self.clock.lock().unwrap_or_else(PoisonError::into_inner);
        let following = parent.saturating_add(1);
        if let Some(next) = if take { clock.next.take() } else { clock.next } {
            return next.max(parent);
        }
        if !clock.wall {
            return following;
        }
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        now.saturating_add_signed(clock.offset).max(parent)
    }

    /// The timestamp a block sealed now would get (for `pending` reads).
    pub fn pending_timestamp(&self) -> u64 {
        let parent = self.with_chain(Chain::head_timestamp);
        self.next_timestamp(parent, false)
    }

    fn produce(&self, force: bool) -> Result<Option<BuiltBlock>, NodeError> {
        let built = {
            let mut chain = self.lock();
            let candidates = self.pool().executable(&chain);
            if candidates.is_empty() && !force {
                return Ok(None);
            }
            let timestamp = self.next_timestamp(chain.head_timestamp(), true);
            let built = chain.build_block(candidates, timestamp, self.registry.height(), &*self.registry)?;
            let accepted = AcceptedBlock::new(&built.block, &built.receipts);
            if let Some(store) = &self.store {
                if let Err(e) = store.commit_block(&built.block, &built.receipts, &accepted.messages) {
                    chain.rollback_last();
                    return Err(e.into());
                }
            }
            let mut pool = self.pool();
            for receipt in &built.receipts {
                pool.remove(&receipt.tx_hash);
            }
            for excluded in &built.excluded {
                pool.remove(&excluded.tx);
            }
            pool.prune(&chain);
            drop(pool);
            for validator in &self.validators {
                validator.accept_decoded(&accepted);
            }
            built
        };
        self.head.send_replace(built.block.number());
        Ok(Some(built))
    }

    /// Remembers the current chain (a devnet's `evm_snapshot`): its ID.
    pub fn snapshot(&self) -> u64 {
        let chain = self.lock().clone();
        let overrides = chain.overrides().len();
        let mut snapshots = self.snapshots.lock().unwrap_or_else(PoisonError::into_inner);
        snapshots.push(Snapshot { chain, overrides });
        snapshots.len().saturating_sub(1) as u64
    }

    /// Goes back to snapshot `id` (a devnet's `evm_revert`): the blocks after it,
    /// their messages and the state changes since are taken back (from the data
    /// directory too), and the snapshot and later ones are forgotten. `false`
    /// if there is no such snapshot.
    pub fn revert(&self, id: u64) -> Result<bool, NodeError> {
        let mut snapshots = self.snapshots.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(index) = usize::try_from(id).ok().filter(|i| *i < snapshots.len()) else {
            return Ok(false);
        };
        let mut taken = snapshots.split_off(index);
        let Some(snapshot) = taken.drain(..).next() else { return Ok(false) };
        drop(snapshots);
        let mut chain = self.lock();
        let height = snapshot.chain.height();
        let mut dropped_blocks = Vec::new();
        let mut dropped_messages = Vec::new();
        for (block, receipts) in (height.saturating_add(1)..=chain.height()).filter_map(|n| chain.block(n)) {
            dropped_blocks.push(block.hash());
            dropped_messages.extend(crate::signing::sent_messages(receipts).iter().map(|m| m.id()));
        }
        if let Some(store) = &self.store {
            store.truncate(height, snapshot.overrides, &dropped_messages)?;
        }
        for validator in &self.validators {
            validator.forget(&dropped_blocks, &dropped_messages);
        }
        *chain = snapshot.chain;
        self.pool().prune(&chain);
        drop(chain);
        self.head.send_replace(height);
        Ok(true)
    }

    /// Changes the latest state directly (a devnet's `anvil_set*`), durably.
    pub fn override_state(&self, change: crate::executor::StateOverride) -> Result<(), NodeError> {
        let mut chain = self.lock();
        if let Some(store) = &self.store {
            store.append_override(chain.height(), &change)?;
        }
        chain.apply_override(change);
        Ok(())
    }

    /// Completes `request` as an EIP-1559 transaction from `sender`, whose key
    /// the node does not hold (a devnet's impersonated account): the signature
    /// is a placeholder unique to the sender, and the sender is recorded with
    /// the block so a bootstrap of this node's history replays it.
    pub fn submit_impersonated(&self, sender: Address, request: TxRequest) -> Result<B256, MempoolError> {
        let hash = {
            let chain = self.lock();
            let mut pool = self.pool();
            let base_fee = chain.base_fee_at(chain.head_timestamp().saturating_add(1));
            let tx = TxEip1559 {
                chain_id: chain.config().evm_chain_id,
                nonce: pool.next_nonce(sender, &chain),
                gas_limit: request.gas_limit,
                max_fee_per_gas: u128::from(base_fee).saturating_mul(2),
                max_priority_fee_per_gas: 0,
                to: request.to,
                value: request.value,
                access_list: request.access_list,
                input: request.input,
            };
            let r = U256::from_be_slice(sender.as_slice());
            let placeholder = alloy_primitives::Signature::new(r, U256::from(1), false);
            let envelope: TxEnvelope =
                alloy_consensus::SignableTransaction::into_signed(tx, placeholder).into();
            pool.add_impersonated(envelope, sender, &chain)?
        };
        self.pending.notify_one();
        Ok(hash)
    }

    /// Runs `tx` as `eth_call`, `eth_estimateGas` and `eth_createAccessList`
    /// do, on the latest state (`at = None`, in the block a producer would seal
    /// now) or on the state after block `at` (in the block after it), with its
    /// warp predicates **verified** against the P-Chain at its current height,
    /// so a good message reads as valid and the gas used includes the
    /// predicates' gas (the reference's estimate ignores them: subnet-evm
    /// #1196).
    pub fn simulate(&self, tx: revm::context::TxEnv, at: Option<u64>) -> Result<Simulation, NodeError> {
        let pending = self.pending_timestamp();
        let chain = self.lock();
        let head = chain.height();
        let (number, timestamp) = match at {
            None => (head, pending),
            Some(n) if n >= head => (head, pending),
            Some(n) => (n, chain.block(n.saturating_add(1)).map_or(pending, |(b, _)| b.timestamp())),
        };
        if chain.state_at(number).is_none() {
            return Err(NodeError::NoState { number, kept: crate::executor::STATE_HISTORY, head });
        }
        let config = chain.config();
        let failures = match (config.warp_at(timestamp), config.schedule_at(timestamp)) {
            (Some(params), Some(schedule)) => {
                let verifier = awm_core::WarpVerifier::new(&*self.registry, config.warp_config(params));
                let mut checker = warp_predicate::PredicateVerifier::new(verifier, schedule);
                if let Some(cache) = chain.verdict_cache() {
                    checker = checker.with_cache(Arc::clone(cache));
                }
                checker.check_tx(&tx.access_list, self.registry.height())?.failures
            }
            _ => warp_predicate::FailureBits::none_failed(),
        };
        let failed_predicates = failures.indices().collect();
        let outcome = if number == head {
            chain.call(tx, failures, timestamp)?
        } else {
            chain.call_at(number, tx, failures, timestamp)?
        };
        Ok(Simulation { outcome, failed_predicates })
    }

    /// Waits until a transaction is admitted (a permit is kept if none is
    /// waiting): a block producer's wake-up.
    pub async fn pending_notified(&self) {
        self.pending.notified().await;
    }

    /// A receiver of the head's number, updated after each accepted block.
    pub fn subscribe(&self) -> watch::Receiver<u64> {
        self.head.subscribe()
    }

    /// Waits up to `timeout` for `tx` to be in a block: its block number and receipt.
    pub async fn wait_for_receipt(&self, tx: B256, timeout: Duration) -> Option<(u64, Receipt)> {
        let mut head = self.subscribe();
        let wait = async {
            loop {
                if let Some((n, r)) = self.with_chain(|c| c.receipt(&tx).map(|(n, r)| (n, r.clone()))) {
                    return Some((n, r));
                }
                if head.changed().await.is_err() {
                    return None;
                }
            }
        };
        tokio::time::timeout(timeout, wait).await.ok().flatten()
    }

    /// Produces blocks whenever transactions are pending, waiting `batch` after
    /// the first one so that transactions submitted together share a block, and
    /// again while some are left (those that did not fit). Runs until the task
    /// is dropped; a block that fails is reported to `on_error`.
    pub async fn run_producer(self: Arc<Self>, batch: Duration, on_error: impl Fn(NodeError) + Send) {
        loop {
            self.pending.notified().await;
            loop {
                tokio::time::sleep(batch).await;
                match self.produce_block() {
                    Ok(Some(_)) if self.pending_count() > 0 => continue,
                    Ok(_) => break,
                    Err(e) => {
                        on_error(e);
                        break;
                    }
                }
            }
        }
    }
}
