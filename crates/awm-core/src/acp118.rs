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
//!
//! Decoding follows protobuf-go's `proto.Unmarshal` (what avalanchego and
//! icm-services run), rule for rule:
//!
//! | input | protobuf-go |
//! |---|---|
//! | fields in any order, a field repeated | accepted; the last occurrence wins (an empty one resets the field) |
//! | an unknown field (wire types 0, 1, 2, 5) | skipped |
//! | a **known** field with another wire type than bytes (2) | skipped as if unknown, never an error |
//! | a group (wire type 3) | skipped to its matching end-group tag, nested groups included (at most 10,001 deep); a mismatched end tag or a missing one is an error |
//! | an end-group tag (4) outside a group | an error |
//! | wire types 6 and 7 | an error |
//! | field number 0, or above 2²⁹ − 1 (outside a group; above 2³¹ − 1 inside one) | an error |
//! | a varint longer than 10 bytes, or whose 10th byte is above 1 | an error |
//! | a length or fixed-width value past the end | an error |

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
    /// A field has a wire type protobuf reserves (6 or 7).
    #[error("field {field} has reserved wire type {wire_type}")]
    WireType {
        /// Field number.
        field: u64,
        /// The wire type found.
        wire_type: u64,
    },
    /// A field number outside protobuf's range (0, or too large).
    #[error("invalid field number {field} at offset {offset}")]
    FieldNumber {
        /// The field number.
        field: u64,
        /// Offset of the tag.
        offset: usize,
    },
    /// An end-group tag outside a group, or closing another group than the open one.
    #[error("end-group tag of field {field} at offset {offset} does not close {}", match open { Some(f) => format!("the open group {f}"), None => "any open group".to_owned() })]
    EndGroup {
        /// The end tag's field number.
        field: u64,
        /// The open group's field number, if any.
        open: Option<u64>,
        /// Offset of the tag.
        offset: usize,
    },
    /// A group runs to the end of the input without its end-group tag.
    #[error("group of field {field} has no end-group tag")]
    UnterminatedGroup {
        /// The open group's field number.
        field: u64,
    },
    /// Groups nest deeper than protobuf-go's recursion limit.
    #[error("groups nest deeper than {MAX_GROUP_DEPTH} at offset {offset}")]
    GroupDepth {
        /// Offset of the group that goes too deep.
        offset: usize,
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

/// The largest field number outside a group (`protowire.MaxValidNumber`).
const MAX_FIELD_NUMBER: u64 = (1 << 29) - 1;
/// The largest field number inside a skipped group (`protowire.DecodeTag`).
const MAX_GROUP_FIELD_NUMBER: u64 = i32::MAX as u64;
/// Nesting below the outermost skipped group (`protowire.DefaultRecursionLimit`).
const MAX_GROUP_DEPTH: usize = 10_000;

/// A length-delimited value at `pos` (its varint length, then the bytes).
fn length_delimited<'a>(bytes: &'a [u8], pos: &mut usize, field: u64) -> Result<&'a [u8], Acp118Error> {
    let len = get_uvarint(bytes, pos)?;
    let remaining = bytes.len().saturating_sub(*pos);
    let data = usize::try_from(len)
        .ok()
        .and_then(|l| bytes.get(*pos..pos.checked_add(l)?))
        .ok_or(Acp118Error::Truncated { field, offset: *pos, len, remaining })?;
    *pos = pos.saturating_add(data.len());
    Ok(data)
}

/// Skips a value of wire type 0, 1, 2 or 5 (`ConsumeFieldValue` for scalars);
/// reserved types 6 and 7 are errors. Groups are skipped by [`skip_group`].
fn skip_scalar(bytes: &[u8], pos: &mut usize, field: u64, wire_type: u64) -> Result<(), Acp118Error> {
    match wire_type {
        0 => get_uvarint(bytes, pos).map(|_| ()),
        1 | 5 => {
            let n: usize = if wire_type == 1 { 8 } else { 4 };
            let end = pos.checked_add(n).filter(|e| *e <= bytes.len()).ok_or(Acp118Error::Truncated {
                field,
                offset: *pos,
                len: n as u64,
                remaining: bytes.len().saturating_sub(*pos),
            })?;
            *pos = end;
            Ok(())
        }
        2 => length_delimited(bytes, pos, field).map(|_| ()),
        _ => Err(Acp118Error::WireType { field, wire_type }),
    }
}

/// Skips the body of a group of `field` whose start tag was just read, to its
/// matching end tag, nested groups included (iteratively: the depth is bounded
/// by protobuf-go's limit, not by the stack).
fn skip_group(bytes: &[u8], pos: &mut usize, field: u64) -> Result<(), Acp118Error> {
    let mut open = vec![field];
    while let Some(&current) = open.last() {
        if *pos >= bytes.len() {
            return Err(Acp118Error::UnterminatedGroup { field: current });
        }
        let offset = *pos;
        let tag = get_uvarint(bytes, pos)?;
        let (number, wire_type) = (tag >> 3, tag & 7);
        if number == 0 || number > MAX_GROUP_FIELD_NUMBER {
            return Err(Acp118Error::FieldNumber { field: number, offset });
        }
        match wire_type {
            4 if number == current => {
                open.pop();
            }
            4 => return Err(Acp118Error::EndGroup { field: number, open: Some(current), offset }),
            3 => {
                if open.len() > MAX_GROUP_DEPTH {
                    return Err(Acp118Error::GroupDepth { offset });
                }
                open.push(number);
            }
            other => skip_scalar(bytes, pos, number, other)?,
        }
    }
    Ok(())
}

/// Walks protobuf fields from offset `start` as protobuf-go does, handing each
/// length-delimited occurrence of a `known` field to `on_bytes`; everything else
/// is skipped (see the module docs). Offsets in errors are offsets into `bytes`.
fn for_each_field<'a>(
    bytes: &'a [u8],
    start: usize,
    mut on_bytes: impl FnMut(u64, &'a [u8]),
    known: &[u64],
) -> Result<(), Acp118Error> {
    let mut pos = start;
    while pos < bytes.len() {
        let offset = pos;
        let tag = get_uvarint(bytes, &mut pos)?;
        let (field, wire_type) = (tag >> 3, tag & 7);
        if field == 0 || field > MAX_FIELD_NUMBER {
            return Err(Acp118Error::FieldNumber { field, offset });
        }
        match wire_type {
            4 => return Err(Acp118Error::EndGroup { field, open: None, offset }),
            2 if known.contains(&field) => on_bytes(field, length_delimited(bytes, &mut pos, field)?),
            3 => skip_group(bytes, &mut pos, field)?,
            // Unknown fields, and known fields of another wire type, are skipped.
            other => skip_scalar(bytes, &mut pos, field, other)?,
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

/// Decodes a response: `None` when it carries no signature (empty bytes, or an
/// empty or absent field, which proto3 does not tell apart): the node has none
/// to give.
pub fn decode_signature_response(app_bytes: &[u8]) -> Result<Option<[u8; SIGNATURE_LEN]>, Acp118Error> {
    let mut signature: &[u8] = &[];
    for_each_field(
        app_bytes,
        0,
        |field, data| {
            if field == 1 {
                signature = data
            }
        },
        &[1],
    )?;
    if signature.is_empty() {
        return Ok(None);
    }
    <[u8; SIGNATURE_LEN]>::try_from(signature)
        .map(Some)
        .map_err(|_| Acp118Error::SignatureLength(signature.len()))
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
        // A known field as a group is skipped whole (protobuf-go treats it as unknown).
        assert_eq!(decode_signature_request(&[0x02, 0x0b, 0x0c]).unwrap(), SignatureRequest::default());
        assert_eq!(
            decode_signature_response(&[0x0a, 0x01, 0x00]).unwrap_err(),
            Acp118Error::SignatureLength(1)
        );
        // The signature field as a varint: skipped, so no signature.
        assert_eq!(decode_signature_response(&[0x08, 0x01]).unwrap(), None);
        // An 11-byte varint is refused, and so is a 10th byte above 1.
        let mut long = vec![0x02, 0x0a];
        long.extend([0xff; 10]);
        long.push(0x01);
        assert!(matches!(decode_signature_request(&long).unwrap_err(), Acp118Error::Varint(_)));
        let mut tenth = vec![0x02, 0x08];
        tenth.extend([0xff; 9]);
        tenth.push(0x02);
        assert!(matches!(decode_signature_request(&tenth).unwrap_err(), Acp118Error::Varint(_)));
        tenth.pop();
        tenth.push(0x01);
        assert_eq!(decode_signature_request(&tenth).unwrap(), SignatureRequest::default());
    }

    /// protobuf-go's rules (`internal/impl/decode.go`, `encoding/protowire`), one
    /// input each; a request is the handler prefix `02` and these bytes.
    #[test]
    fn protobuf_go_rules() {
        let msg = |m: &[u8], j: &[u8]| SignatureRequest { message: m.to_vec(), justification: j.to_vec() };
        let request = |body: &[u8]| decode_signature_request(&[&[0x02][..], body].concat());
        let cases: Vec<(&str, Vec<u8>, Result<SignatureRequest, Acp118Error>)> = vec![
            ("empty body", vec![], Ok(msg(&[], &[]))),
            ("last occurrence wins", vec![0x0a, 1, 7, 0x0a, 1, 8], Ok(msg(&[8], &[]))),
            ("an empty occurrence resets", vec![0x0a, 1, 7, 0x0a, 0], Ok(msg(&[], &[]))),
            ("known field as varint: skipped", vec![0x08, 0x05, 0x12, 1, 9], Ok(msg(&[], &[9]))),
            ("known field as fixed64: skipped", [&[0x09][..], &[0; 8]].concat(), Ok(msg(&[], &[]))),
            ("known field as fixed32: skipped", vec![0x15, 1, 2, 3, 4], Ok(msg(&[], &[]))),
            ("known field as a group: skipped", vec![0x0b, 0x08, 1, 0x0c, 0x0a, 1, 5], Ok(msg(&[5], &[]))),
            (
                "unknown group with nested groups",
                vec![0x1b, 0x23, 0x22, 1, 0, 0x24, 0x1c, 0x0a, 1, 6],
                Ok(msg(&[6], &[])),
            ),
            (
                "unknown fixed64 cut off",
                vec![0x19, 1, 2],
                Err(Acp118Error::Truncated { field: 3, offset: 2, len: 8, remaining: 2 }),
            ),
            (
                "group closed by another field",
                vec![0x1b, 0x24],
                Err(Acp118Error::EndGroup { field: 4, open: Some(3), offset: 2 }),
            ),
            ("group never closed", vec![0x1b, 0x08, 1], Err(Acp118Error::UnterminatedGroup { field: 3 })),
            (
                "end group outside a group",
                vec![0x0c],
                Err(Acp118Error::EndGroup { field: 1, open: None, offset: 1 }),
            ),
            ("wire type 6", vec![0x0e], Err(Acp118Error::WireType { field: 1, wire_type: 6 })),
            (
                "wire type 7 on an unknown field",
                vec![0x1f],
                Err(Acp118Error::WireType { field: 3, wire_type: 7 }),
            ),
            ("field number 0", vec![0x02, 0x00], Err(Acp118Error::FieldNumber { field: 0, offset: 1 })),
            // 2^29 as a field number: tag (2^29 << 3) | 0 = 2^32, the varint 80 80 80 80 10.
            (
                "field number 2^29",
                vec![0x80, 0x80, 0x80, 0x80, 0x10, 0x00],
                Err(Acp118Error::FieldNumber { field: 1 << 29, offset: 1 }),
            ),
            // Inside a group, numbers up to 2^31 − 1 pass: field 2^29 (varint) inside group 3.
            (
                "field number 2^29 inside a group",
                vec![0x1b, 0x80, 0x80, 0x80, 0x80, 0x10, 0x00, 0x1c],
                Ok(msg(&[], &[])),
            ),
        ];
        for (name, body, expected) in cases {
            assert_eq!(request(&body), expected, "{name}");
        }
        // Depth: 10,001 nested groups are skipped; 10,002 are refused.
        let nested = |depth: usize| {
            let mut body = vec![0x1b; depth];
            body.extend(vec![0x1c; depth]);
            request(&body)
        };
        assert_eq!(nested(MAX_GROUP_DEPTH + 1), Ok(msg(&[], &[])));
        assert_eq!(
            nested(MAX_GROUP_DEPTH + 2),
            Err(Acp118Error::GroupDepth { offset: 1 + MAX_GROUP_DEPTH + 1 })
        );
        // The response decodes by the same rules; an explicit empty signature is none.
        assert_eq!(decode_signature_response(&[0x0a, 0x00]).unwrap(), None);
        assert_eq!(
            decode_signature_response(&[0x0c]).unwrap_err(),
            Acp118Error::EndGroup { field: 1, open: None, offset: 0 }
        );
    }
}
