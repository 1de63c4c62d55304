//! The transaction type: any revm transaction plus the failure bits of its warp
//! predicates (op-revm's `OpTransaction` pattern). The block executor fills the
//! bits from the block's predicate results before running the transaction.

use revm::context::TxEnv;
use revm::context_interface::transaction::{AccessListItemTr, Transaction};
use revm::primitives::{Address, Bytes, TxKind, B256, U256};
use warp_predicate::{FailureBits, WARP_ADDRESS};

/// A transaction that knows which of its warp predicates failed pre-verification.
pub trait WarpTxTr: Transaction {
    /// The failure bits of this transaction's warp predicates (from the block's results).
    fn predicate_failures(&self) -> &FailureBits;
}

/// A transaction with its predicates' failure bits.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct WarpTx<T = TxEnv> {
    /// The underlying transaction.
    pub base: T,
    /// Which warp predicates failed.
    pub failures: FailureBits,
}

impl<T> WarpTx<T> {
    /// Wraps `base` with `failures`.
    pub fn new(base: T, failures: FailureBits) -> Self {
        Self { base, failures }
    }
}

impl<T: Transaction> WarpTxTr for WarpTx<T> {
    fn predicate_failures(&self) -> &FailureBits {
        &self.failures
    }
}

impl<T: Transaction> Transaction for WarpTx<T> {
    type AccessListItem<'a>
        = T::AccessListItem<'a>
    where
        T: 'a;
    type Authorization<'a>
        = T::Authorization<'a>
    where
        T: 'a;

    fn tx_type(&self) -> u8 {
        self.base.tx_type()
    }
    fn caller(&self) -> Address {
        self.base.caller()
    }
    fn gas_limit(&self) -> u64 {
        self.base.gas_limit()
    }
    fn value(&self) -> U256 {
        self.base.value()
    }
    fn input(&self) -> &Bytes {
        self.base.input()
    }
    fn nonce(&self) -> u64 {
        self.base.nonce()
    }
    fn kind(&self) -> TxKind {
        self.base.kind()
    }
    fn chain_id(&self) -> Option<u64> {
        self.base.chain_id()
    }
    fn gas_price(&self) -> u128 {
        self.base.gas_price()
    }
    fn access_list(&self) -> Option<impl Iterator<Item = Self::AccessListItem<'_>>> {
        self.base.access_list()
    }
    fn blob_versioned_hashes(&self) -> &[B256] {
        self.base.blob_versioned_hashes()
    }
    fn max_fee_per_blob_gas(&self) -> u128 {
        self.base.max_fee_per_blob_gas()
    }
    fn authorization_list_len(&self) -> usize {
        self.base.authorization_list_len()
    }
    fn authorization_list(&self) -> impl Iterator<Item = Self::Authorization<'_>> {
        self.base.authorization_list()
    }
    fn max_fee_per_gas(&self) -> u128 {
        self.base.max_fee_per_gas()
    }
    fn max_priority_fee_per_gas(&self) -> Option<u128> {
        self.base.max_priority_fee_per_gas()
    }
    fn effective_gas_price(&self, base_fee: u128) -> u128 {
        self.base.effective_gas_price(base_fee)
    }
}

/// The warp predicates of a transaction: the storage keys of each warp tuple, in order.
pub fn tx_predicates<T: Transaction>(tx: &T) -> Vec<Vec<B256>> {
    tx.access_list()
        .into_iter()
        .flatten()
        .filter(|item| *item.address() == WARP_ADDRESS)
        .map(|item| item.storage_slots().copied().collect())
        .collect()
}
