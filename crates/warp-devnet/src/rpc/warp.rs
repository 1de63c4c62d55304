//! Subnet-EVM's `warp` API on a chain's endpoint, with its parameters and
//! answers: IDs in cb58 (JSON `null` is the zero ID), every positional
//! parameter required, `quorumNum` a number over 100, `""` as the subnet ID
//! for the chain's own subnet, `0x` hex results, errors with code -32000.
//!
//! This devnet's node is the chain's first validator: `warp_getMessageSignature`
//! and `warp_getBlockSignature` answer with its signature; the aggregate
//! methods ask every validator of the signing subnet (with the injected
//! faults) at the current P-Chain height.

use std::sync::Arc;

use alloy_primitives::hex;
use awm_core::{Hash, Id, Payload, Quorum, UnsignedMessage};
use jsonrpsee::types::{ErrorObjectOwned, Params};
use jsonrpsee::RpcModule;
use serde_json::Value;

use super::convert::{error, SERVER_ERROR};
use super::eth::RpcResult;
use super::ChainApi;
use crate::aggregate::aggregate;

/// An ID parameter: cb58 (or `0x` hex), `null` for the zero ID.
fn id_param(value: &Value, what: &str) -> Result<Id, ErrorObjectOwned> {
    match value {
        Value::Null => Ok(Id::EMPTY),
        Value::String(text) => {
            Id::parse(text).map_err(|e| error(SERVER_ERROR, format!("invalid {what} {text:?}: {e}")))
        }
        other => Err(error(SERVER_ERROR, format!("invalid {what}: expected a cb58 string, got {other}"))),
    }
}

/// The positional parameters, all required.
fn positional(params: &Params<'_>, names: &[&str]) -> Result<Vec<Value>, ErrorObjectOwned> {
    let values: Vec<Value> = params.parse().unwrap_or_default();
    if values.len() < names.len() {
        return Err(error(SERVER_ERROR, format!("missing value for required argument {}", values.len())));
    }
    if values.len() > names.len() {
        return Err(error(SERVER_ERROR, format!("too many arguments, want at most {}", names.len())));
    }
    Ok(values)
}

impl ChainApi {
    fn unsigned_message(&self, id: &Id) -> Result<UnsignedMessage, ErrorObjectOwned> {
        let bytes =
            self.chain.node.validators().first().and_then(|v| v.message(id)).ok_or_else(|| {
                error(SERVER_ERROR, format!("failed to get message {id} with error not found"))
            })?;
        UnsignedMessage::parse(&bytes)
            .map_err(|e| error(SERVER_ERROR, format!("failed to parse message {id}: {e}")))
    }

    fn block_message(&self, block: &Id) -> Result<UnsignedMessage, ErrorObjectOwned> {
        let payload = Payload::Hash(Hash { hash: *block }).to_bytes();
        let unsigned = UnsignedMessage::new(crate::network::NETWORK_ID, self.chain.blockchain_id, payload)
            .map_err(|e| error(SERVER_ERROR, e.to_string()))?;
        Ok(unsigned)
    }

    fn own_signature(&self, unsigned: &UnsignedMessage, what: &str) -> RpcResult {
        let validator =
            self.chain.node.validators().first().ok_or_else(|| error(SERVER_ERROR, "no validator"))?;
        let signature = validator
            .sign(&unsigned.to_bytes())
            .map_err(|e| error(SERVER_ERROR, format!("failed to sign {what}: {e}")))?;
        Ok(Value::String(format!("0x{}", hex::encode(signature))))
    }

    async fn aggregate_answer(
        &self,
        unsigned: &UnsignedMessage,
        quorum: &Value,
        subnet: &Value,
    ) -> RpcResult {
        let numerator = quorum.as_u64().ok_or_else(|| {
            error(SERVER_ERROR, format!("invalid quorumNum: expected a number, got {quorum}"))
        })?;
        let quorum = Quorum::new(numerator, 100)
            .map_err(|e| error(SERVER_ERROR, format!("invalid quorumNum {numerator}: {e}")))?;
        let subnet = match subnet {
            Value::String(s) if s.is_empty() => self.chain.subnet_id,
            other => id_param(other, "subnetID")?,
        };
        let signed = aggregate(&self.devnet, unsigned, subnet, quorum, None)
            .await
            .map_err(|e| error(SERVER_ERROR, e.to_string()))?;
        Ok(Value::String(format!("0x{}", hex::encode(signed.to_bytes()))))
    }
}

/// Registers the `warp_*` methods on `module`.
pub(crate) fn register(module: &mut RpcModule<ChainApi>) -> Result<(), jsonrpsee::core::RegisterMethodError> {
    module.register_method("warp_getMessage", |params, api, _| -> RpcResult {
        let values = positional(&params, &["messageID"])?;
        let id = id_param(values.first().unwrap_or(&Value::Null), "messageID")?;
        let unsigned = api.unsigned_message(&id)?;
        Ok(Value::String(format!("0x{}", hex::encode(unsigned.to_bytes()))))
    })?;
    module.register_method("warp_getMessageSignature", |params, api, _| -> RpcResult {
        let values = positional(&params, &["messageID"])?;
        let id = id_param(values.first().unwrap_or(&Value::Null), "messageID")?;
        let unsigned = api.unsigned_message(&id)?;
        api.own_signature(&unsigned, &format!("message {id}"))
    })?;
    module.register_method("warp_getBlockSignature", |params, api, _| -> RpcResult {
        let values = positional(&params, &["blockID"])?;
        let id = id_param(values.first().unwrap_or(&Value::Null), "blockID")?;
        let unsigned = api.block_message(&id)?;
        api.own_signature(&unsigned, &format!("block {id}"))
    })?;
    module.register_async_method(
        "warp_getMessageAggregateSignature",
        |params, api: Arc<ChainApi>, _| async move {
            let values = positional(&params, &["messageID", "quorumNum", "subnetID"])?;
            let (id, quorum, subnet) = match values.as_slice() {
                [id, quorum, subnet] => (id_param(id, "messageID")?, quorum, subnet),
                _ => return Err(error(SERVER_ERROR, "three arguments expected")),
            };
            let unsigned = api.unsigned_message(&id)?;
            api.aggregate_answer(&unsigned, quorum, subnet).await
        },
    )?;
    module.register_async_method(
        "warp_getBlockAggregateSignature",
        |params, api: Arc<ChainApi>, _| async move {
            let values = positional(&params, &["blockID", "quorumNum", "subnetID"])?;
            let (id, quorum, subnet) = match values.as_slice() {
                [id, quorum, subnet] => (id_param(id, "blockID")?, quorum, subnet),
                _ => return Err(error(SERVER_ERROR, "three arguments expected")),
            };
            let unsigned = api.block_message(&id)?;
            api.aggregate_answer(&unsigned, quorum, subnet).await
        },
    )?;
    Ok(())
}
