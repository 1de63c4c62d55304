//! The block executor: activation, predicate results in the header, receipts,
//! block building and import, and replay from blocks alone.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::SolCall;
use awm_core::{
    aggregate_signatures, AddressedCall, FixedValidatorState, Id, NodeId, Quorum, UnsignedMessage,
};
use warp_node::devnet::{validator_keys, ValidatorKey};
use warp_node::{Chain, ChainConfig, ChainError, Genesis, Transaction};
use warp_precompile::IWarpMessenger;
use warp_predicate::{
    warp_access_list, AccessList, AccessListItem, ExtraLayout, FailureBits, PredicateResults, WARP_ADDRESS,
};

const NETWORK: u32 = 12345;
const SOURCE: Id = Id([0xaa; 32]);
const SOURCE_SUBNET: Id = Id([0x1a; 32]);
const HERE: Id = Id([0xbb; 32]);
const USER: Address = Address::repeat_byte(0xee);
const T0: u64 = 1_000;

fn config(activation: u64) -> ChainConfig {
    let mut config = ChainConfig::new(NETWORK, HERE, Id([0x1b; 32]));
    config.warp_activation = activation;
    config
}

fn genesis() -> Genesis {
    Genesis { timestamp: T0, alloc: vec![(USER, U256::from(10u128.pow(24)))] }
}

fn keys() -> Vec<ValidatorKey> {
    validator_keys("source", 10, |_| 100).unwrap()
}

fn state(keys: &[ValidatorKey]) -> FixedValidatorState {
    let set = awm_core::CanonicalValidatorSet::new(
        keys.iter().map(|k| awm_core::Validator::new(k.node_id, Some(k.secret_key.public_key()), k.weight)),
    )
    .unwrap();
    FixedValidatorState::new().with_chain(SOURCE, SOURCE_SUBNET).with_set(SOURCE_SUBNET, set)
}

/// A message from the source chain signed by the first `signers` validators.
fn signed(keys: &[ValidatorKey], signers: usize, text: &str) -> Vec<u8> {
    let call = AddressedCall::new(vec![0x11; 20], text.as_bytes().to_vec()).unwrap();
    let unsigned = UnsignedMessage::new(NETWORK, SOURCE, call.to_bytes()).unwrap();
    let set = awm_core::CanonicalValidatorSet::new(
        keys.iter().map(|k| awm_core::Validator::new(k.node_id, Some(k.secret_key.public_key()), k.weight)),
    )
    .unwrap();
    let sigs: Vec<(NodeId, Vec<u8>)> = keys
        .iter()
        .take(signers)
        .map(|k| (k.node_id, k.secret_key.sign(&unsigned.to_bytes()).to_bytes().to_vec()))
        .collect();
    let quorum = Quorum::new(signers as u64, keys.len() as u64).unwrap();
    aggregate_signatures(&unsigned, &set, quorum, sigs.iter().map(|(n, s)| (*n, s.as_slice())))
        .unwrap()
        .message
        .to_bytes()
}

fn tx(chain: &Chain, nonce_offset: u64, to: Address, input: Vec<u8>, access_list: AccessList) -> Transaction {
    Transaction {
        from: USER,
        to: Some(to),
        nonce: chain.nonce(USER) + nonce_offset,
        gas_limit: 3_000_000,
        value: U256::ZERO,
        input: Bytes::from(input),
        access_list,
    }
}

fn read(index: u32) -> Vec<u8> {
    IWarpMessenger::getVerifiedWarpMessageCall { index }.abi_encode()
}

fn valid_flag(output: &[u8]) -> bool {
    IWarpMessenger::getVerifiedWarpMessageCall::abi_decode_returns(output).unwrap().valid
}

#[test]
fn the_precompile_activates_at_the_configured_timestamp() {
    let mut chain = Chain::new(config(T0 + 2), genesis());
    let send = IWarpMessenger::sendWarpMessageCall { payload: Bytes::from_static(b"hi") }.abi_encode();
    // A malformed warp tuple: before activation it is just an access-list entry.
    let malformed =
        AccessList(vec![AccessListItem { address: WARP_ADDRESS, storage_keys: vec![B256::ZERO] }]);

    let before = tx(&chain, 0, WARP_ADDRESS, send.clone(), malformed.clone());
    let built = chain.build_block(vec![before], T0 + 1, 0, state(&keys())).unwrap();
    assert!(built.excluded.is_empty());
    assert!(built.receipts[0].success && built.receipts[0].logs.is_empty(), "plain empty account");
    assert!(chain.account(WARP_ADDRESS).is_none_or(|a| a.nonce == 0));

    let after = tx(&chain, 0, WARP_ADDRESS, send.clone(), AccessList::default());
    let bad = tx(&chain, 1, WARP_ADDRESS, send, malformed);
    let built = chain.build_block(vec![after, bad.clone()], T0 + 2, 0, state(&keys())).unwrap();
    let account = chain.account(WARP_ADDRESS).unwrap();
    assert_eq!(account.nonce, 1);
    assert_eq!(account.code.unwrap().original_bytes().as_ref(), &[0x01]);
    assert_eq!(built.receipts.len(), 1);
    assert_eq!(built.receipts[0].logs.len(), 1);
    assert_eq!(built.receipts[0].logs[0].address, WARP_ADDRESS);
    assert_eq!(built.excluded.len(), 1);
    assert_eq!(built.excluded[0].tx, bad.hash());
    assert!(built.excluded[0].reason.contains("warp predicate 0"), "{}", built.excluded[0].reason);
}

/// Two blocks: one valid message read, one under-signed message read.
fn chain_with_results() -> (Chain, Vec<Transaction>) {
    let keys = keys();
    let mut chain = Chain::new(config(0), genesis());
    let good = tx(&chain, 0, WARP_ADDRESS, read(0), warp_access_list([signed(&keys, 7, "good").as_slice()]));
    let weak = tx(&chain, 1, WARP_ADDRESS, read(0), warp_access_list([signed(&keys, 6, "weak").as_slice()]));
    chain.build_block(vec![good.clone(), weak.clone()], T0 + 1, 5, state(&keys)).unwrap();
    let plain = tx(&chain, 0, USER, Vec::new(), AccessList::default());
    chain.build_block(vec![plain], T0 + 2, 5, state(&keys)).unwrap();
    (chain, vec![good, weak])
}

#[test]
fn results_go_in_the_header_and_reads_see_them() {
    let (chain, txs) = chain_with_results();
    let (block, receipts) = chain.block(1).unwrap();
    assert_eq!(block.header.p_chain_height, 5);
    assert_eq!(block.header.timestamp, T0 + 1);
    assert_eq!(block.header.parent_hash, B256::ZERO);
    let mut expected = PredicateResults::new();
    expected.set(txs[0].hash(), WARP_ADDRESS, FailureBits::none_failed());
    expected.set(txs[1].hash(), WARP_ADDRESS, FailureBits::from_indices([0]));
    let mut extra = vec![0u8; 80];
    extra.extend(expected.to_bytes().unwrap());
    assert_eq!(block.header.extra.as_ref(), extra.as_slice());
    assert_eq!(ExtraLayout::SubnetEvm.results(&block.header.extra).unwrap(), expected);
    assert!(valid_flag(&receipts[0].output));
    assert!(!valid_flag(&receipts[1].output));
    assert_eq!(receipts[1].failed_predicates, vec![0]);
    assert!(receipts[0].failed_predicates.is_empty());
    assert_eq!(block.header.gas_used, receipts[0].gas_used + receipts[1].gas_used);
    // A block without predicates still carries the empty results encoding.
    let (block2, _) = chain.block(2).unwrap();
    assert_eq!(block2.header.parent_hash, block.hash());
    assert_eq!(&block2.header.extra[80..], &[0, 0, 0, 0, 0, 0]);
    assert_eq!(chain.receipt(&txs[1].hash()).unwrap().0, 1);
}

#[test]
fn replay_from_blocks_alone_reaches_the_same_state() {
    let (chain, _) = chain_with_results();
    let replayed = Chain::replay(chain.config().clone(), chain.genesis().clone(), chain.blocks()).unwrap();
    assert_eq!(replayed.state_root(), chain.state_root());
    for n in 1..=2 {
        assert_eq!(replayed.block(n).unwrap().1, chain.block(n).unwrap().1, "receipts of block {n}");
    }
}

#[test]
fn import_refuses_a_block_that_does_not_match_and_keeps_the_state() {
    let (chain, _) = chain_with_results();
    let blocks = chain.blocks().to_vec();
    let fresh = || Chain::new(chain.config().clone(), chain.genesis().clone());

    // Results that claim the valid message failed: the read costs differ.
    let mut tampered = blocks[0].clone();
    let mut results = ExtraLayout::SubnetEvm.results(&tampered.header.extra).unwrap();
    let hash = tampered.transactions[0].hash();
    results.set(hash, WARP_ADDRESS, FailureBits::from_indices([0]));
    tampered.header.extra = ExtraLayout::SubnetEvm.build(&[0; 80], &results).unwrap().into();
    let mut replica = fresh();
    let root = replica.state_root();
    let err = replica.import_block(tampered).unwrap_err();
    assert!(matches!(err, ChainError::Mismatch { number: 1, field: "gas used", .. }), "{err}");
    assert_eq!(replica.state_root(), root);
    assert_eq!(replica.height(), 0);

    let mut wrong_root = blocks[0].clone();
    wrong_root.header.state_root = B256::repeat_byte(1);
    let err = fresh().import_block(wrong_root).unwrap_err();
    assert!(matches!(err, ChainError::Mismatch { field: "state root", .. }), "{err}");

    let mut extra_tx = blocks[0].clone();
    extra_tx.transactions.push(extra_tx.transactions[0].clone());
    let err = fresh().import_block(extra_tx).unwrap_err();
    assert!(matches!(err, ChainError::Mismatch { field: "transactions root", .. }), "{err}");

    let err = fresh().import_block(blocks[1].clone()).unwrap_err();
    assert!(matches!(err, ChainError::NotNext { number: 2, head_number: 0, .. }), "{err}");

    let mut garbage = blocks[0].clone();
    garbage.header.extra = Bytes::from(vec![0u8; 81]);
    let err = fresh().import_block(garbage).unwrap_err();
    assert!(matches!(err, ChainError::Results { number: 1, .. }), "{err}");
}

#[test]
fn a_replayed_block_with_an_invalid_transaction_is_refused() {
    let mut chain = Chain::new(config(0), genesis());
    let ok = tx(&chain, 0, USER, Vec::new(), AccessList::default());
    chain.build_block(vec![ok], T0 + 1, 0, state(&keys())).unwrap();
    let mut block = chain.blocks()[0].clone();
    block.transactions[0].nonce = 7;
    block.header.transactions_root = warp_node::block::transactions_root(&block.transactions);
    let err = Chain::replay(chain.config().clone(), chain.genesis().clone(), &[block]).unwrap_err();
    assert!(
        matches!(&err, ChainError::InvalidTransaction { number: 1, position: 0, reason, .. } if reason.contains("nonce")),
        "{err}"
    );
}

#[test]
fn building_leaves_out_what_revm_refuses_and_checks_order() {
    let mut chain = Chain::new(config(0), genesis());
    let ok = tx(&chain, 0, USER, Vec::new(), AccessList::default());
    let gap = tx(&chain, 5, USER, Vec::new(), AccessList::default());
    let built = chain.build_block(vec![gap.clone(), ok], T0 + 1, 3, state(&keys())).unwrap();
    assert_eq!(built.block.transactions.len(), 1);
    assert_eq!(built.excluded[0].tx, gap.hash());
    assert!(built.excluded[0].reason.contains("nonce"), "{}", built.excluded[0].reason);
    let err = chain.build_block(vec![], T0, 3, state(&keys())).unwrap_err();
    assert_eq!(err, ChainError::Backwards { number: 2, what: "timestamp", value: T0, parent: T0 + 1 });
    let err = chain.build_block(vec![], T0 + 2, 2, state(&keys())).unwrap_err();
    assert_eq!(err, ChainError::Backwards { number: 2, what: "P-Chain height", value: 2, parent: 3 });
    assert_eq!(chain.height(), 1);
}

#[test]
fn simulation_and_calls_change_nothing() {
    let (chain, _) = chain_with_results();
    let root = chain.state_root();
    let send = IWarpMessenger::sendWarpMessageCall { payload: Bytes::from_static(b"x") }.abi_encode();
    let receipt = chain.call(USER, WARP_ADDRESS, Bytes::from(send)).unwrap();
    assert!(receipt.success);
    assert_eq!(receipt.logs.len(), 1);
    let id = IWarpMessenger::getBlockchainIDCall {}.abi_encode();
    let receipt = chain.call(USER, WARP_ADDRESS, Bytes::from(id)).unwrap();
    assert_eq!(receipt.output.as_ref(), HERE.0.as_slice());
    assert_eq!(chain.state_root(), root);
}
