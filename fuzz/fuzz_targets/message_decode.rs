//! Message and payload decoding on arbitrary bytes: signed and unsigned warp
//! messages, `Hash` / `AddressedCall` payloads, P-Chain (ACP-77) payloads and
//! ACP-118 request/response bodies. Nothing may panic, and every accepted input
//! must re-encode to exactly the same bytes (the codec is canonical) and parse
//! back to the same value.
#![no_main]

use awm_core::acp118::{decode_signature_request, decode_signature_response};
use awm_core::pchain::PChainPayload;
use awm_core::{AddressedCall, Hash, Message, Payload, UnsignedMessage, MAX_PAYLOAD_SIZE};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(message) = Message::parse(data) {
        let bytes = message.to_bytes();
        assert_eq!(bytes, data, "signed message re-encodes differently");
        assert_eq!(message.encoded_len(), data.len());
        assert!(
            data.starts_with(&message.unsigned().to_bytes()),
            "the signed message starts with the unsigned one"
        );
        assert_eq!(Message::parse(&bytes).ok(), Some(message.clone()));
        let _ = message.id();
        let _ = message.signature().signers().num_signers();
    }
    if let Ok(unsigned) = UnsignedMessage::parse(data) {
        assert_eq!(unsigned.to_bytes(), data, "unsigned message re-encodes differently");
        assert_eq!(unsigned.encoded_len(), data.len());
        assert_eq!(UnsignedMessage::parse(&unsigned.to_bytes()).ok(), Some(unsigned.clone()));
        let _ = unsigned.parsed_payload();
    }
    match Payload::parse(data) {
        Ok(payload) => {
            assert!(data.len() <= MAX_PAYLOAD_SIZE, "a payload over 24 KiB parsed");
            assert_eq!(payload.to_bytes(), data, "payload re-encodes differently");
            match &payload {
                Payload::Hash(h) => assert_eq!(Hash::parse(data).ok(), Some(*h)),
                Payload::AddressedCall(call) => {
                    assert_eq!(AddressedCall::parse(data).ok().as_ref(), Some(call));
                    let sender = call.origin_sender_address();
                    let source = call.source_address();
                    let tail = &source[source.len().saturating_sub(20)..];
                    assert_eq!(&sender[20 - tail.len()..], tail, "sender is the last 20 bytes");
                }
            }
        }
        Err(_) => {
            assert!(Hash::parse(data).is_err());
            assert!(AddressedCall::parse(data).is_err());
        }
    }
    if let Ok(payload) = PChainPayload::parse(data) {
        assert_eq!(payload.to_bytes().ok().as_deref(), Some(data), "P-Chain payload re-encodes differently");
    }
    let _ = decode_signature_request(data);
    let _ = decode_signature_response(data);
});
