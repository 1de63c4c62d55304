//! The avalanchego linear codec, as far as warp types use it.
//!
//! | item | rule |
//! |---|---|
//! | version prefix | `u16` big-endian, top level only, always `0` |
//! | integers | fixed width, big-endian |
//! | `bool` | one byte, `0x00` or `0x01` only |
//! | fixed arrays | the raw bytes, no length |
//! | slices | `u32` count (at most `i32::MAX`), then the elements |
//! | interfaces | `u32` type ID, then the concrete value |
//! | trailing data | an error |
//!
//! [`Unpacker`] reads with a typed [`CodecError`] for every way input can be
//! wrong; [`Packer`] writes. Both are what the message, payload and P-Chain
//! payload types are built from.

use thiserror::Error;

/// The only codec version any warp structure uses.
pub const CODEC_VERSION: u16 = 0;

/// The largest slice length the codec accepts, in either direction (`math.MaxInt32`).
pub const MAX_SLICE_LEN: u32 = i32::MAX as u32;

/// Why bytes could not be decoded (or a value could not be encoded).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum CodecError {
    /// The input is longer than the codec instance allows (`ErrUnmarshalTooBig`).
    #[error("{size} bytes exceed the codec's maximum of {max} bytes")]
    TooLarge {
        /// Length of the input.
        size: usize,
        /// The codec's maximum.
        max: usize,
    },
    /// The version prefix is not a registered codec version (`ErrUnknownVersion`).
    #[error("unknown codec version {0} (only 0 is registered)")]
    UnknownVersion(u16),
    /// An interface value carries a type ID no type is registered for.
    #[error("unknown type ID {type_id} for {what}")]
    UnknownTypeId {
        /// The type ID read.
        type_id: u32,
        /// Which interface was being decoded.
        what: &'static str,
    },
    /// A specific concrete type was expected, another was found (`ErrWrongType`).
    #[error("wrong type: expected {expected}, found type ID {found}")]
    WrongType {
        /// The expected type.
        expected: &'static str,
        /// The type ID found.
        found: u32,
    },
    /// The input ends before the value does (`ErrInsufficientLength`).
    #[error("input too short at offset {offset}: {needed} bytes needed, {remaining} remaining")]
    ShortInput {
        /// Offset at which the read started.
        offset: usize,
        /// Bytes the value needs.
        needed: usize,
        /// Bytes left in the input.
        remaining: usize,
    },
    /// Bytes are left over after the value (`ErrExtraSpace`).
    #[error("{count} trailing bytes after the value")]
    TrailingBytes {
        /// Number of unread bytes.
        count: usize,
    },
    /// A slice length exceeds `i32::MAX` (`ErrMaxSliceLenExceeded`).
    #[error("slice length {len} exceeds the maximum of {max}")]
    LengthTooLarge {
        /// The length found or requested.
        len: u64,
        /// The maximum, `i32::MAX`.
        max: u32,
    },
    /// A `bool` byte other than `0x00` or `0x01`.
    #[error("invalid bool byte {0:#04x}")]
    InvalidBool(u8),
}

/// Reads codec values from a byte slice, front to back.
#[derive(Debug, Clone)]
pub struct Unpacker<'a> {
    bytes: &'a [u8],
    offset: usize,
}

impl<'a> Unpacker<'a> {
    /// Starts reading `bytes` at offset 0.
    pub fn new(bytes: &'a [u8]) -> Self {
        Self { bytes, offset: 0 }
    }

    /// Starts reading a top-level value: checks `max_size`, then the version prefix.
    pub fn with_version(bytes: &'a [u8], max_size: usize) -> Result<Self, CodecError> {
        if bytes.len() > max_size {
            return Err(CodecError::TooLarge { size: bytes.len(), max: max_size });
        }
        let mut unpacker = Self::new(bytes);
        let version = unpacker.u16()?;
        if version != CODEC_VERSION {
            return Err(CodecError::UnknownVersion(version));
        }
        Ok(unpacker)
    }

    /// Bytes not read yet.
    pub fn remaining(&self) -> usize {
        self.bytes.len().saturating_sub(self.offset)
    }

    /// Current read offset.
    pub fn offset(&self) -> usize {
        self.offset
    }

    /// Takes the next `n` bytes.
    pub fn take(&mut self, n: usize) -> Result<&'a [u8], CodecError> {
        let short = CodecError::ShortInput { offset: self.offset, needed: n, remaining: self.remaining() };
        let end = self.offset.checked_add(n).ok_or_else(|| short.clone())?;
        let out = self.bytes.get(self.offset..end).ok_or(short)?;
        self.offset = end;
        Ok(out)
    }

    /// Reads a fixed-size byte array.
    pub fn array<const N: usize>(&mut self) -> Result<[u8; N], CodecError> {
        let mut out = [0u8; N];
        out.copy_from_slice(self.take(N)?);
        Ok(out)
    }

    /// Reads a `u8`.
    pub fn u8(&mut self) -> Result<u8, CodecError> {
        Ok(self.array::<1>()?[0])
    }

    /// Reads a big-endian `u16`.
    pub fn u16(&mut self) -> Result<u16, CodecError> {
        Ok(u16::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian `u32`.
    pub fn u32(&mut self) -> Result<u32, CodecError> {
        Ok(u32::from_be_bytes(self.array()?))
    }

    /// Reads a big-endian `u64`.
    pub fn u64(&mut self) -> Result<u64, CodecError> {
        Ok(u64::from_be_bytes(self.array()?))
    }

    /// Reads a `bool` (`0x00` or `0x01`).
    pub fn bool(&mut self) -> Result<bool, CodecError> {
        match self.u8()? {
            0 => Ok(false),
            1 => Ok(true),
            other => Err(CodecError::InvalidBool(other)),
        }
    }

    /// Reads a slice length: a `u32` that must not exceed `i32::MAX`.
    pub fn slice_len(&mut self) -> Result<usize, CodecError> {
        let len = self.u32()?;
        if len > MAX_SLICE_LEN {
            return Err(CodecError::LengthTooLarge { len: u64::from(len), max: MAX_SLICE_LEN });
        }
        usize::try_from(len)
            .map_err(|_| CodecError::LengthTooLarge { len: u64::from(len), max: MAX_SLICE_LEN })
    }

    /// Reads a `[]byte`: length, then the bytes.
    pub fn bytes(&mut self) -> Result<&'a [u8], CodecError> {
        let len = self.slice_len()?;
        self.take(len)
    }

    /// Reads a `[]T` whose elements are fixed arrays of `N` bytes.
    pub fn array_list<const N: usize>(&mut self) -> Result<Vec<[u8; N]>, CodecError> {
        let count = self.slice_len()?;
        // Check the whole list is present before allocating for it.
        let total = count
            .checked_mul(N)
            .ok_or(CodecError::LengthTooLarge { len: count as u64, max: MAX_SLICE_LEN })?;
        let raw = self.take(total)?;
        Ok(raw
            .chunks_exact(N)
            .map(|chunk| {
                let mut out = [0u8; N];
                out.copy_from_slice(chunk);
                out
            })
            .collect())
    }

    /// Fails with [`CodecError::TrailingBytes`] unless every byte was read.
    pub fn finish(self) -> Result<(), CodecError> {
        match self.remaining() {
            0 => Ok(()),
            count => Err(CodecError::TrailingBytes { count }),
        }
    }
}

/// Writes codec values into a growing buffer.
#[derive(Debug, Clone, Default)]
pub struct Packer {
    bytes: Vec<u8>,
}

impl Packer {
    /// A packer that starts with the version prefix, sized for `capacity` bytes.
    pub fn with_version(capacity: usize) -> Self {
        let mut packer = Self { bytes: Vec::with_capacity(capacity) };
        packer.u16(CODEC_VERSION);
        packer
    }

    /// Appends raw bytes (a fixed array).
    pub fn raw(&mut self, bytes: &[u8]) {
        self.bytes.extend_from_slice(bytes);
    }

    /// Appends a `u8`.
    pub fn u8(&mut self, v: u8) {
        self.bytes.push(v);
    }

    /// Appends a big-endian `u16`.
    pub fn u16(&mut self, v: u16) {
        self.raw(&v.to_be_bytes());
    }

    /// Appends a big-endian `u32`.
    pub fn u32(&mut self, v: u32) {
        self.raw(&v.to_be_bytes());
    }

    /// Appends a big-endian `u64`.
    pub fn u64(&mut self, v: u64) {
        self.raw(&v.to_be_bytes());
    }

    /// Appends a `bool`.
    pub fn bool(&mut self, v: bool) {
        self.u8(u8::from(v));
    }

    /// Appends a slice length, refusing one over `i32::MAX`.
    pub fn slice_len(&mut self, len: usize) -> Result<(), CodecError> {
        let len32 = slice_len(len)?;
        self.u32(len32);
        Ok(())
    }

    /// Appends a `[]byte`: length, then the bytes.
    pub fn bytes(&mut self, bytes: &[u8]) -> Result<(), CodecError> {
        self.slice_len(bytes.len())?;
        self.raw(bytes);
        Ok(())
    }

    /// Appends a `[]T` of fixed arrays.
    pub fn array_list<const N: usize>(&mut self, items: &[[u8; N]]) -> Result<(), CodecError> {
        self.slice_len(items.len())?;
        for item in items {
            self.raw(item);
        }
        Ok(())
    }

    /// The bytes written so far.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }
}

/// Checks a slice length against the codec's `i32::MAX` limit.
pub fn slice_len(len: usize) -> Result<u32, CodecError> {
    u32::try_from(len)
        .ok()
        .filter(|l| *l <= MAX_SLICE_LEN)
        .ok_or(CodecError::LengthTooLarge { len: len as u64, max: MAX_SLICE_LEN })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_and_size_checks_come_first() {
        assert_eq!(
            Unpacker::with_version(&[0, 0, 1], 2).unwrap_err(),
            CodecError::TooLarge { size: 3, max: 2 }
        );
        assert_eq!(Unpacker::with_version(&[0, 1], 10).unwrap_err(), CodecError::UnknownVersion(1));
        assert!(matches!(
            Unpacker::with_version(&[0], 10).unwrap_err(),
            CodecError::ShortInput { offset: 0, needed: 2, remaining: 1 }
        ));
    }

    #[test]
    fn slice_length_over_i32_max_is_refused() {
        let mut u = Unpacker::new(&[0x80, 0, 0, 0]);
        assert_eq!(
            u.bytes().unwrap_err(),
            CodecError::LengthTooLarge { len: 0x8000_0000, max: MAX_SLICE_LEN }
        );
        let mut u = Unpacker::new(&[0x7f, 0xff, 0xff, 0xff]);
        assert!(matches!(u.bytes().unwrap_err(), CodecError::ShortInput { needed: 0x7fff_ffff, .. }));
    }

    #[test]
    fn bools_and_trailing_bytes() {
        assert_eq!(Unpacker::new(&[2]).bool().unwrap_err(), CodecError::InvalidBool(2));
        let mut u = Unpacker::new(&[1, 9, 9]);
        assert!(u.bool().unwrap());
        assert_eq!(u.finish().unwrap_err(), CodecError::TrailingBytes { count: 2 });
    }

    #[test]
    fn array_list_checks_presence_before_allocating() {
        let mut u = Unpacker::new(&[0x7f, 0xff, 0xff, 0xff, 1, 2]);
        assert!(matches!(u.array_list::<20>().unwrap_err(), CodecError::ShortInput { .. }));
    }
}
