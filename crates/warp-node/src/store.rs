//! Persistence in redb (ACID, pure Rust): what a node must not lose.
//!
//! A chain's directory holds `chain.redb` ([`ChainStore`]):
//!
//! | table | key | value |
//! |---|---|---|
//! | `meta` | `"genesis"` | the genesis hash the directory belongs to |
//! | `blocks` | block number | [`Block::to_bytes`] |
//! | `receipts` | block number | the block's receipts ([`encode_receipts`]) |
//! | `warp_messages` | message ID | the unsigned message bytes every validator of the chain signs |
//! | `overrides` | sequence number | a direct state change (a devnet's `anvil_set*`) and the block it follows |
//!
//! The embedded P-Chain, shared by a network's chains, keeps its own
//! `pchain.redb` ([`PChainStore`]): table `pchain`, sequence number → one change
//! ([`RegistryOp`]), replayed in order on restart.
//!
//! A block, its receipts and the messages it sent are written in **one** write
//! transaction, committed (fsync) before the block counts as accepted: a crash
//! leaves either all of them or none. The state is not stored: a restart
//! bootstraps the stored blocks (their header results, no BLS) back to the same
//! state root.

use std::path::Path;

use alloy_consensus::{ReceiptEnvelope, TxType, Typed2718};
use alloy_eips::eip2718::{Decodable2718, Encodable2718};
use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_rlp::{RlpDecodable, RlpEncodable};
use awm_core::bls::{PublicKey, Signature};
use awm_core::{Id, NodeId, PChainRegistry, RegistryError};
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use thiserror::Error;

use crate::block::{Block, Receipt};
use crate::executor::StateOverride;

const META: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("meta");
const BLOCKS: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("blocks");
const RECEIPTS: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("receipts");
const WARP_MESSAGES: TableDefinition<'_, &[u8], &[u8]> = TableDefinition::new("warp_messages");
const OVERRIDES: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("overrides");
const PCHAIN: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("pchain");

/// The chain's file inside its data directory.
pub const CHAIN_FILE: &str = "chain.redb";
/// The P-Chain's file inside its data directory.
pub const PCHAIN_FILE: &str = "pchain.redb";

/// Opens (or creates) `file` in `dir`.
fn open_db(dir: &Path, file: &str) -> Result<(Database, String), StoreError> {
    let path = dir.join(file);
    let display = path.display().to_string();
    let err = |reason: String| StoreError::Db { path: display.clone(), reason };
    std::fs::create_dir_all(dir).map_err(|e| err(e.to_string()))?;
    let db = Database::create(&path).map_err(|e| err(e.to_string()))?;
    Ok((db, display))
}

/// Why the store failed.
#[derive(Debug, Error)]
pub enum StoreError {
    /// The database could not be opened, read or written.
    #[error("database {path}: {reason}")]
    Db {
        /// The file.
        path: String,
        /// redb's or the file system's reason.
        reason: String,
    },
    /// The data directory holds another chain.
    #[error("data directory holds the chain with genesis {stored}, not {expected}")]
    OtherChain {
        /// The genesis hash stored.
        stored: B256,
        /// The genesis hash of the chain being opened.
        expected: B256,
    },
    /// A stored value does not decode (the file was changed or is corrupt).
    #[error("stored {what} does not decode: {reason}")]
    Corrupt {
        /// What was being read.
        what: String,
        /// Why.
        reason: String,
    },
    /// A stored block does not follow the previous one.
    #[error("stored blocks skip from {previous} to {next}")]
    Gap {
        /// The last number read.
        previous: u64,
        /// The next one found.
        next: u64,
    },
    /// Replaying the stored P-Chain changes failed.
    #[error("stored P-Chain change {index}: {source}")]
    Registry {
        /// Its sequence number.
        index: u64,
        /// Why.
        source: RegistryError,
    },
}

/// A chain's durable store.
#[derive(Debug)]
pub struct ChainStore {
    db: Database,
    path: String,
}

impl ChainStore {
    /// Opens (or creates) the store in `dir` for the chain whose genesis hash is
    /// `genesis`; a directory holding another chain is refused.
    pub fn open(dir: &Path, genesis: B256) -> Result<Self, StoreError> {
        let (db, path) = open_db(dir, CHAIN_FILE)?;
        let store = Self { db, path };
        let write = store.db.begin_write().map_err(|e| store.err(e))?;
        {
            let mut meta = write.open_table(META).map_err(|e| store.err(e))?;
            let stored = meta.get("genesis").map_err(|e| store.err(e))?.map(|v| v.value().to_vec());
            match stored {
                Some(bytes) if bytes.as_slice() != genesis.as_slice() => {
                    let stored = B256::try_from(bytes.as_slice()).unwrap_or_default();
                    return Err(StoreError::OtherChain { stored, expected: genesis });
                }
                Some(_) => {}
                None => {
                    meta.insert("genesis", genesis.as_slice()).map_err(|e| store.err(e))?;
                }
            }
            // Create the other tables, so that reads of a fresh store find them.
            write.open_table(BLOCKS).map_err(|e| store.err(e))?;
            write.open_table(RECEIPTS).map_err(|e| store.err(e))?;
            write.open_table(WARP_MESSAGES).map_err(|e| store.err(e))?;
            write.open_table(OVERRIDES).map_err(|e| store.err(e))?;
        }
        write.commit().map_err(|e| store.err(e))?;
        Ok(store)
    }

    fn err(&self, e: impl std::fmt::Display) -> StoreError {
        StoreError::Db { path: self.path.clone(), reason: e.to_string() }
    }

    /// Appends a direct state change made after block `after`, durably.
    pub fn append_override(&self, after: u64, change: &StateOverride) -> Result<(), StoreError> {
        let write = self.db.begin_write().map_err(|e| self.err(e))?;
        {
            let mut table = write.open_table(OVERRIDES).map_err(|e| self.err(e))?;
            let next = table.last().map_err(|e| self.err(e))?.map_or(0, |(k, _)| k.value().saturating_add(1));
            let stored = StoredOverride::new(after, change);
            table.insert(next, alloy_rlp::encode(&stored).as_slice()).map_err(|e| self.err(e))?;
        }
        write.commit().map_err(|e| self.err(e))
    }

    /// The direct state changes, in order, each with the block it follows.
    pub fn overrides(&self) -> Result<Vec<(u64, StateOverride)>, StoreError> {
        let read = self.db.begin_read().map_err(|e| self.err(e))?;
        let table = read.open_table(OVERRIDES).map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for entry in table.iter().map_err(|e| self.err(e))? {
            let (index, bytes) = entry.map_err(|e| self.err(e))?;
            let corrupt = |reason: String| StoreError::Corrupt {
                what: format!("state override {}", index.value()),
                reason,
            };
            let stored: StoredOverride =
                alloy_rlp::decode_exact(bytes.value()).map_err(|e| corrupt(e.to_string()))?;
            out.push(stored.into_override().map_err(corrupt)?);
        }
        Ok(out)
    }

    /// Takes back everything after block `number` (a devnet's `evm_revert`):
    /// later blocks and their receipts, the messages they sent (`messages`), and
    /// the direct state changes past the first `keep_overrides`, in one write.
    pub fn truncate(&self, number: u64, keep_overrides: usize, messages: &[Id]) -> Result<(), StoreError> {
        let write = self.db.begin_write().map_err(|e| self.err(e))?;
        {
            let first = number.saturating_add(1);
            write
                .open_table(BLOCKS)
                .map_err(|e| self.err(e))?
                .retain_in(first.., |_, _| false)
                .map_err(|e| self.err(e))?;
            write
                .open_table(RECEIPTS)
                .map_err(|e| self.err(e))?
                .retain_in(first.., |_, _| false)
                .map_err(|e| self.err(e))?;
            let mut table = write.open_table(WARP_MESSAGES).map_err(|e| self.err(e))?;
            for id in messages {
                table.remove(id.0.as_slice()).map_err(|e| self.err(e))?;
            }
            let keep = u64::try_from(keep_overrides).unwrap_or(u64::MAX);
            write
                .open_table(OVERRIDES)
                .map_err(|e| self.err(e))?
                .retain_in(keep.., |_, _| false)
                .map_err(|e| self.err(e))?;
        }
        write.commit().map_err(|e| self.err(e))
    }

    /// Commits an accepted block, its receipts and the warp messages it sent, in
    /// one durable transaction.
    pub fn commit_block(
        &self,
        block: &Block,
        receipts: &[Receipt],
        messages: &[(Id, Vec<u8>)],
    ) -> Result<(), StoreError> {
        let write = self.db.begin_write().map_err(|e| self.err(e))?;
        {
            let number = block.number();
            write
                .open_table(BLOCKS)
                .map_err(|e| self.err(e))?
                .insert(number, block.to_bytes().as_slice())
                .map_err(|e| self.err(e))?;
            write
                .open_table(RECEIPTS)
                .map_err(|e| self.err(e))?
                .insert(number, encode_receipts(receipts).as_slice())
                .map_err(|e| self.err(e))?;
            let mut table = write.open_table(WARP_MESSAGES).map_err(|e| self.err(e))?;
            for (id, bytes) in messages {
                table.insert(id.0.as_slice(), bytes.as_slice()).map_err(|e| self.err(e))?;
            }
        }
        write.commit().map_err(|e| self.err(e))
    }

    /// Every stored block with its receipts, in order from block 1.
    pub fn blocks(&self) -> Result<Vec<(Block, Vec<Receipt>)>, StoreError> {
        let read = self.db.begin_read().map_err(|e| self.err(e))?;
        let blocks = read.open_table(BLOCKS).map_err(|e| self.err(e))?;
        let receipts = read.open_table(RECEIPTS).map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        let mut previous = 0u64;
        for entry in blocks.iter().map_err(|e| self.err(e))? {
            let (number, bytes) = entry.map_err(|e| self.err(e))?;
            let number = number.value();
            if Some(number) != previous.checked_add(1) {
                return Err(StoreError::Gap { previous, next: number });
            }
            previous = number;
            let block = Block::from_bytes(bytes.value()).map_err(|e| StoreError::Corrupt {
                what: format!("block {number}"),
                reason: e.to_string(),
            })?;
            let stored = receipts.get(number).map_err(|e| self.err(e))?.ok_or_else(|| {
                StoreError::Corrupt { what: format!("receipts of block {number}"), reason: "missing".into() }
            })?;
            let list = decode_receipts(stored.value()).map_err(|reason| StoreError::Corrupt {
                what: format!("receipts of block {number}"),
                reason,
            })?;
            out.push((block, list));
        }
        Ok(out)
    }

    /// Every stored warp message.
    pub fn warp_messages(&self) -> Result<Vec<(Id, Vec<u8>)>, StoreError> {
        let read = self.db.begin_read().map_err(|e| self.err(e))?;
        let table = read.open_table(WARP_MESSAGES).map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for entry in table.iter().map_err(|e| self.err(e))? {
            let (id, bytes) = entry.map_err(|e| self.err(e))?;
            let id = <[u8; 32]>::try_from(id.value()).map_err(|_| StoreError::Corrupt {
                what: "warp message ID".into(),
                reason: "not 32 bytes".into(),
            })?;
            out.push((Id(id), bytes.value().to_vec()));
        }
        Ok(out)
    }
}

/// The embedded P-Chain's durable journal.
#[derive(Debug)]
pub struct PChainStore {
    db: Database,
    path: String,
}

impl PChainStore {
    /// Opens (or creates) the journal in `dir`.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let (db, path) = open_db(dir, PCHAIN_FILE)?;
        let store = Self { db, path };
        let write = store.db.begin_write().map_err(|e| store.err(e))?;
        write.open_table(PCHAIN).map_err(|e| store.err(e))?;
        write.commit().map_err(|e| store.err(e))?;
        Ok(store)
    }

    fn err(&self, e: impl std::fmt::Display) -> StoreError {
        StoreError::Db { path: self.path.clone(), reason: e.to_string() }
    }

    /// Appends P-Chain changes to the journal in one durable write.
    pub fn append_registry_ops(&self, ops: &[RegistryOp]) -> Result<(), StoreError> {
        let write = self.db.begin_write().map_err(|e| self.err(e))?;
        {
            let mut table = write.open_table(PCHAIN).map_err(|e| self.err(e))?;
            let mut next =
                table.last().map_err(|e| self.err(e))?.map_or(0, |(k, _)| k.value().saturating_add(1));
            for op in ops {
                table.insert(next, alloy_rlp::encode(op).as_slice()).map_err(|e| self.err(e))?;
                next = next.saturating_add(1);
            }
        }
        write.commit().map_err(|e| self.err(e))
    }

    /// The journal of P-Chain changes, in order.
    pub fn registry_ops(&self) -> Result<Vec<RegistryOp>, StoreError> {
        let read = self.db.begin_read().map_err(|e| self.err(e))?;
        let table = read.open_table(PCHAIN).map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for entry in table.iter().map_err(|e| self.err(e))? {
            let (index, bytes) = entry.map_err(|e| self.err(e))?;
            let op = alloy_rlp::decode_exact(bytes.value()).map_err(|e| StoreError::Corrupt {
                what: format!("P-Chain change {}", index.value()),
                reason: e.to_string(),
            })?;
            out.push(op);
        }
        Ok(out)
    }
}

/// One change of the embedded P-Chain, as the journal stores it.
#[derive(Debug, Clone, PartialEq, Eq, RlpEncodable, RlpDecodable)]
pub struct RegistryOp {
    /// What changed: 0 advance, 1 create chain, 2 register with key, 3 register
    /// without key, 4 set weight, 5 remove.
    pub kind: u8,
    /// The P-Chain height of the change (the new height for an advance).
    pub height: u64,
    /// The subnet (or, for a chain creation, the chain).
    pub id: B256,
    /// The node ID (20 bytes), or the subnet of a chain creation (32 bytes).
    pub node: Bytes,
    /// The compressed BLS key and proof of possession (48 + 96 bytes) of a registration.
    pub key: Bytes,
    /// The weight.
    pub weight: u64,
}

impl RegistryOp {
    /// Applies the change to `registry` (checking proofs of possession again).
    pub fn apply(&self, registry: &PChainRegistry) -> Result<(), RegistryError> {
        let subnet = Id(self.id.0);
        let node = || NodeId(<[u8; 20]>::try_from(self.node.as_ref()).unwrap_or_default());
        match self.kind {
            0 => registry.advance_to(self.height),
            1 => {
                let subnet = Id(<[u8; 32]>::try_from(self.node.as_ref()).unwrap_or_default());
                registry.create_chain(Id(self.id.0), subnet);
                Ok(())
            }
            2 => {
                let (pk, pop) = self.key.split_at(self.key.len().min(48));
                let public_key = PublicKey::from_compressed(pk)
                    .map_err(|_| RegistryError::InvalidProofOfPossession { node_id: node() })?;
                let proof = Signature::from_bytes(pop)
                    .map_err(|_| RegistryError::InvalidProofOfPossession { node_id: node() })?;
                registry.register_validator(self.height, subnet, node(), public_key, &proof, self.weight)
            }
            3 => registry.register_validator_without_key(self.height, subnet, node(), self.weight),
            4 => registry.set_weight(self.height, subnet, node(), self.weight),
            _ => registry.remove_validator(self.height, subnet, node()),
        }
    }
}

/// A direct state change as stored.
#[derive(Debug, Clone, PartialEq, Eq, RlpEncodable, RlpDecodable)]
struct StoredOverride {
    after: u64,
    kind: u8,
    address: Address,
    slot: B256,
    value: Bytes,
}

impl StoredOverride {
    fn new(after: u64, change: &StateOverride) -> Self {
        let (kind, address, slot, value) = match change {
            StateOverride::Balance(a, v) => {
                (0, *a, B256::ZERO, Bytes::copy_from_slice(&v.to_be_bytes::<32>()))
            }
            StateOverride::Nonce(a, n) => (1, *a, B256::ZERO, Bytes::copy_from_slice(&n.to_be_bytes())),
            StateOverride::Code(a, code) => (2, *a, B256::ZERO, code.clone()),
            StateOverride::Storage(a, slot, v) => (3, *a, *slot, Bytes::copy_from_slice(v.as_slice())),
        };
        Self { after, kind, address, slot, value }
    }

    fn into_override(self) -> Result<(u64, StateOverride), String> {
        let change = match self.kind {
            0 => StateOverride::Balance(
                self.address,
                U256::try_from_be_slice(&self.value).ok_or("a balance over 32 bytes")?,
            ),
            1 => StateOverride::Nonce(
                self.address,
                u64::from_be_bytes(
                    <[u8; 8]>::try_from(self.value.as_ref()).map_err(|_| "a nonce not of 8 bytes")?,
                ),
            ),
            2 => StateOverride::Code(self.address, self.value),
            3 => StateOverride::Storage(
                self.address,
                self.slot,
                B256::try_from(self.value.as_ref()).map_err(|_| "a storage value not of 32 bytes")?,
            ),
            k => return Err(format!("unknown override kind {k}")),
        };
        Ok((self.after, change))
    }
}

/// A receipt as stored: the consensus receipt's EIP-2718 bytes and what only
/// the node knows (sender, callee, gas, price, output, created contract,
/// failed predicates).
#[derive(Debug, Clone, PartialEq, Eq, RlpEncodable, RlpDecodable)]
struct StoredReceipt {
    consensus: Bytes,
    tx_hash: B256,
    from: Address,
    to: Bytes,
    gas_used: u64,
    effective_gas_price: u128,
    output: Bytes,
    contract_address: Bytes,
    failed_predicates: Vec<u64>,
}

/// The storage encoding of a block's receipts.
pub fn encode_receipts(receipts: &[Receipt]) -> Vec<u8> {
    let stored: Vec<StoredReceipt> = receipts
        .iter()
        .map(|r| StoredReceipt {
            consensus: r.envelope().encoded_2718().into(),
            tx_hash: r.tx_hash,
            from: r.from,
            to: r.to.map(|a| Bytes::copy_from_slice(a.as_slice())).unwrap_or_default(),
            gas_used: r.gas_used,
            effective_gas_price: r.effective_gas_price,
            output: r.output.clone(),
            contract_address: r
                .contract_address
                .map(|a| Bytes::copy_from_slice(a.as_slice()))
                .unwrap_or_default(),
            failed_predicates: r.failed_predicates.iter().map(|i| *i as u64).collect(),
        })
        .collect();
    alloy_rlp::encode(&stored)
}

/// Decodes [`encode_receipts`].
pub fn decode_receipts(bytes: &[u8]) -> Result<Vec<Receipt>, String> {
    let stored: Vec<StoredReceipt> = alloy_rlp::decode_exact(bytes).map_err(|e| e.to_string())?;
    let address = |b: &Bytes| -> Result<Option<Address>, String> {
        match b.len() {
            0 => Ok(None),
            20 => Ok(Some(Address::from_slice(b))),
            n => Err(format!("an address of {n} bytes")),
        }
    };
    stored
        .into_iter()
        .map(|s| {
            let mut consensus = s.consensus.as_ref();
            let envelope = ReceiptEnvelope::decode_2718(&mut consensus).map_err(|e| e.to_string())?;
            let tx_type = TxType::try_from(envelope.ty()).map_err(|e| e.to_string())?;
            Ok(Receipt {
                tx_hash: s.tx_hash,
                tx_type,
                from: s.from,
                to: address(&s.to)?,
                success: envelope.status(),
                cumulative_gas_used: envelope.cumulative_gas_used(),
                gas_used: s.gas_used,
                effective_gas_price: s.effective_gas_price,
                logs: envelope.logs().to_vec(),
                output: s.output,
                contract_address: address(&s.contract_address)?,
                failed_predicates: s
                    .failed_predicates
                    .iter()
                    .map(|i| usize::try_from(*i).map_err(|e| e.to_string()))
                    .collect::<Result<_, _>>()?,
            })
        })
        .collect()
}
