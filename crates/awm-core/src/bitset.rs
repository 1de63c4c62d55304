//! The signer bitset of a [`BitSetSignature`](crate::BitSetSignature)
//! (`utils/set/bits.go`, a `big.Int`).
//!
//! The bytes are a big-endian unsigned integer whose bit *i* means canonical
//! validator *i* signed, so index 0 is the least significant bit of the **last**
//! byte. Known answers: `{0}` → `01`, `{7}` → `80`, `{8}` → `01 00`,
//! `{0,8}` → `01 01`, `{0,1,3}` → `0b`.
//!
//! Canonical form has no leading `0x00` byte; the empty bitset (no signers) is
//! canonical. Decoding keeps whatever bytes arrive; [`SignerBitSet::num_signers`]
//! and verification refuse non-canonical ones.

use thiserror::Error;

use crate::codec::{slice_len, CodecError};

/// A non-canonical bitset (`ErrInvalidBitSet`).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("signer bitset of {len} bytes is not canonical: it starts with a zero byte")]
pub struct NonCanonicalBitSet {
    /// Length of the offending bitset.
    pub len: usize,
}

/// Which canonical validators signed, as the wire carries it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SignerBitSet {
    bytes: Vec<u8>,
}

impl SignerBitSet {
    /// Wraps received bytes as they are (canonical or not); only the codec's length limit applies.
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, CodecError> {
        slice_len(bytes.len())?;
        Ok(Self { bytes })
    }

    /// The canonical bitset with exactly these indices set.
    pub fn from_indices(indices: impl IntoIterator<Item = usize>) -> Self {
        let indices: Vec<usize> = indices.into_iter().collect();
        let Some(max) = indices.iter().copied().max() else {
            return Self::default();
        };
        let last = max / 8;
        let len = last.saturating_add(1);
        let mut bytes = vec![0u8; len];
        for i in indices {
            // i ≤ max, so the position is in range.
            if let Some(byte) = last.checked_sub(i / 8).and_then(|pos| bytes.get_mut(pos)) {
                *byte |= 1 << (i % 8);
            }
        }
        Self { bytes }
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// True when there is no leading zero byte (the empty bitset is canonical).
    pub fn is_canonical(&self) -> bool {
        self.bytes.first() != Some(&0)
    }

    /// Fails unless canonical.
    pub fn check_canonical(&self) -> Result<(), NonCanonicalBitSet> {
        if self.is_canonical() {
            Ok(())
        } else {
            Err(NonCanonicalBitSet { len: self.bytes.len() })
        }
    }

    /// Number of signers (popcount), refusing a non-canonical bitset as avalanchego's
    /// `NumSigners` does (which is what predicate gas charges for).
    pub fn num_signers(&self) -> Result<usize, NonCanonicalBitSet> {
        self.check_canonical()?;
        Ok(self.bytes.iter().map(|b| b.count_ones() as usize).sum())
    }

    /// One more than the highest set index (`BitLen`); 0 when no bit is set.
    pub fn bit_len(&self) -> usize {
        let Some((pos, first)) = self.bytes.iter().enumerate().find(|(_, b)| **b != 0) else {
            return 0;
        };
        let lower_bytes = self.bytes.len().saturating_sub(pos).saturating_sub(1);
        let top_bits = 8usize.saturating_sub(first.leading_zeros() as usize);
        lower_bytes.saturating_mul(8).saturating_add(top_bits)
    }

    /// Whether index `i` is set.
    pub fn contains(&self, i: usize) -> bool {
        let len = self.bytes.len();
        match len.checked_sub(1).and_then(|l| l.checked_sub(i / 8)).and_then(|pos| self.bytes.get(pos)) {
            Some(byte) => byte & (1 << (i % 8)) != 0,
            None => false,
        }
    }

    /// The set indices, ascending.
    pub fn indices(&self) -> impl Iterator<Item = usize> + '_ {
        self.bytes.iter().rev().enumerate().flat_map(|(byte_index, byte)| {
            let byte = *byte;
            (0..8)
                .filter(move |bit| byte & (1 << bit) != 0)
                .map(move |bit| byte_index.saturating_mul(8).saturating_add(bit))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_answers() {
        let table: &[(&[usize], &str)] = &[
            (&[], ""),
            (&[0], "01"),
            (&[7], "80"),
            (&[8], "0100"),
            (&[0, 8], "0101"),
            (&[1, 9], "0202"),
            (&[0, 1, 3], "0b"),
            (&[0, 1, 2, 3, 4], "1f"),
        ];
        for (indices, hex_bytes) in table {
            let set = SignerBitSet::from_indices(indices.iter().copied());
            assert_eq!(hex::encode(set.as_bytes()), *hex_bytes, "{indices:?}");
            assert_eq!(set.indices().collect::<Vec<_>>(), indices.to_vec());
            assert_eq!(set.num_signers().unwrap(), indices.len());
            assert_eq!(set.bit_len(), indices.iter().max().map_or(0, |m| m + 1));
            assert!(set.is_canonical());
        }
    }

    #[test]
    fn leading_zero_bytes_are_not_canonical() {
        for bytes in [vec![0u8], vec![0, 1], vec![0, 0, 0x80]] {
            let set = SignerBitSet::from_bytes(bytes.clone()).unwrap();
            assert!(!set.is_canonical());
            assert_eq!(set.num_signers().unwrap_err(), NonCanonicalBitSet { len: bytes.len() });
        }
        // Bit length ignores leading zeros, as big.Int does.
        assert_eq!(SignerBitSet::from_bytes(vec![0, 0x80]).unwrap().bit_len(), 8);
    }

    #[test]
    fn contains_matches_indices() {
        let set = SignerBitSet::from_indices([3, 17, 64]);
        for i in 0..80 {
            assert_eq!(set.contains(i), [3, 17, 64].contains(&i), "{i}");
        }
    }
}
