//! # awm
//!
//! Avalanche Warp Messaging for the EVM, in Rust. This facade re-exports the
//! workspace crates and owns the workspace-level tests, benches and examples:
//!
//! - [`core`] (`awm-core`): wire format, BLS, canonical validator sets, verification.

pub use awm_core as core;
