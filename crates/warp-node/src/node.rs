//! A running chain: the [`Chain`] behind a lock, a mempool, block production, and
//! the accept hook that feeds the chain's validators' [`SigningService`]s.
//!
//! Blocks are produced on demand ([`Node::produce_block`]) or by
//! [`Node::run_producer`], a tokio task that seals a block whenever transactions
//! are pending. Each block's timestamp is its parent's plus one second (a
//! logical clock, so a replay sees exactly the same blocks), and its P-Chain
//! height is the embedded P-Chain's current height. Followers learn of new
//! blocks through a [`watch`] channel carrying the head's number.

use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use alloy_primitives::{Address, B256};
use awm_core::PChainRegistry;
use tokio::sync::{watch, Notify};

use crate::block::{Receipt, Transaction};
use crate::executor::{BuiltBlock, Chain, ChainError};
use crate::signing::{AcceptedBlock, SigningService};

/// A chain with a mempool and block production.
#[derive(Debug)]
pub struct Node {
    chain: Mutex<Chain>,
    registry: Arc<PChainRegistry>,
    mempool: Mutex<Vec<Transaction>>,
    validators: Vec<Arc<SigningService>>,
    head: watch::Sender<u64>,
    pending: Notify,
}

impl Node {
    /// A node for `chain`, verifying predicates against `registry` and running
    /// the accept hook of `validators` (the chain's own validators), which start
    /// with the chain's genesis, and every block the chain holds, accepted.
    pub fn new(chain: Chain, registry: Arc<PChainRegistry>, validators: Vec<Arc<SigningService>>) -> Self {
        for validator in &validators {
            validator.accept_genesis(chain.genesis_hash());
            for (block, receipts) in (1..=chain.height()).filter_map(|n| chain.block(n)) {
                validator.accept(block, receipts);
            }
        }
        let (head, _) = watch::channel(chain.height());
        Self {
            chain: Mutex::new(chain),
            registry,
            mempool: Mutex::default(),
            validators,
            head,
            pending: Notify::new(),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Chain> {
        // Blocks are appended whole before the guard drops.
        self.chain.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on the chain (for reads: state, blocks, receipts, simulation).
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

    /// The next nonce of `address`, counting its pending transactions.
    pub fn next_nonce(&self, address: Address) -> u64 {
        let pending = self
            .mempool
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .iter()
            .filter(|t| t.from == address)
            .count();
        self.with_chain(|c| c.nonce(address)).saturating_add(pending as u64)
    }

    /// Adds `tx` to the mempool and returns its hash.
    pub fn submit(&self, tx: Transaction) -> B256 {
        let hash = tx.hash();
        self.mempool.lock().unwrap_or_else(PoisonError::into_inner).push(tx);
        self.pending.notify_one();
        hash
    }

    /// Seals a block from the mempool (`None` if it is empty), accepts it (the
    /// validators' accept hook) and announces the new head.
    pub fn produce_block(&self) -> Result<Option<BuiltBlock>, ChainError> {
        let txs = std::mem::take(&mut *self.mempool.lock().unwrap_or_else(PoisonError::into_inner));
        if txs.is_empty() {
            return Ok(None);
        }
        let built = {
            let mut chain = self.lock();
            let parent_time = chain.blocks().last().map_or(chain.genesis().timestamp, |b| b.header.timestamp);
            chain.build_block(txs, parent_time.saturating_add(1), self.registry.height(), &*self.registry)?
        };
        let accepted = AcceptedBlock::new(&built.block, &built.receipts);
        for validator in &self.validators {
            validator.accept_decoded(&accepted);
        }
        self.head.send_replace(built.block.header.number);
        Ok(Some(built))
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

    /// Produces a block whenever transactions are pending, waiting `batch` after
    /// the first one so that transactions submitted together share a block. Runs
    /// until the task is dropped; a block that fails to build is reported to
    /// `on_error` and its transactions are dropped.
    pub async fn run_producer(self: Arc<Self>, batch: Duration, on_error: impl Fn(ChainError) + Send) {
        loop {
            self.pending.notified().await;
            tokio::time::sleep(batch).await;
            if let Err(e) = self.produce_block() {
                on_error(e);
            }
        }
    }
}
