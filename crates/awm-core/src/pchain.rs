//! The P-Chain's ACP-77 warp payloads (`vms/platformvm/warp/message`), carried
//! inside an [`AddressedCall`](crate::AddressedCall) with an empty source address.
//!
//! Each is its own codec blob: version `00 00`, a `u32` type ID, the fields.
//!
//! | type | type ID | fields |
//! |---|---|---|
//! | [`SubnetToL1Conversion`] | 0 | conversion ID (32) |
//! | [`RegisterL1Validator`] | 1 | subnet ID (32), node ID (`[]byte`), BLS key (48), expiry `u64`, two [`PChainOwner`]s, weight `u64` |
//! | [`L1ValidatorRegistration`] | 2 | validation ID (32), registered `bool` |
//! | [`L1ValidatorWeight`] | 3 | validation ID (32), nonce `u64`, weight `u64` |
//!
//! A conversion ID is SHA-256 of the encoded [`SubnetToL1ConversionData`]; a
//! validation ID is SHA-256 of an encoded [`RegisterL1Validator`].

use sha2::{Digest, Sha256};

use crate::bls::PUBLIC_KEY_LEN;
use crate::codec::{CodecError, Packer, Unpacker};
use crate::ids::{ChainId, Id, SubnetId};

/// Type ID of [`SubnetToL1Conversion`].
pub const SUBNET_TO_L1_CONVERSION_TYPE_ID: u32 = 0;
/// Type ID of [`RegisterL1Validator`].
pub const REGISTER_L1_VALIDATOR_TYPE_ID: u32 = 1;
/// Type ID of [`L1ValidatorRegistration`].
pub const L1_VALIDATOR_REGISTRATION_TYPE_ID: u32 = 2;
/// Type ID of [`L1ValidatorWeight`].
pub const L1_VALIDATOR_WEIGHT_TYPE_ID: u32 = 3;

/// The P-Chain attests that a subnet converted to an L1 with this conversion ID.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubnetToL1Conversion {
    /// SHA-256 of the encoded [`SubnetToL1ConversionData`].
    pub id: Id,
}

/// A P-Chain address list with a signing threshold.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct PChainOwner {
    /// Signatures required.
    pub threshold: u32,
    /// 20-byte P-Chain addresses.
    pub addresses: Vec<[u8; 20]>,
}

/// An L1 validator manager asks the P-Chain to register a validator.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterL1Validator {
    /// The L1's subnet ID.
    pub subnet_id: SubnetId,
    /// The node ID, as bytes (20 for today's node IDs).
    pub node_id: Vec<u8>,
    /// The compressed BLS key.
    pub bls_public_key: [u8; PUBLIC_KEY_LEN],
    /// Unix time after which the registration can no longer be issued.
    pub expiry: u64,
    /// Who receives the remaining balance when the validator leaves.
    pub remaining_balance_owner: PChainOwner,
    /// Who may disable the validator.
    pub disable_owner: PChainOwner,
    /// Stake weight.
    pub weight: u64,
}

impl RegisterL1Validator {
    /// The validation ID: SHA-256 of this payload's encoding.
    pub fn validation_id(&self) -> Result<Id, CodecError> {
        Ok(Id(Sha256::digest(PChainPayload::RegisterL1Validator(self.clone()).to_bytes()?).into()))
    }
}

/// The P-Chain attests whether a validation ID is (or will never be) registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L1ValidatorRegistration {
    /// The validation ID.
    pub validation_id: Id,
    /// True when registered; false when it never will be (or was removed).
    pub registered: bool,
}

/// A weight change of an L1 validator (from the manager, or acknowledged by the P-Chain).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct L1ValidatorWeight {
    /// The validation ID.
    pub validation_id: Id,
    /// Strictly increasing per validation ID.
    pub nonce: u64,
    /// The new weight (0 removes the validator).
    pub weight: u64,
}

/// One initial validator of a subnet-to-L1 conversion.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubnetToL1ConversionValidatorData {
    /// The node ID, as bytes.
    pub node_id: Vec<u8>,
    /// The compressed BLS key.
    pub bls_public_key: [u8; PUBLIC_KEY_LEN],
    /// Stake weight.
    pub weight: u64,
}

/// What a subnet-to-L1 conversion committed to; its hash is the conversion ID.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubnetToL1ConversionData {
    /// The converted subnet.
    pub subnet_id: SubnetId,
    /// The chain hosting the validator manager.
    pub manager_chain_id: ChainId,
    /// The validator manager's address on that chain.
    pub manager_address: Vec<u8>,
    /// The initial validators.
    pub validators: Vec<SubnetToL1ConversionValidatorData>,
}

impl SubnetToL1ConversionData {
    /// The codec encoding (version prefix, no type ID).
    pub fn to_bytes(&self) -> Result<Vec<u8>, CodecError> {
        let mut p = Packer::with_version(128);
        p.raw(self.subnet_id.as_bytes());
        p.raw(self.manager_chain_id.as_bytes());
        p.bytes(&self.manager_address)?;
        p.slice_len(self.validators.len())?;
        for v in &self.validators {
            p.bytes(&v.node_id)?;
            p.raw(&v.bls_public_key);
            p.u64(v.weight);
        }
        Ok(p.into_bytes())
    }

    /// The conversion ID: SHA-256 of the encoding.
    pub fn conversion_id(&self) -> Result<Id, CodecError> {
        Ok(Id(Sha256::digest(self.to_bytes()?).into()))
    }
}

/// Any ACP-77 P-Chain payload.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PChainPayload {
    /// Type ID 0.
    SubnetToL1Conversion(SubnetToL1Conversion),
    /// Type ID 1.
    RegisterL1Validator(RegisterL1Validator),
    /// Type ID 2.
    L1ValidatorRegistration(L1ValidatorRegistration),
    /// Type ID 3.
    L1ValidatorWeight(L1ValidatorWeight),
}

fn unpack_owner(u: &mut Unpacker<'_>) -> Result<PChainOwner, CodecError> {
    Ok(PChainOwner { threshold: u.u32()?, addresses: u.array_list()? })
}

fn pack_owner(p: &mut Packer, owner: &PChainOwner) -> Result<(), CodecError> {
    p.u32(owner.threshold);
    p.array_list(&owner.addresses)
}

impl PChainPayload {
    /// Decodes a P-Chain payload: version, type ID, fields, no trailing bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut u = Unpacker::with_version(bytes, usize::MAX)?;
        let payload = match u.u32()? {
            SUBNET_TO_L1_CONVERSION_TYPE_ID => {
                Self::SubnetToL1Conversion(SubnetToL1Conversion { id: Id(u.array()?) })
            }
            REGISTER_L1_VALIDATOR_TYPE_ID => Self::RegisterL1Validator(RegisterL1Validator {
                subnet_id: Id(u.array()?),
                node_id: u.bytes()?.to_vec(),
                bls_public_key: u.array()?,
                expiry: u.u64()?,
                remaining_balance_owner: unpack_owner(&mut u)?,
                disable_owner: unpack_owner(&mut u)?,
                weight: u.u64()?,
            }),
            L1_VALIDATOR_REGISTRATION_TYPE_ID => Self::L1ValidatorRegistration(L1ValidatorRegistration {
                validation_id: Id(u.array()?),
                registered: u.bool()?,
            }),
            L1_VALIDATOR_WEIGHT_TYPE_ID => Self::L1ValidatorWeight(L1ValidatorWeight {
                validation_id: Id(u.array()?),
                nonce: u.u64()?,
                weight: u.u64()?,
            }),
            type_id => return Err(CodecError::UnknownTypeId { type_id, what: "P-Chain payload" }),
        };
        u.finish()?;
        Ok(payload)
    }

    /// Encodes the payload; fails only when a list is longer than the codec allows.
    pub fn to_bytes(&self) -> Result<Vec<u8>, CodecError> {
        let mut p = Packer::with_version(64);
        match self {
            Self::SubnetToL1Conversion(m) => {
                p.u32(SUBNET_TO_L1_CONVERSION_TYPE_ID);
                p.raw(m.id.as_bytes());
            }
            Self::RegisterL1Validator(m) => {
                p.u32(REGISTER_L1_VALIDATOR_TYPE_ID);
                p.raw(m.subnet_id.as_bytes());
                p.bytes(&m.node_id)?;
                p.raw(&m.bls_public_key);
                p.u64(m.expiry);
                pack_owner(&mut p, &m.remaining_balance_owner)?;
                pack_owner(&mut p, &m.disable_owner)?;
                p.u64(m.weight);
            }
            Self::L1ValidatorRegistration(m) => {
                p.u32(L1_VALIDATOR_REGISTRATION_TYPE_ID);
                p.raw(m.validation_id.as_bytes());
                p.bool(m.registered);
            }
            Self::L1ValidatorWeight(m) => {
                p.u32(L1_VALIDATOR_WEIGHT_TYPE_ID);
                p.raw(m.validation_id.as_bytes());
                p.u64(m.nonce);
                p.u64(m.weight);
            }
        }
        Ok(p.into_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` bytes counting up from `start`, as the Go test vectors are written.
    fn seq(start: u8, n: usize) -> Vec<u8> {
        (0..n).map(|i| start.wrapping_add(i as u8)).collect()
    }

    fn arr<const N: usize>(start: u8) -> [u8; N] {
        seq(start, N).try_into().unwrap()
    }

    fn check(bytes: Vec<u8>, expected: PChainPayload) {
        assert_eq!(PChainPayload::parse(&bytes).unwrap(), expected);
        assert_eq!(expected.to_bytes().unwrap(), bytes);
    }

    #[test]
    fn go_vectors() {
        // avalanchego vms/platformvm/warp/message/payload_test.go, TestParse.
        check(
            [vec![0, 0, 0, 0, 0, 0], seq(0x01, 32)].concat(),
            PChainPayload::SubnetToL1Conversion(SubnetToL1Conversion { id: Id(arr(0x01)) }),
        );
        check(
            [
                vec![0, 0, 0, 0, 0, 1],
                seq(0x01, 32),
                vec![0, 0, 0, 0x14],
                seq(0x21, 20),
                seq(0x35, 48),
                seq(0x65, 8),
                seq(0x6d, 4),
                vec![0, 0, 0, 1],
                seq(0x71, 20),
                seq(0x85, 4),
                vec![0, 0, 0, 1],
                seq(0x89, 20),
                seq(0x9d, 8),
            ]
            .concat(),
            PChainPayload::RegisterL1Validator(RegisterL1Validator {
                subnet_id: Id(arr(0x01)),
                node_id: seq(0x21, 20),
                bls_public_key: arr(0x35),
                expiry: 0x6566_6768_696a_6b6c,
                remaining_balance_owner: PChainOwner { threshold: 0x6d6e_6f70, addresses: vec![arr(0x71)] },
                disable_owner: PChainOwner { threshold: 0x8586_8788, addresses: vec![arr(0x89)] },
                weight: 0x9d9e_9fa0_a1a2_a3a4,
            }),
        );
        check(
            [vec![0, 0, 0, 0, 0, 2], seq(0x01, 32), vec![0]].concat(),
            PChainPayload::L1ValidatorRegistration(L1ValidatorRegistration {
                validation_id: Id(arr(0x01)),
                registered: false,
            }),
        );
        check(
            [vec![0, 0, 0, 0, 0, 3], seq(0x01, 32), seq(0x21, 8), seq(0x29, 8)].concat(),
            PChainPayload::L1ValidatorWeight(L1ValidatorWeight {
                validation_id: Id(arr(0x01)),
                nonce: 0x2122_2324_2526_2728,
                weight: 0x292a_2b2c_2d2e_2f30,
            }),
        );
        assert_eq!(
            PChainPayload::parse(&[255, 255, 255, 255]).unwrap_err(),
            CodecError::UnknownVersion(0xffff)
        );
    }

    #[test]
    fn conversion_id_hashes_the_encoding() {
        // avalanchego subnet_to_l1_conversion_test.go, TestSubnetToL1ConversionID.
        let data = SubnetToL1ConversionData {
            subnet_id: Id(arr(0x01)),
            manager_chain_id: Id(arr(0x21)),
            manager_address: vec![0x41],
            validators: vec![SubnetToL1ConversionValidatorData {
                node_id: seq(0x42, 20),
                bls_public_key: arr(0x56),
                weight: 0x8687_8889_8a8b_8c8d,
            }],
        };
        let bytes = [
            vec![0, 0],
            seq(0x01, 32),
            seq(0x21, 32),
            vec![0, 0, 0, 1, 0x41, 0, 0, 0, 1, 0, 0, 0, 0x14],
            seq(0x42, 20),
            seq(0x56, 48),
            seq(0x86, 8),
        ]
        .concat();
        assert_eq!(data.to_bytes().unwrap(), bytes);
        assert_eq!(data.conversion_id().unwrap(), Id(Sha256::digest(&bytes).into()));
    }

    #[test]
    fn bad_bool_and_type_are_refused() {
        let mut reg = [vec![0, 0, 0, 0, 0, 2], seq(0x01, 32), vec![2]].concat();
        assert_eq!(PChainPayload::parse(&reg).unwrap_err(), CodecError::InvalidBool(2));
        reg[5] = 4;
        assert_eq!(
            PChainPayload::parse(&reg).unwrap_err(),
            CodecError::UnknownTypeId { type_id: 4, what: "P-Chain payload" }
        );
    }
}
