//! Installed filters (`eth_newFilter`, `eth_newBlockFilter`,
//! `eth_newPendingTransactionFilter`): what each watches and the last block it
//! reported. A filter not polled for five minutes is dropped, as geth drops it.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Mutex, PoisonError};
use std::time::{Duration, Instant};

use alloy_primitives::{keccak256, B256};
use alloy_rpc_types_eth::Filter;

/// How long an unpolled filter lives (geth's `filterTimeout`).
pub(crate) const FILTER_TIMEOUT: Duration = Duration::from_secs(300);
/// The most filters one chain keeps.
const MAX_FILTERS: usize = 10_000;

/// What a filter watches.
#[derive(Debug, Clone)]
pub(crate) enum FilterKind {
    /// New block hashes.
    Blocks,
    /// Logs matching the filter.
    Logs(Box<Filter>),
    /// New pending transactions (this devnet reports none: automine empties the pool).
    PendingTransactions,
}

/// An installed filter.
#[derive(Debug, Clone)]
pub(crate) struct Installed {
    /// What it watches.
    pub(crate) kind: FilterKind,
    /// The last block reported.
    pub(crate) last_block: u64,
    last_poll: Instant,
}

/// A chain's installed filters.
#[derive(Debug, Default)]
pub(crate) struct Filters {
    installed: Mutex<HashMap<String, Installed>>,
    counter: AtomicU64,
}

impl Filters {
    /// Installs a filter that reports from block `head + 1` on; its ID.
    pub(crate) fn install(&self, kind: FilterKind, head: u64) -> Result<String, usize> {
        let mut installed = self.installed.lock().unwrap_or_else(PoisonError::into_inner);
        installed.retain(|_, f| f.last_poll.elapsed() < FILTER_TIMEOUT);
        if installed.len() >= MAX_FILTERS {
            return Err(MAX_FILTERS);
        }
        let n = self.counter.fetch_add(1, Ordering::Relaxed);
        let nanos =
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map_or(0, |d| d.as_nanos());
        let seed: B256 = keccak256(format!("filter {n} {nanos}"));
        let id = format!("0x{}", alloy_primitives::hex::encode(seed.get(..16).unwrap_or_default()));
        installed.insert(id.clone(), Installed { kind, last_block: head, last_poll: Instant::now() });
        Ok(id)
    }

    /// The filter `id`, marked as polled, with its last block moved to `head`
    /// (what it held before is returned).
    pub(crate) fn poll(&self, id: &str, head: u64) -> Option<Installed> {
        let mut installed = self.installed.lock().unwrap_or_else(PoisonError::into_inner);
        let filter = installed.get_mut(&id.to_ascii_lowercase())?;
        let before = filter.clone();
        filter.last_block = head.max(filter.last_block);
        filter.last_poll = Instant::now();
        Some(before)
    }

    /// The filter `id`, without moving it.
    pub(crate) fn get(&self, id: &str) -> Option<Installed> {
        let mut installed = self.installed.lock().unwrap_or_else(PoisonError::into_inner);
        let filter = installed.get_mut(&id.to_ascii_lowercase())?;
        filter.last_poll = Instant::now();
        Some(filter.clone())
    }

    /// Removes filter `id`: whether it existed.
    pub(crate) fn uninstall(&self, id: &str) -> bool {
        self.installed
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&id.to_ascii_lowercase())
            .is_some()
    }

    /// Moves every filter's last block back to at most `height` (after a revert).
    pub(crate) fn rewind(&self, height: u64) {
        for filter in self.installed.lock().unwrap_or_else(PoisonError::into_inner).values_mut() {
            filter.last_block = filter.last_block.min(height);
        }
    }
}
