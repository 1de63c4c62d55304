//! # awm
//!
//! Avalanche Warp Messaging for the EVM, in Rust. This facade re-exports the
//! workspace crates and owns the workspace-level tests, benches and examples:
//!
//! - [`core`] (`awm-core`): wire format, BLS, canonical validator sets, verification.
//! - [`predicate`] (`warp-predicate`): access-list predicates, predicate gas, block
//!   pre-verification and the stored results.
//! - [`precompile`] (`warp-precompile`): the `IWarpMessenger` precompile.
//!
//! It also re-exports the exact [`revm`], [`alloy_primitives`] and
//! [`alloy_sol_types`] it is built on, so an embedder need not match their
//! versions by hand.
//!
//! # From keys to a verified message in revm
//!
//! Validators sign; their signatures aggregate to a quorum; a relayer puts the
//! signed message in a transaction's access list; the receiving chain verifies
//! the block's predicates before executing it; the precompile then answers
//! `getVerifiedWarpMessage` from those results. A forged copy reads as invalid.
//!
//! ```
//! use awm::alloy_sol_types::SolCall;
//! use awm::core::bls::SecretKey;
//! use awm::core::*;
//! use awm::precompile::revm::{WarpBuilder, WarpChain, WarpTx};
//! use awm::precompile::{ChainConstants, DelegatePolicy, IWarpMessenger};
//! use awm::predicate::{gas::GasSchedule, warp_access_list, BlockTx, PredicateVerifier, B256, WARP_ADDRESS};
//! use awm::revm::context::{CfgEnv, Context, TxEnv};
//! use awm::revm::primitives::{hardfork::SpecId, TxKind};
//! use awm::revm::{ExecuteEvm, MainContext};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! // The source subnet: four validators with BLS keys.
//! let (network, source_chain, source_subnet) = (12345, Id([0x5c; 32]), Id([0x5b; 32]));
//! let keys: Vec<SecretKey> = (1..=4u8).map(|i| SecretKey::from_seed(&[i; 32])).collect::<Result<_, _>>()?;
//! let set = CanonicalValidatorSet::new(
//!     keys.iter().enumerate().map(|(i, k)| Validator::new(NodeId([i as u8; 20]), Some(k.public_key()), 100)),
//! )?;
//!
//! // A contract on the source chain sends a message; each validator signs it.
//! let payload = AddressedCall::new(vec![0xab; 20], b"hello".to_vec())?.to_bytes();
//! let unsigned = UnsignedMessage::new(network, source_chain, payload)?;
//! let signatures: Vec<(NodeId, [u8; 96])> = keys
//!     .iter()
//!     .enumerate()
//!     .map(|(i, k)| Ok((NodeId([i as u8; 20]), Signer::new(k.clone(), network, source_chain).sign(&unsigned)?.to_bytes())))
//!     .collect::<Result<_, SignerError>>()?;
//!
//! // An aggregator folds enough stake (67%) into one signature and a bitset.
//! let offered = signatures.iter().map(|(node, sig)| (*node, sig.as_slice()));
//! let signed = aggregate_signatures(&unsigned, &set, Quorum::DEFAULT, offered)?.message.to_bytes();
//!
//! // A relayer delivers it in an access list; a forger flips one payload bit.
//! let mut forged = signed.clone();
//! forged[unsigned.to_bytes().len() - 1] ^= 1;
//! let (good, bad) = (warp_access_list([signed.as_slice()]), warp_access_list([forged.as_slice()]));
//!
//! // The receiving chain verifies the block's predicates at its P-Chain height.
//! let state = FixedValidatorState::new().with_chain(source_chain, source_subnet).with_set(source_subnet, set);
//! let config = WarpConfig {
//!     network_id: network,
//!     subnet_id: Id([0x0b; 32]),
//!     require_primary_network_signers: false,
//!     quorum: QuorumPolicy::new(Quorum::DEFAULT),
//! };
//! let verifier = PredicateVerifier::new(WarpVerifier::new(state, config), GasSchedule::granite());
//! let txs = [
//!     BlockTx::new(B256::with_last_byte(1), &good, 1_000_000, 21_000),
//!     BlockTx::new(B256::with_last_byte(2), &bad, 1_000_000, 21_000),
//! ];
//! let results = verifier.block_results(&txs, 1)?;
//!
//! // The block executes in revm with the precompile; each transaction reads its message.
//! let receiver = ChainConstants { network_id: network, blockchain_id: Id([0xdc; 32]) };
//! let mut evm = Context::mainnet()
//!     .with_cfg(CfgEnv::new_with_spec(SpecId::CANCUN))
//!     .with_chain(WarpChain::new(receiver, GasSchedule::granite(), DelegatePolicy::Reverts))
//!     .with_tx(WarpTx::default())
//!     .build_warp();
//! let mut read = |tx: &BlockTx<'_>| -> Result<IWarpMessenger::getVerifiedWarpMessageReturn, Box<dyn std::error::Error>> {
//!     let call = TxEnv::builder()
//!         .kind(TxKind::Call(WARP_ADDRESS))
//!         .data(IWarpMessenger::getVerifiedWarpMessageCall { index: 0 }.abi_encode().into())
//!         .access_list(tx.access_list.clone())
//!         .tx_type(Some(1))
//!         .gas_limit(tx.gas_limit)
//!         .gas_price(0)
//!         .build()
//!         .map_err(|e| format!("{e:?}"))?;
//!     let outcome = evm.transact(WarpTx::from_block_results(call, &results, &tx.hash)?)?;
//!     let output = outcome.result.output().cloned().unwrap_or_default();
//!     Ok(IWarpMessenger::getVerifiedWarpMessageCall::abi_decode_returns(&output)?)
//! };
//! let delivered = read(&txs[0])?;
//! assert!(delivered.valid);
//! assert_eq!(delivered.message.sourceChainID.0, source_chain.0);
//! assert_eq!(delivered.message.payload.as_ref(), b"hello");
//! assert!(!read(&txs[1])?.valid);
//! # Ok(())
//! # }
//! ```

pub use awm_core as core;
pub use warp_precompile as precompile;
pub use warp_predicate as predicate;

pub use alloy_primitives;
pub use alloy_sol_types;
pub use revm;

/// The README's Rust snippets, compiled as doctests so they cannot drift from the API.
#[doc = include_str!("../README.md")]
#[cfg(doctest)]
pub struct ReadmeDoctests;

/// The embedding guide's Rust snippets (`docs/embedding.md`), compiled as doctests.
#[doc = include_str!("../docs/embedding.md")]
#[cfg(doctest)]
pub struct EmbeddingDoctests;
