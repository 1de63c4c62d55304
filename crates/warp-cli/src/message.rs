//! `warp message decode` and `warp message verify`, and the message parsing the
//! other commands share ([`parse_unsigned`], [`parse_signed`], [`parse_any`]).
//!
//! Decoding shows what a message carries: its ID (SHA-256 of the unsigned bytes),
//! network, source chain, payload (an `AddressedCall`, a `Hash`, or bytes of an
//! unknown type, shown as they are) and, for a signed message, the signers (a
//! count and runs of indices, however large the bitset) and the aggregate
//! signature. Verifying checks a signed message against a
//! validator set in the reference's order and reports the weights either way.

use awm_core::{CanonicalValidatorSet, CodecError, Message, Payload, UnsignedMessage};
use serde::Serialize;

use crate::args::{DecodeArgs, MessageCommand, VerifyArgs};
use crate::error::CliError;
use crate::input::{hex_arg, load_validators, parse_quorum};
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
            PayloadReport::AddressedCall { source_address, payload, payload_len } => {
                lines
                    .row("payload", format!("AddressedCall ({} bytes)", self.payload_len))
                    .row("  source address", source_address.clone())
                    .row("  payload", format!("{payload} ({payload_len} bytes)"));
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
    /// The least signed weight that meets the quorum.
    #[serde(skip)]
    pub needed_weight: u64,
    /// The message ID, `0x` hex.
    #[serde(skip)]
    pub id: String,
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
    let set = load_validators(&mut ctx.stdin, &args.validators)?;
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
        needed_weight: quorum.required_weight(set.total_weight()),
        id: msg.id().to_hex(),
    };
    ctx.emit(&report)?;
    result.map(|_| ()).map_err(CliError::Verify)
}
