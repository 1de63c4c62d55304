//! The precompile's pure core: calldata, caller and the transaction's predicates
//! in; output, gas and logs out, or a halt. No EVM types: the revm and alloy-evm
//! adapters translate.
//!
//! Per function, in the reference's order (`contract.go`):
//!
//! | function | steps |
//! |---|---|
//! | `sendWarpMessage` | charge the base; charge 8 per calldata byte after the selector; halt in a static context; decode `bytes`; build the `AddressedCall` from the caller (24 KiB cap); emit the 3-topic log; return the message ID |
//! | `getVerifiedWarpMessage` / `getVerifiedWarpBlockHash` | charge the base; decode `uint32`; halt above `i32::MAX`; `valid = exists && !failed` (constant time: the predicates are built once per transaction); if not valid return the fixed output; else charge per chunk of the whole predicate, unpack, parse, and halt on a payload of the other type |
//! | `getBlockchainID` | charge; return the chain ID (static calls allowed, extra input ignored) |
//!
//! Input shorter than 4 bytes and unknown selectors halt. Every halt consumes all
//! gas given to the call, as any Go error does.

use alloy_primitives::{Address, Bytes, Log, B256};
use alloy_sol_types::{SolCall, SolEvent};
use awm_core::{AddressedCall, ChainId, Hash, Message, UnsignedMessage};
use thiserror::Error;
use warp_predicate::{unpack, FailureBits, GasSchedule, WarpPredicates, WARP_ADDRESS};

use crate::abi::{self, AbiError, INVALID_BLOCK_HASH_OUTPUT, INVALID_WARP_MESSAGE_OUTPUT};
use crate::interface::{IWarpMessenger, WarpBlockHash, WarpMessage};

/// The receiving chain's constants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChainConstants {
    /// The network ID (1 mainnet, 5 Fuji, 12345 local).
    pub network_id: u32,
    /// This chain's blockchain ID.
    pub blockchain_id: ChainId,
}

/// How the precompile was entered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum CallScheme {
    /// `CALL`.
    #[default]
    Call,
    /// `STATICCALL`.
    StaticCall,
    /// `DELEGATECALL`.
    DelegateCall,
    /// `CALLCODE`.
    CallCode,
}

/// What a chain does with `DELEGATECALL` / `CALLCODE` into a stateful precompile.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DelegatePolicy {
    /// Runs, with the delegating frame's caller (before 2025-08-02 04:00 UTC).
    Allowed,
    /// Makes the whole transaction invalid (from 2025-08-02 until Granite).
    InvalidatesTransaction,
    /// Reverts with no gas left and no data (from Granite).
    Reverts,
}

/// 2025-08-02 04:00 UTC: `InvalidateDelegateUnix`.
pub const INVALIDATE_DELEGATE_TIMESTAMP: u64 = 1_754_107_200;

impl DelegatePolicy {
    /// The policy at `timestamp` for a chain whose Granite activates at `granite`.
    pub fn at(timestamp: u64, granite: u64) -> Self {
        if timestamp >= granite {
            Self::Reverts
        } else if timestamp >= INVALIDATE_DELEGATE_TIMESTAMP {
            Self::InvalidatesTransaction
        } else {
            Self::Allowed
        }
    }
}

/// One call into the precompile.
#[derive(Debug, Clone, Copy)]
pub struct WarpCall<'a> {
    /// Calldata, selector included.
    pub input: &'a [u8],
    /// The immediate caller (the contract, when a contract calls).
    pub caller: Address,
    /// Whether the call runs in a static context (directly or inherited).
    pub is_static: bool,
    /// How it was entered.
    pub scheme: CallScheme,
    /// Gas given to the call.
    pub gas_limit: u64,
}

/// What the precompile reads from the transaction and the chain.
#[derive(Debug, Clone, Copy)]
pub struct WarpEnv<'a> {
    /// The transaction's warp predicates (storage keys of each warp tuple, in order).
    pub predicates: &'a WarpPredicates,
    /// Which of them failed pre-verification; `None` when the transaction was not
    /// pre-verified, and then every predicate reads as invalid.
    pub failures: Option<&'a FailureBits>,
    /// The chain's constants.
    pub chain: ChainConstants,
    /// The gas schedule at the block's timestamp.
    pub schedule: &'a GasSchedule,
    /// The delegate-call policy at the block's timestamp.
    pub delegate_policy: DelegatePolicy,
}

/// Why a call halted (consuming all its gas).
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WarpHalt {
    /// Not enough gas for a charge (`ErrOutOfGas`).
    #[error("out of gas: {needed} needed, {available} left")]
    OutOfGas {
        /// The charge.
        needed: u64,
        /// Gas left before it.
        available: u64,
    },
    /// `sendWarpMessage` in a static context (`ErrWriteProtection`).
    #[error("write protection: sendWarpMessage in a static context")]
    WriteProtection,
    /// Input shorter than 4 bytes.
    #[error("missing function selector: input of {len} bytes")]
    MissingSelector {
        /// Input length.
        len: usize,
    },
    /// No function has this selector.
    #[error("unknown function selector 0x{}", alloy_primitives::hex::encode(selector))]
    UnknownSelector {
        /// The selector.
        selector: [u8; 4],
    },
    /// `sendWarpMessage` calldata does not decode (`errInvalidSendInput`).
    #[error("invalid sendWarpMessage input: {0}")]
    InvalidSendInput(AbiError),
    /// The payload makes an `AddressedCall` over 24 KiB.
    #[error("payload of {len} bytes is too large for an AddressedCall")]
    PayloadTooLarge {
        /// Payload length.
        len: usize,
    },
    /// The index does not decode (`errInvalidIndexInput`).
    #[error("invalid index input: {0}")]
    InvalidIndexInput(AbiError),
    /// The index is above `i32::MAX` (`errInvalidIndexInput`).
    #[error("invalid index input: {index} exceeds {}", i32::MAX)]
    IndexTooLarge {
        /// The index.
        index: u32,
    },
    /// A valid predicate no longer unpacks or parses (unreachable after pre-verification).
    #[error("invalid predicate {index}: {reason}")]
    InvalidPredicate {
        /// The index.
        index: u32,
        /// Why.
        reason: String,
    },
    /// The message's payload is of the other type (`errInvalidAddressedPayload` / `errInvalidBlockHashPayload`).
    #[error("warp message {index} does not carry {expected} payload")]
    PayloadTypeMismatch {
        /// The index.
        index: u32,
        /// The payload type asked for.
        expected: &'static str,
    },
    /// `DELEGATECALL` / `CALLCODE` from Granite: a revert with no gas left.
    #[error("delegate call into the warp precompile reverts")]
    DelegateCallReverted,
}

/// A successful call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarpOutput {
    /// Gas used.
    pub gas_used: u64,
    /// Return data.
    pub output: Bytes,
    /// Logs emitted.
    pub logs: Vec<Log>,
}

/// What a call did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WarpOutcome {
    /// Returned normally.
    Success(WarpOutput),
    /// Halted: all gas is consumed, state and logs are reverted. [`WarpHalt::DelegateCallReverted`]
    /// is a revert (no data, no gas left) rather than an exceptional halt.
    Halt(WarpHalt),
    /// The transaction is invalid (a delegate call between 2025-08-02 and Granite).
    InvalidTransaction,
}

/// Tracks gas like `contract.DeductGas`.
struct Meter {
    limit: u64,
    used: u64,
}

impl Meter {
    fn charge(&mut self, cost: Option<u64>) -> Result<(), WarpHalt> {
        let available = self.limit.saturating_sub(self.used);
        // An overflowing charge is out of gas, as in Go.
        let needed = cost.unwrap_or(u64::MAX);
        if needed > available {
            return Err(WarpHalt::OutOfGas { needed, available });
        }
        self.used = self.used.saturating_add(needed);
        Ok(())
    }
}

/// Runs one call.
pub fn run(call: &WarpCall<'_>, env: &WarpEnv<'_>) -> WarpOutcome {
    if matches!(call.scheme, CallScheme::DelegateCall | CallScheme::CallCode) {
        match env.delegate_policy {
            DelegatePolicy::Allowed => {}
            DelegatePolicy::InvalidatesTransaction => return WarpOutcome::InvalidTransaction,
            DelegatePolicy::Reverts => return WarpOutcome::Halt(WarpHalt::DelegateCallReverted),
        }
    }
    let mut meter = Meter { limit: call.gas_limit, used: 0 };
    match dispatch(call, env, &mut meter) {
        Ok((output, logs)) => WarpOutcome::Success(WarpOutput { gas_used: meter.used, output, logs }),
        Err(halt) => WarpOutcome::Halt(halt),
    }
}

type Returned = (Bytes, Vec<Log>);

fn dispatch(call: &WarpCall<'_>, env: &WarpEnv<'_>, meter: &mut Meter) -> Result<Returned, WarpHalt> {
    let (selector, args) = match (call.input.get(..4), call.input.get(4..)) {
        (Some(s), Some(args)) => (<[u8; 4]>::try_from(s).unwrap_or_default(), args),
        _ => return Err(WarpHalt::MissingSelector { len: call.input.len() }),
    };
    match selector {
        IWarpMessenger::sendWarpMessageCall::SELECTOR => send_warp_message(call, env, args, meter),
        IWarpMessenger::getVerifiedWarpMessageCall::SELECTOR => {
            get_verified(env, args, meter, Kind::Message).map(|out| (out, Vec::new()))
        }
        IWarpMessenger::getVerifiedWarpBlockHashCall::SELECTOR => {
            get_verified(env, args, meter, Kind::BlockHash).map(|out| (out, Vec::new()))
        }
        IWarpMessenger::getBlockchainIDCall::SELECTOR => {
            meter.charge(Some(env.schedule.get_blockchain_id))?;
            let id = B256::from(*env.chain.blockchain_id.as_bytes());
            Ok((IWarpMessenger::getBlockchainIDCall::abi_encode_returns(&id).into(), Vec::new()))
        }
        selector => Err(WarpHalt::UnknownSelector { selector }),
    }
}

fn send_warp_message(
    call: &WarpCall<'_>,
    env: &WarpEnv<'_>,
    args: &[u8],
    meter: &mut Meter,
) -> Result<Returned, WarpHalt> {
    meter.charge(Some(env.schedule.send_warp_message_base))?;
    let per_byte =
        u64::try_from(args.len()).ok().and_then(|n| n.checked_mul(env.schedule.per_warp_message_byte));
    meter.charge(per_byte)?;
    if call.is_static {
        return Err(WarpHalt::WriteProtection);
    }
    let payload = abi::decode_bytes(args).map_err(WarpHalt::InvalidSendInput)?;
    let addressed = AddressedCall::new(call.caller.to_vec(), payload.to_vec())
        .map_err(|_| WarpHalt::PayloadTooLarge { len: payload.len() })?;
    let unsigned = UnsignedMessage::new(env.chain.network_id, env.chain.blockchain_id, addressed.to_bytes())
        .map_err(|_| WarpHalt::PayloadTooLarge { len: payload.len() })?;
    let id = B256::from(*unsigned.id().as_bytes());
    let event = IWarpMessenger::SendWarpMessage {
        sender: call.caller,
        messageID: id,
        message: unsigned.to_bytes().into(),
    };
    let log = Log { address: WARP_ADDRESS, data: event.encode_log_data() };
    Ok((IWarpMessenger::sendWarpMessageCall::abi_encode_returns(&id).into(), vec![log]))
}

#[derive(Clone, Copy)]
enum Kind {
    Message,
    BlockHash,
}

fn get_verified(env: &WarpEnv<'_>, args: &[u8], meter: &mut Meter, kind: Kind) -> Result<Bytes, WarpHalt> {
    meter.charge(Some(env.schedule.get_verified_warp_message_base))?;
    let index = abi::decode_uint32(args).map_err(WarpHalt::InvalidIndexInput)?;
    if index > i32::MAX as u32 {
        return Err(WarpHalt::IndexTooLarge { index });
    }
    let position = index as usize;
    // `valid = exists && !failed`; without pre-verification nothing is valid.
    let verified = |i: usize| env.failures.is_some_and(|failures| !failures.contains(i));
    let predicate = env.predicates.get(position).filter(|_| verified(position));
    let Some(keys) = predicate else {
        return Ok(match kind {
            Kind::Message => Bytes::from_static(&INVALID_WARP_MESSAGE_OUTPUT),
            Kind::BlockHash => Bytes::from_static(&INVALID_BLOCK_HASH_OUTPUT),
        });
    };
    let per_chunk =
        u64::try_from(keys.len()).ok().and_then(|n| n.checked_mul(env.schedule.per_warp_message_chunk));
    meter.charge(per_chunk)?;
    let invalid = |reason: String| WarpHalt::InvalidPredicate { index, reason };
    let bytes = unpack(keys).map_err(|e| invalid(e.to_string()))?;
    let message = Message::parse(&bytes).map_err(|e| invalid(e.to_string()))?;
    let unsigned = message.unsigned();
    let source = B256::from(*unsigned.source_chain_id().as_bytes());
    match kind {
        Kind::Message => {
            let call = AddressedCall::parse(unsigned.payload())
                .map_err(|_| WarpHalt::PayloadTypeMismatch { index, expected: "an AddressedCall" })?;
            let message = WarpMessage {
                sourceChainID: source,
                originSenderAddress: Address::from(call.origin_sender_address()),
                payload: call.payload().to_vec().into(),
            };
            Ok(IWarpMessenger::getVerifiedWarpMessageCall::abi_encode_returns(
                &IWarpMessenger::getVerifiedWarpMessageReturn { message, valid: true },
            )
            .into())
        }
        Kind::BlockHash => {
            let hash = Hash::parse(unsigned.payload())
                .map_err(|_| WarpHalt::PayloadTypeMismatch { index, expected: "a block hash" })?;
            let warp_block_hash =
                WarpBlockHash { sourceChainID: source, blockHash: B256::from(*hash.hash.as_bytes()) };
            Ok(IWarpMessenger::getVerifiedWarpBlockHashCall::abi_encode_returns(
                &IWarpMessenger::getVerifiedWarpBlockHashReturn {
                    warpBlockHash: warp_block_hash,
                    valid: true,
                },
            )
            .into())
        }
    }
}
