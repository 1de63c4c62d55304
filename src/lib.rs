//! # awm
//!
//! Avalanche Warp Messaging for the EVM, in Rust. This facade re-exports the
//! workspace crates and owns the workspace-level tests, benches and examples:
//!
//! - [`core`] (`awm-core`): wire format, BLS, canonical validator sets, verification.
//! - [`predicate`] (`warp-predicate`): access-list predicates, predicate gas, block
//!   pre-verification and the stored results.
//! - [`precompile`] (`warp-precompile`): the `IWarpMessenger` precompile.

pub use awm_core as core;
pub use warp_precompile as precompile;
pub use warp_predicate as predicate;

/// The README's Rust snippets, compiled as doctests so they cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;
