//! The alloy-evm adapter (`DynPrecompile` in a `PrecompilesMap`): the same
//! answers, gas and logs as the revm provider for every kind of call, never
//! cacheable, cold, and loud (a fatal error) when the host's transaction type
//! carries no failure bits and a contract reads a predicate.

use alloy_evm::eth::EthEvmBuilder;
use alloy_evm::precompiles::{Precompile, PrecompilesMap};
use alloy_evm::{Evm, EvmEnv};
use alloy_sol_types::SolCall;
use awm::precompile::alloy_evm::{warp_dyn_precompile, with_warp_tx};
use awm::precompile::revm::{WarpChain, WarpPrecompiles, WarpTx};
use awm::precompile::{DelegatePolicy, IWarpMessenger, WARP_ADDRESS};
use awm::predicate::{warp_access_list, FailureBits, GasSchedule};
use revm::context::result::{EVMError, ExecutionResult, HaltReason};
use revm::context::{BlockEnv, CfgEnv, TxEnv};
use revm::handler::EthPrecompiles;
use revm::primitives::Address;
use revm::{ExecuteEvm, MainBuilder};

mod support;
use support::*;

fn chain(delegate_policy: DelegatePolicy) -> WarpChain {
    WarpChain::new(CHAIN, GasSchedule::granite(), delegate_policy)
}

fn map(chain: WarpChain) -> PrecompilesMap {
    with_warp_tx(EthPrecompiles::new(SPEC).into(), chain)
}

type Outcome = Result<ExecutionResult, EVMError<std::convert::Infallible>>;

/// The same transaction through revm's mainnet handler, once with the alloy-evm
/// map and once with the revm provider.
fn both(chain: WarpChain, tx: WarpTx) -> (Outcome, Outcome) {
    let via_map = context(chain).build_mainnet().with_precompiles(map(chain)).transact(tx.clone());
    let via_provider =
        context(chain).build_mainnet().with_precompiles(WarpPrecompiles::new(SPEC)).transact(tx);
    (via_map.map(|o| o.result), via_provider.map(|o| o.result))
}

#[test]
fn the_map_matches_the_revm_provider() {
    let list = warp_access_list([message(1, 3).as_slice(), message(2, 40).as_slice()]);
    let read = |index| IWarpMessenger::getVerifiedWarpMessageCall { index }.abi_encode();
    let cases = [
        (WARP_ADDRESS, send_input(b"0123456789"), FailureBits::none_failed(), DelegatePolicy::Reverts),
        (CALLER_TO_WARP, send_input(b"hello"), FailureBits::none_failed(), DelegatePolicy::Reverts),
        (STATIC_TO_WARP, send_input(b"hello"), FailureBits::none_failed(), DelegatePolicy::Reverts),
        (STATIC_TO_CALLER, send_input(b"hello"), FailureBits::none_failed(), DelegatePolicy::Reverts),
        (DELEGATE_TO_WARP, send_input(b"hello"), FailureBits::none_failed(), DelegatePolicy::Reverts),
        (CALLCODE_TO_WARP, send_input(b"hello"), FailureBits::none_failed(), DelegatePolicy::Allowed),
        (DELEGATE_TO_WARP, send_input(b"hello"), FailureBits::none_failed(), DelegatePolicy::Allowed),
        (CALLER_TO_WARP, read(0), FailureBits::none_failed(), DelegatePolicy::Reverts),
        (CALLER_TO_WARP, read(1), FailureBits::from_indices([1]), DelegatePolicy::Reverts),
        (WARP_ADDRESS, read(2), FailureBits::none_failed(), DelegatePolicy::Reverts),
        (
            STATIC_TO_WARP,
            IWarpMessenger::getVerifiedWarpBlockHashCall { index: 0 }.abi_encode(),
            FailureBits::none_failed(),
            DelegatePolicy::Reverts,
        ),
        (
            CALLER_TO_WARP,
            IWarpMessenger::getBlockchainIDCall {}.abi_encode(),
            FailureBits::none_failed(),
            DelegatePolicy::Reverts,
        ),
        (WARP_ADDRESS, vec![1, 2, 3], FailureBits::none_failed(), DelegatePolicy::Reverts),
    ];
    for (to, input, failures, policy) in cases {
        let (via_map, via_provider) = both(chain(policy), tx_to(to, input.clone(), list.clone(), failures));
        // The revm provider also names a top-level halt's reason, as revm's own
        // precompiles do; alloy-evm's map has no such hook.
        let via_provider = match via_provider.unwrap() {
            ExecutionResult::Halt { reason: HaltReason::PrecompileErrorWithContext(_), gas, logs } => {
                ExecutionResult::Halt { reason: HaltReason::PrecompileError, gas, logs }
            }
            other => other,
        };
        assert_eq!(via_map.unwrap(), via_provider, "to {to} input {}", hex::encode(&input));
    }
    // A contract's first CALL to warp is cold (2,600) in both: the same gas,
    // with no access list to warm it.
    let input = IWarpMessenger::getBlockchainIDCall {}.abi_encode();
    let (via_map, via_provider) = both(
        chain(DelegatePolicy::Reverts),
        tx_to(CALLER_TO_WARP, input, Default::default(), FailureBits::none_failed()),
    );
    assert_eq!(via_map.unwrap().tx_gas_used(), via_provider.unwrap().tx_gas_used());
}

#[test]
fn a_transaction_invalidating_delegate_call_is_fatal_in_both() {
    let tx = tx_to(DELEGATE_TO_WARP, send_input(b"hello"), Default::default(), FailureBits::none_failed());
    let (via_map, via_provider) = both(chain(DelegatePolicy::InvalidatesTransaction), tx);
    assert!(
        matches!(via_map, Err(EVMError::Custom(ref reason)) if reason.contains("invalidates")),
        "{via_map:?}"
    );
    assert!(matches!(via_provider, Err(EVMError::Custom(ref reason)) if reason.contains("invalidates")));
}

#[test]
fn never_cacheable_and_cold() {
    assert!(!warp_dyn_precompile::<WarpTx>(chain(DelegatePolicy::Reverts)).supports_caching());
    let map = map(chain(DelegatePolicy::Reverts));
    let installed = map.get(&WARP_ADDRESS).expect("installed");
    assert!(!installed.supports_caching());
    assert!(!map.addresses().any(|a| *a == WARP_ADDRESS));
    // The Ethereum precompiles are still there and still pre-warmed.
    assert!(map.addresses().any(|a| *a == Address::with_last_byte(4)));
}

#[test]
fn reth_s_default_evm_sends_but_cannot_read_predicates() {
    let evm_env = EvmEnv { cfg_env: CfgEnv::new_with_spec(SPEC), block_env: BlockEnv::default() };
    let mut evm =
        EthEvmBuilder::new(database(), evm_env).precompiles(map(chain(DelegatePolicy::Reverts))).build();
    let plain = |input: Vec<u8>| {
        let mut tx: TxEnv =
            tx_to(WARP_ADDRESS, input, Default::default(), FailureBits::none_failed()).into_base();
        tx.nonce = 0;
        tx
    };
    let sent = evm.transact(plain(send_input(b"hello"))).unwrap();
    assert!(sent.result.is_success());
    assert_eq!(sent.result.logs().len(), 1);
    assert_eq!(&sent.result.logs()[0].topics()[1][12..], EOA.as_slice());
    let read = evm.transact(plain(IWarpMessenger::getVerifiedWarpMessageCall { index: 0 }.abi_encode()));
    assert!(matches!(read, Err(EVMError::Custom(ref reason)) if reason.contains("WarpTx")), "{read:?}");
}

/// Review finding (Hardening II, 2), through the map: a transaction that was not
/// pre-verified reads its (forged) predicate as invalid, as through the provider.
#[test]
fn an_unverified_transaction_reads_invalid_through_the_map() {
    let list = warp_access_list([message(1, 3).as_slice()]);
    let read = IWarpMessenger::getVerifiedWarpMessageCall { index: 0 }.abi_encode();
    let base = tx_to(CALLER_TO_WARP, read, list, FailureBits::none_failed()).into_base();
    for (tx, valid) in
        [(WarpTx::unverified(base.clone()), false), (WarpTx::new(base, FailureBits::none_failed()), true)]
    {
        let (via_map, via_provider) = both(chain(DelegatePolicy::Reverts), tx);
        let via_map = via_map.unwrap();
        let (ok, data) = forwarded(&via_map);
        assert!(ok);
        assert_eq!(
            IWarpMessenger::getVerifiedWarpMessageCall::abi_decode_returns(data).unwrap().valid,
            valid
        );
        assert_eq!(via_map, via_provider.unwrap());
    }
}
