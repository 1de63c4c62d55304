//! Embedding the warp precompile in revm, in a few lines: build a `WarpEvm` from
//! a context whose chain slot holds the chain's warp settings, then give each
//! transaction what pre-verification found of its predicates. Intrinsic gas, the precompile
//! at `0x0200…0005` and the rest of Ethereum's precompiles come with it.
//!
//! Run with `cargo run --release --example embed_revm`.

use std::error::Error;

use alloy_sol_types::SolCall;
use awm::core::Id;
use awm::precompile::revm::{WarpBuilder, WarpChain, WarpTx};
use awm::precompile::{ChainConstants, IWarpMessenger, WARP_ADDRESS};
use awm::predicate::gas::MAINNET_GRANITE;
use awm::predicate::{GasUpgrades, PredicateResults, B256};
use revm::context::{BlockEnv, CfgEnv, Context, TxEnv};
use revm::database::InMemoryDB;
use revm::primitives::hardfork::SpecId;
use revm::primitives::{Bytes, TxKind};
use revm::{ExecuteEvm, MainContext};

fn main() -> Result<(), Box<dyn Error>> {
    // Per block: this chain's IDs, and the gas schedule and delegate-call policy
    // at the block's timestamp (here mainnet's upgrade times, one second into Granite).
    let timestamp = MAINNET_GRANITE + 1;
    let constants = ChainConstants { network_id: 1, blockchain_id: Id([0xbc; 32]) };
    let chain = WarpChain::at(constants, &GasUpgrades::mainnet(), MAINNET_GRANITE, timestamp)
        .ok_or("warp is not active at this timestamp")?;
    let mut evm = Context::mainnet()
        .with_db(InMemoryDB::default())
        .with_cfg(CfgEnv::new_with_spec(SpecId::CANCUN))
        .with_block(BlockEnv { timestamp: timestamp.try_into()?, ..Default::default() })
        .with_chain(chain)
        .with_tx(WarpTx::default())
        .build_warp();

    // Per transaction: what pre-verification found of its predicates, from the
    // block's results by its hash (no entry here: this transaction carries no
    // predicate; one that did would be refused without an entry).
    let (results, tx_hash) = (PredicateResults::new(), B256::repeat_byte(0x11));
    let send = TxEnv::builder()
        .kind(TxKind::Call(WARP_ADDRESS))
        .data(
            IWarpMessenger::sendWarpMessageCall { payload: Bytes::from_static(b"hello") }.abi_encode().into(),
        )
        .gas_limit(100_000)
        .build()
        .map_err(|e| format!("transaction: {e:?}"))?;
    let outcome = evm.transact(WarpTx::from_block_results(send, &results, &tx_hash)?)?;
    let log = outcome.result.logs().first().ok_or("no SendWarpMessage log")?;
    println!("sendWarpMessage used {} gas", outcome.result.tx_gas_used());
    println!("  log from {} with message ID {}", log.address, log.topics()[2]);
    println!("  unsigned message: {} bytes of ABI-encoded log data", log.data.data.len());
    Ok(())
}
