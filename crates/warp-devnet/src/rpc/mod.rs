//! The JSON-RPC modules the server mounts: per chain the Ethereum methods,
//! anvil's test methods and Subnet-EVM's warp API; the P-Chain API; the info API.

use std::sync::Arc;

use jsonrpsee::core::RegisterMethodError;
use jsonrpsee::{Methods, RpcModule};

use crate::network::{DevChain, Devnet};

mod anvil;
pub(crate) mod convert;
pub(crate) mod eth;
mod platform;
mod warp;

pub use platform::SUBNET_EVM_VM_ID;

/// What a chain's methods run against.
#[derive(Debug, Clone)]
pub(crate) struct ChainApi {
    /// The devnet (accounts, P-Chain, the other chains).
    pub devnet: Arc<Devnet>,
    /// This chain.
    pub chain: Arc<DevChain>,
}

/// The methods of `/ext/bc/<chain>/rpc`.
pub(crate) fn chain_methods(
    devnet: &Arc<Devnet>,
    chain: &Arc<DevChain>,
) -> Result<Methods, RegisterMethodError> {
    let mut module = RpcModule::new(ChainApi { devnet: Arc::clone(devnet), chain: Arc::clone(chain) });
    eth::register(&mut module)?;
    anvil::register(&mut module)?;
    warp::register(&mut module)?;
    Ok(module.into())
}

/// The methods of `/ext/bc/P`.
pub(crate) fn platform_methods(devnet: &Arc<Devnet>) -> Result<Methods, RegisterMethodError> {
    Ok(platform::platform_module(Arc::clone(devnet))?.into())
}

/// The methods of `/ext/info`.
pub(crate) fn info_methods(devnet: &Arc<Devnet>) -> Result<Methods, RegisterMethodError> {
    Ok(platform::info_module(Arc::clone(devnet))?.into())
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use crate::network::DevnetConfig;
    use alloy_primitives::{Address, TxKind, U256};
    use alloy_sol_types::SolCall;
    use serde_json::{json, Value};
    use warp_node::apps::CrossChainMessenger;
    use warp_node::TxRequest;

    fn devnet(chains: &[&str]) -> Arc<Devnet> {
        let config = DevnetConfig {
            chains: chains.iter().map(ToString::to_string).collect(),
            validators: 5,
            relayer: false,
            ..DevnetConfig::default()
        };
        Arc::new(Devnet::start(config).unwrap())
    }

    /// The whole JSON-RPC response object of one call.
    async fn call(methods: &Methods, method: &str, params: Value) -> Value {
        let request = json!({ "jsonrpc": "2.0", "id": 1, "method": method, "params": params }).to_string();
        let (response, _) = methods.raw_json_request(&request, 1).await.unwrap();
        serde_json::from_str(response.get()).unwrap()
    }

    async fn result(methods: &Methods, method: &str, params: Value) -> Value {
        let response = call(methods, method, params).await;
        assert!(response.get("error").is_none(), "{method}: {response}");
        response["result"].clone()
    }

    #[tokio::test]
    async fn anvil_shapes_of_the_simple_methods() {
        let net = devnet(&["A", "B"]);
        let b = chain_methods(&net, &net.chains()[1]).unwrap();
        assert_eq!(result(&b, "eth_chainId", json!([])).await, json!("0x7a6a"));
        assert_eq!(result(&b, "net_version", json!([])).await, json!("31338"));
        assert_eq!(result(&b, "eth_blockNumber", json!([])).await, json!("0x1"));
        let accounts = result(&b, "eth_accounts", json!([])).await;
        assert_eq!(accounts.as_array().unwrap().len(), 10);
        assert_eq!(accounts[0], json!("0xf39fd6e51aad88f6f4ce6ab8827279cfffb92266"));
        let genesis = result(&b, "eth_getBlockByNumber", json!(["earliest", false])).await;
        assert_eq!(genesis["number"], json!("0x0"));
        let hash = genesis["hash"].as_str().unwrap().to_string();
        let by_hash = result(&b, "eth_getBlockByHash", json!([hash, false])).await;
        assert_eq!(by_hash, genesis);
        // Block 1 deploys the apps: two creations and two allow-list calls (one other chain).
        let one = result(&b, "eth_getBlockByNumber", json!(["0x1", true])).await;
        assert_eq!(one["transactions"].as_array().unwrap().len(), 4);
        assert_eq!(one["transactions"][0]["blockNumber"], json!("0x1"));
        assert_eq!(result(&b, "eth_getBlockByNumber", json!(["0x2", false])).await, Value::Null);
        assert_eq!(result(&b, "eth_syncing", json!([])).await, json!(false));
        assert_eq!(
            result(&b, "eth_getTransactionByHash", json!([format!("0x{}", "11".repeat(32))])).await,
            Value::Null
        );
    }

    #[tokio::test]
    async fn refusals_carry_the_codes_clients_expect() {
        let net = devnet(&["A"]);
        let a = chain_methods(&net, &net.chains()[0]).unwrap();
        let p = platform_methods(&net).unwrap();
        let zero = format!("0x{}", "00".repeat(32));
        let cases: Vec<(&Methods, &str, Value, i64, &str)> = vec![
            (&a, "eth_no_such_method", json!([]), -32601, "Method not found"),
            (&a, "eth_getBalance", json!(["0x12"]), -32602, ""),
            (&a, "eth_getBalance", json!([Address::ZERO, "0x99"]), -32000, "after the head"),
            (&a, "eth_feeHistory", json!(["0x2", "latest", [50.0, 10.0]]), -32602, "ascending"),
            (
                &a,
                "eth_call",
                json!([{ "to": Address::ZERO }, "latest", { "0x00": {} }]),
                -32602,
                "state overrides",
            ),
            (&a, "eth_sendRawTransaction", json!(["0x1234"]), -32000, ""),
            (&a, "eth_getFilterChanges", json!(["0x1"]), -32000, "filter not found"),
            (&a, "anvil_mine", json!(["0x100000"]), -32602, "at most"),
            (&a, "evm_setNextBlockTimestamp", json!([1]), -32000, "before the head"),
            (&a, "warp_getMessage", json!([]), -32000, "missing value for required argument 0"),
            (&a, "warp_getMessage", json!([zero, 1]), -32000, "too many arguments"),
            (&a, "warp_getMessage", json!(["not-cb58"]), -32000, "invalid messageID"),
            (&a, "warp_getMessage", json!([Value::Null]), -32000, "not found"),
            (&a, "warp_getBlockAggregateSignature", json!([Value::Null, 101, ""]), -32000, "quorumNum 101"),
            (&a, "warp_getBlockSignature", json!([Value::Null]), -32000, "failed to sign"),
            (
                &p,
                "platform.getValidatorsAt",
                json!({ "height": "9", "subnetID": net.chains()[0].subnet_id.to_string() }),
                -32000,
                "couldn't get validator set",
            ),
            (&p, "platform.getValidatorsAt", json!({ "subnetID": "bad" }), -32602, "subnetID"),
            (&p, "platform.validatedBy", json!({}), -32602, "blockchainID is required"),
            (&p, "platform.getSubnet", json!({ "subnetID": zero }), -32000, "not found"),
            (&p, "platform.getSubnet", json!({}), -32602, "subnetID is required"),
        ];
        for (methods, method, params, code, message) in cases {
            let response = call(methods, method, params.clone()).await;
            let error = &response["error"];
            assert_eq!(error["code"], json!(code), "{method} {params}: {response}");
            assert!(error["message"].as_str().unwrap().contains(message), "{method} {params}: {response}");
        }
    }

    #[tokio::test]
    async fn the_estimate_of_a_delivery_counts_its_predicate_gas() {
        let net = devnet(&["A", "B"]);
        let (a, b) = (&net.chains()[0], &net.chains()[1]);
        let user = &net.accounts()[0];
        let messenger = net.apps().messenger;
        let send = CrossChainMessenger::sendMessageCall {
            destinationChainID: b.blockchain_id.0.into(),
            destination: messenger,
            data: b"estimate me".to_vec().into(),
        };
        a.node
            .sign_and_submit(
                user,
                TxRequest {
                    to: TxKind::Call(messenger),
                    input: send.abi_encode().into(),
                    gas_limit: 300_000,
                    ..TxRequest::default()
                },
            )
            .unwrap();
        let built = a.node.produce_block().unwrap().unwrap();
        let unsigned = warp_node::sent_messages(&built.receipts).pop().unwrap();
        let signed =
            crate::aggregate::aggregate(&net, &unsigned, a.subnet_id, awm_core::Quorum::DEFAULT, None)
                .await
                .unwrap();
        let access_list = warp_predicate::warp_access_list([signed.to_bytes().as_slice()]);
        let receive = CrossChainMessenger::receiveMessageCall { index: 0 }.abi_encode();
        let methods = chain_methods(&net, b).unwrap();
        let request = json!({
            "from": net.accounts()[1].address(),
            "to": messenger,
            "input": format!("0x{}", alloy_primitives::hex::encode(&receive)),
            "accessList": access_list,
        });
        let estimate = result(&methods, "eth_estimateGas", json!([request])).await;
        let estimate = u64::from_str_radix(estimate.as_str().unwrap().trim_start_matches("0x"), 16).unwrap();
        // eth_call sees the message as valid (the call succeeds: an invalid one reverts).
        let output = result(&methods, "eth_call", json!([request])).await;
        assert_eq!(output, json!("0x"));
        // Exactly the estimate is enough; one gas less is not.
        let submit = |gas_limit: u64| {
            b.node.sign_and_submit(
                &net.accounts()[1],
                TxRequest {
                    to: TxKind::Call(messenger),
                    input: receive.clone().into(),
                    gas_limit,
                    access_list: access_list.clone(),
                    value: U256::ZERO,
                },
            )
        };
        submit(estimate - 1).unwrap();
        let short = b.node.produce_block().unwrap().unwrap();
        assert_eq!(short.receipts.len(), 1);
        assert!(!short.receipts[0].success, "out of gas one below the estimate");
        submit(estimate).unwrap();
        let enough = b.node.produce_block().unwrap().unwrap();
        assert!(enough.receipts[0].success, "{:?}", enough.receipts[0]);
        assert_eq!(enough.receipts[0].gas_used, estimate);
    }
}
