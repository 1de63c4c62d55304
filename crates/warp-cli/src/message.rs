//! `warp message decode` and `warp message verify`, and the message parsing the
//! other commands share ([`parse_unsigned`], [`parse_signed`], [`parse_any`]).
//!
//! Decoding shows what a message carries: its ID (SHA-256 of the unsigned bytes),
//! network, source chain, payload (an `AddressedCall`, with every field of the
//! ACP-77 message inside when the P-Chain sent it, a `Hash`, or bytes of an
//! unknown type, shown as they are) and, for a signed message, the signers (a
//! count and runs of indices, however large the bitset) and the aggregate
//! signature. Verifying checks a signed message against a
//! validator set in the reference's order and reports the weights either way.

use awm_core::{CanonicalValidatorSet, CodecError, Message, Payload, UnsignedMessage};
use serde::Serialize;

use crate::args::{DecodeArgs, MessageCommand, VerifyArgs};
use crate::error::CliError;
use crate::input::{hex_arg, parse_quorum, validator_set};
use crate::output::{hex0x, hex0x_abbreviated, IndexSummary, Lines, Render};
use crate::Context;

/// Runs `warp message …`.
pub fn run(cmd: MessageCommand, ctx: &mut Context<'_>) -> Result<(), CliError> {
    match cmd {
        MessageCommand::Decode(args) => decode(args, ctx),
        MessageCommand::Verify(args) => verify(args, ctx),
    }
}

/// Either kind of message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AnyMessage {
    /// An unsigned message.
    Unsigned(UnsignedMessage),
    /// A signed message.
    Signed(Message),
}

/// Decodes an unsigned or a signed message. When neither decodes, the error is the
/// signed decoder's if the bytes start with a whole unsigned message, else the
/// unsigned decoder's.
pub fn parse_any(bytes: &[u8]) -> Result<AnyMessage, CliError> {
    match UnsignedMessage::parse(bytes) {
        Ok(unsigned) => Ok(AnyMessage::Unsigned(unsigned)),
        Err(CodecError::TrailingBytes { .. }) => Message::parse(bytes)
            .map(AnyMessage::Signed)
            .map_err(|source| CliError::Decode { what: "signed message".into(), source }),
        Err(source) => Err(CliError::Decode { what: "message".into(), source }),
    }
}

/// Decodes a signed message, saying so when the bytes are an unsigned one.
pub fn parse_signed(bytes: &[u8]) -> Result<Message, CliError> {
    Message::parse(bytes).map_err(|source| {
        if UnsignedMessage::parse(bytes).is_ok() {
            CliError::Input(
                "expected a signed message, got an unsigned one (aggregate signatures first)".into(),
            )
        } else {
            CliError::Decode { what: "signed message".into(), source }
        }
    })
}

/// Decodes an unsigned message, saying so when the bytes are a signed one.
pub fn parse_unsigned(bytes: &[u8]) -> Result<UnsignedMessage, CliError> {
    UnsignedMessage::parse(bytes).map_err(|source| {
        if Message::parse(bytes).is_ok() {
            CliError::Input("expected an unsigned message, got a signed one".into())
        } else {
            CliError::Decode { what: "unsigned message".into(), source }
        }
    })
}

/// A decoded message, as `warp message decode` prints it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct DecodedMessage {
    /// The message ID, `0x` hex.
    pub id: String,
    /// The network ID.
    pub network_id: u32,
    /// The source blockchain ID, `0x` hex.
    pub source_chain_id: String,
    /// The payload.
    pub payload: PayloadReport,
    /// The signature; `None` for an unsigned message.
    pub signature: Option<SignatureReport>,
    /// The message ID in CB58.
    #[serde(skip)]
    pub id_cb58: String,
    /// The source blockchain ID in CB58.
    #[serde(skip)]
    pub source_chain_cb58: String,
    /// Length of the payload bytes.
    #[serde(skip)]
    pub payload_len: usize,
}

/// A message's payload.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum PayloadReport {
    /// A message from an address on the source chain.
    #[serde(rename_all = "camelCase")]
    AddressedCall {
        /// The sender, `0x` hex (20 bytes for EVM senders, empty for the P-Chain).
        source_address: String,
        /// The application payload, `0x` hex.
        payload: String,
        /// Its length.
        #[serde(skip)]
        payload_len: usize,
        /// What the P-Chain says, when the sender is empty and the payload an ACP-77 message.
        #[serde(skip_serializing_if = "Option::is_none")]
        p_chain: Option<PChainReport>,
    },
    /// A block hash attestation.
    Hash {
        /// The block hash, `0x` hex.
        hash: String,
    },
    /// Bytes that are not a warp payload, as they are.
    Unknown {
        /// The payload bytes, `0x` hex.
        bytes: String,
        /// Why they are not a warp payload.
        #[serde(skip)]
        reason: String,
    },
}

/// An ACP-77 message of the P-Chain (an `AddressedCall` with an empty source
/// address), every field shown, with the IDs it commits to.
#[derive(Debug, Clone, Serialize)]
#[serde(tag = "type", rename_all = "camelCase")]
pub enum PChainReport {
    /// The P-Chain attests a subnet's conversion to an L1.
    #[serde(rename_all = "camelCase")]
    SubnetToL1Conversion {
        /// The conversion ID: SHA-256 of the conversion data, `0x` hex.
        conversion_id: String,
    },
    /// A validator manager asks the P-Chain to register a validator.
    #[serde(rename_all = "camelCase")]
    RegisterL1Validator {
        /// The validation ID: SHA-256 of this payload, `0x` hex.
        validation_id: String,
        /// The L1's subnet ID, `0x` hex.
        subnet_id: String,
        /// The node ID (`NodeID-…` for 20 bytes, else `0x` hex).
        node_id: String,
        /// The compressed BLS key, `0x` hex.
        bls_public_key: String,
        /// Unix time after which the registration cannot be issued.
        expiry: u64,
        /// Who receives the remaining balance.
        remaining_balance_owner: OwnerReport,
        /// Who may disable the validator.
        disable_owner: OwnerReport,
        /// Stake weight.
        weight: u64,
    },
    /// The P-Chain attests whether a validation ID is registered.
    #[serde(rename_all = "camelCase")]
    L1ValidatorRegistration {
        /// The validation ID, `0x` hex.
        validation_id: String,
        /// Registered, or never will be (or removed).
        registered: bool,
    },
    /// A weight change of an L1 validator.
    #[serde(rename_all = "camelCase")]
    L1ValidatorWeight {
        /// The validation ID, `0x` hex.
        validation_id: String,
        /// Strictly increasing per validation ID.
        nonce: u64,
        /// The new weight (0 removes the validator).
        weight: u64,
    },
}

/// A P-Chain owner: a threshold of addresses.
#[derive(Debug, Clone, Serialize)]
pub struct OwnerReport {
    /// Signatures required.
    pub threshold: u32,
    /// The 20-byte P-Chain addresses, `0x` hex.
    pub addresses: Vec<String>,
}

impl OwnerReport {
    fn new(owner: &awm_core::pchain::PChainOwner) -> Self {
        Self { threshold: owner.threshold, addresses: owner.addresses.iter().map(hex0x).collect() }
    }

    fn human(&self) -> String {
        if self.addresses.is_empty() {
            format!("threshold {}, no addresses", self.threshold)
        } else {
            format!("threshold {} of {}", self.threshold, self.addresses.join(", "))
        }
    }
}

impl PChainReport {
    /// The ACP-77 message in an `AddressedCall` from the empty address, if it is one.
    fn of(call: &awm_core::AddressedCall) -> Option<Self> {
        use awm_core::pchain::PChainPayload;
        if !call.source_address().is_empty() {
            return None;
        }
        Some(match PChainPayload::parse(call.payload()).ok()? {
            PChainPayload::SubnetToL1Conversion(m) => {
                Self::SubnetToL1Conversion { conversion_id: m.id.to_hex() }
            }
            PChainPayload::RegisterL1Validator(m) => Self::RegisterL1Validator {
                validation_id: m.validation_id().ok()?.to_hex(),
                subnet_id: m.subnet_id.to_hex(),
                node_id: match <[u8; 20]>::try_from(m.node_id.as_slice()) {
                    Ok(bytes) => awm_core::NodeId(bytes).to_string(),
                    Err(_) => hex0x(&m.node_id),
                },
                bls_public_key: hex0x(m.bls_public_key),
                expiry: m.expiry,
                remaining_balance_owner: OwnerReport::new(&m.remaining_balance_owner),
                disable_owner: OwnerReport::new(&m.disable_owner),
                weight: m.weight,
            },
            PChainPayload::L1ValidatorRegistration(m) => Self::L1ValidatorRegistration {
                validation_id: m.validation_id.to_hex(),
                registered: m.registered,
            },
            PChainPayload::L1ValidatorWeight(m) => Self::L1ValidatorWeight {
                validation_id: m.validation_id.to_hex(),
                nonce: m.nonce,
                weight: m.weight,
            },
        })
    }

    fn rows(&self, lines: &mut Lines) {
        match self {
            Self::SubnetToL1Conversion { conversion_id } => {
                lines
                    .row("  P-Chain", "SubnetToL1Conversion")
                    .row("    conversion ID", conversion_id.clone());
            }
            Self::RegisterL1Validator {
                validation_id,
                subnet_id,
                node_id,
                bls_public_key,
                expiry,
                remaining_balance_owner,
                disable_owner,
                weight,
            } => {
                lines
                    .row("  P-Chain", "RegisterL1Validator")
                    .row("    validation ID", validation_id.clone())
                    .row("    subnet ID", subnet_id.clone())
                    .row("    node ID", node_id.clone())
                    .row("    BLS key", bls_public_key.clone())
                    .row("    expiry", expiry.to_string())
                    .row("    balance owner", remaining_balance_owner.human())
                    .row("    disable owner", disable_owner.human())
                    .row("    weight", weight.to_string());
            }
            Self::L1ValidatorRegistration { validation_id, registered } => {
                lines
                    .row("  P-Chain", "L1ValidatorRegistration")
                    .row("    validation ID", validation_id.clone())
                    .row("    registered", registered.to_string());
            }
            Self::L1ValidatorWeight { validation_id, nonce, weight } => {
                lines
                    .row("  P-Chain", "L1ValidatorWeight")
                    .row("    validation ID", validation_id.clone())
                    .row("    nonce", nonce.to_string())
                    .row("    weight", weight.to_string());
            }
        }
    }
}

/// A signed message's signature.
#[derive(Debug, Clone, Serialize)]
pub struct SignatureReport {
    /// The signers' canonical indices: how many, and their runs (never one entry
    /// per index, so a bitset of megabytes stays a few lines).
    pub signers: IndexSummary,
    /// The 96-byte aggregate signature, `0x` hex.
    pub signature: String,
    /// The signer bitset's bytes, `0x` hex.
    #[serde(skip)]
    pub bitset: String,
    /// Whether the bitset is canonical (verification refuses it otherwise).
    #[serde(skip)]
    pub canonical: bool,
}

impl DecodedMessage {
    /// Describes an unsigned message and, if given, its signature.
    pub fn new(unsigned: &UnsignedMessage, signature: Option<&awm_core::BitSetSignature>) -> Self {
        let id = unsigned.id();
        let chain = unsigned.source_chain_id();
        let payload = match unsigned.parsed_payload() {
            Ok(Payload::AddressedCall(call)) => PayloadReport::AddressedCall {
                source_address: hex0x(call.source_address()),
                payload: hex0x(call.payload()),
                payload_len: call.payload().len(),
                p_chain: PChainReport::of(&call),
            },
            Ok(Payload::Hash(hash)) => PayloadReport::Hash { hash: hash.hash.to_hex() },
            Err(e) => PayloadReport::Unknown { bytes: hex0x(unsigned.payload()), reason: e.to_string() },
        };
        let signature = signature.map(|sig| SignatureReport {
            signers: IndexSummary::new(sig.signers().indices()),
            signature: hex0x(sig.signature()),
            bitset: hex0x_abbreviated(sig.signers().as_bytes()),
            canonical: sig.signers().is_canonical(),
        });
        Self {
            id: id.to_hex(),
            network_id: unsigned.network_id(),
            source_chain_id: chain.to_hex(),
            payload,
            signature,
            id_cb58: id.to_string(),
            source_chain_cb58: chain.to_string(),
            payload_len: unsigned.payload().len(),
        }
    }
}

impl Render for DecodedMessage {
    fn human(&self) -> String {
        let mut lines = Lines::new();
        lines
            .row("message ID", format!("{} (cb58 {})", self.id, self.id_cb58))
            .row("network ID", self.network_id.to_string())
            .row("source chain", format!("{} (cb58 {})", self.source_chain_id, self.source_chain_cb58));
        match &self.payload {
            PayloadReport::AddressedCall { source_address, payload, payload_len, p_chain } => {
                lines
                    .row("payload", format!("AddressedCall ({} bytes)", self.payload_len))
                    .row("  source address", source_address.clone())
                    .row("  payload", format!("{payload} ({payload_len} bytes)"));
                if let Some(p_chain) = p_chain {
                    p_chain.rows(&mut lines);
                }
            }
            PayloadReport::Hash { hash } => {
                lines
                    .row("payload", format!("Hash ({} bytes)", self.payload_len))
                    .row("  hash", hash.clone());
            }
            PayloadReport::Unknown { bytes, reason } => {
                lines
                    .row("payload", format!("unknown ({} bytes): {reason}", self.payload_len))
                    .row("  bytes", bytes.clone());
            }
        }
        match &self.signature {
            None => {
                lines.row("signature", "none (unsigned message)");
            }
            Some(sig) => {
                let canonical = if sig.canonical { "" } else { ", NOT canonical: verification refuses it" };
                lines
                    .row(
                        "signers",
                        format!(
                            "{} {} (bitset {}{canonical})",
                            sig.signers.count,
                            sig.signers.human(),
                            sig.bitset
                        ),
                    )
                    .row("signature", sig.signature.clone());
            }
        }
        lines.render()
    }
}

fn decode(args: DecodeArgs, ctx: &mut Context<'_>) -> Result<(), CliError> {
    let bytes = hex_arg(&mut ctx.stdin, &args.message, "message")?;
    let report = match parse_any(&bytes)? {
        AnyMessage::Unsigned(unsigned) => DecodedMessage::new(&unsigned, None),
        AnyMessage::Signed(msg) => DecodedMessage::new(msg.unsigned(), Some(msg.signature())),
    };
    ctx.emit(&report)
}

/// The outcome of `warp message verify`.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct VerifyReport {
    /// Whether the signature verifies.
    pub valid: bool,
    /// Why not, with its numbers; `None` when valid.
    pub error: Option<String>,
    /// Weight of the signers; `None` when a signer index is outside the set.
    pub signed_weight: Option<u64>,
    /// Total weight of the set, validators without keys included.
    pub total_weight: u64,
    /// The quorum asked, `NUM/DEN`.
    pub quorum: String,
    /// The signers the bitset names that are in the set: canonical index, node
    /// IDs and weight.
    pub signers: Vec<SignerReport>,
    /// The least signed weight that meets the quorum.
    #[serde(skip)]
    pub needed_weight: u64,
    /// The message ID, `0x` hex.
    #[serde(skip)]
    pub id: String,
}

/// One signer of a verified message.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignerReport {
    /// Its canonical index (the bit it holds in the bitset).
    pub index: usize,
    /// The node IDs holding its key.
    pub node_ids: Vec<String>,
    /// Its weight.
    pub weight: u64,
}

impl SignerReport {
    /// The signers of `msg` found in `set`, in canonical order (indices outside
    /// the set are left out: verification names them in its error).
    fn of(msg: &Message, set: &CanonicalValidatorSet) -> Vec<Self> {
        msg.signature()
            .signers()
            .indices()
            .map_while(|index| set.validators().get(index).map(|v| (index, v)))
            .map(|(index, v)| Self {
                index,
                node_ids: v.node_ids.iter().map(ToString::to_string).collect(),
                weight: v.weight,
            })
            .collect()
    }
}

impl Render for VerifyReport {
    fn human(&self) -> String {
        let mut lines = Lines::new();
        let verdict = match &self.error {
            None => "yes".to_owned(),
            Some(e) => format!("no: {e}"),
        };
        let signed = self.signed_weight.map_or_else(|| "unknown".to_owned(), |w| w.to_string());
        lines
            .row("message ID", self.id.clone())
            .row("valid", verdict)
            .row("signed weight", format!("{signed} of {}", self.total_weight))
            .row(
                "quorum",
                format!("{} (needs {} of {})", self.quorum, self.needed_weight, self.total_weight),
            );
        lines.row("signers", format!("{} in the set", self.signers.len()));
        for signer in &self.signers {
            lines.row(
                format!("  [{}]", signer.index),
                format!("{} weight {}", signer.node_ids.join(", "), signer.weight),
            );
        }
        lines.render()
    }
}

/// Weight of a message's signers in `set`; `None` when an index is outside it.
fn signer_weight(msg: &Message, set: &CanonicalValidatorSet) -> Option<u64> {
    set.weight_of(msg.signature().signers().indices())
}

fn verify(args: VerifyArgs, ctx: &mut Context<'_>) -> Result<(), CliError> {
    let quorum = parse_quorum(&args.quorum)?;
    let bytes = hex_arg(&mut ctx.stdin, &args.message, "message")?;
    let msg = parse_signed(&bytes)?;
    let set = validator_set(
        &mut ctx.stdin,
        args.source.validators.as_deref(),
        &args.source.pchain,
        Some(msg.unsigned().source_chain_id()),
    )?;
    let result = msg.verify(args.network_id, &set, quorum);
    let report = VerifyReport {
        valid: result.is_ok(),
        error: result.as_ref().err().map(ToString::to_string),
        signed_weight: match &result {
            Ok(v) => Some(v.signed_weight),
            Err(_) => signer_weight(&msg, &set),
        },
        total_weight: set.total_weight(),
        quorum: quorum.to_string(),
        signers: SignerReport::of(&msg, &set),
        needed_weight: quorum.required_weight(set.total_weight()),
        id: msg.id().to_hex(),
    };
    ctx.emit(&report)?;
    result.map(|_| ()).map_err(CliError::Verify)
}
