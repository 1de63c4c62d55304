//! The chain's data: [`Transaction`], [`Header`], [`Block`] and [`Receipt`], and
//! how they are identified.
//!
//! This is a devnet, not Ethereum's wire format: transactions are unsigned
//! (the executor trusts `from`), and a hash is the Keccak-256 of a fixed,
//! length-prefixed encoding of the fields (every field is fixed-size or
//! prefixed by its length, so two different values never share an encoding).
//! What matters for warp is kept exactly: the transaction hash keys the
//! predicate results, the header's `extra` carries them in an [`ExtraLayout`],
//! and the block hash is what a `Hash` payload names.
//!
//! [`ExtraLayout`]: warp_predicate::ExtraLayout

use alloy_primitives::{keccak256, Address, Bytes, Log, B256, U256};
use warp_predicate::AccessList;

/// A transaction (EIP-2930 shaped, unsigned).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Transaction {
    /// The sender (trusted: the devnet has no signatures).
    pub from: Address,
    /// The callee, or `None` to create a contract.
    pub to: Option<Address>,
    /// The sender's nonce.
    pub nonce: u64,
    /// The gas limit.
    pub gas_limit: u64,
    /// The value sent, in wei.
    pub value: U256,
    /// The calldata (or creation code).
    pub input: Bytes,
    /// The access list; warp predicates travel in it.
    pub access_list: AccessList,
}

impl Transaction {
    /// The transaction hash: the key of its predicate results and receipt.
    pub fn hash(&self) -> B256 {
        let mut enc = Encoder::default();
        enc.bytes(b"warp-node/tx/v1");
        enc.address(&self.from);
        match &self.to {
            Some(to) => {
                enc.u8(1);
                enc.address(to);
            }
            None => enc.u8(0),
        }
        enc.u64(self.nonce);
        enc.u64(self.gas_limit);
        enc.word(&self.value.to_be_bytes::<32>());
        enc.bytes(&self.input);
        enc.len(self.access_list.0.len());
        for item in &self.access_list.0 {
            enc.address(&item.address);
            enc.len(item.storage_keys.len());
            for key in &item.storage_keys {
                enc.word(&key.0);
            }
        }
        keccak256(enc.0)
    }
}

/// A block header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Header {
    /// The parent block's hash (zero for the first block after genesis).
    pub parent_hash: B256,
    /// The block number (genesis is 0).
    pub number: u64,
    /// Seconds since the epoch.
    pub timestamp: u64,
    /// The proposervm P-Chain height the block's predicates were verified at.
    pub p_chain_height: u64,
    /// The state root after the block (Ethereum's Merkle-Patricia root).
    pub state_root: B256,
    /// The hash of the block's transaction hashes, in order.
    pub transactions_root: B256,
    /// Gas used by the block's transactions.
    pub gas_used: u64,
    /// Fee prefix then predicate results, in the chain's [`ExtraLayout`](warp_predicate::ExtraLayout).
    pub extra: Bytes,
}

impl Header {
    /// The block hash (the block ID a `Hash` payload names).
    pub fn hash(&self) -> B256 {
        let mut enc = Encoder::default();
        enc.bytes(b"warp-node/header/v1");
        enc.word(&self.parent_hash.0);
        enc.u64(self.number);
        enc.u64(self.timestamp);
        enc.u64(self.p_chain_height);
        enc.word(&self.state_root.0);
        enc.word(&self.transactions_root.0);
        enc.u64(self.gas_used);
        enc.bytes(&self.extra);
        keccak256(enc.0)
    }
}

/// A block: what a replaying node needs, and all it needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Block {
    /// The header.
    pub header: Header,
    /// The transactions, in execution order.
    pub transactions: Vec<Transaction>,
}

impl Block {
    /// The block hash.
    pub fn hash(&self) -> B256 {
        self.header.hash()
    }
}

/// The root committing to a block's transactions (Keccak-256 over their hashes).
pub fn transactions_root(transactions: &[Transaction]) -> B256 {
    let hashes: Vec<B256> = transactions.iter().map(Transaction::hash).collect();
    transactions_root_of(&hashes)
}

/// [`transactions_root`] from the transactions' hashes.
pub fn transactions_root_of(hashes: &[B256]) -> B256 {
    let mut enc = Encoder::default();
    enc.len(hashes.len());
    for hash in hashes {
        enc.word(&hash.0);
    }
    keccak256(enc.0)
}

/// What executing a transaction did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Receipt {
    /// The transaction hash.
    pub tx_hash: B256,
    /// `true` if it succeeded, `false` if it reverted or halted.
    pub success: bool,
    /// Gas used, after refunds.
    pub gas_used: u64,
    /// Gas spent before refunds: the least gas limit that lets it run as it did
    /// (subcalls aside, which keep back 1/64 of what they are given).
    pub gas_spent: u64,
    /// The logs, in order (none if it failed).
    pub logs: Vec<Log>,
    /// Return or revert data.
    pub output: Bytes,
    /// The created contract, for a successful creation.
    pub contract_address: Option<Address>,
    /// The warp predicates that failed verification (empty if none or no predicates).
    pub failed_predicates: Vec<usize>,
}

/// A length-prefixed byte encoder for hashing.
#[derive(Default)]
struct Encoder(Vec<u8>);

impl Encoder {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_be_bytes());
    }
    fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }
    fn word(&mut self, w: &[u8; 32]) {
        self.0.extend_from_slice(w);
    }
    fn address(&mut self, a: &Address) {
        self.0.extend_from_slice(a.as_slice());
    }
    fn bytes(&mut self, b: &[u8]) {
        self.len(b.len());
        self.0.extend_from_slice(b);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use warp_predicate::AccessListItem;

    fn tx() -> Transaction {
        Transaction {
            from: Address::repeat_byte(1),
            to: Some(Address::repeat_byte(2)),
            nonce: 3,
            gas_limit: 100_000,
            value: U256::from(5),
            input: Bytes::from(vec![1, 2, 3]),
            access_list: AccessList(vec![AccessListItem {
                address: Address::repeat_byte(9),
                storage_keys: vec![B256::repeat_byte(7)],
            }]),
        }
    }

    #[test]
    fn every_field_changes_the_hash() {
        let base = tx().hash();
        let mut variants = Vec::new();
        let mut t = tx();
        t.from = Address::repeat_byte(4);
        variants.push(t);
        let mut t = tx();
        t.to = None;
        variants.push(t);
        let mut t = tx();
        t.nonce = 4;
        variants.push(t);
        let mut t = tx();
        t.gas_limit = 1;
        variants.push(t);
        let mut t = tx();
        t.value = U256::ZERO;
        variants.push(t);
        let mut t = tx();
        t.input = Bytes::from(vec![1, 2]);
        variants.push(t);
        let mut t = tx();
        t.access_list.0[0].storage_keys.clear();
        variants.push(t);
        for v in variants {
            assert_ne!(v.hash(), base, "{v:?}");
        }
        assert_eq!(tx().hash(), base);
    }

    #[test]
    fn length_prefixes_keep_boundaries() {
        // Moving a byte from the input into the access list must change the hash.
        let mut a = tx();
        a.input = Bytes::from(vec![1, 2, 3, 0]);
        a.access_list = AccessList::default();
        let mut b = tx();
        b.input = Bytes::from(vec![1, 2, 3]);
        b.access_list = AccessList::default();
        assert_ne!(a.hash(), b.hash());
        let h = Header {
            parent_hash: B256::ZERO,
            number: 1,
            timestamp: 2,
            p_chain_height: 3,
            state_root: B256::ZERO,
            transactions_root: transactions_root(&[tx()]),
            gas_used: 4,
            extra: Bytes::new(),
        };
        let mut h2 = h.clone();
        h2.extra = Bytes::from(vec![0]);
        assert_ne!(h.hash(), h2.hash());
        assert_ne!(transactions_root(&[]), transactions_root(&[tx()]));
    }
}
