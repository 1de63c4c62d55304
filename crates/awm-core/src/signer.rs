//! A validator's warp signer (`warp.Signer`): signs only messages of its own network
//! and its own chain, whatever the caller asks.

use thiserror::Error;

use crate::bls::{HashedMessage, PublicKey, SecretKey, Signature};
use crate::ids::ChainId;
use crate::message::UnsignedMessage;

/// Why a signer refused a message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum SignerError {
    /// The message names another source chain (`ErrWrongSourceChainID`).
    #[error("message source chain {actual} is not this signer's chain {expected}")]
    WrongSourceChainId {
        /// The signer's chain.
        expected: ChainId,
        /// The message's source chain.
        actual: ChainId,
    },
    /// The message is for another network (`ErrWrongNetworkID`).
    #[error("message network ID {actual} is not this signer's network ID {expected}")]
    WrongNetworkId {
        /// The signer's network.
        expected: u32,
        /// The message's network.
        actual: u32,
    },
}

/// Signs warp messages for one chain of one network with one validator's key.
#[derive(Debug, Clone)]
pub struct Signer {
    secret_key: SecretKey,
    network_id: u32,
    chain_id: ChainId,
}

impl Signer {
    /// A signer for `chain_id` on `network_id`.
    pub fn new(secret_key: SecretKey, network_id: u32, chain_id: ChainId) -> Self {
        Self { secret_key, network_id, chain_id }
    }

    /// The validator's public key.
    pub fn public_key(&self) -> PublicKey {
        self.secret_key.public_key()
    }

    /// The network this signer signs for.
    pub fn network_id(&self) -> u32 {
        self.network_id
    }

    /// The chain this signer signs for.
    pub fn chain_id(&self) -> ChainId {
        self.chain_id
    }

    /// Signs the message's bytes, refusing (in the reference's order) another source
    /// chain, then another network.
    pub fn sign(&self, msg: &UnsignedMessage) -> Result<Signature, SignerError> {
        self.check(msg)?;
        Ok(self.secret_key.sign(&msg.to_bytes()))
    }

    /// [`Signer::sign`] from the message's hash, `HashedMessage::new(&msg.to_bytes())`,
    /// which validators sharing a process compute once (the same signature).
    /// **Variable time**: only for keys whose secrecy does not matter (a
    /// devnet's, a test's).
    pub fn sign_hashed_vartime(
        &self,
        msg: &UnsignedMessage,
        hashed: &HashedMessage,
    ) -> Result<Signature, SignerError> {
        self.check(msg)?;
        Ok(self.secret_key.sign_hashed_vartime(hashed))
    }

    fn check(&self, msg: &UnsignedMessage) -> Result<(), SignerError> {
        if msg.source_chain_id() != self.chain_id {
            return Err(SignerError::WrongSourceChainId {
                expected: self.chain_id,
                actual: msg.source_chain_id(),
            });
        }
        if msg.network_id() != self.network_id {
            return Err(SignerError::WrongNetworkId { expected: self.network_id, actual: msg.network_id() });
        }
        Ok(())
    }
}
