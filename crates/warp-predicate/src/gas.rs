//! Gas: the three warp schedules, their selection by block timestamp, the
//! predicate gas of §6.4 and the access-list part of intrinsic gas.
//!
//! | parameter | [`GasSchedule::acp30`] (ACP-30's text) | [`GasSchedule::pre_granite`] (Durango → Granite) | [`GasSchedule::granite`] |
//! |---|---|---|---|
//! | `verify_predicate_base` | 20,000 | 200,000 | 125,000 |
//! | `per_warp_message_chunk` (32 bytes) | 3,200 (100 per byte) | 3,200 | 512 |
//! | `per_warp_signer` | 500 | 500 | 250 |
//! | `get_verified_warp_message_base` | 2 | 2 | 750 |
//! | `get_blockchain_id` | 2 | 2 | 200 |
//! | `send_warp_message_base` | 41,500 | 41,500 | 41,500 |
//! | `per_warp_message_byte` (send calldata) | 8 | 8 | 8 |
//!
//! **ACP-30's 20,000 was never what the network charged.** The ACP's text has said
//! 20,000 per verification since its first commit, but the reference code has
//! charged 200,000 from its first warp commit (July 2023) until Granite, and
//! ACP-181's "before" table confirms 200,000. [`GasSchedule::acp30`] exists to
//! show what the text says. Its send base is the text's 41,500 (375 for the log,
//! 3 × 375 for its topics, 20,000 to sign and 20,000 to store): versions of the
//! ACP before 2023-12-18 said 41,875 for a 4-topic log, which the current text
//! and the code both dropped. Chains should run [`GasUpgrades::mainnet`] or [`GasUpgrades::fuji`], or
//! their own activation times.
//!
//! Predicate gas ([`predicate_gas`]) follows the reference step by step:
//!
//! 1. `base + per_chunk × keys`, checked, with the key count taken before parsing;
//! 2. the keys unpack ([`PredicateGasError::InvalidPredicateBytes`]);
//! 3. the bytes parse as a signed message ([`PredicateGasError::InvalidWarpMessage`]);
//! 4. its payload is a `Hash` or an `AddressedCall` of at most 24 KiB
//!    ([`PredicateGasError::InvalidPayload`]);
//! 5. the signer bitset is canonical ([`PredicateGasError::NonCanonicalSigners`]);
//! 6. `+ per_signer × signers`, checked.
//!
//! **Every error makes the transaction invalid** (it is an error of intrinsic gas):
//! the mempool refuses it, a builder skips it, and a block holding it is invalid.
//! Failures found later (signature, weight, unknown subnet…) only set the
//! predicate's result bit.

use alloy_eip2930::AccessList;
use alloy_primitives::{Address, B256};
use awm_core::{CodecError, Message, NonCanonicalBitSet, Payload};
use thiserror::Error;

use crate::access_list::WARP_ADDRESS;
use crate::predicate::{unpack, PredicateError};

/// EIP-2930: gas per access-list address.
pub const ACCESS_LIST_ADDRESS_GAS: u64 = 2_400;
/// EIP-2930: gas per access-list storage key.
pub const ACCESS_LIST_STORAGE_KEY_GAS: u64 = 1_900;

/// The warp precompile's gas parameters (`WarpGasConfig`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct GasSchedule {
    /// Per predicate, charged as intrinsic gas.
    pub verify_predicate_base: u64,
    /// Per 32-byte storage key of a predicate, intrinsic and again on a valid read.
    pub per_warp_message_chunk: u64,
    /// Per signer of a predicate, intrinsic.
    pub per_warp_signer: u64,
    /// `getVerifiedWarpMessage` / `getVerifiedWarpBlockHash` base.
    pub get_verified_warp_message_base: u64,
    /// `getBlockchainID`.
    pub get_blockchain_id: u64,
    /// `sendWarpMessage` base.
    pub send_warp_message_base: u64,
    /// `sendWarpMessage`, per byte of calldata after the selector.
    pub per_warp_message_byte: u64,
}

impl GasSchedule {
    /// The figures of ACP-30's text, which the network never charged (see the module docs).
    pub const fn acp30() -> Self {
        Self {
            verify_predicate_base: 20_000,
            per_warp_message_chunk: 3_200,
            per_warp_signer: 500,
            get_verified_warp_message_base: 2,
            get_blockchain_id: 2,
            send_warp_message_base: 41_500,
            per_warp_message_byte: 8,
        }
    }

    /// What Avalanche charged from Durango until Granite.
    pub const fn pre_granite() -> Self {
        Self {
            verify_predicate_base: 200_000,
            per_warp_message_chunk: 3_200,
            per_warp_signer: 500,
            get_verified_warp_message_base: 2,
            get_blockchain_id: 2,
            send_warp_message_base: 41_500,
            per_warp_message_byte: 8,
        }
    }

    /// Granite (ACP-181), priced for about 100 Mgas/s with cached validator sets.
    pub const fn granite() -> Self {
        Self {
            verify_predicate_base: 125_000,
            per_warp_message_chunk: 512,
            per_warp_signer: 250,
            get_verified_warp_message_base: 750,
            get_blockchain_id: 200,
            send_warp_message_base: 41_500,
            per_warp_message_byte: 8,
        }
    }

    /// Cost of a `getVerifiedWarp*` read: the base, plus the per-chunk price of the
    /// whole predicate when it is valid. `None` on overflow.
    pub fn read_cost(&self, valid_predicate_chunks: Option<usize>) -> Option<u64> {
        match valid_predicate_chunks {
            None => Some(self.get_verified_warp_message_base),
            Some(chunks) => self
                .per_warp_message_chunk
                .checked_mul(u64::try_from(chunks).ok()?)?
                .checked_add(self.get_verified_warp_message_base),
        }
    }

    /// Cost of `sendWarpMessage` with `input_len` bytes of calldata after the
    /// selector. `None` on overflow.
    pub fn send_cost(&self, input_len: usize) -> Option<u64> {
        self.per_warp_message_byte
            .checked_mul(u64::try_from(input_len).ok()?)?
            .checked_add(self.send_warp_message_base)
    }
}

/// Durango on mainnet, 2024-03-06 16:00 UTC: warp activates (pre-Granite gas).
pub const MAINNET_DURANGO: u64 = 1_709_740_800;
/// Granite on mainnet, 2025-11-19 16:00 UTC.
pub const MAINNET_GRANITE: u64 = 1_763_568_000;
/// Durango on Fuji, 2024-02-13 16:00 UTC.
pub const FUJI_DURANGO: u64 = 1_707_840_000;
/// Granite on Fuji, 2025-10-29 15:00 UTC.
pub const FUJI_GRANITE: u64 = 1_761_750_000;

/// A chain's gas upgrades: which schedule is active from which block timestamp.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GasUpgrades {
    /// Activations sorted by timestamp.
    activations: Vec<(u64, GasSchedule)>,
}

impl GasUpgrades {
    /// Schedules active from the given timestamps (in any order; a later entry at
    /// the same timestamp wins).
    pub fn new(activations: impl IntoIterator<Item = (u64, GasSchedule)>) -> Self {
        let mut activations: Vec<(u64, GasSchedule)> = activations.into_iter().collect();
        activations.sort_by_key(|(t, _)| *t);
        activations.dedup_by(|later, earlier| {
            let same = later.0 == earlier.0;
            if same {
                earlier.1 = later.1;
            }
            same
        });
        Self { activations }
    }

    /// Avalanche mainnet (C-Chain and Subnet-EVM L1s following the node's times).
    pub fn mainnet() -> Self {
        Self::new([(MAINNET_DURANGO, GasSchedule::pre_granite()), (MAINNET_GRANITE, GasSchedule::granite())])
    }

    /// Fuji.
    pub fn fuji() -> Self {
        Self::new([(FUJI_DURANGO, GasSchedule::pre_granite()), (FUJI_GRANITE, GasSchedule::granite())])
    }

    /// The schedule in force at `timestamp`; `None` before the first activation
    /// (warp is not active, and a warp tuple is an ordinary access-list entry).
    pub fn schedule_at(&self, timestamp: u64) -> Option<&GasSchedule> {
        self.activations.iter().rev().find(|(t, _)| *t <= timestamp).map(|(_, s)| s)
    }
}

/// The flat EIP-2930 charge of one non-warp tuple with `keys` storage keys:
/// `2,400 + 1,900 × keys`; `None` on overflow.
pub(crate) fn flat_tuple_gas(keys: usize) -> Option<u64> {
    u64::try_from(keys).ok()?.checked_mul(ACCESS_LIST_STORAGE_KEY_GAS)?.checked_add(ACCESS_LIST_ADDRESS_GAS)
}

/// Base gas of a transaction (EIP-2028 era): 21,000.
pub const TX_GAS: u64 = 21_000;
/// Base gas of a contract creation: 53,000.
pub const TX_GAS_CONTRACT_CREATION: u64 = 53_000;
/// Gas per zero byte of calldata.
pub const TX_DATA_ZERO_GAS: u64 = 4;
/// Gas per non-zero byte of calldata (EIP-2028).
pub const TX_DATA_NON_ZERO_GAS: u64 = 16;
/// Gas per 32-byte word of init code (EIP-3860, from Shanghai, which Subnet-EVM's Durango includes).
pub const INIT_CODE_WORD_GAS: u64 = 2;

/// A transaction's intrinsic gas other than its access list's, as Subnet-EVM
/// charges it from Durango (geth's `IntrinsicGas` with Istanbul's calldata
/// prices and Shanghai's init-code charge; no EIP-7623 floor): 21,000, or 53,000
/// plus 2 per init-code word for a creation, plus 4 per zero and 16 per non-zero
/// byte of `data`. Saturates rather than overflows (no input is that large).
pub fn intrinsic_gas_without_access_list(data: &[u8], is_create: bool) -> u64 {
    let zeros = u64::try_from(data.iter().filter(|b| **b == 0).count()).unwrap_or(u64::MAX);
    let len = u64::try_from(data.len()).unwrap_or(u64::MAX);
    let non_zeros = len.saturating_sub(zeros);
    let mut gas = if is_create { TX_GAS_CONTRACT_CREATION } else { TX_GAS };
    gas = gas
        .saturating_add(zeros.saturating_mul(TX_DATA_ZERO_GAS))
        .saturating_add(non_zeros.saturating_mul(TX_DATA_NON_ZERO_GAS));
    if is_create {
        let words = len.div_ceil(32);
        gas = gas.saturating_add(words.saturating_mul(INIT_CODE_WORD_GAS));
    }
    gas
}

/// Why a predicate has no gas cost: every variant makes the transaction invalid.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PredicateGasError {
    /// `base + per_chunk × chunks` or the signer charge overflows `u64`.
    #[error("predicate gas overflows u64 with {chunks} chunks and {signers} signers")]
    Overflow {
        /// Storage keys of the predicate.
        chunks: usize,
        /// Signers counted so far (0 when the chunk charge overflowed).
        signers: usize,
    },
    /// The keys are not a packed predicate (`errInvalidPredicateBytes`).
    #[error("invalid predicate bytes: {0}")]
    InvalidPredicateBytes(#[from] PredicateError),
    /// The bytes are not a signed warp message (`errInvalidWarpMsg`).
    #[error("invalid warp message: {0}")]
    InvalidWarpMessage(CodecError),
    /// The payload is not a `Hash` or `AddressedCall` of at most 24 KiB (`errInvalidWarpMsgPayload`).
    #[error("invalid warp message payload: {0}")]
    InvalidPayload(CodecError),
    /// The signer bitset is not canonical (`errCannotGetNumSigners`).
    #[error("cannot count signers: {0}")]
    NonCanonicalSigners(NonCanonicalBitSet),
}

/// The intrinsic gas of one predicate, with what it was computed from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PredicateGas {
    /// The gas.
    pub gas: u64,
    /// Storage keys (32-byte chunks).
    pub chunks: usize,
    /// Signers in the bitset.
    pub signers: usize,
}

/// The gas of a predicate and its parsed message.
pub(crate) fn analyze(
    keys: &[B256],
    schedule: &GasSchedule,
) -> Result<(PredicateGas, Message), PredicateGasError> {
    let chunks = keys.len();
    let overflow = |signers| PredicateGasError::Overflow { chunks, signers };
    let gas = u64::try_from(chunks)
        .ok()
        .and_then(|c| schedule.per_warp_message_chunk.checked_mul(c))
        .and_then(|g| g.checked_add(schedule.verify_predicate_base))
        .ok_or(overflow(0))?;
    let bytes = unpack(keys)?;
    let message = Message::parse(&bytes).map_err(PredicateGasError::InvalidWarpMessage)?;
    Payload::parse(message.unsigned().payload()).map_err(PredicateGasError::InvalidPayload)?;
    let signers =
        message.signature().signers().num_signers().map_err(PredicateGasError::NonCanonicalSigners)?;
    let gas = u64::try_from(signers)
        .ok()
        .and_then(|s| schedule.per_warp_signer.checked_mul(s))
        .and_then(|s| gas.checked_add(s))
        .ok_or(overflow(signers))?;
    Ok((PredicateGas { gas, chunks, signers }, message))
}

/// The intrinsic gas of one warp predicate (its storage keys) under `schedule`.
/// A pure function: relayers call it to size gas limits.
pub fn predicate_gas(keys: &[B256], schedule: &GasSchedule) -> Result<PredicateGas, PredicateGasError> {
    analyze(keys, schedule).map(|(gas, _)| gas)
}

/// Why an access list has no intrinsic gas.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AccessListGasError {
    /// A warp predicate is malformed: the transaction is invalid.
    #[error("warp predicate {index}: {source}")]
    Predicate {
        /// Predicate index (among warp tuples).
        index: usize,
        /// Why.
        source: PredicateGasError,
    },
    /// The sum overflows `u64` (`ErrGasUintOverflow`).
    #[error("access-list gas overflows u64 at tuple {tuple}")]
    Overflow {
        /// Position of the tuple in the access list.
        tuple: usize,
    },
    /// The predicate-aware charge is below the standard one, so it cannot be
    /// expressed as gas added on top (`ErrAccessListGasDeltaUnderflow`).
    #[error("predicate-aware access-list gas {with_predicates} is below the standard {standard}")]
    DeltaUnderflow {
        /// The standard EIP-2930 charge.
        standard: u64,
        /// The predicate-aware charge.
        with_predicates: u64,
    },
}

/// The access-list part of a transaction's intrinsic gas, two ways.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccessListGas {
    /// Standard EIP-2930: `2,400 + 1,900 × keys` for every tuple.
    pub standard: u64,
    /// What the chain charges: warp tuples cost their predicate gas instead.
    pub with_predicates: u64,
}

impl AccessListGas {
    /// `with_predicates − standard`. It can be negative: under Granite a predicate
    /// of more than about 88 keys costs less than the standard charge for its keys.
    pub fn delta(&self) -> i128 {
        // Two u64 values: the difference always fits in an i128.
        i128::from(self.with_predicates).saturating_sub(i128::from(self.standard))
    }

    /// The gas to add on top of an EVM that already charged the standard amount,
    /// refusing a negative delta as avalanchego's `AccessListIntrinsicGasDelta` does.
    pub fn added_over_standard(&self) -> Result<u64, AccessListGasError> {
        self.with_predicates.checked_sub(self.standard).ok_or(AccessListGasError::DeltaUnderflow {
            standard: self.standard,
            with_predicates: self.with_predicates,
        })
    }
}

/// Sums the access-list intrinsic gas tuple by tuple, for callers whose access
/// list is not an alloy [`AccessList`] (an EVM's own transaction type).
/// [`access_list_gas`] is this meter run over an [`AccessList`].
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct AccessListGasMeter {
    gas: AccessListGas,
    tuples: usize,
    warp_tuples: usize,
    warp_keys: usize,
    predicate_gas: u64,
}

impl AccessListGasMeter {
    /// An empty meter.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the next tuple of the access list: `address` with its storage `keys`.
    /// A warp tuple is charged its predicate gas under `schedule`; any other tuple
    /// the flat EIP-2930 amount.
    pub fn add<'a>(
        &mut self,
        address: &Address,
        keys: impl Iterator<Item = &'a B256>,
        schedule: &GasSchedule,
    ) -> Result<(), AccessListGasError> {
        let tuple = self.tuples;
        let overflow = AccessListGasError::Overflow { tuple };
        let (key_count, charged) = if *address == WARP_ADDRESS {
            let index = self.warp_tuples;
            let keys: Vec<B256> = keys.copied().collect();
            let gas = predicate_gas(&keys, schedule)
                .map_err(|source| AccessListGasError::Predicate { index, source })?
                .gas;
            self.predicate_gas = self.predicate_gas.checked_add(gas).ok_or(overflow.clone())?;
            self.warp_tuples = index.saturating_add(1);
            self.warp_keys = self.warp_keys.saturating_add(keys.len());
            (keys.len(), Some(gas))
        } else {
            (keys.count(), None)
        };
        let flat = u64::try_from(key_count)
            .ok()
            .and_then(|k| k.checked_mul(ACCESS_LIST_STORAGE_KEY_GAS))
            .and_then(|k| k.checked_add(ACCESS_LIST_ADDRESS_GAS))
            .ok_or(overflow.clone())?;
        self.gas.standard = self.gas.standard.checked_add(flat).ok_or(overflow.clone())?;
        self.gas.with_predicates =
            self.gas.with_predicates.checked_add(charged.unwrap_or(flat)).ok_or(overflow)?;
        self.tuples = tuple.saturating_add(1);
        Ok(())
    }

    /// The sums so far.
    pub fn gas(&self) -> AccessListGas {
        self.gas
    }

    /// The warp tuples so far: how many, with how many storage keys in all, and
    /// the sum of their predicate gas. An EVM that already charged its own flat
    /// price for every tuple swaps exactly this part.
    pub fn warp_tuples(&self) -> (usize, usize, u64) {
        (self.warp_tuples, self.warp_keys, self.predicate_gas)
    }
}

/// The access-list intrinsic gas of a transaction when warp is active under
/// `schedule` (coreth's `accessListGas`), with checked sums.
pub fn access_list_gas(
    access_list: &AccessList,
    schedule: &GasSchedule,
) -> Result<AccessListGas, AccessListGasError> {
    let mut meter = AccessListGasMeter::new();
    for item in &access_list.0 {
        meter.add(&item.address, item.storage_keys.iter(), schedule)?;
    }
    Ok(meter.gas())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn intrinsic_gas_known_answers() {
        assert_eq!(intrinsic_gas_without_access_list(&[], false), 21_000);
        assert_eq!(intrinsic_gas_without_access_list(&[0, 1, 0, 2], false), 21_000 + 2 * 4 + 2 * 16);
        // A creation: 53,000, calldata, and 2 per started 32-byte word of init code.
        assert_eq!(intrinsic_gas_without_access_list(&[1; 33], true), 53_000 + 33 * 16 + 2 * 2);
        assert_eq!(intrinsic_gas_without_access_list(&[], true), 53_000);
        assert_eq!(flat_tuple_gas(0), Some(2_400));
        assert_eq!(flat_tuple_gas(3), Some(2_400 + 3 * 1_900));
        assert_eq!(flat_tuple_gas(usize::MAX), None);
    }
}
