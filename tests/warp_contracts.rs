//! End to end: the compiled example apps of `contracts/` on two chains running
//! revm with the warp precompile. A message sent by an app on one chain is signed
//! by that chain's validators, aggregated, carried in an access list, pre-verified
//! by the other chain's block verifier and executed there, as on Avalanche.
//!
//! The bytecode and ABI come from `warp_node::apps`: the committed
//! `contracts/artifacts/`, which the test command checks against a fresh
//! `forge build`.

use alloy_sol_types::{SolCall, SolConstructor, SolError, SolEvent};
use awm::core::bls::{self, SecretKey};
use awm::core::{
    aggregate_signatures, BitSetSignature, CanonicalValidatorSet, FixedValidatorState, Hash, Id, Message,
    NodeId, Payload, Quorum, QuorumPolicy, SignerBitSet, UnsignedMessage, Validator, WarpConfig,
    WarpVerifier,
};
use awm::precompile::revm::{WarpBuilder, WarpChain, WarpContext, WarpEvm, WarpTx};
use awm::precompile::{ChainConstants, DelegatePolicy, IWarpMessenger};
use awm::predicate::{warp_access_list, AccessList, BlockTx, FailureBits, GasSchedule, PredicateVerifier};
use revm::context::result::{ExecutionResult, Output};
use revm::context::{BlockEnv, CfgEnv, Context, TxEnv};
use revm::database::InMemoryDB;
use revm::primitives::hardfork::SpecId;
use revm::primitives::{Address, Bytes, TxKind, B256, U256};
use revm::state::AccountInfo;
use revm::{ExecuteCommitEvm, ExecuteEvm, MainContext};
use warp_node::apps::{App, BlockHashOracle, BridgeToken, CrossChainMessenger, TokenHome, TokenRemote};

const NETWORK_ID: u32 = 12345;
const USER: Address = Address::new([0xee; 20]);
const SPEC: SpecId = SpecId::CANCUN;

/// One chain: its EVM with the precompile, and its validators.
struct Chain {
    id: Id,
    subnet: Id,
    keys: Vec<SecretKey>,
    set: CanonicalValidatorSet,
    evm: WarpEvm<WarpContext<InMemoryDB>>,
    nonce: u64,
}

impl Chain {
    fn new(tag: u8, validators: u64) -> Self {
        let keys: Vec<SecretKey> = (0..validators)
            .map(|i| SecretKey::from_seed(&[[tag; 32].as_slice(), &i.to_be_bytes()].concat()).unwrap())
            .collect();
        let set = CanonicalValidatorSet::new(
            keys.iter()
                .enumerate()
                .map(|(i, k)| Validator::new(NodeId([tag ^ i as u8; 20]), Some(k.public_key()), 100)),
        )
        .unwrap();
        let id = Id([tag; 32]);
        let mut db = InMemoryDB::default();
        db.insert_account_info(
            USER,
            AccountInfo { balance: U256::from(10u128.pow(24)), ..Default::default() },
        );
        let chain = WarpChain::new(
            ChainConstants { network_id: NETWORK_ID, blockchain_id: id },
            GasSchedule::granite(),
            DelegatePolicy::Reverts,
        );
        let evm = Context::mainnet()
            .with_db(db)
            .with_cfg(CfgEnv::new_with_spec(SPEC))
            .with_block(BlockEnv::default())
            .with_chain(chain)
            .with_tx(WarpTx::default())
            .build_warp();
        Self { id, subnet: Id([tag ^ 0xff; 32]), keys, set, evm, nonce: 0 }
    }

    fn id(&self) -> B256 {
        B256::new(self.id.0)
    }

    fn tx(
        &mut self,
        kind: TxKind,
        input: Vec<u8>,
        access_list: AccessList,
        failures: FailureBits,
    ) -> ExecutionResult {
        let base = TxEnv::builder()
            .caller(USER)
            .kind(kind)
            .data(Bytes::from(input))
            .nonce(self.nonce)
            .gas_limit(5_000_000)
            .gas_price(0)
            .access_list(access_list)
            .tx_type(Some(1))
            .build()
            .expect("valid tx");
        let result = self.evm.transact_commit(WarpTx::new(base, failures)).expect("transaction is valid");
        self.nonce += 1;
        result
    }

    fn deploy(&mut self, app: App, constructor_args: Vec<u8>) -> Address {
        let code = app.creation_code(&constructor_args).expect("committed artifact").to_vec();
        match self.tx(TxKind::Create, code, AccessList::default(), FailureBits::none_failed()) {
            ExecutionResult::Success { output: Output::Create(_, Some(address)), .. } => address,
            other => panic!("deploying {}: {other:?}", app.name()),
        }
    }

    fn call(&mut self, to: Address, input: Vec<u8>) -> ExecutionResult {
        self.tx(TxKind::Call(to), input, AccessList::default(), FailureBits::none_failed())
    }

    fn view<C: SolCall>(&mut self, to: Address, call: C) -> C::Return {
        let base = TxEnv::builder()
            .caller(USER)
            .kind(TxKind::Call(to))
            .data(Bytes::from(call.abi_encode()))
            .nonce(self.nonce)
            .gas_limit(1_000_000)
            .gas_price(0)
            .build()
            .expect("valid tx");
        let result =
            self.evm.transact(WarpTx::new(base, FailureBits::none_failed())).expect("view runs").result;
        C::abi_decode_returns(result.output().expect("view output")).expect("view decodes")
    }

    /// The unsigned warp messages a transaction's `SendWarpMessage` logs carry.
    fn sent(result: &ExecutionResult) -> Vec<UnsignedMessage> {
        result
            .logs()
            .iter()
            .filter_map(|log| IWarpMessenger::SendWarpMessage::decode_log_data(&log.data).ok())
            .map(|event| UnsignedMessage::parse(&event.message).expect("the precompile's bytes parse"))
            .collect()
    }

    /// The message signed by this chain's validators at `indices` (heaviest first
    /// until the default quorum, through the aggregator).
    fn sign(&self, unsigned: &UnsignedMessage) -> Message {
        let sigs: Vec<(NodeId, Vec<u8>)> = self
            .set
            .validators()
            .iter()
            .zip(&self.keys_in_canonical_order())
            .map(|(v, k)| (v.node_ids[0], k.sign(&unsigned.to_bytes()).to_bytes().to_vec()))
            .collect();
        aggregate_signatures(
            unsigned,
            &self.set,
            Quorum::DEFAULT,
            sigs.iter().map(|(n, s)| (*n, s.as_slice())),
        )
        .expect("quorum")
        .message
    }

    /// A signature by chosen canonical indices with chosen keys, for the failing paths.
    fn sign_with(&self, unsigned: &UnsignedMessage, indices: &[usize], keys: &[&SecretKey]) -> Message {
        let sigs: Vec<_> = keys.iter().map(|k| k.sign(&unsigned.to_bytes())).collect();
        let aggregate = bls::aggregate_signatures(&sigs).unwrap();
        Message::new(
            unsigned.clone(),
            BitSetSignature::new(SignerBitSet::from_indices(indices.iter().copied()), aggregate.to_bytes()),
        )
    }

    fn keys_in_canonical_order(&self) -> Vec<SecretKey> {
        self.set
            .validators()
            .iter()
            .map(|v| {
                self.keys
                    .iter()
                    .find(|k| k.public_key() == v.public_key)
                    .expect("every validator has a key")
                    .clone()
            })
            .collect()
    }

    /// Delivers `messages` in one transaction's access list calling `to` with
    /// `input`: the block verifier of this chain computes the failure bits
    /// against `sources`' validator sets, then the transaction runs.
    fn deliver(
        &mut self,
        sources: &[&Chain],
        messages: &[&Message],
        to: Address,
        input: Vec<u8>,
    ) -> ExecutionResult {
        let mut state = FixedValidatorState::new();
        for source in sources {
            state = state.with_chain(source.id, source.subnet).with_set(source.subnet, source.set.clone());
        }
        let config = WarpConfig {
            network_id: NETWORK_ID,
            subnet_id: self.subnet,
            require_primary_network_signers: false,
            quorum: QuorumPolicy::new(Quorum::DEFAULT),
        };
        let verifier = PredicateVerifier::new(WarpVerifier::new(state, config), GasSchedule::granite());
        let bytes: Vec<Vec<u8>> = messages.iter().map(|m| m.to_bytes()).collect();
        let access_list = warp_access_list(bytes.iter().map(Vec::as_slice));
        let hash = B256::with_last_byte(self.nonce as u8);
        let results = verifier
            .block_results(&[BlockTx::new(hash, &access_list, u64::MAX, 21_000)], 1)
            .expect("block verifies");
        let failures = results.warp_failures(&hash, messages.len()).expect("the block pre-verified it");
        self.tx(TxKind::Call(to), input, access_list, failures)
    }
}

fn reverted_with<E: SolError + PartialEq + std::fmt::Debug>(result: &ExecutionResult, expected: E) {
    match result {
        ExecutionResult::Revert { output, .. } => {
            assert_eq!(E::abi_decode(output).expect("the expected error"), expected)
        }
        other => panic!("expected a revert, got {other:?}"),
    }
}

fn messengers() -> (Chain, Chain, Address, Address) {
    let mut a = Chain::new(0xa1, 10);
    let mut b = Chain::new(0xb2, 12);
    let on_a = a.deploy(App::CrossChainMessenger, Vec::new());
    let on_b = b.deploy(App::CrossChainMessenger, Vec::new());
    let allow = CrossChainMessenger::allowSenderCall { sourceChainID: a.id(), sender: on_a }.abi_encode();
    assert!(b.call(on_b, allow).is_success());
    (a, b, on_a, on_b)
}

fn send(a: &mut Chain, from: Address, to_chain: B256, to: Address, data: &[u8]) -> UnsignedMessage {
    let input = CrossChainMessenger::sendMessageCall {
        destinationChainID: to_chain,
        destination: to,
        data: Bytes::copy_from_slice(data),
    }
    .abi_encode();
    let result = a.call(from, input);
    assert!(result.is_success(), "{result:?}");
    let mut sent = Chain::sent(&result);
    assert_eq!(sent.len(), 1);
    sent.remove(0)
}

fn receive_call() -> Vec<u8> {
    CrossChainMessenger::receiveMessageCall { index: 0 }.abi_encode()
}

#[test]
fn a_message_crosses_from_a_to_b() {
    let (mut a, mut b, on_a, on_b) = messengers();
    let unsigned = send(&mut a, on_a, b.id(), on_b, b"hello from A");
    assert_eq!(unsigned.network_id(), NETWORK_ID);
    assert_eq!(unsigned.source_chain_id(), a.id);
    let signed = a.sign(&unsigned);
    let result = b.deliver(&[&a], &[&signed], on_b, receive_call());
    assert!(result.is_success(), "{result:?}");
    assert_eq!(b.view(on_b, CrossChainMessenger::lastDataCall {}).as_ref(), b"hello from A");
    assert_eq!(b.view(on_b, CrossChainMessenger::lastSourceChainIDCall {}), a.id());
    assert_eq!(b.view(on_b, CrossChainMessenger::lastFromCall {}), USER);
    assert_eq!(b.view(on_b, CrossChainMessenger::receivedCountCall {}), U256::from(1));
}

#[test]
fn failing_deliveries_end_as_the_reference_would_and_change_nothing() {
    let (mut a, mut b, on_a, on_b) = messengers();
    let unsigned = send(&mut a, on_a, b.id(), on_b, b"payload");
    let untouched = |b: &mut Chain| {
        assert_eq!(b.view(on_b, CrossChainMessenger::receivedCountCall {}), U256::ZERO);
        assert!(b.view(on_b, CrossChainMessenger::lastDataCall {}).is_empty());
    };
    let invalid = CrossChainMessenger::InvalidWarpMessage { index: 0 };

    // Too little stake: 6 of 10 equal validators is below 67%.
    let keys = a.keys_in_canonical_order();
    let few: Vec<&SecretKey> = keys.iter().take(6).collect();
    let under = a.sign_with(&unsigned, &[0, 1, 2, 3, 4, 5], &few);
    reverted_with(&b.deliver(&[&a], &[&under], on_b, receive_call()), invalid.clone());
    untouched(&mut b);

    // A signature from the wrong key: validator 0's place signed by an outsider.
    let outsider = SecretKey::from_seed(&[0x66; 32]).unwrap();
    let mut wrong: Vec<&SecretKey> = keys.iter().take(7).collect();
    wrong[0] = &outsider;
    let forged = a.sign_with(&unsigned, &[0, 1, 2, 3, 4, 5, 6], &wrong);
    reverted_with(&b.deliver(&[&a], &[&forged], on_b, receive_call()), invalid.clone());
    untouched(&mut b);

    // The wrong network ID: the same payload, properly signed, for network 1.
    let other_network =
        UnsignedMessage::new(1, unsigned.source_chain_id(), unsigned.payload().to_vec()).unwrap();
    let all: Vec<&SecretKey> = keys.iter().collect();
    let mainnet = a.sign_with(&other_network, &(0..10).collect::<Vec<_>>(), &all);
    reverted_with(&b.deliver(&[&a], &[&mainnet], on_b, receive_call()), invalid);
    untouched(&mut b);

    // A valid message from a sender not on the allow list: the app refuses it.
    let stranger = a.deploy(App::CrossChainMessenger, Vec::new());
    let stranger_message = send(&mut a, stranger, b.id(), on_b, b"payload");
    let from_stranger = a.sign(&stranger_message);
    reverted_with(
        &b.deliver(&[&a], &[&from_stranger], on_b, receive_call()),
        CrossChainMessenger::UnknownSender { sourceChainID: a.id(), sender: stranger },
    );
    untouched(&mut b);

    // A replay: the first delivery lands, the second is refused.
    let signed = a.sign(&unsigned);
    assert!(b.deliver(&[&a], &[&signed], on_b, receive_call()).is_success());
    let replay = b.deliver(&[&a], &[&signed], on_b, receive_call());
    assert!(matches!(replay, ExecutionResult::Revert { .. }), "{replay:?}");
    assert!(CrossChainMessenger::AlreadyReceived::abi_decode(replay.output().unwrap()).is_ok());
    assert_eq!(b.view(on_b, CrossChainMessenger::receivedCountCall {}), U256::from(1));
}

#[test]
fn the_oracle_records_a_verified_block_hash() {
    let a = Chain::new(0xa1, 10);
    let mut b = Chain::new(0xb2, 12);
    let oracle = b.deploy(App::BlockHashOracle, Vec::new());
    let block_hash = B256::repeat_byte(0x42);
    let unsigned =
        UnsignedMessage::new(NETWORK_ID, a.id, Payload::Hash(Hash { hash: Id(block_hash.0) }).to_bytes())
            .unwrap();
    let signed = a.sign(&unsigned);
    let record = BlockHashOracle::recordBlockHashCall { index: 0 }.abi_encode();
    // Not yet allowed: the app refuses a valid attestation.
    reverted_with(
        &b.deliver(&[&a], &[&signed], oracle, record.clone()),
        BlockHashOracle::UnknownSource { sourceChainID: a.id() },
    );
    assert!(b
        .call(oracle, BlockHashOracle::allowSourceCall { sourceChainID: a.id() }.abi_encode())
        .is_success());
    // An under-signed attestation reads as invalid.
    let keys = a.keys_in_canonical_order();
    let under = a.sign_with(&unsigned, &[0, 1], &[&keys[0], &keys[1]]);
    reverted_with(
        &b.deliver(&[&a], &[&under], oracle, record.clone()),
        BlockHashOracle::InvalidWarpBlockHash { index: 0 },
    );
    let result = b.deliver(&[&a], &[&signed], oracle, record);
    assert!(result.is_success(), "{result:?}");
    assert!(b.view(oracle, BlockHashOracle::isVerifiedCall { sourceChainID: a.id(), blockHash: block_hash }));
    assert_eq!(b.view(oracle, BlockHashOracle::latestCall { sourceChainID: a.id() }), block_hash);
}

#[test]
fn a_bridge_round_trip_locks_mints_burns_and_releases() {
    let mut home = Chain::new(0xa1, 10);
    let mut remote = Chain::new(0xb2, 12);
    let supply = U256::from(1_000_000u64);
    let token = home.deploy(
        App::BridgeToken,
        BridgeToken::constructorCall {
            name_: "Token".into(),
            symbol_: "TKN".into(),
            minter_: USER,
            initialSupply: supply,
            initialHolder: USER,
        }
        .abi_encode(),
    );
    let home_bridge = home.deploy(App::TokenHome, TokenHome::constructorCall { token }.abi_encode());
    let cap = U256::from(500u64);
    let remote_bridge = remote.deploy(
        App::TokenRemote,
        TokenRemote::constructorCall { homeChainID: home.id(), homeBridge: home_bridge, mintCap: cap }
            .abi_encode(),
    );
    let configure =
        TokenHome::configureCall { remoteChainID: remote.id(), remoteBridge: remote_bridge }.abi_encode();
    assert!(home.call(home_bridge, configure).is_success());
    let approve = BridgeToken::approveCall { spender: home_bridge, amount: supply }.abi_encode();
    assert!(home.call(token, approve).is_success());
    let wrapped = remote.view(remote_bridge, TokenRemote::tokenCall {});
    let balance = |chain: &mut Chain, token| chain.view(token, BridgeToken::balanceOfCall { account: USER });

    // Lock 300 at home, mint 300 on the remote chain.
    let lock = |home: &mut Chain, amount: u64| {
        let input = TokenHome::lockCall { amount: U256::from(amount), recipient: USER }.abi_encode();
        let result = home.call(home_bridge, input);
        assert!(result.is_success(), "{result:?}");
        home.sign(&Chain::sent(&result)[0])
    };
    let mint = TokenRemote::mintCall { index: 0 }.abi_encode();
    let first = lock(&mut home, 300);
    assert!(remote.deliver(&[&home], &[&first], remote_bridge, mint.clone()).is_success());
    assert_eq!(balance(&mut remote, wrapped), U256::from(300));
    assert_eq!(balance(&mut home, token), supply - U256::from(300));
    // The same lock again is a replay.
    let replay = remote.deliver(&[&home], &[&first], remote_bridge, mint.clone());
    assert!(TokenRemote::AlreadyProcessed::abi_decode(replay.output().unwrap()).is_ok(), "{replay:?}");

    // A second lock of 300 would put 600 over the cap of 500: refused, nothing minted.
    let second = lock(&mut home, 300);
    reverted_with(
        &remote.deliver(&[&home], &[&second], remote_bridge, mint),
        TokenRemote::CapExceeded { minted: U256::from(300), amount: U256::from(300), cap },
    );
    assert_eq!(remote.view(remote_bridge, TokenRemote::mintedCall {}), U256::from(300));

    // Burn 120 on the remote chain, release 120 at home.
    let burn = TokenRemote::burnCall { amount: U256::from(120), recipient: USER }.abi_encode();
    let burned = remote.call(remote_bridge, burn);
    assert!(burned.is_success(), "{burned:?}");
    let signed = remote.sign(&Chain::sent(&burned)[0]);
    let release = TokenHome::releaseCall { index: 0 }.abi_encode();
    let result = home.deliver(&[&remote], &[&signed], home_bridge, release);
    assert!(result.is_success(), "{result:?}");
    assert_eq!(balance(&mut remote, wrapped), U256::from(180));
    assert_eq!(balance(&mut home, token), supply - U256::from(600) + U256::from(120));
    assert_eq!(home.view(home_bridge, TokenHome::lockedCall {}), U256::from(480));
}
