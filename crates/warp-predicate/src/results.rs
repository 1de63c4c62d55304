//! Predicate results (`vms/evm/predicate/results.go`): which predicates of
//! which transactions **failed** verification, as stored in a block.
//!
//! `tx hash → precompile address → failure bitset`, where bit *i* set means
//! predicate index *i* of that address failed. Encoding (codec version 0, at most
//! 1 MiB):
//!
//! ```text
//! 00 00 | u32 txs | { tx hash (32) | u32 addresses | { address (20) | u32 len | bitset } … } …
//! ```
//!
//! - Both maps are sorted by key bytes; decoding requires strictly increasing
//!   keys, as the codec does for every map.
//! - A transaction appears only if it has a warp tuple. When all its predicates
//!   are valid its entry is present with an **empty** bitset.
//! - No results encode as `00 00 00 00 00 00`.
//! - Bitsets decode leniently, like Go's `BitsFromBytes`: any bytes are accepted
//!   and held in canonical form (leading zero bytes dropped), so re-encoding a
//!   parsed non-canonical bitset gives Go's canonical bytes.
//! - A transaction with warp predicates but **no entry** was not pre-verified (or
//!   is looked up under the wrong hash): [`PredicateResults::warp_failures`]
//!   refuses it with [`MissingPredicateResults`] rather than let its predicates
//!   read as valid.
//!
//! # What an empty bitset means
//!
//! **An empty [`FailureBits`] says that every predicate of the transaction was
//! verified and passed.** It is what a transaction executes with only after
//! pre-verification found nothing wrong. It is never a safe default: that is why
//! `FailureBits` has no `Default`, why its empty value is called
//! [`FailureBits::none_failed`], and why a transaction that was not pre-verified
//! carries no bits at all (`warp_precompile::revm::WarpTx::unverified`, whose
//! predicates all read as invalid).

use std::collections::BTreeMap;

use alloy_primitives::{Address, B256};
use awm_core::codec::{Packer, Unpacker};
use awm_core::{CodecError, SignerBitSet};
use thiserror::Error;

use crate::access_list::WARP_ADDRESS;

/// Largest encoding the results codec reads or writes: 1 MiB.
pub const MAX_RESULTS_SIZE: usize = 1024 * 1024;

/// Which predicate indices failed, as a big-endian bit integer (`set.Bits`).
///
/// **Empty means every predicate was verified and passed** (see the module
/// docs): build a block transaction's bits with
/// [`PredicateResults::warp_failures`], not by hand.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct FailureBits(SignerBitSet);

impl FailureBits {
    /// No predicate failed: **every predicate of the transaction verified**.
    ///
    /// Only for a transaction whose predicates were pre-verified and all passed
    /// (or that has none). For a transaction of a block, take the bits from the
    /// block's results with [`PredicateResults::warp_failures`], which refuses a
    /// transaction that has predicates but no entry.
    pub fn none_failed() -> Self {
        Self(SignerBitSet::default())
    }

    /// Exactly these indices failed.
    pub fn from_indices(indices: impl IntoIterator<Item = usize>) -> Self {
        Self(SignerBitSet::from_indices(indices))
    }

    /// Any bytes, read as a big-endian integer (leading zero bytes are dropped).
    pub fn from_bytes_lenient(bytes: &[u8]) -> Self {
        let start = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
        let canonical = bytes.get(start..).unwrap_or_default().to_vec();
        // Shorter than the input, which the caller already holds: cannot exceed the codec limit.
        Self(SignerBitSet::from_bytes(canonical).unwrap_or_default())
    }

    /// Whether predicate `index` failed.
    pub fn contains(&self, index: usize) -> bool {
        self.0.contains(index)
    }

    /// The failed indices, ascending.
    pub fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.0.indices()
    }

    /// True when nothing failed.
    pub fn is_empty(&self) -> bool {
        self.0.as_bytes().is_empty()
    }

    /// The canonical big-endian bytes (empty when nothing failed).
    pub fn as_bytes(&self) -> &[u8] {
        self.0.as_bytes()
    }
}

/// Why stored results could not be read or written.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ResultsError {
    /// The bytes break the codec (version, lengths, size, trailing bytes).
    #[error("predicate results: {0}")]
    Codec(#[from] CodecError),
    /// Transaction hashes are not strictly increasing.
    #[error("predicate results: transaction {index} ({hash}) is not after the previous hash")]
    UnsortedTransactions {
        /// Position of the offending entry.
        index: usize,
        /// Its hash.
        hash: B256,
    },
    /// Addresses of a transaction are not strictly increasing.
    #[error(
        "predicate results of transaction {tx}: address {index} ({address}) is not after the previous one"
    )]
    UnsortedAddresses {
        /// The transaction.
        tx: B256,
        /// Position of the offending address.
        index: usize,
        /// The address.
        address: Address,
    },
    /// The encoding would exceed 1 MiB.
    #[error("predicate results encode to {size} bytes, above the {max}-byte limit")]
    TooLarge {
        /// Size of the encoding.
        size: usize,
        /// The limit.
        max: usize,
    },
}

/// A transaction with warp predicates has no entry in its block's results: it
/// was not pre-verified, or it is looked up under the wrong hash. Executing it
/// as if its predicates passed would serve unverified messages as valid.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error(
    "transaction {tx} has {predicates} warp predicate(s) but the block's predicate results have no \
     entry for it: it was not pre-verified, or the hash is not its hash"
)]
pub struct MissingPredicateResults {
    /// The transaction hash looked up.
    pub tx: B256,
    /// How many warp predicates (warp tuples) the transaction has.
    pub predicates: usize,
}

/// The failure bitsets of a block's transactions.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct PredicateResults {
    txs: BTreeMap<B256, BTreeMap<Address, FailureBits>>,
}

impl PredicateResults {
    /// No results.
    pub fn new() -> Self {
        Self::default()
    }

    /// True when no transaction has an entry.
    pub fn is_empty(&self) -> bool {
        self.txs.is_empty()
    }

    /// Number of transactions with an entry.
    pub fn len(&self) -> usize {
        self.txs.len()
    }

    /// Records the failures of `tx`'s predicates for `address` (empty when all passed).
    pub fn set(&mut self, tx: B256, address: Address, failures: FailureBits) {
        self.txs.entry(tx).or_default().insert(address, failures);
    }

    /// Removes a transaction's entry (a builder does this when the transaction fails to apply).
    pub fn remove_tx(&mut self, tx: &B256) -> Option<BTreeMap<Address, FailureBits>> {
        self.txs.remove(tx)
    }

    /// The failures recorded for `tx` and `address`, if it has an entry.
    pub fn get(&self, tx: &B256, address: &Address) -> Option<&FailureBits> {
        self.txs.get(tx)?.get(address)
    }

    /// The failure bits a transaction executes with: its recorded entry for the
    /// warp precompile, or, for a transaction without warp predicates
    /// (`predicates == 0`), none failed (it has nothing to read).
    ///
    /// A transaction *with* warp predicates but no entry is refused: it was not
    /// pre-verified, or `tx` is not its hash. This is the safe way to go from a
    /// block's results to a transaction's bits.
    pub fn warp_failures(
        &self,
        tx: &B256,
        predicates: usize,
    ) -> Result<FailureBits, MissingPredicateResults> {
        match self.get(tx, &WARP_ADDRESS) {
            Some(bits) => Ok(bits.clone()),
            None if predicates == 0 => Ok(FailureBits::none_failed()),
            None => Err(MissingPredicateResults { tx: *tx, predicates }),
        }
    }

    /// Whether predicate `index` of `tx` for `address` is *recorded* as failed.
    ///
    /// False without an entry, which is **not** a pass: to decide what a
    /// transaction reads, use [`PredicateResults::warp_failures`].
    pub fn failed(&self, tx: &B256, address: &Address, index: usize) -> bool {
        self.get(tx, address).is_some_and(|bits| bits.contains(index))
    }

    /// Every entry, sorted by transaction hash then address.
    pub fn iter(&self) -> impl Iterator<Item = (&B256, &BTreeMap<Address, FailureBits>)> {
        self.txs.iter()
    }

    /// The codec encoding, refusing more than 1 MiB.
    pub fn to_bytes(&self) -> Result<Vec<u8>, ResultsError> {
        let mut p = Packer::with_version(64);
        p.slice_len(self.txs.len())?;
        for (tx, addrs) in &self.txs {
            p.raw(tx.as_slice());
            p.slice_len(addrs.len())?;
            for (addr, bits) in addrs {
                p.raw(addr.as_slice());
                p.bytes(bits.as_bytes())?;
            }
        }
        let bytes = p.into_bytes();
        if bytes.len() > MAX_RESULTS_SIZE {
            return Err(ResultsError::TooLarge { size: bytes.len(), max: MAX_RESULTS_SIZE });
        }
        Ok(bytes)
    }

    /// Decodes results (`ParseBlockResults`).
    pub fn parse(bytes: &[u8]) -> Result<Self, ResultsError> {
        let mut u = Unpacker::with_version(bytes, MAX_RESULTS_SIZE)?;
        let num_txs = u.slice_len()?;
        let mut txs = BTreeMap::new();
        let mut previous_tx: Option<B256> = None;
        for index in 0..num_txs {
            let hash = B256::from(u.array::<32>()?);
            if previous_tx.is_some_and(|p| p >= hash) {
                return Err(ResultsError::UnsortedTransactions { index, hash });
            }
            previous_tx = Some(hash);
            let num_addrs = u.slice_len()?;
            let mut addrs = BTreeMap::new();
            let mut previous_addr: Option<Address> = None;
            for a in 0..num_addrs {
                let address = Address::from(u.array::<20>()?);
                if previous_addr.is_some_and(|p| p >= address) {
                    return Err(ResultsError::UnsortedAddresses { tx: hash, index: a, address });
                }
                previous_addr = Some(address);
                addrs.insert(address, FailureBits::from_bytes_lenient(u.bytes()?));
            }
            txs.insert(hash, addrs);
        }
        u.finish()?;
        Ok(Self { txs })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn h(first: u8) -> B256 {
        let mut b = [0u8; 32];
        b[0] = first;
        B256::from(b)
    }
    fn a(first: u8) -> Address {
        let mut b = [0u8; 20];
        b[0] = first;
        Address::from(b)
    }

    #[test]
    fn go_vectors() {
        assert_eq!(hex::encode(PredicateResults::new().to_bytes().unwrap()), "000000000000");
        assert_eq!(
            PredicateResults::parse(&hex::decode("000000000000").unwrap()).unwrap(),
            PredicateResults::new()
        );

        let mut one = PredicateResults::new();
        one.set(h(1), a(2), FailureBits::from_indices([1, 2, 3]));
        let expected = concat!(
            "0000",
            "00000001",
            "0100000000000000000000000000000000000000000000000000000000000000",
            "00000001",
            "0200000000000000000000000000000000000000",
            "00000001",
            "0e"
        );
        assert_eq!(hex::encode(one.to_bytes().unwrap()), expected);
        assert_eq!(PredicateResults::parse(&hex::decode(expected).unwrap()).unwrap(), one);

        let mut two = one.clone();
        two.set(h(1), a(3), FailureBits::from_indices([0, 1, 2, 3]));
        let expected_two = concat!(
            "0000",
            "00000001",
            "0100000000000000000000000000000000000000000000000000000000000000",
            "00000002",
            "0200000000000000000000000000000000000000",
            "00000001",
            "0e",
            "0300000000000000000000000000000000000000",
            "00000001",
            "0f"
        );
        assert_eq!(hex::encode(two.to_bytes().unwrap()), expected_two);
        assert!(two.failed(&h(1), &a(3), 0) && !two.failed(&h(1), &a(2), 0) && !two.failed(&h(9), &a(2), 1));
    }

    #[test]
    fn sorted_on_encode_strict_on_decode() {
        let mut r = PredicateResults::new();
        r.set(h(9), a(1), FailureBits::none_failed());
        r.set(h(3), a(1), FailureBits::from_indices([0]));
        let bytes = r.to_bytes().unwrap();
        assert_eq!(&bytes[6..7], &[3]);
        assert_eq!(r.get(&h(9), &a(1)), Some(&FailureBits::none_failed()));
        // Swap the two tx hashes: unsorted.
        let mut swapped = bytes.clone();
        swapped[6] = 9;
        let second = 6 + 32 + 4 + 20 + 4 + 1;
        swapped[second] = 3;
        assert!(matches!(
            PredicateResults::parse(&swapped),
            Err(ResultsError::UnsortedTransactions { index: 1, .. })
        ));
        // Duplicate addresses within a tx.
        let dup = concat!(
            "0000",
            "00000001",
            "01",
            "00000000000000000000000000000000000000000000000000000000000000",
            "00000002",
            "0200000000000000000000000000000000000000",
            "00000000",
            "0200000000000000000000000000000000000000",
            "00000000"
        );
        assert!(matches!(
            PredicateResults::parse(&hex::decode(dup).unwrap()),
            Err(ResultsError::UnsortedAddresses { index: 1, .. })
        ));
    }

    #[test]
    fn a_transaction_with_predicates_needs_an_entry() {
        let mut r = PredicateResults::new();
        r.set(h(1), WARP_ADDRESS, FailureBits::from_indices([2]));
        r.set(h(2), WARP_ADDRESS, FailureBits::none_failed());
        r.set(h(3), a(7), FailureBits::none_failed());
        assert_eq!(r.warp_failures(&h(1), 3), Ok(FailureBits::from_indices([2])));
        assert_eq!(r.warp_failures(&h(2), 1), Ok(FailureBits::none_failed()));
        // No entry and no predicates: nothing to read, nothing failed.
        assert_eq!(r.warp_failures(&h(9), 0), Ok(FailureBits::none_failed()));
        // No entry but predicates (the wrong hash, or never pre-verified): refused.
        let err = r.warp_failures(&h(9), 2).unwrap_err();
        assert_eq!(err, MissingPredicateResults { tx: h(9), predicates: 2 });
        assert!(err.to_string().contains("2 warp predicate(s)"), "{err}");
        // An entry for another precompile does not count as the warp entry.
        assert!(r.warp_failures(&h(3), 1).is_err());
    }

    #[test]
    fn lenient_bitsets_and_codec_errors() {
        let lenient = concat!(
            "0000",
            "00000001",
            "01",
            "00000000000000000000000000000000000000000000000000000000000000",
            "00000001",
            "0200000000000000000000000000000000000000",
            "00000002",
            "0001"
        );
        let r = PredicateResults::parse(&hex::decode(lenient).unwrap()).unwrap();
        assert!(r.failed(&h(1), &a(2), 0));
        assert_eq!(r.get(&h(1), &a(2)).unwrap().as_bytes(), &[1]);
        assert!(matches!(
            PredicateResults::parse(&[]),
            Err(ResultsError::Codec(CodecError::ShortInput { .. }))
        ));
        assert!(matches!(
            PredicateResults::parse(&hex::decode("00000000000000").unwrap()),
            Err(ResultsError::Codec(CodecError::TrailingBytes { count: 1 }))
        ));
        assert!(matches!(
            PredicateResults::parse(&hex::decode("000100000000").unwrap()),
            Err(ResultsError::Codec(CodecError::UnknownVersion(1)))
        ));
        let too_big = vec![0u8; MAX_RESULTS_SIZE + 1];
        assert!(matches!(
            PredicateResults::parse(&too_big),
            Err(ResultsError::Codec(CodecError::TooLarge { .. }))
        ));
        let mut huge = PredicateResults::new();
        huge.set(h(1), a(1), FailureBits::from_indices([8 * MAX_RESULTS_SIZE]));
        assert!(matches!(huge.to_bytes(), Err(ResultsError::TooLarge { .. })));
    }
}
