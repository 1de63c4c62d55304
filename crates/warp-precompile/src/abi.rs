//! ABI decoding as lenient as geth's (`accounts/abi`, non-strict mode), and the
//! fixed outputs of an invalid read.
//!
//! | input | accepted | refused |
//! |---|---|---|
//! | `bytes` | any offset with `offset + 32 ≤ len` and `offset + 32 + length ≤ len`; trailing bytes; unchecked padding | empty input, an offset or length past the end or over 63 bits |
//! | `uint32` | a first word whose value fits in 32 bits; trailing bytes | fewer than 32 bytes, a value with any higher bit set |

use alloy_primitives::U256;
use thiserror::Error;

/// Length of an ABI word.
pub const WORD: usize = 32;

/// Why calldata did not decode.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum AbiError {
    /// The input is shorter than the word being read.
    #[error("abi: input of {len} bytes is too short, {needed} needed")]
    Short {
        /// Input length.
        len: usize,
        /// Bytes needed.
        needed: usize,
    },
    /// A `bytes` offset or length points past the input.
    #[error("abi: bytes at offset {offset} with length {length} overrun the {len}-byte input")]
    OutOfBounds {
        /// The offset word.
        offset: U256,
        /// The length word (zero when the offset already overran).
        length: U256,
        /// Input length.
        len: usize,
    },
    /// A `uint32` word has bits set above bit 31.
    #[error("abi: {value} does not fit in uint32")]
    Uint32Overflow {
        /// The word.
        value: U256,
    },
}

fn word(input: &[u8], at: usize) -> Result<U256, AbiError> {
    let end = at.checked_add(WORD).ok_or(AbiError::Short { len: input.len(), needed: usize::MAX })?;
    input.get(at..end).map(U256::from_be_slice).ok_or(AbiError::Short { len: input.len(), needed: end })
}

/// Decodes a single `bytes` argument.
pub fn decode_bytes(input: &[u8]) -> Result<&[u8], AbiError> {
    let offset = word(input, 0)?;
    let len = input.len();
    let out_of_bounds = |length| AbiError::OutOfBounds { offset, length, len };
    let start = offset
        .checked_add(U256::from(WORD))
        .filter(|end| *end <= U256::from(len))
        .and_then(|end| usize::try_from(end).ok())
        .ok_or(out_of_bounds(U256::ZERO))?;
    // start ≥ 32 and start ≤ len, so the length word lies inside the input.
    let length = word(input, start.saturating_sub(WORD))?;
    let end = U256::from(start)
        .checked_add(length)
        .filter(|end| *end <= U256::from(len))
        .and_then(|end| usize::try_from(end).ok())
        .ok_or(out_of_bounds(length))?;
    input.get(start..end).ok_or(out_of_bounds(length))
}

/// Decodes a single `uint32` argument.
pub fn decode_uint32(input: &[u8]) -> Result<u32, AbiError> {
    let value = word(input, 0)?;
    u32::try_from(value).map_err(|_| AbiError::Uint32Overflow { value })
}

/// `getVerifiedWarpMessage` for a missing or failed predicate: `(zero struct, false)`,
/// 192 bytes (`0x40, 0, 0, 0, 0x60, 0`).
pub const INVALID_WARP_MESSAGE_OUTPUT: [u8; 192] = {
    let mut out = [0u8; 192];
    out[31] = 0x40;
    out[4 * 32 + 31] = 0x60;
    out
};

/// `getVerifiedWarpBlockHash` for a missing or failed predicate: 96 zero bytes.
pub const INVALID_BLOCK_HASH_OUTPUT: [u8; 96] = [0u8; 96];

#[cfg(test)]
mod tests {
    use super::*;

    fn w(v: u64) -> [u8; 32] {
        U256::from(v).to_be_bytes()
    }

    #[test]
    fn bytes_like_geth() {
        let canonical = [w(0x20), w(3), {
            let mut p = [0u8; 32];
            p[..3].copy_from_slice(&[1, 2, 3]);
            p
        }]
        .concat();
        assert_eq!(decode_bytes(&canonical).unwrap(), &[1, 2, 3]);
        // Trailing bytes, an unusual offset, unchecked padding, unpadded end: all accepted.
        assert_eq!(decode_bytes(&[canonical.clone(), vec![9; 7]].concat()).unwrap(), &[1, 2, 3]);
        let odd = [w(0x40), [0xee; 32], w(2), [7u8; 32]].concat();
        assert_eq!(decode_bytes(&odd).unwrap(), &[7, 7]);
        let unpadded = [w(0x20), w(2)].concat().into_iter().chain([5, 6]).collect::<Vec<u8>>();
        assert_eq!(decode_bytes(&unpadded).unwrap(), &[5, 6]);
        assert_eq!(decode_bytes(&[w(0x20), w(0)].concat()).unwrap(), &[] as &[u8]);
        // Refused.
        assert_eq!(decode_bytes(&[]), Err(AbiError::Short { len: 0, needed: 32 }));
        assert!(matches!(decode_bytes(&w(0x20)), Err(AbiError::OutOfBounds { .. })));
        assert!(matches!(
            decode_bytes(&[w(0x20), w(33), [0; 32]].concat()),
            Err(AbiError::OutOfBounds { .. })
        ));
        assert!(matches!(decode_bytes(&[[0xff; 32], w(0)].concat()), Err(AbiError::OutOfBounds { .. })));
        assert!(matches!(decode_bytes(&[w(0x20), [0xff; 32]].concat()), Err(AbiError::OutOfBounds { .. })));
    }

    #[test]
    fn uint32_like_geth() {
        assert_eq!(decode_uint32(&w(7)), Ok(7));
        assert_eq!(decode_uint32(&w(u32::MAX as u64)), Ok(u32::MAX));
        assert_eq!(decode_uint32(&[w(7).to_vec(), vec![1, 2]].concat()), Ok(7));
        assert_eq!(
            decode_uint32(&w(1 << 32)),
            Err(AbiError::Uint32Overflow { value: U256::from(1u64 << 32) })
        );
        assert_eq!(decode_uint32(&[0; 31]), Err(AbiError::Short { len: 31, needed: 32 }));
    }

    #[test]
    fn invalid_outputs() {
        assert_eq!(INVALID_WARP_MESSAGE_OUTPUT.len(), 192);
        assert_eq!(INVALID_WARP_MESSAGE_OUTPUT[31], 0x40);
        assert_eq!(INVALID_WARP_MESSAGE_OUTPUT[159], 0x60);
        assert_eq!(INVALID_WARP_MESSAGE_OUTPUT.iter().filter(|b| **b != 0).count(), 2);
    }
}
