//! # warp-predicate
//!
//! Signed warp messages as EIP-2930 access-list predicates: how they are packed,
//! what they cost as intrinsic gas, how a block's predicates are verified before
//! it executes, and how the failures are stored in the block so history replays
//! without old validator sets (ACP-30; avalanchego `vms/evm/predicate` and the
//! warp precompile's `config.go`).
//!
//! | module | what it holds |
//! |---|---|
//! | [`predicate`] | packing a message into 32-byte storage keys, and unpacking with the three errors |
//! | [`access_list`] | the warp address and a transaction's predicates, indexed among warp tuples |
//! | [`gas`] | the ACP-30, pre-Granite and Granite schedules, selection by timestamp, predicate gas, access-list gas |
//! | [`results`] | the per-transaction failure bitsets and their codec |
//! | [`cache`] | verdicts remembered from admission to block, keyed by all they depend on (LRU) |
//! | [`extra`] | where the results sit in a header's `Extra` |
//! | [`block`] | block pre-verification (parallel and batched, or sequential), building, verifying, simulating |
//!
//! ```
//! use warp_predicate::{gas::GasSchedule, predicate_gas, warp_access_list, warp_predicates};
//! # use awm_core::{bls::SecretKey, *};
//! # let sk = SecretKey::from_seed(&[1; 32]).unwrap();
//! # let unsigned = UnsignedMessage::new(1, Id([2; 32]), AddressedCall::new(vec![], vec![1]).unwrap().to_bytes()).unwrap();
//! # let sig = sk.sign(&unsigned.to_bytes()).to_bytes();
//! # let signed = Message::new(unsigned, BitSetSignature::new(SignerBitSet::from_indices([0]), sig)).to_bytes();
//! // A relayer puts the signed message in its transaction's access list…
//! let access_list = warp_access_list([signed.as_slice()]);
//! // …and sizes the gas limit with the predicate's intrinsic gas.
//! let gas = predicate_gas(warp_predicates(&access_list)[0], &GasSchedule::granite()).unwrap();
//! assert_eq!(gas.gas, 125_000 + 512 * gas.chunks as u64 + 250);
//! ```

#![cfg_attr(test, allow(clippy::arithmetic_side_effects))]

pub mod access_list;
pub mod block;
pub mod cache;
pub mod extra;
pub mod gas;
pub mod predicate;
pub mod results;

/// The access-list and primitive types of the API (alloy's, as revm 43 uses them).
pub use alloy_eip2930::{AccessList, AccessListItem};
pub use alloy_primitives::{Address, B256};

pub use access_list::{has_warp_predicates, warp_access_list, warp_predicates, WarpPredicates, WARP_ADDRESS};
pub use block::{
    BlockError, BlockTx, BuiltBlock, Execution, PredicateRule, PredicateVerifier, SkipReason, Skipped,
    TxCheck,
};
pub use cache::{CacheStats, VerdictCache, VerdictKey};
pub use extra::{ExtraError, ExtraLayout};
pub use gas::{
    access_list_gas, predicate_gas, AccessListGas, AccessListGasError, AccessListGasMeter, GasSchedule,
    GasUpgrades, PredicateGas, PredicateGasError,
};
pub use predicate::{pack, unpack, PredicateError};
pub use results::{FailureBits, MissingPredicateResults, PredicateResults, ResultsError};
