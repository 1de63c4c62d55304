//! Verifying a [`BitSetSignature`] against a canonical validator set
//! (`BitSetSignature.Verify`), in the reference's order:
//!
//! 1. the message's network ID is the receiver's ([`VerifyError::WrongNetworkId`]);
//! 2. the signer bitset is canonical ([`VerifyError::InvalidBitSet`]);
//! 3. every signer index names a canonical validator ([`VerifyError::UnknownValidator`]);
//! 4. the signers' weight meets the quorum, `num × total ≤ den × signed`
//!    ([`VerifyError::InsufficientWeight`]);
//! 5. the signature bytes parse ([`VerifyError::ParseSignature`]);
//! 6. there is at least one signer key to aggregate ([`VerifyError::NoPublicKeys`]);
//! 7. the pairing holds ([`VerifyError::InvalidSignature`]).
//!
//! Nothing here checks the source chain ID against the receiver: contracts do.

use thiserror::Error;

use crate::bitset::NonCanonicalBitSet;
use crate::bls::{AggregatePublicKey, BlsError, Signature};
use crate::message::{BitSetSignature, Message, UnsignedMessage};
use crate::quorum::Quorum;
use crate::validators::CanonicalValidatorSet;

/// Why a signature did not verify; each variant carries the numbers involved.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum VerifyError {
    /// The message is for another network (`ErrWrongNetworkID`).
    #[error("message network ID {actual} is not the receiver's network ID {expected}")]
    WrongNetworkId {
        /// The receiver's network ID.
        expected: u32,
        /// The message's network ID.
        actual: u32,
    },
    /// The signer bitset has a leading zero byte (`ErrInvalidBitSet`).
    #[error(transparent)]
    InvalidBitSet(#[from] NonCanonicalBitSet),
    /// A signer index is beyond the canonical set (`ErrUnknownValidator`).
    #[error("signer index {index} is out of range for {set_size} canonical validators")]
    UnknownValidator {
        /// The highest signer index.
        index: usize,
        /// Number of canonical validators.
        set_size: usize,
    },
    /// The signers' weight does not meet the quorum (`ErrInsufficientWeight`).
    #[error("signed weight {signed} of total {total} is below quorum {quorum}")]
    InsufficientWeight {
        /// Weight of the signers.
        signed: u64,
        /// Total weight of the set.
        total: u64,
        /// The quorum asked.
        quorum: Quorum,
    },
    /// The aggregate signature bytes do not parse (`ErrParseSignature`).
    #[error("aggregate signature does not parse: {0}")]
    ParseSignature(BlsError),
    /// The bitset names no signer (`ErrNoPublicKeys`).
    #[error("no signers: the bitset selects no public key to aggregate")]
    NoPublicKeys,
    /// The pairing check failed (`ErrInvalidSignature`).
    #[error("invalid aggregate signature from {signers} signers")]
    InvalidSignature {
        /// Number of signers aggregated.
        signers: usize,
    },
}

/// What a successful verification established.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VerifiedWeight {
    /// Number of signers.
    pub signers: usize,
    /// Their weight.
    pub signed_weight: u64,
    /// Total weight of the set.
    pub total_weight: u64,
}

/// A signature that passed every check but the pairing (steps 1–6): what a batch
/// verifier needs to finish the job. [`PreparedSignature::verify`] completes it
/// exactly as [`BitSetSignature::verify`] would.
#[derive(Debug, Clone, Copy)]
pub struct PreparedSignature {
    /// The sum of the signers' keys.
    pub aggregate: AggregatePublicKey,
    /// The parsed, subgroup-checked aggregate signature.
    pub signature: Signature,
    /// The weight the signers carry.
    pub weight: VerifiedWeight,
}

impl PreparedSignature {
    /// Step 7, the pairing, over the unsigned message bytes.
    pub fn verify(&self, unsigned_bytes: &[u8]) -> Result<VerifiedWeight, VerifyError> {
        if self.aggregate.verify(unsigned_bytes, &self.signature) {
            Ok(self.weight)
        } else {
            Err(VerifyError::InvalidSignature { signers: self.weight.signers })
        }
    }
}

impl BitSetSignature {
    /// Verifies this signature over `msg` for a receiver on `network_id`, against
    /// `set` with `quorum`. Runs entirely on the calling thread.
    pub fn verify(
        &self,
        msg: &UnsignedMessage,
        network_id: u32,
        set: &CanonicalValidatorSet,
        quorum: Quorum,
    ) -> Result<VerifiedWeight, VerifyError> {
        self.prepare(msg, network_id, set, quorum)?.verify(&msg.to_bytes())
    }

    /// Runs every check before the pairing, in the reference's order, and returns
    /// what the pairing needs. [`PreparedSignature::verify`] (or a batch of them)
    /// finishes the verification.
    pub fn prepare(
        &self,
        msg: &UnsignedMessage,
        network_id: u32,
        set: &CanonicalValidatorSet,
        quorum: Quorum,
    ) -> Result<PreparedSignature, VerifyError> {
        if msg.network_id() != network_id {
            return Err(VerifyError::WrongNetworkId { expected: network_id, actual: msg.network_id() });
        }
        let signers = self.signers();
        let num_signers = signers.num_signers()?;
        let bit_len = signers.bit_len();
        if bit_len > set.len() {
            return Err(VerifyError::UnknownValidator {
                index: bit_len.saturating_sub(1),
                set_size: set.len(),
            });
        }
        // Indices are in range and the total is a checked u64 sum, so this cannot overflow.
        let signed_weight = set.weight_of(signers.indices()).unwrap_or(u64::MAX);
        let total_weight = set.total_weight();
        if !quorum.is_met(signed_weight, total_weight) {
            return Err(VerifyError::InsufficientWeight {
                signed: signed_weight,
                total: total_weight,
                quorum,
            });
        }
        let signature = Signature::from_bytes(self.signature()).map_err(VerifyError::ParseSignature)?;
        let aggregate = set.aggregate_signers(signers, num_signers).ok_or(VerifyError::NoPublicKeys)?;
        Ok(PreparedSignature {
            aggregate,
            signature,
            weight: VerifiedWeight { signers: num_signers, signed_weight, total_weight },
        })
    }
}

impl Message {
    /// Verifies the message's signature; see [`BitSetSignature::verify`].
    pub fn verify(
        &self,
        network_id: u32,
        set: &CanonicalValidatorSet,
        quorum: Quorum,
    ) -> Result<VerifiedWeight, VerifyError> {
        self.signature().verify(self.unsigned(), network_id, set, quorum)
    }
}
