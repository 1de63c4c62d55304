//! The chain's blocks, transactions, receipts and logs in the JSON-RPC shapes
//! of `alloy-rpc-types-eth` (the ones reth serves), and the errors the
//! Ethereum clients expect.

use alloy_consensus::transaction::Recovered;
use alloy_consensus::{Header, TxEnvelope};
use alloy_primitives::{Bytes, B256, U256};
use alloy_rpc_types_eth::{Block, BlockTransactions, Log, Transaction, TransactionReceipt};
use jsonrpsee::types::ErrorObjectOwned;
use warp_node::{Chain, Receipt};

/// geth's "execution reverted" code.
pub(crate) const REVERT_CODE: i32 = 3;
/// Invalid parameters.
pub(crate) const INVALID_PARAMS: i32 = -32602;
/// A server-side failure (geth and anvil answer most refusals with it).
pub(crate) const SERVER_ERROR: i32 = -32000;

/// An error with no data.
pub(crate) fn error(code: i32, message: impl Into<String>) -> ErrorObjectOwned {
    ErrorObjectOwned::owned(code, message.into(), None::<()>)
}

/// geth's revert error: code 3, `execution reverted` with the reason a
/// `Error(string)` carries, and the revert data.
pub(crate) fn revert_error(output: &Bytes) -> ErrorObjectOwned {
    let reason = alloy_sol_types::decode_revert_reason(output);
    let message = match reason {
        Some(reason) if output.len() >= 4 && output.get(..4) == Some(&[0x08, 0xc3, 0x79, 0xa0][..]) => {
            format!("execution reverted: {}", reason.trim_start_matches("revert: "))
        }
        _ => "execution reverted".to_string(),
    };
    ErrorObjectOwned::owned(REVERT_CODE, message, Some(output.to_string()))
}

/// JSON of a serialisable value (our shapes always serialise).
pub(crate) fn json<T: serde::Serialize>(value: T) -> Result<serde_json::Value, ErrorObjectOwned> {
    serde_json::to_value(value).map_err(|e| error(SERVER_ERROR, format!("serialising the answer: {e}")))
}

/// Block `number` (0 is the genesis) as `eth_getBlockBy*` returns it, with
/// full transactions or their hashes.
pub(crate) fn block(chain: &Chain, number: u64, full: bool) -> Option<Block> {
    let (header, hash, size, transactions) = if number == 0 {
        let header = chain.genesis_header().clone();
        let size = alloy_rlp::encode(&header).len();
        (
            header,
            chain.genesis_hash(),
            size,
            if full { BlockTransactions::Full(vec![]) } else { BlockTransactions::Hashes(vec![]) },
        )
    } else {
        let (block, receipts) = chain.block(number)?;
        let hash = chain.block_hash(number)?;
        let size = block.to_bytes().len();
        let transactions = if full {
            BlockTransactions::Full(
                block
                    .transactions
                    .iter()
                    .zip(receipts)
                    .enumerate()
                    .map(|(i, (tx, receipt))| transaction(tx, receipt, &block.header, hash, i))
                    .collect(),
            )
        } else {
            BlockTransactions::Hashes(receipts.iter().map(|r| r.tx_hash).collect())
        };
        (block.header.clone(), hash, size, transactions)
    };
    Some(Block {
        header: alloy_rpc_types_eth::Header {
            hash,
            inner: header,
            total_difficulty: Some(U256::ZERO),
            size: Some(U256::from(size)),
        },
        uncles: vec![],
        transactions,
        withdrawals: None,
    })
}

/// A mined transaction as `eth_getTransactionByHash` returns it.
pub(crate) fn transaction(
    tx: &TxEnvelope,
    receipt: &Receipt,
    header: &Header,
    block_hash: B256,
    index: usize,
) -> Transaction {
    Transaction {
        inner: Recovered::new_unchecked(tx.clone(), receipt.from),
        block_hash: Some(block_hash),
        block_number: Some(header.number),
        transaction_index: Some(index as u64),
        effective_gas_price: Some(receipt.effective_gas_price),
        block_timestamp: Some(header.timestamp),
    }
}

/// A pending transaction (not in a block yet).
pub(crate) fn pending_transaction(tx: &Recovered<TxEnvelope>) -> Transaction {
    Transaction {
        inner: tx.clone(),
        block_hash: None,
        block_number: None,
        transaction_index: None,
        effective_gas_price: None,
        block_timestamp: None,
    }
}

/// The logs of `receipts[position]` with their block-wide indices.
pub(crate) fn receipt_logs(
    receipts: &[Receipt],
    position: usize,
    header: &Header,
    block_hash: B256,
) -> Vec<Log> {
    let first = receipts.iter().take(position).map(|r| r.logs.len()).sum::<usize>();
    let Some(receipt) = receipts.get(position) else { return vec![] };
    receipt
        .logs
        .iter()
        .enumerate()
        .map(|(i, log)| Log {
            inner: log.clone(),
            block_hash: Some(block_hash),
            block_number: Some(header.number),
            block_timestamp: Some(header.timestamp),
            transaction_hash: Some(receipt.tx_hash),
            transaction_index: Some(position as u64),
            log_index: Some(first.saturating_add(i) as u64),
            removed: false,
        })
        .collect()
}

/// The receipt of the transaction at `position` of block `number`.
pub(crate) fn receipt(chain: &Chain, number: u64, position: usize) -> Option<TransactionReceipt> {
    let (block, receipts) = chain.block(number)?;
    let hash = chain.block_hash(number)?;
    let receipt = receipts.get(position)?;
    let mut logs = receipt_logs(receipts, position, &block.header, hash).into_iter();
    let inner = receipt.envelope().map_logs(|_| logs.next().unwrap_or_default());
    Some(TransactionReceipt {
        inner,
        transaction_hash: receipt.tx_hash,
        transaction_index: Some(position as u64),
        block_hash: Some(hash),
        block_number: Some(number),
        gas_used: receipt.gas_used,
        effective_gas_price: receipt.effective_gas_price,
        blob_gas_used: None,
        blob_gas_price: None,
        from: receipt.from,
        to: receipt.to,
        contract_address: receipt.contract_address,
    })
}
