//! Signature aggregation on request, as Subnet-EVM's warp API and
//! icm-services' signature aggregator offer it: ask the validators of the
//! signing subnet (with the devnet's injected faults) over ACP-118 until the
//! quorum holds, at a P-Chain height, and answer the signed message.
//!
//! Also `POST /aggregate-signatures`, icm-services' endpoint: a JSON body with
//! `message` (unsigned message, hex), optional `justification` (hex),
//! `signing-subnet-id` (hex or cb58; the source chain's subnet when absent),
//! `quorum-percentage` (67 when absent or 0) and `pchain-height` (0: the
//! current height); `{"signed-message": "<hex>"}` with 200, or `{"error"}`
//! with 400 for a bad request and 500 when the quorum could not be gathered.

use std::time::Duration;

use awm_core::{Id, Message, Quorum, SubnetId, UnsignedMessage, ValidatorState};
use serde::Deserialize;
use thiserror::Error;
use warp_relayer::{Aggregator, AggregatorConfig};

use crate::network::Devnet;

/// Why an aggregation was not done.
#[derive(Debug, Error)]
pub enum AggregateRequestError {
    /// The request is malformed (HTTP 400).
    #[error("{0}")]
    BadRequest(String),
    /// The validators did not give the quorum, or the set is unavailable (HTTP 500).
    #[error("{0}")]
    Failed(String),
}

/// How long one validator may take, and the whole aggregation.
const REQUEST_TIMEOUT: Duration = Duration::from_secs(2);
const DEADLINE: Duration = Duration::from_secs(5);

/// Gathers `quorum` of `signing_subnet`'s stake at `height` (the current
/// height if `None`) on `unsigned`.
pub async fn aggregate(
    devnet: &Devnet,
    unsigned: &UnsignedMessage,
    signing_subnet: SubnetId,
    quorum: Quorum,
    height: Option<u64>,
) -> Result<Message, AggregateRequestError> {
    let registry = devnet.pchain().registry();
    let height = height.unwrap_or_else(|| registry.height());
    let chain = devnet.chains().iter().find(|c| c.subnet_id == signing_subnet).ok_or_else(|| {
        AggregateRequestError::BadRequest(format!(
            "no chain of this devnet is validated by subnet {signing_subnet}"
        ))
    })?;
    let set = registry.validator_set(&signing_subnet, height).map_err(|e| {
        AggregateRequestError::Failed(format!("validator set of {signing_subnet} at {height}: {e}"))
    })?;
    let config =
        AggregatorConfig { request_timeout: REQUEST_TIMEOUT, deadline: DEADLINE, max_in_flight: usize::MAX };
    let outcome = Aggregator::new(std::sync::Arc::clone(&chain.network), config)
        .aggregate(unsigned, &set, quorum, |_| {})
        .await
        .map_err(|e| AggregateRequestError::Failed(format!("failed to aggregate signatures: {e}")))?;
    Ok(outcome.aggregated.message)
}

/// icm-services' request body.
#[derive(Debug, Deserialize)]
struct AggregateSignaturesRequest {
    message: String,
    #[serde(default)]
    justification: Option<String>,
    #[serde(default, rename = "signing-subnet-id")]
    signing_subnet_id: Option<String>,
    #[serde(default, rename = "quorum-percentage")]
    quorum_percentage: Option<u64>,
    #[serde(default, rename = "pchain-height")]
    pchain_height: Option<u64>,
}

fn hex_bytes(what: &str, text: &str) -> Result<Vec<u8>, AggregateRequestError> {
    let digits = text.strip_prefix("0x").unwrap_or(text);
    hex::decode(digits).map_err(|e| AggregateRequestError::BadRequest(format!("{what}: invalid hex: {e}")))
}

/// Serves one `POST /aggregate-signatures` body: the signed message's hex (no `0x`).
pub async fn aggregate_signatures(devnet: &Devnet, body: &[u8]) -> Result<String, AggregateRequestError> {
    let request: AggregateSignaturesRequest = serde_json::from_slice(body)
        .map_err(|e| AggregateRequestError::BadRequest(format!("invalid request body: {e}")))?;
    let bytes = hex_bytes("message", &request.message)?;
    if let Some(justification) = &request.justification {
        hex_bytes("justification", justification)?;
    }
    let unsigned = UnsignedMessage::parse(&bytes).map_err(|e| {
        AggregateRequestError::BadRequest(format!("message: not an unsigned warp message: {e}"))
    })?;
    let subnet = match request.signing_subnet_id.as_deref().filter(|s| !s.is_empty()) {
        Some(text) => Id::parse(text)
            .map_err(|e| AggregateRequestError::BadRequest(format!("signing-subnet-id {text:?}: {e}")))?,
        None => devnet
            .pchain()
            .registry()
            .subnet_of(&unsigned.source_chain_id())
            .map_err(|e| AggregateRequestError::BadRequest(format!("source chain: {e}")))?,
    };
    let percentage = request.quorum_percentage.filter(|p| *p != 0).unwrap_or(67);
    let quorum = Quorum::new(percentage, 100)
        .map_err(|e| AggregateRequestError::BadRequest(format!("quorum-percentage {percentage}: {e}")))?;
    let height = request.pchain_height.filter(|h| *h != 0);
    let signed = aggregate(devnet, &unsigned, subnet, quorum, height).await?;
    Ok(hex::encode(signed.to_bytes()))
}
