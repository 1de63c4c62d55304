//! The precompile through revm, measured in one run against revm's identity
//! precompile (`0x04`) with the same amount of data.
//!
//! Every case is a whole transaction from an externally owned account through
//! `transact` (validation, intrinsic gas, the call, finalisation), never
//! committed, so the same transaction can run again:
//!
//! - `precompile_1k/identity`: the baseline, revm's mainnet EVM calling `0x04`
//!   with 1 KiB of calldata (it returns the 1 KiB);
//! - `precompile_1k/identity_warp_evm`: the same call through `WarpEvm`, to show
//!   what our handler and provider add to a call that is not to warp;
//! - `precompile_1k/get_verified_warp_message`: `WarpEvm` reading a predicate
//!   whose AddressedCall carries a 1 KiB payload (intrinsic predicate gas
//!   parses it; the call unpacks, parses and ABI-encodes it);
//! - `precompile_1k/send_warp_message`: `WarpEvm` sending a 1 KiB payload
//!   (builds the message, hashes it, ABI-encodes the log).
//!
//! And the price of a read before it is charged (`read_loop`): a contract loops
//! `STATICCALL(gas = 0, warp, …)` until 15M gas are spent, in a transaction
//! carrying a 124 KB predicate (a signed message whose signer bitset is 124 KB
//! with one signer). With no gas, every call halts at its first charge, so the
//! time is what the precompile does before charging:
//!
//! - `read_loop/get_blockchain_id`: the baseline, the loop on `getBlockchainID()`;
//! - `read_loop/get_verified_warp_message_oob`: the loop on
//!   `getVerifiedWarpMessage(2^31 − 1)`, which must be as cheap (it used to copy
//!   every storage key of the transaction's predicates per call).

use std::hint::black_box;

use alloy_sol_types::SolCall;
use awm::core::{AddressedCall, BitSetSignature, Id, Message, SignerBitSet, UnsignedMessage};
use awm::precompile::revm::{WarpBuilder, WarpChain, WarpTx};
use awm::precompile::{ChainConstants, DelegatePolicy, IWarpMessenger, WARP_ADDRESS};
use awm::predicate::{warp_access_list, AccessList, FailureBits, GasSchedule};
use criterion::{criterion_group, criterion_main, Criterion};
use revm::context::{CfgEnv, Context};
use revm::primitives::{Address, Bytes};
use revm::state::AccountInfo;
use revm::{ExecuteEvm, MainBuilder, MainContext};

const PAYLOAD: usize = 1024;

// The funded account, the warp context and the transaction builder the
// end-to-end tests use.
#[path = "../tests/support/mod.rs"]
mod support;
use support::{context, database, static_call_loop, tx_to, wide_bitset_message, SPEC};

fn bench(c: &mut Criterion) {
    let chain = WarpChain::new(
        ChainConstants { network_id: 1, blockchain_id: Id([0xbc; 32]) },
        GasSchedule::granite(),
        DelegatePolicy::Reverts,
    );

    let identity_input = vec![0xab; PAYLOAD];
    let identity =
        tx_to(Address::with_last_byte(4), identity_input, AccessList::default(), FailureBits::none_failed())
            .into_base();

    let payload = AddressedCall::new(vec![7; 20], vec![0xcd; PAYLOAD]).expect("payload fits").to_bytes();
    let unsigned = UnsignedMessage::new(1, Id([0x5c; 32]), payload).expect("message fits");
    let message = Message::new(unsigned, BitSetSignature::new(SignerBitSet::from_indices(0..67), [0; 96]));
    let read = tx_to(
        WARP_ADDRESS,
        IWarpMessenger::getVerifiedWarpMessageCall { index: 0 }.abi_encode(),
        warp_access_list([message.to_bytes().as_slice()]),
        FailureBits::none_failed(),
    );
    let send = tx_to(
        WARP_ADDRESS,
        IWarpMessenger::sendWarpMessageCall { payload: Bytes::from(vec![0xcd; PAYLOAD]) }.abi_encode(),
        AccessList::default(),
        FailureBits::none_failed(),
    );

    // Check once, outside the timing, that each case does what its name says.
    let mut evm = context(chain).build_warp();
    let got = evm.transact(read.clone()).expect("read runs").result;
    let decoded =
        IWarpMessenger::getVerifiedWarpMessageCall::abi_decode_returns(got.output().expect("output"))
            .expect("decodes");
    assert!(decoded.valid && decoded.message.payload.len() == PAYLOAD);
    assert_eq!(evm.transact(send.clone()).expect("send runs").result.logs().len(), 1);

    let mut group = c.benchmark_group("precompile_1k");
    let mut mainnet =
        Context::mainnet().with_db(database()).with_cfg(CfgEnv::new_with_spec(SPEC)).build_mainnet();
    group.bench_function("identity", |b| b.iter(|| black_box(mainnet.transact(identity.clone()))));
    let identity_warp = WarpTx::new(identity.clone(), FailureBits::none_failed());
    group.bench_function("identity_warp_evm", |b| b.iter(|| black_box(evm.transact(identity_warp.clone()))));
    group.bench_function("get_verified_warp_message", |b| b.iter(|| black_box(evm.transact(read.clone()))));
    group.bench_function("send_warp_message", |b| b.iter(|| black_box(evm.transact(send.clone()))));
    group.finish();

    read_loop(c, chain);
}

fn read_loop(c: &mut Criterion, chain: WarpChain) {
    const LOOP: Address = Address::new([0x1f; 20]);
    const GAS: u64 = 15_000_000;
    let message = wide_bitset_message(124 * 1024);
    let access_list = warp_access_list([message.as_slice()]);
    assert!(access_list.0[0].storage_keys.len() > 3_800);

    let loop_tx = |input: Vec<u8>| {
        let mut tx = tx_to(LOOP, input, access_list.clone(), FailureBits::none_failed()).into_base();
        tx.gas_limit = GAS;
        WarpTx::new(tx, FailureBits::none_failed())
    };
    let oob = loop_tx(IWarpMessenger::getVerifiedWarpMessageCall { index: i32::MAX as u32 }.abi_encode());
    let id = loop_tx(IWarpMessenger::getBlockchainIDCall {}.abi_encode());

    let mut db = database();
    db.insert_account_info(LOOP, AccountInfo::from_bytecode(static_call_loop(WARP_ADDRESS)));
    let mut evm = context(chain).with_db(db).build_warp();
    for tx in [&oob, &id] {
        let result = evm.transact(tx.clone()).expect("loop runs").result;
        assert!(result.is_success(), "{result:?}");
        assert!(result.tx_gas_used() > GAS - 10_000, "the loop spends the gas: {}", result.tx_gas_used());
    }

    let mut group = c.benchmark_group("read_loop");
    group.sample_size(10);
    group.bench_function("get_blockchain_id", |b| b.iter(|| black_box(evm.transact(id.clone()))));
    group
        .bench_function("get_verified_warp_message_oob", |b| b.iter(|| black_box(evm.transact(oob.clone()))));
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
