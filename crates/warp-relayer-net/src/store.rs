//! Durable progress in redb under `storage-location` (`relayer.redb`).
//!
//! Two tables:
//!
//! - `heights`: per source blockchain, the last block whose messages are all
//!   recorded; a restart resumes at the next block;
//! - `messages`: per message ID, the message, its source block and where its
//!   delivery stands ([`MessageState`]);
//! - `unfinished`: the IDs of the messages not yet in a final state, kept in
//!   the same transactions as their states, so a restart reads only those and
//!   not the whole history.
//!
//! A block is committed in one write transaction: its messages (as
//! `Pending`, unless already known) and the new height together, so a crash
//! leaves either the block wholly recorded or not at all. A delivery writes
//! `Submitted` with the signed transaction *before* it is sent, so after a
//! crash the relayer knows every transaction it may have sent, and checks
//! their receipts (or sends the same bytes again) instead of signing a new
//! one. Every commit is durable (redb's default, fsync) before the call returns.

use std::path::Path;

use alloy_primitives::{Bytes, B256};
use awm_core::Id;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use serde::{Deserialize, Serialize};
use thiserror::Error;

const HEIGHTS: TableDefinition<'_, &[u8], u64> = TableDefinition::new("heights");
const MESSAGES: TableDefinition<'_, &[u8], &[u8]> = TableDefinition::new("messages");
const UNFINISHED: TableDefinition<'_, &[u8], ()> = TableDefinition::new("unfinished");

/// A storage failure.
#[derive(Debug, Error)]
#[error("relayer storage {path}: {reason}")]
pub struct StoreError {
    /// The database file.
    pub path: String,
    /// Why.
    pub reason: String,
}

/// One transaction the relayer signed for a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SentTx {
    /// Its hash.
    pub hash: B256,
    /// Its signed bytes (EIP-2718).
    pub raw: Bytes,
}

/// Where a message's delivery stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "kebab-case")]
pub enum MessageState {
    /// Found; nothing sent yet.
    Pending,
    /// Transactions signed with this nonce (the last is the newest fee bump);
    /// one of them may be included.
    Submitted {
        /// The destination blockchain.
        destination: B256,
        /// The nonce all of them share.
        nonce: u64,
        /// Every version signed, oldest first.
        txs: Vec<SentTx>,
    },
    /// Delivered by this transaction.
    Delivered {
        /// The destination blockchain.
        destination: B256,
        /// The transaction.
        tx: B256,
    },
    /// Not delivered on purpose (already received, another relayer's, no route).
    Skipped {
        /// Why.
        reason: String,
    },
    /// Refused by the destination or given up on; not retried.
    Failed {
        /// Why.
        reason: String,
    },
}

impl MessageState {
    /// Whether nothing more will be done for the message.
    pub fn is_final(&self) -> bool {
        matches!(self, Self::Delivered { .. } | Self::Skipped { .. } | Self::Failed { .. })
    }
}

/// A message as recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MessageRecord {
    /// The source blockchain.
    pub source: B256,
    /// The source block.
    pub height: u64,
    /// The unsigned message's bytes.
    pub unsigned: Bytes,
    /// Where it stands.
    pub state: MessageState,
}

/// The progress database.
#[derive(Debug)]
pub struct Store {
    db: Database,
    path: String,
}

impl Store {
    /// Opens (or creates) `relayer.redb` in `dir`, creating the directory.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let file = dir.join("relayer.redb");
        let path = file.display().to_string();
        let fail = |reason: String| StoreError { path: path.clone(), reason };
        std::fs::create_dir_all(dir).map_err(|e| fail(format!("creating the directory: {e}")))?;
        let db = Database::create(&file).map_err(|e| fail(e.to_string()))?;
        Self { db, path }.with_tables()
    }

    /// Creates the tables if they are not there yet.
    fn with_tables(self) -> Result<Self, StoreError> {
        let write = self.db.begin_write().map_err(|e| self.err(e))?;
        write.open_table(HEIGHTS).map_err(|e| self.err(e))?;
        write.open_table(MESSAGES).map_err(|e| self.err(e))?;
        write.open_table(UNFINISHED).map_err(|e| self.err(e))?;
        write.commit().map_err(|e| self.err(e))?;
        Ok(self)
    }

    /// A store in memory (for an embedder whose chains are in memory too,
    /// such as `warp devnet` without a data directory): nothing survives the process.
    pub fn in_memory() -> Result<Self, StoreError> {
        let path = "(in memory)".to_owned();
        let db = Database::builder()
            .create_with_backend(redb::backends::InMemoryBackend::new())
            .map_err(|e| StoreError { path: path.clone(), reason: e.to_string() })?;
        Self { db, path }.with_tables()
    }

    fn err(&self, reason: impl std::fmt::Display) -> StoreError {
        StoreError { path: self.path.clone(), reason: reason.to_string() }
    }

    /// The last fully recorded block of `source`.
    pub fn height(&self, source: &Id) -> Result<Option<u64>, StoreError> {
        let read = self.db.begin_read().map_err(|e| self.err(e))?;
        let table = read.open_table(HEIGHTS).map_err(|e| self.err(e))?;
        Ok(table.get(source.as_bytes().as_slice()).map_err(|e| self.err(e))?.map(|v| v.value()))
    }

    /// Records block `height` of `source`: its messages (unless already
    /// known) and the new height, in one transaction. Returns the messages
    /// that were new.
    pub fn record_block(
        &self,
        source: &Id,
        height: u64,
        messages: Vec<(Id, MessageRecord)>,
    ) -> Result<Vec<(Id, MessageRecord)>, StoreError> {
        let write = self.db.begin_write().map_err(|e| self.err(e))?;
        let mut fresh = Vec::new();
        {
            let mut table = write.open_table(MESSAGES).map_err(|e| self.err(e))?;
            let mut unfinished = write.open_table(UNFINISHED).map_err(|e| self.err(e))?;
            for (id, record) in messages {
                let key = id.as_bytes().as_slice();
                if table.get(key).map_err(|e| self.err(e))?.is_some() {
                    continue;
                }
                let bytes = serde_json::to_vec(&record).map_err(|e| self.err(e))?;
                table.insert(key, bytes.as_slice()).map_err(|e| self.err(e))?;
                if !record.state.is_final() {
                    unfinished.insert(key, ()).map_err(|e| self.err(e))?;
                }
                fresh.push((id, record));
            }
            let mut heights = write.open_table(HEIGHTS).map_err(|e| self.err(e))?;
            heights.insert(source.as_bytes().as_slice(), height).map_err(|e| self.err(e))?;
        }
        write.commit().map_err(|e| self.err(e))?;
        Ok(fresh)
    }

    /// Sets a recorded message's state.
    pub fn set_state(&self, id: &Id, state: MessageState) -> Result<(), StoreError> {
        let write = self.db.begin_write().map_err(|e| self.err(e))?;
        {
            let mut table = write.open_table(MESSAGES).map_err(|e| self.err(e))?;
            let stored =
                table.get(id.as_bytes().as_slice()).map_err(|e| self.err(e))?.map(|v| v.value().to_vec());
            let mut record: MessageRecord = match stored {
                Some(bytes) => serde_json::from_slice(&bytes).map_err(|e| self.err(e))?,
                None => return Err(self.err(format!("message {id} is not recorded"))),
            };
            let is_final = state.is_final();
            record.state = state;
            let bytes = serde_json::to_vec(&record).map_err(|e| self.err(e))?;
            table.insert(id.as_bytes().as_slice(), bytes.as_slice()).map_err(|e| self.err(e))?;
            let mut unfinished = write.open_table(UNFINISHED).map_err(|e| self.err(e))?;
            if is_final {
                unfinished.remove(id.as_bytes().as_slice()).map_err(|e| self.err(e))?;
            } else {
                unfinished.insert(id.as_bytes().as_slice(), ()).map_err(|e| self.err(e))?;
            }
        }
        write.commit().map_err(|e| self.err(e))
    }

    /// A recorded message.
    pub fn get(&self, id: &Id) -> Result<Option<MessageRecord>, StoreError> {
        let read = self.db.begin_read().map_err(|e| self.err(e))?;
        let table = read.open_table(MESSAGES).map_err(|e| self.err(e))?;
        let Some(value) = table.get(id.as_bytes().as_slice()).map_err(|e| self.err(e))? else {
            return Ok(None);
        };
        serde_json::from_slice(value.value()).map(Some).map_err(|e| self.err(e))
    }

    /// The messages not yet in a final state, in message-ID order: what a
    /// restart takes up (read through the `unfinished` index, not the history).
    pub fn unfinished(&self) -> Result<Vec<(Id, MessageRecord)>, StoreError> {
        let ids: Vec<Id> = {
            let read = self.db.begin_read().map_err(|e| self.err(e))?;
            let table = read.open_table(UNFINISHED).map_err(|e| self.err(e))?;
            let mut ids = Vec::new();
            for entry in table.iter().map_err(|e| self.err(e))? {
                let (key, _) = entry.map_err(|e| self.err(e))?;
                let id = <[u8; 32]>::try_from(key.value())
                    .map_err(|_| self.err("an unfinished key is not 32 bytes"))?;
                ids.push(Id::from(id));
            }
            ids
        };
        let mut out = Vec::with_capacity(ids.len());
        for id in ids {
            let record = self.get(&id)?.ok_or_else(|| self.err(format!("unfinished {id} has no record")))?;
            out.push((id, record));
        }
        Ok(out)
    }

    /// Every recorded message, in message-ID order.
    pub fn messages(&self) -> Result<Vec<(Id, MessageRecord)>, StoreError> {
        let read = self.db.begin_read().map_err(|e| self.err(e))?;
        let table = read.open_table(MESSAGES).map_err(|e| self.err(e))?;
        let mut out = Vec::new();
        for entry in table.iter().map_err(|e| self.err(e))? {
            let (key, value) = entry.map_err(|e| self.err(e))?;
            let id =
                <[u8; 32]>::try_from(key.value()).map_err(|_| self.err("a message key is not 32 bytes"))?;
            let record = serde_json::from_slice(value.value()).map_err(|e| self.err(e))?;
            out.push((Id::from(id), record));
        }
        Ok(out)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> std::path::PathBuf {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.as_nanos())
            .unwrap_or(0);
        std::env::temp_dir().join(format!("warp-relayer-store-{name}-{}-{nanos}", std::process::id()))
    }

    fn record(height: u64, byte: u8) -> MessageRecord {
        MessageRecord {
            source: B256::repeat_byte(1),
            height,
            unsigned: Bytes::from(vec![byte; 3]),
            state: MessageState::Pending,
        }
    }

    #[test]
    fn blocks_and_states_survive_a_reopen_and_known_messages_stay_as_they_are() {
        let dir = scratch("reopen");
        let source = Id::from([1u8; 32]);
        let (m1, m2) = (Id::from([7u8; 32]), Id::from([8u8; 32]));
        {
            let store = Store::open(&dir).unwrap();
            assert_eq!(store.height(&source).unwrap(), None);
            let fresh = store.record_block(&source, 5, vec![(m1, record(5, 1))]).unwrap();
            assert_eq!(fresh.len(), 1);
            let sent = SentTx { hash: B256::repeat_byte(9), raw: Bytes::from_static(b"raw") };
            let state =
                MessageState::Submitted { destination: B256::repeat_byte(2), nonce: 4, txs: vec![sent] };
            store.set_state(&m1, state).unwrap();
            // Seeing block 5 again (a restart before the height moved) keeps m1's state.
            let fresh = store.record_block(&source, 6, vec![(m1, record(5, 1)), (m2, record(6, 2))]).unwrap();
            assert_eq!(fresh.iter().map(|(id, _)| *id).collect::<Vec<_>>(), vec![m2]);
            assert!(store.set_state(&Id::from([3u8; 32]), MessageState::Pending).is_err());
        }
        let store = Store::open(&dir).unwrap();
        assert_eq!(store.height(&source).unwrap(), Some(6));
        let m1_state = store.get(&m1).unwrap().unwrap().state;
        assert!(matches!(m1_state, MessageState::Submitted { nonce: 4, ref txs, .. } if txs.len() == 1));
        assert!(!m1_state.is_final());
        assert_eq!(store.messages().unwrap().len(), 2);
        // Both are open; a final state leaves the index, a non-final one stays.
        let open =
            |store: &Store| store.unfinished().unwrap().into_iter().map(|(id, _)| id).collect::<Vec<_>>();
        assert_eq!(open(&store), vec![m1, m2]);
        store.set_state(&m2, MessageState::Skipped { reason: "test".into() }).unwrap();
        assert_eq!(open(&store), vec![m1]);
        store.set_state(&m1, MessageState::Pending).unwrap();
        assert_eq!(open(&store), vec![m1]);
        store.set_state(&m1, MessageState::Delivered { destination: B256::ZERO, tx: B256::ZERO }).unwrap();
        assert!(open(&store).is_empty());
        assert_eq!(store.messages().unwrap().len(), 2);
        let _ = std::fs::remove_dir_all(dir);
    }
}
