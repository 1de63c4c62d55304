//! Shared fixtures for the tests that run the precompile inside an EVM: the
//! funded account, hand-assembled forwarder contracts, warp messages, and
//! readers for what the forwarders return. Each test binary uses a subset.
#![allow(dead_code)]

use alloy_sol_types::SolCall;
use awm::core::{AddressedCall, BitSetSignature, Id, Message, SignerBitSet, UnsignedMessage};
use awm::precompile::revm::{WarpChain, WarpContext, WarpTx};
use awm::precompile::{ChainConstants, IWarpMessenger, WARP_ADDRESS};
use awm::predicate::{AccessList, FailureBits};
use revm::bytecode::Bytecode;
use revm::context::result::{ExecutionResult, Output};
use revm::context::{BlockEnv, CfgEnv, Context, TxEnv};
use revm::database::InMemoryDB;
use revm::primitives::hardfork::SpecId;
use revm::primitives::{Address, Bytes, TxKind, U256};
use revm::state::AccountInfo;
use revm::MainContext;

pub const SPEC: SpecId = SpecId::CANCUN;
pub const EOA: Address = Address::new([0xee; 20]);
pub const CHAIN: ChainConstants = ChainConstants { network_id: 5, blockchain_id: Id([0xbc; 32]) };
pub const GAS_LIMIT: u64 = 1_000_000;

/// Forwarder contracts, each calling its target with one opcode.
pub const CALLER_TO_WARP: Address = Address::new([0xc1; 20]);
pub const STATIC_TO_WARP: Address = Address::new([0xc2; 20]);
pub const DELEGATE_TO_WARP: Address = Address::new([0xc3; 20]);
pub const CALLCODE_TO_WARP: Address = Address::new([0xc4; 20]);
pub const STATIC_TO_CALLER: Address = Address::new([0xc5; 20]);

pub const CALL: u8 = 0xf1;
pub const CALLCODE: u8 = 0xf2;
pub const DELEGATECALL: u8 = 0xf4;
pub const STATICCALL: u8 = 0xfa;

/// `CALLDATACOPY` the input, `<op>` to `target` with all gas, then return
/// `ok (32 bytes) ‖ returndata`.
pub fn forwarder(op: u8, target: Address) -> Bytecode {
    let mut code = vec![0x36, 0x60, 0x00, 0x60, 0x00, 0x37]; // calldatacopy(0, 0, calldatasize)
    code.extend([0x60, 0x00, 0x60, 0x00, 0x36, 0x60, 0x00]); // retLen retOff argsLen argsOff
    if op == CALL || op == CALLCODE {
        code.extend([0x60, 0x00]); // value
    }
    code.push(0x73); // push20 target
    code.extend_from_slice(target.as_slice());
    code.extend([0x5a, op]); // gas, call
    code.extend([0x60, 0x00, 0x52]); // mstore(0, ok)
    code.extend([0x3d, 0x60, 0x00, 0x60, 0x20, 0x3e]); // returndatacopy(32, 0, returndatasize)
    code.extend([0x3d, 0x60, 0x20, 0x01, 0x60, 0x00, 0xf3]); // return(0, 32 + returndatasize)
    Bytecode::new_raw(Bytes::from(code))
}

/// Copies its calldata to memory, then loops `STATICCALL(gas = 0, target,
/// calldata)` while more than 8,192 gas remain: every call halts at its first
/// charge, so what it costs is what the callee does before charging.
pub fn static_call_loop(target: Address) -> Bytecode {
    let mut code = vec![0x36, 0x60, 0x00, 0x60, 0x00, 0x37]; // calldatacopy(0, 0, calldatasize)
    code.push(0x5b); // pc 6: jumpdest
    code.extend([0x60, 0x00, 0x60, 0x00, 0x36, 0x60, 0x00]); // retLen retOff argsLen argsOff
    code.push(0x73); // push20 target
    code.extend_from_slice(target.as_slice());
    code.extend([0x60, 0x00, STATICCALL, 0x50]); // gas 0, staticcall, pop
    code.extend([0x61, 0x20, 0x00, 0x5a, 0x11, 0x60, 0x06, 0x57]); // gas > 8192 ? jump 6
    code.push(0x00); // stop
    Bytecode::new_raw(Bytes::from(code))
}

/// A signed message of about `len` bytes that is a valid predicate: a short
/// `AddressedCall` and a signer bitset that fills the rest with one signer (the
/// bitset, unlike the payload, has no size cap).
pub fn wide_bitset_message(len: usize) -> Vec<u8> {
    let mut bitset = vec![0u8; len.saturating_sub(200).max(1)];
    bitset[0] = 1;
    let payload = AddressedCall::new(vec![7; 20], vec![0xcd; 32]).unwrap().to_bytes();
    let unsigned = UnsignedMessage::new(5, Id([0x5c; 32]), payload).unwrap();
    let signers = SignerBitSet::from_bytes(bitset).unwrap();
    Message::new(unsigned, BitSetSignature::new(signers, [0; 96])).to_bytes()
}

pub fn database() -> InMemoryDB {
    let mut db = InMemoryDB::default();
    db.insert_account_info(EOA, AccountInfo { balance: U256::from(10u128.pow(20)), ..Default::default() });
    for (address, op, target) in [
        (CALLER_TO_WARP, CALL, WARP_ADDRESS),
        (STATIC_TO_WARP, STATICCALL, WARP_ADDRESS),
        (DELEGATE_TO_WARP, DELEGATECALL, WARP_ADDRESS),
        (CALLCODE_TO_WARP, CALLCODE, WARP_ADDRESS),
        (STATIC_TO_CALLER, STATICCALL, CALLER_TO_WARP),
    ] {
        db.insert_account_info(address, AccountInfo::from_bytecode(forwarder(op, target)));
    }
    db
}

pub fn output(result: &ExecutionResult) -> &Bytes {
    match result {
        ExecutionResult::Success { output: Output::Call(bytes), .. } => bytes,
        other => panic!("expected success, got {other:?}"),
    }
}

/// The forwarder's `ok` word and the callee's returndata.
pub fn forwarded(result: &ExecutionResult) -> (bool, &[u8]) {
    let out = output(result);
    assert!(out.len() >= 32, "forwarder output {out}");
    (out[31] == 1, &out[32..])
}

pub fn calldata_gas(input: &[u8]) -> u64 {
    input.iter().map(|b| if *b == 0 { 4 } else { 16 }).sum()
}

pub fn send_input(payload: &'static [u8]) -> Vec<u8> {
    IWarpMessenger::sendWarpMessageCall { payload: Bytes::from_static(payload) }.abi_encode()
}

pub fn message(tag: u8, payload_len: usize) -> Vec<u8> {
    let payload = AddressedCall::new(vec![tag; 20], vec![tag; payload_len]).unwrap().to_bytes();
    let unsigned = UnsignedMessage::new(5, Id([0x5c; 32]), payload).unwrap();
    Message::new(unsigned, BitSetSignature::new(SignerBitSet::from_indices([0, 2]), [0; 96])).to_bytes()
}

pub fn tx_to(to: Address, input: Vec<u8>, access_list: AccessList, failures: FailureBits) -> WarpTx {
    WarpTx::new(
        TxEnv::builder()
            .caller(EOA)
            .kind(TxKind::Call(to))
            .data(Bytes::from(input))
            .gas_limit(GAS_LIMIT)
            .gas_price(0)
            .access_list(access_list)
            .tx_type(Some(1))
            .build()
            .expect("valid tx"),
        failures,
    )
}

pub fn call(input: Vec<u8>, access_list: AccessList, failures: FailureBits) -> WarpTx {
    tx_to(WARP_ADDRESS, input, access_list, failures)
}

/// A warp context on [`database`] at [`SPEC`] with `chain` in the chain slot.
pub fn context(chain: WarpChain) -> WarpContext<InMemoryDB> {
    Context::mainnet()
        .with_db(database())
        .with_cfg(CfgEnv::new_with_spec(SPEC))
        .with_block(BlockEnv::default())
        .with_chain(chain)
        .with_tx(WarpTx::default())
}
