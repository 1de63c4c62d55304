//! Validator sets fetched from a P-Chain API (`--pchain-url URL --height H`,
//! `--subnet ID`) instead of a file: `platform.getValidatorsAt` for the set, and
//! `platform.validatedBy` for the subnet of a message's source chain when
//! `--subnet` is not given. JSON-RPC over HTTP through jsonrpsee's client (no
//! TLS: a local node's `http://127.0.0.1:9650/ext/bc/P`, or `warp devnet`'s).
//!
//! The answer is trusted as the file would be: its keys are taken as registered
//! with proofs of possession, so the URL must be a P-Chain you trust.

use std::time::Duration;

use awm_core::{CanonicalValidatorSet, Id};
use jsonrpsee_core::client::ClientT;
use jsonrpsee_core::params::ObjectParams;
use jsonrpsee_http_client::HttpClientBuilder;
use serde_json::Value;

use crate::error::CliError;

/// Where a command takes its validator set from.
#[derive(Debug, Clone)]
pub struct PChainSource {
    /// The P-Chain API URL, e.g. `http://127.0.0.1:9650/ext/bc/P`.
    pub url: String,
    /// The P-Chain height.
    pub height: u64,
    /// The subnet; `None` asks the P-Chain which subnet validates the message's chain.
    pub subnet: Option<Id>,
}

/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(30);

fn error(url: &str, reason: impl std::fmt::Display) -> CliError {
    CliError::PChain { url: url.to_owned(), reason: reason.to_string() }
}

/// One JSON-RPC call, on a runtime of its own.
fn call(url: &str, method: &str, params: ObjectParams) -> Result<Value, CliError> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| error(url, format!("starting the client: {e}")))?;
    runtime.block_on(async {
        let client =
            HttpClientBuilder::default().request_timeout(TIMEOUT).build(url).map_err(|e| error(url, e))?;
        client.request::<Value, _>(method, params).await.map_err(|e| error(url, format!("{method}: {e}")))
    })
}

/// The subnet that validates `chain` (`platform.validatedBy`).
pub fn validated_by(url: &str, chain: Id) -> Result<Id, CliError> {
    let mut params = ObjectParams::new();
    params.insert("blockchainID", chain.to_string()).map_err(|e| error(url, e))?;
    let answer = call(url, "platform.validatedBy", params)?;
    let text = answer
        .get("subnetID")
        .and_then(Value::as_str)
        .ok_or_else(|| error(url, format!("platform.validatedBy: no subnetID in {answer}")))?;
    crate::input::parse_id(text, "platform.validatedBy subnetID")
}

/// The canonical set of `source`'s subnet (or, without one, of the subnet
/// validating `chain`) at its height.
pub fn fetch_validators(source: &PChainSource, chain: Option<Id>) -> Result<CanonicalValidatorSet, CliError> {
    let subnet = match (source.subnet, chain) {
        (Some(subnet), _) => subnet,
        (None, Some(chain)) => validated_by(&source.url, chain)?,
        (None, None) => Id::PRIMARY_NETWORK,
    };
    let mut params = ObjectParams::new();
    params.insert("height", source.height.to_string()).map_err(|e| error(&source.url, e))?;
    params.insert("subnetID", subnet.to_string()).map_err(|e| error(&source.url, e))?;
    let answer = call(&source.url, "platform.getValidatorsAt", params)?;
    CanonicalValidatorSet::from_get_validators_at_json(&answer.to_string()).map_err(|reason| {
        CliError::Validators {
            path: format!("{} (subnet {subnet}, height {})", source.url, source.height),
            source: reason,
        }
    })
}
