//! Avalanche identifiers: 32-byte IDs (chains, subnets, messages) and 20-byte node IDs.
//!
//! Text forms follow avalanchego: an [`Id`] prints as CB58 (base58 of the bytes
//! followed by the last four bytes of their SHA-256) and parses from CB58 or
//! `0x`-prefixed hex; a [`NodeId`] prints and parses as `NodeID-<cb58>`.

use core::fmt;
use core::str::FromStr;

use sha2::{Digest, Sha256};
use thiserror::Error;

/// Length of the CB58 checksum.
const CHECKSUM_LEN: usize = 4;
/// Prefix of a node ID's text form.
pub const NODE_ID_PREFIX: &str = "NodeID-";

/// Why a text ID could not be parsed.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum IdError {
    /// The hex digits are not valid hex.
    #[error("invalid hex: {0}")]
    Hex(String),
    /// The text is not valid base58.
    #[error("invalid cb58: {0}")]
    Base58(String),
    /// The CB58 checksum does not match.
    #[error("cb58 checksum mismatch")]
    Checksum,
    /// The decoded bytes have the wrong length.
    #[error("expected {expected} bytes, got {actual}")]
    Length {
        /// Length of the ID type.
        expected: usize,
        /// Length decoded.
        actual: usize,
    },
    /// A node ID did not start with `NodeID-`.
    #[error("node ID must start with \"NodeID-\": {0:?}")]
    MissingNodeIdPrefix(String),
}

/// Encodes bytes as CB58: base58 of the bytes followed by the last 4 bytes of their SHA-256.
pub fn cb58_encode(bytes: &[u8]) -> String {
    let digest = Sha256::digest(bytes);
    let mut data = Vec::with_capacity(bytes.len().saturating_add(CHECKSUM_LEN));
    data.extend_from_slice(bytes);
    data.extend_from_slice(digest.get(digest.len().saturating_sub(CHECKSUM_LEN)..).unwrap_or(&[]));
    bs58::encode(data).into_string()
}

/// Decodes CB58 text, checking its checksum.
pub fn cb58_decode(text: &str) -> Result<Vec<u8>, IdError> {
    let mut data = bs58::decode(text).into_vec().map_err(|e| IdError::Base58(e.to_string()))?;
    let split = data.len().checked_sub(CHECKSUM_LEN).ok_or(IdError::Checksum)?;
    let checksum = data.split_off(split);
    let digest = Sha256::digest(&data);
    if digest.get(digest.len().saturating_sub(CHECKSUM_LEN)..) != Some(checksum.as_slice()) {
        return Err(IdError::Checksum);
    }
    Ok(data)
}

/// Decodes `0x`-prefixed (or bare) hex into exactly `N` bytes.
pub fn hex_to_array<const N: usize>(text: &str) -> Result<[u8; N], IdError> {
    let digits = text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).unwrap_or(text);
    let bytes = hex::decode(digits).map_err(|e| IdError::Hex(e.to_string()))?;
    <[u8; N]>::try_from(bytes.as_slice()).map_err(|_| IdError::Length { expected: N, actual: bytes.len() })
}

fn to_array<const N: usize>(bytes: &[u8]) -> Result<[u8; N], IdError> {
    <[u8; N]>::try_from(bytes).map_err(|_| IdError::Length { expected: N, actual: bytes.len() })
}

/// A 32-byte Avalanche ID (`ids.ID`): blockchain IDs, subnet IDs, message IDs.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Id(pub [u8; 32]);

/// A blockchain ID: the hash of the P-Chain transaction that created the chain
/// (not the EVM chain ID). The P-Chain's own ID is [`Id::EMPTY`].
pub type ChainId = Id;
/// A subnet ID. The primary network's is [`Id::EMPTY`].
pub type SubnetId = Id;

impl Id {
    /// The all-zero ID: the P-Chain's blockchain ID and the primary network's subnet ID.
    pub const EMPTY: Self = Self([0; 32]);
    /// The P-Chain's blockchain ID.
    pub const P_CHAIN: Self = Self::EMPTY;
    /// The primary network's subnet ID.
    pub const PRIMARY_NETWORK: Self = Self::EMPTY;

    /// The raw bytes.
    pub const fn as_bytes(&self) -> &[u8; 32] {
        &self.0
    }

    /// `0x`-prefixed lowercase hex.
    pub fn to_hex(&self) -> String {
        format!("0x{}", hex::encode(self.0))
    }

    /// Parses `0x`-prefixed hex or CB58.
    pub fn parse(text: &str) -> Result<Self, IdError> {
        if text.starts_with("0x") || text.starts_with("0X") {
            return hex_to_array(text).map(Self);
        }
        to_array(&cb58_decode(text)?).map(Self)
    }
}

impl From<[u8; 32]> for Id {
    fn from(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }
}

impl fmt::Display for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&cb58_encode(&self.0))
    }
}

impl fmt::Debug for Id {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Id({})", self.to_hex())
    }
}

impl FromStr for Id {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

/// A 20-byte node ID (`ids.NodeID`), written `NodeID-<cb58>`.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct NodeId(pub [u8; 20]);

impl NodeId {
    /// The all-zero node ID, used for the ACP-77 inactive-weight pseudo-validator.
    pub const EMPTY: Self = Self([0; 20]);

    /// The raw bytes.
    pub const fn as_bytes(&self) -> &[u8; 20] {
        &self.0
    }

    /// Parses `NodeID-<cb58>`.
    pub fn parse(text: &str) -> Result<Self, IdError> {
        let body =
            text.strip_prefix(NODE_ID_PREFIX).ok_or_else(|| IdError::MissingNodeIdPrefix(text.to_owned()))?;
        to_array(&cb58_decode(body)?).map(Self)
    }
}

impl From<[u8; 20]> for NodeId {
    fn from(bytes: [u8; 20]) -> Self {
        Self(bytes)
    }
}

impl fmt::Display for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{NODE_ID_PREFIX}{}", cb58_encode(&self.0))
    }
}

impl fmt::Debug for NodeId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

impl FromStr for NodeId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::parse(s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_id_is_the_well_known_cb58() {
        // avalanchego prints the P-Chain ID (ids.Empty) as this string.
        assert_eq!(Id::EMPTY.to_string(), "11111111111111111111111111111111LpoYY");
        assert_eq!(Id::parse("11111111111111111111111111111111LpoYY").unwrap(), Id::EMPTY);
    }

    #[test]
    fn empty_node_id_is_the_well_known_text() {
        assert_eq!(NodeId::EMPTY.to_string(), "NodeID-111111111111111111116DBWJs");
        assert_eq!(NodeId::parse("NodeID-111111111111111111116DBWJs").unwrap(), NodeId::EMPTY);
    }

    #[test]
    fn local_network_node_id_parses() {
        // avalanchego's first local staking node (staking/local/staker1).
        let id = NodeId::parse("NodeID-7Xhw2mDxuDS44j42TCB6U5579esbSt3Lg").unwrap();
        assert_eq!(id.to_string(), "NodeID-7Xhw2mDxuDS44j42TCB6U5579esbSt3Lg");
    }

    #[test]
    fn bad_text_gives_typed_errors() {
        assert_eq!(Id::parse("11111111111111111111111111111111LpoYZ").unwrap_err(), IdError::Checksum);
        assert!(matches!(Id::parse("0x1234").unwrap_err(), IdError::Length { expected: 32, actual: 2 }));
        assert!(matches!(Id::parse("0xzz").unwrap_err(), IdError::Hex(_)));
        assert!(matches!(Id::parse("0OIl").unwrap_err(), IdError::Base58(_)));
        assert!(matches!(NodeId::parse("7Xhw2mDx").unwrap_err(), IdError::MissingNodeIdPrefix(_)));
        assert_eq!(Id::parse("").unwrap_err(), IdError::Checksum);
    }

    #[test]
    fn hex_round_trip() {
        let id = Id([0xab; 32]);
        assert_eq!(Id::parse(&id.to_hex()).unwrap(), id);
        assert_eq!(Id::parse(&id.to_string()).unwrap(), id);
    }
}
