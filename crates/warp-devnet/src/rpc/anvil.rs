//! anvil's test methods (`evm_*`, `anvil_*` and their `hardhat_*` names) over
//! the node's devnet primitives: snapshots and reverts, forced blocks, the
//! clock, direct state changes (persisted with the data directory) and
//! impersonation. Each acts on the chain whose URL it is sent to.

use alloy_primitives::{Address, Bytes, B256, U256};
use jsonrpsee::types::ErrorObjectOwned;
use jsonrpsee::RpcModule;
use serde_json::Value;
use warp_node::executor::StateOverride;

use super::convert::{error, INVALID_PARAMS, SERVER_ERROR};
use super::eth::RpcResult;
use super::ChainApi;

/// The most blocks one `anvil_mine` seals.
const MAX_MINE: u64 = 10_000;

fn quantity_u64(value: &Value, what: &str) -> Result<u64, ErrorObjectOwned> {
    let parsed = match value {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => match s.strip_prefix("0x") {
            Some(hex) => u64::from_str_radix(hex, 16).ok(),
            None => s.parse().ok(),
        },
        _ => None,
    };
    parsed.ok_or_else(|| error(INVALID_PARAMS, format!("{what}: {value} is not a number that fits 64 bits")))
}

impl ChainApi {
    fn change(&self, change: StateOverride) -> Result<(), ErrorObjectOwned> {
        self.chain.node.override_state(change).map_err(|e| error(SERVER_ERROR, e.to_string()))
    }

    fn mine_blocks(&self, count: u64, interval: Option<u64>) -> Result<(), ErrorObjectOwned> {
        if count > MAX_MINE {
            return Err(error(INVALID_PARAMS, format!("{count} blocks: at most {MAX_MINE} at once")));
        }
        for i in 0..count {
            if let (Some(step), true) = (interval, i > 0) {
                let parent = self.chain.node.with_chain(warp_node::Chain::head_timestamp);
                let mut clock = self.chain.node.clock();
                clock.next = Some(parent.saturating_add(step));
                self.chain.node.set_clock(clock);
            }
            self.chain.node.mine().map_err(|e| error(SERVER_ERROR, format!("mining: {e}")))?;
        }
        Ok(())
    }
}

/// Registers the test methods on `module`.
pub(crate) fn register(module: &mut RpcModule<ChainApi>) -> Result<(), jsonrpsee::core::RegisterMethodError> {
    module.register_method("evm_snapshot", |_, api, _| -> RpcResult {
        Ok(Value::String(format!("{:#x}", api.chain.node.snapshot())))
    })?;
    module.register_method("evm_revert", |params, api, _| -> RpcResult {
        let id: Value = params.one()?;
        let id = quantity_u64(&id, "snapshot ID")?;
        let reverted = api.chain.node.revert(id).map_err(|e| error(SERVER_ERROR, e.to_string()))?;
        if reverted {
            api.chain.filters.rewind(api.chain.node.with_chain(warp_node::Chain::height));
        }
        Ok(Value::Bool(reverted))
    })?;
    module.register_method("evm_mine", |params, api, _| -> RpcResult {
        // `[timestamp]` or `[{timestamp, blocks}]` as anvil takes them.
        let arg: Option<Value> = params.sequence().optional_next()?;
        let (timestamp, blocks) = match &arg {
            None | Some(Value::Null) => (None, 1),
            Some(Value::Object(o)) => (
                o.get("timestamp").map(|t| quantity_u64(t, "timestamp")).transpose()?,
                o.get("blocks").map(|b| quantity_u64(b, "blocks")).transpose()?.unwrap_or(1),
            ),
            Some(t) => (Some(quantity_u64(t, "timestamp")?), 1),
        };
        if let Some(t) = timestamp {
            let mut clock = api.chain.node.clock();
            clock.next = Some(t);
            api.chain.node.set_clock(clock);
        }
        api.mine_blocks(blocks, None)?;
        Ok(Value::String("0x0".into()))
    })?;
    module.register_method("anvil_mine", |params, api, _| -> RpcResult {
        let mut seq = params.sequence();
        let count: Option<Value> = seq.optional_next()?;
        let interval: Option<Value> = seq.optional_next()?;
        let count =
            count.filter(|v| !v.is_null()).map(|v| quantity_u64(&v, "block count")).transpose()?.unwrap_or(1);
        let interval = interval.filter(|v| !v.is_null()).map(|v| quantity_u64(&v, "interval")).transpose()?;
        api.mine_blocks(count, interval)?;
        Ok(Value::Null)
    })?;
    module.register_method("evm_increaseTime", |params, api, _| -> RpcResult {
        let seconds: Value = params.one()?;
        let seconds = i64::try_from(quantity_u64(&seconds, "seconds")?)
            .map_err(|_| error(INVALID_PARAMS, "seconds: too large"))?;
        let mut clock = api.chain.node.clock();
        clock.offset = clock.offset.saturating_add(seconds);
        api.chain.node.set_clock(clock);
        Ok(Value::from(clock.offset))
    })?;
    module.register_method("evm_setNextBlockTimestamp", |params, api, _| -> RpcResult {
        let timestamp: Value = params.one()?;
        let timestamp = quantity_u64(&timestamp, "timestamp")?;
        let parent = api.chain.node.with_chain(warp_node::Chain::head_timestamp);
        if timestamp < parent {
            return Err(error(
                SERVER_ERROR,
                format!(
                    "timestamp {timestamp} is before the head's {parent}: a block cannot go back in time"
                ),
            ));
        }
        let mut clock = api.chain.node.clock();
        clock.next = Some(timestamp);
        api.chain.node.set_clock(clock);
        Ok(Value::Null)
    })?;
    module.register_method("anvil_setBalance", |params, api, _| -> RpcResult {
        let mut seq = params.sequence();
        let (address, balance): (Address, U256) = (seq.next()?, seq.next()?);
        api.change(StateOverride::Balance(address, balance))?;
        Ok(Value::Null)
    })?;
    module.register_method("anvil_setCode", |params, api, _| -> RpcResult {
        let mut seq = params.sequence();
        let (address, code): (Address, Bytes) = (seq.next()?, seq.next()?);
        api.change(StateOverride::Code(address, code))?;
        Ok(Value::Null)
    })?;
    module.register_method("anvil_setNonce", |params, api, _| -> RpcResult {
        let mut seq = params.sequence();
        let address: Address = seq.next()?;
        let nonce: Value = seq.next()?;
        api.change(StateOverride::Nonce(address, quantity_u64(&nonce, "nonce")?))?;
        Ok(Value::Null)
    })?;
    module.register_method("anvil_setStorageAt", |params, api, _| -> RpcResult {
        let mut seq = params.sequence();
        let (address, slot, value): (Address, U256, B256) = (seq.next()?, seq.next()?, seq.next()?);
        api.change(StateOverride::Storage(address, B256::from(slot), value))?;
        Ok(Value::Bool(true))
    })?;
    module.register_method("anvil_impersonateAccount", |params, api, _| -> RpcResult {
        let address: Address = params.one()?;
        api.chain.impersonate(address, true);
        Ok(Value::Null)
    })?;
    module.register_method("anvil_stopImpersonatingAccount", |params, api, _| -> RpcResult {
        let address: Address = params.one()?;
        api.chain.impersonate(address, false);
        Ok(Value::Null)
    })?;
    module.register_method("anvil_setAutomine", |params, api, _| -> RpcResult {
        let on: bool = params.one()?;
        api.chain.set_automine(on);
        if on {
            api.automine()?;
        }
        Ok(Value::Null)
    })?;
    module.register_method("anvil_getAutomine", |_, api, _| -> RpcResult {
        Ok(Value::Bool(api.chain.automine()))
    })?;
    for (alias, name) in [
        ("evm_setAutomine", "anvil_setAutomine"),
        ("hardhat_mine", "anvil_mine"),
        ("hardhat_setBalance", "anvil_setBalance"),
        ("hardhat_setCode", "anvil_setCode"),
        ("hardhat_setNonce", "anvil_setNonce"),
        ("hardhat_setStorageAt", "anvil_setStorageAt"),
        ("hardhat_impersonateAccount", "anvil_impersonateAccount"),
        ("hardhat_stopImpersonatingAccount", "anvil_stopImpersonatingAccount"),
        ("hardhat_getAutomine", "anvil_getAutomine"),
    ] {
        module.register_alias(alias, name)?;
    }
    Ok(())
}
