//! An embedded, in-memory P-Chain: the [`ValidatorState`] for tests, the demo and
//! embedders without a node.
//!
//! Like the P-Chain, it keeps each subnet's **current** validators and, for every
//! height, the diff that height applied. The set of a subnet at a past height is
//! rebuilt by starting from the current set and undoing, newest first, every diff
//! above that height. Rebuilt canonical sets are kept in a bounded LRU keyed by
//! (subnet, height); a change at the current height evicts that height's entries.
//! Every [`CHECKPOINT_EVERY`] changes (or as many as the subnet has validators)
//! a copy of the validators is kept, and a past set is rebuilt from the nearest
//! copy above its height, so a rebuild undoes a bounded number of changes however
//! far back it goes. A set is built with its all-keys sum
//! ([`CanonicalValidatorSet::prime`]).
//!
//! A validator's BLS key is only accepted with a valid proof of possession, so no
//! rogue key (one chosen to cancel others in an aggregate) can enter a set.
//! Heights only move forward: a change is recorded at the current height or above.

use std::collections::{BTreeMap, HashMap};
use std::ops::Bound;
use std::sync::{Arc, Mutex, MutexGuard};

use thiserror::Error;

use crate::bls::{PublicKey, Signature};
use crate::ids::{ChainId, Id, NodeId, SubnetId};
use crate::state::{StateError, ValidatorState};
use crate::validators::{CanonicalValidatorSet, Validator};

/// Default number of canonical sets kept in the cache.
pub const DEFAULT_CACHE_CAPACITY: usize = 64;

/// Why the registry refused a change.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum RegistryError {
    /// The proof of possession does not verify for the key (a rogue-key attempt, or a typo).
    #[error("proof of possession does not verify for the BLS key of {node_id}")]
    InvalidProofOfPossession {
        /// The node that tried to register.
        node_id: NodeId,
    },
    /// The node already validates the subnet.
    #[error("{node_id} already validates subnet {subnet}")]
    AlreadyRegistered {
        /// The subnet.
        subnet: SubnetId,
        /// The node.
        node_id: NodeId,
    },
    /// The node does not validate the subnet.
    #[error("{node_id} does not validate subnet {subnet}")]
    NotRegistered {
        /// The subnet.
        subnet: SubnetId,
        /// The node.
        node_id: NodeId,
    },
    /// A change was given for a height the registry has already passed.
    #[error("height {height} is below the current P-Chain height {current}")]
    HeightInPast {
        /// The height given.
        height: u64,
        /// The current height.
        current: u64,
    },
    /// A weight of zero (use removal instead).
    #[error("{node_id}: validator weight must be positive")]
    ZeroWeight {
        /// The node.
        node_id: NodeId,
    },
    /// The change would make the subnet's total weight overflow `u64`.
    #[error("subnet {subnet}: total weight {total} + {added} overflows u64")]
    WeightOverflow {
        /// The subnet.
        subnet: SubnetId,
        /// Total weight before the change, without the changed validator.
        total: u64,
        /// The weight being added.
        added: u64,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Entry {
    public_key: Option<PublicKey>,
    weight: u64,
}

/// One recorded change: the node's entry before it (the undo information).
type Undo = (NodeId, Option<Entry>);

/// A small least-recently-used map; eviction scans, which is cheap at these sizes.
#[derive(Debug)]
struct SetCache {
    capacity: usize,
    clock: u64,
    entries: HashMap<(SubnetId, u64), (Arc<CanonicalValidatorSet>, u64)>,
}

impl SetCache {
    fn get(&mut self, key: &(SubnetId, u64)) -> Option<Arc<CanonicalValidatorSet>> {
        self.clock = self.clock.wrapping_add(1);
        let clock = self.clock;
        self.entries.get_mut(key).map(|(set, used)| {
            *used = clock;
            Arc::clone(set)
        })
    }

    fn insert(&mut self, key: (SubnetId, u64), set: Arc<CanonicalValidatorSet>) {
        if self.capacity == 0 {
            return;
        }
        if self.entries.len() >= self.capacity && !self.entries.contains_key(&key) {
            if let Some(oldest) = self.entries.iter().min_by_key(|(_, (_, used))| *used).map(|(k, _)| *k) {
                self.entries.remove(&oldest);
            }
        }
        self.clock = self.clock.wrapping_add(1);
        self.entries.insert(key, (set, self.clock));
    }

    fn evict_from(&mut self, subnet: &SubnetId, height: u64) {
        self.entries.retain(|(s, h), _| s != subnet || *h < height);
    }
}

#[derive(Debug)]
struct Inner {
    height: u64,
    chains: HashMap<ChainId, SubnetId>,
    current: HashMap<SubnetId, BTreeMap<NodeId, Entry>>,
    diffs: HashMap<SubnetId, BTreeMap<u64, Vec<Undo>>>,
    /// Per subnet, copies of the validators as they stood at the end of some
    /// heights, so a past set is rebuilt from the nearest copy above it.
    checkpoints: HashMap<SubnetId, BTreeMap<u64, BTreeMap<NodeId, Entry>>>,
    /// Per subnet, the changes recorded since its last checkpoint.
    since_checkpoint: HashMap<SubnetId, usize>,
    cache: SetCache,
}

/// A checkpoint is taken once this many changes (or as many as the subnet has
/// validators, if more) have been recorded since the last one: a rebuild undoes
/// at most that many, and the copies cost memory in proportion to the changes.
pub const CHECKPOINT_EVERY: usize = 256;

/// An in-memory P-Chain with validator history. All methods take `&self`; it can
/// be shared (for example in an `Arc`) between the chains of a test network.
#[derive(Debug)]
pub struct PChainRegistry {
    inner: Mutex<Inner>,
}

impl Default for PChainRegistry {
    fn default() -> Self {
        Self::new()
    }
}

impl PChainRegistry {
    /// An empty registry at height 0 with the default cache capacity.
    pub fn new() -> Self {
        Self::with_cache_capacity(DEFAULT_CACHE_CAPACITY)
    }

    /// An empty registry keeping at most `capacity` canonical sets cached.
    pub fn with_cache_capacity(capacity: usize) -> Self {
        Self {
            inner: Mutex::new(Inner {
                height: 0,
                chains: HashMap::new(),
                current: HashMap::new(),
                diffs: HashMap::new(),
                checkpoints: HashMap::new(),
                since_checkpoint: HashMap::new(),
                cache: SetCache { capacity, clock: 0, entries: HashMap::new() },
            }),
        }
    }

    fn lock(&self) -> MutexGuard<'_, Inner> {
        // Every change is applied whole before the guard drops, so a poisoned lock
        // still guards consistent data.
        self.inner.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The latest P-Chain height.
    pub fn height(&self) -> u64 {
        self.lock().height
    }

    /// Moves the current height forward without a change.
    pub fn advance_to(&self, height: u64) -> Result<(), RegistryError> {
        let mut inner = self.lock();
        inner.check_height(height)?;
        inner.height = height;
        Ok(())
    }

    /// Records that `chain` is validated by `subnet`.
    pub fn create_chain(&self, chain: ChainId, subnet: SubnetId) {
        self.lock().chains.insert(chain, subnet);
    }

    /// Adds a validator with a BLS key at `height`, if `proof` proves possession of the key.
    pub fn register_validator(
        &self,
        height: u64,
        subnet: SubnetId,
        node_id: NodeId,
        public_key: PublicKey,
        proof: &Signature,
        weight: u64,
    ) -> Result<(), RegistryError> {
        if !public_key.verify_proof_of_possession(proof) {
            return Err(RegistryError::InvalidProofOfPossession { node_id });
        }
        self.add(height, subnet, node_id, Some(public_key), weight)
    }

    /// Adds a validator without a BLS key at `height` (legacy primary-network validators):
    /// its weight counts in the total, but it can never sign.
    pub fn register_validator_without_key(
        &self,
        height: u64,
        subnet: SubnetId,
        node_id: NodeId,
        weight: u64,
    ) -> Result<(), RegistryError> {
        self.add(height, subnet, node_id, None, weight)
    }

    fn add(
        &self,
        height: u64,
        subnet: SubnetId,
        node_id: NodeId,
        public_key: Option<PublicKey>,
        weight: u64,
    ) -> Result<(), RegistryError> {
        let mut inner = self.lock();
        inner.check_height(height)?;
        if inner.entry(&subnet, &node_id).is_some() {
            return Err(RegistryError::AlreadyRegistered { subnet, node_id });
        }
        inner.check_weight(&subnet, &node_id, weight)?;
        inner.apply(height, subnet, node_id, Some(Entry { public_key, weight }));
        Ok(())
    }

    /// Changes a validator's weight at `height`.
    pub fn set_weight(
        &self,
        height: u64,
        subnet: SubnetId,
        node_id: NodeId,
        weight: u64,
    ) -> Result<(), RegistryError> {
        let mut inner = self.lock();
        inner.check_height(height)?;
        let entry = inner.entry(&subnet, &node_id).ok_or(RegistryError::NotRegistered { subnet, node_id })?;
        inner.check_weight(&subnet, &node_id, weight)?;
        inner.apply(height, subnet, node_id, Some(Entry { weight, ..entry }));
        Ok(())
    }

    /// Removes a validator at `height`.
    pub fn remove_validator(
        &self,
        height: u64,
        subnet: SubnetId,
        node_id: NodeId,
    ) -> Result<(), RegistryError> {
        let mut inner = self.lock();
        inner.check_height(height)?;
        inner.entry(&subnet, &node_id).ok_or(RegistryError::NotRegistered { subnet, node_id })?;
        inner.apply(height, subnet, node_id, None);
        Ok(())
    }

    /// Number of canonical sets in the cache.
    pub fn cached_sets(&self) -> usize {
        self.lock().cache.entries.len()
    }

    /// The P-Chain validators (not yet canonical) of `subnet` at `height`, rebuilt from diffs.
    pub fn validators_at(&self, subnet: &SubnetId, height: u64) -> Result<Vec<Validator>, StateError> {
        let inner = self.lock();
        inner.validators_at(subnet, height)
    }
}

impl Inner {
    fn check_height(&self, height: u64) -> Result<(), RegistryError> {
        if height < self.height {
            return Err(RegistryError::HeightInPast { height, current: self.height });
        }
        Ok(())
    }

    fn entry(&self, subnet: &SubnetId, node_id: &NodeId) -> Option<Entry> {
        self.current.get(subnet).and_then(|m| m.get(node_id)).copied()
    }

    /// Refuses a zero weight, and a weight that would make the subnet's total overflow.
    fn check_weight(&self, subnet: &SubnetId, node_id: &NodeId, weight: u64) -> Result<(), RegistryError> {
        if weight == 0 {
            return Err(RegistryError::ZeroWeight { node_id: *node_id });
        }
        let total = self
            .current
            .get(subnet)
            .map(|m| {
                m.iter().filter(|(n, _)| *n != node_id).fold(0u64, |acc, (_, e)| acc.saturating_add(e.weight))
            })
            .unwrap_or(0);
        total.checked_add(weight).map(|_| ()).ok_or(RegistryError::WeightOverflow {
            subnet: *subnet,
            total,
            added: weight,
        })
    }

    /// Applies a change at `height` (≥ the current height), recording its undo.
    fn apply(&mut self, height: u64, subnet: SubnetId, node_id: NodeId, after: Option<Entry>) {
        self.height = height;
        self.checkpoint_before(height, subnet);
        let validators = self.current.entry(subnet).or_default();
        let before = match after {
            Some(entry) => validators.insert(node_id, entry),
            None => validators.remove(&node_id),
        };
        self.diffs.entry(subnet).or_default().entry(height).or_default().push((node_id, before));
        let count = self.since_checkpoint.entry(subnet).or_default();
        *count = count.saturating_add(1);
        self.cache.evict_from(&subnet, height);
    }

    /// Before the first change at a new height: if enough changes accumulated
    /// since the last checkpoint, copies the subnet's validators as they stand
    /// at the end of the last changed height (no change of a later height has
    /// been applied yet).
    fn checkpoint_before(&mut self, height: u64, subnet: SubnetId) {
        let Some(last) = self.diffs.get(&subnet).and_then(|d| d.keys().next_back().copied()) else { return };
        let validators = self.current.get(&subnet).map_or(0, BTreeMap::len);
        let due =
            self.since_checkpoint.get(&subnet).copied().unwrap_or(0) >= CHECKPOINT_EVERY.max(validators);
        if height > last && due {
            let copy = self.current.get(&subnet).cloned().unwrap_or_default();
            self.checkpoints.entry(subnet).or_default().insert(last, copy);
            self.since_checkpoint.insert(subnet, 0);
        }
    }

    fn check_query(&self, subnet: &SubnetId, height: u64) -> Result<(), StateError> {
        if height > self.height {
            return Err(StateError::HeightInFuture { requested: height, current: self.height });
        }
        let first_change = self.diffs.get(subnet).and_then(|d| d.keys().next().copied());
        match first_change {
            Some(_) => Ok(()),
            None => Err(StateError::UnknownSubnet { subnet: *subnet, height }),
        }
    }

    fn validators_at(&self, subnet: &SubnetId, height: u64) -> Result<Vec<Validator>, StateError> {
        self.check_query(subnet, height)?;
        // Start from the nearest checkpoint at or above `height` (the validators
        // at the end of that height), else from the current validators.
        let nearest = self.checkpoints.get(subnet).and_then(|c| c.range(height..).next());
        let (mut set, upper) = match nearest {
            Some((at, copy)) => (copy.clone(), Bound::Included(*at)),
            None => (self.current.get(subnet).cloned().unwrap_or_default(), Bound::Unbounded),
        };
        if let Some(diffs) = self.diffs.get(subnet) {
            // Undo, newest first, every change recorded above `height` (up to the start).
            for changes in diffs.range((Bound::Excluded(height), upper)).rev().map(|(_, c)| c) {
                for (node_id, before) in changes.iter().rev() {
                    match before {
                        Some(entry) => set.insert(*node_id, *entry),
                        None => set.remove(node_id),
                    };
                }
            }
        }
        Ok(set.into_iter().map(|(node_id, e)| Validator::new(node_id, e.public_key, e.weight)).collect())
    }
}

impl ValidatorState for PChainRegistry {
    fn subnet_of(&self, chain_id: &ChainId) -> Result<SubnetId, StateError> {
        if *chain_id == Id::P_CHAIN {
            return Ok(Id::PRIMARY_NETWORK);
        }
        self.lock().chains.get(chain_id).copied().ok_or(StateError::UnknownChain(*chain_id))
    }

    fn validator_set(
        &self,
        subnet_id: &SubnetId,
        p_chain_height: u64,
    ) -> Result<Arc<CanonicalValidatorSet>, StateError> {
        let mut inner = self.lock();
        inner.check_query(subnet_id, p_chain_height)?;
        let key = (*subnet_id, p_chain_height);
        if let Some(set) = inner.cache.get(&key) {
            return Ok(set);
        }
        let validators = inner.validators_at(subnet_id, p_chain_height)?;
        let set = CanonicalValidatorSet::new(validators).map_err(|source| StateError::InvalidSet {
            subnet: *subnet_id,
            height: p_chain_height,
            source,
        })?;
        // The sum of every key is computed now, with the set, not by the first message.
        set.prime();
        let set = Arc::new(set);
        inner.cache.insert(key, Arc::clone(&set));
        Ok(set)
    }
}
