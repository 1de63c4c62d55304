//! Blocks and receipts, Ethereum's: an `alloy-consensus` [`Header`] (the block
//! hash is keccak-256 of its RLP), signed transactions, and receipts whose
//! logs blooms and ordered-trie roots are Ethereum's.
//!
//! A [`Block`] also carries the P-Chain height its predicates were verified at:
//! on Avalanche that is the proposervm block's context around the EVM block, not
//! a header field, so it travels beside the header and is stored with it.
//!
//! The header's `extra_data` holds the chain's header Extra: the fee-window
//! prefix of its [`ExtraLayout`](warp_predicate::ExtraLayout), then the
//! predicate results.

use alloy_consensus::proofs::{calculate_receipt_root, calculate_transaction_root};
use alloy_consensus::{Eip658Value, Header, ReceiptEnvelope, ReceiptWithBloom, TxEnvelope, TxType};
use alloy_primitives::{logs_bloom, Address, Bloom, Bytes, Log, B256};
use alloy_rlp::{RlpDecodable, RlpEncodable};

/// A block: its header, its transactions, and the P-Chain height of its
/// proposervm context.
#[derive(Debug, Clone, PartialEq, Eq, RlpEncodable, RlpDecodable)]
pub struct Block {
    /// The proposervm P-Chain height the block's predicates are verified at.
    pub p_chain_height: u64,
    /// The Ethereum header.
    pub header: Header,
    /// The signed transactions, in execution order.
    pub transactions: Vec<TxEnvelope>,
    /// Their senders as the producer had them (not hashed; empty for a block
    /// from elsewhere). A bootstrap of this node's own history takes them
    /// instead of recovering every signature again, which is also how a devnet
    /// replays a transaction sent from an impersonated account; a verifying
    /// import recovers the senders itself and refuses a block whose given ones
    /// differ.
    pub senders: Vec<Address>,
}

impl Block {
    /// The block hash: keccak-256 of the header's RLP (the block ID a `Hash`
    /// payload names).
    pub fn hash(&self) -> B256 {
        self.header.hash_slow()
    }

    /// The block number.
    pub fn number(&self) -> u64 {
        self.header.number
    }

    /// The timestamp.
    pub fn timestamp(&self) -> u64 {
        self.header.timestamp
    }

    /// The block's storage encoding (RLP of the height, the header and the
    /// transactions' network encodings).
    pub fn to_bytes(&self) -> Vec<u8> {
        alloy_rlp::encode(self)
    }

    /// Decodes [`Block::to_bytes`], refusing trailing bytes.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, alloy_rlp::Error> {
        alloy_rlp::decode_exact(bytes)
    }
}

/// The ordered-trie root of a block's transactions.
pub fn transactions_root(transactions: &[TxEnvelope]) -> B256 {
    calculate_transaction_root(transactions)
}

/// What executing one transaction did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The transaction hash.
    pub tx_hash: B256,
    /// The transaction's type.
    pub tx_type: TxType,
    /// The sender.
    pub from: Address,
    /// The callee (`None` for a creation).
    pub to: Option<Address>,
    /// `true` if it succeeded, `false` if it reverted or halted.
    pub success: bool,
    /// Gas used by the block up to and including this transaction.
    pub cumulative_gas_used: u64,
    /// Gas used by this transaction (there are no refunds on this chain).
    pub gas_used: u64,
    /// The price paid per gas: the base fee plus the tip paid.
    pub effective_gas_price: u128,
    /// The logs, in order (none if it failed).
    pub logs: Vec<Log>,
    /// Return or revert data.
    pub output: Bytes,
    /// The created contract, for a successful creation.
    pub contract_address: Option<Address>,
    /// The warp predicates that failed verification (empty if none or no predicates).
    pub failed_predicates: Vec<usize>,
}

impl Receipt {
    /// The logs bloom.
    pub fn logs_bloom(&self) -> Bloom {
        logs_bloom(self.logs.iter())
    }

    /// The consensus receipt (EIP-2718 typed, with its bloom), as the receipts
    /// root commits to it.
    pub fn envelope(&self) -> ReceiptEnvelope {
        let receipt = alloy_consensus::Receipt {
            status: Eip658Value::Eip658(self.success),
            cumulative_gas_used: self.cumulative_gas_used,
            logs: self.logs.clone(),
        };
        let with_bloom = ReceiptWithBloom { logs_bloom: self.logs_bloom(), receipt };
        match self.tx_type {
            TxType::Legacy => ReceiptEnvelope::Legacy(with_bloom),
            TxType::Eip2930 => ReceiptEnvelope::Eip2930(with_bloom),
            TxType::Eip1559 => ReceiptEnvelope::Eip1559(with_bloom),
            TxType::Eip4844 => ReceiptEnvelope::Eip4844(with_bloom),
            TxType::Eip7702 => ReceiptEnvelope::Eip7702(with_bloom),
        }
    }
}

/// The ordered-trie root of a block's receipts.
pub fn receipts_root(receipts: &[Receipt]) -> B256 {
    let envelopes: Vec<ReceiptEnvelope> = receipts.iter().map(Receipt::envelope).collect();
    calculate_receipt_root(&envelopes)
}

/// The block's logs bloom: the union of its receipts'.
pub fn block_bloom(receipts: &[Receipt]) -> Bloom {
    logs_bloom(receipts.iter().flat_map(|r| r.logs.iter()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tx::Wallet;
    use alloy_consensus::constants::{EMPTY_RECEIPTS, EMPTY_TRANSACTIONS};
    use alloy_consensus::TxEip1559;
    use alloy_primitives::{keccak256, LogData};

    #[test]
    fn block_bytes_round_trip_and_hash_is_keccak_of_the_header() {
        let wallet = Wallet::from_seed("block test").unwrap();
        let tx = wallet.sign_envelope(TxEip1559 { chain_id: 1, gas_limit: 21_000, ..Default::default() });
        let header =
            Header { number: 7, timestamp: 9, extra_data: Bytes::from(vec![0; 86]), ..Default::default() };
        let block = Block {
            p_chain_height: 3,
            header: header.clone(),
            transactions: vec![tx.clone()],
            senders: vec![wallet.address()],
        };
        let bytes = block.to_bytes();
        assert_eq!(Block::from_bytes(&bytes).unwrap(), block);
        assert!(Block::from_bytes(&[bytes.as_slice(), &[0]].concat()).is_err());
        assert_eq!(block.hash(), keccak256(alloy_rlp::encode(&header)));
        assert_eq!(transactions_root(&[]), EMPTY_TRANSACTIONS);
        assert_ne!(transactions_root(&[tx]), EMPTY_TRANSACTIONS);
    }

    #[test]
    fn receipts_commit_to_status_gas_logs_and_type() {
        assert_eq!(receipts_root(&[]), EMPTY_RECEIPTS);
        let log = Log {
            address: Address::repeat_byte(5),
            data: LogData::new_unchecked(vec![B256::repeat_byte(1)], Bytes::new()),
        };
        let receipt = Receipt {
            tx_hash: B256::ZERO,
            tx_type: TxType::Eip1559,
            from: Address::ZERO,
            to: None,
            success: true,
            cumulative_gas_used: 21_000,
            gas_used: 21_000,
            effective_gas_price: 1,
            logs: vec![log],
            output: Bytes::new(),
            contract_address: None,
            failed_predicates: vec![],
        };
        let root = receipts_root(std::slice::from_ref(&receipt));
        for change in [
            |r: &mut Receipt| r.success = false,
            |r: &mut Receipt| r.cumulative_gas_used += 1,
            |r: &mut Receipt| r.logs.clear(),
            |r: &mut Receipt| r.tx_type = TxType::Legacy,
        ] {
            let mut other = receipt.clone();
            change(&mut other);
            assert_ne!(receipts_root(&[other]), root);
        }
        assert!(block_bloom(std::slice::from_ref(&receipt))
            .contains_input(alloy_primitives::BloomInput::Raw(&[5; 20])));
    }
}
