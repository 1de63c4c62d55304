//! Validators and the canonical validator set a warp signature is checked against
//! (`snow/validators/warp.go`, `FlattenValidatorSet`).
//!
//! Building the set for one (subnet, P-Chain height):
//!
//! 0. a validator of weight zero is refused ([`ValidatorSetError::ZeroWeight`]):
//!    the P-Chain never reports one, and a zero-weight key is the rogue-key
//!    attack's tool (a key `x·G − Σ pkᵢ` that costs nothing lets a signature by
//!    `x` alone pass as every validator's). Keys are never the point at
//!    infinity: [`PublicKey`] cannot hold it;
//! 1. `total_weight` sums **every** validator, those without a BLS key included,
//!    with checked `u64` addition (overflow is an error);
//! 2. validators without a key are dropped from the list;
//! 3. validators sharing a key merge into one, weights summed and node IDs collected;
//! 4. the list is sorted by the 96-byte **uncompressed** key.
//!
//! Signer index *i* of a bitset names the *i*-th validator of this order.
//!
//! **A set is only as trustworthy as where it came from.** Keys registered on
//! the P-Chain carry proofs of possession, which is what makes aggregating them
//! safe; a set built from any other source (a file, a JSON answer) must come
//! from a P-Chain you trust.

use std::collections::HashMap;
use std::sync::OnceLock;

use blst::min_pk;
use thiserror::Error;

use crate::bitset::SignerBitSet;
use crate::bls::{self, AggregatePublicKey, PublicKey};
use crate::ids::NodeId;

/// A validator as the P-Chain reports it for one height.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Validator {
    /// The node IDs this entry stands for (one for a P-Chain entry).
    pub node_ids: Vec<NodeId>,
    /// The BLS key, if the validator registered one.
    pub public_key: Option<PublicKey>,
    /// Stake weight.
    pub weight: u64,
}

impl Validator {
    /// A P-Chain entry: one node ID, an optional key, a weight.
    pub fn new(node_id: NodeId, public_key: Option<PublicKey>, weight: u64) -> Self {
        Self { node_ids: vec![node_id], public_key, weight }
    }
}

/// One entry of a canonical set: a BLS key, its merged weight and every node ID holding it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CanonicalValidator {
    /// The key, validated and held uncompressed.
    pub public_key: PublicKey,
    /// Sum of the weights of every node ID holding this key.
    pub weight: u64,
    /// The node IDs holding this key, ascending.
    pub node_ids: Vec<NodeId>,
}

/// Why a canonical set could not be built.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValidatorSetError {
    /// A validator has weight zero, which the P-Chain never reports.
    #[error("validator {index} ({node}) has weight 0: the P-Chain never reports a zero-weight validator")]
    ZeroWeight {
        /// Its position in the input.
        index: usize,
        /// Its (first) node ID.
        node: NodeId,
    },
    /// The total weight does not fit in a `u64`.
    #[error("total validator weight overflows u64: {sum_so_far} + {next} at validator {index}")]
    WeightOverflow {
        /// Sum of the weights before the overflowing one.
        sum_so_far: u64,
        /// The weight that overflowed.
        next: u64,
        /// Its position in the input.
        index: usize,
    },
}

/// The canonically ordered validator set of one subnet at one P-Chain height (`WarpSet`).
#[derive(Debug)]
pub struct CanonicalValidatorSet {
    validators: Vec<CanonicalValidator>,
    total_weight: u64,
    /// Sum of every key, computed on first use, for aggregating a large majority
    /// of signers as "all keys minus the non-signers".
    all_keys: OnceLock<Option<min_pk::AggregatePublicKey>>,
    /// Node ID → canonical index, built on first use.
    by_node: OnceLock<HashMap<NodeId, usize>>,
    /// SHA-256 of what verification depends on, computed on first use.
    digest: OnceLock<[u8; 32]>,
}

impl PartialEq for CanonicalValidatorSet {
    fn eq(&self, other: &Self) -> bool {
        self.total_weight == other.total_weight && self.validators == other.validators
    }
}
impl Eq for CanonicalValidatorSet {}

impl Clone for CanonicalValidatorSet {
    fn clone(&self) -> Self {
        Self {
            validators: self.validators.clone(),
            total_weight: self.total_weight,
            all_keys: self.all_keys.clone(),
            by_node: self.by_node.clone(),
            digest: self.digest.clone(),
        }
    }
}

/// The first eight bytes of a key's uncompressed encoding, big-endian: the
/// canonical order's leading comparison.
fn key_prefix(key: &PublicKey) -> u64 {
    let mut prefix = [0u8; 8];
    if let Some(head) = key.uncompressed().get(..8) {
        prefix.copy_from_slice(head);
    }
    u64::from_be_bytes(prefix)
}

/// Sets at least this large aggregate a majority of signers by subtracting the minority.
const COMPLEMENT_THRESHOLD: usize = 64;

impl CanonicalValidatorSet {
    /// Flattens P-Chain validators into the canonical set.
    pub fn new(validators: impl IntoIterator<Item = Validator>) -> Result<Self, ValidatorSetError> {
        let validators: Vec<Validator> = validators.into_iter().collect();
        let mut total_weight: u64 = 0;
        for (index, v) in validators.iter().enumerate() {
            if v.weight == 0 {
                let node = v.node_ids.first().copied().unwrap_or(NodeId([0; 20]));
                return Err(ValidatorSetError::ZeroWeight { index, node });
            }
            total_weight = total_weight.checked_add(v.weight).ok_or(ValidatorSetError::WeightOverflow {
                sum_so_far: total_weight,
                next: v.weight,
                index,
            })?;
        }

        // Sort positions by key: the first eight bytes of the uncompressed key as
        // an integer decide almost every comparison without touching the keys.
        let mut validators = validators;
        let mut order: Vec<(u64, usize)> = validators
            .iter()
            .enumerate()
            .filter_map(|(i, v)| v.public_key.as_ref().map(|pk| (key_prefix(pk), i)))
            .collect();
        let key_at =
            |i: usize| validators.get(i).and_then(|v| v.public_key.as_ref()).map(|k| k.uncompressed());
        order.sort_unstable_by(|a, b| a.0.cmp(&b.0).then_with(|| key_at(a.1).cmp(&key_at(b.1))));

        let mut out: Vec<CanonicalValidator> = Vec::with_capacity(order.len());
        for (_, i) in order {
            let Some(v) = validators.get_mut(i) else { continue };
            let Some(pk) = v.public_key else { continue };
            // The input is consumed: node IDs move instead of being copied.
            let node_ids = core::mem::take(&mut v.node_ids);
            match out.last_mut() {
                Some(last) if last.public_key == pk => {
                    // Bounded by the checked total above.
                    last.weight = last.weight.saturating_add(v.weight);
                    last.node_ids.extend_from_slice(&node_ids);
                }
                _ => out.push(CanonicalValidator { public_key: pk, weight: v.weight, node_ids }),
            }
        }
        for v in &mut out {
            if v.node_ids.len() > 1 {
                v.node_ids.sort_unstable();
            }
        }
        Ok(Self {
            validators: out,
            total_weight,
            all_keys: OnceLock::new(),
            by_node: OnceLock::new(),
            digest: OnceLock::new(),
        })
    }

    /// The validators with keys, in canonical order.
    pub fn validators(&self) -> &[CanonicalValidator] {
        &self.validators
    }

    /// Total weight of the subnet, validators without keys included.
    pub fn total_weight(&self) -> u64 {
        self.total_weight
    }

    /// Number of canonical validators (distinct keys).
    pub fn len(&self) -> usize {
        self.validators.len()
    }

    /// True when no validator holds a key.
    pub fn is_empty(&self) -> bool {
        self.validators.is_empty()
    }

    /// Position of a key in the canonical order.
    pub fn index_of(&self, key: &PublicKey) -> Option<usize> {
        self.validators.binary_search_by(|v| v.public_key.uncompressed().cmp(key.uncompressed())).ok()
    }

    /// Position of the validator holding a node ID (a map built on first use, so
    /// building the set stays cheap and repeated look-ups are constant time).
    pub fn index_of_node(&self, node_id: &NodeId) -> Option<usize> {
        self.by_node
            .get_or_init(|| {
                self.validators
                    .iter()
                    .enumerate()
                    .flat_map(|(i, v)| v.node_ids.iter().map(move |n| (*n, i)))
                    .collect()
            })
            .get(node_id)
            .copied()
    }

    /// Sum of the weights of the validators at `indices` (checked).
    pub fn weight_of(&self, indices: impl IntoIterator<Item = usize>) -> Option<u64> {
        indices.into_iter().try_fold(0u64, |acc, i| acc.checked_add(self.validators.get(i)?.weight))
    }

    /// SHA-256 of everything a verification against this set depends on: the
    /// total weight, then each canonical validator's 96-byte uncompressed key and
    /// weight, in order (node IDs do not matter). Two sets with the same digest
    /// give every signature the same verdict; computed once per set.
    pub fn digest(&self) -> [u8; 32] {
        *self.digest.get_or_init(|| {
            use sha2::{Digest, Sha256};
            let mut hasher = Sha256::new();
            hasher.update(self.total_weight.to_be_bytes());
            for v in &self.validators {
                hasher.update(v.public_key.uncompressed());
                hasher.update(v.weight.to_be_bytes());
            }
            hasher.finalize().into()
        })
    }

    /// Computes now what the first verification against the set would: the sum
    /// of every key (for aggregating a large majority as all keys minus the
    /// non-signers). A registry calls it when it builds a set, so no message
    /// pays for it.
    pub fn prime(&self) {
        let _ = self.all_keys();
    }

    fn all_keys(&self) -> Option<&min_pk::AggregatePublicKey> {
        self.all_keys
            .get_or_init(|| {
                let points: Vec<min_pk::PublicKey> =
                    self.validators.iter().map(|v| *v.public_key.point()).collect();
                bls::sum_points(&points)
            })
            .as_ref()
    }

    /// Aggregates the keys of the signers in `signers`, whose indices the caller has
    /// checked are in range. `None` when there is no signer. A large majority is
    /// summed as all keys minus the non-signers: the same point, fewer additions.
    pub(crate) fn aggregate_signers(
        &self,
        signers: &SignerBitSet,
        num_signers: usize,
    ) -> Option<AggregatePublicKey> {
        if num_signers == 0 {
            return None;
        }
        let n = self.validators.len();
        let non_signers = n.saturating_sub(num_signers);
        if n >= COMPLEMENT_THRESHOLD && non_signers < num_signers {
            let all = self.all_keys()?;
            let missing: Vec<min_pk::PublicKey> = self
                .validators
                .iter()
                .enumerate()
                .filter(|(i, _)| !signers.contains(*i))
                .map(|(_, v)| *v.public_key.point())
                .collect();
            let mut sum = *all;
            if let Some(minus) = bls::sum_points(&missing) {
                sum.sub_aggregate(&minus);
            }
            return Some(bls::to_aggregate(&sum));
        }
        let points: Vec<min_pk::PublicKey> =
            signers.indices().filter_map(|i| self.validators.get(i)).map(|v| *v.public_key.point()).collect();
        bls::sum_points(&points).map(|s| bls::to_aggregate(&s))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bls::SecretKey;

    fn pk(i: u8) -> PublicKey {
        SecretKey::from_seed(&[i; 32]).unwrap().public_key()
    }

    fn node(i: u8) -> NodeId {
        NodeId([i; 20])
    }

    #[test]
    fn total_counts_keyless_and_duplicates_merge() {
        let set = CanonicalValidatorSet::new([
            Validator::new(node(1), Some(pk(1)), 10),
            Validator::new(node(2), None, 5),
            Validator::new(node(3), Some(pk(1)), 7),
            Validator::new(node(4), Some(pk(2)), 1),
        ])
        .unwrap();
        assert_eq!(set.total_weight(), 23);
        assert_eq!(set.len(), 2);
        let merged = &set.validators()[set.index_of(&pk(1)).unwrap()];
        assert_eq!(merged.weight, 17);
        assert_eq!(merged.node_ids, vec![node(1), node(3)]);
        assert!(set
            .validators()
            .windows(2)
            .all(|w| w[0].public_key.uncompressed() < w[1].public_key.uncompressed()));
    }

    #[test]
    fn overflow_is_an_error_with_numbers() {
        let err = CanonicalValidatorSet::new([
            Validator::new(node(1), Some(pk(1)), u64::MAX),
            Validator::new(node(2), None, 1),
        ])
        .unwrap_err();
        assert_eq!(err, ValidatorSetError::WeightOverflow { sum_so_far: u64::MAX, next: 1, index: 1 });
    }

    #[test]
    fn zero_weight_is_refused_keyed_or_not() {
        for key in [Some(pk(2)), None] {
            let err = CanonicalValidatorSet::new([
                Validator::new(node(1), Some(pk(1)), 10),
                Validator::new(node(2), key, 0),
            ])
            .unwrap_err();
            assert_eq!(err, ValidatorSetError::ZeroWeight { index: 1, node: node(2) });
            assert!(err.to_string().contains("weight 0"), "{err}");
        }
    }

    #[test]
    fn complement_aggregation_equals_direct_sum() {
        let validators: Vec<Validator> = (0..80).map(|i| Validator::new(node(i), Some(pk(i)), 1)).collect();
        let set = CanonicalValidatorSet::new(validators).unwrap();
        for signers in [(0..80).collect::<Vec<_>>(), (0..80).filter(|i| i % 5 != 0).collect(), vec![3, 70]] {
            let bits = SignerBitSet::from_indices(signers.iter().copied());
            let keys: Vec<PublicKey> = signers.iter().map(|i| set.validators()[*i].public_key).collect();
            let direct = bls::aggregate_public_keys(&keys).unwrap();
            let got = set.aggregate_signers(&bits, signers.len()).unwrap();
            assert_eq!(got.to_compressed(), direct.to_compressed(), "{} signers", signers.len());
        }
        assert!(set.aggregate_signers(&SignerBitSet::default(), 0).is_none());
    }
}
