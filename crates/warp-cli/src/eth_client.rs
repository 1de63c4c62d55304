//! A small Ethereum JSON-RPC client for `warp demo` (jsonrpsee's HTTP client):
//! it signs EIP-1559 transactions locally and sends them raw, as a wallet does,
//! waits for receipts, and reads views with `eth_call`.

use std::time::Duration;

use alloy_consensus::TxEip1559;
use alloy_primitives::{Address, Bytes, TxKind, B256, U128, U256, U64};
use alloy_rpc_types_eth::{Block, TransactionReceipt};
use alloy_sol_types::SolCall;
use jsonrpsee_core::client::ClientT;
use jsonrpsee_core::params::ArrayParams;
use jsonrpsee_core::rpc_params;
use jsonrpsee_http_client::{HttpClient, HttpClientBuilder};
use serde::de::DeserializeOwned;
use serde_json::json;
use thiserror::Error;
use warp_node::Wallet;

/// Why a request failed.
#[derive(Debug, Error)]
pub enum EthClientError {
    /// The client could not be built for the URL.
    #[error("connecting to {url}: {reason}")]
    Connect {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// A call failed (transport or an error answer).
    #[error("{method} on {chain}: {reason}")]
    Call {
        /// The chain's name.
        chain: String,
        /// The method.
        method: &'static str,
        /// Why.
        reason: String,
    },
    /// A transaction was mined but failed.
    #[error("transaction {tx} on {chain} failed in block {block}")]
    Failed {
        /// The chain's name.
        chain: String,
        /// Its hash.
        tx: B256,
        /// Its block.
        block: u64,
    },
    /// A transaction's receipt did not come.
    #[error("no receipt for {tx} on {chain} within {seconds} s")]
    NoReceipt {
        /// The chain's name.
        chain: String,
        /// Its hash.
        tx: B256,
        /// How long it waited.
        seconds: u64,
    },
}

/// One chain's JSON-RPC endpoint.
#[derive(Debug)]
pub struct EthClient {
    client: HttpClient,
    /// The chain's name (for messages).
    pub name: String,
    /// Its EVM chain ID (from `eth_chainId`).
    pub chain_id: u64,
}

impl EthClient {
    /// Connects to `url` and reads the chain ID.
    pub async fn connect(name: &str, url: &str) -> Result<Self, EthClientError> {
        let client = HttpClientBuilder::default()
            .request_timeout(Duration::from_secs(30))
            .build(url)
            .map_err(|e| EthClientError::Connect { url: url.into(), reason: e.to_string() })?;
        let mut this = Self { client, name: name.into(), chain_id: 0 };
        this.chain_id = this.request::<U64>("eth_chainId", rpc_params![]).await?.to();
        Ok(this)
    }

    async fn request<T: DeserializeOwned>(
        &self,
        method: &'static str,
        params: ArrayParams,
    ) -> Result<T, EthClientError> {
        self.client.request(method, params).await.map_err(|e| EthClientError::Call {
            chain: self.name.clone(),
            method,
            reason: e.to_string(),
        })
    }

    /// Signs a call (`None`: a creation) from `wallet` with its pending nonce,
    /// the estimated gas and a fee cap of twice the base fee plus the suggested
    /// tip, sends it raw and waits for its receipt, which must show success.
    pub async fn send(
        &self,
        wallet: &Wallet,
        to: Option<Address>,
        input: Bytes,
    ) -> Result<TransactionReceipt, EthClientError> {
        let from = wallet.address();
        let nonce: U64 = self.request("eth_getTransactionCount", rpc_params![from, "pending"]).await?;
        let request = json!({ "from": from, "to": to, "input": input });
        let gas: U64 = self.request("eth_estimateGas", rpc_params![request]).await?;
        let base_fee: U128 = self.request("eth_baseFee", rpc_params![]).await?;
        let tip: U128 = self.request("eth_maxPriorityFeePerGas", rpc_params![]).await?;
        let gas: u64 = gas.to();
        let tx = TxEip1559 {
            chain_id: self.chain_id,
            nonce: nonce.to(),
            gas_limit: gas.saturating_add(gas / 5),
            max_fee_per_gas: base_fee.to::<u128>().saturating_mul(2).saturating_add(tip.to()),
            max_priority_fee_per_gas: tip.to(),
            to: to.map_or(TxKind::Create, TxKind::Call),
            value: U256::ZERO,
            access_list: Default::default(),
            input,
        };
        let raw = warp_node::tx::encode(&wallet.sign_envelope(tx));
        let hash: B256 = self.request("eth_sendRawTransaction", rpc_params![raw]).await?;
        let receipt = self.receipt(hash, Duration::from_secs(10)).await?;
        if !receipt.status() {
            return Err(EthClientError::Failed {
                chain: self.name.clone(),
                tx: hash,
                block: receipt.block_number.unwrap_or_default(),
            });
        }
        Ok(receipt)
    }

    /// Polls `eth_getTransactionReceipt` until the receipt is there.
    pub async fn receipt(&self, tx: B256, timeout: Duration) -> Result<TransactionReceipt, EthClientError> {
        let started = std::time::Instant::now();
        loop {
            let receipt: Option<TransactionReceipt> =
                self.request("eth_getTransactionReceipt", rpc_params![tx]).await?;
            if let Some(receipt) = receipt {
                return Ok(receipt);
            }
            if started.elapsed() > timeout {
                return Err(EthClientError::NoReceipt {
                    chain: self.name.clone(),
                    tx,
                    seconds: timeout.as_secs(),
                });
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }

    /// A view through `eth_call` at the latest block.
    pub async fn view<C: SolCall>(&self, to: Address, call: C) -> Result<C::Return, EthClientError> {
        let request = json!({ "to": to, "input": Bytes::from(call.abi_encode()) });
        let output: Bytes = self.request("eth_call", rpc_params![request, "latest"]).await?;
        C::abi_decode_returns(&output).map_err(|e| EthClientError::Call {
            chain: self.name.clone(),
            method: "eth_call",
            reason: format!("decoding the answer: {e}"),
        })
    }

    /// `eth_getCode` at the latest block.
    pub async fn code(&self, address: Address) -> Result<Bytes, EthClientError> {
        self.request("eth_getCode", rpc_params![address, "latest"]).await
    }

    /// `eth_getTransactionCount` at the latest block.
    pub async fn nonce(&self, address: Address) -> Result<u64, EthClientError> {
        Ok(self.request::<U64>("eth_getTransactionCount", rpc_params![address, "latest"]).await?.to())
    }

    /// The latest block (transaction hashes only).
    pub async fn latest_block(&self) -> Result<Block, EthClientError> {
        self.request("eth_getBlockByNumber", rpc_params!["latest", false]).await
    }
}
