//! `warp relayer --config FILE` as a separate process against a
//! `warp devnet --no-relayer` child (both on loopback ports the system picks):
//! route delivery over WebSocket heads with metrics and a clean SIGTERM stop,
//! then a restart that carries what was sent while it was down; Teleporter
//! delivery with the allowed-relayer and already-received skips; SIGKILL in
//! the middle of a burst of 50 (each delivered exactly once); a destination
//! that refuses, reported once without retries; signatures from icm-services'
//! aggregator endpoint.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, missing_docs)]

use std::path::PathBuf;
use std::process::Command;
use std::time::{Duration, Instant};

use alloy_consensus::TxEip1559;
use alloy_primitives::{hex, Address, Bytes, TxKind, B256, U256, U64};
use alloy_sol_types::SolCall;
use awm_core::Id;
use jsonrpsee_core::client::ClientT;
use jsonrpsee_core::rpc_params;
use serde_json::{json, Value};
use warp_cli::eth_client::EthClient;
use warp_node::apps::CrossChainMessenger;
use warp_node::Wallet;

alloy_sol_types::sol! {
    interface TeleporterGreeter {
        function send(address messenger, bytes32 destinationBlockchainID, address destination, uint256 requiredGasLimit, address[] allowedRelayers, bytes message) external returns (bytes32 messageID);
        function receivedCount() external view returns (uint256);
        function lastMessage() external view returns (bytes);
    }
    interface TeleporterMessenger {
        function receiveCrossChainMessage(uint32 messageIndex, address relayerRewardAddress) external;
    }
}

const CREATE2_DEPLOYER: Address = alloy_primitives::address!("4e59b44847b379578588920ca78fbf26c0b4956c");

fn scratch(name: &str) -> PathBuf {
    let nanos = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).unwrap().as_nanos();
    let dir = std::env::temp_dir().join(format!("warp-relayer-test-{name}-{}-{nanos}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

mod common;
use common::{Devnet, Process};

fn accounts() -> Vec<Wallet> {
    warp_devnet::dev_accounts(warp_devnet::ANVIL_MNEMONIC, 10).unwrap()
}

/// The relayer's account on every chain: anvil's account 9.
fn relayer_key() -> String {
    hex::encode_prefixed(accounts()[9].secret_bytes())
}

fn chain(name: &str) -> (Id, Id) {
    let (chain, subnet) = warp_devnet::chain_ids(name);
    (chain, subnet)
}

fn messenger() -> Address {
    warp_devnet::network::deployer().unwrap().address().create(0)
}

/// A config from A to B with these message contracts on A.
fn config(port: u16, dir: &std::path::Path, contracts: Value, extra: Value) -> PathBuf {
    let base = format!("http://127.0.0.1:{port}");
    let rpc = |chain: &str| format!("{base}/ext/bc/{chain}/rpc");
    let (a, a_subnet) = chain("A");
    let (b, b_subnet) = chain("B");
    let mut config = json!({
        "log-level": "info",
        "storage-location": dir.join("db"),
        "metrics-port": 0,
        "p-chain-api": { "base-url": base },
        "poll-interval-milliseconds": 50,
        "source-blockchains": [{
            "subnet-id": a_subnet.to_string(),
            "blockchain-id": a.to_string(),
            "vm": "evm",
            "rpc-endpoint": { "base-url": rpc(&a.to_string()) },
            "message-contracts": contracts,
        }],
        "destination-blockchains": [{
            "subnet-id": b_subnet.to_string(),
            "blockchain-id": b.to_string(),
            "vm": "evm",
            "rpc-endpoint": { "base-url": rpc("B") },
            "account-private-key": relayer_key(),
            "tx-inclusion-timeout-seconds": 5,
        }],
    });
    if let (Some(config), Some(extra)) = (config.as_object_mut(), extra.as_object()) {
        for (k, v) in extra {
            if k == "ws-endpoint" {
                config["source-blockchains"][0]["ws-endpoint"] = v.clone();
            } else if k == "tx-inclusion-timeout-seconds" {
                config["destination-blockchains"][0][k] = v.clone();
            } else {
                config.insert(k.clone(), v.clone());
            }
        }
    }
    let path = dir.join("relayer.json");
    std::fs::write(&path, serde_json::to_string_pretty(&config).unwrap()).unwrap();
    path
}

fn messenger_route() -> Value {
    let (b, _) = chain("B");
    json!({
        messenger().to_string(): {
            "message-format": "route",
            "settings": {
                "destination-blockchain-id": b.to_string(),
                "destination-address": messenger().to_string(),
                "calldata": Bytes::from(CrossChainMessenger::receiveMessageCall { index: 0 }.abi_encode()).to_string(),
                "already-delivered-errors": ["AlreadyReceived(bytes32)"],
            }
        }
    })
}

fn start_relayer(config: &std::path::Path) -> Process {
    let relayer = Process::spawn(&["relayer", "--config", config.to_str().unwrap()]);
    relayer.wait_for("following source");
    relayer
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

async fn send_messages(a: &EthClient, sender: &Wallet, n: usize, tag: &str) {
    let (b, _) = chain("B");
    for i in 0..n {
        let call = CrossChainMessenger::sendMessageCall {
            destinationChainID: B256::from(*b.as_bytes()),
            destination: messenger(),
            data: format!("{tag} {i}").into_bytes().into(),
        };
        a.send(sender, Some(messenger()), call.abi_encode().into()).await.unwrap();
    }
}

alloy_sol_types::sol! {
    /// `CrossChainMessenger`'s receipt event.
    event MessageReceived(bytes32 indexed sourceChainID, address indexed sender, address from, uint256 nonce, bytes data);
}

/// The data of every message B's messenger received, sorted.
async fn received_data(devnet: &Devnet) -> Vec<String> {
    use alloy_sol_types::SolEvent;
    let b = jsonrpsee_http_client::HttpClientBuilder::default().build(devnet.rpc("B")).unwrap();
    let filter = json!({ "fromBlock": "0x0", "toBlock": "latest", "address": messenger(), "topics": [MessageReceived::SIGNATURE_HASH] });
    let logs: Vec<alloy_rpc_types_eth::Log> = b.request("eth_getLogs", rpc_params![filter]).await.unwrap();
    let mut data: Vec<String> = logs
        .iter()
        .map(|log| {
            String::from_utf8(MessageReceived::decode_log_data(&log.inner.data).unwrap().data.to_vec())
                .unwrap()
        })
        .collect();
    data.sort();
    data
}

async fn received(b: &EthClient) -> u64 {
    b.view(messenger(), CrossChainMessenger::receivedCountCall {}).await.unwrap().to()
}

async fn wait_until<F: std::future::Future<Output = bool>>(what: &str, mut check: impl FnMut() -> F) {
    let started = Instant::now();
    while !check().await {
        assert!(started.elapsed() < Duration::from_secs(90), "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn metrics(address: &str) -> String {
    let address = address.trim().trim_start_matches("address=");
    let address = address.split_whitespace().next().unwrap();
    let mut stream = std::net::TcpStream::connect(address).unwrap();
    use std::io::{Read, Write};
    write!(stream, "GET /metrics HTTP/1.1\r\nHost: {address}\r\nConnection: close\r\n\r\n").unwrap();
    let mut text = String::new();
    stream.read_to_string(&mut text).unwrap();
    text
}

fn metric(text: &str, name: &str) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(name))
        .filter_map(|l| l.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()))
        .sum()
}

#[test]
fn route_delivery_over_websocket_with_metrics_a_clean_stop_and_a_restart() {
    let devnet = Devnet::start();
    let dir = scratch("route");
    let (a_id, _) = chain("A");
    let ws = devnet.url(&format!("/ext/bc/{a_id}/ws")).replace("http://", "ws://");
    let path = config(devnet.port, &dir, messenger_route(), json!({ "ws-endpoint": { "base-url": ws } }));
    let mut relayer = start_relayer(&path);
    assert!(relayer.lines().iter().any(|l| l.contains("following source") && l.contains("websocket=true")));
    let metrics_at = relayer.wait_for("metrics listening");
    let sender = accounts().remove(0);
    runtime().block_on(async {
        let a = EthClient::connect("A", &devnet.rpc("A")).await.unwrap();
        let b = EthClient::connect("B", &devnet.rpc("B")).await.unwrap();
        send_messages(&a, &sender, 3, "first").await;
        wait_until("3 deliveries", || async { received(&b).await == 3 }).await;
        // Delivered concurrently, so in any order: each once.
        assert_eq!(received_data(&devnet).await, ["first 0", "first 1", "first 2"]);
    });
    let text = metrics(&metrics_at);
    assert_eq!(metric(&text, "warp_relayer_messages_delivered_total"), 3.0, "{text}");
    assert_eq!(metric(&text, "warp_relayer_messages_seen_total"), 3.0, "{text}");
    assert!(metric(&text, "warp_relayer_last_processed_height") >= 4.0, "{text}");
    assert_eq!(metric(&text, "warp_relayer_delivery_seconds_count"), 3.0, "{text}");
    relayer.sigterm();
    assert!(relayer.lines().last().unwrap().contains("warp relayer stopped"));

    // Sent while it is down: carried after the restart, each once.
    runtime().block_on(async {
        let a = EthClient::connect("A", &devnet.rpc("A")).await.unwrap();
        send_messages(&a, &sender, 2, "while down").await;
    });
    let relayer = start_relayer(&path);
    runtime().block_on(async {
        let b = EthClient::connect("B", &devnet.rpc("B")).await.unwrap();
        wait_until("5 deliveries", || async { received(&b).await == 5 }).await;
        let all = received_data(&devnet).await;
        assert_eq!(all, ["first 0", "first 1", "first 2", "while down 0", "while down 1"]);
        assert_eq!(b.nonce(accounts()[9].address()).await.unwrap(), 5);
    });
    relayer.wait_count("INFO delivered", 2);
    std::thread::sleep(Duration::from_millis(500));
    assert_eq!(relayer.count("INFO delivered"), 2, "{}", relayer.lines().join("\n"));
    drop(devnet);
}

#[test]
fn sigkill_in_a_burst_of_50_then_each_delivered_exactly_once() {
    let devnet = Devnet::start();
    let dir = scratch("burst");
    let path = config(devnet.port, &dir, messenger_route(), json!({ "max-concurrent-messages": 8 }));
    let mut relayer = start_relayer(&path);
    let sender = accounts().remove(0);
    runtime().block_on(async {
        let a = EthClient::connect("A", &devnet.rpc("A")).await.unwrap();
        let b = EthClient::connect("B", &devnet.rpc("B")).await.unwrap();
        send_messages(&a, &sender, 20, "burst").await;
        wait_until("some deliveries", || async { received(&b).await >= 3 }).await;
        // In the middle of deliveries: messages found, signed, submitted.
        relayer.sigkill();
        let at_kill = received(&b).await;
        assert!(at_kill < 50, "{at_kill}");
        send_messages(&a, &sender, 30, "burst after").await;
    });
    let relayer = start_relayer(&path);
    runtime().block_on(async {
        let b = EthClient::connect("B", &devnet.rpc("B")).await.unwrap();
        wait_until("50 deliveries", || async { received(&b).await == 50 }).await;
        // Nothing more arrives, and the relayer sent exactly one transaction per message.
        tokio::time::sleep(Duration::from_secs(2)).await;
        assert_eq!(received(&b).await, 50);
        assert_eq!(b.nonce(accounts()[9].address()).await.unwrap(), 50);
    });
    relayer.wait_count("INFO delivered", 1);
    assert_eq!(relayer.count("WARN failed"), 0, "{}", relayer.lines().join("\n"));
    drop(relayer);
    let store = warp_relayer_net::Store::open(&dir.join("db")).unwrap();
    let delivered = warp_relayer_net::service::delivered_ids(&store).unwrap();
    assert_eq!(delivered.len(), 50);
}

#[test]
fn a_refusing_destination_is_reported_once_without_retries() {
    let devnet = Devnet::start();
    let dir = scratch("refuse");
    let sender = accounts().remove(0);
    // A contract on B whose every call reverts: runtime PUSH0 PUSH0 REVERT.
    let refuser = runtime().block_on(async {
        let b = EthClient::connect("B", &devnet.rpc("B")).await.unwrap();
        let receipt = b
            .send(&accounts()[1], None, hex::decode("6003600a5f3960035ff35f5ffd").unwrap().into())
            .await
            .unwrap();
        receipt.contract_address.unwrap()
    });
    let (b_id, _) = chain("B");
    let contracts = json!({
        messenger().to_string(): {
            "message-format": "route",
            "settings": {
                "destination-blockchain-id": b_id.to_string(),
                "destination-address": refuser.to_string(),
                "calldata": "0x12345678",
            }
        }
    });
    let relayer = start_relayer(&config(devnet.port, &dir, contracts, json!({})));
    let metrics_at = relayer.wait_for("metrics listening");
    runtime().block_on(async {
        let a = EthClient::connect("A", &devnet.rpc("A")).await.unwrap();
        send_messages(&a, &sender, 2, "refused").await;
    });
    let started = Instant::now();
    while relayer.count("WARN failed") < 2 {
        assert!(started.elapsed() < Duration::from_secs(60), "{}", relayer.lines().join("\n"));
        std::thread::sleep(Duration::from_millis(50));
    }
    std::thread::sleep(Duration::from_secs(3));
    let lines = relayer.lines();
    assert_eq!(relayer.count("WARN failed"), 2, "{}", lines.join("\n"));
    assert!(lines
        .iter()
        .filter(|l| l.contains("WARN failed"))
        .all(|l| l.contains("the destination refuses the call")));
    assert_eq!(relayer.count("INFO retrying"), 0, "{}", lines.join("\n"));
    assert_eq!(relayer.count("INFO submitted"), 0, "{}", lines.join("\n"));
    let text = metrics(&metrics_at);
    assert_eq!(metric(&text, "warp_relayer_messages_failed_total"), 2.0, "{text}");
    runtime().block_on(async {
        let b = EthClient::connect("B", &devnet.rpc("B")).await.unwrap();
        assert_eq!(b.nonce(accounts()[9].address()).await.unwrap(), 0);
    });
}

#[test]
fn signatures_from_the_aggregator_endpoint() {
    let devnet = Devnet::start();
    let dir = scratch("aggregator");
    let path =
        config(devnet.port, &dir, messenger_route(), json!({ "signature-aggregator-url": devnet.url("") }));
    let relayer = start_relayer(&path);
    runtime().block_on(async {
        let a = EthClient::connect("A", &devnet.rpc("A")).await.unwrap();
        let b = EthClient::connect("B", &devnet.rpc("B")).await.unwrap();
        send_messages(&a, &accounts()[0], 2, "aggregated").await;
        wait_until("2 deliveries", || async { received(&b).await == 2 }).await;
    });
    relayer.wait_count("INFO delivered", 2);
}

async fn greeted(b: &EthClient, greeter: Address) -> u64 {
    b.view(greeter, TeleporterGreeter::receivedCountCall {}).await.unwrap().to()
}

async fn last_greeting(b: &EthClient, greeter: Address) -> String {
    String::from_utf8(b.view(greeter, TeleporterGreeter::lastMessageCall {}).await.unwrap().to_vec()).unwrap()
}

/// Deploys `artifact` through the CREATE2 deployer (salt 0) on `chain`.
async fn deploy_create2(chain: &EthClient, wallet: &Wallet, artifact: &str) -> Address {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../contracts/artifacts").join(artifact);
    let json: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let code = hex::decode(json["bytecode"].as_str().unwrap()).unwrap();
    let address = CREATE2_DEPLOYER.create2_from_code(B256::ZERO, &code);
    let mut input = B256::ZERO.to_vec();
    input.extend_from_slice(&code);
    chain.send(wallet, Some(CREATE2_DEPLOYER), input.into()).await.unwrap();
    assert!(!chain.code(address).await.unwrap().is_empty());
    address
}

/// Delivers a message by hand (as another relayer would): signed through the
/// warp API, sent with the predicate by `wallet`.
async fn deliver_by_hand(devnet: &Devnet, id: Id, wallet: &Wallet, to: Address, input: Vec<u8>) {
    let a = jsonrpsee_http_client::HttpClientBuilder::default().build(devnet.rpc("A")).unwrap();
    let b = jsonrpsee_http_client::HttpClientBuilder::default().build(devnet.rpc("B")).unwrap();
    let signed: Bytes =
        a.request("warp_getMessageAggregateSignature", rpc_params![id.to_string(), 67, ""]).await.unwrap();
    let access_list = warp_predicate::warp_access_list([signed.as_ref()]);
    let request = json!({ "from": wallet.address(), "to": to, "input": Bytes::from(input.clone()), "accessList": access_list });
    let gas: U64 = b.request("eth_estimateGas", rpc_params![request]).await.unwrap();
    let nonce: U64 =
        b.request("eth_getTransactionCount", rpc_params![wallet.address(), "pending"]).await.unwrap();
    let chain_id: U64 = b.request("eth_chainId", rpc_params![]).await.unwrap();
    let tx = TxEip1559 {
        chain_id: chain_id.to(),
        nonce: nonce.to(),
        gas_limit: gas.to::<u64>().saturating_mul(2),
        max_fee_per_gas: 100_000_000_000,
        max_priority_fee_per_gas: 1_000_000_000,
        to: TxKind::Call(to),
        value: U256::ZERO,
        access_list,
        input: input.into(),
    };
    let raw = warp_node::tx::encode(&wallet.sign_envelope(tx));
    let hash: B256 = b.request("eth_sendRawTransaction", rpc_params![raw]).await.unwrap();
    let b_client = EthClient::connect("B", &devnet.rpc("B")).await.unwrap();
    assert!(b_client.receipt(hash, Duration::from_secs(10)).await.unwrap().status());
}

#[test]
fn teleporter_delivery_with_allowed_relayer_and_already_received_skips() {
    let devnet = Devnet::start();
    let dir = scratch("teleporter");
    let all = accounts();
    let (b_id, _) = chain("B");
    let (messenger_at, greeter) = runtime().block_on(async {
        let a = EthClient::connect("A", &devnet.rpc("A")).await.unwrap();
        let b = EthClient::connect("B", &devnet.rpc("B")).await.unwrap();
        let mut addresses = Vec::new();
        for chain in [&a, &b] {
            let m = deploy_create2(chain, &all[2], "TeleporterMessenger.json").await;
            let g = deploy_create2(chain, &all[2], "TeleporterGreeter.json").await;
            addresses.push((m, g));
        }
        assert_eq!(addresses[0], addresses[1], "the same addresses on both chains");
        addresses[0]
    });
    let contracts = json!({
        messenger_at.to_string(): { "message-format": "teleporter", "settings": { "reward-address": all[8].address().to_string() } }
    });
    let path = config(devnet.port, &dir, contracts, json!({}));
    let mut relayer = start_relayer(&path);
    let greet = |allowed: Vec<Address>, text: &str| -> Bytes {
        TeleporterGreeter::sendCall {
            messenger: messenger_at,
            destinationBlockchainID: B256::from(*b_id.as_bytes()),
            destination: greeter,
            requiredGasLimit: U256::from(300_000),
            allowedRelayers: allowed,
            message: text.as_bytes().to_vec().into(),
        }
        .abi_encode()
        .into()
    };
    runtime().block_on(async {
        let a = EthClient::connect("A", &devnet.rpc("A")).await.unwrap();
        let b = EthClient::connect("B", &devnet.rpc("B")).await.unwrap();
        // Any relayer may carry it: delivered.
        a.send(&all[0], Some(greeter), greet(vec![], "hello B")).await.unwrap();
        wait_until("the greeting", || async { greeted(&b, greeter).await == 1 }).await;
        assert_eq!(last_greeting(&b, greeter).await, "hello B");
        // Only account 3 may: skipped.
        a.send(&all[0], Some(greeter), greet(vec![all[3].address()], "for another relayer")).await.unwrap();
    });
    relayer.wait_for("is not among the message's 1 allowed relayers");
    relayer.sigterm();
    runtime().block_on(async {
        let a = EthClient::connect("A", &devnet.rpc("A")).await.unwrap();
        let b = EthClient::connect("B", &devnet.rpc("B")).await.unwrap();
        // While the relayer is down: one message another relayer delivers, one for us.
        let receipt = a.send(&all[0], Some(greeter), greet(vec![], "by hand")).await.unwrap();
        let log = receipt.inner.logs().iter().find(|l| l.address() == warp_predicate::WARP_ADDRESS).unwrap();
        let id = Id::from(log.topics()[2].0);
        let input = TeleporterMessenger::receiveCrossChainMessageCall {
            messageIndex: 0,
            relayerRewardAddress: all[4].address(),
        };
        deliver_by_hand(&devnet, id, &all[4], messenger_at, input.abi_encode()).await;
        assert_eq!(greeted(&b, greeter).await, 2);
        a.send(&all[0], Some(greeter), greet(vec![], "after restart")).await.unwrap();
    });
    let relayer = start_relayer(&path);
    runtime().block_on(async {
        let b = EthClient::connect("B", &devnet.rpc("B")).await.unwrap();
        wait_until("the greeting sent while down", || async { greeted(&b, greeter).await == 3 }).await;
        assert_eq!(last_greeting(&b, greeter).await, "after restart");
        // Two transactions of ours: the first greeting and the last.
        assert_eq!(b.nonce(all[9].address()).await.unwrap(), 2);
    });
    relayer.wait_for("the destination already received it");
    relayer.wait_count("INFO delivered", 1);
    assert_eq!(relayer.count("INFO delivered"), 1, "{}", relayer.lines().join("\n"));
}

#[test]
fn the_devnet_runs_a_relayer_config_beside_its_own_relayer() {
    // The config names the devnet's own URL, so the port is chosen before the
    // devnet binds it: a free port, and another should something take it first.
    let dir = scratch("devnet-config");
    let (devnet, port) = (0..5)
        .find_map(|_| {
            let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
            let path = config(port, &dir, messenger_route(), json!({}));
            let port_arg = port.to_string();
            let args = ["devnet", "--port", &port_arg, "--chains", "A,B", "--validators", "5"];
            let mut devnet =
                Process::spawn(&[&args[..], &["--relayer-config", path.to_str().unwrap()]].concat());
            devnet.wait_for_unless_exited("Listening on 127.0.0.1:").map(|_| (devnet, port))
        })
        .expect("a devnet on a free port");
    let rpc = |chain: &str| format!("http://127.0.0.1:{port}/ext/bc/{chain}/rpc");
    runtime().block_on(async {
        let a = EthClient::connect("A", &rpc("A")).await.unwrap();
        let b = EthClient::connect("B", &rpc("B")).await.unwrap();
        send_messages(&a, &accounts()[0], 3, "two relayers").await;
        wait_until("3 deliveries", || async { received(&b).await == 3 }).await;
    });
    // Both relayers settle every message: one delivers it, the other finds it delivered
    // (the app's replay error in the estimate, or its own transaction reverting on a race).
    let settled = |name: &str| {
        devnet
            .lines()
            .iter()
            .filter(|l| {
                l.starts_with(name)
                    && (l.contains("delivered in block")
                        || l.contains("skipped")
                        || l.contains("not delivered"))
            })
            .count()
    };
    let started = Instant::now();
    while settled("relayer (--relayer-config):") < 3 || settled("relayer: ") < 3 {
        assert!(started.elapsed() < Duration::from_secs(60), "{}", devnet.lines().join("\n"));
        std::thread::sleep(Duration::from_millis(50));
    }
    let delivered = devnet.lines().iter().filter(|l| l.contains("delivered in block")).count();
    assert_eq!(delivered, 3, "{}", devnet.lines().join("\n"));
}

#[test]
fn a_waiting_transaction_survives_sigkill_and_is_bumped_on_the_same_nonce() {
    // Blocks every 3 s: a delivery waits in B's mempool.
    let devnet = Devnet::start_with(&["--block-time", "3"]);
    let dir = scratch("waiting");
    let path = config(devnet.port, &dir, messenger_route(), json!({ "tx-inclusion-timeout-seconds": 1 }));
    let mut relayer = start_relayer(&path);
    let sender = accounts().remove(0);
    let relayer_account = accounts()[9].address();
    runtime().block_on(async {
        let a = EthClient::connect("A", &devnet.rpc("A")).await.unwrap();
        send_messages(&a, &sender, 1, "waiting").await;
    });
    // Killed while its signed transaction waits for a block.
    relayer.wait_for("INFO submitted");
    relayer.sigkill();
    let relayer = start_relayer(&path);
    runtime().block_on(async {
        let b = EthClient::connect("B", &devnet.rpc("B")).await.unwrap();
        wait_until("the delivery", || async { received(&b).await == 1 }).await;
        // The recorded transaction (or its bump) landed: one nonce used.
        assert_eq!(b.nonce(relayer_account).await.unwrap(), 1);
    });
    relayer.wait_count("INFO delivered", 1);
    // A second message: no receipt within the 1 s inclusion timeout, so the same
    // nonce is signed again with higher fees before the block comes.
    runtime().block_on(async {
        let a = EthClient::connect("A", &devnet.rpc("A")).await.unwrap();
        let b = EthClient::connect("B", &devnet.rpc("B")).await.unwrap();
        send_messages(&a, &sender, 1, "bumped").await;
        wait_until("the second delivery", || async { received(&b).await == 2 }).await;
        assert_eq!(b.nonce(relayer_account).await.unwrap(), 2);
    });
    relayer.wait_count("INFO delivered", 2);
    let lines = relayer.lines();
    let second: Vec<&String> =
        lines.iter().filter(|l| l.contains("INFO submitted") && l.contains("nonce=1")).collect();
    assert!(second.len() >= 2, "no fee bump on nonce 1:\n{}", lines.join("\n"));
    assert_eq!(relayer.count("WARN failed"), 0, "{}", lines.join("\n"));
}

#[test]
fn sigterm_with_every_slot_busy_stops_within_the_grace_and_a_restart_finishes() {
    let devnet = Devnet::start();
    let dir = scratch("busy");
    let path = config(devnet.port, &dir, messenger_route(), json!({ "max-concurrent-messages": 1 }));
    let mut relayer = start_relayer(&path);
    let b_rpc = jsonrpsee_http_client::HttpClientBuilder::default().build(devnet.rpc("B")).unwrap();
    let automine = |on: bool| {
        let b_rpc = b_rpc.clone();
        async move {
            let _: Value = b_rpc.request("evm_setAutomine", rpc_params![on]).await.unwrap();
        }
    };
    runtime().block_on(async {
        // B stops mining: the relayer's one slot waits for a receipt.
        automine(false).await;
        let a = EthClient::connect("A", &devnet.rpc("A")).await.unwrap();
        send_messages(&a, &accounts()[0], 2, "busy").await;
    });
    relayer.wait_for("INFO submitted");
    let stopping = Instant::now();
    let status = Command::new("kill").args(["-TERM", &relayer.child.id().to_string()]).status().unwrap();
    assert!(status.success());
    let exit = loop {
        if let Some(exit) = relayer.child.try_wait().unwrap() {
            break exit;
        }
        assert!(stopping.elapsed() < Duration::from_secs(20), "no exit 20 s after SIGTERM");
        std::thread::sleep(Duration::from_millis(50));
    };
    assert!(exit.success(), "{exit:?}");
    assert!(
        relayer.lines().last().unwrap().contains("warp relayer stopped"),
        "{}",
        relayer.lines().join("\n")
    );
    runtime().block_on(async {
        automine(true).await;
        let _: Value = b_rpc.request("evm_mine", rpc_params![]).await.unwrap();
    });
    let _relayer = start_relayer(&path);
    runtime().block_on(async {
        let b = EthClient::connect("B", &devnet.rpc("B")).await.unwrap();
        wait_until("both deliveries", || async { received(&b).await == 2 }).await;
        assert_eq!(b.nonce(accounts()[9].address()).await.unwrap(), 2);
    });
}
