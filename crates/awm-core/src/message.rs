//! Warp messages (`vms/platformvm/warp`): the unsigned message that validators
//! sign, the [`BitSetSignature`] over it, and the signed [`Message`].
//!
//! | structure | layout (after the `00 00` version, which only the top level has) |
//! |---|---|
//! | [`UnsignedMessage`] | `networkID` u32 · `sourceChainID` 32 bytes · `payload` (u32 len + bytes) |
//! | [`BitSetSignature`] | type ID `00 00 00 00` · `signers` (u32 len + bytes) · 96-byte compressed G2 signature |
//! | [`Message`] | the unsigned message's fields, then the signature |
//!
//! The message ID is SHA-256 of the unsigned message's bytes, version included;
//! BLS signs those same bytes. A signed message starts with its unsigned bytes.

use sha2::{Digest, Sha256};

use crate::bitset::SignerBitSet;
use crate::bls::SIGNATURE_LEN;
use crate::codec::{slice_len, CodecError, Packer, Unpacker};
use crate::ids::{ChainId, Id};
use crate::payload::Payload;

/// Type ID of [`BitSetSignature`] in the warp codec's `Signature` interface.
pub const BIT_SET_SIGNATURE_TYPE_ID: u32 = 0;
/// Length of an unsigned message without its payload: version, network ID, chain ID, length.
pub const UNSIGNED_MESSAGE_OVERHEAD: usize = 2 + 4 + 32 + 4;
/// Length of a [`BitSetSignature`] without its signer bytes: type ID, length, signature.
pub const BIT_SET_SIGNATURE_OVERHEAD: usize = 4 + 4 + SIGNATURE_LEN;

/// The bytes validators sign: a payload from a source chain on a network.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct UnsignedMessage {
    network_id: u32,
    source_chain_id: ChainId,
    payload: Vec<u8>,
}

impl UnsignedMessage {
    /// Builds a message; the payload length must fit the codec (at most `i32::MAX`).
    pub fn new(network_id: u32, source_chain_id: ChainId, payload: Vec<u8>) -> Result<Self, CodecError> {
        slice_len(payload.len())?;
        Ok(Self { network_id, source_chain_id, payload })
    }

    /// The Avalanche network ID (mainnet 1, Fuji 5, local 12345).
    pub fn network_id(&self) -> u32 {
        self.network_id
    }

    /// The blockchain that sent the message.
    pub fn source_chain_id(&self) -> ChainId {
        self.source_chain_id
    }

    /// The raw payload bytes.
    pub fn payload(&self) -> &[u8] {
        &self.payload
    }

    /// Parses the payload as a warp [`Payload`].
    pub fn parsed_payload(&self) -> Result<Payload, CodecError> {
        Payload::parse(&self.payload)
    }

    /// Encoded length: 42 + payload length.
    pub fn encoded_len(&self) -> usize {
        UNSIGNED_MESSAGE_OVERHEAD.saturating_add(self.payload.len())
    }

    fn pack(&self, p: &mut Packer) {
        p.u32(self.network_id);
        p.raw(self.source_chain_id.as_bytes());
        // Bounded by `new` and `unpack`.
        p.u32(self.payload.len() as u32);
        p.raw(&self.payload);
    }

    fn unpack(u: &mut Unpacker<'_>) -> Result<Self, CodecError> {
        let network_id = u.u32()?;
        let source_chain_id = Id(u.array()?);
        let payload = u.bytes()?.to_vec();
        Ok(Self { network_id, source_chain_id, payload })
    }

    /// The encoded bytes: what validators sign and what the ID hashes.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut p = Packer::with_version(self.encoded_len());
        self.pack(&mut p);
        p.into_bytes()
    }

    /// Decodes an unsigned message (`ParseUnsignedMessage`).
    pub fn parse(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut u = Unpacker::with_version(bytes, usize::MAX)?;
        let msg = Self::unpack(&mut u)?;
        u.finish()?;
        Ok(msg)
    }

    /// The message ID: SHA-256 of the encoded bytes.
    pub fn id(&self) -> Id {
        Id(Sha256::digest(self.to_bytes()).into())
    }
}

/// An aggregate BLS signature with the bitset of canonical validators who signed.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct BitSetSignature {
    signers: SignerBitSet,
    signature: [u8; SIGNATURE_LEN],
}

impl BitSetSignature {
    /// Builds a signature from a signer bitset and compressed aggregate signature bytes.
    pub fn new(signers: SignerBitSet, signature: [u8; SIGNATURE_LEN]) -> Self {
        Self { signers, signature }
    }

    /// The signer bitset, as carried (canonical or not).
    pub fn signers(&self) -> &SignerBitSet {
        &self.signers
    }

    /// The compressed aggregate signature bytes, unparsed.
    pub fn signature(&self) -> &[u8; SIGNATURE_LEN] {
        &self.signature
    }

    /// Encoded length (type ID included): 104 + signer bytes.
    pub fn encoded_len(&self) -> usize {
        BIT_SET_SIGNATURE_OVERHEAD.saturating_add(self.signers.as_bytes().len())
    }

    fn pack(&self, p: &mut Packer) {
        p.u32(BIT_SET_SIGNATURE_TYPE_ID);
        // Bounded by `SignerBitSet`'s constructors.
        p.u32(self.signers.as_bytes().len() as u32);
        p.raw(self.signers.as_bytes());
        p.raw(&self.signature);
    }

    fn unpack(u: &mut Unpacker<'_>) -> Result<Self, CodecError> {
        match u.u32()? {
            BIT_SET_SIGNATURE_TYPE_ID => {}
            type_id => return Err(CodecError::UnknownTypeId { type_id, what: "warp signature" }),
        }
        let signers = SignerBitSet::from_bytes(u.bytes()?.to_vec())?;
        let signature = u.array()?;
        Ok(Self { signers, signature })
    }
}

/// A signed warp message: what a relayer delivers inside a predicate.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Message {
    unsigned: UnsignedMessage,
    signature: BitSetSignature,
}

impl Message {
    /// Joins an unsigned message and its signature.
    pub fn new(unsigned: UnsignedMessage, signature: BitSetSignature) -> Self {
        Self { unsigned, signature }
    }

    /// The signed content.
    pub fn unsigned(&self) -> &UnsignedMessage {
        &self.unsigned
    }

    /// The signature.
    pub fn signature(&self) -> &BitSetSignature {
        &self.signature
    }

    /// The message ID (of the unsigned part).
    pub fn id(&self) -> Id {
        self.unsigned.id()
    }

    /// Splits into the unsigned message and the signature.
    pub fn into_parts(self) -> (UnsignedMessage, BitSetSignature) {
        (self.unsigned, self.signature)
    }

    /// Encoded length: 42 + payload + 104 + signer bytes.
    pub fn encoded_len(&self) -> usize {
        self.unsigned.encoded_len().saturating_add(self.signature.encoded_len())
    }

    /// Encodes the signed message.
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut p = Packer::with_version(self.encoded_len());
        self.unsigned.pack(&mut p);
        self.signature.pack(&mut p);
        p.into_bytes()
    }

    /// Decodes a signed message (`ParseMessage`).
    pub fn parse(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut u = Unpacker::with_version(bytes, usize::MAX)?;
        let unsigned = UnsignedMessage::unpack(&mut u)?;
        let signature = BitSetSignature::unpack(&mut u)?;
        u.finish()?;
        Ok(Self { unsigned, signature })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::payload::{AddressedCall, Hash};

    fn sample() -> UnsignedMessage {
        let payload = AddressedCall::new(vec![0xaa; 20], b"hello".to_vec()).unwrap().to_bytes();
        UnsignedMessage::new(12345, Id([7; 32]), payload).unwrap()
    }

    #[test]
    fn unsigned_layout() {
        let msg = sample();
        let bytes = msg.to_bytes();
        assert_eq!(bytes.len(), 42 + msg.payload().len());
        assert_eq!(&bytes[..2], &[0, 0]);
        assert_eq!(&bytes[2..6], &12345u32.to_be_bytes());
        assert_eq!(&bytes[6..38], &[7; 32]);
        assert_eq!(&bytes[38..42], &(msg.payload().len() as u32).to_be_bytes());
        assert_eq!(UnsignedMessage::parse(&bytes).unwrap(), msg);
        let id: [u8; 32] = Sha256::digest(&bytes).into();
        assert_eq!(msg.id(), Id(id));
    }

    #[test]
    fn message_id_known_answer() {
        // Independently computed: sha256 of 0000 00003039 (32 x 00) 00000026 + Hash{0x11..} payload.
        let payload = Hash { hash: Id([0x11; 32]) }.to_bytes();
        let msg = UnsignedMessage::new(12345, Id::EMPTY, payload).unwrap();
        let bytes = msg.to_bytes();
        let expected_hex =
            ["0000", "00003039", &"00".repeat(32), "00000026", "000000000000", &"11".repeat(32)].concat();
        assert_eq!(hex::encode(&bytes), expected_hex);
    }

    #[test]
    fn signed_starts_with_unsigned() {
        let unsigned = sample();
        let sig = BitSetSignature::new(SignerBitSet::from_indices([0, 9]), [0xc0; 96]);
        let msg = Message::new(unsigned.clone(), sig);
        let bytes = msg.to_bytes();
        let ub = unsigned.to_bytes();
        assert!(bytes.starts_with(&ub));
        assert_eq!(&bytes[ub.len()..ub.len() + 4], &[0, 0, 0, 0]);
        assert_eq!(&bytes[ub.len() + 4..ub.len() + 8], &[0, 0, 0, 2]);
        assert_eq!(&bytes[ub.len() + 8..ub.len() + 10], &[0x02, 0x01]);
        assert_eq!(bytes.len(), 42 + unsigned.payload().len() + 104 + 2);
        assert_eq!(Message::parse(&bytes).unwrap(), msg);
        assert_eq!(msg.id(), unsigned.id());
    }

    #[test]
    fn signed_decoding_errors() {
        let msg = Message::new(sample(), BitSetSignature::new(SignerBitSet::from_indices([1]), [1; 96]));
        let bytes = msg.to_bytes();
        let tid = sample().encoded_len();
        let mut bad_type = bytes.clone();
        bad_type[tid + 3] = 1;
        assert_eq!(
            Message::parse(&bad_type).unwrap_err(),
            CodecError::UnknownTypeId { type_id: 1, what: "warp signature" }
        );
        let mut trailing = bytes.clone();
        trailing.push(0);
        assert_eq!(Message::parse(&trailing).unwrap_err(), CodecError::TrailingBytes { count: 1 });
        assert!(matches!(
            Message::parse(&bytes[..bytes.len() - 1]).unwrap_err(),
            CodecError::ShortInput { .. }
        ));
        assert_eq!(Message::parse(&[0, 1, 2]).unwrap_err(), CodecError::UnknownVersion(1));
        // An unsigned message followed by anything is not an unsigned message.
        assert_eq!(UnsignedMessage::parse(&bytes).unwrap_err(), CodecError::TrailingBytes { count: 104 + 1 });
    }
}
