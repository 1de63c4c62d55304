//! One validator's signing service: what it agrees to sign, answered over
//! ACP-118, as Subnet-EVM's handler and verifier decide
//! (`network/p2p/acp118/handler.go`, `graft/subnet-evm/warp/verifier_backend.go`).
//!
//! On block accept ([`SigningService::accept`]), the block's `SendWarpMessage`
//! logs (emitted by the precompile's address) become signable: message ID →
//! unsigned bytes, as the reference's accept hook fills its warp database. The
//! chain's genesis is accepted from the start ([`SigningService::accept_genesis`],
//! which [`Node::new`](crate::Node::new) calls), and an operator may configure
//! off-chain messages ([`SigningService::with_off_chain_messages`]). A request
//! ([`SigningService::handle`]) then follows the reference:
//!
//! | step | refusal | ACP-118 code |
//! |---|---|---|
//! | decode the `SignatureRequest` | [`Refusal::Request`] | −1 (`p2p.ErrUnexpected`) |
//! | parse the unsigned message | [`Refusal::UnsignedMessage`] | −1 |
//! | answer from the signature cache | | |
//! | sign a stored or off-chain message | | |
//! | otherwise parse the payload | [`Refusal::Payload`] | 1 (`ParseErrCode`) |
//! | a `Hash`: sign an accepted block of this chain, genesis included | [`Refusal::NotAccepted`] | 2 (`VerifyErrCode`) |
//! | an `AddressedCall`: only an uptime attestation (`ValidatorUptime`) | [`Refusal::UnknownAddressedCall`] | 1 |
//! | … with an empty source address | [`Refusal::SourceAddressNotEmpty`] | 2 |
//! | … for a validation this node tracks the uptime of (none here) | [`Refusal::UnknownValidation`] | 2 |
//! | the signer enforces network and chain | [`Refusal::Signer`] | −1 |
//!
//! Coreth uses the same two codes (it refuses every `AddressedCall` it did not
//! store with code 1); the SAE C-Chain's verifier numbers its codes differently
//! (storage 1, parse 2, unknown message 3, not accepted 4).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use alloy_primitives::B256;
use alloy_sol_types::SolEvent;
use awm_core::acp118::{decode_signature_request, encode_signature_response, Acp118Error};
use awm_core::bls::{HashedMessage, PublicKey, SIGNATURE_LEN};
use awm_core::codec::Unpacker;
use awm_core::{
    AddressedCall, CodecError, Id, NodeId, Payload, Signer, SignerError, UnsignedMessage, MAX_PAYLOAD_SIZE,
};
use thiserror::Error;
use warp_precompile::IWarpMessenger;
use warp_predicate::WARP_ADDRESS;

use crate::block::{Block, Receipt};

/// The ACP-118 error code of the handler's own refusals: a request or message
/// that does not decode, or a signer that refuses (`p2p.ErrUnexpected`).
pub const UNEXPECTED_ERR_CODE: i32 = -1;
/// Subnet-EVM's and coreth's code for a payload that does not parse (`ParseErrCode`).
pub const PARSE_ERR_CODE: i32 = 1;
/// Subnet-EVM's and coreth's code for a payload that parses but is not signable
/// (`VerifyErrCode`): a block not accepted, an uptime not met.
pub const VERIFY_ERR_CODE: i32 = 2;

/// Why a validator refuses to sign.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Refusal {
    /// The ACP-118 request does not decode.
    #[error("failed to unmarshal request: {0}")]
    Request(#[from] Acp118Error),
    /// The request's message is not an unsigned warp message.
    #[error("failed to parse warp unsigned message: {0}")]
    UnsignedMessage(CodecError),
    /// Not a stored message, and its payload is not a warp payload.
    #[error("failed to parse payload: {0}")]
    Payload(CodecError),
    /// A `Hash` payload naming a block this chain has not accepted.
    #[error("failed to get block {hash}: not an accepted block of this chain")]
    NotAccepted {
        /// The block hash.
        hash: B256,
    },
    /// An `AddressedCall` this validator never stored, whose payload is not an
    /// uptime attestation (the only off-chain `AddressedCall` Subnet-EVM signs).
    #[error("message {id} was not sent by an accepted block of this chain, and its payload is not a ValidatorUptime: {source}")]
    UnknownAddressedCall {
        /// The message ID.
        id: Id,
        /// Why its payload is not a `ValidatorUptime`.
        source: CodecError,
    },
    /// An uptime attestation whose `AddressedCall` names a source address.
    #[error("source address should be empty for offchain addressed messages (message {id})")]
    SourceAddressNotEmpty {
        /// The message ID.
        id: Id,
    },
    /// An uptime attestation for a validation whose uptime this node does not track.
    #[error("failed to get uptime: validation ID {validation_id} not found")]
    UnknownValidation {
        /// The validation ID.
        validation_id: Id,
    },
    /// The message is for another network or chain.
    #[error("failed to sign message: {0}")]
    Signer(#[from] SignerError),
}

impl Refusal {
    /// The ACP-118 `AppError` code, as Subnet-EVM sends it.
    pub fn code(&self) -> i32 {
        match self {
            Self::Request(_) | Self::UnsignedMessage(_) | Self::Signer(_) => UNEXPECTED_ERR_CODE,
            Self::Payload(_) | Self::UnknownAddressedCall { .. } => PARSE_ERR_CODE,
            Self::NotAccepted { .. }
            | Self::SourceAddressNotEmpty { .. }
            | Self::UnknownValidation { .. } => VERIFY_ERR_CODE,
        }
    }
}

/// Subnet-EVM's off-chain uptime attestation (`warp/messages`: codec version 0,
/// 24 KiB, type ID 0): a validation ID and the seconds of uptime claimed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ValidatorUptime {
    /// The validation ID.
    pub validation_id: Id,
    /// The uptime claimed, in seconds.
    pub total_uptime: u64,
}

impl ValidatorUptime {
    /// Parses the payload of an `AddressedCall`.
    pub fn parse(bytes: &[u8]) -> Result<Self, CodecError> {
        let mut u = Unpacker::with_version(bytes, MAX_PAYLOAD_SIZE)?;
        let type_id = u.u32()?;
        if type_id != 0 {
            return Err(CodecError::UnknownTypeId { type_id, what: "subnet-evm warp message" });
        }
        let validation_id = Id(u.array::<32>()?);
        let total_uptime = u.u64()?;
        u.finish()?;
        Ok(Self { validation_id, total_uptime })
    }
}

/// Why a configured off-chain message is refused (Subnet-EVM's
/// `initOffChainMessages`, which stops the VM from starting).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum OffChainMessageError {
    /// Not a `0x` hex string of whole bytes (`warp-off-chain-messages` holds `hexutil.Bytes`).
    #[error("failed to parse off-chain message at index {index}: {reason}")]
    Hex {
        /// Position in the list.
        index: usize,
        /// Why.
        reason: String,
    },
    /// Not an unsigned warp message.
    #[error("failed to parse off-chain message at index {index}: {source}")]
    Parse {
        /// Position in the list.
        index: usize,
        /// Why.
        source: CodecError,
    },
    /// For another network.
    #[error("wrong networkID at index {index}: {found}, this node is on {expected}")]
    WrongNetwork {
        /// Position in the list.
        index: usize,
        /// This node's network ID.
        expected: u32,
        /// The message's.
        found: u32,
    },
    /// From another chain.
    #[error("wrong SourceChainID at index {index}: {found}, this chain is {expected}")]
    WrongChain {
        /// Position in the list.
        index: usize,
        /// This chain's ID.
        expected: Id,
        /// The message's.
        found: Id,
    },
    /// Its payload is not an `AddressedCall`.
    #[error("failed to parse off-chain message at index {index} as AddressedCall: {source}")]
    NotAddressedCall {
        /// Position in the list.
        index: usize,
        /// Why.
        source: CodecError,
    },
}

/// Reads Subnet-EVM's `warp-off-chain-messages` setting: a JSON array of `0x` hex
/// strings (`[]hexutil.Bytes`: the prefix is required, the digits come in pairs).
pub fn parse_off_chain_messages(values: &[serde_json::Value]) -> Result<Vec<Vec<u8>>, OffChainMessageError> {
    values
        .iter()
        .enumerate()
        .map(|(index, value)| {
            let bad = |reason: String| OffChainMessageError::Hex { index, reason };
            let text = value.as_str().ok_or_else(|| bad(format!("expected a hex string, found {value}")))?;
            let digits =
                text.strip_prefix("0x").ok_or_else(|| bad("hex string without 0x prefix".to_owned()))?;
            alloy_primitives::hex::decode(digits).map_err(|e| bad(e.to_string()))
        })
        .collect()
}

#[derive(Debug, Default)]
struct Store {
    messages: HashMap<Id, Vec<u8>>,
    off_chain: HashMap<Id, Vec<u8>>,
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

/// The hashes to G2 of the messages validators sharing a process were asked
/// to sign lately: each message is hashed once, not once per validator (a
/// devnet's validators all run in one process; a real validator has its own).
#[derive(Debug, Default)]
pub struct SharedHashes {
    recent: Mutex<VecDeque<(Id, HashedMessage)>>,
}

impl SharedHashes {
    /// How many recent messages are kept.
    const CAPACITY: usize = 256;

    fn get_or_hash(&self, id: Id, bytes: &[u8]) -> HashedMessage {
        if let Some(hashed) = self.lock().iter().find(|(i, _)| *i == id).map(|(_, h)| *h) {
            return hashed;
        }
        // Hashed outside the lock; two validators racing both hash, and one entry is kept.
        let hashed = HashedMessage::new(bytes);
        let mut recent = self.lock();
        if !recent.iter().any(|(i, _)| *i == id) {
            if recent.len() >= Self::CAPACITY {
                recent.pop_front();
            }
            recent.push_back((id, hashed));
        }
        hashed
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, VecDeque<(Id, HashedMessage)>> {
        self.recent.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A validator's signing service for one chain.
#[derive(Debug)]
pub struct SigningService {
    node_id: NodeId,
    signer: Signer,
    store: RwLock<Store>,
    hashes: Option<Arc<SharedHashes>>,
}

impl SigningService {
    /// The service of validator `node_id`, signing with `signer` (which fixes the
    /// network and chain it signs for).
    pub fn new(node_id: NodeId, signer: Signer) -> Self {
        Self { node_id, signer, store: RwLock::default(), hashes: None }
    }

    /// Takes each message's hash from `hashes`, shared with the other
    /// validators of this process, and signs in variable time
    /// ([`Signer::sign_hashed_vartime`]): for a devnet's validators, whose keys
    /// are not secret. The signatures are the same.
    pub fn with_shared_hashes(mut self, hashes: Arc<SharedHashes>) -> Self {
        self.hashes = Some(hashes);
        self
    }

    /// The validator's node ID.
    pub fn node_id(&self) -> NodeId {
        self.node_id
    }

    /// The validator's BLS public key.
    pub fn public_key(&self) -> PublicKey {
        self.signer.public_key()
    }

    /// Signs, on request, the operator's off-chain messages (Subnet-EVM's
    /// `warp-off-chain-messages`), after checking each as the reference does at
    /// start: it parses, carries this node's network and chain IDs, and its
    /// payload is an `AddressedCall`. The first bad one is refused with its index.
    pub fn with_off_chain_messages(
        self,
        messages: impl IntoIterator<Item = Vec<u8>>,
    ) -> Result<Self, OffChainMessageError> {
        let mut off_chain = HashMap::new();
        for (index, bytes) in messages.into_iter().enumerate() {
            let msg = UnsignedMessage::parse(&bytes)
                .map_err(|source| OffChainMessageError::Parse { index, source })?;
            if msg.network_id() != self.signer.network_id() {
                return Err(OffChainMessageError::WrongNetwork {
                    index,
                    expected: self.signer.network_id(),
                    found: msg.network_id(),
                });
            }
            if msg.source_chain_id() != self.signer.chain_id() {
                return Err(OffChainMessageError::WrongChain {
                    index,
                    expected: self.signer.chain_id(),
                    found: msg.source_chain_id(),
                });
            }
            AddressedCall::parse(msg.payload())
                .map_err(|source| OffChainMessageError::NotAddressedCall { index, source })?;
            off_chain.insert(msg.id(), bytes);
        }
        self.store.write().unwrap_or_else(PoisonError::into_inner).off_chain.extend(off_chain);
        Ok(self)
    }

    /// The chain's genesis block is accepted from the start: a `Hash` payload
    /// naming it is signable, as any accepted block's is.
    pub fn accept_genesis(&self, hash: B256) {
        self.store.write().unwrap_or_else(PoisonError::into_inner).accepted_blocks.insert(hash);
    }

    /// The unsigned bytes of a message this validator signs without a check
    /// (`GetMessage`): an off-chain message, or one an accepted block sent.
    pub fn message(&self, id: &Id) -> Option<Vec<u8>> {
        let store = self.store.read().unwrap_or_else(PoisonError::into_inner);
        store.off_chain.get(id).or_else(|| store.messages.get(id)).cloned()
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

    /// Restores what a restarted node had: its accepted blocks (by hash, the
    /// genesis included) and the messages stored for signing.
    pub fn restore(&self, accepted: impl IntoIterator<Item = B256>, messages: &[(Id, Vec<u8>)]) {
        let mut store = self.store.write().unwrap_or_else(PoisonError::into_inner);
        store.accepted_blocks.extend(accepted);
        for (id, bytes) in messages {
            store.messages.insert(*id, bytes.clone());
        }
    }

    /// Forgets blocks and the messages they sent (a devnet's `evm_revert`
    /// took them back): they are no longer signable. The signature cache is
    /// emptied (a cached signature of a `Hash` naming a forgotten block would
    /// otherwise still be served); it refills on demand.
    pub fn forget(&self, blocks: &[B256], messages: &[Id]) {
        let mut store = self.store.write().unwrap_or_else(PoisonError::into_inner);
        for hash in blocks {
            store.accepted_blocks.remove(hash);
        }
        for id in messages {
            store.messages.remove(id);
        }
        store.signatures.clear();
    }

    /// Number of stored messages.
    pub fn stored_messages(&self) -> usize {
        self.store.read().unwrap_or_else(PoisonError::into_inner).messages.len()
    }

    /// Signs `unsigned` (its bytes) if this validator agrees to (every step after
    /// decoding the request; see the module docs).
    pub fn sign(&self, unsigned: &[u8]) -> Result<[u8; SIGNATURE_LEN], Refusal> {
        let msg = UnsignedMessage::parse(unsigned).map_err(Refusal::UnsignedMessage)?;
        let id = msg.id();
        {
            let store = self.store.read().unwrap_or_else(PoisonError::into_inner);
            if let Some(signature) = store.signatures.get(&id) {
                return Ok(*signature);
            }
            if !store.messages.contains_key(&id) && !store.off_chain.contains_key(&id) {
                match msg.parsed_payload().map_err(Refusal::Payload)? {
                    Payload::Hash(hash) => {
                        let hash = B256::new(hash.hash.0);
                        if !store.accepted_blocks.contains(&hash) {
                            return Err(Refusal::NotAccepted { hash });
                        }
                    }
                    Payload::AddressedCall(call) => return Err(refuse_addressed_call(id, &call)),
                }
            }
        }
        let signature = match &self.hashes {
            Some(shared) => self.signer.sign_hashed_vartime(&msg, &shared.get_or_hash(id, unsigned))?,
            None => self.signer.sign(&msg)?,
        }
        .to_bytes();
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

/// Why an `AddressedCall` this validator did not store is not signed, in
/// Subnet-EVM's order: its payload must be an uptime attestation, with an empty
/// source address, for a validation whose uptime this node tracks (none: this
/// chain runs no uptime tracker).
fn refuse_addressed_call(id: Id, call: &AddressedCall) -> Refusal {
    match ValidatorUptime::parse(call.payload()) {
        Err(source) => Refusal::UnknownAddressedCall { id, source },
        Ok(_) if !call.source_address().is_empty() => Refusal::SourceAddressNotEmpty { id },
        Ok(uptime) => Refusal::UnknownValidation { validation_id: uptime.validation_id },
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
