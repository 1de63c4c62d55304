//! An Avalanche EVM chain with the warp precompile: Ethereum's transactions,
//! headers and receipts, Subnet-EVM's rules, predicates verified as the
//! reference verifies them, `warpConfig` upgrades, and persistence in redb.
//!
//! | module | what it is |
//! |---|---|
//! | [`tx`] | signed EIP-2718 transactions (legacy, EIP-2930, EIP-1559): decoding, sender recovery, hashes, a signing [`Wallet`] |
//! | [`block`] | [`Block`] (an alloy header, its transactions and its P-Chain height) and [`Receipt`], with Ethereum's roots and blooms |
//! | [`config`] | [`ChainConfig`] and [`Genesis`]; Subnet-EVM's `warpConfig` and precompile upgrades, with its validation |
//! | [`executor`] | [`Chain`]: blocks built, verified (results recomputed and compared) or bootstrapped (results trusted) over revm with Subnet-EVM's rules |
//! | [`mempool`] | [`Mempool`]: Ethereum's admission checks with Subnet-EVM's error messages |
//! | [`store`] | redb tables for blocks, receipts, signable messages and the P-Chain journal |
//! | [`pchain`] | [`PChain`]: the embedded P-Chain, journaled |
//! | [`node`] | [`Node`]: a chain with a mempool, durable block production, head notifications |
//! | [`signing`] | [`SigningService`]: one validator's accept hook and ACP-118 signing, with the reference's refusals |
//! | [`devnet`] | validator keys from seeds, registration with proofs of possession, signing services |
//! | [`apps`] | the example apps of `contracts/`: `sol!` bindings and embedded creation code |

pub mod apps;
pub mod block;
pub mod config;
pub mod devnet;
pub mod executor;
pub mod mempool;
pub mod node;
pub mod pchain;
pub mod signing;
pub mod store;
pub mod tx;

pub use block::{Block, Receipt};
pub use config::{BaseFeePolicy, ChainConfig, Genesis, GenesisAccount, WarpParams, WarpState, WarpUpgrades};
pub use executor::{BuiltBlock, CallOutcome, Chain, ChainError, Excluded, ACTIVATED_PRECOMPILE_CODE};
pub use mempool::{Mempool, MempoolError};
pub use node::{Node, NodeError, Simulation, TxRequest};
pub use pchain::{PChain, PChainError};
pub use signing::{sent_messages, AcceptedBlock, Refusal, SharedHashes, SigningService};
pub use tx::{SignedTx, Wallet};
