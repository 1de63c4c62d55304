//! The mempool's admission checks, each with Subnet-EVM's message, and the
//! order a block takes transactions in.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use alloy_consensus::{SignableTransaction, TxEip1559, TxEip2930, TxEnvelope, TxLegacy};
use alloy_eips::eip2718::Encodable2718;
use alloy_primitives::{Address, Bytes, Signature, TxKind, B256, U256};
use awm_core::Id;
use warp_node::config::{GenesisAccount, DEFAULT_BASE_FEE};
use warp_node::mempool::MAX_INIT_CODE_SIZE;
use warp_node::tx::MAX_TX_SIZE;
use warp_node::{Chain, ChainConfig, Genesis, Mempool, MempoolError, Wallet};
use warp_predicate::{AccessList, AccessListGasError, AccessListItem, PredicateGasError, WARP_ADDRESS};

const CHAIN_ID: u64 = 43_112;
const FEE: u128 = DEFAULT_BASE_FEE as u128;

fn wallet(n: u8) -> Wallet {
    Wallet::from_seed(&format!("mempool test {n}")).unwrap()
}

fn chain() -> Chain {
    let config = ChainConfig::new(12345, Id([0xbb; 32]), Id([0x1b; 32]), CHAIN_ID);
    let alloc =
        (0..3).map(|n| (wallet(n).address(), GenesisAccount::funded(U256::from(10u128.pow(21))))).collect();
    Chain::new(config, Genesis { timestamp: 1_000, alloc })
}

fn eip1559(nonce: u64, gas_limit: u64, fee: u128, tip: u128) -> TxEip1559 {
    TxEip1559 {
        chain_id: CHAIN_ID,
        nonce,
        gas_limit,
        max_fee_per_gas: fee,
        max_priority_fee_per_gas: tip,
        to: TxKind::Call(Address::repeat_byte(0x42)),
        ..Default::default()
    }
}

fn signed(n: u8, tx: TxEip1559) -> TxEnvelope {
    wallet(n).sign_envelope(tx)
}

#[test]
fn every_admission_check_has_subnet_evms_message() {
    let chain = chain();
    let sender = wallet(0).address();
    let mut pool = Mempool::new();
    let ok = signed(0, eip1559(0, 21_000, FEE, 1));
    let ok_hash = pool.add(ok.clone(), &chain).unwrap();
    assert_eq!(ok_hash, *ok.tx_hash());

    let huge_create = TxEip1559 {
        to: TxKind::Create,
        input: Bytes::from(vec![1; MAX_INIT_CODE_SIZE + 1]),
        ..eip1559(1, 10_000_000, FEE, 1)
    };
    let warp_malformed = TxEip1559 {
        access_list: AccessList(vec![AccessListItem { address: WARP_ADDRESS, storage_keys: vec![] }]),
        ..eip1559(1, 1_000_000, FEE, 1)
    };
    let unprotected = wallet(0).sign_envelope(TxLegacy {
        chain_id: None,
        nonce: 1,
        gas_price: FEE,
        gas_limit: 21_000,
        to: TxKind::Call(Address::ZERO),
        ..Default::default()
    });
    let other_chain = signed(0, TxEip1559 { chain_id: 1, ..eip1559(1, 21_000, FEE, 1) });
    let poor = wallet(9).sign_envelope(eip1559(0, 21_000, FEE, 1));
    let poor_cost = U256::from(21_000u64) * U256::from(FEE);
    let cases: Vec<(&str, TxEnvelope, MempoolError, String)> = vec![
        ("already known", ok.clone(), MempoolError::AlreadyKnown, "already known".into()),
        ("oversized", signed(0, TxEip1559 { input: Bytes::from(vec![1; MAX_TX_SIZE]), ..eip1559(1, 10_000_000, FEE, 1) }),
         MempoolError::OversizedData { size: MAX_TX_SIZE + 116, limit: MAX_TX_SIZE }, String::new()),
        ("init code", signed(0, huge_create), MempoolError::MaxInitCodeSize { size: MAX_INIT_CODE_SIZE + 1, limit: MAX_INIT_CODE_SIZE },
         format!("max initcode size exceeded: code size {} limit {}", MAX_INIT_CODE_SIZE + 1, MAX_INIT_CODE_SIZE)),
        ("block gas", signed(0, eip1559(1, 15_000_001, FEE, 1)), MempoolError::ExceedsBlockGasLimit { gas: 15_000_001, limit: 15_000_000 },
         "exceeds block gas limit: tx gas (15000001) > current max gas (15000000)".into()),
        ("tip above cap", signed(0, eip1559(1, 21_000, FEE, FEE + 1)), MempoolError::TipAboveFeeCap,
         "max priority fee per gas higher than max fee per gas".into()),
        ("unprotected", unprotected, MempoolError::Unprotected, "only replay-protected (EIP-155) transactions allowed over RPC".into()),
        ("other chain", other_chain, MempoolError::InvalidSender, "invalid sender".into()),
        ("intrinsic", signed(0, eip1559(1, 20_999, FEE, 1)), MempoolError::IntrinsicGas { address: sender, gas: 20_999, needed: 21_000 },
         format!("intrinsic gas too low: address {sender} tx gas (20999), minimum needed 21000")),
        ("malformed predicate", signed(0, warp_malformed),
         MempoolError::InvalidPredicate(AccessListGasError::Predicate { index: 0, source: PredicateGasError::InvalidPredicateBytes(warp_predicate::PredicateError::MissingDelimiter { chunks: 0 }) }),
         String::new()),
        ("underpriced", signed(0, eip1559(1, 21_000, FEE - 1, 0)), MempoolError::Underpriced { address: sender, fee_cap: FEE - 1, minimum: FEE },
         format!("transaction underpriced: address {sender} have gas fee cap ({}) < pool minimum fee cap ({FEE})", FEE - 1)),
        ("same nonce, no bump", signed(0, eip1559(0, 21_001, FEE, 1)), MempoolError::ReplacementUnderpriced, "replacement transaction underpriced".into()),
        ("insufficient funds", poor, MempoolError::InsufficientFunds { balance: U256::ZERO, cost: poor_cost, overshot: poor_cost },
         format!("insufficient funds for gas * price + value: balance 0, tx cost {poor_cost}, overshot {poor_cost}")),
    ];
    for (name, tx, expected, message) in cases {
        let err = pool.add(tx, &chain).err().unwrap_or_else(|| panic!("{name} was admitted"));
        if name == "oversized" {
            assert!(matches!(err, MempoolError::OversizedData { limit: MAX_TX_SIZE, .. }), "{name}: {err}");
            assert!(err.to_string().starts_with("oversized data: transaction size "), "{err}");
            continue;
        }
        assert_eq!(err, expected, "{name}");
        if !message.is_empty() {
            assert_eq!(err.to_string(), message, "{name}");
        }
    }
    // Raw bytes: the size is checked before decoding; garbage is a decode error.
    assert!(matches!(
        pool.add_raw(&vec![0u8; MAX_TX_SIZE + 1], &chain),
        Err(MempoolError::OversizedData { .. })
    ));
    assert!(matches!(pool.add_raw(&[0x02, 0xc0], &chain), Err(MempoolError::Decode(_))));
    assert!(matches!(
        pool.add_raw(&[0x03, 0xc0], &chain),
        Err(MempoolError::Decode(_) | MempoolError::TxTypeNotSupported(3))
    ));
    // A nonce the chain already used.
    let mut chain = chain;
    let included = warp_node::tx::recover(ok).unwrap();
    chain.build_block(vec![included], 1_001, 0, awm_core::FixedValidatorState::new()).unwrap();
    let reused = signed(0, eip1559(0, 21_000, FEE * 3, 3));
    assert_eq!(pool.add(reused, &chain).unwrap_err(), MempoolError::NonceTooLow { next: 1, nonce: 0 });
    assert_eq!(
        MempoolError::NonceTooLow { next: 1, nonce: 0 }.to_string(),
        "nonce too low: next nonce 1, tx nonce 0"
    );
    let _ = B256::ZERO;
}

#[test]
fn replacement_needs_a_ten_percent_bump_and_blocks_take_nonces_in_order() {
    let chain = chain();
    let mut pool = Mempool::new();
    // Sender 0 submits nonces 1 then 0; sender 1 nonce 0 in between; sender 2 a gap.
    let a1 = pool.add(signed(0, eip1559(1, 21_000, FEE, 1)), &chain).unwrap();
    let b0 = pool.add(signed(1, eip1559(0, 21_000, FEE, 1)), &chain).unwrap();
    let a0 = pool.add(signed(0, eip1559(0, 21_000, FEE, 1)), &chain).unwrap();
    let gap = pool.add(signed(2, eip1559(5, 21_000, FEE, 1)), &chain).unwrap();
    let order: Vec<B256> = pool.executable(&chain).iter().map(|t| *t.inner().tx_hash()).collect();
    // b0 arrived before a0, which must precede a1; the gap waits.
    assert_eq!(order, vec![b0, a0, a1]);
    assert!(pool.get(&gap).is_some());
    assert_eq!(pool.next_nonce(wallet(0).address(), &chain), 2);
    assert_eq!(pool.next_nonce(wallet(2).address(), &chain), 0);

    // A replacement of a0 at +9% is refused, at +10% replaces it.
    let nine = signed(0, eip1559(0, 21_000, FEE * 109 / 100, 2));
    assert_eq!(pool.add(nine, &chain).unwrap_err(), MempoolError::ReplacementUnderpriced);
    let ten = signed(0, eip1559(0, 21_000, FEE * 110 / 100, 2));
    let ten_hash = pool.add(ten, &chain).unwrap();
    assert!(pool.get(&a0).is_none() && pool.get(&ten_hash).is_some());
    assert_eq!(pool.len(), 4);

    // EIP-2930 and legacy with EIP-155 are admitted.
    let w = wallet(1);
    pool.add(
        w.sign_envelope(TxEip2930 {
            chain_id: CHAIN_ID,
            nonce: 1,
            gas_price: FEE,
            gas_limit: 21_000,
            to: TxKind::Call(Address::ZERO),
            ..Default::default()
        }),
        &chain,
    )
    .unwrap();
    pool.add(
        w.sign_envelope(TxLegacy {
            chain_id: Some(CHAIN_ID),
            nonce: 2,
            gas_price: FEE,
            gas_limit: 21_000,
            to: TxKind::Call(Address::ZERO),
            ..Default::default()
        }),
        &chain,
    )
    .unwrap();
    assert_eq!(pool.next_nonce(w.address(), &chain), 3);
}

#[test]
fn a_forged_signature_is_an_invalid_sender() {
    let chain = chain();
    let tx = eip1559(0, 21_000, FEE, 1);
    // r = 0 recovers nothing.
    let forged: TxEnvelope = tx.into_signed(Signature::new(U256::ZERO, U256::from(1), false)).into();
    let mut pool = Mempool::new();
    assert_eq!(pool.add(forged.clone(), &chain).unwrap_err(), MempoolError::InvalidSender);
    assert_eq!(pool.add_raw(&forged.encoded_2718(), &chain).unwrap_err(), MempoolError::InvalidSender);
}
