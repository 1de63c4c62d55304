//! Block pre-verification (`core.CheckBlockPredicates`): every warp predicate of
//! a block is verified against the source's validator set at the block's P-Chain
//! height **before** the block executes, and the failures become
//! [`PredicateResults`].
//!
//! Per transaction, in the reference's order (`CheckTxPredicates`):
//!
//! 1. each warp predicate must have a gas cost ([`predicate_gas`](crate::predicate_gas)):
//!    a malformed one makes the **transaction invalid**
//!    ([`BlockError::InvalidTransaction`]);
//! 2. the gas limit must cover the intrinsic gas *with* predicate gas, else the
//!    transaction is invalid ([`BlockError::IntrinsicGasTooLow`]), and no BLS
//!    work is spent on it;
//! 3. each predicate is verified (source subnet, validator set, network ID,
//!    bitset range, quorum, signature); a failure sets its bit in the
//!    transaction's [`FailureBits`];
//! 4. a transaction with warp tuples gets an entry, empty when all passed;
//!    one without is absent.
//!
//! How it is fast, and still exact:
//!
//! - the signing subnet of each source chain, and the validator set of each
//!   subnet, are resolved **once per block** (all predicates share the block's
//!   P-Chain height);
//! - with [`Execution::Parallel`] (the default) the per-predicate work (signature
//!   parsing, key aggregation, hashing to G2 and the fused Miller loops) is
//!   spread over rayon's threads, and the pairings are finished as one
//!   random-linear-combination batch (one multi-scalar multiplication, one
//!   final exponentiation); a failing batch is resolved by derived G_T values
//!   and lone checks, also on the threads ([`awm_core::batch`]);
//! - [`Execution::Sequential`] verifies one by one on the calling thread, as the
//!   reference does. Both give the same results: each verdict is the one-by-one
//!   verdict, and a property test checks this on random blocks.
//!
//! The two ways a chain can treat failed predicates ([`PredicateRule`]):
//!
//! - [`PredicateRule::ResultsInBlock`] (ACP-30, what Avalanche runs): building
//!   computes the results, verifying recomputes them and requires byte equality
//!   with the header's, replaying reads them from the header
//!   ([`ExtraLayout::results`](crate::ExtraLayout::results)) and never touches
//!   validator sets or BLS;
//! - [`PredicateRule::ValidityRequired`]: a builder drops a transaction any of whose
//!   predicates fail, and a block holding one is invalid; nothing is stored, and a
//!   replaying node treats every predicate as valid.
//!
//! The receiver's own chain ID is not an input: like the reference, nothing here
//! compares a message's source chain with the receiver (contracts do).

use std::collections::HashMap;
use std::sync::Arc;

use alloy_eip2930::AccessList;
use alloy_primitives::B256;
use awm_core::batch::{self, Check};
use awm_core::{
    CanonicalValidatorSet, ChainId, Message, PreparedSignature, Quorum, StateError, SubnetId, ValidatorState,
    WarpVerifier,
};
use rayon::prelude::*;
use thiserror::Error;

use crate::access_list::{warp_predicates, WARP_ADDRESS};
use crate::cache::{VerdictCache, VerdictKey};
use crate::gas::{
    access_list_gas, analyze, flat_tuple_gas, AccessListGas, AccessListGasError, GasSchedule,
    PredicateGasError,
};
use crate::results::{FailureBits, PredicateResults, ResultsError};

/// A transaction as pre-verification sees it.
#[derive(Debug, Clone, Copy)]
pub struct BlockTx<'a> {
    /// The transaction hash (the results' key).
    pub hash: B256,
    /// Its EIP-2930 access list.
    pub access_list: &'a AccessList,
    /// Its gas limit: below its intrinsic gas with predicate gas, the
    /// transaction is invalid before any predicate is verified.
    pub gas_limit: u64,
    /// Its intrinsic gas other than the access list's: 21,000 (53,000 for a
    /// contract creation), calldata and init code
    /// ([`intrinsic_gas_without_access_list`](crate::gas::intrinsic_gas_without_access_list)).
    pub other_intrinsic_gas: u64,
}

impl<'a> BlockTx<'a> {
    /// A transaction with `hash`, `access_list`, `gas_limit`, and
    /// `other_intrinsic_gas` (everything but the access list's share).
    pub fn new(hash: B256, access_list: &'a AccessList, gas_limit: u64, other_intrinsic_gas: u64) -> Self {
        Self { hash, access_list, gas_limit, other_intrinsic_gas }
    }
}

/// How predicates are verified.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Execution {
    /// One by one on the calling thread (the reference's way).
    Sequential,
    /// Across rayon's threads, pairings batched and bisected on failure.
    #[default]
    Parallel,
}

/// How a chain treats transactions whose predicates fail.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum PredicateRule {
    /// Failures are stored in the block; the transaction still executes and the
    /// precompile reports the message as invalid.
    #[default]
    ResultsInBlock,
    /// A transaction may only be included if all its predicates verify.
    ValidityRequired,
}

/// Why a block's predicates are not acceptable.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum BlockError {
    /// A transaction has a malformed warp predicate.
    #[error("transaction {position} ({tx}) is invalid: warp predicate {index}: {source}")]
    InvalidTransaction {
        /// Position in the block.
        position: usize,
        /// Its hash.
        tx: B256,
        /// The predicate index.
        index: usize,
        /// Why.
        source: PredicateGasError,
    },
    /// A transaction's gas limit is below its intrinsic gas with predicate gas.
    #[error("transaction {position} ({tx}) is invalid: gas limit {gas_limit} is below its intrinsic gas {intrinsic} (predicate gas included)")]
    IntrinsicGasTooLow {
        /// Position in the block.
        position: usize,
        /// Its hash.
        tx: B256,
        /// Its gas limit.
        gas_limit: u64,
        /// Its intrinsic gas, predicate gas included.
        intrinsic: u64,
    },
    /// A transaction's intrinsic gas does not fit in `u64` (`ErrGasUintOverflow`).
    #[error("transaction {position} ({tx}) is invalid: its intrinsic gas overflows u64")]
    IntrinsicGasOverflow {
        /// Position in the block.
        position: usize,
        /// Its hash.
        tx: B256,
    },
    /// Under [`PredicateRule::ValidityRequired`], a transaction has failing predicates.
    #[error("transaction {position} ({tx}) has failing warp predicates {failed:?}")]
    PredicateFailed {
        /// Position in the block.
        position: usize,
        /// Its hash.
        tx: B256,
        /// The failed indices.
        failed: Vec<usize>,
    },
    /// The header's results differ from the recomputed ones (`errInvalidHeaderPredicateResults`).
    #[error("header predicate results ({found} bytes) differ from the computed results ({expected} bytes: 0x{expected_hex})")]
    ResultsMismatch {
        /// Length of the computed encoding.
        expected: usize,
        /// Length of the header's bytes.
        found: usize,
        /// The computed encoding, hex.
        expected_hex: String,
    },
    /// The results do not encode.
    #[error(transparent)]
    Results(#[from] ResultsError),
}

/// Why a transaction was left out of a block being built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SkipReason {
    /// A warp predicate is malformed: the transaction is invalid.
    InvalidPredicate {
        /// The predicate index.
        index: usize,
        /// Why.
        source: PredicateGasError,
    },
    /// The gas limit is below the intrinsic gas with predicate gas.
    IntrinsicGasTooLow {
        /// The gas limit.
        gas_limit: u64,
        /// The intrinsic gas, predicate gas included.
        intrinsic: u64,
    },
    /// The intrinsic gas overflows `u64`.
    IntrinsicGasOverflow,
    /// Under [`PredicateRule::ValidityRequired`], these predicates failed.
    PredicateFailed(FailureBits),
}

/// A transaction left out of a block being built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Position among the candidates.
    pub position: usize,
    /// Its hash.
    pub tx: B256,
    /// Why.
    pub reason: SkipReason,
}

/// What a builder may include.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct BuiltBlock {
    /// Positions of the candidates to include, in order.
    pub included: Vec<usize>,
    /// The candidates left out.
    pub skipped: Vec<Skipped>,
    /// The results of the included transactions (empty under
    /// [`PredicateRule::ValidityRequired`]).
    pub results: PredicateResults,
}

/// One transaction's predicates, checked: what `eth_call` / `eth_estimateGas`
/// need to simulate it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TxCheck {
    /// Which predicates failed verification.
    pub failures: FailureBits,
    /// The access-list part of its intrinsic gas.
    pub gas: AccessListGas,
}

/// Why a transaction is invalid before its predicates are verified.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Invalid {
    Predicate { index: usize, source: PredicateGasError },
    GasTooLow { gas_limit: u64, intrinsic: u64 },
    GasOverflow,
}

impl Invalid {
    fn block_error(self, position: usize, tx: B256) -> BlockError {
        match self {
            Self::Predicate { index, source } => {
                BlockError::InvalidTransaction { position, tx, index, source }
            }
            Self::GasTooLow { gas_limit, intrinsic } => {
                BlockError::IntrinsicGasTooLow { position, tx, gas_limit, intrinsic }
            }
            Self::GasOverflow => BlockError::IntrinsicGasOverflow { position, tx },
        }
    }

    fn skip_reason(self) -> SkipReason {
        match self {
            Self::Predicate { index, source } => SkipReason::InvalidPredicate { index, source },
            Self::GasTooLow { gas_limit, intrinsic } => {
                SkipReason::IntrinsicGasTooLow { gas_limit, intrinsic }
            }
            Self::GasOverflow => SkipReason::IntrinsicGasOverflow,
        }
    }
}

/// What verification found for one transaction.
#[derive(Debug, Clone, PartialEq, Eq)]
enum TxOutcome {
    NoPredicates,
    Invalid(Invalid),
    Checked(FailureBits),
}

/// A predicate awaiting verification.
struct Job {
    tx: usize,
    index: usize,
    message: Message,
}

/// Verifies the warp predicates of blocks for a receiving chain.
#[derive(Debug, Clone)]
pub struct PredicateVerifier<S> {
    verifier: WarpVerifier<S>,
    schedule: GasSchedule,
    execution: Execution,
    cache: Option<Arc<VerdictCache>>,
}

impl<S: ValidatorState> PredicateVerifier<S> {
    /// A verifier for the receiver described by `verifier`'s config (network ID,
    /// own subnet, primary-network rule, quorum policy) and state, charging
    /// `schedule` (the schedule active at the block's timestamp).
    pub fn new(verifier: WarpVerifier<S>, schedule: GasSchedule) -> Self {
        Self { verifier, schedule, execution: Execution::default(), cache: None }
    }

    /// Remembers verdicts in `cache` and reuses them: a predicate checked when
    /// its transaction was admitted ([`check_tx`](Self::check_tx)) is not
    /// verified again by a block at the same height, quorum and network
    /// ([`crate::cache`]). The results are the same with or without it.
    pub fn with_cache(mut self, cache: Arc<VerdictCache>) -> Self {
        self.cache = Some(cache);
        self
    }

    /// Chooses sequential or parallel verification.
    pub fn with_execution(mut self, execution: Execution) -> Self {
        self.execution = execution;
        self
    }

    /// The warp verifier.
    pub fn verifier(&self) -> &WarpVerifier<S> {
        &self.verifier
    }

    /// The results of a block's transactions, failing on the first invalid one.
    pub fn block_results(
        &self,
        txs: &[BlockTx<'_>],
        p_chain_height: u64,
    ) -> Result<PredicateResults, BlockError> {
        let outcomes = self.check(txs, p_chain_height);
        let mut results = PredicateResults::new();
        for (position, (tx, outcome)) in txs.iter().zip(outcomes).enumerate() {
            match outcome {
                TxOutcome::NoPredicates => {}
                TxOutcome::Invalid(invalid) => return Err(invalid.block_error(position, tx.hash)),
                TxOutcome::Checked(bits) => results.set(tx.hash, WARP_ADDRESS, bits),
            }
        }
        Ok(results)
    }

    /// Selects the candidates a builder may include, in order, and their results.
    pub fn build(&self, candidates: &[BlockTx<'_>], p_chain_height: u64, rule: PredicateRule) -> BuiltBlock {
        let outcomes = self.check(candidates, p_chain_height);
        let mut built = BuiltBlock::default();
        for (position, (tx, outcome)) in candidates.iter().zip(outcomes).enumerate() {
            let skip = |reason| Skipped { position, tx: tx.hash, reason };
            match outcome {
                TxOutcome::NoPredicates => built.included.push(position),
                TxOutcome::Invalid(invalid) => built.skipped.push(skip(invalid.skip_reason())),
                TxOutcome::Checked(bits) => match rule {
                    PredicateRule::ValidityRequired if !bits.is_empty() => {
                        built.skipped.push(skip(SkipReason::PredicateFailed(bits)))
                    }
                    PredicateRule::ValidityRequired => built.included.push(position),
                    PredicateRule::ResultsInBlock => {
                        built.included.push(position);
                        built.results.set(tx.hash, WARP_ADDRESS, bits);
                    }
                },
            }
        }
        built
    }

    /// Verifies a received block. Under [`PredicateRule::ResultsInBlock`] the
    /// recomputed results must encode to exactly `header_results` (the bytes from
    /// the header's `Extra`); under [`PredicateRule::ValidityRequired`] every
    /// predicate must pass and `header_results` is ignored. Returns the results the
    /// block executes with.
    pub fn verify_block(
        &self,
        txs: &[BlockTx<'_>],
        p_chain_height: u64,
        rule: PredicateRule,
        header_results: &[u8],
    ) -> Result<PredicateResults, BlockError> {
        let results = self.block_results(txs, p_chain_height)?;
        match rule {
            PredicateRule::ResultsInBlock => {
                let expected = results.to_bytes()?;
                if expected != header_results {
                    return Err(BlockError::ResultsMismatch {
                        expected: expected.len(),
                        found: header_results.len(),
                        expected_hex: alloy_primitives::hex::encode(&expected),
                    });
                }
                Ok(results)
            }
            PredicateRule::ValidityRequired => {
                for (position, tx) in txs.iter().enumerate() {
                    if let Some(bits) = results.get(&tx.hash, &WARP_ADDRESS).filter(|b| !b.is_empty()) {
                        return Err(BlockError::PredicateFailed {
                            position,
                            tx: tx.hash,
                            failed: bits.indices().collect(),
                        });
                    }
                }
                Ok(PredicateResults::new())
            }
        }
    }

    /// Checks one transaction's predicates outside a block, for `eth_call` and
    /// `eth_estimateGas`: its failure bits and its access-list gas. Errors are
    /// those that make the transaction invalid.
    pub fn check_tx(
        &self,
        access_list: &AccessList,
        p_chain_height: u64,
    ) -> Result<TxCheck, AccessListGasError> {
        let gas = access_list_gas(access_list, &self.schedule)?;
        // The caller sizes the gas from `gas`: no limit to check here.
        let tx = BlockTx::new(B256::ZERO, access_list, u64::MAX, 0);
        let failures = match self.check(&[tx], p_chain_height).pop() {
            Some(TxOutcome::Checked(bits)) => bits,
            Some(TxOutcome::Invalid(Invalid::Predicate { index, source })) => {
                return Err(AccessListGasError::Predicate { index, source })
            }
            // `access_list_gas` above already refused an overflowing access list.
            Some(TxOutcome::Invalid(_)) => return Err(AccessListGasError::Overflow { tuple: 0 }),
            Some(TxOutcome::NoPredicates) | None => FailureBits::none_failed(),
        };
        Ok(TxCheck { failures, gas })
    }

    /// The outcome for each transaction, in order.
    fn check(&self, txs: &[BlockTx<'_>], p_chain_height: u64) -> Vec<TxOutcome> {
        let mut outcomes = Vec::with_capacity(txs.len());
        let mut jobs = Vec::new();
        for (position, tx) in txs.iter().enumerate() {
            let predicates = warp_predicates(tx.access_list);
            if predicates.is_empty() {
                outcomes.push(TxOutcome::NoPredicates);
                continue;
            }
            match self.admit(tx, &predicates) {
                Ok(messages) => {
                    jobs.extend(messages.into_iter().enumerate().map(|(index, message)| Job {
                        tx: position,
                        index,
                        message,
                    }));
                    outcomes.push(TxOutcome::Checked(FailureBits::none_failed()));
                }
                Err(invalid) => outcomes.push(TxOutcome::Invalid(invalid)),
            }
        }

        let valid = self.verify_jobs(&jobs, p_chain_height);
        let mut failed: HashMap<usize, Vec<usize>> = HashMap::new();
        for (job, ok) in jobs.iter().zip(valid) {
            if !ok {
                failed.entry(job.tx).or_default().push(job.index);
            }
        }
        for (tx, indices) in failed {
            if let Some(outcome) = outcomes.get_mut(tx) {
                *outcome = TxOutcome::Checked(FailureBits::from_indices(indices));
            }
        }
        outcomes
    }

    /// The intrinsic-gas rule, before any BLS work: every warp predicate has a
    /// gas cost (its message parses), and the gas limit covers the intrinsic gas
    /// with predicate gas. Returns the predicates' messages, in order.
    fn admit(&self, tx: &BlockTx<'_>, predicates: &[&[B256]]) -> Result<Vec<Message>, Invalid> {
        let mut messages = Vec::with_capacity(predicates.len());
        let mut intrinsic = Some(tx.other_intrinsic_gas);
        for (index, keys) in predicates.iter().enumerate() {
            let (gas, message) =
                analyze(keys, &self.schedule).map_err(|source| Invalid::Predicate { index, source })?;
            intrinsic = intrinsic.and_then(|sum| sum.checked_add(gas.gas));
            messages.push(message);
        }
        for item in tx.access_list.0.iter().filter(|item| item.address != WARP_ADDRESS) {
            intrinsic = intrinsic.and_then(|sum| sum.checked_add(flat_tuple_gas(item.storage_keys.len())?));
        }
        let intrinsic = intrinsic.ok_or(Invalid::GasOverflow)?;
        if tx.gas_limit < intrinsic {
            return Err(Invalid::GasTooLow { gas_limit: tx.gas_limit, intrinsic });
        }
        Ok(messages)
    }

    /// Whether each job's message verifies: remembered verdicts from the cache
    /// (when there is one), the others verified and then remembered.
    fn verify_jobs(&self, jobs: &[Job], p_chain_height: u64) -> Vec<bool> {
        // Resolve each source once: its signing subnet, that subnet's set, the quorum.
        let mut sets = SetCache::new(&self.verifier, p_chain_height);
        let resolved: Vec<Option<Resolved>> =
            jobs.iter().map(|job| sets.resolve(&job.message.unsigned().source_chain_id())).collect();
        let network_id = self.verifier.config().network_id;
        let Some(cache) = &self.cache else { return self.verify_resolved(jobs, &resolved) };

        // Look every predicate up first; verify only what the cache does not know.
        let keys: Vec<Option<VerdictKey>> = jobs
            .iter()
            .zip(&resolved)
            .map(|(job, r)| {
                let (signing, set, quorum) = r.as_ref()?;
                Some(VerdictKey::new(&job.message.to_bytes(), *signing, set, *quorum, network_id))
            })
            .collect();
        let known: Vec<Option<bool>> = keys.iter().map(|k| k.as_ref().and_then(|k| cache.get(k))).collect();
        let missing: Vec<usize> = (0..jobs.len())
            .filter(|i| {
                known.get(*i).is_some_and(|k| k.is_none()) && keys.get(*i).is_some_and(|k| k.is_some())
            })
            .collect();
        let mut verdicts: Vec<bool> = known.iter().map(|k| k.unwrap_or(false)).collect();
        if !missing.is_empty() {
            let missing_jobs: Vec<&Job> = missing.iter().filter_map(|i| jobs.get(*i)).collect();
            let missing_resolved: Vec<Option<Resolved>> =
                missing.iter().map(|i| resolved.get(*i).cloned().flatten()).collect();
            let fresh = self.verify_resolved_refs(&missing_jobs, &missing_resolved);
            for (i, valid) in missing.into_iter().zip(fresh) {
                if let (Some(v), Some(Some(key))) = (verdicts.get_mut(i), keys.get(i)) {
                    *v = valid;
                    cache.insert(*key, valid);
                }
            }
        }
        verdicts
    }

    fn verify_resolved(&self, jobs: &[Job], resolved: &[Option<Resolved>]) -> Vec<bool> {
        let refs: Vec<&Job> = jobs.iter().collect();
        self.verify_resolved_refs(&refs, resolved)
    }

    /// Whether each job's message verifies against its resolved set and quorum.
    fn verify_resolved_refs(&self, jobs: &[&Job], resolved: &[Option<Resolved>]) -> Vec<bool> {
        let network_id = self.verifier.config().network_id;
        let prepare = |(job, set): (&&Job, &Option<Resolved>)| {
            let (_, set, quorum) = set.as_ref()?;
            let unsigned = job.message.unsigned();
            let prepared = job.message.signature().prepare(unsigned, network_id, set, *quorum).ok()?;
            Some((prepared, unsigned.to_bytes()))
        };

        match self.execution {
            Execution::Sequential => jobs
                .iter()
                .zip(resolved)
                .map(prepare)
                .map(|p| p.is_some_and(|(prepared, bytes)| prepared.verify(&bytes).is_ok()))
                .collect(),
            Execution::Parallel => {
                let prepared: Vec<Option<(PreparedSignature, Vec<u8>)>> =
                    jobs.par_iter().zip(resolved.par_iter()).map(prepare).collect();
                verify_batched(&prepared)
            }
        }
    }
}

/// Verifies prepared predicates as one batch on rayon's threads
/// ([`batch::resolve`]: key sides fused and spread over the threads, one
/// signature-side multi-scalar multiplication and final exponentiation, failing
/// chunks resolved by derived bisection and lone checks). Every verdict is the
/// one-by-one verdict.
fn verify_batched(prepared: &[Option<(PreparedSignature, Vec<u8>)>]) -> Vec<bool> {
    let checks: Vec<Option<Check<'_>>> = prepared
        .iter()
        .map(|p| {
            p.as_ref().map(|(prepared, bytes)| Check {
                key: &prepared.aggregate,
                message: bytes,
                signature: &prepared.signature,
            })
        })
        .collect();
    batch::resolve(&checks).verdicts
}

/// Per-block memo of signing subnets and validator sets.
struct SetCache<'v, S> {
    verifier: &'v WarpVerifier<S>,
    height: u64,
    subnets: HashMap<ChainId, Result<(SubnetId, SubnetId), StateError>>,
    sets: HashMap<SubnetId, Result<Arc<CanonicalValidatorSet>, StateError>>,
}

impl<'v, S: ValidatorState> SetCache<'v, S> {
    fn new(verifier: &'v WarpVerifier<S>, height: u64) -> Self {
        Self { verifier, height, subnets: HashMap::new(), sets: HashMap::new() }
    }

    /// The signing subnet, its set and the quorum for a source chain; `None`
    /// when the state cannot say (the predicate fails).
    fn resolve(&mut self, source: &ChainId) -> Option<Resolved> {
        let verifier = self.verifier;
        let (signing, source_subnet) =
            self.subnets.entry(*source).or_insert_with(|| verifier.signing_subnet(source)).clone().ok()?;
        let height = self.height;
        let set = self
            .sets
            .entry(signing)
            .or_insert_with(|| verifier.state().validator_set(&signing, height))
            .clone()
            .ok()?;
        Some((signing, set, verifier.config().quorum.quorum_for(source, &source_subnet)))
    }
}

/// A source resolved at the block's height: the signing subnet, its set, the quorum.
type Resolved = (SubnetId, Arc<CanonicalValidatorSet>, Quorum);
