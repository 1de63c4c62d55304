//! The precompile inside revm 43 (mainnet handler, no predicate intrinsic gas
//! yet): calls from an externally owned account reach the warp core through
//! `WarpPrecompiles`, logs land in the receipt, predicates come from the
//! transaction's access list and failures from its `WarpTx` bits, and the other
//! precompiles still work.

use alloy_sol_types::SolCall;
use awm::core::{AddressedCall, BitSetSignature, Id, Message, SignerBitSet, UnsignedMessage};
use awm::precompile::revm::{WarpChain, WarpPrecompiles, WarpTx};
use awm::precompile::{ChainConstants, DelegatePolicy, IWarpMessenger, WARP_ADDRESS};
use awm::predicate::{warp_access_list, FailureBits, GasSchedule};
use revm::context::{BlockEnv, CfgEnv, Context, TxEnv};
use revm::context_interface::result::{ExecutionResult, Output};
use revm::database::InMemoryDB;
use revm::primitives::hardfork::SpecId;
use revm::primitives::{Address, Bytes, TxKind, U256};
use revm::state::AccountInfo;
use revm::{ExecuteEvm, MainBuilder, MainContext};

const CALLER: Address = Address::new([0xee; 20]);
const CHAIN: ChainConstants = ChainConstants { network_id: 5, blockchain_id: Id([0xbc; 32]) };

fn execute(tx: WarpTx) -> ExecutionResult {
    let mut db = InMemoryDB::default();
    db.insert_account_info(CALLER, AccountInfo { balance: U256::from(10u128.pow(20)), ..Default::default() });
    let chain = WarpChain {
        constants: CHAIN,
        schedule: GasSchedule::granite(),
        delegate_policy: DelegatePolicy::Reverts,
    };
    let ctx = Context::mainnet()
        .with_db(db)
        .with_cfg(CfgEnv::new_with_spec(SpecId::PRAGUE))
        .with_block(BlockEnv::default())
        .with_chain(chain)
        .with_tx(WarpTx::default());
    let mut evm = ctx.build_mainnet().with_precompiles(WarpPrecompiles::new(SpecId::PRAGUE));
    evm.transact(tx).expect("transaction executes").result
}

fn call(input: Vec<u8>, access_list: awm::predicate::AccessList, failures: FailureBits) -> WarpTx {
    WarpTx::new(
        TxEnv::builder()
            .caller(CALLER)
            .kind(TxKind::Call(WARP_ADDRESS))
            .data(Bytes::from(input))
            .gas_limit(1_000_000)
            .gas_price(0)
            .access_list(access_list)
            .tx_type(Some(1))
            .build()
            .expect("valid tx"),
        failures,
    )
}

fn output(result: &ExecutionResult) -> &Bytes {
    match result {
        ExecutionResult::Success { output: Output::Call(bytes), .. } => bytes,
        other => panic!("expected success, got {other:?}"),
    }
}

#[test]
fn send_from_an_eoa_emits_the_log() {
    let input =
        IWarpMessenger::sendWarpMessageCall { payload: Bytes::from_static(b"0123456789") }.abi_encode();
    let result = execute(call(input, Default::default(), FailureBits::new()));
    let logs = result.logs();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].address, WARP_ADDRESS);
    assert_eq!(&logs[0].topics()[1][12..], CALLER.as_slice());
    assert_eq!(output(&result).as_ref(), logs[0].topics()[2].as_slice());
    // 21,000 + calldata gas + 41,500 + 8 · 96 (the direct callee is warm by EIP-2929).
    let calldata_gas: u64 =
        IWarpMessenger::sendWarpMessageCall { payload: Bytes::from_static(b"0123456789") }
            .abi_encode()
            .iter()
            .map(|b| if *b == 0 { 4 } else { 16 })
            .sum();
    assert_eq!(result.tx_gas_used(), 21_000 + calldata_gas + 41_500 + 8 * 96);
}

#[test]
fn reads_use_the_access_list_and_the_failure_bits() {
    let message = |tag: u8| {
        let payload = AddressedCall::new(vec![tag; 20], vec![tag; 3]).unwrap().to_bytes();
        let unsigned = UnsignedMessage::new(5, Id([0x5c; 32]), payload).unwrap();
        Message::new(unsigned, BitSetSignature::new(SignerBitSet::from_indices([0]), [0; 96])).to_bytes()
    };
    let list = warp_access_list([message(1).as_slice(), message(2).as_slice()]);
    for (index, failures, valid) in [
        (0, FailureBits::new(), true),
        (1, FailureBits::from_indices([1]), false),
        (2, FailureBits::new(), false),
    ] {
        let input = IWarpMessenger::getVerifiedWarpMessageCall { index }.abi_encode();
        let result = execute(call(input, list.clone(), failures));
        let decoded =
            IWarpMessenger::getVerifiedWarpMessageCall::abi_decode_returns(output(&result)).unwrap();
        assert_eq!(decoded.valid, valid, "index {index}");
        if valid {
            assert_eq!(decoded.message.payload.as_ref(), &[1, 1, 1]);
            assert_eq!(decoded.message.originSenderAddress, Address::new([1; 20]));
        }
    }
}

#[test]
fn blockchain_id_and_halts() {
    let result = execute(call(
        IWarpMessenger::getBlockchainIDCall {}.abi_encode(),
        Default::default(),
        FailureBits::new(),
    ));
    assert_eq!(output(&result).as_ref(), &CHAIN.blockchain_id.0);
    // An unknown selector halts and burns the whole gas limit.
    let result = execute(call(vec![1, 2, 3, 4], Default::default(), FailureBits::new()));
    assert!(matches!(result, ExecutionResult::Halt { .. }), "{result:?}");
    assert_eq!(result.tx_gas_used(), 1_000_000);
}

#[test]
fn ethereum_precompiles_still_run() {
    let mut tx = call(vec![1, 2, 3], Default::default(), FailureBits::new());
    tx.base.kind = TxKind::Call(Address::with_last_byte(4));
    let result = execute(tx);
    assert_eq!(output(&result).as_ref(), &[1, 2, 3]);
}
