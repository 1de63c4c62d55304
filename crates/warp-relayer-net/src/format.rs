//! Message formats: what a sending contract's message becomes on the
//! destination.
//!
//! - `route`: the configured contract is called with the configured calldata,
//!   the signed message as the predicate of the first warp tuple. The
//!   destination is fixed, or read from a word of the payload for a contract
//!   that sends to several chains.
//! - `teleporter`: the `AddressedCall` payload is Ava Labs' `TeleporterMessage`
//!   (`abi.encode` of the struct); it is delivered by calling
//!   `receiveCrossChainMessage(0, rewardAddress)` on the messenger at the same
//!   address on the destination. A message whose allowed relayers exclude this
//!   relayer's account is skipped; so is one the destination already received
//!   (checked with `messageReceived` before and after signing).

use alloy_primitives::{Address, Bytes, B256, U256};
use alloy_sol_types::{SolCall, SolValue};
use awm_core::{Id, Payload, UnsignedMessage};

use crate::config::{MessageFormat, RouteSettings, TeleporterSettings};

alloy_sol_types::sol! {
    /// A receipt carried back to the sender's chain (Ava Labs' ABI).
    struct TeleporterMessageReceipt {
        uint256 receivedMessageNonce;
        address relayerRewardAddress;
    }

    /// The Teleporter message (Ava Labs' ABI): the warp payload is `abi.encode` of it.
    struct TeleporterMessage {
        uint256 messageNonce;
        address originSenderAddress;
        bytes32 destinationBlockchainID;
        address destinationAddress;
        uint256 requiredGasLimit;
        address[] allowedRelayerAddresses;
        TeleporterMessageReceipt[] receipts;
        bytes message;
    }

    /// The messenger's functions the relayer calls.
    interface ITeleporterMessenger {
        /// Delivers the warp message at `messageIndex` of the transaction's predicates.
        function receiveCrossChainMessage(uint32 messageIndex, address relayerRewardAddress) external;
        /// Whether the message with this ID was received.
        function messageReceived(bytes32 messageID) external view returns (bool);
        /// The ID of a message.
        function calculateMessageID(bytes32 sourceBlockchainID, bytes32 destinationBlockchainID, uint256 nonce)
            external view returns (bytes32);
        /// Emitted when a message is received.
        event ReceiveCrossChainMessage(
            bytes32 indexed messageID,
            bytes32 indexed sourceBlockchainID,
            address indexed deliverer,
            address rewardRedeemer,
            TeleporterMessage message
        );
    }
}

/// What to do with one message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Plan {
    /// Deliver it.
    Deliver(DeliveryPlan),
    /// Leave it, for this reason.
    Skip(String),
}

/// A delivery to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeliveryPlan {
    /// The destination blockchain.
    pub destination: Id,
    /// The contract called.
    pub to: Address,
    /// The calldata.
    pub calldata: Bytes,
    /// Gas the estimate cannot see: a Teleporter receiver's required gas
    /// (the messenger survives a receiver that runs out of it).
    pub extra_gas: u64,
    /// Selectors of the app's "already delivered" errors.
    pub already_delivered: Vec<[u8; 4]>,
    /// For Teleporter: the messenger checks whether it was received.
    pub teleporter: Option<TeleporterCheck>,
}

/// What identifies a Teleporter message on its destination.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeleporterCheck {
    /// The source blockchain.
    pub source: B256,
    /// The destination blockchain.
    pub destination: B256,
    /// The message nonce.
    pub nonce: U256,
}

impl TeleporterCheck {
    /// `calculateMessageID(source, destination, nonce)`'s calldata.
    pub fn id_calldata(&self) -> Bytes {
        ITeleporterMessenger::calculateMessageIDCall {
            sourceBlockchainID: self.source,
            destinationBlockchainID: self.destination,
            nonce: self.nonce,
        }
        .abi_encode()
        .into()
    }
}

/// The EVM sender of a message (its `AddressedCall` source address), if it has one.
pub fn sender(unsigned: &UnsignedMessage) -> Option<Address> {
    let Ok(Payload::AddressedCall(call)) = unsigned.parsed_payload() else { return None };
    <[u8; 20]>::try_from(call.source_address()).ok().map(Address::from)
}

fn addressed_payload(unsigned: &UnsignedMessage) -> Option<Vec<u8>> {
    match unsigned.parsed_payload() {
        Ok(Payload::AddressedCall(call)) => Some(call.payload().to_vec()),
        _ => None,
    }
}

/// Plans the delivery of `unsigned` (sent by a contract of `format`), given
/// the destinations and the relayer's account on each.
pub fn plan(unsigned: &UnsignedMessage, format: &MessageFormat, destinations: &[(Id, Address)]) -> Plan {
    let Some(payload) = addressed_payload(unsigned) else {
        return Plan::Skip("the payload is not an AddressedCall".into());
    };
    match format {
        MessageFormat::Route(route) => plan_route(&payload, route, destinations),
        MessageFormat::Teleporter(settings) => plan_teleporter(unsigned, &payload, settings, destinations),
    }
}

fn plan_route(payload: &[u8], route: &RouteSettings, destinations: &[(Id, Address)]) -> Plan {
    let destination = match (route.destination_word, route.destination_blockchain_id) {
        (Some(word), fixed) => {
            let start = word.saturating_mul(32);
            let Some(bytes) = payload.get(start..start.saturating_add(32)) else {
                return Plan::Skip(format!("the payload has no word {word} naming the destination"));
            };
            let mut id = [0u8; 32];
            id.copy_from_slice(bytes);
            let named = Id::from(id);
            if fixed.is_some_and(|f| f != named) {
                return Plan::Skip(format!("for {named}, not this route's destination"));
            }
            named
        }
        (None, Some(fixed)) => fixed,
        (None, None) => return Plan::Skip("the route names no destination".into()),
    };
    if !destinations.iter().any(|(id, _)| *id == destination) {
        return Plan::Skip(format!("destination {destination} is not among destination-blockchains"));
    }
    Plan::Deliver(DeliveryPlan {
        destination,
        to: route.destination_address,
        calldata: route.calldata.clone(),
        extra_gas: 0,
        already_delivered: route.already_delivered.clone(),
        teleporter: None,
    })
}

fn plan_teleporter(
    unsigned: &UnsignedMessage,
    payload: &[u8],
    settings: &TeleporterSettings,
    destinations: &[(Id, Address)],
) -> Plan {
    let message = match TeleporterMessage::abi_decode(payload) {
        Ok(message) => message,
        Err(e) => return Plan::Skip(format!("not a TeleporterMessage: {e}")),
    };
    let destination = Id::from(message.destinationBlockchainID.0);
    let Some((_, relayer)) = destinations.iter().find(|(id, _)| *id == destination) else {
        return Plan::Skip(format!("destination {destination} is not among destination-blockchains"));
    };
    if !message.allowedRelayerAddresses.is_empty() && !message.allowedRelayerAddresses.contains(relayer) {
        return Plan::Skip(format!(
            "relayer {relayer} is not among the message's {} allowed relayers",
            message.allowedRelayerAddresses.len()
        ));
    }
    let Some(messenger) = sender(unsigned) else {
        return Plan::Skip("the message has no EVM sender".into());
    };
    let reward = settings.reward_address.unwrap_or(*relayer);
    let calldata =
        ITeleporterMessenger::receiveCrossChainMessageCall { messageIndex: 0, relayerRewardAddress: reward }
            .abi_encode();
    // The messenger forwards `requiredGasLimit` to the receiver and keeps 1/64
    // (EIP-150); a receiver's failure does not revert, so the estimate may miss it.
    let required = u64::try_from(message.requiredGasLimit).unwrap_or(u64::MAX);
    let extra_gas = required.saturating_add(required / 63);
    Plan::Deliver(DeliveryPlan {
        destination,
        to: messenger,
        calldata: calldata.into(),
        extra_gas,
        already_delivered: Vec::new(),
        teleporter: Some(TeleporterCheck {
            source: B256::from(*unsigned.source_chain_id().as_bytes()),
            destination: message.destinationBlockchainID,
            nonce: message.messageNonce,
        }),
    })
}
