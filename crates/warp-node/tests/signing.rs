//! The validator signing service: the accept hook, ACP-118 requests, the reference's refusals and codes.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use std::sync::Arc;

use alloy_primitives::{Address, Bytes, Log, LogData, B256, U256};
use alloy_sol_types::{SolCall, SolEvent};
use awm_core::acp118::{decode_signature_response, encode_signature_request, Acp118Error};
use awm_core::bls::{PublicKey, Signature};
use awm_core::{
    AddressedCall, CodecError, FixedValidatorState, Hash, Id, Payload, Signer, SignerError, UnsignedMessage,
};
use warp_node::devnet::{signing_services, validator_keys, ValidatorKey};
use warp_node::signing::{parse_off_chain_messages, OffChainMessageError};
use warp_node::signing::{ValidatorUptime, PARSE_ERR_CODE, UNEXPECTED_ERR_CODE, VERIFY_ERR_CODE};
use warp_node::{
    sent_messages, BuiltBlock, Chain, ChainConfig, Genesis, Receipt, Refusal, SigningService, Wallet,
};
use warp_precompile::IWarpMessenger;
use warp_predicate::WARP_ADDRESS;

const NETWORK: u32 = 12345;
const HERE: Id = Id([0xaa; 32]);
const OTHER_CHAIN: Id = Id([0xcc; 32]);
const SUBNET: Id = Id([0x1a; 32]);
/// The sender of every message.
fn user() -> Wallet {
    Wallet::from_seed("signing test user").unwrap()
}
const T0: u64 = 1_000;

fn chain() -> Chain {
    let funded = warp_node::GenesisAccount::funded(U256::from(10u128.pow(24)));
    let genesis = Genesis { timestamp: T0, alloc: vec![(user().address(), funded)] };
    Chain::new(ChainConfig::new(NETWORK, HERE, SUBNET, 43_112), genesis)
}

fn keys() -> Vec<ValidatorKey> {
    validator_keys("signing", 3, |i| 100 + i as u64).unwrap()
}

fn services(keys: &[ValidatorKey]) -> Vec<Arc<SigningService>> {
    signing_services(keys, NETWORK, HERE)
}

/// Builds the next block with one `sendWarpMessage(payload)` from the user per payload.
fn send_block(chain: &mut Chain, payloads: &[&[u8]]) -> BuiltBlock {
    let wallet = user();
    let txs = payloads
        .iter()
        .enumerate()
        .map(|(i, payload)| {
            wallet.sign_recovered(alloy_consensus::TxEip1559 {
                chain_id: 43_112,
                nonce: chain.nonce(wallet.address()) + i as u64,
                gas_limit: 1_000_000,
                max_fee_per_gas: u128::from(warp_node::config::DEFAULT_BASE_FEE),
                to: alloy_primitives::TxKind::Call(WARP_ADDRESS),
                input: Bytes::from(
                    IWarpMessenger::sendWarpMessageCall { payload: Bytes::copy_from_slice(payload) }
                        .abi_encode(),
                ),
                ..Default::default()
            })
        })
        .collect();
    let timestamp = chain.head_timestamp() + 1;
    let built = chain.build_block(txs, timestamp, 0, FixedValidatorState::new()).unwrap();
    assert!(built.excluded.is_empty(), "{:?}", built.excluded);
    assert_eq!(built.receipts.len(), payloads.len());
    assert!(built.receipts.iter().all(|r| r.success), "{:?}", built.receipts);
    built
}

/// The unsigned message the precompile builds for `USER` sending `payload` on this chain.
fn expected_message(payload: &[u8]) -> UnsignedMessage {
    let call = AddressedCall::new(user().address().to_vec(), payload.to_vec()).unwrap();
    UnsignedMessage::new(NETWORK, HERE, call.to_bytes()).unwrap()
}

fn hash_message(network: u32, chain: Id, hash: B256) -> UnsignedMessage {
    let payload = Payload::Hash(Hash { hash: Id(hash.0) }).to_bytes();
    UnsignedMessage::new(network, chain, payload).unwrap()
}

fn verifies(key: &PublicKey, message: &[u8], signature: &[u8; 96]) -> bool {
    key.verify(message, &Signature::from_bytes(signature).unwrap())
}

/// The refusal of an `AddressedCall` a validator never stored (its payload is
/// no uptime attestation): Subnet-EVM's parse error, code 1.
fn unknown(msg: &UnsignedMessage) -> Refusal {
    let call = AddressedCall::parse(msg.payload()).unwrap();
    Refusal::UnknownAddressedCall {
        id: msg.id(),
        source: ValidatorUptime::parse(call.payload()).unwrap_err(),
    }
}

/// `service` refuses `message` both directly and over ACP-118, with `expected` and `code`.
fn assert_refused(service: &SigningService, message: &[u8], expected: &Refusal, code: i32) {
    let direct = service.sign(message).unwrap_err();
    assert_eq!(&direct, expected);
    assert_eq!(direct.code(), code, "{direct}");
    let over_acp118 = service.handle(&encode_signature_request(message, &[])).unwrap_err();
    assert_eq!(&over_acp118, expected);
    assert_eq!(over_acp118.code(), code, "{over_acp118}");
}

#[test]
fn an_accepted_send_becomes_signable_directly_and_over_acp118() {
    let keys = keys();
    let services = services(&keys);
    let mut chain = chain();
    let built = send_block(&mut chain, &[b"first", b"second"]);
    let expected = [expected_message(b"first"), expected_message(b"second")];

    // The log's messageID topic is the ID of the message in its data.
    for (receipt, msg) in built.receipts.iter().zip(&expected) {
        assert_eq!(receipt.logs.len(), 1);
        let log = &receipt.logs[0];
        assert_eq!(log.address, WARP_ADDRESS);
        let event = IWarpMessenger::SendWarpMessage::decode_log_data(&log.data).unwrap();
        assert_eq!(event.messageID.0, msg.id().0);
        assert_eq!(event.message.as_ref(), msg.to_bytes().as_slice());
    }
    assert_eq!(sent_messages(&built.receipts), expected.to_vec());

    for (service, key) in services.iter().zip(&keys) {
        assert_eq!(service.node_id(), key.node_id);
        assert_eq!(service.public_key(), key.secret_key.public_key());
        assert_eq!(service.stored_messages(), 0);
        let ids = service.accept(&built.block, &built.receipts);
        assert_eq!(ids, vec![expected[0].id(), expected[1].id()]);
        assert_eq!(service.stored_messages(), 2);

        for msg in &expected {
            let bytes = msg.to_bytes();
            let signature = service.sign(&bytes).unwrap();
            assert!(verifies(&service.public_key(), &bytes, &signature));
            assert_eq!(signature, key.secret_key.sign(&bytes).to_bytes());

            let response = service.handle(&encode_signature_request(&bytes, &[])).unwrap();
            assert_eq!(response.len(), 2 + 96);
            assert_eq!(&response[..2], &[0x0a, 0x60]);
            assert_eq!(decode_signature_response(&response).unwrap(), Some(signature));
            // A justification does not change what an EVM validator signs.
            let justified = service.handle(&encode_signature_request(&bytes, b"because")).unwrap();
            assert_eq!(justified, response);
        }
    }
    // Each validator signs with its own key: another's key does not verify it.
    let bytes = expected[0].to_bytes();
    let first = services[0].sign(&bytes).unwrap();
    assert!(!verifies(&services[1].public_key(), &bytes, &first));
    assert_ne!(first, services[1].sign(&bytes).unwrap());

    // Accepting the same block again adds nothing new.
    assert_eq!(services[0].accept(&built.block, &built.receipts), vec![expected[0].id(), expected[1].id()]);
    assert_eq!(services[0].stored_messages(), 2);
}

#[test]
fn an_addressed_call_it_never_stored_is_an_unknown_message() {
    let keys = keys();
    let service = &services(&keys)[0];
    let mut chain = chain();
    let built = send_block(&mut chain, &[b"stored"]);
    service.accept(&built.block, &built.receipts);

    // Same chain, same network, same sender, but never sent.
    let unsent = expected_message(b"never sent");
    assert_refused(service, &unsent.to_bytes(), &unknown(&unsent), PARSE_ERR_CODE);
    assert_eq!(PARSE_ERR_CODE, 1);

    // The stored message with one byte of its payload changed is another message.
    let stored = expected_message(b"stored");
    let call = AddressedCall::new(user().address().to_vec(), b"stoRed".to_vec()).unwrap();
    let altered = UnsignedMessage::new(NETWORK, HERE, call.to_bytes()).unwrap();
    assert_ne!(altered.id(), stored.id());
    assert_refused(service, &altered.to_bytes(), &unknown(&altered), PARSE_ERR_CODE);
    assert!(service.sign(&stored.to_bytes()).is_ok());
}

#[test]
fn a_hash_payload_is_signed_only_for_an_accepted_block() {
    let keys = keys();
    let service = &services(&keys)[0];
    let mut chain = chain();
    let built = send_block(&mut chain, &[b"x"]);
    let block_hash = built.block.hash();
    service.accept(&built.block, &built.receipts);

    let attestation = hash_message(NETWORK, HERE, block_hash).to_bytes();
    let signature = service.sign(&attestation).unwrap();
    assert!(verifies(&service.public_key(), &attestation, &signature));
    let response = service.handle(&encode_signature_request(&attestation, &[])).unwrap();
    assert_eq!(decode_signature_response(&response).unwrap(), Some(signature));

    // (The genesis hash, zero on this chain, is accepted only through the node
    // or `accept_genesis`: this service was made by hand.)
    for hash in
        [B256::ZERO, built.block.header.parent_hash, built.block.header.state_root, B256::repeat_byte(7)]
    {
        assert_ne!(hash, block_hash);
        let bytes = hash_message(NETWORK, HERE, hash).to_bytes();
        assert_refused(service, &bytes, &Refusal::NotAccepted { hash }, VERIFY_ERR_CODE);
    }
    assert_eq!(VERIFY_ERR_CODE, 2);
}

#[test]
fn the_signer_refuses_another_network_or_another_chain() {
    let keys = keys();
    let service = &services(&keys)[0];
    let mut chain = chain();
    let built = send_block(&mut chain, &[b"x"]);
    let block_hash = built.block.hash();
    service.accept(&built.block, &built.receipts);

    let other_network = hash_message(NETWORK + 1, HERE, block_hash).to_bytes();
    let expected = Refusal::Signer(SignerError::WrongNetworkId { expected: NETWORK, actual: NETWORK + 1 });
    assert_refused(service, &other_network, &expected, UNEXPECTED_ERR_CODE);

    let other_chain = hash_message(NETWORK, OTHER_CHAIN, block_hash).to_bytes();
    let expected = Refusal::Signer(SignerError::WrongSourceChainId { expected: HERE, actual: OTHER_CHAIN });
    assert_refused(service, &other_chain, &expected, UNEXPECTED_ERR_CODE);

    // Both wrong: the chain is checked first, as the reference's signer does.
    let both = hash_message(NETWORK + 1, OTHER_CHAIN, block_hash).to_bytes();
    assert_refused(service, &both, &expected, UNEXPECTED_ERR_CODE);
    assert_eq!(UNEXPECTED_ERR_CODE, -1);

    // And an accepted block's hash from this network and chain is still signed.
    assert!(service.sign(&hash_message(NETWORK, HERE, block_hash).to_bytes()).is_ok());
}

#[test]
fn bytes_that_are_not_a_message_or_not_a_request_are_refused() {
    let keys = keys();
    let service = &services(&keys)[0];
    let mut chain = chain();
    let built = send_block(&mut chain, &[b"x"]);
    service.accept(&built.block, &built.receipts);
    let good = expected_message(b"x").to_bytes();

    // Not an unsigned message at all.
    let cases: Vec<(&str, Vec<u8>, CodecError)> = vec![
        ("empty", Vec::new(), UnsignedMessage::parse(&[]).unwrap_err()),
        (
            "truncated",
            good[..good.len() - 1].to_vec(),
            UnsignedMessage::parse(&good[..good.len() - 1]).unwrap_err(),
        ),
        ("trailing byte", [good.as_slice(), &[0]].concat(), CodecError::TrailingBytes { count: 1 }),
        ("unknown codec version", [&[0u8, 1][..], &good[2..]].concat(), CodecError::UnknownVersion(1)),
    ];
    // The handler refuses these itself, with `p2p.ErrUnexpected`.
    for (_what, bytes, error) in cases {
        assert_refused(service, &bytes, &Refusal::UnsignedMessage(error), UNEXPECTED_ERR_CODE);
    }
    // A well-formed message whose payload is no warp payload: the verifier's parse error.
    let odd_payload = UnsignedMessage::new(NETWORK, HERE, vec![0, 0, 0, 0, 0, 9]).unwrap().to_bytes();
    let error = CodecError::UnknownTypeId { type_id: 9, what: "warp payload" };
    assert_refused(service, &odd_payload, &Refusal::Payload(error), PARSE_ERR_CODE);

    // App bytes for another p2p handler, or a cut-off request.
    let mut other_handler = encode_signature_request(&good, &[]);
    assert_eq!(other_handler[0], 2);
    other_handler[0] = 3;
    let refusal = service.handle(&other_handler).unwrap_err();
    assert_eq!(refusal, Refusal::Request(Acp118Error::WrongHandler(3)));
    assert_eq!(refusal.code(), UNEXPECTED_ERR_CODE);

    let request = encode_signature_request(&good, &[]);
    let refusal = service.handle(&request[..request.len() - 1]).unwrap_err();
    assert!(matches!(refusal, Refusal::Request(Acp118Error::Truncated { field: 1, .. })), "{refusal}");
    assert_eq!(refusal.code(), UNEXPECTED_ERR_CODE);
    assert!(matches!(service.handle(&[]).unwrap_err(), Refusal::Request(Acp118Error::Varint(0))));

    // The well-formed request is still answered.
    assert!(service.handle(&request).is_ok());
}

#[test]
fn only_the_accept_hook_makes_a_block_signable() {
    let keys = keys();
    let services = services(&keys);
    let (accepting, lagging) = (&services[0], &services[1]);
    let mut chain = chain();
    let first = send_block(&mut chain, &[b"one"]);
    let second = send_block(&mut chain, &[b"two"]);
    accepting.accept(&first.block, &first.receipts);
    accepting.accept(&second.block, &second.receipts);
    lagging.accept(&first.block, &first.receipts);

    // The lagging validator has block 2 built (it is in the chain) but never accepted it.
    let msg = expected_message(b"two").to_bytes();
    let id = expected_message(b"two").id();
    let hash = second.block.hash();
    let attestation = hash_message(NETWORK, HERE, hash).to_bytes();
    assert!(accepting.sign(&msg).is_ok());
    assert!(accepting.sign(&attestation).is_ok());
    assert_refused(lagging, &msg, &unknown(&expected_message(b"two")), PARSE_ERR_CODE);
    assert_refused(lagging, &attestation, &Refusal::NotAccepted { hash }, VERIFY_ERR_CODE);
    assert_eq!(lagging.stored_messages(), 1);
    // What it did accept, it signs.
    assert!(lagging.sign(&expected_message(b"one").to_bytes()).is_ok());

    // A validator that accepted nothing refuses even block 1.
    let fresh = &services[2];
    let one = expected_message(b"one");
    assert_refused(fresh, &one.to_bytes(), &unknown(&one), PARSE_ERR_CODE);

    // Once accepted, it signs.
    assert_eq!(lagging.accept(&second.block, &second.receipts), vec![id]);
    let signature = lagging.sign(&msg).unwrap();
    assert!(verifies(&lagging.public_key(), &msg, &signature));
    assert!(lagging.sign(&attestation).is_ok());
}

#[test]
fn only_the_precompiles_send_logs_are_stored() {
    let keys = keys();
    let service = &services(&keys)[0];
    let mut chain = chain();
    let built = send_block(&mut chain, &[b"real"]);
    let real = built.receipts[0].logs[0].clone();

    // The same log from another address, and a log from the precompile that does not decode.
    let impostor = Log { address: Address::repeat_byte(0x42), data: real.data.clone() };
    let garbage = Log {
        address: WARP_ADDRESS,
        data: LogData::new_unchecked(real.data.topics().to_vec(), Bytes::from_static(b"?")),
    };
    let receipt = |logs: Vec<Log>| Receipt { logs, ..built.receipts[0].clone() };
    let receipts = vec![receipt(vec![impostor, garbage])];
    assert!(sent_messages(&receipts).is_empty());
    assert!(service.accept(&built.block, &receipts).is_empty());
    assert_eq!(service.stored_messages(), 0);
    let msg = expected_message(b"real");
    assert_refused(service, &msg.to_bytes(), &unknown(&msg), PARSE_ERR_CODE);
    // The block itself was accepted: its hash is signable.
    assert!(service.sign(&hash_message(NETWORK, HERE, built.block.hash()).to_bytes()).is_ok());

    // With the real receipts the message is stored.
    assert_eq!(service.accept(&built.block, &built.receipts), vec![msg.id()]);
    assert!(service.sign(&msg.to_bytes()).is_ok());
}

#[test]
fn signing_twice_gives_identical_bytes() {
    let keys = keys();
    let service = &services(&keys)[0];
    let mut chain = chain();
    let built = send_block(&mut chain, &[b"cached"]);
    service.accept(&built.block, &built.receipts);

    for bytes in
        [expected_message(b"cached").to_bytes(), hash_message(NETWORK, HERE, built.block.hash()).to_bytes()]
    {
        let first = service.sign(&bytes).unwrap();
        let second = service.sign(&bytes).unwrap();
        assert_eq!(first, second);
        let request = encode_signature_request(&bytes, &[]);
        let (a, b) = (service.handle(&request).unwrap(), service.handle(&request).unwrap());
        assert_eq!(a, b);
        assert_eq!(decode_signature_response(&a).unwrap(), Some(first));
    }
    // A second service over the same key signs the same bytes, cache or not.
    let twin = SigningService::new(keys[0].node_id, Signer::new(keys[0].secret_key.clone(), NETWORK, HERE));
    twin.accept(&built.block, &built.receipts);
    let bytes = expected_message(b"cached").to_bytes();
    assert_eq!(twin.sign(&bytes).unwrap(), service.sign(&bytes).unwrap());
}

/// Review finding (Hardening II, 7): the chain's genesis is an accepted block.
/// A node's validators sign a `Hash` payload naming it, as any accepted block's.
#[test]
fn the_genesis_block_is_signable_through_the_node() {
    let keys = keys();
    let services = services(&keys);
    let chain = chain();
    let genesis = chain.genesis_hash();
    let attestation = hash_message(NETWORK, HERE, genesis).to_bytes();
    // Made by hand, a service knows no genesis.
    assert_refused(&services[0], &attestation, &Refusal::NotAccepted { hash: genesis }, VERIFY_ERR_CODE);
    let registry = Arc::new(awm_core::PChainRegistry::new());
    let node = warp_node::Node::new(chain, registry, services.clone());
    for service in node.validators() {
        let signature = service.sign(&attestation).unwrap();
        assert!(verifies(&service.public_key(), &attestation, &signature));
    }
}

/// Review finding (Hardening II, 7): Subnet-EVM's off-chain messages. Each
/// configured message must parse, carry this node's network and chain, and hold
/// an `AddressedCall`; the first bad one is refused with its index, and the good
/// ones are signed on request without any other check.
#[test]
fn off_chain_messages_are_checked_then_signed() {
    let keys = keys();
    let service =
        || SigningService::new(keys[0].node_id, Signer::new(keys[0].secret_key.clone(), NETWORK, HERE));
    let call = |payload: &[u8]| AddressedCall::new(vec![], payload.to_vec()).unwrap().to_bytes();
    let good = UnsignedMessage::new(NETWORK, HERE, call(b"an operator's message")).unwrap();
    let cases: Vec<(Vec<u8>, OffChainMessageError)> = vec![
        (
            vec![0, 0, 1],
            OffChainMessageError::Parse { index: 1, source: UnsignedMessage::parse(&[0, 0, 1]).unwrap_err() },
        ),
        (
            UnsignedMessage::new(NETWORK + 1, HERE, call(b"x")).unwrap().to_bytes(),
            OffChainMessageError::WrongNetwork { index: 1, expected: NETWORK, found: NETWORK + 1 },
        ),
        (
            UnsignedMessage::new(NETWORK, OTHER_CHAIN, call(b"x")).unwrap().to_bytes(),
            OffChainMessageError::WrongChain { index: 1, expected: HERE, found: OTHER_CHAIN },
        ),
        (
            hash_message(NETWORK, HERE, B256::repeat_byte(3)).to_bytes(),
            OffChainMessageError::NotAddressedCall {
                index: 1,
                source: CodecError::WrongType { expected: "AddressedCall", found: 0 },
            },
        ),
    ];
    for (bad, expected) in cases {
        let err = service().with_off_chain_messages([good.to_bytes(), bad]).unwrap_err();
        assert_eq!(err, expected);
        assert!(err.to_string().contains("at index 1"), "{err}");
    }

    let service = service().with_off_chain_messages([good.to_bytes()]).unwrap();
    assert_eq!(service.message(&good.id()), Some(good.to_bytes()));
    let response = service.handle(&encode_signature_request(&good.to_bytes(), &[])).unwrap();
    let signature = decode_signature_response(&response).unwrap().unwrap();
    assert!(verifies(&service.public_key(), &good.to_bytes(), &signature));

    // The setting as Subnet-EVM reads it: 0x-prefixed hex strings.
    let json: Vec<serde_json::Value> =
        serde_json::from_str(&format!(r#"["0x{}"]"#, alloy_primitives::hex::encode(good.to_bytes())))
            .unwrap();
    assert_eq!(parse_off_chain_messages(&json).unwrap(), vec![good.to_bytes()]);
    for (bad, reason) in
        [(r#"["00"]"#, "without 0x prefix"), (r#"["0x0"]"#, "odd"), (r#"[7]"#, "expected a hex string")]
    {
        let json: Vec<serde_json::Value> = serde_json::from_str(bad).unwrap();
        let err = parse_off_chain_messages(&json).unwrap_err();
        assert!(
            matches!(err, OffChainMessageError::Hex { index: 0, .. })
                && err.to_string().to_lowercase().contains(reason),
            "{bad}: {err}"
        );
    }
}

/// Review finding (Hardening II, 7): the `AddressedCall`s Subnet-EVM signs
/// without storing them are uptime attestations (`ValidatorUptime`, empty source
/// address, for a validation the node tracks); everything else is refused with
/// the reference's codes.
#[test]
fn addressed_calls_not_stored_follow_subnet_evms_uptime_rules() {
    let keys = keys();
    let service = &services(&keys)[0];
    // ValidatorUptime: codec version, type ID 0, validation ID, seconds.
    let uptime = [&[0u8, 0, 0, 0, 0, 0][..], &[0x77; 32], &600u64.to_be_bytes()].concat();
    assert_eq!(
        ValidatorUptime::parse(&uptime).unwrap(),
        ValidatorUptime { validation_id: Id([0x77; 32]), total_uptime: 600 }
    );
    let message = |source: Vec<u8>, payload: &[u8]| {
        UnsignedMessage::new(NETWORK, HERE, AddressedCall::new(source, payload.to_vec()).unwrap().to_bytes())
            .unwrap()
    };
    let with_source = message(vec![1; 20], &uptime);
    assert_refused(
        service,
        &with_source.to_bytes(),
        &Refusal::SourceAddressNotEmpty { id: with_source.id() },
        VERIFY_ERR_CODE,
    );
    let untracked = message(vec![], &uptime);
    assert_refused(
        service,
        &untracked.to_bytes(),
        &Refusal::UnknownValidation { validation_id: Id([0x77; 32]) },
        VERIFY_ERR_CODE,
    );
    let mut other_type = uptime.clone();
    other_type[5] = 1;
    let other = message(vec![], &other_type);
    assert_refused(service, &other.to_bytes(), &unknown(&other), PARSE_ERR_CODE);
    assert!(matches!(
        unknown(&other),
        Refusal::UnknownAddressedCall { source: CodecError::UnknownTypeId { type_id: 1, .. }, .. }
    ));
}

#[test]
fn validators_sharing_hashes_sign_exactly_as_alone() {
    let keys = keys();
    let shared = services(&keys);
    let alone: Vec<SigningService> = keys
        .iter()
        .map(|k| SigningService::new(k.node_id, awm_core::Signer::new(k.secret_key.clone(), NETWORK, HERE)))
        .collect();
    let mut chain = chain();
    let built = send_block(&mut chain, &[b"first", b"second"]);
    for service in &shared {
        service.accept(&built.block, &built.receipts);
    }
    for service in &alone {
        service.accept(&built.block, &built.receipts);
    }
    for payload in [&b"first"[..], b"second"] {
        let message = expected_message(payload).to_bytes();
        for (a, b) in shared.iter().zip(&alone) {
            assert_eq!(a.sign(&message).unwrap(), b.sign(&message).unwrap());
        }
    }
    // A block hash too.
    let hash = hash_message(NETWORK, HERE, built.block.hash()).to_bytes();
    assert_eq!(shared[2].sign(&hash).unwrap(), alone[2].sign(&hash).unwrap());
}
