//! A small local Avalanche EVM chain, for tests and the demo (not a full node).
//!
//! | module | what it is |
//! |---|---|
//! | [`apps`] | the example apps of `contracts/`: `sol!` bindings and embedded creation code |
//! | [`block`] | transactions, headers, blocks and receipts, and their hashes |
//! | [`executor`] | [`Chain`]: blocks built over revm with the warp precompile (activated at a timestamp), predicate results in the header, and replay from blocks alone |
//! | [`signing`] | [`SigningService`]: one validator's accept hook and ACP-118 signing, with the reference's refusals |
//! | [`devnet`] | validator keys from seeds, registration in the embedded P-Chain with proofs of possession, signing services |
//! | [`node`] | [`Node`]: a chain with a mempool, block production on tokio and head notifications |

pub mod apps;
pub mod block;
pub mod devnet;
pub mod executor;
pub mod node;
pub mod signing;

pub use block::{Block, Header, Receipt, Transaction};
pub use executor::{
    BuiltBlock, Chain, ChainConfig, ChainError, Excluded, Genesis, ACTIVATED_PRECOMPILE_CODE,
};
pub use node::Node;
pub use signing::{sent_messages, AcceptedBlock, Refusal, SigningService};
