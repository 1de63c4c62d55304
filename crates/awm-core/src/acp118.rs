//! ACP-118 signature requests and responses, as avalanchego's p2p layer carries them.
//!
//! | message | bytes |
//! |---|---|
//! | request `app_bytes` | `uvarint(handler ID = 2)` ‖ protobuf `SignatureRequest { bytes message = 1; bytes justification = 2; }` |
//! | response `app_bytes` | protobuf `SignatureResponse { bytes signature = 1; }`: `0a 60` ‖ 96-byte signature |
//!
//! `message` is the unsigned warp message's bytes. Proto3 omits empty fields, so an
//! empty justification adds nothing, and an empty response (no signature) is zero
//! bytes, which relayers read as "this node has not seen the message".
//! Decoding follows protobuf: fields in any order, the last occurrence wins, and
//! unknown fields are skipped.

use thiserror::Error;

use crate::bls::SIGNATURE_LEN;

/// The p2p handler ID of signature requests (`SignatureRequestHandlerID`).
pub const SIGNATURE_REQUEST_HANDLER_ID: u64 = 2;

/// Why ACP-118 bytes could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Acp118Error {
    /// The request is for another p2p handler.
    #[error("handler ID {0} is not the signature request handler (2)")]
    WrongHandler(u64),
    /// A varint is cut off or longer than 10 bytes.
    #[error("malformed varint at offset {0}")]
    Varint(usize),
    /// A field's declared length runs past the end.
    #[error("field {field} at offset {offset} declares {len} bytes, {remaining} remain")]
    Truncated {
        /// Field number.
        field: u64,
        /// Offset of the field's data.
        offset: usize,
        /// Declared length.
        len: u64,
        /// Bytes remaining.
        remaining: usize,
    },
    /// A field has a wire type protobuf does not define (or a known field the wrong one).
    #[error("field {field} has unsupported wire type {wire_type}")]
    WireType {
        /// Field number.
        field: u64,
        /// The wire type found.
        wire_type: u64,
    },
    /// The response's signature is not 96 bytes.
    #[error("signature must be {SIGNATURE_LEN} bytes, got {0}")]
    SignatureLength(usize),
}

fn put_uvarint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

fn get_uvarint(bytes: &[u8], pos: &mut usize) -> Result<u64, Acp118Error> {
    let start = *pos;
    let mut v = 0u64;
    for shift in (0..70).step_by(7) {
        let b = *bytes.get(*pos).ok_or(Acp118Error::Varint(start))?;
        *pos = pos.saturating_add(1);
        if shift == 63 && b > 1 {
            return Err(Acp118Error::Varint(start));
        }
        v |= u64::from(b & 0x7f) << shift;
        if b & 0x80 == 0 {
            return Ok(v);
        }
    }
    Err(Acp118Error::Varint(start))
}

fn put_bytes_field(out: &mut Vec<u8>, field: u64, bytes: &[u8]) {
    if bytes.is_empty() {
        return;
    }
    put_uvarint(out, field << 3 | 2);
    put_uvarint(out, bytes.len() as u64);
    out.extend_from_slice(bytes);
}

/// Walks protobuf fields from offset `start`, handing each length-delimited one to
/// `on_bytes`. Offsets in errors are offsets into `bytes`.
fn for_each_field<'a>(
    bytes: &'a [u8],
    start: usize,
    mut on_bytes: impl FnMut(u64, &'a [u8]),
    known: &[u64],
) -> Result<(), Acp118Error> {
    let mut pos = start;
    while pos < bytes.len() {
        let key = get_uvarint(bytes, &mut pos)?;
        let (field, wire_type) = (key >> 3, key & 7);
        match wire_type {
            0 => {
                get_uvarint(bytes, &mut pos)?;
            }
            1 | 5 => {
                let n = if wire_type == 1 { 8 } else { 4 };
                let end = pos.checked_add(n).filter(|e| *e <= bytes.len()).ok_or(Acp118Error::Truncated {
                    field,
                    offset: pos,
                    len: n as u64,
                    remaining: bytes.len().saturating_sub(pos),
                })?;
                pos = end;
            }
            2 => {
                let len = get_uvarint(bytes, &mut pos)?;
                let remaining = bytes.len().saturating_sub(pos);
                let data = usize::try_from(len)
                    .ok()
                    .and_then(|l| bytes.get(pos..pos.checked_add(l)?))
                    .ok_or(Acp118Error::Truncated { field, offset: pos, len, remaining })?;
                pos = pos.saturating_add(data.len());
                on_bytes(field, data);
            }
            _ => return Err(Acp118Error::WireType { field, wire_type }),
        }
        if wire_type != 2 && known.contains(&field) {
            return Err(Acp118Error::WireType { field, wire_type });
        }
    }
    Ok(())
}

/// The request's `app_bytes`: handler prefix `0x02`, then `SignatureRequest`.
pub fn encode_signature_request(message: &[u8], justification: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(message.len().saturating_add(justification.len()).saturating_add(12));
    put_uvarint(&mut out, SIGNATURE_REQUEST_HANDLER_ID);
    put_bytes_field(&mut out, 1, message);
    put_bytes_field(&mut out, 2, justification);
    out
}

/// A decoded signature request.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct SignatureRequest {
    /// The unsigned warp message bytes.
    pub message: Vec<u8>,
    /// Why the validator should sign (may be empty).
    pub justification: Vec<u8>,
}

/// Decodes a request's `app_bytes` (handler prefix included).
pub fn decode_signature_request(app_bytes: &[u8]) -> Result<SignatureRequest, Acp118Error> {
    let mut pos = 0;
    let handler = get_uvarint(app_bytes, &mut pos)?;
    if handler != SIGNATURE_REQUEST_HANDLER_ID {
        return Err(Acp118Error::WrongHandler(handler));
    }
    let mut request = SignatureRequest::default();
    for_each_field(
        app_bytes,
        pos,
        |field, data| match field {
            1 => request.message = data.to_vec(),
            2 => request.justification = data.to_vec(),
            _ => {}
        },
        &[1, 2],
    )?;
    Ok(request)
}

/// The response's `app_bytes`: `SignatureResponse { signature }` (no prefix).
pub fn encode_signature_response(signature: &[u8; SIGNATURE_LEN]) -> Vec<u8> {
    let mut out = Vec::with_capacity(2 + SIGNATURE_LEN);
    put_bytes_field(&mut out, 1, signature);
    out
}

/// Decodes a response: `None` for an empty one (the node has no signature to give).
pub fn decode_signature_response(app_bytes: &[u8]) -> Result<Option<[u8; SIGNATURE_LEN]>, Acp118Error> {
    let mut signature: Option<&[u8]> = None;
    for_each_field(
        app_bytes,
        0,
        |field, data| {
            if field == 1 {
                signature = Some(data)
            }
        },
        &[1],
    )?;
    match signature {
        None => Ok(None),
        Some(bytes) => <[u8; SIGNATURE_LEN]>::try_from(bytes)
            .map(Some)
            .map_err(|_| Acp118Error::SignatureLength(bytes.len())),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_bytes_match_the_wire_format() {
        // 0x02 handler prefix, field 1 (0x0a) with a one-byte length, no justification.
        assert_eq!(encode_signature_request(&[0xaa; 3], &[]), vec![0x02, 0x0a, 0x03, 0xaa, 0xaa, 0xaa]);
        // Field 2 (0x12) follows when a justification is given.
        assert_eq!(encode_signature_request(&[1], &[7, 8]), vec![0x02, 0x0a, 0x01, 0x01, 0x12, 0x02, 7, 8]);
        // A 200-byte message: the length is the two-byte varint c8 01.
        let msg = vec![5u8; 200];
        let bytes = encode_signature_request(&msg, &[]);
        assert_eq!(&bytes[..4], &[0x02, 0x0a, 0xc8, 0x01]);
        assert_eq!(bytes.len(), 4 + 200);
        let decoded = decode_signature_request(&bytes).unwrap();
        assert_eq!(decoded, SignatureRequest { message: msg, justification: vec![] });
    }

    #[test]
    fn response_bytes_match_the_wire_format() {
        let sig = [0x99u8; 96];
        let bytes = encode_signature_response(&sig);
        assert_eq!(&bytes[..2], &[0x0a, 0x60]);
        assert_eq!(&bytes[2..], &sig);
        assert_eq!(decode_signature_response(&bytes).unwrap(), Some(sig));
        assert_eq!(decode_signature_response(&[]).unwrap(), None);
    }

    #[test]
    fn decoding_is_protobuf_lenient_and_typed_when_broken() {
        // Unknown fields (a varint field 3 and a bytes field 4) are skipped; order does not matter.
        let bytes = [&[0x02, 0x18, 0x05, 0x12, 0x01, 0x09, 0x22, 0x00, 0x0a, 0x01, 0x07][..]].concat();
        assert_eq!(
            decode_signature_request(&bytes).unwrap(),
            SignatureRequest { message: vec![7], justification: vec![9] }
        );
        assert_eq!(decode_signature_request(&[0x03, 0x0a, 0x00]).unwrap_err(), Acp118Error::WrongHandler(3));
        assert!(matches!(
            decode_signature_request(&[0x02, 0x0a, 0x05, 1]).unwrap_err(),
            Acp118Error::Truncated { len: 5, .. }
        ));
        assert_eq!(decode_signature_request(&[0x02, 0x0a, 0x80]).unwrap_err(), Acp118Error::Varint(2));
        assert_eq!(decode_signature_request(&[]).unwrap_err(), Acp118Error::Varint(0));
        assert_eq!(
            decode_signature_request(&[0x02, 0x0b]).unwrap_err(),
            Acp118Error::WireType { field: 1, wire_type: 3 }
        );
        assert_eq!(
            decode_signature_response(&[0x0a, 0x01, 0x00]).unwrap_err(),
            Acp118Error::SignatureLength(1)
        );
        assert_eq!(
            decode_signature_response(&[0x08, 0x01]).unwrap_err(),
            Acp118Error::WireType { field: 1, wire_type: 0 }
        );
        // An 11-byte varint is refused.
        let mut long = vec![0x02, 0x0a];
        long.extend([0xff; 10]);
        long.push(0x01);
        assert!(matches!(decode_signature_request(&long).unwrap_err(), Acp118Error::Varint(_)));
    }
}
