//! # warp-precompile
//!
//! The `IWarpMessenger` precompile at `0x0200000000000000000000000000000000000005`
//! (ACP-30), byte- and gas-exact with the Go reference (`precompile/contracts/warp`).
//!
//! | module | what it holds |
//! |---|---|
//! | [`interface`] | the Solidity interface, structs and event through `sol!` |
//! | [`abi`] | geth-lenient calldata decoding and the fixed invalid outputs |
//! | [`precompile`] | the pure core: one call in, output, gas and logs (or a halt) out |
//! | [`revm`] | the revm 43 adapter: provider, chain slot, transaction with failure bits, handler with predicate intrinsic gas, `WarpEvm` |
//! | `alloy_evm` | (feature `alloy-evm`) the alloy-evm 0.39 adapter for reth: a stateful `DynPrecompile` in a `PrecompilesMap` |

#![cfg_attr(test, allow(clippy::arithmetic_side_effects))]

pub mod abi;
#[cfg(feature = "alloy-evm")]
pub mod alloy_evm;
pub mod interface;
pub mod precompile;
pub mod revm;

pub use interface::{IWarpMessenger, WarpBlockHash, WarpMessage};
pub use precompile::{
    run, CallScheme, ChainConstants, DelegatePolicy, WarpCall, WarpEnv, WarpHalt, WarpOutcome, WarpOutput,
};
pub use warp_predicate::WARP_ADDRESS;
