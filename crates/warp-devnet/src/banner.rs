//! The start-up banner, in anvil's manner: the chains with their IDs and URLs,
//! the dev accounts and keys, the apps, the validators.

use std::fmt::Write as _;
use std::net::SocketAddr;

use alloy_primitives::hex;

use crate::network::{Devnet, CREATE2_DEPLOYER};

/// The banner for `devnet` served at `addr`.
pub fn banner(devnet: &Devnet, addr: SocketAddr, relayer: &str) -> String {
    let mut out = String::new();
    let config = devnet.config();
    let _ = writeln!(
        out,
        "warp devnet {}: {} Avalanche L1s with the warp precompile",
        env!("CARGO_PKG_VERSION"),
        devnet.chains().len()
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "Chains");
    let _ = writeln!(out, "==================");
    for chain in devnet.chains() {
        let _ = writeln!(out, "{}", chain.name);
        let _ = writeln!(out, "  EVM chain ID:   {}", chain.evm_chain_id);
        let _ = writeln!(
            out,
            "  blockchain ID:  {} (0x{})",
            chain.blockchain_id,
            hex::encode(chain.blockchain_id.0)
        );
        let _ = writeln!(out, "  subnet ID:      {}", chain.subnet_id);
        let _ = writeln!(out, "  RPC:            http://{addr}/ext/bc/{}/rpc", chain.name);
        let _ = writeln!(out, "                  http://{addr}/ext/bc/{}/rpc", chain.blockchain_id);
        let _ = writeln!(out, "  WebSocket:      ws://{addr}/ext/bc/{}/ws", chain.name);
    }
    if let Some(first) = devnet.chains().first() {
        let _ = writeln!(out, "  (http://{addr}/ is {} as well)", first.name);
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "P-Chain:          http://{addr}/ext/bc/P (height {})", devnet.pchain().height());
    let _ =
        writeln!(out, "Info:             http://{addr}/ext/info (network ID {})", crate::network::NETWORK_ID);
    let _ = writeln!(out, "Aggregator:       POST http://{addr}/aggregate-signatures");
    let _ = writeln!(out);
    let _ = writeln!(out, "Available Accounts (on every chain)");
    let _ = writeln!(out, "==================");
    for (i, wallet) in devnet.accounts().iter().enumerate() {
        let _ = writeln!(out, "({i}) {} ({} ETH)", wallet.address(), config.balance_ether);
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Private Keys");
    let _ = writeln!(out, "==================");
    for (i, wallet) in devnet.accounts().iter().enumerate() {
        let _ = writeln!(out, "({i}) 0x{}", hex::encode(wallet.secret_bytes()));
    }
    let _ = writeln!(out);
    let _ = writeln!(out, "Wallet");
    let _ = writeln!(out, "==================");
    let _ = writeln!(out, "Mnemonic:          {}", config.mnemonic);
    let _ = writeln!(out, "Derivation path:   m/44'/60'/0'/0/");
    let _ = writeln!(out);
    let apps = devnet.apps();
    let _ = writeln!(out, "Contracts (the same address on every chain)");
    let _ = writeln!(out, "==================");
    let _ = writeln!(out, "Warp precompile:      0x0200000000000000000000000000000000000005");
    let _ = writeln!(out, "CrossChainMessenger:  {}", apps.messenger);
    let _ = writeln!(out, "BlockHashOracle:      {}", apps.oracle);
    let _ = writeln!(out, "CREATE2 deployer:     {CREATE2_DEPLOYER}");
    let _ = writeln!(out, "Relayer:              {relayer}");
    let _ = writeln!(out);
    let _ = writeln!(out, "Validators");
    let _ = writeln!(out, "==================");
    for chain in devnet.chains() {
        let total = chain.keys.iter().fold(0u64, |s, k| s.saturating_add(k.weight));
        let _ = writeln!(
            out,
            "{}: {} validators, total weight {total}, BLS keys registered with proofs of possession; each chain asks {} of the others' stake",
            chain.name,
            chain.keys.len(),
            config.quorum
        );
        for key in chain.keys.iter().take(3) {
            let _ = writeln!(out, "  {} weight {}", key.node_id, key.weight);
        }
        if chain.keys.len() > 3 {
            let _ = writeln!(out, "  … (platform.getValidatorsAt lists them all)");
        }
    }
    let faults = config.faults;
    if faults.slow + faults.silent + faults.lying > 0.0 {
        let _ = writeln!(
            out,
            "Injected faults: {:.0}% slow ({} ms), {:.0}% silent, {:.0}% lying",
            faults.slow * 100.0,
            faults.slow_delay.as_millis(),
            faults.silent * 100.0,
            faults.lying * 100.0
        );
    }
    let _ = writeln!(out);
    let _ = writeln!(
        out,
        "Mining: {}",
        match config.block_time {
            None => "automine (each transaction in its own block, at once)".to_string(),
            Some(t) => format!("a block every {} ms", t.as_millis()),
        }
    );
    let _ = writeln!(
        out,
        "Data: {}",
        config
            .data_dir
            .as_ref()
            .map_or("in memory (nothing persisted)".to_string(), |d| d.display().to_string())
    );
    let _ = writeln!(out);
    let _ = writeln!(out, "Listening on {addr}");
    out
}
