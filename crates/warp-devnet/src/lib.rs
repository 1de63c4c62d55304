//! `warp devnet`: several Avalanche L1s with the real warp precompile, on one
//! port, for every Ethereum client.
//!
//! - [`network`]: the chains, their validators in the embedded P-Chain, anvil's
//!   dev accounts, the CREATE2 deployer and the example apps on every chain.
//! - [`rpc`](crate::serve) (private): per chain the Ethereum JSON-RPC methods
//!   cast, forge, viem, ethers and web3.py call (shapes from
//!   `alloy-rpc-types-eth`), anvil's test methods, Subnet-EVM's warp API; the
//!   P-Chain and info APIs.
//! - [`aggregate`]: signature aggregation on request (the warp API and
//!   icm-services' `POST /aggregate-signatures`).
//! - [`tasks`]: block producers and the in-process relayer.
//! - [`relay`]: the config of the default relayer, `warp-relayer-net` over loopback JSON-RPC.
//! - [`serve`]: the HTTP and WebSocket server (hyper and jsonrpsee), routed
//!   by path as avalanchego lays out its APIs.
//! - [`banner`]: what `warp devnet` prints when it starts.

pub mod accounts;
pub mod aggregate;
pub mod banner;
mod filters;
pub mod network;
pub mod relay;
mod rpc;
mod server;
pub mod tasks;

pub use accounts::{dev_accounts, AccountsError, ANVIL_MNEMONIC};
pub use banner::banner;
pub use network::{chain_ids, Apps, DevChain, Devnet, DevnetConfig, DevnetError, Faults, NETWORK_ID};
pub use rpc::SUBNET_EVM_VM_ID;
pub use server::{serve, ServeError};
pub use tasks::DevnetEvent;
