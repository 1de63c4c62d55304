//! Predicate verdicts remembered between a transaction's admission and the
//! blocks that carry it, so a predicate is verified once per transaction, not
//! once more per block.
//!
//! A verdict is keyed by everything it depends on ([`VerdictKey`]): the signed
//! message's bytes (by their SHA-256), the subnet whose validators must have
//! signed it (the receiver's choice of signing subnet, [`WarpVerifier::signing_subnet`]),
//! that subnet's validator set (by its [`digest`](awm_core::CanonicalValidatorSet::digest):
//! keys and weights), the quorum asked for that source, and the network ID.
//! The set's digest stands for the P-Chain height: equal digests give every
//! signature the same verdict, so a verdict is reused at any height whose set
//! is the same, and a set that changes (an embedded registry may still change
//! its current height) is a new key and is verified again.
//!
//! The cache is a bounded least-recently-used map ([`lru`]), shared between
//! threads behind a mutex held only for lookups and insertions (never while
//! verifying). [`PredicateVerifier::with_cache`](crate::PredicateVerifier::with_cache)
//! consults it before any BLS work and fills it after.
//!
//! [`WarpVerifier::signing_subnet`]: awm_core::WarpVerifier::signing_subnet

use std::num::NonZeroUsize;
use std::sync::{Mutex, PoisonError};

use awm_core::{CanonicalValidatorSet, Quorum, SubnetId};
use lru::LruCache;
use sha2::{Digest, Sha256};

/// What a predicate's verdict depends on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct VerdictKey {
    /// SHA-256 of the signed message's bytes (the predicate, unpacked).
    pub message: [u8; 32],
    /// The subnet whose validators must have signed.
    pub signing_subnet: SubnetId,
    /// The digest of that subnet's validator set at the block's P-Chain height.
    pub validator_set: [u8; 32],
    /// The quorum asked of that source, as (numerator, denominator).
    pub quorum: (u64, u64),
    /// The receiver's network ID.
    pub network_id: u32,
}

impl VerdictKey {
    /// The key of `signed_message` (its bytes) under these conditions.
    pub fn new(
        signed_message: &[u8],
        signing_subnet: SubnetId,
        validator_set: &CanonicalValidatorSet,
        quorum: Quorum,
        network_id: u32,
    ) -> Self {
        Self {
            message: Sha256::digest(signed_message).into(),
            signing_subnet,
            validator_set: validator_set.digest(),
            quorum: (quorum.numerator(), quorum.denominator()),
            network_id,
        }
    }
}

/// How often the cache answered, and how often it did not.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CacheStats {
    /// Look-ups answered with a remembered verdict.
    pub hits: u64,
    /// Look-ups that found nothing (the predicate was verified).
    pub misses: u64,
}

/// A bounded, shared map from [`VerdictKey`] to "the predicate verifies".
#[derive(Debug)]
pub struct VerdictCache {
    map: Mutex<(LruCache<VerdictKey, bool>, CacheStats)>,
}

impl VerdictCache {
    /// The default capacity: 65,536 verdicts (about 6 MiB), several full blocks' worth.
    pub const DEFAULT_CAPACITY: usize = 1 << 16;

    /// A cache holding at most `capacity` verdicts (at least one).
    pub fn new(capacity: usize) -> Self {
        let capacity = NonZeroUsize::new(capacity).unwrap_or(NonZeroUsize::MIN);
        Self { map: Mutex::new((LruCache::new(capacity), CacheStats::default())) }
    }

    /// The remembered verdict, marking it recently used.
    pub fn get(&self, key: &VerdictKey) -> Option<bool> {
        let mut guard = self.lock();
        let (map, stats) = &mut *guard;
        let found = map.get(key).copied();
        match found {
            Some(_) => stats.hits = stats.hits.saturating_add(1),
            None => stats.misses = stats.misses.saturating_add(1),
        }
        found
    }

    /// Remembers a verdict, evicting the least recently used beyond capacity.
    pub fn insert(&self, key: VerdictKey, valid: bool) {
        self.lock().0.put(key, valid);
    }

    /// How many verdicts are held.
    pub fn len(&self) -> usize {
        self.lock().0.len()
    }

    /// Hits and misses so far.
    pub fn stats(&self) -> CacheStats {
        self.lock().1
    }

    /// Whether no verdict is held.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, (LruCache<VerdictKey, bool>, CacheStats)> {
        self.map.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

impl Default for VerdictCache {
    fn default() -> Self {
        Self::new(Self::DEFAULT_CAPACITY)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use awm_core::Id;

    #[test]
    fn every_input_of_a_verdict_is_part_of_its_key_and_the_oldest_is_evicted() {
        use awm_core::bls::SecretKey;
        use awm_core::{NodeId, Validator};
        let set = |weight: u64| {
            let key = SecretKey::from_seed(&[1; 32]).unwrap().public_key();
            CanonicalValidatorSet::new([Validator::new(NodeId([1; 20]), Some(key), weight)]).unwrap()
        };
        let (one, two) = (set(1), set(2));
        let q = Quorum::DEFAULT;
        let base = VerdictKey::new(b"m", Id([1; 32]), &one, q, 1);
        // The same keys and weights under other node IDs, or rebuilt, are the same set.
        assert_eq!(base, VerdictKey::new(b"m", Id([1; 32]), &set(1), q, 1));
        let others = [
            VerdictKey::new(b"n", Id([1; 32]), &one, q, 1),
            VerdictKey::new(b"m", Id([2; 32]), &one, q, 1),
            VerdictKey::new(b"m", Id([1; 32]), &two, q, 1),
            VerdictKey::new(b"m", Id([1; 32]), &one, Quorum::percent(90).unwrap(), 1),
            VerdictKey::new(b"m", Id([1; 32]), &one, q, 2),
        ];
        for other in others {
            assert_ne!(base, other);
        }
        let cache = VerdictCache::new(2);
        cache.insert(base, true);
        cache.insert(others[0], false);
        assert_eq!(cache.get(&base), Some(true)); // base is now the most recent
        cache.insert(others[1], true); // evicts others[0]
        assert_eq!((cache.get(&others[0]), cache.get(&base), cache.len()), (None, Some(true), 2));
        assert_eq!(cache.stats(), CacheStats { hits: 2, misses: 1 });
        assert!(VerdictCache::new(0).is_empty());
    }
}
