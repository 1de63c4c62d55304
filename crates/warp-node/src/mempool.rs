//! The mempool: Ethereum's admission checks, in the order and with the error
//! messages of Subnet-EVM's transaction pool (`core/txpool/validation.go`,
//! `legacypool`), so that a JSON-RPC layer returns them as geth does (code
//! −32000, the message as it is).
//!
//! | check | error |
//! |---|---|
//! | the same transaction is pending | [`MempoolError::AlreadyKnown`] |
//! | a type other than 0, 1, 2 | [`MempoolError::TxTypeNotSupported`] |
//! | more than 131,072 encoded bytes | [`MempoolError::OversizedData`] |
//! | init code over 49,152 bytes (Shanghai) | [`MempoolError::MaxInitCodeSize`] |
//! | gas limit above the block's | [`MempoolError::ExceedsBlockGasLimit`] |
//! | tip above fee cap | [`MempoolError::TipAboveFeeCap`] |
//! | a legacy transaction without EIP-155 (unless the chain allows it) | [`MempoolError::Unprotected`] |
//! | another chain ID, or a signature that recovers nothing | [`MempoolError::InvalidSender`] |
//! | gas limit below the intrinsic gas, predicate gas included | [`MempoolError::IntrinsicGas`] |
//! | a malformed warp predicate (the transaction is invalid) | [`MempoolError::InvalidPredicate`] |
//! | fee cap below the chain's minimum (its base fee) | [`MempoolError::Underpriced`] |
//! | a nonce already used | [`MempoolError::NonceTooLow`] |
//! | balance below `gas × fee cap + value` | [`MempoolError::InsufficientFunds`] |
//! | the same nonce pending, and a bump below 10% | [`MempoolError::ReplacementUnderpriced`] |
//!
//! Future nonces are kept until the gap fills; a block takes, per sender, the
//! transactions whose nonces follow the account's, senders interleaved in
//! arrival order.

use std::collections::{BTreeMap, HashMap};

use alloy_consensus::{Transaction as _, TxEnvelope};
use alloy_primitives::{Address, B256, U256};
use thiserror::Error;
use warp_predicate::gas::intrinsic_gas_without_access_list;
use warp_predicate::{access_list_gas, AccessListGasError};

use crate::executor::Chain;
use crate::tx::{self, SignedTx, TxError, MAX_TX_SIZE};

/// EIP-3860's init code limit (Shanghai, Subnet-EVM's Durango).
pub const MAX_INIT_CODE_SIZE: usize = 2 * 24_576;

/// The price bump a replacement must pay, in percent.
pub const PRICE_BUMP: u128 = 10;

/// Why a transaction is not admitted. Messages are Subnet-EVM's.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum MempoolError {
    /// The bytes are not a transaction.
    #[error("{0}")]
    Decode(String),
    /// Already pending.
    #[error("already known")]
    AlreadyKnown,
    /// A blob or set-code transaction.
    #[error("transaction type not supported: tx type {0} not supported by this pool")]
    TxTypeNotSupported(u8),
    /// Too large.
    #[error("oversized data: transaction size {size}, limit {limit}")]
    OversizedData {
        /// Its encoded size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// A creation with too much init code.
    #[error("max initcode size exceeded: code size {size} limit {limit}")]
    MaxInitCodeSize {
        /// The init code's size.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// More gas than a block holds.
    #[error("exceeds block gas limit: tx gas ({gas}) > current max gas ({limit})")]
    ExceedsBlockGasLimit {
        /// Its gas limit.
        gas: u64,
        /// The block gas limit.
        limit: u64,
    },
    /// Priority fee above the fee cap.
    #[error("max priority fee per gas higher than max fee per gas")]
    TipAboveFeeCap,
    /// A legacy transaction without EIP-155 replay protection.
    #[error("only replay-protected (EIP-155) transactions allowed over RPC")]
    Unprotected,
    /// The signature recovers no sender, or the chain ID is another chain's.
    #[error("invalid sender")]
    InvalidSender,
    /// Gas limit below the intrinsic gas.
    #[error("intrinsic gas too low: address {address} tx gas ({gas}), minimum needed {needed}")]
    IntrinsicGas {
        /// The sender.
        address: Address,
        /// Its gas limit.
        gas: u64,
        /// The intrinsic gas, predicate gas included.
        needed: u64,
    },
    /// A warp predicate has no gas cost: the transaction is invalid.
    #[error("invalid warp predicate: {0}")]
    InvalidPredicate(AccessListGasError),
    /// Fee cap below the chain's minimum.
    #[error("transaction underpriced: address {address} have gas fee cap ({fee_cap}) < pool minimum fee cap ({minimum})")]
    Underpriced {
        /// The sender.
        address: Address,
        /// Its fee cap.
        fee_cap: u128,
        /// The minimum.
        minimum: u128,
    },
    /// A nonce the account already used.
    #[error("nonce too low: next nonce {next}, tx nonce {nonce}")]
    NonceTooLow {
        /// The account's next nonce.
        next: u64,
        /// The transaction's.
        nonce: u64,
    },
    /// Not enough balance for the worst case.
    #[error(
        "insufficient funds for gas * price + value: balance {balance}, tx cost {cost}, overshot {overshot}"
    )]
    InsufficientFunds {
        /// The balance.
        balance: U256,
        /// `gas × fee cap + value`.
        cost: U256,
        /// How much is missing.
        overshot: U256,
    },
    /// A replacement that does not pay 10% more.
    #[error("replacement transaction underpriced")]
    ReplacementUnderpriced,
}

impl From<TxError> for MempoolError {
    fn from(e: TxError) -> Self {
        match e {
            TxError::UnsupportedType(t) => Self::TxTypeNotSupported(t),
            TxError::InvalidSender => Self::InvalidSender,
            other => Self::Decode(other.to_string()),
        }
    }
}

#[derive(Debug, Clone)]
struct Pooled {
    tx: SignedTx,
    arrival: u64,
}

/// Pending transactions.
#[derive(Debug, Default)]
pub struct Mempool {
    by_hash: HashMap<B256, Pooled>,
    by_sender: HashMap<Address, BTreeMap<u64, B256>>,
    arrivals: u64,
}

impl Mempool {
    /// An empty pool.
    pub fn new() -> Self {
        Self::default()
    }

    /// Number of pending transactions.
    pub fn len(&self) -> usize {
        self.by_hash.len()
    }

    /// True when nothing is pending.
    pub fn is_empty(&self) -> bool {
        self.by_hash.is_empty()
    }

    /// A pending transaction.
    pub fn get(&self, hash: &B256) -> Option<&SignedTx> {
        self.by_hash.get(hash).map(|p| &p.tx)
    }

    /// Decodes raw EIP-2718 bytes (size checked first) and admits them.
    pub fn add_raw(&mut self, bytes: &[u8], chain: &Chain) -> Result<B256, MempoolError> {
        if bytes.len() > MAX_TX_SIZE {
            return Err(MempoolError::OversizedData { size: bytes.len(), limit: MAX_TX_SIZE });
        }
        let envelope = tx::decode(bytes)?;
        self.add(envelope, chain)
    }

    /// Admits a transaction after the checks (see the module docs), against
    /// `chain`'s state and rules for its next block.
    pub fn add(&mut self, envelope: TxEnvelope, chain: &Chain) -> Result<B256, MempoolError> {
        self.admit(envelope, None, chain)
    }

    /// Admits a transaction sent as `sender` without its key (a devnet's
    /// impersonated account): its signature is a placeholder and is not
    /// checked; every other check runs.
    pub fn add_impersonated(
        &mut self,
        envelope: TxEnvelope,
        sender: Address,
        chain: &Chain,
    ) -> Result<B256, MempoolError> {
        self.admit(envelope, Some(sender), chain)
    }

    fn admit(
        &mut self,
        envelope: TxEnvelope,
        as_sender: Option<Address>,
        chain: &Chain,
    ) -> Result<B256, MempoolError> {
        let hash = tx::hash(&envelope);
        if self.by_hash.contains_key(&hash) {
            return Err(MempoolError::AlreadyKnown);
        }
        tx::supported(&envelope)?;
        let size = alloy_eips::eip2718::Encodable2718::encode_2718_len(&envelope);
        if size > MAX_TX_SIZE {
            return Err(MempoolError::OversizedData { size, limit: MAX_TX_SIZE });
        }
        if envelope.to().is_none() && envelope.input().len() > MAX_INIT_CODE_SIZE {
            return Err(MempoolError::MaxInitCodeSize {
                size: envelope.input().len(),
                limit: MAX_INIT_CODE_SIZE,
            });
        }
        let config = chain.config();
        if envelope.gas_limit() > config.gas_limit {
            return Err(MempoolError::ExceedsBlockGasLimit {
                gas: envelope.gas_limit(),
                limit: config.gas_limit,
            });
        }
        if envelope.max_priority_fee_per_gas().is_some_and(|tip| tip > envelope.max_fee_per_gas()) {
            return Err(MempoolError::TipAboveFeeCap);
        }
        match envelope.chain_id() {
            None if !config.allow_unprotected_txs => return Err(MempoolError::Unprotected),
            Some(id) if id != config.evm_chain_id => return Err(MempoolError::InvalidSender),
            _ => {}
        }
        let signed = match as_sender {
            Some(sender) => SignedTx::new_unchecked(envelope, sender),
            None => tx::recover(envelope)?,
        };
        let sender = signed.signer();
        let timestamp = chain.head_timestamp();
        let base = intrinsic_gas_without_access_list(signed.input(), signed.to().is_none());
        let list_gas = match chain.config().schedule_at(timestamp) {
            Some(schedule) => {
                access_list_gas(&tx::access_list(signed.inner()), &schedule)
                    .map_err(MempoolError::InvalidPredicate)?
                    .with_predicates
            }
            // Warp is not enabled: its tuples are ordinary ones.
            None => standard_access_list_gas(signed.inner()),
        };
        let needed = base.saturating_add(list_gas);
        if signed.gas_limit() < needed {
            return Err(MempoolError::IntrinsicGas { address: sender, gas: signed.gas_limit(), needed });
        }
        let minimum = u128::from(chain.base_fee_at(timestamp));
        if signed.max_fee_per_gas() < minimum {
            return Err(MempoolError::Underpriced {
                address: sender,
                fee_cap: signed.max_fee_per_gas(),
                minimum,
            });
        }
        let next = chain.nonce(sender);
        if signed.nonce() < next {
            return Err(MempoolError::NonceTooLow { next, nonce: signed.nonce() });
        }
        let balance = chain.balance(sender);
        let cost = U256::from(signed.gas_limit())
            .saturating_mul(U256::from(signed.max_fee_per_gas()))
            .saturating_add(signed.value());
        if balance < cost {
            return Err(MempoolError::InsufficientFunds {
                balance,
                cost,
                overshot: cost.saturating_sub(balance),
            });
        }
        if let Some(old) = self.by_sender.get(&sender).and_then(|n| n.get(&signed.nonce())).copied() {
            let bumped =
                |old: u128, new: u128| new.saturating_mul(100) >= old.saturating_mul(100 + PRICE_BUMP);
            let previous = self.by_hash.get(&old).map(|p| &p.tx);
            let enough = previous.is_none_or(|p| {
                bumped(p.max_fee_per_gas(), signed.max_fee_per_gas())
                    && bumped(
                        p.max_priority_fee_per_gas().unwrap_or(p.max_fee_per_gas()),
                        signed.max_priority_fee_per_gas().unwrap_or(signed.max_fee_per_gas()),
                    )
            });
            if !enough {
                return Err(MempoolError::ReplacementUnderpriced);
            }
            self.by_hash.remove(&old);
        }
        self.arrivals = self.arrivals.saturating_add(1);
        self.by_sender.entry(sender).or_default().insert(signed.nonce(), hash);
        self.by_hash.insert(hash, Pooled { tx: signed, arrival: self.arrivals });
        Ok(hash)
    }

    /// The transactions a block may take now, in order: per sender those whose
    /// nonces follow the account's, senders interleaved by arrival.
    pub fn executable(&self, chain: &Chain) -> Vec<SignedTx> {
        let mut queues: Vec<Vec<&Pooled>> = Vec::new();
        for (sender, nonces) in &self.by_sender {
            let mut next = chain.nonce(*sender);
            let mut queue = Vec::new();
            for (nonce, hash) in nonces.range(next..) {
                if *nonce != next {
                    break;
                }
                if let Some(p) = self.by_hash.get(hash) {
                    queue.push(p);
                }
                next = next.saturating_add(1);
            }
            if !queue.is_empty() {
                queues.push(queue);
            }
        }
        // Merge: repeatedly take the earliest-arrived head among the senders.
        let mut heads: Vec<usize> = vec![0; queues.len()];
        let mut out = Vec::new();
        loop {
            let best = queues
                .iter()
                .enumerate()
                .filter_map(|(i, q)| {
                    q.get(heads.get(i).copied().unwrap_or(usize::MAX)).map(|p| (p.arrival, i))
                })
                .min();
            let Some((_, i)) = best else { break };
            if let (Some(q), Some(h)) = (queues.get(i), heads.get_mut(i)) {
                if let Some(p) = q.get(*h) {
                    out.push(p.tx.clone());
                }
                *h = h.saturating_add(1);
            }
        }
        out
    }

    /// The next nonce of `sender`: the account's, past its pending run.
    pub fn next_nonce(&self, sender: Address, chain: &Chain) -> u64 {
        let mut next = chain.nonce(sender);
        if let Some(nonces) = self.by_sender.get(&sender) {
            for nonce in nonces.range(next..).map(|(n, _)| *n) {
                if nonce != next {
                    break;
                }
                next = next.saturating_add(1);
            }
        }
        next
    }

    /// Removes a transaction (included in a block, or dropped).
    pub fn remove(&mut self, hash: &B256) -> Option<SignedTx> {
        let pooled = self.by_hash.remove(hash)?;
        let sender = pooled.tx.signer();
        if let Some(nonces) = self.by_sender.get_mut(&sender) {
            nonces.remove(&pooled.tx.nonce());
            if nonces.is_empty() {
                self.by_sender.remove(&sender);
            }
        }
        Some(pooled.tx)
    }

    /// Drops every transaction whose nonce the chain has used.
    pub fn prune(&mut self, chain: &Chain) {
        let stale: Vec<B256> = self
            .by_sender
            .iter()
            .flat_map(|(sender, nonces)| {
                let next = chain.nonce(*sender);
                nonces.range(..next).map(|(_, h)| *h).collect::<Vec<_>>()
            })
            .collect();
        for hash in stale {
            self.remove(&hash);
        }
    }
}

/// EIP-2930's flat price of an access list, for when warp is not enabled.
fn standard_access_list_gas(envelope: &TxEnvelope) -> u64 {
    envelope.access_list().map_or(0, |list| {
        list.0.iter().fold(0u64, |sum, item| {
            let keys = u64::try_from(item.storage_keys.len()).unwrap_or(u64::MAX);
            sum.saturating_add(2_400).saturating_add(keys.saturating_mul(1_900))
        })
    })
}
