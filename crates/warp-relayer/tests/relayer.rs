//! The relayer end to end: two chains, the CrossChainMessenger app, delivery, replay refusal, failures and `run`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use std::sync::Arc;
use std::time::Duration;

use alloy_consensus::transaction::SignerRecoverable;
use alloy_consensus::Transaction as _;
use alloy_primitives::{Address, Bytes, TxKind, U256};
use alloy_sol_types::{SolCall, SolError};
use awm_core::{CanonicalValidatorSet, Id, Message, Quorum, UnsignedMessage, Validator};
use tokio::sync::mpsc;
use warp_node::apps::{App, CrossChainMessenger};
use warp_node::config::GenesisAccount;
use warp_node::devnet::{register_subnet, signing_services, validator_keys, ValidatorKey};
use warp_node::executor::call_env;
use warp_node::{sent_messages, Chain, ChainConfig, Genesis, Node, NodeError, PChain, TxRequest, Wallet};
use warp_precompile::IWarpMessenger;
use warp_predicate::{unpack, warp_predicates, FailureBits, WARP_ADDRESS};
use warp_relayer::{
    Aggregator, AggregatorConfig, Behaviour, InProcessNetwork, RelayEvent, Relayer, RelayerConfig, Route,
};

const NETWORK: u32 = 12345;
const CHAIN_A: Id = Id([0xaa; 32]);
const CHAIN_B: Id = Id([0xbb; 32]);
const SUBNET_A: Id = Id([0x1a; 32]);
const SUBNET_B: Id = Id([0x1b; 32]);
/// The user who sends messages on A.
fn user() -> Wallet {
    Wallet::from_seed("relayer test user").unwrap()
}

/// The relayer's account on B.
fn relayer_wallet() -> Wallet {
    Wallet::from_seed("relayer test relayer").unwrap()
}
const GENESIS_TIME: u64 = 1_700_000_000;
const VALIDATORS: usize = 10;

/// Two chains with a messenger each, B's allowing A's.
struct Fixture {
    a: Arc<Node>,
    b: Arc<Node>,
    keys_a: Vec<ValidatorKey>,
    messenger_a: Address,
    messenger_b: Address,
}

fn start(pchain: &PChain, id: Id, subnet: Id, evm_chain_id: u64, keys: &[ValidatorKey]) -> Arc<Node> {
    let genesis = Genesis {
        timestamp: GENESIS_TIME,
        alloc: [user().address(), relayer_wallet().address()]
            .map(|a| (a, GenesisAccount::funded(U256::from(10u128.pow(24)))))
            .to_vec(),
    };
    let chain = Chain::new(ChainConfig::new(NETWORK, id, subnet, evm_chain_id), genesis);
    Arc::new(Node::new(chain, Arc::clone(pchain.registry()), signing_services(keys, NETWORK, id)))
}

/// The user's transaction to `to` (a creation when `None`).
fn user_request(to: Option<Address>, input: Vec<u8>) -> TxRequest {
    TxRequest {
        to: to.map_or(TxKind::Create, TxKind::Call),
        input: Bytes::from(input),
        gas_limit: 5_000_000,
        ..Default::default()
    }
}

/// Submits one user transaction and seals it in a block; it must succeed. Returns the block number.
fn seal(node: &Node, to: Option<Address>, input: Vec<u8>) -> (u64, Option<Address>) {
    node.sign_and_submit(&user(), user_request(to, input)).unwrap();
    let built = node.produce_block().unwrap().unwrap();
    assert!(built.excluded.is_empty(), "{:?}", built.excluded);
    assert!(built.receipts[0].success, "{:?}", built.receipts[0]);
    (built.block.number(), built.receipts[0].contract_address)
}

impl Fixture {
    fn new() -> Self {
        let pchain = PChain::in_memory();
        let keys_a = validator_keys("A", VALIDATORS, |i| 1_000 + 17 * i as u64).unwrap();
        let keys_b = validator_keys("B", VALIDATORS, |i| 1_000 + 17 * i as u64).unwrap();
        register_subnet(&pchain, CHAIN_A, SUBNET_A, &keys_a).unwrap();
        register_subnet(&pchain, CHAIN_B, SUBNET_B, &keys_b).unwrap();
        let a = start(&pchain, CHAIN_A, SUBNET_A, 1_001, &keys_a);
        let b = start(&pchain, CHAIN_B, SUBNET_B, 1_002, &keys_b);
        let messenger_a =
            seal(&a, None, App::CrossChainMessenger.creation_code(&[]).unwrap().to_vec()).1.unwrap();
        let messenger_b =
            seal(&b, None, App::CrossChainMessenger.creation_code(&[]).unwrap().to_vec()).1.unwrap();
        let allow =
            CrossChainMessenger::allowSenderCall { sourceChainID: CHAIN_A.0.into(), sender: messenger_a };
        seal(&b, Some(messenger_b), allow.abi_encode());
        Self { a, b, keys_a, messenger_a, messenger_b }
    }

    fn send_call(&self, data: &[u8]) -> Vec<u8> {
        CrossChainMessenger::sendMessageCall {
            destinationChainID: CHAIN_B.0.into(),
            destination: self.messenger_b,
            data: Bytes::copy_from_slice(data),
        }
        .abi_encode()
    }

    /// Sends `data` from A's messenger to B's in a new block of A: its number and the message.
    fn send(&self, data: &[u8]) -> (u64, UnsignedMessage) {
        let (number, _) = seal(&self.a, Some(self.messenger_a), self.send_call(data));
        let receipts = self.a.with_chain(|c| c.block(number).unwrap().1.to_vec());
        let mut sent = sent_messages(&receipts);
        assert_eq!(sent.len(), 1);
        (number, sent.pop().unwrap())
    }

    /// A's validators, `behaviour(i)` for validator `i`.
    fn network(&self, behaviour: impl Fn(usize) -> Behaviour) -> Arc<InProcessNetwork> {
        let mut net = InProcessNetwork::new(Duration::from_millis(1));
        for (i, service) in self.a.validators().iter().enumerate() {
            net.add(Arc::clone(service), behaviour(i));
        }
        Arc::new(net)
    }

    fn relayer(&self, net: Arc<InProcessNetwork>, config: AggregatorConfig) -> Relayer<InProcessNetwork> {
        self.relayer_with_attempts(net, config, 1)
    }

    fn relayer_with_attempts(
        &self,
        net: Arc<InProcessNetwork>,
        config: AggregatorConfig,
        attempts: u32,
    ) -> Relayer<InProcessNetwork> {
        self.relayer_with(net, config, attempts, 1)
    }

    fn relayer_with(
        &self,
        net: Arc<InProcessNetwork>,
        config: AggregatorConfig,
        attempts: u32,
        concurrency: usize,
    ) -> Relayer<InProcessNetwork> {
        Relayer::new(
            Arc::clone(&self.a),
            Arc::clone(&self.b),
            Aggregator::new(net, config),
            RelayerConfig {
                wallet: relayer_wallet(),
                routes: vec![Route {
                    name: "messenger".into(),
                    source_address: self.messenger_a,
                    destination: self.messenger_b,
                    calldata: CrossChainMessenger::receiveMessageCall { index: 0 }.abi_encode().into(),
                    destination_chain_word: None,
                }],
                receipt_timeout: Duration::from_secs(10),
                replay_errors: vec![CrossChainMessenger::AlreadyReceived::SELECTOR],
                attempts,
                concurrency,
            },
        )
    }

    fn honest_relayer(&self) -> Relayer<InProcessNetwork> {
        self.relayer(self.network(|_| Behaviour::Honest), aggregator_config(1_000, 5_000))
    }

    fn view<C: SolCall>(&self, call: C) -> C::Return {
        let env = call_env(
            user().address(),
            TxKind::Call(self.messenger_b),
            call.abi_encode().into(),
            U256::ZERO,
            0,
            Default::default(),
        );
        let outcome =
            self.b.with_chain(|c| c.call(env, FailureBits::none_failed(), c.head_timestamp() + 1)).unwrap();
        assert!(outcome.success);
        C::abi_decode_returns(&outcome.output).unwrap()
    }

    fn received_count(&self) -> U256 {
        self.view(CrossChainMessenger::receivedCountCall {})
    }

    fn b_height(&self) -> u64 {
        self.b.with_chain(Chain::height)
    }

    fn set_a(&self) -> CanonicalValidatorSet {
        CanonicalValidatorSet::new(
            self.keys_a.iter().map(|k| Validator::new(k.node_id, Some(k.secret_key.public_key()), k.weight)),
        )
        .unwrap()
    }
}

fn aggregator_config(request_timeout_ms: u64, deadline_ms: u64) -> AggregatorConfig {
    AggregatorConfig {
        request_timeout: Duration::from_millis(request_timeout_ms),
        deadline: Duration::from_millis(deadline_ms),
        max_in_flight: usize::MAX,
    }
}

/// Runs B's block producer; build errors go to the returned channel.
fn produce(node: &Arc<Node>) -> (tokio::task::JoinHandle<()>, mpsc::UnboundedReceiver<NodeError>) {
    let (errors, received) = mpsc::unbounded_channel();
    let task = tokio::spawn(Arc::clone(node).run_producer(Duration::from_millis(1), move |e| {
        let _ = errors.send(e);
    }));
    (task, received)
}

async fn relay(relayer: &mut Relayer<InProcessNetwork>, number: u64) -> Vec<RelayEvent> {
    let mut events = Vec::new();
    relayer.relay_block(number, &mut |e| events.push(e)).await;
    events
}

fn short(events: &[RelayEvent]) -> Vec<&'static str> {
    events
        .iter()
        .map(|e| match e {
            RelayEvent::Seen { .. } => "Seen",
            RelayEvent::Progress { .. } => "Progress",
            RelayEvent::Aggregated { .. } => "Aggregated",
            RelayEvent::Submitted { .. } => "Submitted",
            RelayEvent::Delivered(_) => "Delivered",
            RelayEvent::AlreadyDelivered { .. } => "AlreadyDelivered",
            RelayEvent::Retrying { .. } => "Retrying",
            RelayEvent::Failed { .. } => "Failed",
        })
        .collect()
}

/// `Seen`, then one or more `Progress`, then `tail`.
fn assert_shape(events: &[RelayEvent], tail: &[&str]) {
    let names = short(events);
    let progress = names.iter().filter(|n| **n == "Progress").count();
    assert!(progress >= 1, "{names:?}");
    let mut expected = vec!["Seen"];
    expected.extend(std::iter::repeat_n("Progress", progress));
    expected.extend_from_slice(tail);
    assert_eq!(names, expected);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_message_is_delivered_once_and_a_replay_is_recognised() {
    let fx = Fixture::new();
    let (producer, mut errors) = produce(&fx.b);
    let data = b"hello B, from A".as_slice();
    let (number, message) = fx.send(data);
    let id = message.id();
    assert_eq!(fx.received_count(), U256::ZERO);

    let mut relayer = fx.honest_relayer();
    let events = relay(&mut relayer, number).await;
    assert_shape(&events, &["Aggregated", "Submitted", "Delivered"]);
    assert_eq!(events[0], RelayEvent::Seen { id, route: "messenger".into(), block: number });
    let answers = events.iter().filter(|e| matches!(e, RelayEvent::Progress { .. })).count();

    let RelayEvent::Aggregated { id: aggregated_id, signers, signed_weight, needed, progress, .. } =
        &events[events.len() - 3]
    else {
        panic!("{events:?}")
    };
    assert_eq!(*aggregated_id, id);
    assert!(*signed_weight >= *needed && *needed == progress.needed, "{signed_weight} < {needed}");
    assert_eq!(progress.valid + progress.invalid + progress.refused + progress.timed_out, answers);
    let RelayEvent::Submitted { id: submitted_id, tx, gas_limit, predicate_gas } =
        events[events.len() - 2].clone()
    else {
        panic!("{events:?}")
    };
    assert_eq!(submitted_id, id);
    let RelayEvent::Delivered(delivery) = events.last().unwrap().clone() else { panic!("{events:?}") };
    assert_eq!((delivery.id, delivery.tx, delivery.signers), (id, tx, *signers));
    assert_eq!(delivery.route, "messenger");

    // The receipt on B: success, predicate verified, within the gas limit.
    let (block, receipt) = fx.b.with_chain(|c| c.receipt(&tx).map(|(n, r)| (n, r.clone()))).unwrap();
    assert_eq!(block, delivery.block);
    assert!(receipt.success, "{receipt:?}");
    assert!(receipt.failed_predicates.is_empty());
    assert_eq!(receipt.gas_used, delivery.gas_used);
    assert!(gas_limit >= receipt.gas_used, "gas limit {gas_limit} < used {}", receipt.gas_used);
    assert!(gas_limit >= predicate_gas, "gas limit {gas_limit} < predicate gas {predicate_gas}");
    assert!(predicate_gas > 0);

    // The transaction carries the signed message as predicate 0, verifiable against A's set.
    let sent = fx.b.with_chain(|c| {
        let (b, _) = c.block(block).unwrap();
        b.transactions.iter().find(|t| *t.tx_hash() == tx).cloned().unwrap()
    });
    assert_eq!(
        (sent.recover_signer().unwrap(), sent.to(), sent.gas_limit()),
        (relayer_wallet().address(), Some(fx.messenger_b), gas_limit)
    );
    let predicates = warp_predicates(sent.access_list().unwrap());
    assert_eq!(predicates.len(), 1);
    let signed = Message::parse(&unpack(predicates[0]).unwrap()).unwrap();
    assert_eq!(signed.unsigned(), &message);
    let verified = signed.verify(NETWORK, &fx.set_a(), Quorum::DEFAULT).unwrap();
    assert_eq!((verified.signers, verified.signed_weight), (*signers, *signed_weight));

    // The app's effect.
    assert_eq!(fx.received_count(), U256::from(1));
    assert_eq!(fx.view(CrossChainMessenger::lastDataCall {}).as_ref(), data);
    assert!(relayer.delivered().contains(&id));

    // The same relayer again: it remembers, submits nothing.
    let height = fx.b_height();
    let nonce = fx.b.next_nonce(relayer_wallet().address());
    let again = relay(&mut relayer, number).await;
    assert_eq!(
        again,
        vec![
            RelayEvent::Seen { id, route: "messenger".into(), block: number },
            RelayEvent::AlreadyDelivered { id }
        ]
    );
    assert_eq!((fx.b_height(), fx.b.next_nonce(relayer_wallet().address())), (height, nonce));

    // A fresh relayer with no memory: the app's replay refusal tells it, and it submits nothing.
    let mut fresh = fx.honest_relayer();
    assert!(fresh.delivered().is_empty());
    let events = relay(&mut fresh, number).await;
    assert_shape(&events, &["Aggregated", "AlreadyDelivered"]);
    assert_eq!(events.last(), Some(&RelayEvent::AlreadyDelivered { id }));
    assert!(fresh.delivered().contains(&id));
    assert_eq!((fx.b_height(), fx.b.next_nonce(relayer_wallet().address())), (height, nonce));
    assert_eq!(fx.received_count(), U256::from(1));

    producer.abort();
    assert!(errors.try_recv().is_err(), "B's producer failed");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_replay_selector_a_fresh_relayer_reports_the_revert() {
    let fx = Fixture::new();
    let (producer, _errors) = produce(&fx.b);
    let (number, message) = fx.send(b"once");
    let events = relay(&mut fx.honest_relayer(), number).await;
    assert!(matches!(events.last(), Some(RelayEvent::Delivered(_))), "{events:?}");

    // A relayer that does not know AlreadyReceived: the simulation's revert is a failure, not a submission.
    let height = fx.b_height();
    let net = fx.network(|_| Behaviour::Honest);
    let mut unaware = Relayer::new(
        Arc::clone(&fx.a),
        Arc::clone(&fx.b),
        Aggregator::new(net, aggregator_config(1_000, 5_000)),
        RelayerConfig {
            wallet: relayer_wallet(),
            routes: vec![Route {
                name: "messenger".into(),
                source_address: fx.messenger_a,
                destination: fx.messenger_b,
                calldata: CrossChainMessenger::receiveMessageCall { index: 0 }.abi_encode().into(),
                destination_chain_word: None,
            }],
            receipt_timeout: Duration::from_secs(10),
            replay_errors: Vec::new(),
            attempts: 1,
            concurrency: 1,
        },
    );
    let events = relay(&mut unaware, number).await;
    assert_shape(&events, &["Aggregated", "Failed"]);
    let Some(RelayEvent::Failed { id, reason }) = events.last() else { panic!("{events:?}") };
    assert_eq!(*id, message.id());
    let selector = hex::encode(CrossChainMessenger::AlreadyReceived::SELECTOR);
    assert!(reason.contains("reverts in simulation") && reason.contains(&selector), "{reason}");
    assert!(unaware.delivered().is_empty());
    assert_eq!(fx.b_height(), height);
    assert_eq!(fx.received_count(), U256::from(1));
    producer.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn messages_without_a_route_are_ignored() {
    let fx = Fixture::new();
    // The user calls the precompile directly: an AddressedCall from the user, which has no route.
    let send = IWarpMessenger::sendWarpMessageCall { payload: Bytes::from_static(b"not for a route") };
    let (number, _) = seal(&fx.a, Some(WARP_ADDRESS), send.abi_encode());
    let receipts = fx.a.with_chain(|c| c.block(number).unwrap().1.to_vec());
    assert_eq!(sent_messages(&receipts).len(), 1);

    let mut relayer = fx.honest_relayer();
    let height = fx.b_height();
    assert!(relay(&mut relayer, number).await.is_empty());
    // A block without messages, and a block that does not exist.
    assert!(relay(&mut relayer, 1).await.is_empty());
    assert!(relay(&mut relayer, 999).await.is_empty());
    assert!(relayer.delivered().is_empty());
    assert_eq!(fx.b_height(), height);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn too_many_silent_validators_fail_the_message_and_nothing_is_submitted() {
    let fx = Fixture::new();
    let (producer, _errors) = produce(&fx.b);
    let (number, message) = fx.send(b"will not arrive");
    // 6 of 10 validators never answer.
    let silent = |i: usize| !i.is_multiple_of(5) && i % 5 != 3;
    let net = fx.network(|i| if silent(i) { Behaviour::Silent } else { Behaviour::Honest });
    let mut relayer = fx.relayer(net, aggregator_config(100, 2_000));
    let height = fx.b_height();
    let nonce = fx.b.next_nonce(relayer_wallet().address());

    let events = relay(&mut relayer, number).await;
    assert_shape(&events, &["Failed"]);
    // One report per answer, and one that verifies the signatures still pending.
    assert_eq!(events.iter().filter(|e| matches!(e, RelayEvent::Progress { .. })).count(), VALIDATORS + 1);
    let Some(RelayEvent::Failed { id, reason }) = events.last() else { panic!("{events:?}") };
    assert_eq!(*id, message.id());
    let gathered: u64 =
        fx.keys_a.iter().enumerate().filter(|(i, _)| !silent(*i)).map(|(_, k)| k.weight).sum();
    let total: u64 = fx.keys_a.iter().map(|k| k.weight).sum();
    let needed = Quorum::DEFAULT.required_weight(total);
    assert!(gathered < needed);
    assert!(reason.contains(&format!("gathered weight {gathered} of total {total}")), "{reason}");
    assert!(reason.contains(&format!("needs {needed}")), "{reason}");
    assert!(reason.contains("6 timed out"), "{reason}");

    assert!(relayer.delivered().is_empty());
    assert_eq!((fx.b_height(), fx.b.next_nonce(relayer_wallet().address())), (height, nonce));
    assert_eq!(fx.received_count(), U256::ZERO);
    producer.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_attempt_is_retried_before_the_message_is_reported_failed() {
    let fx = Fixture::new();
    let (producer, _errors) = produce(&fx.b);
    let (number, message) = fx.send(b"tried twice");
    let net = fx.network(|i| if i % 5 == 0 { Behaviour::Honest } else { Behaviour::Silent });
    let mut relayer = fx.relayer_with_attempts(net, aggregator_config(50, 2_000), 2);
    let events = relay(&mut relayer, number).await;
    let names: Vec<&str> = short(&events).into_iter().filter(|n| *n != "Progress").collect();
    assert_eq!(names, ["Seen", "Retrying", "Failed"]);
    let Some(RelayEvent::Retrying { id, attempt: 1, reason }) =
        events.iter().find(|e| matches!(e, RelayEvent::Retrying { .. }))
    else {
        panic!("{events:?}")
    };
    assert_eq!(*id, message.id());
    assert!(reason.contains("8 timed out"), "{reason}");
    assert_eq!(
        events.iter().filter(|e| matches!(e, RelayEvent::Progress { .. })).count(),
        2 * (VALIDATORS + 1)
    );
    producer.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_running_relayer_delivers_what_a_sends() {
    let fx = Fixture::new();
    let (producer_a, mut errors_a) = produce(&fx.a);
    let (producer_b, mut errors_b) = produce(&fx.b);
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let relayer = tokio::spawn(fx.honest_relayer().run(move |event| {
        let _ = events_tx.send(event);
    }));

    let texts: [&[u8]; 2] = [b"first message", b"second message"];
    let hashes: Vec<_> = texts
        .iter()
        .map(|t| fx.a.sign_and_submit(&user(), user_request(Some(fx.messenger_a), fx.send_call(t))).unwrap())
        .collect();
    for hash in &hashes {
        let (_, receipt) = fx.a.wait_for_receipt(*hash, Duration::from_secs(10)).await.unwrap();
        assert!(receipt.success);
    }

    let mut delivered = Vec::new();
    let mut seen = Vec::new();
    let collect = async {
        while delivered.len() < texts.len() {
            match events.recv().await.expect("the relayer stopped") {
                RelayEvent::Seen { id, .. } => seen.push(id),
                RelayEvent::Delivered(d) => delivered.push(d),
                RelayEvent::Failed { id, reason } => panic!("{id}: {reason}"),
                RelayEvent::AlreadyDelivered { id } => panic!("{id} already delivered"),
                _ => {}
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(20), collect).await.expect("no delivery within 20 s");

    // Delivered in the order sent, each once.
    assert_eq!(delivered.iter().map(|d| d.id).collect::<Vec<_>>(), seen);
    for d in &delivered {
        let (_, receipt) = fx.b.with_chain(|c| c.receipt(&d.tx).map(|(n, r)| (n, r.clone()))).unwrap();
        assert!(receipt.success && receipt.failed_predicates.is_empty());
    }
    assert_eq!(fx.received_count(), U256::from(2));
    assert_eq!(fx.view(CrossChainMessenger::lastDataCall {}).as_ref(), texts[1]);

    relayer.abort();
    producer_a.abort();
    producer_b.abort();
    assert!(errors_a.try_recv().is_err() && errors_b.try_recv().is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_concurrent_relayer_delivers_every_message_once() {
    let fx = Fixture::new();
    let (producer_a, _errors_a) = produce(&fx.a);
    let (producer_b, mut errors_b) = produce(&fx.b);
    // Some validators answer late, so several messages are in flight at once.
    let net =
        fx.network(
            |i| if i % 3 == 0 { Behaviour::Slow(Duration::from_millis(30)) } else { Behaviour::Honest },
        );
    let relayer = fx.relayer_with(net, aggregator_config(1_000, 5_000), 2, 8);
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let running = tokio::spawn(relayer.run(move |event| {
        let _ = events_tx.send(event);
    }));
    const COUNT: usize = 20;
    for i in 0..COUNT {
        let text = format!("concurrent message {i}");
        fx.a.sign_and_submit(&user(), user_request(Some(fx.messenger_a), fx.send_call(text.as_bytes())))
            .unwrap();
    }
    let mut delivered = std::collections::HashMap::new();
    let collect = async {
        while delivered.len() < COUNT {
            match events.recv().await.expect("the relayer stopped") {
                RelayEvent::Delivered(d) => assert!(delivered.insert(d.id, d).is_none(), "delivered twice"),
                RelayEvent::Failed { id, reason } => panic!("{id}: {reason}"),
                RelayEvent::AlreadyDelivered { id } => panic!("{id} already delivered"),
                _ => {}
            }
        }
    };
    tokio::time::timeout(Duration::from_secs(60), collect)
        .await
        .expect("not every message delivered within 60 s");
    for d in delivered.values() {
        let (_, receipt) = fx.b.with_chain(|c| c.receipt(&d.tx).map(|(n, r)| (n, r.clone()))).unwrap();
        assert!(receipt.success && receipt.failed_predicates.is_empty());
    }
    assert_eq!(fx.received_count(), U256::from(COUNT));
    // The relayer's nonces on B are consecutive: nothing is stuck behind a gap.
    assert_eq!(fx.b.pending_count(), 0);
    running.abort();
    producer_a.abort();
    producer_b.abort();
    assert!(errors_b.try_recv().is_err());
}

/// A delivery whose execution frees storage (a long `lastData` replaced by a short one) would earn a
/// refund on Ethereum; this chain applies none, and the gas limit covers what the delivery uses.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_delivery_that_frees_storage_gets_enough_gas() {
    let fx = Fixture::new();
    let (producer, _errors) = produce(&fx.b);
    let mut relayer = fx.honest_relayer();
    let (long, _) = fx.send(&[0x5a; 400]);
    let events = relay(&mut relayer, long).await;
    assert!(matches!(events.last(), Some(RelayEvent::Delivered(_))), "{:?}", events.last());

    let (short, message) = fx.send(b"x");
    let events = relay(&mut relayer, short).await;
    let submitted = events.iter().find_map(|e| match e {
        RelayEvent::Submitted { tx, gas_limit, .. } => Some((*tx, *gas_limit)),
        _ => None,
    });
    let (tx, gas_limit) = submitted.unwrap();
    let (_, receipt) = fx.b.with_chain(|c| c.receipt(&tx).map(|(n, r)| (n, r.clone()))).unwrap();
    assert!(
        matches!(events.last(), Some(RelayEvent::Delivered(d)) if d.id == message.id()),
        "gas limit {gas_limit}, receipt success {} gas used {}: {:?}",
        receipt.success,
        receipt.gas_used,
        events.last()
    );
    assert_eq!(fx.view(CrossChainMessenger::lastDataCall {}).as_ref(), b"x");
    producer.abort();
}
