//! The block executor: a chain's state in revm, blocks built from candidate
//! transactions (predicates verified first, results in the header), and blocks
//! imported from their bytes alone (replay).
//!
//! | step | [`Chain::build_block`] (a block producer) | [`Chain::import_block`] (a replaying node) |
//! |---|---|---|
//! | precompile activation | at the first block whose timestamp reaches [`ChainConfig::warp_activation`]: nonce 1 and code `0x01` at `0x0200…05` | the same, from the timestamps |
//! | predicate results | [`PredicateVerifier::build`] against the validator state at the block's P-Chain height | parsed from `extra`; no validator set, no BLS |
//! | a transaction revm refuses | left out of the block | the block is invalid |
//! | state root | computed | computed and compared with the header |
//!
//! Before activation the chain runs revm's mainnet EVM; from it, [`WarpEvm`] with
//! the [`WarpChain`] of the block's timestamp.

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_trie::root::{state_root_unhashed, storage_root_unhashed};
use alloy_trie::TrieAccount;
use awm_core::{ChainId, QuorumPolicy, SubnetId, ValidatorState, WarpConfig, WarpVerifier};
use revm::bytecode::Bytecode;
use revm::context::result::{ExecutionResult, HaltReason};
use revm::context::{BlockEnv, CfgEnv, Context, TxEnv};
use revm::database::{CacheDB, DatabaseRef, InMemoryDB};
use revm::primitives::hardfork::SpecId;
use revm::primitives::TxKind;
use revm::state::AccountInfo;
use revm::{ExecuteCommitEvm, ExecuteEvm, MainBuilder, MainContext};
use thiserror::Error;
use warp_precompile::revm::{WarpBuilder, WarpChain, WarpTx};
use warp_precompile::ChainConstants;
use warp_predicate::{
    gas::intrinsic_gas_without_access_list, warp_predicates, BlockTx, ExtraLayout, FailureBits, GasSchedule,
    GasUpgrades, PredicateResults, PredicateRule, PredicateVerifier, ResultsError, SkipReason, WARP_ADDRESS,
};

use crate::block::{transactions_root_of, Block, Header, Receipt, Transaction};

/// The code the reference puts at an activated stateful precompile's address.
pub const ACTIVATED_PRECOMPILE_CODE: [u8; 1] = [0x01];

/// A chain's fixed settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainConfig {
    /// The network ID (12345 for avalanchego's local network).
    pub network_id: u32,
    /// This chain's blockchain ID.
    pub blockchain_id: ChainId,
    /// The subnet that validates it.
    pub subnet_id: SubnetId,
    /// The timestamp from which the warp precompile is active.
    pub warp_activation: u64,
    /// The warp gas schedules by timestamp.
    pub gas_upgrades: GasUpgrades,
    /// Granite's timestamp (delegate calls to the precompile revert from it).
    pub granite: u64,
    /// The quorum this chain asks of each source.
    pub quorum: QuorumPolicy,
    /// Whether primary-network messages must be signed by the primary network.
    pub require_primary_network_signers: bool,
    /// What happens to transactions whose predicates fail.
    pub rule: PredicateRule,
    /// Where the results sit in `extra`.
    pub extra_layout: ExtraLayout,
    /// The EVM spec.
    pub spec: SpecId,
    /// The block gas limit.
    pub block_gas_limit: u64,
}

impl ChainConfig {
    /// A chain with today's rules: warp active from genesis under the Granite
    /// schedule, the default 67% quorum, results in blocks, Subnet-EVM's `extra`
    /// layout, Cancun, 30 million gas per block.
    pub fn new(network_id: u32, blockchain_id: ChainId, subnet_id: SubnetId) -> Self {
        Self {
            network_id,
            blockchain_id,
            subnet_id,
            warp_activation: 0,
            gas_upgrades: GasUpgrades::new([(0, GasSchedule::granite())]),
            granite: 0,
            quorum: QuorumPolicy::default(),
            require_primary_network_signers: false,
            rule: PredicateRule::ResultsInBlock,
            extra_layout: ExtraLayout::SubnetEvm,
            spec: SpecId::CANCUN,
            block_gas_limit: 30_000_000,
        }
    }

    /// The receiver settings its predicate verifier uses.
    pub fn warp_config(&self) -> WarpConfig {
        WarpConfig {
            network_id: self.network_id,
            subnet_id: self.subnet_id,
            require_primary_network_signers: self.require_primary_network_signers,
            quorum: self.quorum.clone(),
        }
    }

    /// The precompile's settings at `timestamp`, or `None` before activation.
    pub fn warp_chain(&self, timestamp: u64) -> Option<WarpChain> {
        if timestamp < self.warp_activation {
            return None;
        }
        let constants = ChainConstants { network_id: self.network_id, blockchain_id: self.blockchain_id };
        WarpChain::at(constants, &self.gas_upgrades, self.granite, timestamp)
    }
}

/// The state before the first block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Genesis {
    /// The genesis timestamp.
    pub timestamp: u64,
    /// Funded accounts.
    pub alloc: Vec<(Address, U256)>,
}

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
    /// The header's predicate results do not parse.
    #[error("block {number}: predicate results in extra: {source}")]
    Results {
        /// The block number.
        number: u64,
        /// Why.
        source: ResultsError,
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
        /// revm's or the predicate's reason.
        reason: String,
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

/// A transaction a block producer left out, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Excluded {
    /// The transaction hash.
    pub tx: B256,
    /// Why it was left out.
    pub reason: String,
}

/// A block just built: the block, its receipts, and the candidates left out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BuiltBlock {
    /// The block.
    pub block: Block,
    /// One receipt per transaction, in order.
    pub receipts: Vec<Receipt>,
    /// Candidates not included.
    pub excluded: Vec<Excluded>,
}

/// A chain: its state and its blocks.
#[derive(Debug, Clone)]
pub struct Chain {
    config: ChainConfig,
    genesis: Genesis,
    db: InMemoryDB,
    blocks: Vec<Block>,
    receipts: Vec<Vec<Receipt>>,
}

impl Chain {
    /// A chain at genesis.
    pub fn new(config: ChainConfig, genesis: Genesis) -> Self {
        let mut db = InMemoryDB::default();
        for (address, balance) in &genesis.alloc {
            db.insert_account_info(*address, AccountInfo { balance: *balance, ..Default::default() });
        }
        let mut chain = Self { config, genesis, db, blocks: Vec::new(), receipts: Vec::new() };
        if chain.config.warp_chain(chain.genesis.timestamp).is_some() {
            chain.activate_precompile();
        }
        chain
    }

    /// Replays `blocks` from `genesis`: every block is imported from its own bytes
    /// (the results in its header), with no validator state.
    pub fn replay(config: ChainConfig, genesis: Genesis, blocks: &[Block]) -> Result<Self, ChainError> {
        let mut chain = Self::new(config, genesis);
        for block in blocks {
            chain.import_block(block.clone())?;
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

    /// The number of the latest block (0 at genesis).
    pub fn height(&self) -> u64 {
        self.blocks.last().map_or(0, |b| b.header.number)
    }

    /// The genesis block's hash: what block 1 names as its parent. This chain
    /// has no genesis header, so it is zero.
    pub fn genesis_hash(&self) -> B256 {
        B256::ZERO
    }

    /// The latest block's hash (the genesis hash at genesis).
    pub fn head_hash(&self) -> B256 {
        self.blocks.last().map_or(self.genesis_hash(), Block::hash)
    }

    /// All blocks after genesis.
    pub fn blocks(&self) -> &[Block] {
        &self.blocks
    }

    /// Block `number` (1-based) and its receipts.
    pub fn block(&self, number: u64) -> Option<(&Block, &[Receipt])> {
        let i = usize::try_from(number.checked_sub(1)?).ok()?;
        Some((self.blocks.get(i)?, self.receipts.get(i)?.as_slice()))
    }

    /// The block with hash `hash`, if this chain has it.
    pub fn block_by_hash(&self, hash: &B256) -> Option<&Block> {
        self.blocks.iter().find(|b| b.hash() == *hash)
    }

    /// The receipt of transaction `tx` and the number of its block.
    pub fn receipt(&self, tx: &B256) -> Option<(u64, &Receipt)> {
        self.blocks.iter().zip(&self.receipts).find_map(|(block, receipts)| {
            receipts.iter().find(|r| r.tx_hash == *tx).map(|r| (block.header.number, r))
        })
    }

    /// An account's state (`None` if it does not exist).
    pub fn account(&self, address: Address) -> Option<AccountInfo> {
        self.db.basic_ref(address).ok().flatten()
    }

    /// An account's nonce (0 if it does not exist).
    pub fn nonce(&self, address: Address) -> u64 {
        self.account(address).map_or(0, |a| a.nonce)
    }

    /// A storage slot.
    pub fn storage(&self, address: Address, slot: U256) -> U256 {
        self.db.storage_ref(address, slot).unwrap_or_default()
    }

    /// Ethereum's state root of the current state (accounts keyed by the hash of
    /// their address, storage roots over non-zero slots).
    pub fn state_root(&self) -> B256 {
        let accounts = self.db.cache.accounts.iter().filter_map(|(address, account)| {
            let info = account.info()?;
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

    /// Runs `tx` against the current state without changing it, with `failures`
    /// as its predicate failure bits, and the block settings of a next block at
    /// `timestamp` (for `eth_call` and `eth_estimateGas`).
    pub fn simulate(
        &self,
        tx: &Transaction,
        failures: FailureBits,
        timestamp: u64,
    ) -> Result<Receipt, ChainError> {
        let mut scratch = CacheDB::new(&self.db);
        let block = self.block_env(self.height().saturating_add(1), timestamp);
        let result = match self.config.warp_chain(timestamp) {
            Some(chain) => {
                let mut evm = Context::mainnet()
                    .with_db(&mut scratch)
                    .with_cfg(CfgEnv::new_with_spec(self.config.spec))
                    .with_block(block)
                    .with_chain(chain)
                    .with_tx(WarpTx::default())
                    .build_warp();
                let tx_env = WarpTx::new(tx_env(tx)?, failures.clone());
                evm.transact(tx_env).map(|o| o.result).map_err(|e| e.to_string())
            }
            None => {
                let mut evm = Context::mainnet()
                    .with_db(&mut scratch)
                    .with_cfg(CfgEnv::new_with_spec(self.config.spec))
                    .with_block(block)
                    .build_mainnet();
                evm.transact(tx_env(tx)?).map(|o| o.result).map_err(|e| e.to_string())
            }
        };
        result.map(|r| receipt(tx.hash(), r, &failures)).map_err(ChainError::Call)
    }

    /// Calls `to` with `input` from `from` on the current state, as `eth_call`
    /// does (nothing changes): the receipt holds the output.
    pub fn call(&self, from: Address, to: Address, input: Bytes) -> Result<Receipt, ChainError> {
        let tx = Transaction {
            from,
            to: Some(to),
            nonce: self.nonce(from),
            gas_limit: self.config.block_gas_limit,
            value: U256::ZERO,
            input,
            access_list: Default::default(),
        };
        let timestamp = self.blocks.last().map_or(self.genesis.timestamp, |b| b.header.timestamp);
        // No access list: no predicate to read.
        self.simulate(&tx, FailureBits::none_failed(), timestamp)
    }

    /// Builds the next block from `candidates`: verifies their warp predicates
    /// against `state` at `p_chain_height`, executes the ones the rule admits and
    /// revm accepts, and appends the block with its results in `extra`.
    pub fn build_block<S: ValidatorState>(
        &mut self,
        candidates: Vec<Transaction>,
        timestamp: u64,
        p_chain_height: u64,
        state: S,
    ) -> Result<BuiltBlock, ChainError> {
        let number = self.height().saturating_add(1);
        self.check_next(number, timestamp, p_chain_height)?;
        let activating = self.activates_at(timestamp);
        let mut excluded = Vec::new();
        let hashes: Vec<B256> = candidates.iter().map(Transaction::hash).collect();
        let (included, mut results) = match self.config.warp_chain(timestamp) {
            Some(chain) => {
                let block_txs: Vec<BlockTx<'_>> = candidates
                    .iter()
                    .zip(&hashes)
                    .map(|(tx, hash)| {
                        let other = intrinsic_gas_without_access_list(&tx.input, tx.to.is_none());
                        BlockTx::new(*hash, &tx.access_list, tx.gas_limit, other)
                    })
                    .collect();
                let verifier = PredicateVerifier::new(
                    WarpVerifier::new(state, self.config.warp_config()),
                    chain.schedule,
                );
                let built = verifier.build(&block_txs, p_chain_height, self.config.rule);
                for skipped in built.skipped {
                    let reason = match skipped.reason {
                        SkipReason::InvalidPredicate { index, source } => {
                            format!("warp predicate {index}: {source}")
                        }
                        SkipReason::IntrinsicGasTooLow { gas_limit, intrinsic } => {
                            format!("gas limit {gas_limit} is below its intrinsic gas {intrinsic}")
                        }
                        SkipReason::IntrinsicGasOverflow => "intrinsic gas overflows u64".to_owned(),
                        SkipReason::PredicateFailed(bits) => {
                            format!(
                                "warp predicates {:?} failed verification",
                                bits.indices().collect::<Vec<_>>()
                            )
                        }
                    };
                    excluded.push(Excluded { tx: skipped.tx, reason });
                }
                let mut keep = vec![false; candidates.len()];
                for position in built.included {
                    if let Some(k) = keep.get_mut(position) {
                        *k = true;
                    }
                }
                let included: Vec<(Transaction, B256)> = candidates
                    .into_iter()
                    .zip(hashes)
                    .zip(keep)
                    .filter(|(_, k)| *k)
                    .map(|(pair, _)| pair)
                    .collect();
                (included, built.results)
            }
            None => (candidates.into_iter().zip(hashes).collect(), PredicateResults::new()),
        };
        let (included, hashes): (Vec<Transaction>, Vec<B256>) = included.into_iter().unzip();

        let snapshot = self.db.clone();
        if activating {
            self.activate_precompile();
        }
        let outcomes = self.execute(number, timestamp, &included, &hashes, &results);
        let (mut transactions, mut tx_hashes, mut receipts) = (Vec::new(), Vec::new(), Vec::new());
        for ((tx, hash), outcome) in included.into_iter().zip(hashes).zip(outcomes) {
            match outcome {
                Ok(receipt) => {
                    receipts.push(receipt);
                    transactions.push(tx);
                    tx_hashes.push(hash);
                }
                Err(reason) => {
                    results.remove_tx(&hash);
                    excluded.push(Excluded { tx: hash, reason });
                }
            }
        }
        let extra = match self.extra(&results) {
            Ok(extra) => extra,
            Err(source) => {
                self.db = snapshot;
                return Err(ChainError::Results { number, source });
            }
        };
        let header = Header {
            parent_hash: self.head_hash(),
            number,
            timestamp,
            p_chain_height,
            state_root: self.state_root(),
            transactions_root: transactions_root_of(&tx_hashes),
            gas_used: receipts.iter().fold(0u64, |sum, r| sum.saturating_add(r.gas_used)),
            extra,
        };
        let block = Block { header, transactions };
        self.blocks.push(block.clone());
        self.receipts.push(receipts.clone());
        Ok(BuiltBlock { block, receipts, excluded })
    }

    /// Imports a block from its bytes alone: the predicate results come from its
    /// `extra`, no validator state is read. Every transaction must execute, and
    /// the recomputed roots and gas must equal the header's; on any error the
    /// state is left as it was.
    pub fn import_block(&mut self, block: Block) -> Result<&[Receipt], ChainError> {
        let header = &block.header;
        let number = header.number;
        let expected_number = self.height().saturating_add(1);
        if number != expected_number || header.parent_hash != self.head_hash() {
            return Err(ChainError::NotNext {
                number,
                parent: header.parent_hash,
                head_number: self.height(),
                head: self.head_hash(),
            });
        }
        self.check_next(number, header.timestamp, header.p_chain_height)?;
        let results = self
            .config
            .extra_layout
            .results(&header.extra)
            .map_err(|source| ChainError::Results { number, source })?;
        let hashes: Vec<B256> = block.transactions.iter().map(Transaction::hash).collect();
        let tx_root = transactions_root_of(&hashes);
        mismatch(number, "transactions root", tx_root, header.transactions_root)?;

        let snapshot = self.db.clone();
        if self.activates_at(header.timestamp) {
            self.activate_precompile();
        }
        let outcomes = self.execute(number, header.timestamp, &block.transactions, &hashes, &results);
        let mut receipts = Vec::with_capacity(outcomes.len());
        let mut failure = None;
        for (position, (hash, outcome)) in hashes.iter().copied().zip(outcomes).enumerate() {
            match outcome {
                Ok(receipt) => receipts.push(receipt),
                Err(reason) => {
                    failure = Some(ChainError::InvalidTransaction { number, position, tx: hash, reason });
                    break;
                }
            }
        }
        let gas_used = receipts.iter().fold(0u64, |sum, r| sum.saturating_add(r.gas_used));
        let checked = match failure {
            Some(e) => Err(e),
            None => mismatch(number, "gas used", gas_used, header.gas_used)
                .and_then(|()| mismatch(number, "state root", self.state_root(), header.state_root)),
        };
        if let Err(e) = checked {
            self.db = snapshot;
            return Err(e);
        }
        self.blocks.push(block);
        self.receipts.push(receipts);
        Ok(self.receipts.last().map_or(&[], Vec::as_slice))
    }

    /// `true` if the precompile becomes active in a block at `timestamp`.
    fn activates_at(&self, timestamp: u64) -> bool {
        let parent_time = self.blocks.last().map_or(self.genesis.timestamp, |b| b.header.timestamp);
        self.config.warp_chain(timestamp).is_some() && self.config.warp_chain(parent_time).is_none()
    }

    /// What the reference does on activation: nonce 1 and code `0x01` at the address.
    fn activate_precompile(&mut self) {
        let existing = self.account(WARP_ADDRESS).unwrap_or_default();
        let info = AccountInfo { nonce: 1, ..existing }
            .with_code(Bytecode::new_raw(Bytes::from_static(&ACTIVATED_PRECOMPILE_CODE)));
        self.db.insert_account_info(WARP_ADDRESS, info);
    }

    fn check_next(&self, number: u64, timestamp: u64, p_chain_height: u64) -> Result<(), ChainError> {
        let (parent_time, parent_height) = self
            .blocks
            .last()
            .map_or((self.genesis.timestamp, 0), |b| (b.header.timestamp, b.header.p_chain_height));
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
        let layout = self.config.extra_layout;
        let mut extra = vec![0u8; layout.prefix_len()];
        extra.extend_from_slice(&results.to_bytes()?);
        Ok(Bytes::from(extra))
    }

    fn block_env(&self, number: u64, timestamp: u64) -> BlockEnv {
        BlockEnv {
            number: U256::from(number),
            timestamp: U256::from(timestamp),
            gas_limit: self.config.block_gas_limit,
            basefee: 0,
            prevrandao: Some(B256::ZERO),
            ..Default::default()
        }
    }

    /// Executes `txs` (whose hashes are `hashes`) in order, committing each that
    /// revm accepts: its receipt, or why revm refused it.
    fn execute(
        &mut self,
        number: u64,
        timestamp: u64,
        txs: &[Transaction],
        hashes: &[B256],
        results: &PredicateResults,
    ) -> Vec<Result<Receipt, String>> {
        let block = self.block_env(number, timestamp);
        let cfg = CfgEnv::new_with_spec(self.config.spec);
        match self.config.warp_chain(timestamp) {
            Some(chain) => {
                let mut evm = Context::mainnet()
                    .with_db(&mut self.db)
                    .with_cfg(cfg)
                    .with_block(block)
                    .with_chain(chain)
                    .with_tx(WarpTx::default())
                    .build_warp();
                txs.iter()
                    .zip(hashes)
                    .map(|(tx, hash)| {
                        // Under ValidityRequired every included predicate passed and
                        // nothing is stored; otherwise the block's entry is required.
                        let failures = match self.config.rule {
                            PredicateRule::ResultsInBlock => results
                                .warp_failures(hash, warp_predicates(&tx.access_list).len())
                                .map_err(|e| e.to_string())?,
                            PredicateRule::ValidityRequired => FailureBits::none_failed(),
                        };
                        let env = WarpTx::new(tx_env(tx).map_err(|e| e.to_string())?, failures.clone());
                        let result = evm.transact_commit(env).map_err(|e| e.to_string())?;
                        Ok(receipt(*hash, result, &failures))
                    })
                    .collect()
            }
            None => {
                let mut evm =
                    Context::mainnet().with_db(&mut self.db).with_cfg(cfg).with_block(block).build_mainnet();
                txs.iter()
                    .zip(hashes)
                    .map(|(tx, hash)| {
                        let result = evm
                            .transact_commit(tx_env(tx).map_err(|e| e.to_string())?)
                            .map_err(|e| e.to_string())?;
                        Ok(receipt(*hash, result, &FailureBits::none_failed()))
                    })
                    .collect()
            }
        }
    }
}

/// revm's transaction for `tx` (type 1: an access-list transaction, no fee).
fn tx_env(tx: &Transaction) -> Result<TxEnv, ChainError> {
    TxEnv::builder()
        .caller(tx.from)
        .kind(tx.to.map_or(TxKind::Create, TxKind::Call))
        .nonce(tx.nonce)
        .gas_limit(tx.gas_limit)
        .gas_price(0)
        .value(tx.value)
        .data(tx.input.clone())
        .access_list(tx.access_list.clone())
        .tx_type(Some(1))
        .build()
        .map_err(|e| ChainError::Call(format!("{e:?}")))
}

fn receipt(tx_hash: B256, result: ExecutionResult<HaltReason>, failures: &FailureBits) -> Receipt {
    Receipt {
        tx_hash,
        success: result.is_success(),
        gas_used: result.tx_gas_used(),
        gas_spent: result.gas().total_gas_spent(),
        contract_address: result.created_address(),
        output: result.output().cloned().unwrap_or_default(),
        logs: if result.is_success() { result.into_logs() } else { Vec::new() },
        failed_predicates: failures.indices().collect(),
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
