//! The precompile inside revm 43 through `WarpEvm` (`WarpHandler` +
//! `WarpPrecompiles`): calls from accounts and from contracts, static and
//! delegate contexts, cold access, predicate intrinsic gas and invalid
//! predicates, and the inspector path. Contracts are hand-assembled forwarders:
//! they copy their calldata, call a fixed target with one opcode, and return
//! `ok ‖ returndata`.

use alloy_sol_types::{SolCall, SolEvent};
use awm::core::UnsignedMessage;
use awm::precompile::revm::{WarpBuilder, WarpChain, WarpError, WarpTransactionError, WarpTx};
use awm::precompile::{DelegatePolicy, IWarpMessenger, WARP_ADDRESS};
use awm::predicate::{
    access_list_gas, predicate_gas, warp_access_list, AccessList, AccessListGasError, AccessListItem,
    FailureBits, GasSchedule, MissingPredicateResults, PredicateGasError, PredicateResults,
};
use revm::context::result::{EVMError, ExecutionResult, InvalidTransaction};
use revm::context::{CfgEnv, Context, ContextTr};
use revm::context_interface::cfg::GasId;
use revm::database::InMemoryDB;
use revm::inspector::Inspector;
use revm::interpreter::interpreter::EthInterpreter;
use revm::primitives::{Address, Log, B256};
use revm::{ExecuteEvm, InspectEvm, MainBuilder, MainContext};

mod support;
use support::*;

fn chain(schedule: GasSchedule, delegate_policy: DelegatePolicy) -> WarpChain {
    WarpChain::new(CHAIN, schedule, delegate_policy)
}

fn execute_on(chain: WarpChain, tx: WarpTx) -> Result<ExecutionResult, WarpError<InMemoryDB>> {
    context(chain).build_warp().transact(tx).map(|outcome| outcome.result)
}

fn execute(tx: WarpTx) -> ExecutionResult {
    execute_on(chain(GasSchedule::granite(), DelegatePolicy::Reverts), tx).expect("transaction executes")
}

#[test]
fn send_from_an_eoa_emits_the_log() {
    let input = send_input(b"0123456789");
    let result = execute(call(input.clone(), Default::default(), FailureBits::none_failed()));
    let logs = result.logs();
    assert_eq!(logs.len(), 1);
    assert_eq!(logs[0].address, WARP_ADDRESS);
    assert_eq!(logs[0].topics()[0], IWarpMessenger::SendWarpMessage::SIGNATURE_HASH);
    assert_eq!(&logs[0].topics()[1][12..], EOA.as_slice());
    assert_eq!(output(&result).as_ref(), logs[0].topics()[2].as_slice());
    // 21,000 + calldata + 41,500 + 8 · 96 (the direct callee is warm by EIP-2929).
    assert_eq!(result.tx_gas_used(), 21_000 + calldata_gas(&input) + 41_500 + 8 * 96);
}

#[test]
fn send_from_a_contract_names_the_contract() {
    let result =
        execute(tx_to(CALLER_TO_WARP, send_input(b"hello"), Default::default(), FailureBits::none_failed()));
    let (ok, id) = forwarded(&result);
    assert!(ok);
    let logs = result.logs();
    assert_eq!(logs.len(), 1);
    assert_eq!(&logs[0].topics()[1][12..], CALLER_TO_WARP.as_slice());
    assert_eq!(id, logs[0].topics()[2].as_slice());
    let event = IWarpMessenger::SendWarpMessage::decode_log_data(&logs[0].data).unwrap();
    let unsigned = UnsignedMessage::parse(&event.message).unwrap();
    assert_eq!(unsigned.source_chain_id(), CHAIN.blockchain_id);
    assert_eq!(unsigned.id().0.as_slice(), id);
}

#[test]
fn static_send_halts_burns_the_forwarded_gas_and_leaves_no_log() {
    let send =
        execute(tx_to(STATIC_TO_WARP, send_input(b"hello"), Default::default(), FailureBits::none_failed()));
    let (ok, data) = forwarded(&send);
    assert!(!ok && data.is_empty());
    assert!(send.logs().is_empty());
    // A halt burns everything the forwarder passed on (all but 1/64 of what it
    // had), exactly as an unknown selector of the same calldata cost does.
    let mut unknown_input = send_input(b"hello");
    unknown_input[3] ^= 0x01;
    assert_eq!(calldata_gas(&unknown_input), calldata_gas(&send_input(b"hello")));
    let unknown =
        execute(tx_to(STATIC_TO_WARP, unknown_input, Default::default(), FailureBits::none_failed()));
    assert!(!forwarded(&unknown).0);
    assert_eq!(send.tx_gas_used(), unknown.tx_gas_used());
    let intrinsic = 21_000 + calldata_gas(&send_input(b"hello"));
    let available = GAS_LIMIT - intrinsic;
    assert!(send.tx_gas_used() - intrinsic > available - available / 64);
    // A read in a static context works.
    let id = execute(tx_to(
        STATIC_TO_WARP,
        IWarpMessenger::getBlockchainIDCall {}.abi_encode(),
        Default::default(),
        FailureBits::none_failed(),
    ));
    assert_eq!(forwarded(&id), (true, CHAIN.blockchain_id.0.as_slice()));
}

#[test]
fn static_context_is_inherited_through_a_nested_call() {
    let result = execute(tx_to(
        STATIC_TO_CALLER,
        send_input(b"hello"),
        Default::default(),
        FailureBits::none_failed(),
    ));
    let (outer_ok, inner) = forwarded(&result);
    assert!(outer_ok, "the inner forwarder itself returns normally");
    assert_eq!(inner.len(), 32);
    assert_eq!(inner[31], 0, "the CALL to send failed: static was inherited");
    assert!(result.logs().is_empty());
}

#[test]
fn delegate_calls_follow_the_fork_policy() {
    let input = send_input(b"hello");
    // From Granite: a revert with no gas left, for DELEGATECALL and CALLCODE alike.
    for forwarder in [DELEGATE_TO_WARP, CALLCODE_TO_WARP] {
        let result = execute_on(
            chain(GasSchedule::granite(), DelegatePolicy::Reverts),
            tx_to(forwarder, input.clone(), Default::default(), FailureBits::none_failed()),
        )
        .unwrap();
        let (ok, data) = forwarded(&result);
        assert!(!ok && data.is_empty());
        assert!(result.logs().is_empty());
        let available = GAS_LIMIT - 21_000 - calldata_gas(&input);
        assert!(result.tx_gas_used() - 21_000 - calldata_gas(&input) > available - available / 64);
    }
    // From 2025-08-02 until Granite: the transaction is invalid.
    let invalid = execute_on(
        chain(GasSchedule::pre_granite(), DelegatePolicy::InvalidatesTransaction),
        tx_to(DELEGATE_TO_WARP, input.clone(), Default::default(), FailureBits::none_failed()),
    );
    assert!(
        matches!(invalid, Err(EVMError::Custom(ref reason)) if reason.contains("delegate")),
        "{invalid:?}"
    );
    // Before: it runs, and the sender is the delegating frame's caller.
    let allowed = execute_on(
        chain(GasSchedule::pre_granite(), DelegatePolicy::Allowed),
        tx_to(DELEGATE_TO_WARP, input, Default::default(), FailureBits::none_failed()),
    )
    .unwrap();
    assert!(forwarded(&allowed).0);
    assert_eq!(allowed.logs().len(), 1);
    assert_eq!(&allowed.logs()[0].topics()[1][12..], EOA.as_slice());
}

#[test]
fn warp_is_cold_unless_the_access_list_names_it() {
    let input = IWarpMessenger::getBlockchainIDCall {}.abi_encode();
    let cold = execute(tx_to(CALLER_TO_WARP, input.clone(), Default::default(), FailureBits::none_failed()));
    let list = warp_access_list([message(1, 3).as_slice()]);
    let warm = execute(tx_to(CALLER_TO_WARP, input, list.clone(), FailureBits::none_failed()));
    assert_eq!(forwarded(&cold), forwarded(&warm));
    let predicate = access_list_gas(&list, &GasSchedule::granite()).unwrap().with_predicates;
    // The predicate tuple warms the address: its first CALL saves 2,500 of the 2,600.
    assert_eq!(warm.tx_gas_used() + 2_500, cold.tx_gas_used() + predicate);
}

#[test]
fn reads_use_the_access_list_and_the_failure_bits() {
    let list = warp_access_list([message(1, 3).as_slice(), message(2, 3).as_slice()]);
    for (index, failures, valid) in [
        (0, FailureBits::none_failed(), true),
        (1, FailureBits::none_failed(), true),
        (1, FailureBits::from_indices([1]), false),
        (0, FailureBits::from_indices([1]), true),
        (2, FailureBits::none_failed(), false),
    ] {
        let input = IWarpMessenger::getVerifiedWarpMessageCall { index }.abi_encode();
        let result = execute(call(input, list.clone(), failures));
        let decoded =
            IWarpMessenger::getVerifiedWarpMessageCall::abi_decode_returns(output(&result)).unwrap();
        assert_eq!(decoded.valid, valid, "index {index}");
        if valid {
            let tag = index as u8 + 1;
            assert_eq!(decoded.message.payload.as_ref(), &[tag; 3]);
            assert_eq!(decoded.message.originSenderAddress, Address::new([tag; 20]));
            assert_eq!(decoded.message.sourceChainID, B256::new([0x5c; 32]));
        }
    }
}

#[test]
fn predicate_gas_is_intrinsic_and_the_limit_is_checked_against_it() {
    let list = warp_access_list([message(1, 3).as_slice(), message(2, 300).as_slice()]);
    let input = IWarpMessenger::getBlockchainIDCall {}.abi_encode();
    for schedule in [GasSchedule::pre_granite(), GasSchedule::granite()] {
        let keys: Vec<Vec<B256>> = list.0.iter().map(|item| item.storage_keys.clone()).collect();
        let predicates: u64 = keys.iter().map(|k| predicate_gas(k, &schedule).unwrap().gas).sum();
        let intrinsic = 21_000 + calldata_gas(&input) + predicates;
        let run = |gas_limit| {
            let mut tx = call(input.clone(), list.clone(), FailureBits::none_failed());
            tx.base_mut().gas_limit = gas_limit;
            execute_on(chain(schedule, DelegatePolicy::Reverts), tx)
        };
        let result = run(intrinsic + 1_000).unwrap();
        assert_eq!(result.tx_gas_used(), intrinsic + schedule.get_blockchain_id);
        assert_eq!(
            run(intrinsic - 1).unwrap_err(),
            EVMError::Transaction(WarpTransactionError::Base(
                InvalidTransaction::CallGasCostMoreThanGasLimit {
                    gas_limit: intrinsic - 1,
                    initial_gas: intrinsic,
                }
            )),
        );
    }
}

#[test]
fn a_cheaper_granite_predicate_lowers_intrinsic_gas() {
    // About 100 keys: under Granite the predicate costs less than 2,400 + 1,900 · keys.
    let list = warp_access_list([message(1, 3_000).as_slice()]);
    let gas = access_list_gas(&list, &GasSchedule::granite()).unwrap();
    assert!(gas.with_predicates < gas.standard, "{gas:?}");
    let exact = 21_000 + gas.with_predicates;
    let mut tx = tx_to(Address::new([0x42; 20]), Vec::new(), list, FailureBits::none_failed());
    tx.base_mut().gas_limit = exact;
    let result = execute(tx.clone());
    assert!(result.is_success());
    assert_eq!(result.tx_gas_used(), exact);
    // revm's mainnet handler charges the flat amount and refuses the same transaction.
    let mainnet = Context::mainnet()
        .with_db(database())
        .with_cfg(CfgEnv::new_with_spec(SPEC))
        .build_mainnet()
        .transact(tx.into_base())
        .unwrap_err();
    assert_eq!(
        mainnet,
        EVMError::Transaction(InvalidTransaction::CallGasCostMoreThanGasLimit {
            gas_limit: exact,
            initial_gas: 21_000 + gas.standard,
        })
    );
}

#[test]
fn only_warp_tuples_change_price_whatever_revm_charges_for_the_rest() {
    // A spec whose access list is priced 3,000 per address and 2,000 per key: the
    // warp tuple swaps revm's own flat price for its predicate gas, and the other
    // tuple keeps revm's price.
    let list = AccessList(vec![
        warp_access_list([message(1, 3).as_slice()]).0.remove(0),
        AccessListItem { address: EOA, storage_keys: vec![B256::ZERO] },
    ]);
    let predicate = predicate_gas(&list.0[0].storage_keys, &GasSchedule::granite()).unwrap().gas;
    let exact = 21_000 + predicate + 3_000 + 2_000;
    let run = |gas_limit| {
        let mut ctx = context(chain(GasSchedule::granite(), DelegatePolicy::Reverts));
        ctx.cfg.gas_params.override_gas([
            (GasId::tx_access_list_address_cost(), 3_000),
            (GasId::tx_access_list_storage_key_cost(), 2_000),
        ]);
        let mut tx = tx_to(Address::new([0x42; 20]), Vec::new(), list.clone(), FailureBits::none_failed());
        tx.base_mut().gas_limit = gas_limit;
        ctx.build_warp().transact(tx).map(|outcome| outcome.result)
    };
    assert_eq!(run(exact).unwrap().tx_gas_used(), exact);
    assert_eq!(
        run(exact - 1).unwrap_err(),
        EVMError::Transaction(WarpTransactionError::Base(InvalidTransaction::CallGasCostMoreThanGasLimit {
            gas_limit: exact - 1,
            initial_gas: exact,
        })),
    );
}

#[test]
fn a_malformed_predicate_makes_the_transaction_invalid() {
    let good = warp_access_list([message(1, 3).as_slice()]).0.remove(0);
    let mut bad_delimiter = good.clone();
    let last = bad_delimiter.storage_keys.len() - 1;
    bad_delimiter.storage_keys[last] = B256::repeat_byte(0x11);
    let empty = AccessListItem { address: WARP_ADDRESS, storage_keys: Vec::new() };
    for (list, index) in [
        (vec![bad_delimiter], 0),
        (vec![good.clone(), empty], 1),
        (
            vec![
                AccessListItem { address: EOA, storage_keys: vec![B256::ZERO] },
                good,
                bad_delimiter_at_end(),
            ],
            1,
        ),
    ] {
        let error = execute_on(
            chain(GasSchedule::granite(), DelegatePolicy::Reverts),
            call(
                IWarpMessenger::getBlockchainIDCall {}.abi_encode(),
                AccessList(list),
                FailureBits::none_failed(),
            ),
        )
        .unwrap_err();
        match error {
            EVMError::Transaction(WarpTransactionError::Predicate(AccessListGasError::Predicate {
                index: i,
                source: PredicateGasError::InvalidPredicateBytes(_),
            })) => assert_eq!(i, index),
            other => panic!("expected an invalid predicate at {index}, got {other:?}"),
        }
    }
}

/// A warp tuple whose packed bytes have no `0xff` delimiter.
fn bad_delimiter_at_end() -> AccessListItem {
    AccessListItem { address: WARP_ADDRESS, storage_keys: vec![B256::ZERO] }
}

#[test]
fn without_warp_tuples_the_handler_is_mainnet() {
    let other = AccessList(vec![AccessListItem { address: EOA, storage_keys: vec![B256::ZERO; 3] }]);
    for (to, input, list, gas_limit) in [
        (CALLER_TO_WARP, send_input(b"x"), AccessList::default(), GAS_LIMIT),
        (Address::with_last_byte(4), vec![7; 100], other.clone(), GAS_LIMIT),
        (Address::new([0x42; 20]), Vec::new(), other.clone(), 21_000 + 2_400 + 3 * 1_900),
        (Address::new([0x42; 20]), Vec::new(), other, 21_000 + 2_400 + 3 * 1_900 - 1),
    ] {
        let tx = tx_to(to, input, list, FailureBits::none_failed());
        let mut tx = tx.clone();
        tx.base_mut().gas_limit = gas_limit;
        let ours =
            context(chain(GasSchedule::granite(), DelegatePolicy::Reverts)).build_warp().transact(tx.clone());
        let mainnet = Context::mainnet()
            .with_db(database())
            .with_cfg(CfgEnv::new_with_spec(SPEC))
            .with_chain(chain(GasSchedule::granite(), DelegatePolicy::Reverts))
            .with_tx(WarpTx::default())
            .build_mainnet()
            .with_precompiles(awm::precompile::revm::WarpPrecompiles::new(SPEC))
            .transact(tx);
        match (ours, mainnet) {
            (Ok(a), Ok(b)) => {
                assert_eq!(a.result, b.result);
            }
            (Err(EVMError::Transaction(WarpTransactionError::Base(a))), Err(EVMError::Transaction(b))) => {
                assert_eq!(a, b)
            }
            other => panic!("handlers disagree: {other:?}"),
        }
    }
}

/// Counts logs through the inspector's `log` hook.
#[derive(Debug, Default)]
struct LogCounter(Vec<Log>);

impl<CTX: ContextTr> Inspector<CTX, EthInterpreter> for LogCounter {
    fn log(&mut self, _context: &mut CTX, log: Log) {
        self.0.push(log);
    }
}

#[test]
fn the_inspector_path_charges_the_same_gas_and_sees_the_log() {
    let list = warp_access_list([message(1, 3).as_slice()]);
    let tx = tx_to(CALLER_TO_WARP, send_input(b"hello"), list, FailureBits::none_failed());
    let plain = execute(tx.clone());
    let mut evm = context(chain(GasSchedule::granite(), DelegatePolicy::Reverts))
        .build_warp_with_inspector(LogCounter::default());
    let inspected = evm.inspect_one_tx(tx).unwrap();
    assert_eq!(inspected, plain);
    assert_eq!(evm.0.inspector.0.len(), 1);
    assert_eq!(evm.0.inspector.0[0], plain.logs()[0]);
}

#[test]
fn ethereum_precompiles_still_run() {
    let result = execute(tx_to(
        Address::with_last_byte(4),
        vec![1, 2, 3],
        Default::default(),
        FailureBits::none_failed(),
    ));
    assert_eq!(output(&result).as_ref(), &[1, 2, 3]);
}

/// Review finding (Hardening II, 2): "not pre-verified" can never read as
/// "valid". A forged message (well formed, signed by nobody) in the access list
/// reads `valid = false` unless pre-verification says otherwise, and the block's
/// results are looked up so that a missing entry is an error, not a pass.
#[test]
fn without_pre_verification_a_forged_message_never_reads_valid() {
    let forged = message(1, 3);
    let list = warp_access_list([forged.as_slice()]);
    let read = IWarpMessenger::getVerifiedWarpMessageCall { index: 0 }.abi_encode();
    let base = tx_to(WARP_ADDRESS, read, list, FailureBits::none_failed()).into_base();
    let reads_valid = |tx: WarpTx| {
        let result = execute(tx);
        IWarpMessenger::getVerifiedWarpMessageCall::abi_decode_returns(output(&result)).unwrap().valid
    };

    // The explicit "nothing failed" is what pre-verification would have to say
    // for the message to read as valid.
    assert!(reads_valid(WarpTx::new(base.clone(), FailureBits::none_failed())));
    // Not pre-verified, either way of saying it: invalid.
    assert!(!reads_valid(WarpTx::unverified(base.clone())));
    let mut default = WarpTx::default();
    *default.base_mut() = base.clone();
    assert!(!reads_valid(default));

    // From the block's results, by the transaction's hash.
    let (hash, other) = (B256::repeat_byte(0x71), B256::repeat_byte(0x72));
    let mut results = PredicateResults::new();
    results.set(hash, WARP_ADDRESS, FailureBits::from_indices([0]));
    assert!(!reads_valid(WarpTx::from_block_results(base.clone(), &results, &hash).unwrap()));
    // Under the wrong hash (or never pre-verified): refused, not read as valid.
    assert_eq!(
        WarpTx::from_block_results(base.clone(), &results, &other).unwrap_err(),
        MissingPredicateResults { tx: other, predicates: 1 }
    );
    // A transaction without warp predicates needs no entry.
    let plain = tx_to(
        WARP_ADDRESS,
        IWarpMessenger::getBlockchainIDCall {}.abi_encode(),
        AccessList::default(),
        FailureBits::none_failed(),
    )
    .into_base();
    let plain = WarpTx::from_block_results(plain, &results, &other).unwrap();
    assert_eq!(plain.failures(), Some(&FailureBits::none_failed()));
    assert!(execute(plain).is_success());
}
