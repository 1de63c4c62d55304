//! The devnet's default delivery through the networked relayer of
//! `warp-relayer-net`: [`relayer_config`] describes every chain as a source
//! and a destination, reached over loopback JSON-RPC at the devnet's own
//! address (heads over WebSocket), carrying the example messenger's messages
//! with the `route` format (the destination read from the payload's second
//! word, `AlreadyReceived` as the replay error). Its progress lives in
//! `<data-dir>/relayer`, or in memory without a data directory.

use std::net::SocketAddr;
use std::time::Duration;

use alloy_sol_types::{SolCall, SolError};
use warp_node::apps::CrossChainMessenger;
use warp_predicate::GasSchedule;
use warp_relayer_net::config::{
    DestinationConfig, LogLevel, MessageFormat, RouteSettings, SignatureSource, SourceConfig,
};
use warp_relayer_net::RelayerConfig;

use crate::network::{relayer_wallet, Devnet, DevnetError};

/// The networked relayer's config for `devnet` served at `address`.
pub fn relayer_config(devnet: &Devnet, address: SocketAddr) -> Result<RelayerConfig, DevnetError> {
    let config = devnet.config();
    let base = format!("http://{address}");
    let messenger = devnet.apps().messenger;
    let route = MessageFormat::Route(RouteSettings {
        destination_blockchain_id: None,
        destination_word: Some(1),
        destination_address: messenger,
        calldata: CrossChainMessenger::receiveMessageCall { index: 0 }.abi_encode().into(),
        already_delivered: vec![CrossChainMessenger::AlreadyReceived::SELECTOR],
    });
    let sources = devnet
        .chains()
        .iter()
        .map(|chain| SourceConfig {
            subnet_id: chain.subnet_id,
            blockchain_id: chain.blockchain_id,
            rpc_url: format!("{base}/ext/bc/{}/rpc", chain.blockchain_id),
            ws_url: Some(format!("ws://{address}/ext/bc/{}/ws", chain.blockchain_id)),
            start_height: Some(1),
            message_contracts: vec![(messenger, route.clone())],
        })
        .collect();
    let mut destinations = Vec::new();
    for chain in devnet.chains() {
        // A relayer account the devnet funds on every chain.
        let other = devnet.chains().iter().find(|c| c.index != chain.index).unwrap_or(chain);
        let wallet = relayer_wallet(&other.name, &chain.name)?;
        let source_quorums = config
            .quorums
            .iter()
            .filter(|(receiver, _, _)| *receiver == chain.name)
            .filter_map(|(_, from, q)| devnet.chain(from).map(|c| (c.blockchain_id, *q)))
            .collect();
        destinations.push(DestinationConfig {
            subnet_id: chain.subnet_id,
            blockchain_id: chain.blockchain_id,
            rpc_url: format!("{base}/ext/bc/{}/rpc", chain.blockchain_id),
            private_key: wallet.secret_bytes(),
            block_gas_limit: None,
            max_base_fee: None,
            priority_fee_buffer: 0,
            max_priority_fee: None,
            inclusion_timeout: Duration::from_secs(10),
            quorum: config.quorum,
            source_quorums,
            estimate_includes_predicate_gas: true,
            predicate_gas_schedule: GasSchedule::granite(),
        });
    }
    Ok(RelayerConfig {
        log_level: LogLevel::Info,
        storage_location: config.data_dir.as_ref().map(|d| d.join("relayer")).unwrap_or_default(),
        metrics_port: None,
        p_chain_api: base,
        signatures: SignatureSource::WarpApi,
        max_concurrent_messages: config.relayer_concurrency.max(1),
        poll_interval: Duration::from_millis(100),
        sources,
        destinations,
    })
}
