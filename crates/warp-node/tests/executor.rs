//! The chain: Ethereum's transactions, headers and receipts; Subnet-EVM's rules
//! where they differ from Ethereum's; verifying import against bootstrapping;
//! `warpConfig` upgrades and their state effects.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use std::collections::BTreeMap;

use alloy_consensus::{TxEip1559, TxEip2930, TxLegacy, TxType};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{hex, keccak256, Address, Bytes, TxKind, B256, U256};
use alloy_sol_types::SolCall;
use awm_core::{
    aggregate_signatures, AddressedCall, CanonicalValidatorSet, FixedValidatorState, Id, NodeId, Quorum,
    QuorumPolicy, UnsignedMessage, Validator,
};
use revm::context::{CfgEnv, Context};
use revm::database::InMemoryDB;
use revm::primitives::hardfork::SpecId;
use revm::state::AccountInfo;
use revm::{ExecuteEvm, MainBuilder, MainContext};
use warp_node::block::{receipts_root, transactions_root};
use warp_node::config::{GenesisAccount, BLACKHOLE_ADDRESS, DEFAULT_BASE_FEE};
use warp_node::devnet::{validator_keys, ValidatorKey};
use warp_node::executor::call_env;
use warp_node::{
    Chain, ChainConfig, ChainError, Genesis, SignedTx, Wallet, WarpParams, WarpState, WarpUpgrades,
};
use warp_precompile::IWarpMessenger;
use warp_predicate::{
    warp_access_list, AccessList, AccessListItem, BlockError, ExtraLayout, FailureBits, PredicateResults,
    WARP_ADDRESS,
};

const NETWORK: u32 = 12345;
const SOURCE: Id = Id([0xaa; 32]);
const SOURCE_SUBNET: Id = Id([0x1a; 32]);
const HERE: Id = Id([0xbb; 32]);
const CHAIN_ID: u64 = 43_112;
const T0: u64 = 1_000;
/// A contract whose slot 0 holds 1 at genesis; its code clears it: `sstore(0, 0)`.
const CLEARER: Address = Address::repeat_byte(0xc1);

fn user() -> Wallet {
    Wallet::from_seed("warp-node executor test user").unwrap()
}

fn config() -> ChainConfig {
    ChainConfig::new(NETWORK, HERE, Id([0x1b; 32]), CHAIN_ID)
}

fn genesis() -> Genesis {
    let clearer = GenesisAccount {
        code: Bytes::from_static(&[0x60, 0x00, 0x60, 0x00, 0x55, 0x00]),
        storage: BTreeMap::from([(B256::ZERO, U256::from(1))]),
        ..Default::default()
    };
    Genesis {
        timestamp: T0,
        alloc: vec![
            (user().address(), GenesisAccount::funded(U256::from(10u128.pow(24)))),
            (CLEARER, clearer),
        ],
    }
}

fn keys() -> Vec<ValidatorKey> {
    validator_keys("source", 10, |_| 100).unwrap()
}

fn set(keys: &[ValidatorKey]) -> CanonicalValidatorSet {
    CanonicalValidatorSet::new(
        keys.iter().map(|k| Validator::new(k.node_id, Some(k.secret_key.public_key()), k.weight)),
    )
    .unwrap()
}

fn state(keys: &[ValidatorKey]) -> FixedValidatorState {
    FixedValidatorState::new().with_chain(SOURCE, SOURCE_SUBNET).with_set(SOURCE_SUBNET, set(keys))
}

/// A message from the source chain signed by the first `signers` validators.
fn signed(keys: &[ValidatorKey], signers: usize, text: &str) -> Vec<u8> {
    let call = AddressedCall::new(vec![0x11; 20], text.as_bytes().to_vec()).unwrap();
    let unsigned = UnsignedMessage::new(NETWORK, SOURCE, call.to_bytes()).unwrap();
    let sigs: Vec<(NodeId, Vec<u8>)> = keys
        .iter()
        .take(signers)
        .map(|k| (k.node_id, k.secret_key.sign(&unsigned.to_bytes()).to_bytes().to_vec()))
        .collect();
    let quorum = Quorum::new(signers as u64, keys.len() as u64).unwrap();
    aggregate_signatures(&unsigned, &set(keys), quorum, sigs.iter().map(|(n, s)| (*n, s.as_slice())))
        .unwrap()
        .message
        .to_bytes()
}

/// An EIP-1559 transaction from `wallet`, nonce `nonce`, paying the base fee and a 1 gwei tip.
fn tx(
    wallet: &Wallet,
    nonce: u64,
    to: Address,
    input: Vec<u8>,
    access_list: AccessList,
    gas_limit: u64,
) -> SignedTx {
    wallet.sign_recovered(TxEip1559 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit,
        max_fee_per_gas: u128::from(DEFAULT_BASE_FEE) * 2,
        max_priority_fee_per_gas: 1_000_000_000,
        to: TxKind::Call(to),
        value: U256::ZERO,
        access_list,
        input: input.into(),
    })
}

fn read(index: u32) -> Vec<u8> {
    IWarpMessenger::getVerifiedWarpMessageCall { index }.abi_encode()
}

fn send(payload: &'static [u8]) -> Vec<u8> {
    IWarpMessenger::sendWarpMessageCall { payload: Bytes::from_static(payload) }.abi_encode()
}

fn valid_flag(output: &[u8]) -> bool {
    IWarpMessenger::getVerifiedWarpMessageCall::abi_decode_returns(output).unwrap().valid
}

#[test]
fn transactions_headers_and_receipts_are_ethereums() {
    let mut chain = Chain::new(config(), genesis());
    let wallet = user();
    let to = Address::repeat_byte(0x77);
    let legacy = wallet.sign_recovered(TxLegacy {
        chain_id: Some(CHAIN_ID),
        nonce: 0,
        gas_price: u128::from(DEFAULT_BASE_FEE),
        gas_limit: 21_000,
        to: TxKind::Call(to),
        value: U256::from(1_000),
        input: Bytes::new(),
    });
    let eip2930 = wallet.sign_recovered(TxEip2930 {
        chain_id: CHAIN_ID,
        nonce: 1,
        gas_price: u128::from(DEFAULT_BASE_FEE),
        gas_limit: 100_000,
        to: TxKind::Call(WARP_ADDRESS),
        input: send(b"hello").into(),
        ..Default::default()
    });
    let eip1559 = tx(&wallet, 2, CLEARER, vec![], AccessList::default(), 100_000);
    let txs = vec![legacy.clone(), eip2930.clone(), eip1559.clone()];
    let balance_before = chain.balance(wallet.address());
    let built = chain.build_block(txs.clone(), T0 + 1, 0, state(&keys())).unwrap();
    assert!(built.excluded.is_empty() && built.deferred.is_empty(), "{:?}", built.excluded);
    let block = &built.block;

    // Hashes: keccak-256 of the EIP-2718 bytes and of the header's RLP.
    for (t, r) in txs.iter().zip(&built.receipts) {
        assert_eq!(r.tx_hash, keccak256(t.inner().encoded_2718()));
        assert_eq!(r.from, wallet.address());
    }
    assert_eq!(block.hash(), keccak256(alloy_rlp::encode(&block.header)));
    assert_eq!(chain.head_hash(), block.hash());
    assert_eq!(block.header.parent_hash, chain.genesis_hash());
    assert_eq!(chain.block_number(&block.hash()), Some(1));
    // Roots and bloom.
    assert_eq!(block.header.transactions_root, transactions_root(&block.transactions));
    assert_eq!(block.header.receipts_root, receipts_root(&built.receipts));
    assert!(block
        .header
        .logs_bloom
        .contains_input(alloy_primitives::BloomInput::Raw(WARP_ADDRESS.as_slice())));
    assert_eq!(
        built.receipts.iter().map(|r| r.tx_type).collect::<Vec<_>>(),
        vec![TxType::Legacy, TxType::Eip2930, TxType::Eip1559]
    );
    // Header rules.
    assert_eq!(block.header.difficulty, U256::from(1));
    assert_eq!(block.header.beneficiary, BLACKHOLE_ADDRESS);
    assert_eq!(block.header.base_fee_per_gas, Some(DEFAULT_BASE_FEE));
    assert_eq!(block.header.gas_limit, 15_000_000);
    assert_eq!(&block.header.extra_data[..80], &[0u8; 80]);
    assert_eq!(block.header.gas_used, built.receipts.iter().map(|r| r.gas_used).sum::<u64>());
    assert_eq!(block.header.gas_used, built.receipts[2].cumulative_gas_used);

    // Nonces, balances, and every fee (base fee included) to the blackhole.
    assert_eq!(chain.nonce(wallet.address()), 3);
    let fees: U256 =
        built.receipts.iter().map(|r| U256::from(r.gas_used) * U256::from(r.effective_gas_price)).sum();
    assert_eq!(chain.balance(wallet.address()), balance_before - fees - U256::from(1_000));
    assert_eq!(chain.balance(BLACKHOLE_ADDRESS), fees);
    assert_eq!(chain.balance(to), U256::from(1_000));
    assert_eq!(built.receipts[2].effective_gas_price, u128::from(DEFAULT_BASE_FEE) + 1_000_000_000);

    // Lookups by hash.
    let (found, number, position) = chain.transaction(&built.receipts[1].tx_hash).unwrap();
    assert_eq!((found, number, position), (eip2930.inner(), 1, 1));
    assert_eq!(chain.receipt(&built.receipts[2].tx_hash).unwrap().0, 1);
}

#[test]
fn subnet_evm_applies_no_refunds() {
    // Clearing a slot refunds 4,800 on Ethereum (EIP-3529); Subnet-EVM never
    // applies the refund counter.
    let mut chain = Chain::new(config(), genesis());
    let clear = tx(&user(), 0, CLEARER, vec![], AccessList::default(), 100_000);
    let built = chain.build_block(vec![clear.clone()], T0 + 1, 0, state(&keys())).unwrap();
    let ours = built.receipts[0].gas_used;
    assert_eq!(chain.storage(CLEARER, U256::ZERO), U256::ZERO);

    let mut db = InMemoryDB::default();
    db.insert_account_info(
        user().address(),
        AccountInfo { balance: U256::from(10u128.pow(24)), ..Default::default() },
    );
    db.insert_account_info(
        CLEARER,
        AccountInfo::from_bytecode(revm::bytecode::Bytecode::new_raw(genesis().alloc[1].1.code.clone())),
    );
    db.insert_account_storage(CLEARER, U256::ZERO, U256::from(1)).unwrap();
    let mut cfg = CfgEnv::new_with_spec(SpecId::CANCUN);
    cfg.chain_id = CHAIN_ID;
    let block = revm::context::BlockEnv { basefee: DEFAULT_BASE_FEE, ..Default::default() };
    let mainnet = Context::mainnet()
        .with_db(db)
        .with_cfg(cfg)
        .with_block(block)
        .build_mainnet()
        .transact(warp_node::tx::tx_env(&clear))
        .unwrap()
        .result
        .tx_gas_used();
    // 21,000 + two PUSH1 + a cold SSTORE from 1 to 0 (2,100 + 2,900).
    assert_eq!(ours, 21_000 + 6 + 5_000);
    assert_eq!(ours - mainnet, 4_800, "Ethereum refunds 4,800 here");
}

#[test]
fn no_eip7623_calldata_floor() {
    // 2,000 zero bytes and no execution: 21,000 + 4 per byte, no floor of 10 per token.
    let mut chain = Chain::new(config(), genesis());
    let t = tx(&user(), 0, Address::repeat_byte(0x55), vec![0; 2_000], AccessList::default(), 100_000);
    let built = chain.build_block(vec![t], T0 + 1, 0, state(&keys())).unwrap();
    assert_eq!(built.receipts[0].gas_used, 21_000 + 4 * 2_000);
}

#[test]
fn a_transaction_that_does_not_fit_the_block_gas_waits() {
    let mut chain = Chain::new(config(), genesis());
    let wallet = user();
    let limit = chain.config().gas_limit;
    let first = tx(&wallet, 0, Address::repeat_byte(1), vec![], AccessList::default(), limit);
    let second = tx(&wallet, 1, Address::repeat_byte(1), vec![], AccessList::default(), limit);
    let built = chain.build_block(vec![first, second.clone()], T0 + 1, 0, state(&keys())).unwrap();
    assert_eq!(built.block.transactions.len(), 1);
    assert_eq!(built.deferred, vec![warp_node::tx::hash(second.inner())]);
    assert!(built.excluded.is_empty());
    let next = chain.build_block(vec![second], T0 + 2, 0, state(&keys())).unwrap();
    assert_eq!(next.block.transactions.len(), 1);
}

/// EIP-7951's vector (`revm-precompile`'s `ok_1`): hash, r, s, x, y.
const P256_OK: [u8; 160] = hex!("4cee90eb86eaa050036147a12d49004b6b9c72bd725d39d4785011fe190f0b4da73bd4903f0ce3b639bbbf6e8e80d16931ff4bcf5993d58468e8fb19086e8cac36dbcd03009df8c59286b162af3bd7fcc0450c9aa81be5d10d312af6c66b1d604aebd3099c618202fcfe16ae7770b0c49ab5eadf74b754204a3bb6060e44eff37618b065f9832de4ca6ca971a7a1adc826d0f7c00181a5fb2ddf79ae00b4e10e");

#[test]
fn p256_verification_from_granite() {
    let mut config = config();
    config.granite = T0 + 10;
    let chain = Chain::new(config, genesis());
    let p256 = Address::from_word(B256::from(U256::from(0x100)));
    let call = |timestamp| {
        let env = call_env(
            user().address(),
            TxKind::Call(p256),
            Bytes::from(P256_OK.to_vec()),
            U256::ZERO,
            100_000,
            AccessList::default(),
        );
        chain.call(env, FailureBits::none_failed(), timestamp).unwrap()
    };
    let before = call(T0 + 9);
    assert!(before.success && before.output.is_empty(), "an empty account before Granite");
    let intrinsic = 21_000 + P256_OK.iter().map(|b| if *b == 0 { 4 } else { 16 }).sum::<u64>();
    assert_eq!(before.gas_used, intrinsic);
    let after = call(T0 + 10);
    assert_eq!(after.output.as_ref(), B256::with_last_byte(1).as_slice());
    assert_eq!(after.gas_used, intrinsic + 6_900, "EIP-7951's price, as libevm has it");
    let mut bad = P256_OK;
    bad[40] ^= 1;
    let env = call_env(
        user().address(),
        TxKind::Call(p256),
        Bytes::from(bad.to_vec()),
        U256::ZERO,
        100_000,
        AccessList::default(),
    );
    let invalid = chain.call(env, FailureBits::none_failed(), T0 + 10).unwrap();
    assert!(invalid.success && invalid.output.is_empty());
}

/// Block 1 reads a message 7 of 10 signed (valid at 67%) and one 6 of 10 signed (invalid).
fn chain_with_results() -> (Chain, Vec<SignedTx>) {
    let keys = keys();
    let wallet = user();
    let mut chain = Chain::new(config(), genesis());
    let good = tx(
        &wallet,
        0,
        WARP_ADDRESS,
        read(0),
        warp_access_list([signed(&keys, 7, "good").as_slice()]),
        1_000_000,
    );
    let weak = tx(
        &wallet,
        1,
        WARP_ADDRESS,
        read(0),
        warp_access_list([signed(&keys, 6, "weak").as_slice()]),
        1_000_000,
    );
    let built = chain.build_block(vec![good.clone(), weak.clone()], T0 + 1, 5, state(&keys)).unwrap();
    assert!(built.excluded.is_empty(), "{:?}", built.excluded);
    let plain = tx(&wallet, 2, Address::repeat_byte(3), Vec::new(), AccessList::default(), 21_000);
    chain.build_block(vec![plain], T0 + 2, 5, state(&keys)).unwrap();
    (chain, vec![good, weak])
}

#[test]
fn results_go_in_the_header_and_reads_see_them() {
    let (chain, txs) = chain_with_results();
    let (block, receipts) = chain.block(1).unwrap();
    assert_eq!(block.p_chain_height, 5);
    let hash = |t: &SignedTx| warp_node::tx::hash(t.inner());
    let mut expected = PredicateResults::new();
    expected.set(hash(&txs[0]), WARP_ADDRESS, FailureBits::none_failed());
    expected.set(hash(&txs[1]), WARP_ADDRESS, FailureBits::from_indices([0]));
    let mut extra = vec![0u8; 80];
    extra.extend(expected.to_bytes().unwrap());
    assert_eq!(block.header.extra_data.as_ref(), extra.as_slice());
    assert!(valid_flag(&receipts[0].output));
    assert!(!valid_flag(&receipts[1].output));
    assert_eq!(receipts[1].failed_predicates, vec![0]);
    let (block2, _) = chain.block(2).unwrap();
    assert_eq!(&block2.header.extra_data[80..], &[0, 0, 0, 0, 0, 0]);
}

#[test]
fn bootstrapping_from_blocks_alone_reaches_the_same_state() {
    let (chain, _) = chain_with_results();
    let replayed = Chain::replay(chain.config().clone(), chain.genesis().clone(), chain.blocks()).unwrap();
    assert_eq!(replayed.state_root(), chain.state_root());
    assert_eq!(replayed.head_hash(), chain.head_hash());
    for n in 1..=2 {
        assert_eq!(replayed.block(n).unwrap().1, chain.block(n).unwrap().1, "receipts of block {n}");
    }
}

#[test]
fn verifying_import_recomputes_results_and_refuses_forged_ones() {
    let keys = keys();
    let wallet = user();
    // A proposer whose verifier is lax (50%): it marks a 6-of-10 message valid.
    let mut lax_config = config();
    lax_config.warp = WarpUpgrades::enabled_from(
        0,
        WarpParams {
            quorum: QuorumPolicy::new(Quorum::new(50, 100).unwrap()),
            require_primary_network_signers: false,
        },
    );
    let mut proposer = Chain::new(lax_config, genesis());
    let weak = tx(
        &wallet,
        0,
        WARP_ADDRESS,
        read(0),
        warp_access_list([signed(&keys, 6, "weak").as_slice()]),
        1_000_000,
    );
    let built = proposer.build_block(vec![weak], T0 + 1, 5, state(&keys)).unwrap();
    assert!(valid_flag(&built.receipts[0].output), "the forger read it as valid");
    let forged = built.block.clone();

    // A validator with the real rule (67%) recomputes the results and refuses the block.
    let mut validator = Chain::new(config(), genesis());
    let root = validator.state_root();
    let err = validator.import_block(forged.clone(), state(&keys)).unwrap_err();
    assert!(
        matches!(err, ChainError::Predicates { number: 1, source: BlockError::ResultsMismatch { .. } }),
        "{err}"
    );
    assert_eq!((validator.height(), validator.state_root()), (0, root));

    // A bootstrapping node trusts accepted history: the same block is taken from its header.
    let mut bootstrapping = Chain::new(config(), genesis());
    bootstrapping.bootstrap_block(forged).unwrap();
    assert_eq!(bootstrapping.state_root(), proposer.state_root());

    // An honest block verifies, and the verified chain reaches the proposer's state.
    let (honest, _) = chain_with_results();
    let mut verifier = Chain::new(config(), genesis());
    for block in honest.blocks() {
        verifier.import_block(block.clone(), state(&keys)).unwrap();
    }
    assert_eq!(verifier.state_root(), honest.state_root());
}

#[test]
fn import_refuses_blocks_that_break_the_rules_and_keeps_the_state() {
    let (chain, _) = chain_with_results();
    let blocks = chain.blocks().to_vec();
    let fresh = || Chain::new(chain.config().clone(), chain.genesis().clone());
    let keys = keys();

    // No results after the fee window, once warp is enabled (verifying or bootstrapping).
    let mut stripped = blocks[0].clone();
    stripped.header.extra_data = Bytes::from(vec![0u8; 80]);
    let err = fresh().import_block(stripped.clone(), state(&keys)).unwrap_err();
    assert_eq!(err, ChainError::MissingResults { number: 1, len: 80, prefix: 80 });
    assert_eq!(
        fresh().bootstrap_block(stripped).unwrap_err(),
        ChainError::MissingResults { number: 1, len: 80, prefix: 80 }
    );

    let mut wrong_root = blocks[0].clone();
    wrong_root.header.state_root = B256::repeat_byte(1);
    let err = fresh().bootstrap_block(wrong_root).unwrap_err();
    assert!(matches!(err, ChainError::Mismatch { field: "state root", .. }), "{err}");

    let mut extra_tx = blocks[0].clone();
    extra_tx.transactions.push(extra_tx.transactions[0].clone());
    let err = fresh().bootstrap_block(extra_tx).unwrap_err();
    assert!(matches!(err, ChainError::Header { field: "transactions root", .. }), "{err}");

    let err = fresh().bootstrap_block(blocks[1].clone()).unwrap_err();
    assert!(matches!(err, ChainError::NotNext { number: 2, head_number: 0, .. }), "{err}");

    for (field, edit) in [
        ("gas limit", (|b: &mut warp_node::Block| b.header.gas_limit += 1) as fn(&mut warp_node::Block)),
        ("base fee", |b| b.header.base_fee_per_gas = Some(1)),
        ("difficulty", |b| b.header.difficulty = U256::from(2)),
        ("coinbase", |b| b.header.beneficiary = Address::repeat_byte(9)),
        ("extra fee window", |b| b.header.extra_data = Bytes::from([vec![1u8], vec![0u8; 85]].concat())),
    ] {
        let mut bad = blocks[0].clone();
        edit(&mut bad);
        let err = fresh().bootstrap_block(bad).unwrap_err();
        assert!(matches!(&err, ChainError::Header { field: f, .. } if *f == field), "{field}: {err}");
    }

    let mut garbage = blocks[0].clone();
    garbage.header.extra_data = Bytes::from(vec![0u8; 81]);
    let err = fresh().bootstrap_block(garbage).unwrap_err();
    assert!(matches!(err, ChainError::Results { number: 1, .. }), "{err}");
}

#[test]
fn building_leaves_out_what_revm_refuses_and_checks_order() {
    let mut chain = Chain::new(config(), genesis());
    let wallet = user();
    let ok = tx(&wallet, 0, Address::repeat_byte(3), Vec::new(), AccessList::default(), 21_000);
    let gap = tx(&wallet, 5, Address::repeat_byte(3), Vec::new(), AccessList::default(), 21_000);
    let built = chain.build_block(vec![gap.clone(), ok], T0 + 1, 3, state(&keys())).unwrap();
    assert_eq!(built.block.transactions.len(), 1);
    assert_eq!(built.excluded[0].tx, warp_node::tx::hash(gap.inner()));
    assert!(built.excluded[0].reason.to_lowercase().contains("nonce"), "{}", built.excluded[0].reason);
    let err = chain.build_block(vec![], T0, 3, state(&keys())).unwrap_err();
    assert_eq!(err, ChainError::Backwards { number: 2, what: "timestamp", value: T0, parent: T0 + 1 });
    let err = chain.build_block(vec![], T0 + 2, 2, state(&keys())).unwrap_err();
    assert_eq!(err, ChainError::Backwards { number: 2, what: "P-Chain height", value: 2, parent: 3 });
    assert_eq!(chain.height(), 1);

    // A block with a transaction revm refuses does not import.
    let mut block = chain.blocks()[0].clone();
    block.transactions = vec![gap.into_inner()];
    block.header.transactions_root = transactions_root(&block.transactions);
    let err = Chain::replay(chain.config().clone(), chain.genesis().clone(), &[block]).unwrap_err();
    assert!(
        matches!(&err, ChainError::InvalidTransaction { number: 1, position: 0, reason, .. } if reason.to_lowercase().contains("nonce")),
        "{err}"
    );
}

#[test]
fn calls_change_nothing() {
    let (chain, _) = chain_with_results();
    let root = chain.state_root();
    let env = call_env(
        user().address(),
        TxKind::Call(WARP_ADDRESS),
        send(b"x").into(),
        U256::ZERO,
        0,
        AccessList::default(),
    );
    let outcome = chain.call(env, FailureBits::none_failed(), T0 + 3).unwrap();
    assert!(outcome.success);
    assert_eq!(outcome.logs.len(), 1);
    let id = IWarpMessenger::getBlockchainIDCall {}.abi_encode();
    let env =
        call_env(Address::ZERO, TxKind::Call(WARP_ADDRESS), id.into(), U256::ZERO, 0, AccessList::default());
    let outcome = chain.call(env, FailureBits::none_failed(), T0 + 3).unwrap();
    assert_eq!(outcome.output.as_ref(), HERE.0.as_slice());
    assert_eq!(chain.state_root(), root);
}

#[test]
fn warp_config_upgrades_enable_disable_and_re_enable() {
    let keys = keys();
    let wallet = user();
    let mut config = config();
    let eighty = WarpParams {
        quorum: QuorumPolicy::new(Quorum::new(80, 100).unwrap()),
        require_primary_network_signers: false,
    };
    config.warp = WarpUpgrades::enabled_from(0, WarpParams::new())
        .then(T0 + 10, WarpState::Disabled)
        .then(T0 + 20, WarpState::Enabled(eighty));
    // The precompile's address holds a balance at genesis; enabling keeps it.
    let mut genesis = genesis();
    genesis.alloc.push((WARP_ADDRESS, GenesisAccount::funded(U256::from(5))));
    let mut chain = Chain::new(config, genesis);
    let account = chain.account(WARP_ADDRESS).unwrap();
    assert_eq!((account.nonce, account.code.unwrap().original_bytes().as_ref()), (1, &[0x01][..]));
    assert_eq!(account.balance, U256::from(5));

    // Enabled: a send logs; a predicate is charged predicate gas and gets a results entry.
    let message = signed(&keys, 7, "seventy percent");
    let list = warp_access_list([message.as_slice()]);
    let keys_in = list.0[0].storage_keys.len() as u64;
    let send_then = tx(&wallet, 0, WARP_ADDRESS, send(b"y"), AccessList::default(), 1_000_000);
    let read_now = tx(&wallet, 1, WARP_ADDRESS, read(0), list.clone(), 1_000_000);
    let built = chain.build_block(vec![send_then, read_now], T0 + 5, 1, state(&keys)).unwrap();
    assert_eq!(built.receipts[0].logs.len(), 1);
    assert!(valid_flag(&built.receipts[1].output), "70% meets 67%");
    let results = ExtraLayout::SubnetEvm.results(&built.block.header.extra_data).unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(chain.balance(WARP_ADDRESS), U256::from(5));
    let predicate_gas =
        warp_predicate::predicate_gas(&list.0[0].storage_keys, &warp_predicate::GasSchedule::granite())
            .unwrap()
            .gas;

    // Disabled: the account is deleted (balance with it); a warp tuple is an
    // ordinary tuple (2,400 + 1,900 per key), gets no results entry, and a
    // malformed one is no longer invalid; a send is a call to an empty account.
    let malformed =
        AccessList(vec![AccessListItem { address: WARP_ADDRESS, storage_keys: vec![B256::ZERO] }]);
    let plain_tuple = tx(&wallet, 2, Address::repeat_byte(4), vec![], list.clone(), 1_000_000);
    let bad_tuple = tx(&wallet, 3, Address::repeat_byte(4), vec![], malformed, 1_000_000);
    let send_now = tx(&wallet, 4, WARP_ADDRESS, send(b"x"), AccessList::default(), 1_000_000);
    let built = chain.build_block(vec![plain_tuple, bad_tuple, send_now], T0 + 10, 1, state(&keys)).unwrap();
    assert!(built.excluded.is_empty(), "{:?}", built.excluded);
    assert!(chain.account(WARP_ADDRESS).is_none(), "deleted on disable");
    assert_eq!(built.receipts[0].gas_used, 21_000 + 2_400 + 1_900 * keys_in);
    assert!(built.receipts[2].success && built.receipts[2].logs.is_empty());
    assert_eq!(&built.block.header.extra_data[80..], &[0u8; 6], "no results entry while disabled");

    // Re-enabled with an 80% quorum: nonce 1 and code again, storage empty, and
    // the 70% message now fails.
    let read_again = tx(&wallet, 5, WARP_ADDRESS, read(0), list.clone(), 1_000_000);
    let built = chain.build_block(vec![read_again], T0 + 20, 1, state(&keys)).unwrap();
    let account = chain.account(WARP_ADDRESS).unwrap();
    assert_eq!((account.nonce, account.balance), (1, U256::ZERO));
    assert!(!valid_flag(&built.receipts[0].output), "70% is below 80%");
    assert_eq!(built.receipts[0].failed_predicates, vec![0]);
    let intrinsic_with_predicate = built.receipts[0].gas_used;
    assert!(intrinsic_with_predicate > 21_000 + predicate_gas - 1);

    // The whole history bootstraps, and verifies, to the same state.
    let replayed = Chain::replay(chain.config().clone(), chain.genesis().clone(), chain.blocks()).unwrap();
    assert_eq!(replayed.state_root(), chain.state_root());
    let mut verifier = Chain::new(chain.config().clone(), chain.genesis().clone());
    for block in chain.blocks() {
        verifier.import_block(block.clone(), state(&keys)).unwrap();
    }
    assert_eq!(verifier.state_root(), chain.state_root());
}
