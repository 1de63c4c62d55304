//! A chain's configuration: its IDs, its Avalanche upgrade times, its fees, and
//! Subnet-EVM's `warpConfig` with its precompile upgrades.
//!
//! # `warpConfig`
//!
//! Read as Subnet-EVM reads it (`precompile/contracts/warp/config.go`,
//! `params/extras/precompile_upgrade.go`): the genesis chain config may hold one
//! (`{"warpConfig": {"blockTimestamp": 0, "quorumNumerator": 67}}`), and the
//! upgrade JSON a list (`{"precompileUpgrades": [{"warpConfig": {…}}, …]}`).
//!
//! | rule | error |
//! |---|---|
//! | `quorumNumerator` 0 means 67; otherwise 33 ≤ n ≤ 100 (denominator 100) | [`WarpConfigError::NumeratorAboveDenominator`], [`WarpConfigError::NumeratorBelowMinimum`] |
//! | no activation (or deactivation) before Durango | [`WarpConfigError::BeforeDurango`] |
//! | every upgrade has a `blockTimestamp` | [`WarpConfigError::NilTimestamp`] |
//! | upgrades in non-decreasing timestamp order | [`WarpConfigError::TimestampDecreasing`] |
//! | enable and disable alternate, starting with an enable (or a disable after a genesis enable) | [`WarpConfigError::DisableValue`] |
//! | each strictly after the previous one (the genesis config included) | [`WarpConfigError::SameKeyNotLater`] |
//! | one key per upgrade, a known one | [`WarpConfigError::Empty`], [`WarpConfigError::ManyKeys`], [`WarpConfigError::UnknownKey`] |
//!
//! Enabling puts nonce 1 and code `0x01` at `0x0200…0005`; disabling deletes the
//! account (Subnet-EVM's `SelfDestruct`), and while disabled warp tuples are
//! ordinary access-list tuples (2,400 + 1,900 per key) with no results entry.
//!
//! **The per-source quorum is an extension** (the seeds' "70% from one chain,
//! 90% from another"): `"quorumNumeratorsByChain": {"<blockchain ID>": 90}` and
//! `"quorumNumeratorsBySubnet": {"<subnet ID>": 70}` inside a `warpConfig`, each
//! numerator 33..=100. Go ignores unknown fields, so such a config still loads in
//! Subnet-EVM, with the single quorum; a config without them behaves exactly as
//! Subnet-EVM's.

use std::collections::BTreeMap;

use alloy_primitives::{Address, Bytes, B256, U256};
use awm_core::{ChainId, Id, Quorum, QuorumPolicy, SubnetId, WarpConfig};
use revm::primitives::hardfork::SpecId;
use serde_json::Value;
use thiserror::Error;
use warp_precompile::revm::WarpChain;
use warp_precompile::ChainConstants;
use warp_predicate::{ExtraLayout, GasSchedule, GasUpgrades, PredicateRule};

/// `WarpDefaultQuorumNumerator`: what a numerator of 0 means.
pub const DEFAULT_QUORUM_NUMERATOR: u64 = 67;
/// `WarpQuorumNumeratorMinimum`.
pub const MIN_QUORUM_NUMERATOR: u64 = 33;
/// `WarpQuorumDenominator`.
pub const QUORUM_DENOMINATOR: u64 = 100;

/// Subnet-EVM's fee recipient when fee recipients are not allowed: the
/// blackhole address, credited with every fee (`constants.BlackholeAddr`).
pub const BLACKHOLE_ADDRESS: Address = alloy_primitives::address!("0100000000000000000000000000000000000000");

/// Subnet-EVM's default minimum base fee, 25 gwei.
pub const DEFAULT_BASE_FEE: u64 = 25_000_000_000;

/// The default block gas limit: 15 million (Subnet-EVM's default fee config has 8 million; the C-Chain ran 15).
pub const DEFAULT_GAS_LIMIT: u64 = 15_000_000;

/// Why a `warpConfig` or its upgrades are refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WarpConfigError {
    /// Not JSON, or a field of the wrong kind.
    #[error("{field}: {reason}")]
    Json {
        /// Where (`precompileUpgrades[1].warpConfig.quorumNumerator`, …).
        field: String,
        /// Why.
        reason: String,
    },
    /// `quorumNumerator` above the denominator.
    #[error(
        "invalid warp quorum ratio: cannot specify numerator ({numerator}) > denominator (100) at {field}"
    )]
    NumeratorAboveDenominator {
        /// Where.
        field: String,
        /// The numerator.
        numerator: u64,
    },
    /// `quorumNumerator` below 33 (and not 0).
    #[error(
        "invalid warp quorum ratio: cannot specify numerator ({numerator}) < min numerator (33) at {field}"
    )]
    NumeratorBelowMinimum {
        /// Where.
        field: String,
        /// The numerator.
        numerator: u64,
    },
    /// A warp config activating (or deactivating) before Durango.
    #[error("warp cannot be activated before Durango: {field} has blockTimestamp {timestamp}, Durango is at {durango}")]
    BeforeDurango {
        /// Where.
        field: String,
        /// Its timestamp.
        timestamp: u64,
        /// Durango's.
        durango: u64,
    },
    /// An upgrade without `blockTimestamp`.
    #[error("precompile upgrade block timestamp cannot be nil: PrecompileUpgrade (warpConfig) at [{index}]")]
    NilTimestamp {
        /// Its position in `precompileUpgrades`.
        index: usize,
    },
    /// An upgrade earlier than the one before it.
    #[error("precompile upgrade config block timestamp must be greater than or equal to previous timestamp: PrecompileUpgrade (warpConfig) at [{index}] has timestamp {timestamp}, previous timestamp {previous}")]
    TimestampDecreasing {
        /// Its position.
        index: usize,
        /// Its timestamp.
        timestamp: u64,
        /// The previous upgrade's.
        previous: u64,
    },
    /// An enable after an enable, or a disable after a disable (or first).
    #[error("precompile upgrade disable value is invalid: PrecompileUpgrade (warpConfig) at [{index}], disable should be {expected}")]
    DisableValue {
        /// Its position.
        index: usize,
        /// The value `disable` must have there.
        expected: bool,
    },
    /// An upgrade not strictly after the previous one of warp.
    #[error("precompile upgrade config block timestamp for same key must be strictly greater than previous timestamp: PrecompileUpgrade (warpConfig) at [{index}] has timestamp {timestamp}, previous timestamp of same key {previous}")]
    SameKeyNotLater {
        /// Its position.
        index: usize,
        /// Its timestamp.
        timestamp: u64,
        /// The previous warp config's.
        previous: u64,
    },
    /// An upgrade object with no key.
    #[error("PrecompileUpgrade cannot be empty (at [{index}])")]
    Empty {
        /// Its position.
        index: usize,
    },
    /// An upgrade object with several keys.
    #[error("PrecompileUpgrade must have exactly one key, got {count} (at [{index}])")]
    ManyKeys {
        /// Its position.
        index: usize,
        /// How many.
        count: usize,
    },
    /// A precompile this chain does not know.
    #[error("unknown precompile config: {key} (at [{index}])")]
    UnknownKey {
        /// Its position.
        index: usize,
        /// The key.
        key: String,
    },
    /// A precompile Subnet-EVM has but this chain does not run.
    #[error("precompile config {key} (at [{index}]) is a Subnet-EVM precompile this chain does not run")]
    Unsupported {
        /// Its position.
        index: usize,
        /// The key.
        key: String,
    },
}

/// Subnet-EVM's other registered precompile keys (recognised, not run here).
const OTHER_PRECOMPILES: [&str; 6] = [
    "contractDeployerAllowListConfig",
    "contractNativeMinterConfig",
    "txAllowListConfig",
    "feeManagerConfig",
    "rewardManagerConfig",
    "gasPriceManagerConfig",
];

/// The warp settings while warp is enabled.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarpParams {
    /// The quorum asked of each source (the configured numerator over 100, and
    /// the per-source extension).
    pub quorum: QuorumPolicy,
    /// Whether primary-network messages must be signed by the primary network.
    pub require_primary_network_signers: bool,
}

impl WarpParams {
    /// Subnet-EVM's defaults: 67%, the receiver's own validators sign for the
    /// primary network.
    pub fn new() -> Self {
        Self { quorum: QuorumPolicy::default(), require_primary_network_signers: false }
    }
}

impl Default for WarpParams {
    fn default() -> Self {
        Self::new()
    }
}

/// One `warpConfig`: enable with its parameters, or disable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WarpState {
    /// Warp is active with these settings.
    Enabled(WarpParams),
    /// Warp is disabled.
    Disabled,
}

/// When warp is active, and how: the genesis config and the upgrades, in order.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct WarpUpgrades {
    activations: Vec<(u64, WarpState)>,
}

impl WarpUpgrades {
    /// Warp never active.
    pub fn none() -> Self {
        Self::default()
    }

    /// Warp enabled with `params` from `timestamp` on.
    pub fn enabled_from(timestamp: u64, params: WarpParams) -> Self {
        Self { activations: vec![(timestamp, WarpState::Enabled(params))] }
    }

    /// Adds a change at `timestamp`, after the existing ones (not validated:
    /// [`WarpUpgrades::from_json`] validates what it reads).
    pub fn then(mut self, timestamp: u64, state: WarpState) -> Self {
        self.activations.push((timestamp, state));
        self
    }

    /// The changes, in order.
    pub fn activations(&self) -> &[(u64, WarpState)] {
        &self.activations
    }

    /// The settings in force at `timestamp`: `None` before the first enable and
    /// while disabled.
    pub fn at(&self, timestamp: u64) -> Option<&WarpParams> {
        match self.activations.iter().rev().find(|(t, _)| *t <= timestamp).map(|(_, s)| s) {
            Some(WarpState::Enabled(params)) => Some(params),
            _ => None,
        }
    }

    /// The changes a block at `timestamp` applies, in order: those after the
    /// parent's timestamp (all up to `timestamp` for the genesis, `parent: None`).
    pub fn transitions(&self, parent: Option<u64>, timestamp: u64) -> impl Iterator<Item = &WarpState> {
        self.activations
            .iter()
            .filter(move |(t, _)| parent.is_none_or(|p| *t > p) && *t <= timestamp)
            .map(|(_, s)| s)
    }

    /// Reads the genesis chain config's `warpConfig` (the `config` object, or
    /// `None` when it has none) and the upgrade JSON's `precompileUpgrades` (or
    /// `None`), with Subnet-EVM's validation against Durango's timestamp.
    pub fn from_json(
        genesis_config: Option<&Value>,
        upgrades: Option<&Value>,
        durango: u64,
    ) -> Result<Self, WarpConfigError> {
        let mut activations: Vec<(u64, WarpState)> = Vec::new();
        if let Some(warp) = genesis_config.and_then(|c| c.get("warpConfig")) {
            let (timestamp, state) = read_warp_config(warp, "config.warpConfig", durango)?;
            // A genesis config without a timestamp is never active.
            if let Some(timestamp) = timestamp {
                activations.push((timestamp, state));
            }
        }
        let list = match upgrades.map(|u| u.get("precompileUpgrades").unwrap_or(&Value::Null)) {
            None | Some(Value::Null) => Vec::new(),
            Some(Value::Array(list)) => list.clone(),
            Some(other) => {
                return Err(WarpConfigError::Json {
                    field: "precompileUpgrades".into(),
                    reason: format!("expected an array, found {}", kind(other)),
                })
            }
        };
        let mut previous_any: Option<u64> = None;
        for (index, upgrade) in list.iter().enumerate() {
            let field = format!("precompileUpgrades[{index}]");
            let object = upgrade.as_object().ok_or_else(|| WarpConfigError::Json {
                field: field.clone(),
                reason: format!("expected an object, found {}", kind(upgrade)),
            })?;
            let (key, config) = match object.len() {
                0 => return Err(WarpConfigError::Empty { index }),
                1 => object.iter().next().ok_or(WarpConfigError::Empty { index })?,
                count => return Err(WarpConfigError::ManyKeys { index, count }),
            };
            if key != "warpConfig" {
                return Err(if OTHER_PRECOMPILES.contains(&key.as_str()) {
                    WarpConfigError::Unsupported { index, key: key.clone() }
                } else {
                    WarpConfigError::UnknownKey { index, key: key.clone() }
                });
            }
            let (timestamp, state) = read_warp_config(config, &format!("{field}.warpConfig"), durango)?;
            let timestamp = timestamp.ok_or(WarpConfigError::NilTimestamp { index })?;
            if let Some(previous) = previous_any.filter(|p| timestamp < *p) {
                return Err(WarpConfigError::TimestampDecreasing { index, timestamp, previous });
            }
            previous_any = Some(timestamp);
            // Enable and disable alternate; nothing before counts as disabled.
            let last_enabled = matches!(activations.last(), Some((_, WarpState::Enabled(_))));
            let disable = state == WarpState::Disabled;
            if disable != last_enabled {
                return Err(WarpConfigError::DisableValue { index, expected: last_enabled });
            }
            if let Some((previous, _)) = activations.last().filter(|(p, _)| timestamp <= *p) {
                return Err(WarpConfigError::SameKeyNotLater { index, timestamp, previous: *previous });
            }
            activations.push((timestamp, state));
        }
        Ok(Self { activations })
    }
}

fn kind(v: &Value) -> &'static str {
    awm_core::get_validators_at::value_kind(v)
}

/// Reads one `warpConfig` object: its timestamp (`None` when absent or null)
/// and what it sets, verified (`Config.Verify`: Durango, then the quorum).
fn read_warp_config(
    value: &Value,
    field: &str,
    durango: u64,
) -> Result<(Option<u64>, WarpState), WarpConfigError> {
    let object = value.as_object().ok_or_else(|| WarpConfigError::Json {
        field: field.to_owned(),
        reason: format!("expected an object, found {}", kind(value)),
    })?;
    let json =
        |name: &str, reason: String| WarpConfigError::Json { field: format!("{field}.{name}"), reason };
    let uint = |name: &str| -> Result<Option<u64>, WarpConfigError> {
        match object.get(name) {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_u64()
                .map(Some)
                .ok_or_else(|| json(name, format!("expected an unsigned 64-bit integer, found {n}"))),
            Some(other) => {
                Err(json(name, format!("expected an unsigned 64-bit integer, found {}", kind(other))))
            }
        }
    };
    let boolean = |name: &str| -> Result<bool, WarpConfigError> {
        match object.get(name) {
            None | Some(Value::Null) => Ok(false),
            Some(Value::Bool(b)) => Ok(*b),
            Some(other) => Err(json(name, format!("expected a bool, found {}", kind(other)))),
        }
    };
    let timestamp = uint("blockTimestamp")?;
    let numerator = uint("quorumNumerator")?.unwrap_or(0);
    let require_primary_network_signers = boolean("requirePrimaryNetworkSigners")?;
    let disable = boolean("disable")?;
    if let Some(timestamp) = timestamp.filter(|t| *t < durango) {
        return Err(WarpConfigError::BeforeDurango { field: field.to_owned(), timestamp, durango });
    }
    let default = quorum_from_numerator(numerator, &format!("{field}.quorumNumerator"))?;
    let mut quorum = QuorumPolicy::new(default);
    for (map, by_subnet) in [("quorumNumeratorsByChain", false), ("quorumNumeratorsBySubnet", true)] {
        let entries = match object.get(map) {
            None | Some(Value::Null) => continue,
            Some(Value::Object(entries)) => entries,
            Some(other) => {
                return Err(json(
                    map,
                    format!("expected an object of IDs to numerators, found {}", kind(other)),
                ))
            }
        };
        for (id_text, n) in entries {
            let at = format!("{field}.{map}.{id_text}");
            let id = Id::parse(id_text).map_err(|e| WarpConfigError::Json {
                field: at.clone(),
                reason: format!("not a blockchain or subnet ID: {e}"),
            })?;
            let n = n.as_u64().ok_or_else(|| WarpConfigError::Json {
                field: at.clone(),
                reason: format!("expected a quorum numerator, found {}", kind(n)),
            })?;
            if n == 0 {
                return Err(WarpConfigError::NumeratorBelowMinimum { field: at, numerator: 0 });
            }
            let q = quorum_from_numerator(n, &at)?;
            quorum = if by_subnet { quorum.with_subnet(id, q) } else { quorum.with_chain(id, q) };
        }
    }
    let state = if disable {
        WarpState::Disabled
    } else {
        WarpState::Enabled(WarpParams { quorum, require_primary_network_signers })
    };
    Ok((timestamp, state))
}

/// The quorum of a numerator over 100, with Subnet-EVM's bounds (0 means 67).
pub fn quorum_from_numerator(numerator: u64, field: &str) -> Result<Quorum, WarpConfigError> {
    let numerator = match numerator {
        0 => DEFAULT_QUORUM_NUMERATOR,
        n if n > QUORUM_DENOMINATOR => {
            return Err(WarpConfigError::NumeratorAboveDenominator { field: field.to_owned(), numerator: n })
        }
        n if n < MIN_QUORUM_NUMERATOR => {
            return Err(WarpConfigError::NumeratorBelowMinimum { field: field.to_owned(), numerator: n })
        }
        n => n,
    };
    Quorum::new(numerator, QUORUM_DENOMINATOR)
        .map_err(|e| WarpConfigError::Json { field: field.to_owned(), reason: e.to_string() })
}

/// How the chain prices gas.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BaseFeePolicy {
    /// The same base fee in every block (Subnet-EVM's dynamic fee algorithm is
    /// not reproduced).
    Constant(u64),
}

impl BaseFeePolicy {
    /// The base fee of a block at `timestamp`.
    pub fn base_fee(&self, _timestamp: u64) -> u64 {
        match self {
            Self::Constant(fee) => *fee,
        }
    }
}

/// A chain's fixed settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ChainConfig {
    /// The network ID (12345 for avalanchego's local network).
    pub network_id: u32,
    /// This chain's blockchain ID.
    pub blockchain_id: ChainId,
    /// The subnet that validates it.
    pub subnet_id: SubnetId,
    /// The EVM chain ID (EIP-155).
    pub evm_chain_id: u64,
    /// Durango's timestamp (warp may not activate before it).
    pub durango: u64,
    /// Granite's timestamp: delegate calls into warp revert, P-256 verification
    /// at `0x…0100`.
    pub granite: u64,
    /// The warp gas schedules by timestamp.
    pub gas_upgrades: GasUpgrades,
    /// When warp is enabled, with which quorum, and when disabled.
    pub warp: WarpUpgrades,
    /// What happens to transactions whose predicates fail.
    pub rule: PredicateRule,
    /// Where the results sit in `extra`.
    pub extra_layout: ExtraLayout,
    /// The EVM spec (Cancun: Subnet-EVM from Etna).
    pub spec: SpecId,
    /// The block gas limit.
    pub gas_limit: u64,
    /// The base fee.
    pub base_fee: BaseFeePolicy,
    /// Who is credited with fees (the blackhole address by default).
    pub fee_recipient: Address,
    /// Whether legacy transactions without an EIP-155 chain ID are admitted.
    pub allow_unprotected_txs: bool,
}

impl ChainConfig {
    /// A chain with today's rules from genesis: Durango and Granite at 0, warp
    /// enabled at 0 with the default 67% quorum and Granite's gas, results in
    /// blocks, Subnet-EVM's `extra` layout, Cancun, a 15M gas limit and a
    /// constant 25 gwei base fee, fees to the blackhole.
    pub fn new(network_id: u32, blockchain_id: ChainId, subnet_id: SubnetId, evm_chain_id: u64) -> Self {
        Self {
            network_id,
            blockchain_id,
            subnet_id,
            evm_chain_id,
            durango: 0,
            granite: 0,
            gas_upgrades: GasUpgrades::new([(0, GasSchedule::granite())]),
            warp: WarpUpgrades::enabled_from(0, WarpParams::new()),
            rule: PredicateRule::ResultsInBlock,
            extra_layout: ExtraLayout::SubnetEvm,
            spec: SpecId::CANCUN,
            gas_limit: DEFAULT_GAS_LIMIT,
            base_fee: BaseFeePolicy::Constant(DEFAULT_BASE_FEE),
            fee_recipient: BLACKHOLE_ADDRESS,
            allow_unprotected_txs: false,
        }
    }

    /// The warp settings at `timestamp`, if warp is enabled then.
    pub fn warp_at(&self, timestamp: u64) -> Option<&WarpParams> {
        self.warp.at(timestamp)
    }

    /// The receiver settings its predicate verifier uses while warp is enabled.
    pub fn warp_config(&self, params: &WarpParams) -> WarpConfig {
        WarpConfig {
            network_id: self.network_id,
            subnet_id: self.subnet_id,
            require_primary_network_signers: params.require_primary_network_signers,
            quorum: params.quorum.clone(),
        }
    }

    /// The precompile's settings at `timestamp`, or `None` while warp is not enabled.
    pub fn warp_chain(&self, timestamp: u64) -> Option<WarpChain> {
        self.warp.at(timestamp)?;
        let constants = ChainConstants { network_id: self.network_id, blockchain_id: self.blockchain_id };
        WarpChain::at(constants, &self.gas_upgrades, self.granite, timestamp)
    }

    /// The gas schedule at `timestamp` while warp is enabled.
    pub fn schedule_at(&self, timestamp: u64) -> Option<GasSchedule> {
        self.warp_chain(timestamp).map(|c| c.schedule)
    }
}

/// The state before the first block.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Genesis {
    /// The genesis timestamp.
    pub timestamp: u64,
    /// Accounts at genesis.
    pub alloc: Vec<(Address, GenesisAccount)>,
}

/// An account at genesis.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct GenesisAccount {
    /// Its balance, in wei.
    pub balance: U256,
    /// Its nonce.
    pub nonce: u64,
    /// Its code.
    pub code: Bytes,
    /// Its storage.
    pub storage: BTreeMap<B256, U256>,
}

impl GenesisAccount {
    /// An account holding `balance`.
    pub fn funded(balance: U256) -> Self {
        Self { balance, ..Self::default() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn quorum_numerators_follow_subnet_evm() {
        assert_eq!(quorum_from_numerator(0, "q").unwrap(), Quorum::DEFAULT);
        assert_eq!(quorum_from_numerator(33, "q").unwrap(), Quorum::new(33, 100).unwrap());
        assert_eq!(quorum_from_numerator(100, "q").unwrap(), Quorum::new(100, 100).unwrap());
        let low = quorum_from_numerator(32, "warpConfig.quorumNumerator").unwrap_err();
        assert_eq!(low.to_string(), "invalid warp quorum ratio: cannot specify numerator (32) < min numerator (33) at warpConfig.quorumNumerator");
        let high = quorum_from_numerator(101, "q").unwrap_err();
        assert!(matches!(high, WarpConfigError::NumeratorAboveDenominator { numerator: 101, .. }));
    }

    #[test]
    fn upgrades_are_read_and_sequenced_as_subnet_evm_does() {
        let genesis = json!({"warpConfig": {"blockTimestamp": 10, "quorumNumerator": 0}});
        let upgrades = json!({"precompileUpgrades": [
            {"warpConfig": {"blockTimestamp": 20, "disable": true}},
            {"warpConfig": {"blockTimestamp": 30, "quorumNumerator": 80, "requirePrimaryNetworkSigners": true}},
        ]});
        let warp = WarpUpgrades::from_json(Some(&genesis), Some(&upgrades), 5).unwrap();
        assert_eq!(warp.at(9), None);
        assert_eq!(warp.at(10).unwrap().quorum.default_quorum(), Quorum::DEFAULT);
        assert_eq!(warp.at(20), None);
        let later = warp.at(35).unwrap();
        assert_eq!(later.quorum.default_quorum(), Quorum::new(80, 100).unwrap());
        assert!(later.require_primary_network_signers);
        assert_eq!(warp.transitions(Some(15), 30).count(), 2);
        assert_eq!(warp.transitions(None, 10).count(), 1);

        let cases: Vec<(Value, Value, WarpConfigError)> = vec![
            (
                json!({}),
                json!({"precompileUpgrades": [{"warpConfig": {"blockTimestamp": 1}}]}),
                WarpConfigError::BeforeDurango {
                    field: "precompileUpgrades[0].warpConfig".into(),
                    timestamp: 1,
                    durango: 5,
                },
            ),
            (
                json!({}),
                json!({"precompileUpgrades": [{"warpConfig": {"quorumNumerator": 67}}]}),
                WarpConfigError::NilTimestamp { index: 0 },
            ),
            (
                json!({}),
                json!({"precompileUpgrades": [{"warpConfig": {"blockTimestamp": 9, "disable": true}}]}),
                WarpConfigError::DisableValue { index: 0, expected: false },
            ),
            (
                genesis.clone(),
                json!({"precompileUpgrades": [{"warpConfig": {"blockTimestamp": 12}}]}),
                WarpConfigError::DisableValue { index: 0, expected: true },
            ),
            (
                genesis.clone(),
                json!({"precompileUpgrades": [{"warpConfig": {"blockTimestamp": 10, "disable": true}}]}),
                WarpConfigError::SameKeyNotLater { index: 0, timestamp: 10, previous: 10 },
            ),
            (
                json!({}),
                json!({"precompileUpgrades": [{"warpConfig": {"blockTimestamp": 9}}, {"warpConfig": {"blockTimestamp": 8, "disable": true}}]}),
                WarpConfigError::TimestampDecreasing { index: 1, timestamp: 8, previous: 9 },
            ),
            (json!({}), json!({"precompileUpgrades": [{}]}), WarpConfigError::Empty { index: 0 }),
            (
                json!({}),
                json!({"precompileUpgrades": [{"warpConfig": {}, "txAllowListConfig": {}}]}),
                WarpConfigError::ManyKeys { index: 0, count: 2 },
            ),
            (
                json!({}),
                json!({"precompileUpgrades": [{"fooConfig": {}}]}),
                WarpConfigError::UnknownKey { index: 0, key: "fooConfig".into() },
            ),
            (
                json!({}),
                json!({"precompileUpgrades": [{"feeManagerConfig": {}}]}),
                WarpConfigError::Unsupported { index: 0, key: "feeManagerConfig".into() },
            ),
            (
                json!({"warpConfig": {"blockTimestamp": 10, "quorumNumerator": 20}}),
                json!({}),
                WarpConfigError::NumeratorBelowMinimum {
                    field: "config.warpConfig.quorumNumerator".into(),
                    numerator: 20,
                },
            ),
            (
                json!({"warpConfig": {"blockTimestamp": 10, "quorumNumerator": "67"}}),
                json!({}),
                WarpConfigError::Json {
                    field: "config.warpConfig.quorumNumerator".into(),
                    reason: "expected an unsigned 64-bit integer, found a string".into(),
                },
            ),
        ];
        for (genesis, upgrades, expected) in cases {
            assert_eq!(
                WarpUpgrades::from_json(Some(&genesis), Some(&upgrades), 5),
                Err(expected.clone()),
                "{upgrades}"
            );
            assert!(!expected.to_string().is_empty());
        }
    }

    #[test]
    fn the_per_source_extension() {
        let chain = Id([0xc1; 32]);
        let subnet = Id([0x5b; 32]);
        let genesis = json!({"warpConfig": {"blockTimestamp": 0, "quorumNumerator": 70,
            "quorumNumeratorsByChain": {chain.to_string(): 90},
            "quorumNumeratorsBySubnet": {subnet.to_hex(): 75}}});
        let warp = WarpUpgrades::from_json(Some(&genesis), None, 0).unwrap();
        let quorum = &warp.at(0).unwrap().quorum;
        assert_eq!(quorum.quorum_for(&chain, &Id([0; 32])), Quorum::new(90, 100).unwrap());
        assert_eq!(quorum.quorum_for(&Id([9; 32]), &subnet), Quorum::new(75, 100).unwrap());
        assert_eq!(quorum.quorum_for(&Id([9; 32]), &Id([8; 32])), Quorum::new(70, 100).unwrap());
        let bad =
            json!({"warpConfig": {"blockTimestamp": 0, "quorumNumeratorsByChain": {chain.to_string(): 10}}});
        assert!(matches!(
            WarpUpgrades::from_json(Some(&bad), None, 0),
            Err(WarpConfigError::NumeratorBelowMinimum { numerator: 10, .. })
        ));
    }
}
