//! The transaction type: any revm transaction plus what pre-verification found
//! of its warp predicates (op-revm's `OpTransaction` pattern).
//!
//! | constructor | the predicates read as |
//! |---|---|
//! | [`WarpTx::from_block_results`] | the block's results say (the safe way: refuses a transaction with predicates but no entry) |
//! | [`WarpTx::new`] | the given failure bits say; **empty bits mean every predicate verified** |
//! | [`WarpTx::unverified`], `WarpTx::default()` | **invalid, every one**: nothing was verified |
//!
//! A transaction that was not pre-verified can therefore never serve a message
//! as valid, whatever its access list holds.
//!
//! The warp predicates are copied out of the access list once per transaction,
//! on the first read ([`WarpTxTr::warp_predicates`]), so each read finds its
//! predicate in constant time.

use std::sync::OnceLock;

use revm::context::TxEnv;
use revm::context_interface::transaction::{AccessListItemTr, Transaction};
use revm::primitives::{Address, Bytes, TxKind, B256, U256};
use warp_predicate::{FailureBits, MissingPredicateResults, PredicateResults, WarpPredicates, WARP_ADDRESS};

/// A transaction that knows what pre-verification found of its warp predicates.
pub trait WarpTxTr: Transaction {
    /// The failure bits of this transaction's warp predicates, from the block's
    /// results; `None` when it was not pre-verified, and then **every predicate
    /// reads as invalid**.
    fn predicate_failures(&self) -> Option<&FailureBits>;

    /// The transaction's warp predicates, built once per transaction.
    fn warp_predicates(&self) -> &WarpPredicates;
}

/// A transaction with what pre-verification found of its predicates.
#[derive(Debug, Clone)]
pub struct WarpTx<T = TxEnv> {
    base: T,
    failures: Option<FailureBits>,
    predicates: OnceLock<WarpPredicates>,
}

impl<T> WarpTx<T> {
    /// Wraps `base` with the failure bits pre-verification found.
    ///
    /// **Empty bits ([`FailureBits::none_failed`]) mean every predicate verified
    /// and passed.** For a transaction of a block, prefer
    /// [`WarpTx::from_block_results`], which takes the bits from the block's
    /// results and refuses a transaction that has predicates but no entry.
    pub fn new(base: T, failures: FailureBits) -> Self {
        Self { base, failures: Some(failures), predicates: OnceLock::new() }
    }

    /// Wraps `base` without pre-verification: every one of its warp predicates
    /// reads as invalid (`valid = false`). This is what `WarpTx::default()` holds.
    pub fn unverified(base: T) -> Self {
        Self { base, failures: None, predicates: OnceLock::new() }
    }

    /// The underlying transaction.
    pub fn base(&self) -> &T {
        &self.base
    }

    /// The underlying transaction, to change (the predicates built from its
    /// access list are dropped, so they are rebuilt from the changed one).
    pub fn base_mut(&mut self) -> &mut T {
        self.predicates = OnceLock::new();
        &mut self.base
    }

    /// The underlying transaction, unwrapped.
    pub fn into_base(self) -> T {
        self.base
    }

    /// The failure bits; `None` when not pre-verified.
    pub fn failures(&self) -> Option<&FailureBits> {
        self.failures.as_ref()
    }
}

impl<T: Transaction> WarpTx<T> {
    /// Wraps `base`, the transaction with hash `tx_hash` in a block whose
    /// predicate results are `results`, with its entry's failure bits
    /// ([`PredicateResults::warp_failures`]). A transaction that has warp
    /// predicates but no entry was not pre-verified (or `tx_hash` is not its
    /// hash): refused, rather than executed as if its predicates passed.
    pub fn from_block_results(
        base: T,
        results: &PredicateResults,
        tx_hash: &B256,
    ) -> Result<Self, MissingPredicateResults> {
        let predicates = warp_tuple_count(&base);
        let failures = results.warp_failures(tx_hash, predicates)?;
        Ok(Self::new(base, failures))
    }
}

/// Not pre-verified: every predicate reads as invalid.
impl<T: Default> Default for WarpTx<T> {
    fn default() -> Self {
        Self::unverified(T::default())
    }
}

impl<T: PartialEq> PartialEq for WarpTx<T> {
    fn eq(&self, other: &Self) -> bool {
        self.base == other.base && self.failures == other.failures
    }
}
impl<T: Eq> Eq for WarpTx<T> {}

impl<T: Transaction> WarpTxTr for WarpTx<T> {
    fn predicate_failures(&self) -> Option<&FailureBits> {
        self.failures.as_ref()
    }

    fn warp_predicates(&self) -> &WarpPredicates {
        self.predicates.get_or_init(|| tx_predicates(&self.base))
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

/// The warp predicates of a transaction: the storage keys of each warp tuple, in
/// order, copied out of its access list (a [`WarpTx`] does this once and keeps them).
pub fn tx_predicates<T: Transaction>(tx: &T) -> WarpPredicates {
    let mut predicates = WarpPredicates::new();
    for item in tx.access_list().into_iter().flatten().filter(|item| *item.address() == WARP_ADDRESS) {
        predicates.push(item.storage_slots());
    }
    predicates
}

/// How many warp tuples a transaction's access list holds (without copying keys).
fn warp_tuple_count<T: Transaction>(tx: &T) -> usize {
    tx.access_list().into_iter().flatten().filter(|item| *item.address() == WARP_ADDRESS).count()
}
