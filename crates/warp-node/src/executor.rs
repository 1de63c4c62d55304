//! The block executor: a chain's state in revm, blocks built from signed
//! transactions (predicates verified first, results in the header), blocks
//! verified as a validator verifies another's proposal, and blocks bootstrapped
//! from accepted history.
//!
//! | step | [`Chain::build_block`] | [`Chain::import_block`] (verifying) | [`Chain::bootstrap_block`] (accepted history) |
//! |---|---|---|---|
//! | `warpConfig` changes since the parent | applied first: enable puts nonce 1 and code `0x01` at `0x0200…05`, disable deletes the account | the same | the same |
//! | predicate results | computed at the block's P-Chain height | recomputed there and compared byte for byte with the header's; missing results refused | read from the header; no validator set, no BLS |
//! | a transaction that does not fit the block's gas | waits for a later block | the block is invalid | the block is invalid |
//! | a transaction revm refuses | left out | the block is invalid | the block is invalid |
//! | header, roots, bloom, gas | computed | recomputed and compared | recomputed and compared |
//!
//! The EVM follows Subnet-EVM at Granite: Cancun's instructions, no gas refunds
//! (the refund counter is never applied), no EIP-7623 floor, P-256 verification
//! at `0x…0100` from Granite (EIP-7951's 6,900 gas, as libevm prices it), every
//! fee (base fee included) credited to the fee recipient, and `PREVRANDAO`
//! reading 1. While warp is enabled, [`WarpEvm`] runs with the
//! [`WarpChain`](warp_precompile::revm::WarpChain) of the block's timestamp;
//! otherwise revm's mainnet handler, where warp tuples are ordinary access-list
//! tuples.

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use alloy_consensus::constants::EMPTY_OMMER_ROOT_HASH;
use alloy_consensus::{Header, Transaction as _, TxEnvelope};
use alloy_primitives::{Address, Bytes, B256, B64, U256};
use alloy_trie::root::{state_root_unhashed, storage_root_unhashed};
use alloy_trie::TrieAccount;
use awm_core::{ValidatorState, WarpVerifier};
use revm::bytecode::Bytecode;
use revm::context::result::{ExecutionResult, HaltReason, Output};
use revm::context::{BlockEnv, CfgEnv, Context, ContextTr, TxEnv};
use revm::context_interface::cfg::GasId;
use revm::database::{CacheDB, DatabaseRef, DbAccount, InMemoryDB};
use revm::handler::EthPrecompiles;
use revm::precompile::{secp256r1, PrecompileSpecId, Precompiles};
use revm::primitives::hardfork::SpecId;
use revm::primitives::TxKind;
use revm::state::AccountInfo;
use revm::{ExecuteCommitEvm, ExecuteEvm, MainBuilder, MainContext};
use thiserror::Error;
use warp_precompile::revm::{WarpBuilder, WarpPrecompiles, WarpTx};
use warp_predicate::gas::intrinsic_gas_without_access_list;
use warp_predicate::{
    warp_predicates, BlockError, BlockTx, FailureBits, PredicateResults, PredicateRule, PredicateVerifier,
    ResultsError, SkipReason, VerdictCache, WARP_ADDRESS,
};

use crate::block::{block_bloom, receipts_root, transactions_root, Block, Receipt};
use crate::config::{ChainConfig, Genesis, WarpState};
use crate::tx::{self, SignedTx};

/// The code the reference puts at an activated stateful precompile's address.
pub const ACTIVATED_PRECOMPILE_CODE: [u8; 1] = [0x01];

/// Why a block could not be built or imported.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ChainError {
    /// The block does not follow the head.
    #[error("block {number} with parent {parent} does not extend head {head_number} ({head})")]
    NotNext {
        /// Its number.
        number: u64,
        /// Its parent hash.
        parent: B256,
        /// The head's number.
        head_number: u64,
        /// The head's hash.
        head: B256,
    },
    /// Timestamp or P-Chain height went backwards.
    #[error("block {number}: {what} {value} is below the parent's {parent}")]
    Backwards {
        /// The block number.
        number: u64,
        /// `"timestamp"` or `"P-Chain height"`.
        what: &'static str,
        /// The block's value.
        value: u64,
        /// The parent's value.
        parent: u64,
    },
    /// A header field breaks the chain's rules.
    #[error("block {number}: invalid {field}: expected {expected}, found {found}")]
    Header {
        /// The block number.
        number: u64,
        /// Which field.
        field: &'static str,
        /// What the rules ask.
        expected: String,
        /// What the header holds.
        found: String,
    },
    /// The header's `extra` holds no predicate results after its prefix.
    #[error("block {number}: header extra of {len} bytes holds no predicate results after its {prefix}-byte prefix")]
    MissingResults {
        /// The block number.
        number: u64,
        /// Length of `extra`.
        len: usize,
        /// Length of the layout's prefix.
        prefix: usize,
    },
    /// The header's predicate results do not parse.
    #[error("block {number}: predicate results in extra: {source}")]
    Results {
        /// The block number.
        number: u64,
        /// Why.
        source: ResultsError,
    },
    /// Verifying the block's predicates refused it (a malformed predicate, an
    /// under-funded transaction, or results that differ from the header's).
    #[error("block {number}: {source}")]
    Predicates {
        /// The block number.
        number: u64,
        /// Why.
        source: BlockError,
    },
    /// A transaction in an imported block is invalid.
    #[error("block {number}: transaction {position} ({tx}) is invalid: {reason}")]
    InvalidTransaction {
        /// The block number.
        number: u64,
        /// Its position.
        position: usize,
        /// Its hash.
        tx: B256,
        /// revm's, the signature's or the predicate's reason.
        reason: String,
    },
    /// A transaction's gas limit exceeds what is left of the block's.
    #[error("block {number}: transaction {position} ({tx}): gas limit reached: it needs {gas}, {remaining} left in the block")]
    GasLimitReached {
        /// The block number.
        number: u64,
        /// Its position.
        position: usize,
        /// Its hash.
        tx: B256,
        /// Its gas limit.
        gas: u64,
        /// The block gas left.
        remaining: u64,
    },
    /// A recomputed header field differs from the imported one.
    #[error("block {number}: {field} is {computed} after execution, the header says {header}")]
    Mismatch {
        /// The block number.
        number: u64,
        /// Which field.
        field: &'static str,
        /// The recomputed value.
        computed: String,
        /// The header's value.
        header: String,
    },
    /// A call could not run.
    #[error("call failed: {0}")]
    Call(String),
}

/// A candidate a block producer left out (it is dropped), and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excluded {
    /// The transaction hash.
    pub tx: B256,
    /// Why it was left out.
    pub reason: String,
}

/// A block just built: the block, its receipts, and the candidates not included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltBlock {
    /// The block.
    pub block: Block,
    /// One receipt per transaction, in order.
    pub receipts: Vec<Receipt>,
    /// Candidates left out for good (invalid).
    pub excluded: Vec<Excluded>,
    /// Candidates that did not fit this block's gas: they wait for a later block.
    pub deferred: Vec<B256>,
}

/// What `eth_call` and `eth_estimateGas` get back.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallOutcome {
    /// `true` if the call succeeded.
    pub success: bool,
    /// Gas used (no refunds on this chain).
    pub gas_used: u64,
    /// Return or revert data.
    pub output: Bytes,
    /// The logs it would emit.
    pub logs: Vec<alloy_primitives::Log>,
    /// The contract it would create.
    pub contract_address: Option<Address>,
    /// Why it halted, if it did.
    pub halt: Option<String>,
}

/// The precompiles of a block: Cancun's, plus P-256 verification at `0x…0100`
/// from Granite (EIP-7951 pricing, as Subnet-EVM's libevm has it).
fn precompiles(spec: SpecId, granite: bool) -> EthPrecompiles {
    static GRANITE: OnceLock<Mutex<HashMap<SpecId, &'static Precompiles>>> = OnceLock::new();
    let base = Precompiles::new(PrecompileSpecId::from_spec_id(spec));
    if !granite || base.contains(secp256r1::P256VERIFY_OSAKA.address()) {
        return EthPrecompiles { precompiles: base, spec };
    }
    let mut sets = GRANITE.get_or_init(Mutex::default).lock().unwrap_or_else(PoisonError::into_inner);
    let precompiles = *sets.entry(spec).or_insert_with(|| {
        let mut set = base.clone();
        set.extend([secp256r1::P256VERIFY_OSAKA]);
        // One set per spec for the life of the process.
        Box::leak(Box::new(set))
    });
    EthPrecompiles { precompiles, spec }
}

/// A chain: its state and its blocks.
#[derive(Debug, Clone)]
pub struct Chain {
    config: ChainConfig,
    genesis: Genesis,
    genesis_header: Header,
    genesis_hash: B256,
    db: InMemoryDB,
    blocks: Vec<Block>,
    hashes: Vec<B256>,
    receipts: Vec<Vec<Receipt>>,
    by_hash: HashMap<B256, u64>,
    by_tx: HashMap<B256, (u64, usize)>,
    /// Predicate verdicts remembered since admission (none: every block verifies from scratch).
    verdicts: Option<Arc<VerdictCache>>,
    /// The post-state of the last [`STATE_HISTORY`] blocks (the head's last),
    /// for reads at a block number.
    history: VecDeque<(u64, Arc<InMemoryDB>)>,
    /// Direct state changes (a devnet's `anvil_set*`), each after the block it follows.
    overrides: Vec<(u64, StateOverride)>,
    /// Whether the last block was built here (and may be rolled back).
    built_last: bool,
}

/// How many recent blocks' states are kept for reads at a block number (as a
/// non-archive geth node keeps 128).
pub const STATE_HISTORY: usize = 256;

/// A direct change to an account, outside any transaction: what a devnet's
/// `anvil_setBalance`, `anvil_setNonce`, `anvil_setCode` and
/// `anvil_setStorageAt` do. A chain records each with the block it follows, so
/// a bootstrap replays it at the same place.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StateOverride {
    /// Sets the balance.
    Balance(Address, U256),
    /// Sets the nonce.
    Nonce(Address, u64),
    /// Sets the code.
    Code(Address, Bytes),
    /// Sets a storage slot.
    Storage(Address, B256, B256),
}

/// Read access to one state: the latest, or a recent block's.
#[derive(Debug, Clone, Copy)]
pub struct StateView<'a> {
    db: &'a InMemoryDB,
}

impl StateView<'_> {
    /// An account (`None` if it does not exist; an empty account does not).
    pub fn account(&self, address: Address) -> Option<AccountInfo> {
        self.db.basic_ref(address).ok().flatten().filter(|info| !info.is_empty())
    }

    /// An account's nonce.
    pub fn nonce(&self, address: Address) -> u64 {
        self.account(address).map_or(0, |a| a.nonce)
    }

    /// An account's balance.
    pub fn balance(&self, address: Address) -> U256 {
        self.account(address).map_or(U256::ZERO, |a| a.balance)
    }

    /// An account's code (empty if none).
    pub fn code(&self, address: Address) -> Bytes {
        self.account(address)
            .and_then(|a| a.code.or_else(|| self.db.code_by_hash_ref(a.code_hash).ok()))
            .map(|c| c.original_bytes())
            .unwrap_or_default()
    }

    /// A storage slot.
    pub fn storage(&self, address: Address, slot: U256) -> U256 {
        self.db.storage_ref(address, slot).unwrap_or_default()
    }
}

impl Chain {
    /// Reuses the predicate verdicts in `cache` when building and verifying
    /// blocks (those checked at admission are not verified again; the results
    /// are the same without it).
    pub fn set_verdict_cache(&mut self, cache: Arc<VerdictCache>) {
        self.verdicts = Some(cache);
    }

    /// The chain's predicate verdict cache, if it has one.
    pub fn verdict_cache(&self) -> Option<&Arc<VerdictCache>> {
        self.verdicts.as_ref()
    }

    /// A chain at genesis: the allocated accounts, and the `warpConfig` changes
    /// due by the genesis timestamp applied to them.
    pub fn new(config: ChainConfig, genesis: Genesis) -> Self {
        let mut db = InMemoryDB::default();
        for (address, account) in &genesis.alloc {
            let mut info =
                AccountInfo { balance: account.balance, nonce: account.nonce, ..Default::default() };
            if !account.code.is_empty() {
                info = info.with_code(Bytecode::new_raw(account.code.clone()));
            }
            db.insert_account_info(*address, info);
            for (slot, value) in &account.storage {
                let _ = db.insert_account_storage(*address, U256::from_be_bytes(slot.0), *value);
            }
        }
        let mut chain = Self {
            genesis_header: Header::default(),
            genesis_hash: B256::ZERO,
            config,
            genesis,
            db,
            blocks: Vec::new(),
            hashes: Vec::new(),
            receipts: Vec::new(),
            by_hash: HashMap::new(),
            by_tx: HashMap::new(),
            verdicts: None,
            history: VecDeque::new(),
            overrides: Vec::new(),
            built_last: false,
        };
        chain.apply_warp_transitions(None, chain.genesis.timestamp);
        chain.history.push_back((0, Arc::new(chain.db.clone())));
        let header = Header {
            ommers_hash: EMPTY_OMMER_ROOT_HASH,
            state_root: chain.state_root(),
            transactions_root: transactions_root(&[]),
            receipts_root: receipts_root(&[]),
            gas_limit: chain.config.gas_limit,
            timestamp: chain.genesis.timestamp,
            base_fee_per_gas: Some(chain.config.base_fee.base_fee(chain.genesis.timestamp)),
            ..Default::default()
        };
        chain.genesis_hash = header.hash_slow();
        chain.genesis_header = header;
        chain
    }

    /// Bootstraps `blocks` from `genesis`: every block is imported from its own
    /// bytes (the results in its header), with no validator state.
    pub fn replay(config: ChainConfig, genesis: Genesis, blocks: &[Block]) -> Result<Self, ChainError> {
        let mut chain = Self::new(config, genesis);
        for block in blocks {
            chain.bootstrap_block(block.clone())?;
        }
        Ok(chain)
    }

    /// The settings.
    pub fn config(&self) -> &ChainConfig {
        &self.config
    }

    /// The genesis.
    pub fn genesis(&self) -> &Genesis {
        &self.genesis
    }

    /// The genesis header.
    pub fn genesis_header(&self) -> &Header {
        &self.genesis_header
    }

    /// The genesis block's hash.
    pub fn genesis_hash(&self) -> B256 {
        self.genesis_hash
    }

    /// The number of the latest block (0 at genesis).
    pub fn height(&self) -> u64 {
        self.blocks.last().map_or(0, Block::number)
    }

    /// The latest block's hash (the genesis hash at genesis).
    pub fn head_hash(&self) -> B256 {
        self.hashes.last().copied().unwrap_or(self.genesis_hash)
    }

    /// The latest header (the genesis header at genesis).
    pub fn head_header(&self) -> &Header {
        self.blocks.last().map_or(&self.genesis_header, |b| &b.header)
    }

    /// The latest block's timestamp.
    pub fn head_timestamp(&self) -> u64 {
        self.head_header().timestamp
    }

    /// All blocks after genesis.
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// Block `number` (from 1) and its receipts.
    pub fn block(&self, number: u64) -> Option<(&Block, &[Receipt])> {
        let i = usize::try_from(number.checked_sub(1)?).ok()?;
        Some((self.blocks.get(i)?, self.receipts.get(i)?.as_slice()))
    }

    /// The hash of block `number` (0 is the genesis).
    pub fn block_hash(&self, number: u64) -> Option<B256> {
        match number.checked_sub(1) {
            None => Some(self.genesis_hash),
            Some(i) => self.hashes.get(usize::try_from(i).ok()?).copied(),
        }
    }

    /// The number of the block with hash `hash` (0 for the genesis).
    pub fn block_number(&self, hash: &B256) -> Option<u64> {
        if *hash == self.genesis_hash {
            return Some(0);
        }
        self.by_hash.get(hash).copied()
    }

    /// The block with hash `hash`, if this chain has it (not the genesis).
    pub fn block_by_hash(&self, hash: &B256) -> Option<(&Block, &[Receipt])> {
        self.block(*self.by_hash.get(hash)?)
    }

    /// A transaction by hash: its envelope, block number and position.
    pub fn transaction(&self, hash: &B256) -> Option<(&TxEnvelope, u64, usize)> {
        let (number, position) = *self.by_tx.get(hash)?;
        let (block, _) = self.block(number)?;
        Some((block.transactions.get(position)?, number, position))
    }

    /// The receipt of transaction `tx` and the number of its block.
    pub fn receipt(&self, tx: &B256) -> Option<(u64, &Receipt)> {
        let (number, position) = *self.by_tx.get(tx)?;
        let (_, receipts) = self.block(number)?;
        Some((number, receipts.get(position)?))
    }

    /// The latest state.
    pub fn latest(&self) -> StateView<'_> {
        StateView { db: &self.db }
    }

    /// The state after block `number`: the latest for the head, a kept one for
    /// the last [`STATE_HISTORY`] blocks, `None` further back or ahead.
    pub fn state_at(&self, number: u64) -> Option<StateView<'_>> {
        if number == self.height() {
            return Some(self.latest());
        }
        self.history.iter().find(|(n, _)| *n == number).map(|(_, db)| StateView { db })
    }

    /// An account's state (`None` if it does not exist; an empty account, which
    /// EIP-161 deletes once touched, does not exist).
    pub fn account(&self, address: Address) -> Option<AccountInfo> {
        self.latest().account(address)
    }

    /// An account's nonce (0 if it does not exist).
    pub fn nonce(&self, address: Address) -> u64 {
        self.latest().nonce(address)
    }

    /// An account's balance (0 if it does not exist).
    pub fn balance(&self, address: Address) -> U256 {
        self.latest().balance(address)
    }

    /// An account's code (empty if none).
    pub fn code(&self, address: Address) -> Bytes {
        self.latest().code(address)
    }

    /// A storage slot.
    pub fn storage(&self, address: Address, slot: U256) -> U256 {
        self.latest().storage(address, slot)
    }

    /// Changes the latest state directly (see [`StateOverride`]), recorded
    /// after the head block.
    pub fn apply_override(&mut self, change: StateOverride) {
        apply_override(&mut self.db, &change);
        self.overrides.push((self.height(), change));
        // The head's kept state is what reads at its number see.
        if let Some(last) = self.history.back_mut() {
            last.1 = Arc::new(self.db.clone());
        }
    }

    /// The direct changes, each with the block it follows.
    pub fn overrides(&self) -> &[(u64, StateOverride)] {
        &self.overrides
    }

    /// Ethereum's state root of the current state (accounts keyed by the hash of
    /// their address, storage roots over non-zero slots; empty accounts, which
    /// EIP-161 deletes when touched, left out).
    pub fn state_root(&self) -> B256 {
        let accounts = self.db.cache.accounts.iter().filter_map(|(address, account)| {
            let info = account.info().filter(|info| !info.is_empty())?;
            let storage = account
                .storage
                .iter()
                .filter(|(_, value)| !value.is_zero())
                .map(|(slot, value)| (B256::from(*slot), *value));
            Some((
                *address,
                TrieAccount {
                    nonce: info.nonce,
                    balance: info.balance,
                    storage_root: storage_root_unhashed(storage),
                    code_hash: info.code_hash,
                },
            ))
        });
        state_root_unhashed(accounts)
    }

    /// The base fee of the next block at `timestamp`.
    pub fn base_fee_at(&self, timestamp: u64) -> u64 {
        self.config.base_fee.base_fee(timestamp)
    }

    /// Runs `tx` against the current state without changing it, as `eth_call`
    /// and `eth_estimateGas` do: no nonce check, no fee charged, the base-fee
    /// check off, in a next block at `timestamp`, with `failures` as its
    /// predicates' failure bits while warp is enabled.
    pub fn call(&self, tx: TxEnv, failures: FailureBits, timestamp: u64) -> Result<CallOutcome, ChainError> {
        self.call_on(&self.db, self.height().saturating_add(1), tx, failures, timestamp)
    }

    /// [`Chain::call`] on the state after block `number` (one of the last
    /// [`STATE_HISTORY`]), in a block numbered after it at `timestamp`.
    pub fn call_at(
        &self,
        number: u64,
        tx: TxEnv,
        failures: FailureBits,
        timestamp: u64,
    ) -> Result<CallOutcome, ChainError> {
        let state = self.state_at(number).ok_or_else(|| {
            ChainError::Call(format!("no state for block {number} (kept: the last {STATE_HISTORY})"))
        })?;
        self.call_on(state.db, number.saturating_add(1), tx, failures, timestamp)
    }

    fn call_on(
        &self,
        db: &InMemoryDB,
        number: u64,
        mut tx: TxEnv,
        failures: FailureBits,
        timestamp: u64,
    ) -> Result<CallOutcome, ChainError> {
        let mut scratch = CacheDB::new(db);
        let block = self.block_env(number, timestamp);
        let mut cfg = self.cfg();
        cfg.disable_nonce_check = true;
        cfg.disable_base_fee = true;
        cfg.disable_fee_charge = true;
        if tx.gas_limit == 0 {
            tx.gas_limit = self.config.gas_limit;
        }
        tx.chain_id = Some(self.config.evm_chain_id);
        let result = match self.config.warp_chain(timestamp) {
            Some(chain) => {
                let mut evm = Context::mainnet()
                    .with_db(&mut scratch)
                    .with_cfg(cfg)
                    .with_block(block)
                    .with_chain(chain)
                    .with_tx(WarpTx::default())
                    .build_warp();
                evm.0.precompiles = WarpPrecompiles::with_precompiles(precompiles(
                    self.config.spec,
                    timestamp >= self.config.granite,
                ));
                evm.transact(WarpTx::new(tx, failures)).map(|o| o.result).map_err(|e| e.to_string())
            }
            None => {
                let mut evm = Context::mainnet()
                    .with_db(&mut scratch)
                    .with_cfg(cfg)
                    .with_block(block)
                    .build_mainnet()
                    .with_precompiles(precompiles(self.config.spec, timestamp >= self.config.granite));
                evm.transact(tx).map(|o| o.result).map_err(|e| e.to_string())
            }
        };
        let result = result.map_err(ChainError::Call)?;
        Ok(CallOutcome {
            success: result.is_success(),
            gas_used: result.tx_gas_used(),
            contract_address: created(&result),
            halt: match &result {
                ExecutionResult::Halt { reason, .. } => Some(format!("{reason:?}")),
                _ => None,
            },
            output: result.output().cloned().unwrap_or_default(),
            logs: if result.is_success() { result.into_logs() } else { Vec::new() },
        })
    }

    /// Builds the next block from `candidates` (in order): verifies their warp
    /// predicates against `state` at `p_chain_height` while warp is enabled,
    /// executes those the rule admits and revm accepts while they fit the
    /// block's gas, and appends the block with its results in `extra`.
    pub fn build_block<S: ValidatorState>(
        &mut self,
        candidates: Vec<SignedTx>,
        timestamp: u64,
        p_chain_height: u64,
        state: S,
    ) -> Result<BuiltBlock, ChainError> {
        let number = self.height().saturating_add(1);
        self.check_next(number, timestamp, p_chain_height)?;
        let mut excluded = Vec::new();
        let (included, mut results) =
            match (self.config.warp_at(timestamp), self.config.schedule_at(timestamp)) {
                (Some(params), Some(schedule)) => {
                    let lists: Vec<_> = candidates.iter().map(|t| tx::access_list(t.inner())).collect();
                    let block_txs: Vec<BlockTx<'_>> = candidates
                        .iter()
                        .zip(&lists)
                        .map(|(t, list)| {
                            let other = intrinsic_gas_without_access_list(t.input(), t.to().is_none());
                            BlockTx::new(tx::hash(t.inner()), list, t.gas_limit(), other)
                        })
                        .collect();
                    let mut verifier = PredicateVerifier::new(
                        WarpVerifier::new(state, self.config.warp_config(params)),
                        schedule,
                    );
                    if let Some(cache) = &self.verdicts {
                        verifier = verifier.with_cache(Arc::clone(cache));
                    }
                    let built = verifier.build(&block_txs, p_chain_height, self.config.rule);
                    drop(block_txs);
                    for skipped in built.skipped {
                        excluded.push(Excluded { tx: skipped.tx, reason: skip_reason(skipped.reason) });
                    }
                    let mut keep = vec![false; candidates.len()];
                    for position in built.included {
                        if let Some(k) = keep.get_mut(position) {
                            *k = true;
                        }
                    }
                    let included: Vec<SignedTx> =
                        candidates.into_iter().zip(keep).filter(|(_, k)| *k).map(|(t, _)| t).collect();
                    (included, built.results)
                }
                _ => (candidates, PredicateResults::new()),
            };

        self.apply_warp_transitions(Some(self.head_timestamp()), timestamp);
        let run = self.execute(number, timestamp, included, &results);
        let mut deferred = Vec::new();
        let mut transactions = Vec::new();
        let mut senders = Vec::new();
        let mut receipts = Vec::new();
        for (tx, outcome) in run {
            let hash = tx::hash(tx.inner());
            match outcome {
                Ok(receipt) => {
                    receipts.push(receipt);
                    let (envelope, sender) = tx.into_parts();
                    senders.push(sender);
                    transactions.push(envelope);
                }
                Err(Refused::DoesNotFit { .. }) => {
                    results.remove_tx(&hash);
                    deferred.push(hash);
                }
                Err(Refused::Invalid(reason)) => {
                    results.remove_tx(&hash);
                    excluded.push(Excluded { tx: hash, reason });
                }
            }
        }
        let extra = match self.extra(&results) {
            Ok(extra) => extra,
            Err(source) => {
                self.restore_head_state();
                return Err(ChainError::Results { number, source });
            }
        };
        let header = self.header(number, timestamp, &transactions, &receipts, extra);
        let block = Block { p_chain_height, header, transactions, senders };
        self.append(block.clone(), receipts.clone());
        self.built_last = true;
        Ok(BuiltBlock { block, receipts, excluded, deferred })
    }

    /// Puts the state back to the head's kept post-state (a block that failed).
    fn restore_head_state(&mut self) {
        if let Some((_, state)) = self.history.back() {
            self.db = InMemoryDB::clone(state);
        }
    }

    /// Takes back the block [`Chain::build_block`] just appended, state
    /// included (a node whose store could not commit it). Does nothing after
    /// an import, or twice.
    pub fn rollback_last(&mut self) {
        if !std::mem::take(&mut self.built_last) {
            return;
        }
        let Some(block) = self.blocks.pop() else { return };
        self.hashes.pop();
        self.history.pop_back();
        self.by_hash.remove(&block.hash());
        for receipt in self.receipts.pop().unwrap_or_default() {
            self.by_tx.remove(&receipt.tx_hash);
        }
        self.restore_head_state();
    }

    /// Imports a block another validator proposed, as the reference verifies
    /// one: the header's rules, its predicate results recomputed against `state`
    /// at its P-Chain height and required byte for byte (and present once warp
    /// is enabled), then every transaction executed and every root compared. On
    /// any error the state is left as it was.
    pub fn import_block<S: ValidatorState>(
        &mut self,
        block: Block,
        state: S,
    ) -> Result<&[Receipt], ChainError> {
        let number = block.number();
        self.check_header(&block)?;
        // A validator recovers every sender itself: given ones must agree.
        let senders = recover_all(&block)?;
        if !block.senders.is_empty() && block.senders != senders {
            let position = block.senders.iter().zip(&senders).position(|(a, b)| a != b).unwrap_or(0);
            let tx = block.transactions.get(position).map(tx::hash).unwrap_or_default();
            return Err(ChainError::InvalidTransaction {
                number,
                position,
                tx,
                reason: "invalid sender".into(),
            });
        }
        let header_results = self.header_results_bytes(&block)?;
        let results =
            match (self.config.warp_at(block.timestamp()), self.config.schedule_at(block.timestamp())) {
                (Some(params), Some(schedule)) => {
                    let lists: Vec<_> = block.transactions.iter().map(tx::access_list).collect();
                    let block_txs: Vec<BlockTx<'_>> = block
                        .transactions
                        .iter()
                        .zip(&lists)
                        .map(|(t, list)| {
                            let other = intrinsic_gas_without_access_list(t.input(), t.to().is_none());
                            BlockTx::new(tx::hash(t), list, t.gas_limit(), other)
                        })
                        .collect();
                    let mut verifier = PredicateVerifier::new(
                        WarpVerifier::new(state, self.config.warp_config(params)),
                        schedule,
                    );
                    if let Some(cache) = &self.verdicts {
                        verifier = verifier.with_cache(Arc::clone(cache));
                    }
                    verifier
                        .verify_block(&block_txs, block.p_chain_height, self.config.rule, header_results)
                        .map_err(|source| ChainError::Predicates { number, source })?
                }
                _ => self.empty_results(number, header_results)?,
            };
        self.execute_imported(block, senders, results)
    }

    /// Imports a block of accepted history, as a bootstrapping node does: its
    /// predicate results are read from its header and trusted; no validator set
    /// or BLS is touched. Everything else is checked as [`Chain::import_block`]
    /// checks it.
    pub fn bootstrap_block(&mut self, block: Block) -> Result<&[Receipt], ChainError> {
        let number = block.number();
        self.check_header(&block)?;
        // Accepted history as this node stored it: the senders it recorded
        // (an impersonated one on a devnet included), else recovered.
        let senders = if block.senders.len() == block.transactions.len() {
            block.senders.clone()
        } else {
            recover_all(&block)?
        };
        let bytes = self.header_results_bytes(&block)?;
        let results = match self.config.warp_at(block.timestamp()) {
            Some(_) if self.config.rule == PredicateRule::ResultsInBlock => {
                PredicateResults::parse(bytes).map_err(|source| ChainError::Results { number, source })?
            }
            // Under ValidityRequired every included predicate passed.
            Some(_) => PredicateResults::new(),
            None => self.empty_results(number, bytes)?,
        };
        self.execute_imported(block, senders, results)
    }

    /// Executes a checked block and compares what it computed with its header.
    fn execute_imported(
        &mut self,
        block: Block,
        senders: Vec<Address>,
        results: PredicateResults,
    ) -> Result<&[Receipt], ChainError> {
        let number = block.number();
        let timestamp = block.timestamp();
        self.apply_warp_transitions(Some(self.head_timestamp()), timestamp);
        let txs: Vec<SignedTx> = block
            .transactions
            .iter()
            .zip(senders)
            .map(|(t, sender)| SignedTx::new_unchecked(t.clone(), sender))
            .collect();
        let run = self.execute(number, timestamp, txs, &results);
        let mut receipts = Vec::with_capacity(run.len());
        let mut failure = None;
        for (position, (t, outcome)) in run.into_iter().enumerate() {
            let hash = tx::hash(t.inner());
            match outcome {
                Ok(receipt) => receipts.push(receipt),
                Err(Refused::DoesNotFit { gas, remaining }) => {
                    failure =
                        Some(ChainError::GasLimitReached { number, position, tx: hash, gas, remaining });
                    break;
                }
                Err(Refused::Invalid(reason)) => {
                    failure = Some(ChainError::InvalidTransaction { number, position, tx: hash, reason });
                    break;
                }
            }
        }
        let checked = match failure {
            Some(e) => Err(e),
            None => {
                let header = &block.header;
                let gas_used = receipts.last().map_or(0, |r| r.cumulative_gas_used);
                mismatch(number, "gas used", gas_used, header.gas_used)
                    .and_then(|()| mismatch(number, "state root", self.state_root(), header.state_root))
                    .and_then(|()| {
                        mismatch(number, "receipts root", receipts_root(&receipts), header.receipts_root)
                    })
                    .and_then(|()| mismatch(number, "logs bloom", block_bloom(&receipts), header.logs_bloom))
            }
        };
        if let Err(e) = checked {
            self.restore_head_state();
            return Err(e);
        }
        self.append(block, receipts);
        self.built_last = false;
        Ok(self.receipts.last().map_or(&[], Vec::as_slice))
    }

    /// The header rules that need no execution.
    fn check_header(&self, block: &Block) -> Result<(), ChainError> {
        let header = &block.header;
        let number = header.number;
        if Some(number) != self.height().checked_add(1) || header.parent_hash != self.head_hash() {
            return Err(ChainError::NotNext {
                number,
                parent: header.parent_hash,
                head_number: self.height(),
                head: self.head_hash(),
            });
        }
        self.check_next(number, header.timestamp, block.p_chain_height)?;
        let rule = |field: &'static str, expected: String, found: String| {
            if expected == found {
                Ok(())
            } else {
                Err(ChainError::Header { number, field, expected, found })
            }
        };
        rule("gas limit", self.config.gas_limit.to_string(), header.gas_limit.to_string())?;
        let base_fee = self.base_fee_at(header.timestamp);
        rule("base fee", format!("{:?}", Some(base_fee)), format!("{:?}", header.base_fee_per_gas))?;
        rule("difficulty", "1".into(), header.difficulty.to_string())?;
        rule("nonce", B64::ZERO.to_string(), header.nonce.to_string())?;
        rule("mix digest", B256::ZERO.to_string(), header.mix_hash.to_string())?;
        rule("coinbase", self.config.fee_recipient.to_string(), header.beneficiary.to_string())?;
        rule("ommers hash", EMPTY_OMMER_ROOT_HASH.to_string(), header.ommers_hash.to_string())?;
        rule(
            "transactions root",
            transactions_root(&block.transactions).to_string(),
            header.transactions_root.to_string(),
        )?;
        let prefix = self.config.extra_layout.prefix_len();
        let fee_window = header.extra_data.get(..prefix);
        if fee_window.is_none_or(|w| w.iter().any(|b| *b != 0)) {
            return Err(ChainError::Header {
                number,
                field: "extra fee window",
                expected: format!("{prefix} zero bytes"),
                found: alloy_primitives::hex::encode_prefixed(
                    header.extra_data.get(..prefix.min(header.extra_data.len())).unwrap_or_default(),
                ),
            });
        }
        Ok(())
    }

    /// The predicate results bytes after the `extra` prefix: required on every
    /// block (this chain is past Durango from genesis).
    fn header_results_bytes<'b>(&self, block: &'b Block) -> Result<&'b [u8], ChainError> {
        let prefix = self.config.extra_layout.prefix_len();
        let extra = &block.header.extra_data;
        match extra.get(prefix..) {
            Some(bytes) if !bytes.is_empty() => Ok(bytes),
            _ => Err(ChainError::MissingResults { number: block.number(), len: extra.len(), prefix }),
        }
    }

    /// While warp is not enabled, the header's results must be the empty results.
    fn empty_results(&self, number: u64, bytes: &[u8]) -> Result<PredicateResults, ChainError> {
        let empty = PredicateResults::new();
        let expected = empty.to_bytes().map_err(|source| ChainError::Results { number, source })?;
        if bytes != expected.as_slice() {
            return Err(ChainError::Predicates {
                number,
                source: BlockError::ResultsMismatch {
                    expected: expected.len(),
                    found: bytes.len(),
                    expected_hex: alloy_primitives::hex::encode(&expected),
                },
            });
        }
        Ok(empty)
    }

    fn append(&mut self, block: Block, receipts: Vec<Receipt>) {
        let number = block.number();
        let hash = block.hash();
        for (position, receipt) in receipts.iter().enumerate() {
            self.by_tx.insert(receipt.tx_hash, (number, position));
        }
        self.by_hash.insert(hash, number);
        self.hashes.push(hash);
        self.blocks.push(block);
        self.receipts.push(receipts);
        self.history.push_back((number, Arc::new(self.db.clone())));
        while self.history.len() > STATE_HISTORY.saturating_add(1) {
            self.history.pop_front();
        }
    }

    /// Applies the `warpConfig` changes after `parent` up to `timestamp`, in
    /// order: an enable puts nonce 1 and code `0x01` at the precompile's address
    /// (its balance and storage stay), a disable deletes the account.
    fn apply_warp_transitions(&mut self, parent: Option<u64>, timestamp: u64) {
        let changes: Vec<WarpState> = self.config.warp.transitions(parent, timestamp).cloned().collect();
        for change in changes {
            match change {
                WarpState::Enabled(_) => {
                    let existing = self.account(WARP_ADDRESS).unwrap_or_default();
                    let info = AccountInfo { nonce: 1, ..existing }
                        .with_code(Bytecode::new_raw(Bytes::from_static(&ACTIVATED_PRECOMPILE_CODE)));
                    self.db.insert_account_info(WARP_ADDRESS, info);
                }
                WarpState::Disabled => {
                    self.db.cache.accounts.insert(WARP_ADDRESS, DbAccount::new_not_existing());
                }
            }
        }
    }

    fn check_next(&self, number: u64, timestamp: u64, p_chain_height: u64) -> Result<(), ChainError> {
        let parent_time = self.head_timestamp();
        let parent_height = self.blocks.last().map_or(0, |b| b.p_chain_height);
        if timestamp < parent_time {
            return Err(ChainError::Backwards {
                number,
                what: "timestamp",
                value: timestamp,
                parent: parent_time,
            });
        }
        if p_chain_height < parent_height {
            return Err(ChainError::Backwards {
                number,
                what: "P-Chain height",
                value: p_chain_height,
                parent: parent_height,
            });
        }
        Ok(())
    }

    fn extra(&self, results: &PredicateResults) -> Result<Bytes, ResultsError> {
        let mut extra = vec![0u8; self.config.extra_layout.prefix_len()];
        extra.extend_from_slice(&results.to_bytes()?);
        Ok(Bytes::from(extra))
    }

    fn header(
        &self,
        number: u64,
        timestamp: u64,
        transactions: &[TxEnvelope],
        receipts: &[Receipt],
        extra_data: Bytes,
    ) -> Header {
        Header {
            parent_hash: self.head_hash(),
            ommers_hash: EMPTY_OMMER_ROOT_HASH,
            beneficiary: self.config.fee_recipient,
            state_root: self.state_root(),
            transactions_root: transactions_root(transactions),
            receipts_root: receipts_root(receipts),
            logs_bloom: block_bloom(receipts),
            difficulty: U256::from(1),
            number,
            gas_limit: self.config.gas_limit,
            gas_used: receipts.last().map_or(0, |r| r.cumulative_gas_used),
            timestamp,
            extra_data,
            mix_hash: B256::ZERO,
            nonce: B64::ZERO,
            base_fee_per_gas: Some(self.base_fee_at(timestamp)),
            ..Default::default()
        }
    }

    fn cfg(&self) -> CfgEnv {
        let mut cfg = CfgEnv::new_with_spec(self.config.spec);
        cfg.chain_id = self.config.evm_chain_id;
        // Subnet-EVM never applies the refund counter.
        let mut params = cfg.gas_params.clone();
        params.override_gas([(GasId::max_refund_quotient(), u64::MAX)]);
        cfg.set_gas_params(params);
        cfg
    }

    fn block_env(&self, number: u64, timestamp: u64) -> BlockEnv {
        BlockEnv {
            number: U256::from(number),
            beneficiary: self.config.fee_recipient,
            timestamp: U256::from(timestamp),
            gas_limit: self.config.gas_limit,
            basefee: self.base_fee_at(timestamp),
            difficulty: U256::ZERO,
            // Subnet-EVM sets `Random` to the header's difficulty, 1.
            prevrandao: Some(B256::from(U256::from(1))),
            ..Default::default()
        }
    }

    /// Executes `txs` in order, committing each that fits the block's gas and
    /// that revm accepts.
    fn execute(
        &mut self,
        number: u64,
        timestamp: u64,
        txs: Vec<SignedTx>,
        results: &PredicateResults,
    ) -> Vec<(SignedTx, Result<Receipt, Refused>)> {
        let block = self.block_env(number, timestamp);
        let base_fee = block.basefee;
        let cfg = self.cfg();
        let gas_limit = self.config.gas_limit;
        let granite = timestamp >= self.config.granite;
        let spec = self.config.spec;
        let fee_recipient = self.config.fee_recipient;
        let rule = self.config.rule;
        let mut out = Vec::with_capacity(txs.len());
        let mut cumulative = 0u64;
        let fits = |tx: &SignedTx, cumulative: u64| -> Result<(), Refused> {
            let remaining = gas_limit.saturating_sub(cumulative);
            if tx.gas_limit() > remaining {
                return Err(Refused::DoesNotFit { gas: tx.gas_limit(), remaining });
            }
            Ok(())
        };
        match self.config.warp_chain(timestamp) {
            Some(chain) => {
                let mut evm = Context::mainnet()
                    .with_db(&mut self.db)
                    .with_cfg(cfg)
                    .with_block(block)
                    .with_chain(chain)
                    .with_tx(WarpTx::default())
                    .build_warp();
                evm.0.precompiles = WarpPrecompiles::with_precompiles(precompiles(spec, granite));
                for t in txs {
                    let outcome = fits(&t, cumulative).and_then(|()| {
                        let failures = match rule {
                            PredicateRule::ResultsInBlock => results
                                .warp_failures(
                                    &tx::hash(t.inner()),
                                    warp_predicates(&tx::access_list(t.inner())).len(),
                                )
                                .map_err(|e| Refused::Invalid(e.to_string()))?,
                            PredicateRule::ValidityRequired => FailureBits::none_failed(),
                        };
                        let result = evm
                            .transact_commit(WarpTx::new(tx::tx_env(&t), failures.clone()))
                            .map_err(|e| Refused::Invalid(e.to_string()))?;
                        credit_base_fee(evm.0.ctx.db_mut(), fee_recipient, base_fee, result.tx_gas_used());
                        Ok(receipt(&t, result, &failures, &mut cumulative, base_fee))
                    });
                    out.push((t, outcome));
                }
            }
            None => {
                let mut evm = Context::mainnet()
                    .with_db(&mut self.db)
                    .with_cfg(cfg)
                    .with_block(block)
                    .build_mainnet()
                    .with_precompiles(precompiles(spec, granite));
                for t in txs {
                    let outcome = fits(&t, cumulative).and_then(|()| {
                        let result = evm
                            .transact_commit(tx::tx_env(&t))
                            .map_err(|e| Refused::Invalid(e.to_string()))?;
                        credit_base_fee(evm.ctx.db_mut(), fee_recipient, base_fee, result.tx_gas_used());
                        Ok(receipt(&t, result, &FailureBits::none_failed(), &mut cumulative, base_fee))
                    });
                    out.push((t, outcome));
                }
            }
        }
        out
    }
}

/// Why a transaction did not join a block.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Refused {
    /// Its gas limit exceeds what is left of the block's.
    DoesNotFit { gas: u64, remaining: u64 },
    /// revm (or the results) refused it.
    Invalid(String),
}

/// Recovers every transaction's sender (a block with a bad signature is invalid).
fn recover_all(block: &Block) -> Result<Vec<Address>, ChainError> {
    use alloy_consensus::transaction::SignerRecoverable;
    block
        .transactions
        .iter()
        .enumerate()
        .map(|(position, t)| {
            tx::supported(t).map_err(|e| ChainError::InvalidTransaction {
                number: block.number(),
                position,
                tx: tx::hash(t),
                reason: e.to_string(),
            })?;
            t.recover_signer().map_err(|_| ChainError::InvalidTransaction {
                number: block.number(),
                position,
                tx: tx::hash(t),
                reason: "invalid sender".into(),
            })
        })
        .collect()
}

/// Writes a [`StateOverride`] into a state.
fn apply_override(db: &mut InMemoryDB, change: &StateOverride) {
    let address = match change {
        StateOverride::Balance(a, _)
        | StateOverride::Nonce(a, _)
        | StateOverride::Code(a, _)
        | StateOverride::Storage(a, _, _) => *a,
    };
    let mut info = db.basic_ref(address).ok().flatten().unwrap_or_default();
    match change {
        StateOverride::Balance(_, balance) => info.balance = *balance,
        StateOverride::Nonce(_, nonce) => info.nonce = *nonce,
        StateOverride::Code(_, code) => info = info.with_code(Bytecode::new_raw(code.clone())),
        StateOverride::Storage(_, slot, value) => {
            let _ =
                db.insert_account_storage(address, U256::from_be_bytes(slot.0), U256::from_be_bytes(value.0));
            return;
        }
    }
    db.insert_account_info(address, info);
}

/// Subnet-EVM credits the whole fee to the coinbase; revm credited the tip.
fn credit_base_fee(db: &mut &mut InMemoryDB, recipient: Address, base_fee: u64, gas_used: u64) {
    let fee = U256::from(base_fee).saturating_mul(U256::from(gas_used));
    if fee.is_zero() {
        return;
    }
    let mut info = db.basic_ref(recipient).ok().flatten().unwrap_or_default();
    info.balance = info.balance.saturating_add(fee);
    db.insert_account_info(recipient, info);
}

fn created(result: &ExecutionResult<HaltReason>) -> Option<Address> {
    match result {
        ExecutionResult::Success { output: Output::Create(_, address), .. } => *address,
        _ => None,
    }
}

fn receipt(
    t: &SignedTx,
    result: ExecutionResult<HaltReason>,
    failures: &FailureBits,
    cumulative: &mut u64,
    base_fee: u64,
) -> Receipt {
    let gas_used = result.tx_gas_used();
    *cumulative = cumulative.saturating_add(gas_used);
    let envelope = t.inner();
    Receipt {
        tx_hash: tx::hash(envelope),
        tx_type: envelope.tx_type(),
        from: t.signer(),
        to: envelope.to(),
        success: result.is_success(),
        cumulative_gas_used: *cumulative,
        gas_used,
        effective_gas_price: envelope.effective_gas_price(Some(base_fee)),
        contract_address: created(&result),
        output: result.output().cloned().unwrap_or_default(),
        logs: if result.is_success() { result.into_logs() } else { Vec::new() },
        failed_predicates: failures.indices().collect(),
    }
}

fn skip_reason(reason: SkipReason) -> String {
    match reason {
        SkipReason::InvalidPredicate { index, source } => format!("warp predicate {index}: {source}"),
        SkipReason::IntrinsicGasTooLow { gas_limit, intrinsic } => {
            format!("intrinsic gas too low for predicate verification ({gas_limit}) < intrinsic gas ({intrinsic})")
        }
        SkipReason::IntrinsicGasOverflow => "intrinsic gas overflows u64".to_owned(),
        SkipReason::PredicateFailed(bits) => {
            format!("warp predicates {:?} failed verification", bits.indices().collect::<Vec<_>>())
        }
    }
}

fn mismatch<T: PartialEq + std::fmt::Display>(
    number: u64,
    field: &'static str,
    computed: T,
    header: T,
) -> Result<(), ChainError> {
    if computed == header {
        return Ok(());
    }
    Err(ChainError::Mismatch { number, field, computed: computed.to_string(), header: header.to_string() })
}

/// revm's transaction for a call request (unsigned: `eth_call`, `eth_estimateGas`).
pub fn call_env(
    from: Address,
    to: TxKind,
    input: Bytes,
    value: U256,
    gas_limit: u64,
    access_list: warp_predicate::AccessList,
) -> TxEnv {
    TxEnv {
        caller: from,
        kind: to,
        data: input,
        value,
        gas_limit,
        gas_price: 0,
        access_list,
        tx_type: 1,
        ..Default::default()
    }
}
