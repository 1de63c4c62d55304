//! A warp relayer that works over the network, configured as icm-relayer is.
//!
//! | module | what it is |
//! |---|---|
//! | [`config`] | the JSON config, icm-relayer's key names, every value checked with its key path |
//! | [`rpc`] | jsonrpsee clients: Ethereum and warp methods of a chain, the P-Chain API |
//! | [`signatures`] | signed messages from the warp API or icm-services' `POST /aggregate-signatures` |
//! | [`format`] | `route` and `teleporter` message formats: what a message becomes on its destination |
//! | [`store`] | durable progress in redb: heights per source, each message's state and signed transactions |
//! | [`metrics`] | Prometheus metrics and their HTTP endpoint |
//! | [`service`] | the process: followers, deliveries, fee bumps, restarts, shutdown |
//!
//! [`service::run`] runs a relayer until a shutdown future completes; the
//! `warp relayer --config FILE` command and `warp devnet` both call it.

pub mod config;
pub mod format;
pub mod metrics;
pub mod rpc;
pub mod service;
pub mod signatures;
pub mod store;

pub use config::{ConfigError, RelayerConfig};
pub use service::{log_event, run, RelayerEvent, Report, ServiceError};
pub use store::{MessageRecord, MessageState, Store};
