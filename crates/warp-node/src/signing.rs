//! One validator's signing service: what it agrees to sign, answered over
//! ACP-118.
//!
//! On block accept ([`SigningService::accept`]), the block's `SendWarpMessage`
//! logs (emitted by the precompile's address) become signable: message ID →
//! unsigned bytes, as the reference's accept hook fills its warp database. A
//! request ([`SigningService::handle`]) then follows the reference handler:
//!
//! 1. decode the ACP-118 `SignatureRequest` (else [`Refusal::Request`]);
//! 2. parse the unsigned message (else [`Refusal::Parse`]);
//! 3. answer from the signature cache (by message ID) if it holds one;
//! 4. sign only a stored message, or a `Hash` payload naming an accepted block
//!    of this chain ([`Refusal::UnknownMessage`], [`Refusal::NotAccepted`]);
//! 5. the signer enforces network and chain ([`Refusal::Signer`]);
//! 6. cache the signature and answer with an ACP-118 `SignatureResponse`.
//!
//! Refusals carry the codes of the reference's SAE verifier, as an ACP-118
//! `AppError` would.

use std::collections::{HashMap, HashSet};
use std::sync::{PoisonError, RwLock};

use alloy_primitives::B256;
use alloy_sol_types::SolEvent;
use awm_core::acp118::{decode_signature_request, encode_signature_response, Acp118Error};
use awm_core::bls::{PublicKey, SIGNATURE_LEN};
use awm_core::{CodecError, Id, NodeId, Payload, Signer, SignerError, UnsignedMessage};
use thiserror::Error;
use warp_precompile::IWarpMessenger;
use warp_predicate::WARP_ADDRESS;

use crate::block::{Block, Receipt};

/// The ACP-118 error code of a request that does not decode (`p2p.ErrUnexpected`).
pub const UNEXPECTED_ERR_CODE: i32 = -1;
/// The code for an unparseable message or payload (SAE `ParseErrCode`).
pub const PARSE_ERR_CODE: i32 = 2;
/// The code for a message this validator never stored (SAE `UnknownMessageErrCode`).
pub const UNKNOWN_MESSAGE_ERR_CODE: i32 = 3;
/// The code for a block hash that is not an accepted block (SAE `NotAcceptedErrCode`).
pub const NOT_ACCEPTED_ERR_CODE: i32 = 4;

/// Why a validator refuses to sign.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Refusal {
    /// The ACP-118 request does not decode.
    #[error("signature request does not decode: {0}")]
    Request(#[from] Acp118Error),
    /// The message or its payload does not parse.
    #[error("message does not parse: {0}")]
    Parse(#[from] CodecError),
    /// An `AddressedCall` this validator never saw accepted.
    #[error("message {id} was not sent by an accepted block of this chain")]
    UnknownMessage {
        /// The message ID.
        id: Id,
    },
    /// A `Hash` payload naming a block this chain has not accepted.
    #[error("block {hash} is not an accepted block of this chain")]
    NotAccepted {
        /// The block hash.
        hash: B256,
    },
    /// The message is for another network or chain.
    #[error(transparent)]
    Signer(#[from] SignerError),
}

impl Refusal {
    /// The ACP-118 `AppError` code.
    pub fn code(&self) -> i32 {
        match self {
            Self::Request(_) | Self::Signer(_) => UNEXPECTED_ERR_CODE,
            Self::Parse(_) => PARSE_ERR_CODE,
            Self::UnknownMessage { .. } => UNKNOWN_MESSAGE_ERR_CODE,
            Self::NotAccepted { .. } => NOT_ACCEPTED_ERR_CODE,
        }
    }
}

#[derive(Debug, Default)]
struct Store {
    messages: HashMap<Id, Vec<u8>>,
    accepted_blocks: HashSet<B256>,
    signatures: HashMap<Id, [u8; SIGNATURE_LEN]>,
}

/// An accepted block as the accept hook needs it: its hash, and its sent
/// messages' IDs and bytes (decoded, hashed and encoded once).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AcceptedBlock {
    /// The block hash.
    pub hash: B256,
    /// `(message ID, unsigned bytes)` of each `SendWarpMessage` log, in order.
    pub messages: Vec<(Id, Vec<u8>)>,
}

impl AcceptedBlock {
    /// Decodes `block`'s sent messages from its `receipts`.
    pub fn new(block: &Block, receipts: &[Receipt]) -> Self {
        let messages = sent_messages(receipts).into_iter().map(|m| (m.id(), m.to_bytes())).collect();
        Self { hash: block.hash(), messages }
    }
}

/// A validator's signing service for one chain.
#[derive(Debug)]
pub struct SigningService {
    node_id: NodeId,
    signer: Signer,
    store: RwLock<Store>,
}

impl SigningService {
    /// The service of validator `node_id`, signing with `signer` (which fixes the
    /// network and chain it signs for).
    pub fn new(node_id: NodeId, signer: Signer) -> Self {
        Self { node_id, signer, store: RwLock::default() }
    }

    /// The validator's node ID.
    pub fn node_id(&self) -> NodeId {
        self.node_id
    }

    /// The validator's BLS public key.
    pub fn public_key(&self) -> PublicKey {
        self.signer.public_key()
    }

    /// Block accept: remembers the block and makes its `SendWarpMessage` logs
    /// signable. Returns the IDs of the messages added.
    pub fn accept(&self, block: &Block, receipts: &[Receipt]) -> Vec<Id> {
        self.accept_decoded(&AcceptedBlock::new(block, receipts))
    }

    /// [`SigningService::accept`] for a block already decoded once for all of a
    /// chain's validators.
    pub fn accept_decoded(&self, accepted: &AcceptedBlock) -> Vec<Id> {
        let mut store = self.store.write().unwrap_or_else(PoisonError::into_inner);
        store.accepted_blocks.insert(accepted.hash);
        for (id, bytes) in &accepted.messages {
            store.messages.insert(*id, bytes.clone());
        }
        accepted.messages.iter().map(|(id, _)| *id).collect()
    }

    /// Number of stored messages.
    pub fn stored_messages(&self) -> usize {
        self.store.read().unwrap_or_else(PoisonError::into_inner).messages.len()
    }

    /// Signs `unsigned` (its bytes) if this validator agrees to (steps 2 to 6).
    pub fn sign(&self, unsigned: &[u8]) -> Result<[u8; SIGNATURE_LEN], Refusal> {
        let msg = UnsignedMessage::parse(unsigned)?;
        let id = msg.id();
        {
            let store = self.store.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(signature) = store.signatures.get(&id) {
                return Ok(*signature);
            }
            if !store.messages.contains_key(&id) {
                match msg.parsed_payload()? {
                    Payload::Hash(hash) => {
                        let hash = B256::new(hash.hash.0);
                        if !store.accepted_blocks.contains(&hash) {
                            return Err(Refusal::NotAccepted { hash });
                        }
                    }
                    Payload::AddressedCall(_) => return Err(Refusal::UnknownMessage { id }),
                }
            }
        }
        let signature = self.signer.sign(&msg)?.to_bytes();
        self.store.write().unwrap_or_else(PoisonError::into_inner).signatures.insert(id, signature);
        Ok(signature)
    }

    /// Answers an ACP-118 request (`app_bytes` with the handler prefix) with the
    /// `SignatureResponse` bytes, or refuses.
    pub fn handle(&self, app_bytes: &[u8]) -> Result<Vec<u8>, Refusal> {
        let request = decode_signature_request(app_bytes)?;
        let signature = self.sign(&request.message)?;
        Ok(encode_signature_response(&signature))
    }
}

/// The unsigned messages a block's receipts carry in the precompile's
/// `SendWarpMessage` logs, in order (logs that do not decode are skipped: the
/// precompile only emits well-formed ones).
pub fn sent_messages(receipts: &[Receipt]) -> Vec<UnsignedMessage> {
    receipts
        .iter()
        .flat_map(|r| &r.logs)
        .filter(|log| log.address == WARP_ADDRESS)
        .filter_map(|log| IWarpMessenger::SendWarpMessage::decode_log_data(&log.data).ok())
        .filter_map(|event| UnsignedMessage::parse(&event.message).ok())
        .collect()
}
