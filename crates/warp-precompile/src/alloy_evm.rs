//! The alloy-evm 0.39 adapter (feature `alloy-evm`): the same core as a
//! [`DynPrecompile`] in a [`PrecompilesMap`], the only precompile provider reth
//! accepts.
//!
//! | piece | what it does |
//! |---|---|
//! | [`warp_dyn_precompile`] | the precompile, built with `DynPrecompile::new_stateful`: never cacheable, since it emits logs and reads per-transaction state (reth's engine caches every cacheable precompile by calldata) |
//! | [`with_warp`] | installs it at `0x0200…0005` through the map's dynamic lookup, so the address stays **cold** as in the reference |
//!
//! The precompile reads the chain's [`WarpChain`] from the closure (alloy-evm's
//! precompiles cannot reach revm's chain slot): an `EvmFactory` builds the map
//! per block, with the schedule and delegate policy at the block's timestamp
//! ([`WarpChain::at`]). For the two reads it downcasts the transaction
//! environment to the warp transaction type `T` (for example [`WarpTx`]) to get
//! the access list and the failure bits; a host whose transaction type is not
//! `T` gets a fatal error on a read, never a guessed answer.
//!
//! # What a reth node adds
//!
//! A precompile cannot change intrinsic gas. reth's `EthEvmFactory` builds
//! `EthEvm`, which hard-wires `TxEnv` and revm's mainnet handler, so a node that
//! accepts warp predicates ships its own `EvmFactory` (the pattern of
//! alloy-op-evm's `OpEvmFactory`, and reth's `examples/custom-evm`):
//! - its `Evm` runs [`WarpHandler`](crate::revm::WarpHandler), which charges each
//!   warp tuple its predicate gas and refuses a malformed predicate;
//! - its transaction type is [`WarpTx`] (or another [`WarpTxTr`]), filled with the
//!   failure bits from the block's predicate results;
//! - its `type Precompiles = PrecompilesMap`, built as
//!   `with_warp::<WarpTx>(PrecompilesMap::from_static(..), chain)`.
//!
//! ```
//! use alloy_evm::precompiles::PrecompilesMap;
//! use revm::handler::EthPrecompiles;
//! use revm::primitives::hardfork::SpecId;
//! use warp_precompile::alloy_evm::with_warp;
//! use warp_precompile::revm::{WarpChain, WarpTx};
//! use warp_precompile::WARP_ADDRESS;
//!
//! let map = with_warp::<WarpTx>(EthPrecompiles::new(SpecId::CANCUN).into(), WarpChain::default());
//! assert!(map.get(&WARP_ADDRESS).is_some());
//! assert!(!map.addresses().any(|a| *a == WARP_ADDRESS), "not pre-warmed");
//! ```

use alloy_evm::precompiles::{DynPrecompile, PrecompileInput, PrecompilesMap};
use revm::precompile::{PrecompileError, PrecompileId, PrecompileResult};
use revm::primitives::Address;
use warp_predicate::WARP_ADDRESS;

use crate::precompile::{CallScheme, WarpCall};
use crate::revm::precompiles::{dispatch, precompile_output};
use crate::revm::{WarpChain, WarpTx, WarpTxTr};

/// The precompile's identifier.
pub fn warp_precompile_id() -> PrecompileId {
    PrecompileId::custom("warp")
}

/// The warp precompile for a block with `chain`'s settings, reading the failure
/// bits from transactions of type `T`.
pub fn warp_dyn_precompile<T: WarpTxTr + 'static>(chain: WarpChain) -> DynPrecompile {
    DynPrecompile::new_stateful(warp_precompile_id(), move |input: PrecompileInput<'_>| {
        call::<T>(input, &chain)
    })
}

fn call<T: WarpTxTr + 'static>(mut input: PrecompileInput<'_>, chain: &WarpChain) -> PrecompileResult {
    // alloy-evm passes no call scheme: a call whose target is not the code's
    // address is a DELEGATECALL or CALLCODE, which the policy treats alike.
    let scheme = if !input.is_direct_call() {
        CallScheme::DelegateCall
    } else if input.is_static {
        CallScheme::StaticCall
    } else {
        CallScheme::Call
    };
    let call = WarpCall {
        input: input.data,
        caller: input.caller,
        is_static: input.is_static,
        scheme,
        gas_limit: input.gas,
    };
    let outcome = dispatch(&call, chain, || input.internals.tx_env_downcast_ref::<T>())
        .map_err(PrecompileError::Fatal)?;
    let (output, logs) =
        precompile_output(outcome, input.gas, input.reservoir).map_err(PrecompileError::Fatal)?;
    for log in logs {
        input.internals_mut().log(log);
    }
    Ok(output)
}

/// `map` with the warp precompile at `0x0200…0005`, registered through the
/// dynamic lookup (kept cold; any lookup already installed still answers for
/// other addresses).
pub fn with_warp<T: WarpTxTr + 'static>(map: PrecompilesMap, chain: WarpChain) -> PrecompilesMap {
    map.with_mapped_precompile_lookup(move |address: &Address, previous| {
        if *address == WARP_ADDRESS {
            Some(warp_dyn_precompile::<T>(chain))
        } else {
            previous.and_then(|lookup| lookup.lookup(address))
        }
    })
}

/// [`with_warp`] for the default transaction type [`WarpTx`].
pub fn with_warp_tx(map: PrecompilesMap, chain: WarpChain) -> PrecompilesMap {
    with_warp::<WarpTx>(map, chain)
}
