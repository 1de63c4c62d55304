//! Warp payloads (`vms/platformvm/warp/payload`): what an [`UnsignedMessage`]'s
//! payload bytes mean to the EVM.
//!
//! The payload is its own codec blob (version prefix `00 00`, then a `u32` type ID)
//! limited to [`MAX_PAYLOAD_SIZE`] bytes:
//!
//! | type | type ID | layout after the type ID | total |
//! |---|---|---|---|
//! | [`Hash`](struct@Hash) | 0 | `hash` (32 bytes) | 38 |
//! | [`AddressedCall`] | 1 | `sourceAddress` (`u32` len + bytes), `payload` (`u32` len + bytes) | 14 + a + p |
//!
//! [`UnsignedMessage`]: crate::UnsignedMessage

use crate::codec::{CodecError, Packer, Unpacker};
use crate::ids::Id;

/// The payload codec's maximum size: 24 KiB (`MaxMessageSize`).
pub const MAX_PAYLOAD_SIZE: usize = 24 * 1024;
/// Type ID of [`Hash`](struct@Hash).
pub const HASH_TYPE_ID: u32 = 0;
/// Type ID of [`AddressedCall`].
pub const ADDRESSED_CALL_TYPE_ID: u32 = 1;
/// Encoded length of an [`AddressedCall`] with empty address and payload: version, type ID, two lengths.
pub const ADDRESSED_CALL_OVERHEAD: usize = 2 + 4 + 4 + 4;

/// A block hash attestation: the source chain accepted the block with this hash.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Hash {
    /// The block hash (for the EVMs, the EVM block hash).
    pub hash: Id,
}

/// A message from an address on the source chain. EVM senders use 20-byte
/// addresses; P-Chain (ACP-77) messages use an empty one.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct AddressedCall {
    source_address: Vec<u8>,
    payload: Vec<u8>,
}

impl AddressedCall {
    /// Builds an addressed call, refusing one whose encoding exceeds [`MAX_PAYLOAD_SIZE`]
    /// (as avalanchego's `NewAddressedCall` does).
    pub fn new(source_address: Vec<u8>, payload: Vec<u8>) -> Result<Self, CodecError> {
        let size = ADDRESSED_CALL_OVERHEAD.saturating_add(source_address.len()).saturating_add(payload.len());
        if size > MAX_PAYLOAD_SIZE {
            return Err(CodecError::TooLarge { size, max: MAX_PAYLOAD_SIZE });
        }
        Ok(Self { source_address, payload })
    }

    /// The sender on the source chain.
    pub fn source_address(&self) -> &[u8] {
        &self.source_address
    }

    /// The application payload.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// The sender as an EVM address: the last 20 bytes, left-padded with zeros
    /// if shorter (`common.BytesToAddress`).
    pub fn origin_sender_address(&self) -> [u8; 20] {
        let mut out = [0u8; 20];
        let src = &self.source_address;
        let take = src.len().min(20);
        let (dst_start, src_start) = (20usize.saturating_sub(take), src.len().saturating_sub(take));
        if let (Some(dst), Some(from)) = (out.get_mut(dst_start..), src.get(src_start..)) {
            dst.copy_from_slice(from);
        }
        out
    }

    /// The encoded length.
    pub fn encoded_len(&self) -> usize {
        // Bounded by MAX_PAYLOAD_SIZE at construction.
        ADDRESSED_CALL_OVERHEAD.saturating_add(self.source_address.len()).saturating_add(self.payload.len())
    }

    /// Encodes the payload blob (with its own version prefix and type ID).
    pub fn to_bytes(&self) -> Vec<u8> {
        Payload::AddressedCall(self.clone()).to_bytes()
    }

    /// Decodes a blob that must be an addressed call.
    pub fn parse(bytes: &[u8]) -> Result<Self, CodecError> {
        match Payload::parse(bytes)? {
            Payload::AddressedCall(call) => Ok(call),
            Payload::Hash(_) => Err(CodecError::WrongType { expected: "AddressedCall", found: HASH_TYPE_ID }),
        }
    }
}

impl Hash {
    /// Encodes the payload blob.
    pub fn to_bytes(&self) -> Vec<u8> {
        Payload::Hash(*self).to_bytes()
    }

    /// Decodes a blob that must be a hash payload.
    pub fn parse(bytes: &[u8]) -> Result<Self, CodecError> {
        match Payload::parse(bytes)? {
            Payload::Hash(hash) => Ok(hash),
            Payload::AddressedCall(_) => {
                Err(CodecError::WrongType { expected: "Hash", found: ADDRESSED_CALL_TYPE_ID })
            }
        }
    }
}

/// Either warp payload type.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum Payload {
    /// A block hash attestation.
    Hash(Hash),
    /// A message from an address.
    AddressedCall(AddressedCall),
}

impl Payload {
    /// Decodes a payload blob: size cap, version, type ID, fields, no trailing bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut u = Unpacker::with_version(bytes, MAX_PAYLOAD_SIZE)?;
        let payload = match u.u32()? {
            HASH_TYPE_ID => Self::Hash(Hash { hash: Id(u.array()?) }),
            ADDRESSED_CALL_TYPE_ID => {
                let source_address = u.bytes()?.to_vec();
                let payload = u.bytes()?.to_vec();
                Self::AddressedCall(AddressedCall { source_address, payload })
            }
            type_id => return Err(CodecError::UnknownTypeId { type_id, what: "warp payload" }),
        };
        u.finish()?;
        Ok(payload)
    }

    /// Encodes the payload blob.
    pub fn to_bytes(&self) -> Vec<u8> {
        match self {
            Self::Hash(h) => {
                let mut p = Packer::with_version(38);
                p.u32(HASH_TYPE_ID);
                p.raw(h.hash.as_bytes());
                p.into_bytes()
            }
            Self::AddressedCall(call) => {
                let mut p = Packer::with_version(call.encoded_len());
                p.u32(ADDRESSED_CALL_TYPE_ID);
                // Lengths are bounded by MAX_PAYLOAD_SIZE at construction, so these
                // cannot exceed the codec's slice limit.
                for field in [&call.source_address, &call.payload] {
                    p.u32(field.len() as u32);
                    p.raw(field);
                }
                p.into_bytes()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_vectors() {
        // avalanchego vms/platformvm/warp/payload/{hash_test.go,addressed_call_test.go}
        let mut id = [0u8; 32];
        id[..3].copy_from_slice(&[4, 5, 6]);
        let hash = Hash { hash: Id(id) };
        let hash_hex = "0000000000000405060000000000000000000000000000000000000000000000000000000000";
        assert_eq!(hex::encode(hash.to_bytes()), hash_hex);
        assert_eq!(Hash::parse(&hex::decode(hash_hex).unwrap()).unwrap(), hash);

        let mut src = vec![0u8; 16];
        src[..3].copy_from_slice(&[1, 2, 3]);
        let call = AddressedCall::new(src, vec![10, 11, 12]).unwrap();
        let call_hex = "0000000000010000001001020300000000000000000000000000000000030a0b0c";
        assert_eq!(hex::encode(call.to_bytes()), call_hex);
        assert_eq!(AddressedCall::parse(&hex::decode(call_hex).unwrap()).unwrap(), call);
    }

    #[test]
    fn size_cap_is_24_kib() {
        let max_user = MAX_PAYLOAD_SIZE - ADDRESSED_CALL_OVERHEAD - 20;
        assert_eq!(max_user, 24_542);
        let call = AddressedCall::new(vec![7; 20], vec![0; max_user]).unwrap();
        let bytes = call.to_bytes();
        assert_eq!(bytes.len(), MAX_PAYLOAD_SIZE);
        assert_eq!(AddressedCall::parse(&bytes).unwrap(), call);
        assert_eq!(
            AddressedCall::new(vec![7; 20], vec![0; max_user + 1]).unwrap_err(),
            CodecError::TooLarge { size: MAX_PAYLOAD_SIZE + 1, max: MAX_PAYLOAD_SIZE }
        );
        let mut over = bytes.clone();
        over.push(0);
        assert_eq!(
            Payload::parse(&over).unwrap_err(),
            CodecError::TooLarge { size: MAX_PAYLOAD_SIZE + 1, max: MAX_PAYLOAD_SIZE }
        );
    }

    #[test]
    #[allow(clippy::type_complexity)]
    fn decoding_errors_are_distinct() {
        let ok = Hash { hash: Id([9; 32]) }.to_bytes();
        let cases: Vec<(Vec<u8>, fn(&CodecError) -> bool)> = vec![
            ([&[0u8, 1][..], &ok[2..]].concat(), |e| matches!(e, CodecError::UnknownVersion(1))),
            ([&ok[..2], &[0, 0, 0, 2][..], &ok[6..]].concat(), |e| {
                matches!(e, CodecError::UnknownTypeId { type_id: 2, .. })
            }),
            (ok[..37].to_vec(), |e| matches!(e, CodecError::ShortInput { needed: 32, remaining: 31, .. })),
            ([&ok[..], &[0][..]].concat(), |e| matches!(e, CodecError::TrailingBytes { count: 1 })),
            (hex::decode("00000000000180000000").unwrap(), |e| {
                matches!(e, CodecError::LengthTooLarge { len: 0x8000_0000, .. })
            }),
        ];
        for (bytes, check) in cases {
            let err = Payload::parse(&bytes).unwrap_err();
            assert!(check(&err), "{} gave {err:?}", hex::encode(&bytes));
        }
        assert_eq!(
            AddressedCall::parse(&ok).unwrap_err(),
            CodecError::WrongType { expected: "AddressedCall", found: 0 }
        );
    }

    #[test]
    fn origin_sender_is_last_20_bytes_left_padded() {
        let long = AddressedCall::new((0u8..32).collect(), vec![]).unwrap();
        assert_eq!(long.origin_sender_address().to_vec(), (12u8..32).collect::<Vec<_>>());
        let short = AddressedCall::new(vec![1, 2], vec![]).unwrap();
        let mut expect = [0u8; 20];
        expect[18..].copy_from_slice(&[1, 2]);
        assert_eq!(short.origin_sender_address(), expect);
        assert_eq!(AddressedCall::new(vec![], vec![]).unwrap().origin_sender_address(), [0; 20]);
    }
}
