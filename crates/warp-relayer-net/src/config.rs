//! The relayer's configuration file, shaped as icm-relayer's: the same key
//! names where the meaning is the same (`source-blockchains`,
//! `destination-blockchains`, `message-contracts`, `p-chain-api`, …).
//!
//! The file is read in two steps: serde takes the JSON into the raw shapes
//! below (a missing key or a wrong type names the key, line and column), then
//! [`RelayerConfig::from_json`] checks every value and turns it into typed
//! settings, naming the key path and the value in each error
//! (`source-blockchains[0].blockchain-id: "xyz": …`).
//!
//! Keys icm-relayer has and this relayer does not use (`info-api`,
//! `api-port`, `signature-cache-size`, `process-missed-blocks`,
//! `allowed-origin-sender-addresses`, `supported-destinations`, `vm`,
//! `query-parameters`, `http-headers`) are accepted and ignored, so an
//! icm-relayer file loads; `redis-url` is refused (progress lives in redb
//! under `storage-location`). Any other key is refused as a typo.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use alloy_primitives::{hex, Address, Bytes};
use awm_core::{Id, Quorum};
use serde::Deserialize;
use serde_json::Value;
use thiserror::Error;
use warp_predicate::GasSchedule;

/// Why a configuration was refused.
#[derive(Debug, Error)]
pub enum ConfigError {
    /// The file could not be read.
    #[error("reading {path}: {reason}")]
    Read {
        /// The file.
        path: String,
        /// Why.
        reason: String,
    },
    /// The JSON does not have the expected shape.
    #[error("config: {0}")]
    Shape(#[from] serde_json::Error),
    /// A value is invalid.
    #[error("{key}: {value}: {reason}")]
    Value {
        /// The key's path, e.g. `source-blockchains[0].blockchain-id`.
        key: String,
        /// The value as written.
        value: String,
        /// Why it is refused.
        reason: String,
    },
}

fn bad(key: impl Into<String>, value: impl std::fmt::Display, reason: impl std::fmt::Display) -> ConfigError {
    ConfigError::Value { key: key.into(), value: value.to_string(), reason: reason.to_string() }
}

/// `{"base-url": …}` (icm-relayer's API endpoint object).
#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case")]
struct RawEndpoint {
    base_url: String,
    #[serde(default)]
    #[allow(dead_code)]
    query_parameters: Option<Value>,
    #[serde(default)]
    #[allow(dead_code)]
    http_headers: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawConfig {
    #[serde(default)]
    log_level: Option<String>,
    storage_location: String,
    #[serde(default)]
    metrics_port: Option<u16>,
    p_chain_api: RawEndpoint,
    #[serde(default)]
    signature_aggregator_url: Option<String>,
    #[serde(default)]
    max_concurrent_messages: Option<usize>,
    #[serde(default)]
    poll_interval_milliseconds: Option<u64>,
    source_blockchains: Vec<RawSource>,
    destination_blockchains: Vec<RawDestination>,
    #[serde(default)]
    redis_url: Option<String>,
    // Accepted for icm-relayer files, not used.
    #[serde(default)]
    #[allow(dead_code)]
    info_api: Option<Value>,
    #[serde(default)]
    #[allow(dead_code)]
    api_port: Option<Value>,
    #[serde(default)]
    #[allow(dead_code)]
    signature_cache_size: Option<Value>,
    #[serde(default)]
    #[allow(dead_code)]
    process_missed_blocks: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawSource {
    subnet_id: String,
    blockchain_id: String,
    #[serde(default)]
    #[allow(dead_code)]
    vm: Option<String>,
    rpc_endpoint: RawEndpoint,
    #[serde(default)]
    ws_endpoint: Option<RawEndpoint>,
    #[serde(default)]
    process_historical_blocks_from_height: Option<u64>,
    #[serde(default)]
    message_contracts: BTreeMap<String, RawMessageContract>,
    #[serde(default)]
    #[allow(dead_code)]
    supported_destinations: Option<Value>,
    #[serde(default)]
    #[allow(dead_code)]
    allowed_origin_sender_addresses: Option<Value>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawMessageContract {
    message_format: String,
    #[serde(default)]
    settings: Value,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "kebab-case", deny_unknown_fields)]
struct RawDestination {
    subnet_id: String,
    blockchain_id: String,
    #[serde(default)]
    #[allow(dead_code)]
    vm: Option<String>,
    rpc_endpoint: RawEndpoint,
    account_private_key: String,
    #[serde(default)]
    block_gas_limit: Option<u64>,
    #[serde(default)]
    max_base_fee: Option<u128>,
    #[serde(default)]
    suggested_priority_fee_buffer: Option<u128>,
    #[serde(default)]
    max_priority_fee_per_gas: Option<u128>,
    #[serde(default)]
    tx_inclusion_timeout_seconds: Option<u64>,
    #[serde(default)]
    quorum_percentage: Option<u64>,
    #[serde(default)]
    source_quorum_percentages: BTreeMap<String, u64>,
    #[serde(default)]
    estimate_includes_predicate_gas: Option<bool>,
    #[serde(default)]
    predicate_gas_schedule: Option<String>,
}

/// How much a relayer logs (`log-level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogLevel {
    /// `debug`.
    Debug,
    /// `info` (the default).
    Info,
    /// `warn`.
    Warn,
    /// `error`.
    Error,
}

/// Where signatures come from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SignatureSource {
    /// The source chain's `warp_getMessageAggregateSignature` (the default).
    WarpApi,
    /// icm-services' `POST /aggregate-signatures` at this base URL.
    Aggregator(String),
}

/// How a sending contract's messages are delivered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MessageFormat {
    /// Call an address with fixed calldata, the signed message as predicate 0.
    Route(RouteSettings),
    /// Ava Labs' `TeleporterMessage`, delivered to the messenger at the same address.
    Teleporter(TeleporterSettings),
}

/// `route` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RouteSettings {
    /// Where the message goes (`destination-blockchain-id`); `None` when the
    /// destination is read from the payload.
    pub destination_blockchain_id: Option<Id>,
    /// `destination-blockchain-id-payload-word` (this project's extension):
    /// the 32-byte word of the `AddressedCall` payload that names the
    /// destination blockchain, for a contract that sends to several chains.
    pub destination_word: Option<usize>,
    /// The contract called (`destination-address`).
    pub destination_address: Address,
    /// The calldata (`calldata`).
    pub calldata: Bytes,
    /// Selectors of the app's errors that mean "already delivered"
    /// (`already-delivered-errors`: signatures such as `AlreadyReceived(bytes32)`
    /// or `0x` selectors).
    pub already_delivered: Vec<[u8; 4]>,
}

/// `teleporter` settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeleporterSettings {
    /// Where the relayer's rewards go (`reward-address`; the relayer's own
    /// address when absent).
    pub reward_address: Option<Address>,
}

/// One source chain.
#[derive(Debug, Clone)]
pub struct SourceConfig {
    /// Its subnet.
    pub subnet_id: Id,
    /// Its blockchain ID.
    pub blockchain_id: Id,
    /// Its Ethereum JSON-RPC URL.
    pub rpc_url: String,
    /// Its WebSocket URL, if any (heads by `newHeads` instead of polling).
    pub ws_url: Option<String>,
    /// Where to start on first run (the chain's head when absent).
    pub start_height: Option<u64>,
    /// Sending contracts and how their messages are delivered.
    pub message_contracts: Vec<(Address, MessageFormat)>,
}

/// One destination chain.
#[derive(Debug, Clone)]
pub struct DestinationConfig {
    /// Its subnet.
    pub subnet_id: Id,
    /// Its blockchain ID.
    pub blockchain_id: Id,
    /// Its Ethereum JSON-RPC URL.
    pub rpc_url: String,
    /// The relayer's account there (secp256k1 secret key).
    pub private_key: [u8; 32],
    /// A cap on a delivery's gas limit.
    pub block_gas_limit: Option<u64>,
    /// A cap on the base fee the relayer pays (wei).
    pub max_base_fee: Option<u128>,
    /// Added to the node's suggested tip (wei).
    pub priority_fee_buffer: u128,
    /// A cap on the tip (wei).
    pub max_priority_fee: Option<u128>,
    /// How long a transaction may wait for inclusion before a fee bump.
    pub inclusion_timeout: Duration,
    /// The quorum asked of sources without their own.
    pub quorum: Quorum,
    /// Quorums per source blockchain.
    pub source_quorums: Vec<(Id, Quorum)>,
    /// Whether the node's `eth_estimateGas` includes predicate gas (the
    /// devnet's does; Subnet-EVM's leaves it out). When not (the default), the
    /// relayer adds it: too much gas limit costs nothing, too little fails.
    pub estimate_includes_predicate_gas: bool,
    /// The predicate gas schedule, for when the relayer adds it itself.
    pub predicate_gas_schedule: GasSchedule,
}

impl DestinationConfig {
    /// The quorum this destination asks of `source`.
    pub fn quorum_for(&self, source: &Id) -> Quorum {
        self.source_quorums.iter().find(|(id, _)| id == source).map_or(self.quorum, |(_, q)| *q)
    }
}

/// A whole, checked configuration.
#[derive(Debug, Clone)]
pub struct RelayerConfig {
    /// `log-level`.
    pub log_level: LogLevel,
    /// `storage-location`: the directory of the progress database. Empty:
    /// in memory (for embedders; a config file must name a directory).
    pub storage_location: PathBuf,
    /// `metrics-port` (Prometheus on 127.0.0.1); `None`: no metrics server.
    pub metrics_port: Option<u16>,
    /// `p-chain-api.base-url` (the P-Chain API is `<base-url>/ext/bc/P`).
    pub p_chain_api: String,
    /// Where signatures come from.
    pub signatures: SignatureSource,
    /// `max-concurrent-messages` (default 32).
    pub max_concurrent_messages: usize,
    /// How often heads are polled without a WebSocket (default 100 ms).
    pub poll_interval: Duration,
    /// The sources.
    pub sources: Vec<SourceConfig>,
    /// The destinations.
    pub destinations: Vec<DestinationConfig>,
}

fn url(key: &str, text: &str) -> Result<String, ConfigError> {
    if text.starts_with("https://") || text.starts_with("wss://") {
        let reason = "TLS is not supported: use http:// or ws:// (a TLS-terminating proxy for a remote node)";
        return Err(bad(key, format!("{text:?}"), reason));
    }
    let scheme_ok = ["http://", "ws://"].iter().any(|s| text.starts_with(s));
    if !scheme_ok || text.len() < 10 {
        return Err(bad(key, format!("{text:?}"), "not an http:// or ws:// URL"));
    }
    Ok(text.trim_end_matches('/').to_owned())
}

fn id(key: &str, text: &str) -> Result<Id, ConfigError> {
    Id::parse(text).map_err(|e| bad(key, format!("{text:?}"), e))
}

fn address(key: &str, text: &str) -> Result<Address, ConfigError> {
    let digits = text.strip_prefix("0x").unwrap_or(text);
    let bytes = hex::decode(digits).map_err(|e| bad(key, format!("{text:?}"), e))?;
    <[u8; 20]>::try_from(bytes.as_slice())
        .map(Address::from)
        .map_err(|_| bad(key, format!("{text:?}"), format!("{} bytes, not 20", bytes.len())))
}

fn quorum(key: &str, percentage: u64) -> Result<Quorum, ConfigError> {
    if percentage == 0 {
        return Err(bad(key, percentage, "a quorum of 0% admits anything"));
    }
    Quorum::new(percentage, 100).map_err(|e| bad(key, percentage, e))
}

/// An error selector from `Name(types)` or `0x12345678`.
fn selector(key: &str, text: &str) -> Result<[u8; 4], ConfigError> {
    if let Some(digits) = text.strip_prefix("0x") {
        let bytes = hex::decode(digits).map_err(|e| bad(key, format!("{text:?}"), e))?;
        return <[u8; 4]>::try_from(bytes.as_slice())
            .map_err(|_| bad(key, format!("{text:?}"), format!("{} bytes, not 4", bytes.len())));
    }
    if !text.contains('(') || !text.ends_with(')') || text.contains(' ') {
        return Err(bad(
            key,
            format!("{text:?}"),
            "neither a 0x selector nor a signature like Name(bytes32)",
        ));
    }
    let hash = alloy_primitives::keccak256(text.as_bytes());
    hash.first_chunk::<4>().copied().ok_or_else(|| bad(key, format!("{text:?}"), "no selector"))
}

fn settings_object<'a>(
    key: &str,
    settings: &'a Value,
) -> Result<&'a serde_json::Map<String, Value>, ConfigError> {
    static EMPTY: std::sync::OnceLock<serde_json::Map<String, Value>> = std::sync::OnceLock::new();
    match settings {
        Value::Object(map) => Ok(map),
        Value::Null => Ok(EMPTY.get_or_init(serde_json::Map::new)),
        other => Err(bad(key, other, "settings must be an object")),
    }
}

fn string_setting<'a>(
    key: &str,
    map: &'a serde_json::Map<String, Value>,
    name: &str,
) -> Result<Option<&'a str>, ConfigError> {
    match map.get(name) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s)),
        Some(other) => Err(bad(format!("{key}.{name}"), other, "must be a string")),
    }
}

fn refuse_unknown(
    key: &str,
    map: &serde_json::Map<String, Value>,
    known: &[&str],
) -> Result<(), ConfigError> {
    match map.keys().find(|k| !known.contains(&k.as_str())) {
        Some(unknown) => Err(bad(
            format!("{key}.{unknown}"),
            &map[unknown],
            format!("unknown setting (known: {})", known.join(", ")),
        )),
        None => Ok(()),
    }
}

fn message_format(key: &str, raw: &RawMessageContract) -> Result<MessageFormat, ConfigError> {
    let settings_key = format!("{key}.settings");
    let map = settings_object(&settings_key, &raw.settings)?;
    match raw.message_format.as_str() {
        "route" => {
            refuse_unknown(
                &settings_key,
                map,
                &[
                    "destination-blockchain-id",
                    "destination-blockchain-id-payload-word",
                    "destination-address",
                    "calldata",
                    "already-delivered-errors",
                ],
            )?;
            let chain_key = format!("{settings_key}.destination-blockchain-id");
            let destination_blockchain_id = string_setting(&settings_key, map, "destination-blockchain-id")?
                .map(|t| id(&chain_key, t))
                .transpose()?;
            let word_key = format!("{settings_key}.destination-blockchain-id-payload-word");
            let destination_word = match map.get("destination-blockchain-id-payload-word") {
                None => None,
                Some(v) => Some(
                    v.as_u64()
                        .and_then(|w| usize::try_from(w).ok())
                        .filter(|w| *w < 1024)
                        .ok_or_else(|| bad(&word_key, v, "must be a word index below 1024"))?,
                ),
            };
            if destination_blockchain_id.is_none() && destination_word.is_none() {
                return Err(bad(
                    &chain_key,
                    "(missing)",
                    "a route needs destination-blockchain-id or destination-blockchain-id-payload-word",
                ));
            }
            let address_key = format!("{settings_key}.destination-address");
            let destination_address = address(
                &address_key,
                string_setting(&settings_key, map, "destination-address")?
                    .ok_or_else(|| bad(&address_key, "(missing)", "a route needs the contract it calls"))?,
            )?;
            let calldata_key = format!("{settings_key}.calldata");
            let calldata_text = string_setting(&settings_key, map, "calldata")?.unwrap_or("0x");
            let calldata = hex::decode(calldata_text.strip_prefix("0x").unwrap_or(calldata_text))
                .map(Bytes::from)
                .map_err(|e| bad(&calldata_key, format!("{calldata_text:?}"), e))?;
            let errors_key = format!("{settings_key}.already-delivered-errors");
            let already_delivered = match map.get("already-delivered-errors") {
                None => Vec::new(),
                Some(Value::Array(items)) => items
                    .iter()
                    .enumerate()
                    .map(|(i, v)| {
                        let k = format!("{errors_key}[{i}]");
                        v.as_str().ok_or_else(|| bad(&k, v, "must be a string")).and_then(|s| selector(&k, s))
                    })
                    .collect::<Result<_, _>>()?,
                Some(other) => return Err(bad(&errors_key, other, "must be an array of strings")),
            };
            Ok(MessageFormat::Route(RouteSettings {
                destination_blockchain_id,
                destination_word,
                destination_address,
                calldata,
                already_delivered,
            }))
        }
        "teleporter" => {
            refuse_unknown(&settings_key, map, &["reward-address"])?;
            let reward_key = format!("{settings_key}.reward-address");
            let reward_address = string_setting(&settings_key, map, "reward-address")?
                .map(|t| address(&reward_key, t))
                .transpose()?;
            Ok(MessageFormat::Teleporter(TeleporterSettings { reward_address }))
        }
        other => Err(bad(
            format!("{key}.message-format"),
            format!("{other:?}"),
            "expected \"route\" or \"teleporter\"",
        )),
    }
}

fn private_key(key: &str, text: &str) -> Result<[u8; 32], ConfigError> {
    let digits = text.strip_prefix("0x").unwrap_or(text);
    // The value is a secret: never echo it.
    let bytes = hex::decode(digits).map_err(|e| bad(key, "(hidden)", e))?;
    let secret = <[u8; 32]>::try_from(bytes.as_slice())
        .map_err(|_| bad(key, "(hidden)", format!("{} bytes, not 32", bytes.len())))?;
    warp_node::Wallet::from_bytes(&secret).map_err(|e| bad(key, "(hidden)", e))?;
    Ok(secret)
}

impl RelayerConfig {
    /// Reads and checks the file at `path`.
    pub fn load(path: &std::path::Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError::Read { path: path.display().to_string(), reason: e.to_string() })?;
        Self::from_json(&text)
    }

    /// Parses and checks a configuration's JSON text.
    pub fn from_json(text: &str) -> Result<Self, ConfigError> {
        let raw: RawConfig = serde_json::from_str(text)?;
        if let Some(redis) = &raw.redis_url {
            return Err(bad(
                "redis-url",
                format!("{redis:?}"),
                "not supported: progress is kept in redb under storage-location",
            ));
        }
        let log_level = match raw.log_level.as_deref().unwrap_or("info") {
            "debug" | "verbo" | "trace" => LogLevel::Debug,
            "info" => LogLevel::Info,
            "warn" => LogLevel::Warn,
            "error" | "fatal" | "crit" => LogLevel::Error,
            other => {
                return Err(bad("log-level", format!("{other:?}"), "expected debug, info, warn or error"))
            }
        };
        if raw.storage_location.is_empty() {
            return Err(bad("storage-location", "\"\"", "a directory is needed for the progress database"));
        }
        let p_chain_api = url("p-chain-api.base-url", &raw.p_chain_api.base_url)?;
        let signatures = match raw.signature_aggregator_url.as_deref() {
            None | Some("") => SignatureSource::WarpApi,
            Some(text) => SignatureSource::Aggregator(url("signature-aggregator-url", text)?),
        };
        let max_concurrent_messages = match raw.max_concurrent_messages {
            None => 32,
            Some(n @ 1..=4096) => n,
            Some(n) => return Err(bad("max-concurrent-messages", n, "must be between 1 and 4096")),
        };
        let poll_interval = match raw.poll_interval_milliseconds {
            None => Duration::from_millis(100),
            Some(ms @ 1..=60_000) => Duration::from_millis(ms),
            Some(ms) => return Err(bad("poll-interval-milliseconds", ms, "must be between 1 and 60000")),
        };
        if raw.source_blockchains.is_empty() {
            return Err(bad("source-blockchains", "[]", "at least one source is needed"));
        }
        if raw.destination_blockchains.is_empty() {
            return Err(bad("destination-blockchains", "[]", "at least one destination is needed"));
        }
        let mut destinations = Vec::new();
        for (i, d) in raw.destination_blockchains.iter().enumerate() {
            let key = |k: &str| format!("destination-blockchains[{i}].{k}");
            let blockchain_id = id(&key("blockchain-id"), &d.blockchain_id)?;
            if destinations.iter().any(|x: &DestinationConfig| x.blockchain_id == blockchain_id) {
                return Err(bad(key("blockchain-id"), &d.blockchain_id, "listed twice"));
            }
            let inclusion = d.tx_inclusion_timeout_seconds.unwrap_or(30);
            if !(1..=3600).contains(&inclusion) {
                return Err(bad(
                    key("tx-inclusion-timeout-seconds"),
                    inclusion,
                    "must be between 1 and 3600",
                ));
            }
            let mut source_quorums = Vec::new();
            for (chain, pct) in &d.source_quorum_percentages {
                let k = format!("{}.{chain}", key("source-quorum-percentages"));
                source_quorums.push((id(&k, chain)?, quorum(&k, *pct)?));
            }
            let predicate_gas_schedule = match d.predicate_gas_schedule.as_deref().unwrap_or("granite") {
                "granite" => GasSchedule::granite(),
                "pre-granite" => GasSchedule::pre_granite(),
                other => {
                    return Err(bad(
                        key("predicate-gas-schedule"),
                        format!("{other:?}"),
                        "expected granite or pre-granite",
                    ))
                }
            };
            destinations.push(DestinationConfig {
                subnet_id: id(&key("subnet-id"), &d.subnet_id)?,
                blockchain_id,
                rpc_url: url(&key("rpc-endpoint.base-url"), &d.rpc_endpoint.base_url)?,
                private_key: private_key(&key("account-private-key"), &d.account_private_key)?,
                block_gas_limit: d.block_gas_limit,
                max_base_fee: d.max_base_fee,
                priority_fee_buffer: d.suggested_priority_fee_buffer.unwrap_or(0),
                max_priority_fee: d.max_priority_fee_per_gas,
                inclusion_timeout: Duration::from_secs(inclusion),
                quorum: quorum(&key("quorum-percentage"), d.quorum_percentage.unwrap_or(67))?,
                source_quorums,
                estimate_includes_predicate_gas: d.estimate_includes_predicate_gas.unwrap_or(false),
                predicate_gas_schedule,
            });
        }
        let mut sources = Vec::new();
        for (i, s) in raw.source_blockchains.iter().enumerate() {
            let key = |k: &str| format!("source-blockchains[{i}].{k}");
            let blockchain_id = id(&key("blockchain-id"), &s.blockchain_id)?;
            if sources.iter().any(|x: &SourceConfig| x.blockchain_id == blockchain_id) {
                return Err(bad(key("blockchain-id"), &s.blockchain_id, "listed twice"));
            }
            let mut message_contracts = Vec::new();
            for (addr, contract) in &s.message_contracts {
                let k = format!("{}.{addr}", key("message-contracts"));
                let sender = address(&k, addr)?;
                let format = message_format(&k, contract)?;
                if let MessageFormat::Route(RouteSettings { destination_blockchain_id: Some(dest), .. }) =
                    &format
                {
                    if !destinations.iter().any(|d| d.blockchain_id == *dest) {
                        return Err(bad(
                            format!("{k}.settings.destination-blockchain-id"),
                            dest,
                            "not among destination-blockchains",
                        ));
                    }
                }
                message_contracts.push((sender, format));
            }
            sources.push(SourceConfig {
                subnet_id: id(&key("subnet-id"), &s.subnet_id)?,
                blockchain_id,
                rpc_url: url(&key("rpc-endpoint.base-url"), &s.rpc_endpoint.base_url)?,
                ws_url: s
                    .ws_endpoint
                    .as_ref()
                    .map(|w| url(&key("ws-endpoint.base-url"), &w.base_url))
                    .transpose()?,
                start_height: s.process_historical_blocks_from_height,
                message_contracts,
            });
        }
        Ok(Self {
            log_level,
            storage_location: PathBuf::from(&raw.storage_location),
            metrics_port: raw.metrics_port,
            p_chain_api,
            signatures,
            max_concurrent_messages,
            poll_interval,
            sources,
            destinations,
        })
    }

    /// The destination with this blockchain ID.
    pub fn destination(&self, id: &Id) -> Option<&DestinationConfig> {
        self.destinations.iter().find(|d| d.blockchain_id == *id)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use serde_json::json;

    const A: &str = "2CJfQSa9XYJ8vs7piGErJ8x8xmGK3h8G6yQJbsnCoALqyFnLMd";
    const B: &str = "Tg1uFb4PeBczYTsJEcW9hqE7UJKnohHxHpQijueJRAiKQfgTq";
    const KEY: &str = "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6";

    fn base() -> Value {
        json!({
            "storage-location": "/tmp/x",
            "p-chain-api": { "base-url": "http://127.0.0.1:9650" },
            "source-blockchains": [{
                "subnet-id": A, "blockchain-id": A,
                "rpc-endpoint": { "base-url": "http://127.0.0.1:9650/ext/bc/A/rpc" },
                "message-contracts": {
                    "0x52C84043CD9c865236f11d9Fc9F56aa003c1f922": {
                        "message-format": "route",
                        "settings": {
                            "destination-blockchain-id": B,
                            "destination-address": "0x52C84043CD9c865236f11d9Fc9F56aa003c1f922",
                            "calldata": "0x12345678",
                            "already-delivered-errors": ["AlreadyReceived(bytes32)", "0xdeadbeef"]
                        }
                    }
                }
            }],
            "destination-blockchains": [{
                "subnet-id": B, "blockchain-id": B,
                "rpc-endpoint": { "base-url": "http://127.0.0.1:9650/ext/bc/B/rpc" },
                "account-private-key": KEY
            }]
        })
    }

    /// `value` with the key at `pointer` set (added if absent).
    fn with(mut value: Value, pointer: &str, new: Value) -> String {
        let (parent, key) = pointer.rsplit_once('/').unwrap();
        value.pointer_mut(parent).unwrap().as_object_mut().unwrap().insert(key.to_owned(), new);
        value.to_string()
    }

    #[test]
    fn a_minimal_config_takes_the_defaults() {
        let config = RelayerConfig::from_json(&base().to_string()).unwrap();
        assert_eq!(config.log_level, LogLevel::Info);
        assert_eq!(config.signatures, SignatureSource::WarpApi);
        assert_eq!(config.max_concurrent_messages, 32);
        assert_eq!(config.poll_interval, Duration::from_millis(100));
        let d = &config.destinations[0];
        assert_eq!(d.quorum, Quorum::new(67, 100).unwrap());
        assert_eq!(d.inclusion_timeout, Duration::from_secs(30));
        // Safe by default: the predicate's gas is added (over-provisioning costs nothing).
        assert!(!d.estimate_includes_predicate_gas);
        let MessageFormat::Route(route) = &config.sources[0].message_contracts[0].1 else { panic!() };
        // keccak("AlreadyReceived(bytes32)")[..4] and the literal selector.
        let expected = alloy_primitives::keccak256("AlreadyReceived(bytes32)");
        assert_eq!(
            route.already_delivered,
            vec![[expected[0], expected[1], expected[2], expected[3]], [0xde, 0xad, 0xbe, 0xef]]
        );
        assert_eq!(route.calldata.as_ref(), [0x12, 0x34, 0x56, 0x78]);
    }

    #[test]
    fn per_source_quorums_and_extensions() {
        let mut v = base();
        v["destination-blockchains"][0]["quorum-percentage"] = json!(80);
        v["destination-blockchains"][0]["source-quorum-percentages"] = json!({ A: 90 });
        v["signature-aggregator-url"] = json!("http://127.0.0.1:8080/");
        v["source-blockchains"][0]["message-contracts"]["0x52C84043CD9c865236f11d9Fc9F56aa003c1f922"]
            ["message-format"] = json!("teleporter");
        v["source-blockchains"][0]["message-contracts"]["0x52C84043CD9c865236f11d9Fc9F56aa003c1f922"]
            ["settings"] = json!({ "reward-address": "0x0000000000000000000000000000000000000001" });
        let config = RelayerConfig::from_json(&v.to_string()).unwrap();
        let d = &config.destinations[0];
        assert_eq!(d.quorum_for(&Id::parse(A).unwrap()), Quorum::new(90, 100).unwrap());
        assert_eq!(d.quorum_for(&Id::parse(B).unwrap()), Quorum::new(80, 100).unwrap());
        assert_eq!(config.signatures, SignatureSource::Aggregator("http://127.0.0.1:8080".into()));
        assert!(
            matches!(&config.sources[0].message_contracts[0].1, MessageFormat::Teleporter(t) if t.reward_address.is_some())
        );
    }

    #[test]
    fn icm_relayer_keys_load_and_typos_do_not() {
        let mut v = base();
        v["info-api"] = json!({ "base-url": "http://127.0.0.1:9650" });
        v["api-port"] = json!(8080);
        v["source-blockchains"][0]["vm"] = json!("evm");
        v["source-blockchains"][0]["supported-destinations"] = json!([{ "blockchain-id": B }]);
        RelayerConfig::from_json(&v.to_string()).unwrap();
        v["storage-locaton"] = json!("/tmp");
        let e = RelayerConfig::from_json(&v.to_string()).unwrap_err().to_string();
        assert!(e.contains("unknown field `storage-locaton`"), "{e}");
    }

    /// Each bad value is refused with its key path and the value.
    #[test]
    fn errors_name_the_key_and_the_value() {
        let contract = "/source-blockchains/0/message-contracts/0x52C84043CD9c865236f11d9Fc9F56aa003c1f922";
        let key = "source-blockchains[0].message-contracts.0x52C84043CD9c865236f11d9Fc9F56aa003c1f922";
        let cases: Vec<(String, String)> = vec![
            (
                with(base(), "/source-blockchains/0/blockchain-id", json!("xyz")),
                "source-blockchains[0].blockchain-id: \"xyz\"".into(),
            ),
            (
                with(base(), "/p-chain-api/base-url", json!("localhost:9650")),
                "p-chain-api.base-url: \"localhost:9650\": not an http:// or ws://".into(),
            ),
            (
                with(base(), "/destination-blockchains/0/account-private-key", json!("0x1234")),
                "destination-blockchains[0].account-private-key: (hidden): 2 bytes, not 32".into(),
            ),
            (
                with(base(), "/destination-blockchains/0/quorum-percentage", json!(101)),
                "destination-blockchains[0].quorum-percentage: 101".into(),
            ),
            (
                with(base(), "/destination-blockchains/0/quorum-percentage", json!(0)),
                "destination-blockchains[0].quorum-percentage: 0".into(),
            ),
            (
                with(base(), "/destination-blockchains/0/tx-inclusion-timeout-seconds", json!(0)),
                "destination-blockchains[0].tx-inclusion-timeout-seconds: 0".into(),
            ),
            (
                with(base(), &format!("{contract}/message-format"), json!("off-chain-registry")),
                format!("{key}.message-format: \"off-chain-registry\""),
            ),
            (
                with(base(), &format!("{contract}/settings/calldata"), json!("0xzz")),
                format!("{key}.settings.calldata: \"0xzz\""),
            ),
            (
                with(base(), &format!("{contract}/settings/destination-address"), json!("0x1234")),
                format!("{key}.settings.destination-address: \"0x1234\": 2 bytes, not 20"),
            ),
            (
                with(base(), &format!("{contract}/settings/destination-blockchain-id"), json!(A)),
                format!("{key}.settings.destination-blockchain-id: {A}: not among destination-blockchains"),
            ),
            (
                with(
                    base(),
                    &format!("{contract}/settings/already-delivered-errors"),
                    json!(["Already Received"]),
                ),
                format!("{key}.settings.already-delivered-errors[0]: \"Already Received\""),
            ),
            (
                with(base(), &format!("{contract}/settings"), json!({ "destination-adress": "0x" })),
                format!("{key}.settings.destination-adress"),
            ),
            (
                {
                    let mut v = base();
                    v["max-concurrent-messages"] = json!(0);
                    v.to_string()
                },
                "max-concurrent-messages: 0".into(),
            ),
            (with(base(), "/source-blockchains", json!([])), "source-blockchains: []".into()),
            (
                with(base(), "/p-chain-api/base-url", json!("https://api.avax.network")),
                "p-chain-api.base-url: \"https://api.avax.network\": TLS is not supported".into(),
            ),
        ];
        for (text, expected) in cases {
            let e = RelayerConfig::from_json(&text).unwrap_err().to_string();
            assert!(e.starts_with(&expected), "{e}\n expected it to start with {expected}");
        }
        let mut v = base();
        v["redis-url"] = json!("redis://localhost");
        let e = RelayerConfig::from_json(&v.to_string()).unwrap_err().to_string();
        assert!(e.starts_with("redis-url: \"redis://localhost\": not supported"), "{e}");
        // The secret never appears in an error.
        let e = RelayerConfig::from_json(&with(
            base(),
            "/destination-blockchains/0/account-private-key",
            json!("0xabcdefgh"),
        ))
        .unwrap_err()
        .to_string();
        assert!(!e.contains("abcdefgh"), "{e}");
    }
}
