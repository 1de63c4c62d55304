//! Predicate bytes (`vms/evm/predicate`): how a signed message rides in the
//! 32-byte storage keys of one access-list tuple.
//!
//! | step | packing ([`pack`]) | unpacking ([`unpack`]) |
//! |---|---|---|
//! | 1 | append the delimiter `0xff`, always | concatenate the keys |
//! | 2 | zero-fill to a multiple of 32 bytes | strip **all** trailing zero bytes; nothing left → [`PredicateError::MissingDelimiter`] |
//! | 3 | split into 32-byte keys | the content must end in the last key, else a whole key is padding → [`PredicateError::ExcessPadding`] |
//! | 4 | | the last non-zero byte must be `0xff` → else [`PredicateError::WrongDelimiter`] |
//!
//! A message of `n` bytes takes `⌊n/32⌋ + 1` keys ([`chunk_count`]): 31 bytes fit
//! in one key, 32 bytes need two. Messages may themselves end in zero bytes; the
//! delimiter keeps them.

use alloy_primitives::B256;
use thiserror::Error;

/// Length of one storage key (chunk).
pub const CHUNK_LEN: usize = 32;
/// The byte that ends the content.
pub const DELIMITER: u8 = 0xff;

/// Why storage keys are not a packed predicate (`errInvalidPredicateBytes` causes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum PredicateError {
    /// Every byte is zero, or there are no keys at all (`errMissingDelimiter`).
    #[error("predicate of {chunks} storage keys has no 0xff delimiter: every byte is zero")]
    MissingDelimiter {
        /// Number of storage keys.
        chunks: usize,
    },
    /// The content ends before the last key: a whole key is padding (`errExcessPadding`).
    #[error("predicate has {chunks} storage keys but its content fits in {needed}: excess zero padding")]
    ExcessPadding {
        /// Number of storage keys.
        chunks: usize,
        /// Keys the content needs.
        needed: usize,
    },
    /// The last non-zero byte is not the delimiter (`errWrongDelimiter`).
    #[error("predicate's last non-zero byte is 0x{byte:02x}, not the 0xff delimiter")]
    WrongDelimiter {
        /// The byte found.
        byte: u8,
    },
}

/// Number of storage keys a message of `len` bytes packs into: `⌊len/32⌋ + 1`.
pub const fn chunk_count(len: usize) -> usize {
    // len / 32 < usize::MAX, so adding one cannot overflow.
    (len / CHUNK_LEN).saturating_add(1)
}

/// Packs `bytes` into storage keys: content, `0xff`, zero fill.
pub fn pack(bytes: &[u8]) -> Vec<B256> {
    let mut keys = Vec::with_capacity(chunk_count(bytes.len()));
    let mut chunks = bytes.chunks_exact(CHUNK_LEN);
    for chunk in &mut chunks {
        keys.push(B256::from_slice(chunk));
    }
    let rest = chunks.remainder();
    let mut last = [0u8; CHUNK_LEN];
    // `rest` is shorter than a chunk, so the delimiter always fits after it.
    for (dst, src) in last.iter_mut().zip(rest.iter().chain(core::iter::once(&DELIMITER))) {
        *dst = *src;
    }
    keys.push(B256::from(last));
    keys
}

/// Unpacks storage keys into the message bytes, refusing any packing [`pack`]
/// would not produce.
pub fn unpack(keys: &[B256]) -> Result<Vec<u8>, PredicateError> {
    let mut bytes: Vec<u8> = keys.iter().flat_map(|k| k.0).collect();
    let Some(last_nonzero) = bytes.iter().rposition(|b| *b != 0) else {
        return Err(PredicateError::MissingDelimiter { chunks: keys.len() });
    };
    // The content is bytes[..=last_nonzero]; it needs ⌈(last_nonzero + 1) / 32⌉ keys.
    let needed = (last_nonzero / CHUNK_LEN).saturating_add(1);
    if needed != keys.len() {
        return Err(PredicateError::ExcessPadding { chunks: keys.len(), needed });
    }
    bytes.truncate(last_nonzero);
    match keys.last().and_then(|k| k.0.get(last_nonzero % CHUNK_LEN)) {
        Some(&DELIMITER) => Ok(bytes),
        Some(&byte) => Err(PredicateError::WrongDelimiter { byte }),
        // Unreachable: the last non-zero byte lies in the last key.
        None => Err(PredicateError::MissingDelimiter { chunks: keys.len() }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(bytes: &[u8]) -> B256 {
        let mut k = [0u8; 32];
        k[..bytes.len()].copy_from_slice(bytes);
        B256::from(k)
    }

    #[test]
    fn go_packing_vectors() {
        // avalanchego vms/evm/predicate/predicate_test.go
        assert_eq!(pack(&[]), vec![key(&[0xff])]);
        assert_eq!(pack(&[0x42]), vec![key(&[0x42, 0xff])]);
        let mut one = [0u8; 32];
        one[31] = 0xff;
        assert_eq!(pack(&[0u8; 31]), vec![B256::from(one)]);
        assert_eq!(pack(&[0u8; 32]), vec![B256::ZERO, key(&[0xff])]);
        let forty: Vec<u8> = (0u8..5).flat_map(|hi| (0u8..8).map(move |lo| hi * 0x10 + lo)).collect();
        let packed = pack(&forty);
        assert_eq!(
            packed,
            vec![
                B256::from_slice(&forty[..32]),
                key(&[0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0xff])
            ]
        );
        for bytes in [vec![], vec![0x42], vec![0; 31], vec![0; 32], forty] {
            assert_eq!(unpack(&pack(&bytes)).unwrap(), bytes);
            assert_eq!(pack(&bytes).len(), chunk_count(bytes.len()));
        }
    }

    #[test]
    fn go_unpacking_errors() {
        assert_eq!(unpack(&[]), Err(PredicateError::MissingDelimiter { chunks: 0 }));
        assert_eq!(unpack(&[B256::ZERO]), Err(PredicateError::MissingDelimiter { chunks: 1 }));
        assert_eq!(unpack(&[key(&[0x42])]), Err(PredicateError::WrongDelimiter { byte: 0x42 }));
        assert_eq!(
            unpack(&[key(&[0xff]), B256::ZERO]),
            Err(PredicateError::ExcessPadding { chunks: 2, needed: 1 })
        );
        // Padding inside the last key is fine; a byte after the delimiter is not a delimiter.
        assert_eq!(unpack(&[key(&[1, 2, 0xff, 0, 0])]).unwrap(), vec![1, 2]);
        assert_eq!(unpack(&[key(&[1, 0xff, 3])]), Err(PredicateError::WrongDelimiter { byte: 3 }));
    }
}
