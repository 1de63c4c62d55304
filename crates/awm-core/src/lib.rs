//! # awm-core
//!
//! The core of Avalanche Warp Messaging in Rust, byte- and error-exact with
//! avalanchego's `vms/platformvm/warp` package:
//!
//! | module | what it holds |
//! |---|---|
//! | [`codec`] | the linear codec: versions, big-endian integers, `u32` lengths, type IDs, strict decoding |
//! | [`message`] | [`UnsignedMessage`], [`BitSetSignature`], [`Message`] and the message ID |
//! | [`payload`] | the EVM payloads [`Hash`](struct@Hash) and [`AddressedCall`] (24 KiB cap) |
//! | [`pchain`] | the ACP-77 P-Chain payloads |
//! | [`bls`] | BLS12-381 min-pk keys, signatures, proofs of possession and aggregation on blst |
//! | [`batch`] | batch verification with random factors (fused Miller loops, one multi-scalar multiplication, one final exponentiation; failures resolved by derived G_T values), verdicts equal to one by one |
//! | [`bitset`] | the big-endian signer bitset |
//! | [`ids`] | 32-byte IDs and node IDs with their CB58 and hex text forms |
//! | [`validators`] | validators and the canonical validator set |
//! | [`get_validators_at`] | loading `platform.getValidatorsAt` JSON |
//! | [`quorum`] | quorum fractions and per-source quorum policies |
//! | [`verify`] | signature verification in the reference's check order |
//! | [`state`] | the validator-state trait and the receiver's choice of signing subnet |
//! | [`registry`] | an embedded P-Chain: PoP-checked registration, per-height diffs, history, an LRU of sets |
//! | [`signer`] | a validator's signer, refusing other networks and chains |
//! | [`sift`] | many signatures over one message checked in groups: keeps those whose sum verifies |
//! | [`aggregator`] | heaviest-first aggregation of verified signatures to the exact quorum |
//! | [`acp118`] | ACP-118 signature request and response bytes |
//!
//! ```
//! use awm_core::{bls::SecretKey, *};
//!
//! let keys: Vec<SecretKey> = (1..=3u8).map(|i| SecretKey::from_seed(&[i; 32]).unwrap()).collect();
//! let set = CanonicalValidatorSet::new(
//!     keys.iter().zip([10, 10, 5]).enumerate().map(|(i, (k, w))| Validator::new(NodeId([i as u8; 20]), Some(k.public_key()), w)),
//! )
//! .unwrap();
//! let chain = Id([7; 32]);
//! let payload = AddressedCall::new(vec![0xaa; 20], b"hi".to_vec()).unwrap().to_bytes();
//! let unsigned = UnsignedMessage::new(12345, chain, payload).unwrap();
//!
//! // The two heaviest validators sign (20 of 25 ≥ 67%); their signatures aggregate into one.
//! let signers: Vec<usize> = keys[..2].iter().map(|k| set.index_of(&k.public_key()).unwrap()).collect();
//! let sigs: Vec<_> = keys[..2].iter().map(|k| k.sign(&unsigned.to_bytes())).collect();
//! let aggregate = bls::aggregate_signatures(&sigs).unwrap();
//! let msg = Message::new(unsigned, BitSetSignature::new(SignerBitSet::from_indices(signers), aggregate.to_bytes()));
//!
//! let verified = msg.verify(12345, &set, Quorum::DEFAULT).unwrap();
//! assert_eq!((verified.signed_weight, verified.total_weight), (20, 25));
//! ```

#![cfg_attr(test, allow(clippy::arithmetic_side_effects))]

pub mod acp118;
pub mod aggregator;
pub mod batch;
pub mod bitset;
pub mod bls;
pub mod codec;
pub mod get_validators_at;
mod gt;
pub mod ids;
pub mod message;
pub mod payload;
pub mod pchain;
pub mod quorum;
pub mod registry;
pub mod sift;
pub mod signer;
pub mod state;
pub mod validators;
pub mod verify;

pub use aggregator::{
    aggregate_signatures, aggregate_verified, Aggregated, AggregationError, DropReason, Dropped,
};
pub use bitset::{NonCanonicalBitSet, SignerBitSet};
pub use codec::CodecError;
pub use get_validators_at::{parse_get_validators_at, ValidatorJsonError};
pub use ids::{ChainId, Id, IdError, NodeId, SubnetId};
pub use message::{BitSetSignature, Message, UnsignedMessage};
pub use payload::{AddressedCall, Hash, Payload, MAX_PAYLOAD_SIZE};
pub use quorum::{Quorum, QuorumError, QuorumPolicy};
pub use registry::{PChainRegistry, RegistryError};
pub use signer::{Signer, SignerError};
pub use state::{FixedValidatorState, StateError, ValidatorState, WarpConfig, WarpError, WarpVerifier};
pub use validators::{CanonicalValidator, CanonicalValidatorSet, Validator, ValidatorSetError};
pub use verify::{PreparedSignature, VerifiedWeight, VerifyError};
