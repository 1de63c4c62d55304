//! The devnet itself: the embedded P-Chain, one Avalanche L1 per chain name
//! (its own subnet, validator set and EVM chain), anvil's dev accounts, the
//! CREATE2 deployer and the example apps on every chain, and the tasks that
//! mine blocks and relay messages.
//!
//! Identities are deterministic, so a devnet started twice with the same
//! chains has the same IDs, keys and app addresses:
//!
//! - blockchain ID of chain `N`: SHA-256 of `warp devnet blockchain N`; subnet
//!   ID: SHA-256 of `warp devnet subnet N`;
//! - EVM chain IDs: 31337 (anvil's) for the first chain, then 31338, …;
//! - validators of chain `N`: the keys `warp_node::devnet::validator_keys(N, …)`
//!   derives, weights 1,000 to 1,999, registered with proofs of possession at
//!   P-Chain height `i + 1` for the `i`-th chain;
//! - the apps' deployer: a key of its own (not a dev account, so the dev
//!   accounts start at nonce 0 as on anvil), deploying `CrossChainMessenger`
//!   and `BlockHashOracle` with its nonces 0 and 1 in block 1 of every chain,
//!   so both live at the same address everywhere; the messengers allow each
//!   other and the oracles every other chain in the same block.
//!
//! With a data directory, `devnet.json` records the chains, the validator
//! count and the genesis time; a restart takes them from there.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use alloy_primitives::{address, hex, Address, Bytes, TxKind, B256, U256};
use alloy_sol_types::SolCall;
use awm_core::{ChainId, Id, Quorum, QuorumPolicy, SubnetId};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use thiserror::Error;
use warp_node::apps::{App, BlockHashOracle, CrossChainMessenger};
use warp_node::devnet::{register_subnet, signing_services, validator_keys, ValidatorKey};
use warp_node::node::Clock;
use warp_node::{
    Chain, ChainConfig, Genesis, GenesisAccount, Node, NodeError, PChain, TxRequest, Wallet, WarpParams,
    WarpUpgrades,
};
use warp_relayer::{Behaviour, InProcessNetwork};

use crate::accounts::{dev_accounts, AccountsError, ANVIL_MNEMONIC};
use crate::filters::Filters;

/// avalanchego's local network ID.
pub const NETWORK_ID: u32 = 12345;
/// The EVM chain ID of the first chain (anvil's); the next chains count up.
pub const FIRST_EVM_CHAIN_ID: u64 = 31_337;
/// The deterministic CREATE2 deployer every Foundry user expects.
pub const CREATE2_DEPLOYER: Address = address!("4e59b44847b379578588920ca78fbf26c0b4956c");
/// Its runtime code (`salt ‖ initcode` in, the created address out).
pub const CREATE2_DEPLOYER_CODE: &str = "7fffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffe03601600081602082378035828234f58015156039578182fd5b8082525050506014600cf3";
/// Wei in one ether.
const ETHER: u128 = 1_000_000_000_000_000_000;
/// What each relayer account holds at genesis on every chain.
const RELAYER_FUNDS: u128 = 1_000_000 * ETHER;
/// What the apps' deployer holds at genesis on every chain.
const DEPLOYER_FUNDS: u128 = 1_000 * ETHER;
/// The name of the file that records a data directory's devnet.
const DEVNET_FILE: &str = "devnet.json";

/// Why a devnet could not start, or a request about it failed.
#[derive(Debug, Error)]
pub enum DevnetError {
    /// A flag is out of range or inconsistent.
    #[error("invalid devnet settings: {0}")]
    Settings(String),
    /// The dev accounts could not be derived.
    #[error(transparent)]
    Accounts(#[from] AccountsError),
    /// The P-Chain refused a registration, or its journal failed.
    #[error("P-Chain: {0}")]
    PChain(String),
    /// A chain's node failed.
    #[error("chain {chain}: {source}")]
    Node {
        /// The chain's name.
        chain: String,
        /// Why.
        source: Box<NodeError>,
    },
    /// Deploying the example apps failed.
    #[error("chain {chain}: deploying the apps: {reason}")]
    Apps {
        /// The chain's name.
        chain: String,
        /// Why.
        reason: String,
    },
    /// The data directory could not be read or written.
    #[error("data directory {path}: {reason}")]
    DataDir {
        /// The path.
        path: PathBuf,
        /// Why.
        reason: String,
    },
}

/// The fraction of each chain's validators that misbehave when asked to sign
/// (spread over the weights: see [`Devnet::start`]).
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Faults {
    /// Fraction that answer after `slow_delay`.
    pub slow: f64,
    /// Fraction that never answer.
    pub silent: f64,
    /// Fraction that answer with a signature by a key not their own.
    pub lying: f64,
    /// How late a slow validator answers.
    pub slow_delay: Duration,
}

/// What to start.
#[derive(Debug, Clone, PartialEq)]
pub struct DevnetConfig {
    /// The chains' names, in order (each a URL path segment).
    pub chains: Vec<String>,
    /// Validators per chain.
    pub validators: usize,
    /// Where everything is persisted (nothing if `None`).
    pub data_dir: Option<PathBuf>,
    /// Interval mining; `None` mines each transaction as it arrives (automine).
    pub block_time: Option<Duration>,
    /// Whether the built-in relayer delivers the apps' messages.
    pub relayer: bool,
    /// Misbehaving validators.
    pub faults: Faults,
    /// The mnemonic of the dev accounts.
    pub mnemonic: String,
    /// How many dev accounts.
    pub accounts: usize,
    /// Each dev account's balance, in ether.
    pub balance_ether: u64,
    /// The quorum each chain asks of every other chain (Subnet-EVM's default 67%).
    pub quorum: Quorum,
    /// Quorums that differ from `quorum`: `(receiver, source, quorum)` by chain name.
    pub quorums: Vec<(String, String, Quorum)>,
    /// How long the relayer's aggregator waits for one validator.
    pub request_timeout: Duration,
    /// How long one aggregation of the relayer may take in all.
    pub deadline: Duration,
    /// How many messages each relayer carries at once (1 delivers in the order sent).
    pub relayer_concurrency: usize,
}

impl Default for DevnetConfig {
    /// Chains `A` and `B`, 100 validators each, in memory, automine, the relayer
    /// on, no faults, anvil's 10 accounts of 10,000 ETH, a 67% quorum.
    fn default() -> Self {
        Self {
            chains: vec!["A".into(), "B".into()],
            validators: 100,
            data_dir: None,
            block_time: None,
            relayer: true,
            faults: Faults::default(),
            mnemonic: ANVIL_MNEMONIC.into(),
            accounts: 10,
            balance_ether: 10_000,
            quorum: Quorum::DEFAULT,
            quorums: Vec::new(),
            request_timeout: Duration::from_secs(2),
            deadline: Duration::from_secs(10),
            relayer_concurrency: 16,
        }
    }
}

impl DevnetConfig {
    /// Refuses settings the devnet cannot honour.
    pub fn check(&self) -> Result<(), DevnetError> {
        let bad = |m: String| Err(DevnetError::Settings(m));
        if self.chains.is_empty() {
            return bad("at least one chain is needed".into());
        }
        for (i, name) in self.chains.iter().enumerate() {
            let valid = !name.is_empty()
                && name.len() <= 64
                && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_');
            if !valid {
                return bad(format!(
                    "chain name {name:?}: use 1 to 64 ASCII letters, digits, '-' or '_' (it is a URL path segment)"
                ));
            }
            if name == "P" {
                return bad("chain name \"P\" is the P-Chain's path (/ext/bc/P)".into());
            }
            if self.chains.iter().take(i).any(|other| other == name) {
                return bad(format!("chain name {name:?} is given twice"));
            }
        }
        if self.validators == 0 || self.validators > 10_000 {
            return bad(format!("{} validators per chain: choose 1 to 10000", self.validators));
        }
        let Faults { slow, silent, lying, .. } = self.faults;
        for (what, f) in [("slow", slow), ("silent", silent), ("lying", lying)] {
            if !(0.0..=1.0).contains(&f) {
                return bad(format!("--{what} {f}: a fraction from 0 to 1"));
            }
        }
        if slow + silent + lying > 1.0 {
            return bad(format!("--slow {slow} + --silent {silent} + --lying {lying} exceed 1"));
        }
        if self.accounts == 0 || self.accounts > 1_000 {
            return bad(format!("{} dev accounts: choose 1 to 1000", self.accounts));
        }
        for (receiver, source, _) in &self.quorums {
            for name in [receiver, source] {
                if !self.chains.contains(name) {
                    return bad(format!("a quorum names chain {name:?}, which is not among the chains"));
                }
            }
        }
        if self.block_time.is_some_and(|t| t.is_zero()) {
            return bad("--block-time 0: give a positive interval, or leave it out for automine".into());
        }
        Ok(())
    }
}

/// What a data directory records of its devnet.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Recorded {
    chains: Vec<String>,
    validators: usize,
    genesis_timestamp: u64,
    mnemonic: String,
    accounts: usize,
    balance_ether: u64,
}

/// The example apps' addresses (the same on every chain).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Apps {
    /// `CrossChainMessenger`.
    pub messenger: Address,
    /// `BlockHashOracle`.
    pub oracle: Address,
    /// The account that deployed them (their owner).
    pub deployer: Address,
}

/// One L1 of the devnet.
#[derive(Debug)]
pub struct DevChain {
    /// Its name (`/ext/bc/<name>/rpc`).
    pub name: String,
    /// Its position in the devnet.
    pub index: usize,
    /// Its blockchain ID.
    pub blockchain_id: ChainId,
    /// The subnet that validates it.
    pub subnet_id: SubnetId,
    /// Its EVM chain ID.
    pub evm_chain_id: u64,
    /// The node.
    pub node: Arc<Node>,
    /// Its validators' keys.
    pub keys: Vec<ValidatorKey>,
    /// Its validators as the aggregators reach them (with the injected faults).
    pub network: Arc<InProcessNetwork>,
    automine: AtomicBool,
    impersonated: Mutex<std::collections::HashSet<Address>>,
    pub(crate) filters: Filters,
}

impl DevChain {
    /// Whether each transaction is mined as it arrives.
    pub fn automine(&self) -> bool {
        self.automine.load(Ordering::SeqCst)
    }

    /// Turns automine on or off (`anvil_setAutomine`).
    pub fn set_automine(&self, on: bool) {
        self.automine.store(on, Ordering::SeqCst);
    }

    /// Whether `address` is impersonated.
    pub fn is_impersonated(&self, address: &Address) -> bool {
        self.impersonated.lock().unwrap_or_else(PoisonError::into_inner).contains(address)
    }

    /// Starts or stops impersonating `address`.
    pub fn impersonate(&self, address: Address, on: bool) {
        let mut set = self.impersonated.lock().unwrap_or_else(PoisonError::into_inner);
        if on {
            set.insert(address);
        } else {
            set.remove(&address);
        }
    }
}

/// A running devnet's chains, accounts and P-Chain.
#[derive(Debug)]
pub struct Devnet {
    config: DevnetConfig,
    pchain: PChain,
    chains: Vec<Arc<DevChain>>,
    accounts: Vec<Wallet>,
    apps: Apps,
    genesis_timestamp: u64,
}

/// The blockchain and subnet IDs of chain `name`.
pub fn chain_ids(name: &str) -> (ChainId, SubnetId) {
    let id = |text: String| Id(Sha256::digest(text.as_bytes()).into());
    (id(format!("warp devnet blockchain {name}")), id(format!("warp devnet subnet {name}")))
}

/// The conversion ID `platform.getSubnet` reports for chain `name`'s subnet
/// (deterministic; no ConvertSubnetToL1 transaction exists on this P-Chain).
pub fn conversion_id(name: &str) -> Id {
    Id(Sha256::digest(format!("warp devnet conversion {name}").as_bytes()).into())
}

/// The key that deploys the example apps on every chain.
pub fn deployer() -> Result<Wallet, DevnetError> {
    Wallet::from_seed("warp devnet apps deployer").map_err(|e| DevnetError::Settings(e.to_string()))
}

/// The key the built-in relayer signs with on `destination` for messages from `source`.
pub fn relayer_wallet(source: &str, destination: &str) -> Result<Wallet, DevnetError> {
    Wallet::from_seed(&format!("warp devnet relayer {source}->{destination}"))
        .map_err(|e| DevnetError::Settings(e.to_string()))
}

/// Each validator's behaviour: the faults are spread over the weights
/// (validator `i` has rank `i × 37 mod n`; the lowest ranks are slow, then
/// silent, then lying).
fn behaviours(faults: &Faults, n: usize) -> Vec<Behaviour> {
    // At most the fraction asked (rounded down).
    let count = |f: f64| ((n as f64) * f).floor() as usize;
    let (slow, silent, lying) = (count(faults.slow), count(faults.silent), count(faults.lying));
    (0..n)
        .map(|i| {
            let i = i.saturating_mul(37).checked_rem(n).unwrap_or(0);
            if i < slow {
                Behaviour::Slow(faults.slow_delay)
            } else if i < slow.saturating_add(silent) {
                Behaviour::Silent
            } else if i < slow.saturating_add(silent).saturating_add(lying) {
                Behaviour::Lying
            } else {
                Behaviour::Honest
            }
        })
        .collect()
}

fn data_err(path: &Path) -> impl Fn(std::io::Error) -> DevnetError + '_ {
    move |e| DevnetError::DataDir { path: path.to_path_buf(), reason: e.to_string() }
}

/// Reads the devnet a data directory records, or records `fresh` there.
fn record(dir: &Path, fresh: Recorded) -> Result<(Recorded, bool), DevnetError> {
    std::fs::create_dir_all(dir).map_err(data_err(dir))?;
    let path = dir.join(DEVNET_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => {
            let recorded: Recorded = serde_json::from_slice(&bytes)
                .map_err(|e| DevnetError::DataDir { path: path.clone(), reason: e.to_string() })?;
            Ok((recorded, false))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let json = serde_json::to_vec_pretty(&fresh)
                .map_err(|e| DevnetError::DataDir { path: path.clone(), reason: e.to_string() })?;
            let tmp = dir.join(format!("{DEVNET_FILE}.tmp"));
            std::fs::write(&tmp, json).map_err(data_err(&tmp))?;
            std::fs::File::open(&tmp).and_then(|f| f.sync_all()).map_err(data_err(&tmp))?;
            std::fs::rename(&tmp, &path).map_err(data_err(&path))?;
            std::fs::File::open(dir).and_then(|f| f.sync_all()).map_err(data_err(dir))?;
            Ok((fresh, true))
        }
        Err(e) => Err(data_err(&path)(e)),
    }
}

impl Devnet {
    /// Starts the devnet: registers every chain's validators in the P-Chain,
    /// opens (or creates) every chain, and deploys the apps in block 1 of a
    /// fresh chain. Mining and relaying start with [`crate::serve`].
    pub fn start(config: DevnetConfig) -> Result<Self, DevnetError> {
        config.check()?;
        let now =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_secs());
        let fresh = Recorded {
            chains: config.chains.clone(),
            validators: config.validators,
            genesis_timestamp: now,
            mnemonic: config.mnemonic.clone(),
            accounts: config.accounts,
            balance_ether: config.balance_ether,
        };
        let (recorded, pchain) = match &config.data_dir {
            Some(dir) => {
                let (recorded, _) = record(dir, fresh)?;
                let pchain = PChain::open(dir).map_err(|e| DevnetError::PChain(e.to_string()))?;
                (recorded, pchain)
            }
            None => (fresh, PChain::in_memory()),
        };
        let mut config = config;
        config.chains = recorded.chains.clone();
        config.validators = recorded.validators;
        config.mnemonic = recorded.mnemonic.clone();
        config.accounts = recorded.accounts;
        config.balance_ether = recorded.balance_ether;
        config.check()?;

        let accounts = dev_accounts(&config.mnemonic, config.accounts)?;
        let deployer = deployer()?;
        let mut alloc: Vec<(Address, GenesisAccount)> = accounts
            .iter()
            .map(|w| {
                let balance = U256::from(config.balance_ether).saturating_mul(U256::from(ETHER));
                (w.address(), GenesisAccount::funded(balance))
            })
            .collect();
        alloc.push((deployer.address(), GenesisAccount::funded(U256::from(DEPLOYER_FUNDS))));
        for source in &config.chains {
            for destination in config.chains.iter().filter(|d| *d != source) {
                let wallet = relayer_wallet(source, destination)?;
                alloc.push((wallet.address(), GenesisAccount::funded(U256::from(RELAYER_FUNDS))));
            }
        }
        let create2 = hex::decode(CREATE2_DEPLOYER_CODE).map_err(|e| DevnetError::Settings(e.to_string()))?;
        alloc.push((
            CREATE2_DEPLOYER,
            GenesisAccount { code: Bytes::from(create2), ..GenesisAccount::default() },
        ));
        let genesis = Genesis { timestamp: recorded.genesis_timestamp, alloc };

        let weight = |i: usize| 1_000u64.saturating_add((i as u64).saturating_mul(7_919) % 1_000);
        let ids: Vec<(ChainId, SubnetId)> = config.chains.iter().map(|n| chain_ids(n)).collect();
        let plan = behaviours(&config.faults, config.validators);
        let mut chains = Vec::with_capacity(config.chains.len());
        for (index, name) in config.chains.iter().enumerate() {
            let (blockchain_id, subnet_id) = ids.get(index).copied().unwrap_or_default();
            let keys = validator_keys(name, config.validators, weight)
                .map_err(|e| DevnetError::Settings(format!("validator keys: {e}")))?;
            // A journal replayed from the data directory already holds the registration.
            if awm_core::ValidatorState::subnet_of(&**pchain.registry(), &blockchain_id).is_err() {
                register_subnet(&pchain, blockchain_id, subnet_id, &keys)
                    .map_err(|e| DevnetError::PChain(e.to_string()))?;
            }
            let evm_chain_id = FIRST_EVM_CHAIN_ID.saturating_add(index as u64);
            let mut chain_config = ChainConfig::new(NETWORK_ID, blockchain_id, subnet_id, evm_chain_id);
            let mut policy = QuorumPolicy::new(config.quorum);
            for (other_name, (other, _)) in
                config.chains.iter().zip(&ids).filter(|(_, (id, _))| *id != blockchain_id)
            {
                let quorum = config
                    .quorums
                    .iter()
                    .find(|(receiver, source, _)| receiver == name && source == other_name)
                    .map_or(config.quorum, |(_, _, q)| *q);
                policy = policy.with_chain(*other, quorum);
            }
            let params = WarpParams { quorum: policy, require_primary_network_signers: false };
            chain_config.warp = WarpUpgrades::enabled_from(genesis.timestamp, params);
            let validators = signing_services(&keys, NETWORK_ID, blockchain_id);
            let registry = Arc::clone(pchain.registry());
            let node = match &config.data_dir {
                Some(dir) => {
                    let chain_dir = dir.join("chains").join(name);
                    Node::open(&chain_dir, chain_config, genesis.clone(), registry, validators).map_err(
                        |source| DevnetError::Node { chain: name.clone(), source: Box::new(source) },
                    )?
                }
                None => Node::new(Chain::new(chain_config, genesis.clone()), registry, validators),
            };
            node.set_clock(Clock { wall: true, offset: 0, next: None });
            let mut network = InProcessNetwork::new(Duration::ZERO);
            for (service, behaviour) in node.validators().iter().zip(&plan) {
                network.add(Arc::clone(service), *behaviour);
            }
            chains.push(Arc::new(DevChain {
                name: name.clone(),
                index,
                blockchain_id,
                subnet_id,
                evm_chain_id,
                node: Arc::new(node),
                keys,
                network: Arc::new(network),
                automine: AtomicBool::new(config.block_time.is_none()),
                impersonated: Mutex::default(),
                filters: Filters::default(),
            }));
        }

        let apps = Apps {
            messenger: deployer.address().create(0),
            oracle: deployer.address().create(1),
            deployer: deployer.address(),
        };
        for chain in &chains {
            if chain.node.with_chain(Chain::height) == 0 {
                deploy_apps(chain, &chains, &deployer, &apps)?;
            }
        }
        Ok(Self { config, pchain, chains, accounts, apps, genesis_timestamp: genesis.timestamp })
    }

    /// The settings it runs with (a data directory's recorded chains and counts).
    pub fn config(&self) -> &DevnetConfig {
        &self.config
    }

    /// The embedded P-Chain.
    pub fn pchain(&self) -> &PChain {
        &self.pchain
    }

    /// The chains, in order.
    pub fn chains(&self) -> &[Arc<DevChain>] {
        &self.chains
    }

    /// The chain named `key`, or whose blockchain ID (cb58 or hex) is `key`.
    pub fn chain(&self, key: &str) -> Option<&Arc<DevChain>> {
        self.chains.iter().find(|c| c.name == key).or_else(|| {
            let id = Id::parse(key).ok()?;
            self.chains.iter().find(|c| c.blockchain_id == id)
        })
    }

    /// The chain with blockchain ID `id`.
    pub fn chain_by_id(&self, id: &ChainId) -> Option<&Arc<DevChain>> {
        self.chains.iter().find(|c| c.blockchain_id == *id)
    }

    /// The dev accounts (their keys sign `eth_sendTransaction`).
    pub fn accounts(&self) -> &[Wallet] {
        &self.accounts
    }

    /// The example apps' addresses.
    pub fn apps(&self) -> Apps {
        self.apps
    }

    /// The genesis timestamp shared by every chain.
    pub fn genesis_timestamp(&self) -> u64 {
        self.genesis_timestamp
    }
}

/// Block 1 of a fresh chain: the apps, and their allow-lists for every other chain.
fn deploy_apps(
    chain: &DevChain,
    all: &[Arc<DevChain>],
    deployer: &Wallet,
    apps: &Apps,
) -> Result<(), DevnetError> {
    let fail = |reason: String| DevnetError::Apps { chain: chain.name.clone(), reason };
    let code = |app: App| app.creation_code(&[]).map_err(|e| fail(e.to_string()));
    let mut requests = vec![
        TxRequest {
            to: TxKind::Create,
            input: code(App::CrossChainMessenger)?,
            gas_limit: 3_000_000,
            ..TxRequest::default()
        },
        TxRequest {
            to: TxKind::Create,
            input: code(App::BlockHashOracle)?,
            gas_limit: 3_000_000,
            ..TxRequest::default()
        },
    ];
    for other in all.iter().filter(|c| c.index != chain.index) {
        let source: B256 = other.blockchain_id.0.into();
        requests.push(TxRequest {
            to: TxKind::Call(apps.messenger),
            input: CrossChainMessenger::allowSenderCall { sourceChainID: source, sender: apps.messenger }
                .abi_encode()
                .into(),
            gas_limit: 100_000,
            ..TxRequest::default()
        });
        requests.push(TxRequest {
            to: TxKind::Call(apps.oracle),
            input: BlockHashOracle::allowSourceCall { sourceChainID: source }.abi_encode().into(),
            gas_limit: 100_000,
            ..TxRequest::default()
        });
    }
    let count = requests.len();
    for request in requests {
        chain.node.sign_and_submit(deployer, request).map_err(|e| fail(e.to_string()))?;
    }
    let built = chain
        .node
        .produce_block()
        .map_err(|source| DevnetError::Node { chain: chain.name.clone(), source: Box::new(source) })?
        .ok_or_else(|| fail("no block was sealed".into()))?;
    let failed = built.receipts.iter().filter(|r| !r.success).count();
    if built.receipts.len() != count || failed > 0 {
        return Err(fail(format!(
            "{} of {count} transactions included, {failed} failed",
            built.receipts.len()
        )));
    }
    Ok(())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    type Change = dyn Fn(&mut DevnetConfig);

    #[test]
    fn settings_the_devnet_cannot_honour_are_refused() {
        let with = |f: &Change| {
            let mut c = DevnetConfig::default();
            f(&mut c);
            c.check().err().map(|e| e.to_string())
        };
        assert_eq!(with(&|_| {}), None);
        let cases: Vec<(&Change, &str)> = vec![
            (&|c| c.chains.clear(), "at least one chain"),
            (&|c| c.chains = vec!["A".into(), "A".into()], "given twice"),
            (&|c| c.chains = vec!["P".into()], "P-Chain's path"),
            (&|c| c.chains = vec!["a/b".into()], "URL path segment"),
            (&|c| c.chains = vec![String::new()], "URL path segment"),
            (&|c| c.validators = 0, "0 validators"),
            (&|c| c.validators = 10_001, "10001 validators"),
            (&|c| c.faults.slow = 1.5, "--slow 1.5"),
            (&|c| c.faults.silent = -0.1, "--silent -0.1"),
            (
                &|c| {
                    c.faults.slow = 0.6;
                    c.faults.lying = 0.6
                },
                "exceed 1",
            ),
            (&|c| c.accounts = 0, "0 dev accounts"),
            (&|c| c.block_time = Some(Duration::ZERO), "--block-time 0"),
        ];
        for (change, message) in cases {
            let error = with(change).unwrap_or_default();
            assert!(error.contains(message), "{error:?} should say {message:?}");
        }
    }

    #[test]
    fn identities_are_deterministic_and_distinct() {
        let (a, sa) = chain_ids("A");
        let (b, sb) = chain_ids("B");
        assert_eq!(chain_ids("A"), (a, sa));
        assert!(a != b && sa != sb && a != sa);
        assert_eq!(deployer().unwrap().address(), deployer().unwrap().address());
        assert_ne!(relayer_wallet("A", "B").unwrap().address(), relayer_wallet("B", "A").unwrap().address());
    }

    #[test]
    fn faults_are_spread_over_the_validators() {
        let faults = Faults { slow: 0.2, silent: 0.1, lying: 0.1, slow_delay: Duration::from_millis(5) };
        let plan = behaviours(&faults, 10);
        // Ranks i × 37 mod 10: validator 0 is rank 0, 3 is 1 (slow), 6 is 2 (silent), 9 is 3 (lying).
        assert_eq!([plan[0], plan[3]], [Behaviour::Slow(Duration::from_millis(5)); 2]);
        assert_eq!(plan[6], Behaviour::Silent);
        assert_eq!(plan[9], Behaviour::Lying);
        assert_eq!(plan.iter().filter(|b| **b == Behaviour::Honest).count(), 6);
    }

    #[test]
    fn a_devnet_deploys_the_apps_at_the_same_address_on_every_chain() {
        let config = DevnetConfig {
            chains: vec!["A".into(), "B".into(), "C".into()],
            validators: 3,
            ..DevnetConfig::default()
        };
        let net = Devnet::start(config).unwrap();
        let apps = net.apps();
        for chain in net.chains() {
            chain.node.with_chain(|c| {
                assert_eq!(c.height(), 1);
                assert!(!c.code(apps.messenger).is_empty());
                assert!(!c.code(apps.oracle).is_empty());
                assert!(!c.code(CREATE2_DEPLOYER).is_empty());
                assert_eq!(c.nonce(net.accounts()[0].address()), 0);
            });
        }
        assert_eq!(net.pchain().height(), 3);
        assert_eq!(net.chain("B").unwrap().evm_chain_id, FIRST_EVM_CHAIN_ID + 1);
        assert_eq!(net.chain(&net.chains()[2].blockchain_id.to_string()).unwrap().name, "C");
    }
}
