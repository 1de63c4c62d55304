//! A chain's Ethereum JSON-RPC methods (`eth_*`, `net_*`, `web3_*`, filters
//! and `eth_subscribe`), as anvil answers them, over the chain's node.
//!
//! State reads take `latest`, `pending`, `earliest`, `safe`, `finalized`, a
//! number among the last 256 blocks, or a block hash. `eth_call`,
//! `eth_estimateGas` and `eth_createAccessList` verify the warp predicates of
//! the request's access list against the P-Chain's current height, so a good
//! message reads as valid and the estimate includes predicate gas.

use std::sync::Arc;

use alloy_eips::{BlockId, BlockNumberOrTag};
use alloy_primitives::{Address, Bytes, TxKind, B256, U256};
use alloy_rpc_types_eth::{Filter, FilterBlockOption, Log, TransactionRequest};
use jsonrpsee::core::SubscriptionResult;
use jsonrpsee::types::{ErrorObjectOwned, Params};
use jsonrpsee::{PendingSubscriptionSink, RpcModule};
use revm::context::TxEnv;
use serde_json::{json, Value};
use warp_node::executor::{call_env, STATE_HISTORY};
use warp_node::{Chain, NodeError, TxRequest};

use super::convert::{self, error, revert_error, INVALID_PARAMS, SERVER_ERROR};
use super::ChainApi;
use crate::filters::FilterKind;

/// What a method answers.
pub(crate) type RpcResult = Result<Value, ErrorObjectOwned>;

/// One gwei.
const GWEI: u128 = 1_000_000_000;
/// The tip `eth_maxPriorityFeePerGas` suggests (anvil's).
pub(crate) const SUGGESTED_TIP: u128 = GWEI;
/// The most blocks `eth_feeHistory` reports (geth's limit).
const MAX_FEE_HISTORY: u64 = 1_024;
/// The widest block range `eth_getLogs` scans.
const MAX_LOG_RANGE: u64 = 100_000;
/// The client version string.
pub(crate) const CLIENT_VERSION: &str = concat!("warp-devnet/v", env!("CARGO_PKG_VERSION"));

/// Where a read looks.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum At {
    /// The head's state (the pending block's context for calls).
    Latest,
    /// What a block sealed now would see (nonces count pending transactions).
    Pending,
    /// The state after this block.
    Number(u64),
}

fn quantity(n: impl Into<u128>) -> Value {
    Value::String(format!("{:#x}", n.into()))
}

impl ChainApi {
    fn head(&self) -> u64 {
        self.chain.node.with_chain(Chain::height)
    }

    /// Resolves a block parameter (absent = latest).
    pub(crate) fn resolve(&self, id: Option<BlockId>) -> Result<At, ErrorObjectOwned> {
        let head = self.head();
        let at = match id {
            None => At::Latest,
            Some(BlockId::Number(tag)) => match tag {
                BlockNumberOrTag::Latest | BlockNumberOrTag::Safe | BlockNumberOrTag::Finalized => At::Latest,
                BlockNumberOrTag::Pending => At::Pending,
                BlockNumberOrTag::Earliest => At::Number(0),
                BlockNumberOrTag::Number(n) if n > head => {
                    return Err(error(SERVER_ERROR, format!("block number {n} is after the head {head}")))
                }
                BlockNumberOrTag::Number(n) if n == head => At::Latest,
                BlockNumberOrTag::Number(n) => At::Number(n),
            },
            Some(BlockId::Hash(hash)) => {
                let n = self
                    .chain
                    .node
                    .with_chain(|c| c.block_number(&hash.block_hash))
                    .ok_or_else(|| error(SERVER_ERROR, format!("block {} not found", hash.block_hash)))?;
                if n == head {
                    At::Latest
                } else {
                    At::Number(n)
                }
            }
        };
        Ok(at)
    }

    /// Reads the state at `at`.
    fn read<R>(
        &self,
        at: At,
        f: impl FnOnce(&warp_node::executor::StateView<'_>) -> R,
    ) -> Result<R, ErrorObjectOwned> {
        self.chain.node.with_chain(|c| {
            let number = match at {
                At::Latest | At::Pending => c.height(),
                At::Number(n) => n,
            };
            c.state_at(number).map(|view| f(&view)).ok_or_else(|| {
                error(
                    SERVER_ERROR,
                    format!("missing state of block {number}: the last {STATE_HISTORY} blocks' states are kept (head {})", c.height()),
                )
            })
        })
    }

    fn block_number_of(&self, tag: BlockNumberOrTag) -> Option<u64> {
        let head = self.head();
        match tag {
            BlockNumberOrTag::Earliest => Some(0),
            BlockNumberOrTag::Number(n) => (n <= head).then_some(n),
            _ => Some(head),
        }
    }

    /// The request as revm's transaction, with `gas` (or the block gas limit).
    fn call_env(&self, request: &TransactionRequest, gas: Option<u64>) -> TxEnv {
        let limit = self.chain.node.with_chain(|c| c.config().gas_limit);
        call_env(
            request.from.unwrap_or_default(),
            request.to.unwrap_or(TxKind::Create),
            request.input.input().cloned().unwrap_or_default(),
            request.value.unwrap_or_default(),
            gas.or(request.gas).unwrap_or(limit).min(limit),
            request.access_list.clone().unwrap_or_default(),
        )
    }

    /// Runs a call; its output, or geth's error for a revert or halt.
    fn run(&self, env: TxEnv, at: At) -> Result<warp_node::Simulation, ErrorObjectOwned> {
        let number = match at {
            At::Number(n) => Some(n),
            At::Latest | At::Pending => None,
        };
        self.chain.node.simulate(env, number).map_err(|e| match e {
            NodeError::Predicate(e) => error(INVALID_PARAMS, format!("invalid warp predicate: {e}")),
            other => error(SERVER_ERROR, other.to_string()),
        })
    }

    fn outcome_error(outcome: &warp_node::CallOutcome) -> ErrorObjectOwned {
        match &outcome.halt {
            Some(halt) => error(SERVER_ERROR, halt_message(halt)),
            None => revert_error(&outcome.output),
        }
    }

    /// The lowest gas limit under which `request` succeeds (no refunds on this
    /// chain: what it used, unless the 63/64 rule asks for more).
    pub(crate) fn estimate(&self, request: &TransactionRequest, at: At) -> Result<u64, ErrorObjectOwned> {
        let cap = self.call_env(request, None).gas_limit;
        let first = self.run(self.call_env(request, Some(cap)), at)?;
        if !first.outcome.success {
            return Err(Self::outcome_error(&first.outcome));
        }
        let used = first.outcome.gas_used;
        let succeeds = |gas: u64| -> Result<bool, ErrorObjectOwned> {
            Ok(self.run(self.call_env(request, Some(gas)), at)?.outcome.success)
        };
        if used >= cap || succeeds(used)? {
            return Ok(used);
        }
        let (mut low, mut high) = (used, cap);
        while high.saturating_sub(low) > 1 {
            let mid = low.saturating_add(high.saturating_sub(low) / 2);
            if succeeds(mid)? {
                high = mid;
            } else {
                low = mid;
            }
        }
        Ok(high)
    }

    /// Mines what is pending when automine is on (one block per batch, as long
    /// as transactions are executable).
    pub(crate) fn automine(&self) -> Result<(), ErrorObjectOwned> {
        if !self.chain.automine() {
            return Ok(());
        }
        for _ in 0..1_000 {
            match self.chain.node.produce_block() {
                Ok(Some(_)) => {}
                Ok(None) => break,
                Err(e) => return Err(error(SERVER_ERROR, format!("mining: {e}"))),
            }
        }
        Ok(())
    }

    /// Sends a request from a dev account or an impersonated one.
    fn send_request(&self, request: TransactionRequest) -> RpcResult {
        let from = request.from.ok_or_else(|| error(INVALID_PARAMS, "eth_sendTransaction needs \"from\""))?;
        let gas = match request.gas {
            Some(gas) => gas,
            None => self.estimate(&request, At::Pending)?,
        };
        let tx = TxRequest {
            to: request.to.unwrap_or(TxKind::Create),
            input: request.input.input().cloned().unwrap_or_default(),
            value: request.value.unwrap_or_default(),
            gas_limit: gas,
            access_list: request.access_list.clone().unwrap_or_default(),
        };
        let submitted = if let Some(wallet) = self.devnet.accounts().iter().find(|w| w.address() == from) {
            self.chain.node.sign_and_submit(wallet, tx)
        } else if self.chain.is_impersonated(&from) {
            self.chain.node.submit_impersonated(from, tx)
        } else {
            return Err(error(
                SERVER_ERROR,
                format!("no key for {from}: not a dev account (eth_accounts); impersonate it with anvil_impersonateAccount"),
            ));
        };
        let hash = submitted.map_err(|e| error(SERVER_ERROR, e.to_string()))?;
        self.automine()?;
        convert::json(hash)
    }

    /// Logs of blocks `from..=to` matching `filter`.
    fn logs(&self, filter: &Filter, from: u64, to: u64) -> Result<Vec<Log>, ErrorObjectOwned> {
        if to >= from && to.saturating_sub(from) >= MAX_LOG_RANGE {
            return Err(error(
                SERVER_ERROR,
                format!("block range {from}..={to} is wider than {MAX_LOG_RANGE} blocks: narrow it"),
            ));
        }
        Ok(self.chain.node.with_chain(|c| {
            let mut out = Vec::new();
            for number in from.max(1)..=to {
                let (Some((block, receipts)), Some(hash)) = (c.block(number), c.block_hash(number)) else {
                    continue;
                };
                if !filter.matches_bloom(block.header.logs_bloom) {
                    continue;
                }
                for position in 0..receipts.len() {
                    out.extend(
                        convert::receipt_logs(receipts, position, &block.header, hash)
                            .into_iter()
                            .filter(|log| filter.matches(&log.inner)),
                    );
                }
            }
            out
        }))
    }

    fn get_logs(&self, filter: &Filter) -> Result<Vec<Log>, ErrorObjectOwned> {
        match &filter.block_option {
            FilterBlockOption::AtBlockHash(hash) => {
                let number = self
                    .chain
                    .node
                    .with_chain(|c| c.block_number(hash))
                    .ok_or_else(|| error(SERVER_ERROR, format!("block {hash} not found")))?;
                self.logs(filter, number, number)
            }
            FilterBlockOption::Range { from_block, to_block } => {
                let head = self.head();
                let from = from_block.and_then(|t| self.block_number_of(t)).unwrap_or(head);
                let to = to_block.map_or(Some(head), |t| self.block_number_of(t)).unwrap_or(head);
                if from > to {
                    return Ok(vec![]);
                }
                self.logs(filter, from, to)
            }
        }
    }

    fn fee_history(&self, count: u64, newest: BlockNumberOrTag, percentiles: Option<Vec<f64>>) -> RpcResult {
        let count = count.min(MAX_FEE_HISTORY);
        let newest = self
            .block_number_of(newest)
            .ok_or_else(|| error(SERVER_ERROR, "newest block is after the head"))?;
        if let Some(p) = &percentiles {
            let sorted = p.windows(2).all(|w| matches!(w, [a, b] if a <= b));
            if !sorted || p.iter().any(|x| !(0.0..=100.0).contains(x)) {
                return Err(error(
                    INVALID_PARAMS,
                    format!("reward percentiles {p:?}: ascending values from 0 to 100"),
                ));
            }
        }
        let oldest = newest.saturating_add(1).saturating_sub(count);
        let history = self.chain.node.with_chain(|c| {
            let mut base_fees = Vec::new();
            let mut ratios = Vec::new();
            let mut rewards = Vec::new();
            for number in oldest..=newest {
                if count == 0 {
                    break;
                }
                let header = if number == 0 {
                    Some(c.genesis_header())
                } else {
                    c.block(number).map(|(b, _)| &b.header)
                };
                let Some(header) = header else { continue };
                let base = u128::from(header.base_fee_per_gas.unwrap_or_default());
                base_fees.push(base);
                ratios.push(if header.gas_limit == 0 {
                    0.0
                } else {
                    header.gas_used as f64 / header.gas_limit as f64
                });
                if let Some(p) = &percentiles {
                    let mut tips: Vec<(u128, u64)> = c
                        .block(number)
                        .map(|(_, receipts)| {
                            receipts
                                .iter()
                                .map(|r| (r.effective_gas_price.saturating_sub(base), r.gas_used))
                                .collect()
                        })
                        .unwrap_or_default();
                    tips.sort_unstable();
                    let total: u64 = tips.iter().map(|(_, g)| *g).sum();
                    rewards.push(
                        p.iter()
                            .map(|pct| {
                                let threshold = (total as f64) * pct / 100.0;
                                let mut sum = 0u64;
                                for (tip, gas) in &tips {
                                    sum = sum.saturating_add(*gas);
                                    if sum as f64 >= threshold {
                                        return *tip;
                                    }
                                }
                                tips.last().map_or(0, |(tip, _)| *tip)
                            })
                            .collect::<Vec<u128>>(),
                    );
                }
            }
            if count > 0 {
                let next = c.base_fee_at(c.head_timestamp().saturating_add(1));
                base_fees.push(u128::from(next));
            }
            alloy_rpc_types_eth::FeeHistory {
                base_fee_per_gas: base_fees,
                gas_used_ratio: ratios,
                base_fee_per_blob_gas: vec![],
                blob_gas_used_ratio: vec![],
                oldest_block: oldest,
                reward: percentiles.as_ref().map(|_| rewards),
            }
        });
        convert::json(history)
    }

    fn next_base_fee(&self) -> u128 {
        u128::from(self.chain.node.with_chain(|c| c.base_fee_at(c.head_timestamp().saturating_add(1))))
    }
}

/// A halt as geth words it.
fn halt_message(halt: &str) -> String {
    if halt.contains("OutOfGas") {
        "out of gas".into()
    } else if halt.contains("InvalidFEOpcode") || halt.contains("OpcodeNotFound") {
        "invalid opcode".into()
    } else {
        format!("execution halted: {halt}")
    }
}

/// A number given as a hex quantity or a JSON number.
fn u64_param(value: &Value) -> Result<u64, ErrorObjectOwned> {
    match value {
        Value::Number(n) => n.as_u64().ok_or_else(|| error(INVALID_PARAMS, format!("{n} is not a u64"))),
        Value::String(s) => {
            let digits = s
                .strip_prefix("0x")
                .ok_or_else(|| error(INVALID_PARAMS, format!("{s:?} is not a hex quantity")))?;
            u64::from_str_radix(digits, 16).map_err(|e| error(INVALID_PARAMS, format!("{s:?}: {e}")))
        }
        other => Err(error(INVALID_PARAMS, format!("expected a quantity, got {other}"))),
    }
}

/// Registers the Ethereum methods on `module`.
pub(crate) fn register(module: &mut RpcModule<ChainApi>) -> Result<(), jsonrpsee::core::RegisterMethodError> {
    module
        .register_method("eth_chainId", |_, api, _| -> RpcResult { Ok(quantity(api.chain.evm_chain_id)) })?;
    module.register_method("net_version", |_, api, _| -> RpcResult {
        Ok(Value::String(api.chain.evm_chain_id.to_string()))
    })?;
    module.register_method("net_listening", |_, _, _| -> RpcResult { Ok(Value::Bool(true)) })?;
    module.register_method("web3_clientVersion", |_, _, _| -> RpcResult {
        Ok(Value::String(CLIENT_VERSION.into()))
    })?;
    module.register_method("eth_syncing", |_, _, _| -> RpcResult { Ok(Value::Bool(false)) })?;
    module.register_method("eth_blockNumber", |_, api, _| -> RpcResult { Ok(quantity(api.head())) })?;
    module.register_method("eth_accounts", |_, api, _| -> RpcResult {
        convert::json(api.devnet.accounts().iter().map(|w| w.address()).collect::<Vec<Address>>())
    })?;
    module.register_method("eth_gasPrice", |_, api, _| -> RpcResult {
        Ok(quantity(api.next_base_fee().saturating_add(SUGGESTED_TIP)))
    })?;
    module.register_method("eth_maxPriorityFeePerGas", |_, _, _| -> RpcResult {
        Ok(quantity(SUGGESTED_TIP))
    })?;
    module.register_method("eth_baseFee", |_, api, _| -> RpcResult { Ok(quantity(api.next_base_fee())) })?;
    module.register_method("eth_feeHistory", |params, api, _| -> RpcResult {
        let mut seq = params.sequence();
        let count: Value = seq.next()?;
        let newest: BlockNumberOrTag = seq.next()?;
        let percentiles: Option<Vec<f64>> = seq.optional_next()?;
        api.fee_history(u64_param(&count)?, newest, percentiles)
    })?;

    module.register_method("eth_getBalance", |params, api, _| -> RpcResult {
        let mut seq = params.sequence();
        let address: Address = seq.next()?;
        let at = api.resolve(seq.optional_next()?)?;
        convert::json(api.read(at, |s| s.balance(address))?)
    })?;
    module.register_method("eth_getCode", |params, api, _| -> RpcResult {
        let mut seq = params.sequence();
        let address: Address = seq.next()?;
        let at = api.resolve(seq.optional_next()?)?;
        convert::json(api.read(at, |s| s.code(address))?)
    })?;
    module.register_method("eth_getStorageAt", |params, api, _| -> RpcResult {
        let mut seq = params.sequence();
        let address: Address = seq.next()?;
        let slot: U256 = seq.next()?;
        let at = api.resolve(seq.optional_next()?)?;
        convert::json(B256::from(api.read(at, |s| s.storage(address, slot))?))
    })?;
    module.register_method("eth_getTransactionCount", |params, api, _| -> RpcResult {
        let mut seq = params.sequence();
        let address: Address = seq.next()?;
        match api.resolve(seq.optional_next()?)? {
            At::Pending => Ok(quantity(api.chain.node.next_nonce(address))),
            at => Ok(quantity(api.read(at, |s| s.nonce(address))?)),
        }
    })?;

    module.register_method("eth_call", |params, api, _| -> RpcResult {
        let mut seq = params.sequence();
        let request: TransactionRequest = seq.next()?;
        let at = api.resolve(seq.optional_next()?)?;
        let overrides: Option<Value> = seq.optional_next()?;
        if overrides.as_ref().is_some_and(|o| !o.is_null() && o.as_object().is_none_or(|m| !m.is_empty())) {
            return Err(error(INVALID_PARAMS, "state overrides are not supported by this devnet"));
        }
        let simulation = api.run(api.call_env(&request, None), at)?;
        if simulation.outcome.success {
            convert::json(simulation.outcome.output)
        } else {
            Err(ChainApi::outcome_error(&simulation.outcome))
        }
    })?;
    module.register_method("eth_estimateGas", |params, api, _| -> RpcResult {
        let mut seq = params.sequence();
        let request: TransactionRequest = seq.next()?;
        let at = api.resolve(seq.optional_next()?)?;
        Ok(quantity(api.estimate(&request, at)?))
    })?;
    module.register_method("eth_createAccessList", |params, api, _| -> RpcResult {
        let mut seq = params.sequence();
        let request: TransactionRequest = seq.next()?;
        let at = api.resolve(seq.optional_next()?)?;
        let simulation = api.run(api.call_env(&request, None), at)?;
        let error_text = (!simulation.outcome.success).then(|| match &simulation.outcome.halt {
            Some(h) => halt_message(h),
            None => "execution reverted".to_string(),
        });
        Ok(json!({
            "accessList": request.access_list.clone().unwrap_or_default(),
            "gasUsed": quantity(simulation.outcome.gas_used),
            "error": error_text,
        }))
    })?;

    module.register_method("eth_sendRawTransaction", |params, api, _| -> RpcResult {
        let bytes: Bytes = params.one()?;
        let hash = api.chain.node.submit_raw(&bytes).map_err(|e| error(SERVER_ERROR, e.to_string()))?;
        api.automine()?;
        convert::json(hash)
    })?;
    module.register_method("eth_sendTransaction", |params, api, _| -> RpcResult {
        let request: TransactionRequest = params.one()?;
        api.send_request(request)
    })?;

    module.register_method("eth_getBlockByNumber", |params, api, _| -> RpcResult {
        let mut seq = params.sequence();
        let tag: BlockNumberOrTag = seq.next()?;
        let full: Option<bool> = seq.optional_next()?;
        let Some(number) = api.block_number_of(tag) else { return Ok(Value::Null) };
        convert::json(api.chain.node.with_chain(|c| convert::block(c, number, full.unwrap_or(false))))
    })?;
    module.register_method("eth_getBlockByHash", |params, api, _| -> RpcResult {
        let mut seq = params.sequence();
        let hash: B256 = seq.next()?;
        let full: Option<bool> = seq.optional_next()?;
        convert::json(
            api.chain.node.with_chain(|c| {
                c.block_number(&hash).and_then(|n| convert::block(c, n, full.unwrap_or(false)))
            }),
        )
    })?;
    module.register_method("eth_getBlockTransactionCountByNumber", |params, api, _| -> RpcResult {
        let tag: BlockNumberOrTag = params.one()?;
        let Some(number) = api.block_number_of(tag) else { return Ok(Value::Null) };
        Ok(api
            .chain
            .node
            .with_chain(|c| c.block(number).map(|(b, _)| b.transactions.len() as u64))
            .map_or(Value::Null, quantity))
    })?;
    module.register_method("eth_getTransactionByHash", |params, api, _| -> RpcResult {
        let hash: B256 = params.one()?;
        let mined = api.chain.node.with_chain(|c| {
            let (_, number, position) = c.transaction(&hash)?;
            let (block, receipts) = c.block(number)?;
            let block_hash = c.block_hash(number)?;
            Some(convert::transaction(
                block.transactions.get(position)?,
                receipts.get(position)?,
                &block.header,
                block_hash,
                position,
            ))
        });
        match mined {
            Some(tx) => convert::json(tx),
            None => convert::json(
                api.chain.node.pending_transaction(&hash).map(|tx| convert::pending_transaction(&tx)),
            ),
        }
    })?;
    module.register_method("eth_getTransactionReceipt", |params, api, _| -> RpcResult {
        let hash: B256 = params.one()?;
        convert::json(api.chain.node.with_chain(|c| {
            let (_, number, position) = c.transaction(&hash)?;
            convert::receipt(c, number, position)
        }))
    })?;
    module.register_method("eth_getLogs", |params, api, _| -> RpcResult {
        let filter: Filter = params.one()?;
        convert::json(api.get_logs(&filter)?)
    })?;

    module.register_method("eth_newFilter", |params, api, _| -> RpcResult {
        let filter: Filter = params.one()?;
        install(api, FilterKind::Logs(Box::new(filter)))
    })?;
    module.register_method("eth_newBlockFilter", |_, api, _| -> RpcResult {
        install(api, FilterKind::Blocks)
    })?;
    module.register_method("eth_newPendingTransactionFilter", |_, api, _| -> RpcResult {
        install(api, FilterKind::PendingTransactions)
    })?;
    module.register_method("eth_uninstallFilter", |params, api, _| -> RpcResult {
        let id: String = params.one()?;
        Ok(Value::Bool(api.chain.filters.uninstall(&id)))
    })?;
    module.register_method("eth_getFilterChanges", |params, api, _| -> RpcResult {
        let id: String = params.one()?;
        let head = api.head();
        let filter =
            api.chain.filters.poll(&id, head).ok_or_else(|| error(SERVER_ERROR, "filter not found"))?;
        let from = filter.last_block.saturating_add(1);
        match filter.kind {
            FilterKind::Blocks => convert::json(
                api.chain
                    .node
                    .with_chain(|c| (from..=head).filter_map(|n| c.block_hash(n)).collect::<Vec<B256>>()),
            ),
            FilterKind::PendingTransactions => Ok(json!([])),
            FilterKind::Logs(filter) => {
                let (from, to) = match filter.block_option {
                    FilterBlockOption::Range { from_block, to_block } => {
                        // Only an explicit number bounds a filter's new logs from below.
                        let lower = match from_block {
                            Some(BlockNumberOrTag::Number(n)) => n,
                            _ => 0,
                        };
                        let upper = to_block.and_then(|t| match t {
                            BlockNumberOrTag::Number(n) => Some(n),
                            _ => None,
                        });
                        (from.max(lower), upper.map_or(head, |u| u.min(head)))
                    }
                    FilterBlockOption::AtBlockHash(_) => return Ok(json!([])),
                };
                if from > to {
                    return Ok(json!([]));
                }
                convert::json(api.logs(&filter, from, to)?)
            }
        }
    })?;
    module.register_method("eth_getFilterLogs", |params, api, _| -> RpcResult {
        let id: String = params.one()?;
        let filter = api.chain.filters.get(&id).ok_or_else(|| error(SERVER_ERROR, "filter not found"))?;
        match filter.kind {
            FilterKind::Logs(filter) => convert::json(api.get_logs(&filter)?),
            _ => Err(error(SERVER_ERROR, "filter not found")),
        }
    })?;

    module.register_subscription("eth_subscribe", "eth_subscription", "eth_unsubscribe", subscribe)?;
    Ok(())
}

fn install(api: &ChainApi, kind: FilterKind) -> RpcResult {
    let id = api
        .chain
        .filters
        .install(kind, api.head())
        .map_err(|max| error(SERVER_ERROR, format!("too many filters installed (at most {max})")))?;
    Ok(Value::String(id))
}

/// `eth_subscribe`: `newHeads` and `logs` (with an optional filter), from the
/// next block on.
async fn subscribe(
    params: Params<'static>,
    pending: PendingSubscriptionSink,
    api: Arc<ChainApi>,
    _: jsonrpsee::Extensions,
) -> SubscriptionResult {
    let mut seq = params.sequence();
    let kind: String = match seq.next() {
        Ok(kind) => kind,
        Err(e) => {
            pending.reject(e).await;
            return Ok(());
        }
    };
    let filter = match kind.as_str() {
        "newHeads" => None,
        "logs" => match seq.optional_next::<Filter>() {
            Ok(filter) => Some(filter.unwrap_or_default()),
            Err(e) => {
                pending.reject(e).await;
                return Ok(());
            }
        },
        other => {
            pending
                .reject(error(
                    INVALID_PARAMS,
                    format!("unsupported subscription {other:?}: newHeads or logs"),
                ))
                .await;
            return Ok(());
        }
    };
    let sink = pending.accept().await?;
    let mut head = api.chain.node.subscribe();
    let mut last = *head.borrow_and_update();
    loop {
        tokio::select! {
            changed = head.changed() => if changed.is_err() { return Ok(()) },
            () = sink.closed() => return Ok(()),
        }
        let now = *head.borrow_and_update();
        // A revert moves the head back: report from there on.
        let from = if now < last { now } else { last.saturating_add(1) };
        let mut messages = Vec::new();
        for number in from..=now {
            match &filter {
                None => {
                    let header =
                        api.chain.node.with_chain(|c| convert::block(c, number, false).map(|b| b.header));
                    if let Some(header) = header {
                        messages.push(serde_json::value::to_raw_value(&header)?);
                    }
                }
                Some(filter) => {
                    for log in api.logs(filter, number, number).unwrap_or_default() {
                        messages.push(serde_json::value::to_raw_value(&log)?);
                    }
                }
            }
        }
        for message in messages {
            sink.send(message).await?;
        }
        last = now;
    }
}
