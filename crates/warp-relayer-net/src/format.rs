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

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing)]
mod tests {
    use super::sender as sender_of;
    use super::*;
    use awm_core::AddressedCall;

    const SOURCE: [u8; 32] = [0xaa; 32];

    fn message(sender: Address, payload: Vec<u8>) -> UnsignedMessage {
        let call = AddressedCall::new(sender.to_vec(), payload).unwrap();
        UnsignedMessage::new(12345, Id::from(SOURCE), call.to_bytes()).unwrap()
    }

    fn route(fixed: Option<Id>, word: Option<usize>) -> MessageFormat {
        MessageFormat::Route(RouteSettings {
            destination_blockchain_id: fixed,
            destination_word: word,
            destination_address: Address::repeat_byte(0x22),
            calldata: Bytes::from_static(&[1, 2, 3, 4]),
            already_delivered: vec![[9, 9, 9, 9]],
        })
    }

    #[test]
    fn routes_take_a_fixed_destination_or_one_from_the_payload() {
        let (b, c) = (Id::from([0xbb; 32]), Id::from([0xcc; 32]));
        let accounts = [(b, Address::repeat_byte(1)), (c, Address::repeat_byte(2))];
        let sender = Address::repeat_byte(0x11);
        // The messenger's payload: word 1 names the destination.
        let payload = [[0u8; 32], [0xcc; 32], [7u8; 32]].concat();
        let msg = message(sender, payload);
        assert_eq!(sender_of(&msg), Some(sender));
        let Plan::Deliver(d) = plan(&msg, &route(None, Some(1)), &accounts) else { panic!() };
        assert_eq!((d.destination, d.to, d.extra_gas), (c, Address::repeat_byte(0x22), 0));
        assert_eq!(d.already_delivered, vec![[9, 9, 9, 9]]);
        let Plan::Deliver(d) = plan_of(&msg, &route(Some(b), None), &accounts) else { panic!() };
        assert_eq!(d.destination, b);
        // A fixed destination the payload contradicts, a word past the payload, a chain not configured.
        assert!(
            matches!(plan_of(&msg, &route(Some(b), Some(1)), &accounts), Plan::Skip(r) if r.contains("not this route's"))
        );
        assert!(
            matches!(plan_of(&msg, &route(None, Some(3)), &accounts), Plan::Skip(r) if r.contains("no word 3"))
        );
        assert!(
            matches!(plan_of(&msg, &route(None, Some(2)), &accounts), Plan::Skip(r) if r.contains("not among"))
        );
    }

    fn plan_of(msg: &UnsignedMessage, format: &MessageFormat, accounts: &[(Id, Address)]) -> Plan {
        plan(msg, format, accounts)
    }

    fn teleporter(allowed: Vec<Address>, required: u64, destination: [u8; 32]) -> Vec<u8> {
        TeleporterMessage {
            messageNonce: U256::from(7),
            originSenderAddress: Address::repeat_byte(0x33),
            destinationBlockchainID: B256::from(destination),
            destinationAddress: Address::repeat_byte(0x44),
            requiredGasLimit: U256::from(required),
            allowedRelayerAddresses: allowed,
            receipts: vec![],
            message: Bytes::from_static(b"hi"),
        }
        .abi_encode()
    }

    #[test]
    fn teleporter_messages_are_decoded_checked_and_priced() {
        let b = Id::from([0xbb; 32]);
        let us = Address::repeat_byte(1);
        let accounts = [(b, us)];
        let messenger = Address::repeat_byte(0x55);
        let format = MessageFormat::Teleporter(TeleporterSettings { reward_address: None });
        let msg = message(messenger, teleporter(vec![], 630_000, [0xbb; 32]));
        let Plan::Deliver(d) = plan(&msg, &format, &accounts) else { panic!() };
        assert_eq!((d.destination, d.to), (b, messenger));
        // requiredGasLimit and the 1/64 the messenger keeps: 630,000 + 10,000.
        assert_eq!(d.extra_gas, 640_000);
        let call = ITeleporterMessenger::receiveCrossChainMessageCall::abi_decode(&d.calldata).unwrap();
        assert_eq!((call.messageIndex, call.relayerRewardAddress), (0, us));
        let check = d.teleporter.unwrap();
        assert_eq!(
            (check.source, check.destination, check.nonce),
            (B256::from(SOURCE), B256::from([0xbb; 32]), U256::from(7))
        );
        // Allowed relayers that include us, that exclude us; another chain; not a TeleporterMessage.
        let ours = message(messenger, teleporter(vec![Address::ZERO, us], 1, [0xbb; 32]));
        assert!(matches!(plan(&ours, &format, &accounts), Plan::Deliver(_)));
        let theirs = message(messenger, teleporter(vec![Address::ZERO], 1, [0xbb; 32]));
        assert!(
            matches!(plan(&theirs, &format, &accounts), Plan::Skip(r) if r.contains("1 allowed relayers"))
        );
        let elsewhere = message(messenger, teleporter(vec![], 1, [0xcc; 32]));
        assert!(matches!(plan(&elsewhere, &format, &accounts), Plan::Skip(r) if r.contains("not among")));
        let garbage = message(messenger, vec![1, 2, 3]);
        assert!(
            matches!(plan(&garbage, &format, &accounts), Plan::Skip(r) if r.contains("not a TeleporterMessage"))
        );
        let rewarded =
            MessageFormat::Teleporter(TeleporterSettings { reward_address: Some(Address::repeat_byte(9)) });
        let Plan::Deliver(d) = plan(&msg, &rewarded, &accounts) else { panic!() };
        let call = ITeleporterMessenger::receiveCrossChainMessageCall::abi_decode(&d.calldata).unwrap();
        assert_eq!(call.relayerRewardAddress, Address::repeat_byte(9));
    }
}
