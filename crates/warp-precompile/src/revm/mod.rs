//! The revm 43 adapter, laid out as op-revm is.
//!
//! | module | what it holds |
//! |---|---|
//! | [`chain`] | [`WarpChain`], revm's chain slot: network ID, blockchain ID, gas schedule, delegate-call policy |
//! | [`transaction`] | [`WarpTxTr`] / [`WarpTx`]: a transaction that also carries what pre-verification found of its predicates (nothing: every predicate reads as invalid) |
//! | [`precompiles`] | [`WarpPrecompiles`]: Ethereum's precompiles plus warp, which stays **cold** as in the reference |
//! | [`handler`] | [`WarpHandler`]: mainnet execution with predicate intrinsic gas and invalid-predicate refusal |
//! | [`evm`] | [`WarpEvm`], [`WarpBuilder::build_warp`], [`DefaultWarp::warp`]: `transact` / `inspect` entry points |
//!
//! The predicates are read from the transaction's own access list, so what the
//! precompile returns can never disagree with what intrinsic gas charged for.
//!
//! ```
//! use revm::context::{BlockEnv, CfgEnv, TxEnv};
//! use revm::database::InMemoryDB;
//! use revm::primitives::hardfork::SpecId;
//! use revm::ExecuteEvm;
//! use warp_precompile::revm::{DefaultWarp, WarpBuilder, WarpChain, WarpContext, WarpTx};
//! use warp_precompile::{ChainConstants, DelegatePolicy};
//! use warp_predicate::{GasSchedule, PredicateResults, B256, WARP_ADDRESS};
//!
//! // Once per block: the chain's IDs and the rules at the block's timestamp.
//! let chain = WarpChain::new(
//!     ChainConstants { network_id: 5, blockchain_id: awm_core::Id([0xbc; 32]) },
//!     GasSchedule::granite(),
//!     DelegatePolicy::Reverts,
//! );
//! let mut evm = WarpContext::warp()
//!     .with_db(InMemoryDB::default())
//!     .with_cfg(CfgEnv::new_with_spec(SpecId::CANCUN))
//!     .with_block(BlockEnv::default())
//!     .with_chain(chain)
//!     .build_warp();
//!
//! // Per transaction: what pre-verification found of its predicates, from the
//! // block's results by the transaction's hash (refused if it has predicates
//! // but no entry).
//! let (results, tx_hash) = (PredicateResults::new(), B256::repeat_byte(0x11));
//! let call = TxEnv::builder()
//!     .kind(revm::primitives::TxKind::Call(WARP_ADDRESS))
//!     .data(alloy_primitives::hex!("4213cf78").into()) // getBlockchainID()
//!     .gas_limit(100_000)
//!     .build()
//!     .unwrap();
//! let tx = WarpTx::from_block_results(call, &results, &tx_hash).unwrap();
//! let outcome = evm.transact(tx).unwrap();
//! assert_eq!(outcome.result.output().unwrap().as_ref(), &[0xbc; 32]);
//! ```

pub mod chain;
pub mod evm;
pub mod handler;
pub mod precompiles;
pub mod transaction;

pub use chain::WarpChain;
pub use evm::{DefaultWarp, WarpBuilder, WarpContext, WarpContextTr, WarpError, WarpEvm};
pub use handler::{tx_access_list_gas, WarpHandler, WarpTransactionError};
pub use precompiles::WarpPrecompiles;
pub use transaction::{tx_predicates, WarpTx, WarpTxTr};
