//! avalanchego's P-Chain API (`/ext/bc/P`, `platform.*`) and info API
//! (`/ext/info`, `info.*`), as much as warp tools read: heights, validator
//! sets at a height (the current bare map of `getValidatorsAt`, and
//! `getAllValidatorsAt`'s canonical sets), which subnet validates a chain,
//! the blockchains and subnets, the network and node IDs. Parameters are
//! named (a JSON object), as avalanchego takes them; numbers are decimal
//! strings in answers.

use std::sync::Arc;

use alloy_primitives::hex;
use awm_core::{Id, ValidatorState};
use jsonrpsee::types::{ErrorObjectOwned, Params};
use jsonrpsee::RpcModule;
use serde_json::{json, Map, Value};

use super::convert::{error, INVALID_PARAMS, SERVER_ERROR};
use super::eth::RpcResult;
use crate::network::{Devnet, NETWORK_ID};

/// Subnet-EVM's VM ID, the VM every devnet chain runs.
pub const SUBNET_EVM_VM_ID: &str = "srEXiWaHuhNyGwPUi444Tu47ZEDwxTWrbQiuD7FmgSAQ6X7Dy";

/// The named parameters (a lone object, or an object in a one-element array).
fn named(params: &Params<'_>) -> Result<Map<String, Value>, ErrorObjectOwned> {
    if params.as_str().is_none() {
        return Ok(Map::new());
    }
    let value: Value = params.parse()?;
    match value {
        Value::Object(map) => Ok(map),
        Value::Array(items) => match items.into_iter().next() {
            Some(Value::Object(map)) => Ok(map),
            None => Ok(Map::new()),
            Some(other) => Err(error(INVALID_PARAMS, format!("expected named parameters, got {other}"))),
        },
        Value::Null => Ok(Map::new()),
        other => Err(error(INVALID_PARAMS, format!("expected named parameters, got {other}"))),
    }
}

fn id_field(map: &Map<String, Value>, field: &str) -> Result<Option<Id>, ErrorObjectOwned> {
    match map.get(field) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => {
            Id::parse(s).map(Some).map_err(|e| error(INVALID_PARAMS, format!("{field} {s:?}: {e}")))
        }
        Some(other) => Err(error(INVALID_PARAMS, format!("{field}: expected a string, got {other}"))),
    }
}

/// A height: a decimal string, a number, or `"proposed"` (the current height here).
fn height_field(devnet: &Devnet, map: &Map<String, Value>) -> Result<u64, ErrorObjectOwned> {
    let current = devnet.pchain().height();
    match map.get("height") {
        None | Some(Value::Null) => Ok(current),
        Some(Value::Number(n)) => {
            n.as_u64().ok_or_else(|| error(INVALID_PARAMS, format!("height {n}: not a u64")))
        }
        Some(Value::String(s)) if s == "proposed" => Ok(current),
        Some(Value::String(s)) => {
            s.parse().map_err(|_| error(INVALID_PARAMS, format!("height {s:?}: not a number")))
        }
        Some(other) => Err(error(INVALID_PARAMS, format!("height: expected a number, got {other}"))),
    }
}

fn public_key_json(key: Option<&awm_core::bls::PublicKey>) -> Value {
    key.map_or(Value::Null, |k| Value::String(format!("0x{}", hex::encode(k.to_compressed()))))
}

/// Registers `platform.*` on a module over the devnet.
pub(crate) fn platform_module(
    devnet: Arc<Devnet>,
) -> Result<RpcModule<Arc<Devnet>>, jsonrpsee::core::RegisterMethodError> {
    let mut module = RpcModule::new(devnet);
    module.register_method("platform.getHeight", |_, devnet, _| -> RpcResult {
        Ok(json!({ "height": devnet.pchain().height().to_string() }))
    })?;
    module.register_method("platform.getValidatorsAt", |params, devnet, _| -> RpcResult {
        let map = named(&params)?;
        let height = height_field(devnet, &map)?;
        let subnet = id_field(&map, "subnetID")?.unwrap_or(Id::PRIMARY_NETWORK);
        let mut out = Map::new();
        if subnet != Id::PRIMARY_NETWORK {
            let validators = devnet
                .pchain()
                .registry()
                .validators_at(&subnet, height)
                .map_err(|e| error(SERVER_ERROR, format!("couldn't get validator set: {e}")))?;
            for v in validators {
                for node in &v.node_ids {
                    out.insert(
                        node.to_string(),
                        json!({ "publicKey": public_key_json(v.public_key.as_ref()), "weight": v.weight.to_string() }),
                    );
                }
            }
        }
        Ok(Value::Object(out))
    })?;
    module.register_method("platform.getAllValidatorsAt", |params, devnet, _| -> RpcResult {
        let map = named(&params)?;
        let height = height_field(devnet, &map)?;
        let mut sets = Map::new();
        for chain in devnet.chains() {
            let Ok(set) = devnet.pchain().registry().validator_set(&chain.subnet_id, height) else {
                continue;
            };
            let validators: Vec<Value> = set
                .validators()
                .iter()
                .map(|v| {
                    json!({
                        "publicKey": public_key_json(Some(&v.public_key)),
                        "weight": v.weight.to_string(),
                        "nodeIDs": v.node_ids.iter().map(ToString::to_string).collect::<Vec<_>>(),
                    })
                })
                .collect();
            sets.insert(
                chain.subnet_id.to_string(),
                json!({ "validators": validators, "totalWeight": set.total_weight().to_string() }),
            );
        }
        Ok(json!({ "validatorSets": sets }))
    })?;
    module.register_method("platform.validatedBy", |params, devnet, _| -> RpcResult {
        let map = named(&params)?;
        let chain = id_field(&map, "blockchainID")?
            .ok_or_else(|| error(INVALID_PARAMS, "blockchainID is required"))?;
        let subnet = devnet
            .pchain()
            .registry()
            .subnet_of(&chain)
            .map_err(|e| error(SERVER_ERROR, format!("couldn't get subnet of {chain}: {e}")))?;
        Ok(json!({ "subnetID": subnet.to_string() }))
    })?;
    module.register_method("platform.getBlockchains", |_, devnet, _| -> RpcResult {
        let chains: Vec<Value> = devnet
            .chains()
            .iter()
            .map(|c| {
                json!({
                    "id": c.blockchain_id.to_string(),
                    "name": c.name,
                    "subnetID": c.subnet_id.to_string(),
                    "vmID": SUBNET_EVM_VM_ID,
                })
            })
            .collect();
        Ok(json!({ "blockchains": chains }))
    })?;
    module.register_method("platform.getSubnet", |params, devnet, _| -> RpcResult {
        let map = named(&params)?;
        let subnet =
            id_field(&map, "subnetID")?.ok_or_else(|| error(INVALID_PARAMS, "subnetID is required"))?;
        let chain = devnet
            .chains()
            .iter()
            .find(|c| c.subnet_id == subnet)
            .ok_or_else(|| error(SERVER_ERROR, format!("subnet {subnet} not found")))?;
        // Every devnet chain is an L1: converted, managed from its own chain (no
        // validator manager contract is deployed: its address is zero).
        Ok(json!({
            "isPermissioned": false,
            "controlKeys": [],
            "threshold": "0",
            "locktime": "0",
            "subnetTransformationTxID": Id::EMPTY.to_string(),
            "conversionID": crate::network::conversion_id(&chain.name).to_string(),
            "managerChainID": chain.blockchain_id.to_string(),
            "managerAddress": format!("0x{}", "00".repeat(20)),
        }))
    })?;
    Ok(module)
}

/// Registers `info.*` on a module over the devnet.
pub(crate) fn info_module(
    devnet: Arc<Devnet>,
) -> Result<RpcModule<Arc<Devnet>>, jsonrpsee::core::RegisterMethodError> {
    let mut module = RpcModule::new(devnet);
    module.register_method("info.getNetworkID", |_, _, _| -> RpcResult {
        Ok(json!({ "networkID": NETWORK_ID.to_string() }))
    })?;
    module.register_method("info.getNetworkName", |_, _, _| -> RpcResult {
        Ok(json!({ "networkName": "local" }))
    })?;
    module.register_method("info.getNodeID", |_, devnet, _| -> RpcResult {
        let key = devnet
            .chains()
            .first()
            .and_then(|c| c.keys.first())
            .ok_or_else(|| error(SERVER_ERROR, "no validator"))?;
        Ok(json!({
            "nodeID": key.node_id.to_string(),
            "nodePOP": {
                "publicKey": format!("0x{}", hex::encode(key.secret_key.public_key().to_compressed())),
                "proofOfPossession": format!("0x{}", hex::encode(key.secret_key.proof_of_possession().to_bytes())),
            }
        }))
    })?;
    module.register_method("info.getBlockchainID", |params, devnet, _| -> RpcResult {
        let map = named(&params)?;
        let alias = map.get("alias").and_then(Value::as_str).unwrap_or_default();
        if alias == "P" {
            return Ok(json!({ "blockchainID": Id::P_CHAIN.to_string() }));
        }
        let chain = devnet
            .chain(alias)
            .ok_or_else(|| error(SERVER_ERROR, format!("there is no chain with alias/ID '{alias}'")))?;
        Ok(json!({ "blockchainID": chain.blockchain_id.to_string() }))
    })?;
    module.register_method("info.isBootstrapped", |_, _, _| -> RpcResult {
        Ok(json!({ "isBootstrapped": true }))
    })?;
    module.register_method("info.getNodeVersion", |_, _, _| -> RpcResult {
        Ok(json!({ "version": super::eth::CLIENT_VERSION, "vmVersions": { "subnet-evm": env!("CARGO_PKG_VERSION") } }))
    })?;
    Ok(module)
}
