//! The relayer's JSON-RPC clients (jsonrpsee's HTTP client): an EVM chain's
//! Ethereum methods and Subnet-EVM's warp API ([`EvmRpc`]), and the P-Chain
//! API ([`PChainRpc`]).
//!
//! Errors keep what the caller must tell apart: a transport failure (try
//! again later), an error answer with its code and message, and a revert with
//! its data (geth's code 3, which the devnet, Subnet-EVM and coreth answer for
//! `eth_call` and `eth_estimateGas`).

use std::time::Duration;

use alloy_primitives::{Address, Bytes, B256, U128, U64};
use alloy_rpc_types_eth::{Log, TransactionReceipt};
use alloy_sol_types::SolEvent;
use awm_core::{CanonicalValidatorSet, Id};
use jsonrpsee_core::client::{ClientT, Error as ClientError};
use jsonrpsee_core::params::{ArrayParams, ObjectParams};
use jsonrpsee_core::rpc_params;
use jsonrpsee_http_client::{HttpClient, HttpClientBuilder};
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use thiserror::Error;
use warp_predicate::{AccessList, WARP_ADDRESS};

alloy_sol_types::sol! {
    /// The warp precompile's event (its `message` is the unsigned message).
    event SendWarpMessage(address indexed sender, bytes32 indexed messageID, bytes message);
}

/// How long one request may take.
const TIMEOUT: Duration = Duration::from_secs(30);

/// Why a request failed.
#[derive(Debug, Clone, Error)]
pub enum RpcError {
    /// The node could not be reached, or its answer could not be read.
    #[error("{method} at {url}: {reason}")]
    Transport {
        /// The endpoint.
        url: String,
        /// The method.
        method: &'static str,
        /// Why.
        reason: String,
    },
    /// The node answered with an error.
    #[error("{method} at {url}: error {code}: {message}")]
    Answer {
        /// The endpoint.
        url: String,
        /// The method.
        method: &'static str,
        /// The JSON-RPC error code.
        code: i32,
        /// The error message.
        message: String,
    },
    /// The call reverts.
    #[error("{method} at {url}: execution reverted (data {data})")]
    Reverted {
        /// The endpoint.
        url: String,
        /// The method.
        method: &'static str,
        /// The revert data.
        data: Bytes,
    },
}

impl RpcError {
    /// Whether trying again later may succeed (a transport failure).
    pub fn is_transient(&self) -> bool {
        matches!(self, Self::Transport { .. })
    }

    /// The method and what went wrong, without the endpoint (for a caller
    /// that names the endpoint itself).
    pub fn detail(&self) -> String {
        match self {
            Self::Transport { method, reason, .. } => format!("{method}: {reason}"),
            Self::Answer { method, code, message, .. } => format!("{method}: error {code}: {message}"),
            Self::Reverted { method, data, .. } => format!("{method}: execution reverted (data {data})"),
        }
    }

    /// The error message of an error answer, lowercased.
    pub fn answer_message(&self) -> Option<String> {
        match self {
            Self::Answer { message, .. } => Some(message.to_lowercase()),
            _ => None,
        }
    }
}

fn client(url: &str) -> Result<HttpClient, RpcError> {
    HttpClientBuilder::default().request_timeout(TIMEOUT).build(url).map_err(|e| RpcError::Transport {
        url: url.to_owned(),
        method: "connect",
        reason: e.to_string(),
    })
}

async fn request<T: DeserializeOwned, P: jsonrpsee_core::traits::ToRpcParams + Send>(
    client: &HttpClient,
    url: &str,
    method: &'static str,
    params: P,
) -> Result<T, RpcError> {
    client.request(method, params).await.map_err(|e| match e {
        ClientError::Call(answer) => {
            let data = answer
                .data()
                .and_then(|raw| serde_json::from_str::<String>(raw.get()).ok())
                .and_then(|text| alloy_primitives::hex::decode(text.trim_start_matches("0x")).ok());
            let reverted = answer.code() == 3 || answer.message().contains("execution reverted");
            match data {
                Some(data) if reverted => {
                    RpcError::Reverted { url: url.to_owned(), method, data: data.into() }
                }
                _ if reverted => RpcError::Reverted { url: url.to_owned(), method, data: Bytes::new() },
                _ => RpcError::Answer {
                    url: url.to_owned(),
                    method,
                    code: answer.code(),
                    message: answer.message().to_owned(),
                },
            }
        }
        other => RpcError::Transport { url: url.to_owned(), method, reason: other.to_string() },
    })
}

/// A call or transaction request (the JSON object `eth_call`, `eth_estimateGas` take).
#[derive(Debug, Clone)]
pub struct CallRequest {
    /// The sender.
    pub from: Address,
    /// The contract.
    pub to: Address,
    /// The calldata.
    pub input: Bytes,
    /// The access list (the warp predicate).
    pub access_list: AccessList,
}

impl CallRequest {
    fn to_json(&self) -> Value {
        json!({ "from": self.from, "to": self.to, "input": self.input, "accessList": self.access_list })
    }
}

/// One EVM chain's endpoint.
#[derive(Debug, Clone)]
pub struct EvmRpc {
    client: HttpClient,
    url: String,
}

impl EvmRpc {
    /// A client for `url` (no request is made).
    pub fn new(url: &str) -> Result<Self, RpcError> {
        Ok(Self { client: client(url)?, url: url.to_owned() })
    }

    /// The endpoint.
    pub fn url(&self) -> &str {
        &self.url
    }

    async fn call<T: DeserializeOwned>(
        &self,
        method: &'static str,
        params: ArrayParams,
    ) -> Result<T, RpcError> {
        request(&self.client, &self.url, method, params).await
    }

    /// `eth_chainId`.
    pub async fn chain_id(&self) -> Result<u64, RpcError> {
        Ok(self.call::<U64>("eth_chainId", rpc_params![]).await?.to())
    }

    /// `eth_blockNumber`.
    pub async fn block_number(&self) -> Result<u64, RpcError> {
        Ok(self.call::<U64>("eth_blockNumber", rpc_params![]).await?.to())
    }

    /// The hash of block `number`, if the node has it.
    pub async fn block_hash(&self, number: u64) -> Result<Option<B256>, RpcError> {
        let block: Option<Value> =
            self.call("eth_getBlockByNumber", rpc_params![U64::from(number), false]).await?;
        let Some(block) = block else { return Ok(None) };
        let hash = block.get("hash").cloned().unwrap_or(Value::Null);
        serde_json::from_value(hash).map(Some).map_err(|e| RpcError::Transport {
            url: self.url.clone(),
            method: "eth_getBlockByNumber",
            reason: format!("block {number} without a hash: {e}"),
        })
    }

    /// The base fee of the latest block.
    pub async fn base_fee(&self) -> Result<u128, RpcError> {
        let block: Value = self.call("eth_getBlockByNumber", rpc_params!["latest", false]).await?;
        let fee = block.get("baseFeePerGas").cloned().unwrap_or(Value::Null);
        Ok(serde_json::from_value::<U128>(fee)
            .map_err(|e| RpcError::Transport {
                url: self.url.clone(),
                method: "eth_getBlockByNumber",
                reason: format!("latest block without a base fee: {e}"),
            })?
            .to())
    }

    /// `eth_maxPriorityFeePerGas`.
    pub async fn max_priority_fee(&self) -> Result<u128, RpcError> {
        Ok(self.call::<U128>("eth_maxPriorityFeePerGas", rpc_params![]).await?.to())
    }

    /// The precompile's `SendWarpMessage` logs of the block with this hash.
    pub async fn warp_logs(&self, block_hash: B256) -> Result<Vec<Log>, RpcError> {
        let filter = json!({
            "blockHash": block_hash,
            "address": WARP_ADDRESS,
            "topics": [SendWarpMessage::SIGNATURE_HASH],
        });
        self.call("eth_getLogs", rpc_params![filter]).await
    }

    /// `eth_getTransactionCount` at `block` (`latest` or `pending`).
    pub async fn nonce(&self, address: Address, block: &str) -> Result<u64, RpcError> {
        Ok(self.call::<U64>("eth_getTransactionCount", rpc_params![address, block]).await?.to())
    }

    /// `eth_estimateGas`.
    pub async fn estimate_gas(&self, call: &CallRequest) -> Result<u64, RpcError> {
        Ok(self.call::<U64>("eth_estimateGas", rpc_params![call.to_json()]).await?.to())
    }

    /// `eth_call` at the latest block.
    pub async fn eth_call(&self, call: &CallRequest) -> Result<Bytes, RpcError> {
        self.call("eth_call", rpc_params![call.to_json(), "latest"]).await
    }

    /// `eth_sendRawTransaction`.
    pub async fn send_raw(&self, raw: &Bytes) -> Result<B256, RpcError> {
        self.call("eth_sendRawTransaction", rpc_params![raw]).await
    }

    /// `eth_getTransactionReceipt`.
    pub async fn receipt(&self, tx: B256) -> Result<Option<TransactionReceipt>, RpcError> {
        self.call("eth_getTransactionReceipt", rpc_params![tx]).await
    }

    /// Subnet-EVM's `warp_getMessageAggregateSignature(messageID, quorumNum, "")`:
    /// the signed message's bytes.
    pub async fn aggregate_signature(&self, message: &Id, quorum_percentage: u64) -> Result<Bytes, RpcError> {
        self.call(
            "warp_getMessageAggregateSignature",
            rpc_params![message.to_string(), quorum_percentage, ""],
        )
        .await
    }
}

/// The P-Chain API (`<base-url>/ext/bc/P`).
#[derive(Debug, Clone)]
pub struct PChainRpc {
    client: HttpClient,
    url: String,
}

impl PChainRpc {
    /// A client for the node at `base_url` (its P-Chain API when the URL does
    /// not already name it).
    pub fn new(base_url: &str) -> Result<Self, RpcError> {
        let url = if base_url.ends_with("/ext/bc/P") || base_url.ends_with("/ext/P") {
            base_url.to_owned()
        } else {
            format!("{base_url}/ext/bc/P")
        };
        Ok(Self { client: client(&url)?, url })
    }

    /// `platform.getHeight`.
    pub async fn height(&self) -> Result<u64, RpcError> {
        let answer: Value =
            request(&self.client, &self.url, "platform.getHeight", ObjectParams::new()).await?;
        answer
            .get("height")
            .and_then(|h| h.as_str().and_then(|s| s.parse().ok()).or_else(|| h.as_u64()))
            .ok_or_else(|| RpcError::Transport {
                url: self.url.clone(),
                method: "platform.getHeight",
                reason: format!("no height in {answer}"),
            })
    }

    /// The endpoint.
    pub fn url(&self) -> &str {
        &self.url
    }

    /// `platform.validatedBy`: the subnet that validates `chain`.
    pub async fn validated_by(&self, chain: &Id) -> Result<Id, RpcError> {
        let method = "platform.validatedBy";
        let fail = |reason: String| RpcError::Transport { url: self.url.clone(), method, reason };
        let mut params = ObjectParams::new();
        params.insert("blockchainID", chain.to_string()).map_err(|e| fail(e.to_string()))?;
        let answer: Value = request(&self.client, &self.url, method, params).await?;
        let text = answer
            .get("subnetID")
            .and_then(Value::as_str)
            .ok_or_else(|| fail(format!("no subnetID in {answer}")))?;
        Id::parse(text).map_err(|e| fail(format!("subnetID {text:?}: {e}")))
    }

    /// `platform.getValidatorsAt`: the canonical set of `subnet` at `height`.
    pub async fn validators_at(&self, subnet: &Id, height: u64) -> Result<CanonicalValidatorSet, RpcError> {
        let mut params = ObjectParams::new();
        let fail = |reason: String| RpcError::Transport {
            url: self.url.clone(),
            method: "platform.getValidatorsAt",
            reason,
        };
        params.insert("height", height.to_string()).map_err(|e| fail(e.to_string()))?;
        params.insert("subnetID", subnet.to_string()).map_err(|e| fail(e.to_string()))?;
        let answer: Value = request(&self.client, &self.url, "platform.getValidatorsAt", params).await?;
        CanonicalValidatorSet::from_get_validators_at_json(&answer.to_string())
            .map_err(|e| fail(format!("subnet {subnet} at {height}: {e}")))
    }
}
