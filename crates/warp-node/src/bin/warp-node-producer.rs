//! A block producer over a data directory, for the crash test
//! (`tests/durability.rs`): it is killed with SIGKILL at random moments and
//! restarted, and what it acknowledged must survive.
//!
//! ```text
//! warp-node-producer DIR produce N   produce until the chain holds N blocks, printing
//!                                    `accepted NUMBER HASH STATE_ROOT` after each commit
//! warp-node-producer DIR check       reopen, print `head NUMBER HASH STATE_ROOT`, then
//!                                    `block NUMBER HASH` for each block and
//!                                    `messages COUNT SIGNED` (stored, and signable)
//! ```
//!
//! Each block holds a transfer and a `sendWarpMessage` from a funded account; the
//! chain's five validators persist their signable messages; the embedded
//! P-Chain is journaled in the same directory.

use std::io::Write;
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use alloy_consensus::TxEip1559;
use alloy_primitives::{Address, Bytes, TxKind, U256};
use alloy_sol_types::SolCall;
use awm_core::Id;
use warp_node::config::{GenesisAccount, DEFAULT_BASE_FEE};
use warp_node::devnet::{register_subnet, signing_services, validator_keys};
use warp_node::{ChainConfig, Genesis, Node, PChain, Wallet};
use warp_precompile::IWarpMessenger;
use warp_predicate::WARP_ADDRESS;

const NETWORK: u32 = 12345;
const CHAIN: Id = Id([0xc7; 32]);
const SUBNET: Id = Id([0x5c; 32]);
const CHAIN_ID: u64 = 7_777;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().collect();
    match run(&args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn run(args: &[String]) -> Result<(), String> {
    let (dir, command) = match (args.get(1), args.get(2)) {
        (Some(dir), Some(command)) => (Path::new(dir), command.as_str()),
        _ => return Err("usage: warp-node-producer DIR produce N | check".into()),
    };
    let wallet = Wallet::from_seed("warp-node crash test").map_err(|e| e.to_string())?;
    let keys = validator_keys("crash test", 5, |_| 100).map_err(|e| e.to_string())?;
    let pchain = PChain::open(dir).map_err(|e| e.to_string())?;
    if pchain.height() == 0 {
        register_subnet(&pchain, CHAIN, SUBNET, &keys).map_err(|e| e.to_string())?;
    }
    let config = ChainConfig::new(NETWORK, CHAIN, SUBNET, CHAIN_ID);
    let genesis = Genesis {
        timestamp: 1_700_000_000,
        alloc: vec![(wallet.address(), GenesisAccount::funded(U256::from(10u128.pow(24))))],
    };
    let validators = signing_services(&keys, NETWORK, CHAIN);
    let node = Node::open(dir, config, genesis, Arc::clone(pchain.registry()), validators)
        .map_err(|e| e.to_string())?;
    let mut out = std::io::stdout().lock();
    match command {
        "produce" => {
            let target: u64 = args.get(3).and_then(|n| n.parse().ok()).ok_or("produce needs N")?;
            while node.with_chain(|c| c.height()) < target {
                let nonce = node.next_nonce(wallet.address());
                let fee = u128::from(DEFAULT_BASE_FEE);
                let transfer = TxEip1559 {
                    chain_id: CHAIN_ID,
                    nonce,
                    gas_limit: 21_000,
                    max_fee_per_gas: fee,
                    to: TxKind::Call(Address::repeat_byte(0x42)),
                    value: U256::from(nonce.saturating_add(1)),
                    ..Default::default()
                };
                let payload = format!("message {nonce}").into_bytes();
                let send = TxEip1559 {
                    chain_id: CHAIN_ID,
                    nonce: nonce.saturating_add(1),
                    gas_limit: 200_000,
                    max_fee_per_gas: fee,
                    to: TxKind::Call(WARP_ADDRESS),
                    input: IWarpMessenger::sendWarpMessageCall { payload: Bytes::from(payload) }
                        .abi_encode()
                        .into(),
                    ..Default::default()
                };
                node.submit(wallet.sign_envelope(transfer)).map_err(|e| e.to_string())?;
                node.submit(wallet.sign_envelope(send)).map_err(|e| e.to_string())?;
                let built = node.produce_block().map_err(|e| e.to_string())?.ok_or("nothing to produce")?;
                let header = &built.block.header;
                writeln!(out, "accepted {} {} {}", header.number, built.block.hash(), header.state_root)
                    .and_then(|()| out.flush())
                    .map_err(|e| e.to_string())?;
            }
        }
        "check" => {
            node.with_chain(|c| {
                let head = c.head_header();
                writeln!(out, "head {} {} {}", head.number, c.head_hash(), head.state_root)?;
                for block in c.blocks() {
                    writeln!(out, "block {} {}", block.number(), block.hash())?;
                }
                Ok::<(), std::io::Error>(())
            })
            .map_err(|e| e.to_string())?;
            let validator = node.validators().first().ok_or("no validator")?;
            let ids: Vec<_> = node.with_chain(|c| {
                c.blocks()
                    .iter()
                    .flat_map(|b| {
                        c.block(b.number()).map(|(_, r)| warp_node::sent_messages(r)).unwrap_or_default()
                    })
                    .collect()
            });
            let signed = ids.iter().filter(|m| validator.sign(&m.to_bytes()).is_ok()).count();
            writeln!(out, "messages {} {signed}", validator.stored_messages()).map_err(|e| e.to_string())?;
        }
        other => return Err(format!("unknown command {other:?}")),
    }
    Ok(())
}
