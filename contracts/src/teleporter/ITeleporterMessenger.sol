// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

// ABI-compatible with Ava Labs' Teleporter (ICM) messenger, v1.0.0 up to the current
// `ava-labs/icm-contracts`: the structs below have the same field order and types, and the events
// and functions declared here have the same names, parameter types and indexed parameters, so the
// selectors, event topics and `abi.encode` layouts are identical. Field and parameter names follow
// Ava Labs' as well, because generated bindings (Rust `sol!`, Go abigen) take their names from them.

/// @notice Acknowledges the delivery of one message: which message (by nonce) and where the
///         relayer wants its reward for it. Carried back to the sending chain in later messages.
/// @dev Ava Labs' messenger batches receipts into outgoing messages; `TeleporterMessenger` here
///      always sends an empty list and ignores the receipts of incoming messages.
/// @param receivedMessageNonce The nonce of the delivered message.
/// @param relayerRewardAddress The address the deliverer named for its reward.
struct TeleporterMessageReceipt {
    uint256 receivedMessageNonce;
    address relayerRewardAddress;
}

/// @notice What an application passes to `sendCrossChainMessage`.
/// @param destinationBlockchainID The Avalanche blockchain ID of the destination chain.
/// @param destinationAddress The contract on the destination chain that receives the message
///        through `ITeleporterReceiver.receiveTeleporterMessage`.
/// @param feeInfo The relayer fee offered for the delivery.
/// @param requiredGasLimit The gas the destination call gets; the deliverer must provide at least that.
/// @param allowedRelayerAddresses The accounts allowed to deliver the message; empty means anyone.
/// @param message The application payload.
struct TeleporterMessageInput {
    bytes32 destinationBlockchainID;
    address destinationAddress;
    TeleporterFeeInfo feeInfo;
    uint256 requiredGasLimit;
    address[] allowedRelayerAddresses;
    bytes message;
}

/// @notice A message as it travels: the warp payload sent by the messenger is exactly
///         `abi.encode(TeleporterMessage)`.
/// @param messageNonce The sender messenger's nonce for this message (from 1; unique per messenger
///        and source chain, so it identifies the message together with the two blockchain IDs).
/// @param originSenderAddress The account that called `sendCrossChainMessage` on the source chain.
/// @param destinationBlockchainID The Avalanche blockchain ID of the destination chain.
/// @param destinationAddress The receiving contract on the destination chain.
/// @param requiredGasLimit The gas given to the destination call.
/// @param allowedRelayerAddresses The accounts allowed to deliver the message; empty means anyone.
/// @param receipts Receipts of messages delivered the other way (see `TeleporterMessageReceipt`).
/// @param message The application payload.
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

/// @notice A relayer fee: an amount of an ERC-20 token.
/// @param feeTokenAddress The ERC-20 token the fee is paid in.
/// @param amount The amount of that token.
struct TeleporterFeeInfo {
    address feeTokenAddress;
    uint256 amount;
}

/// @title ITeleporterMessenger
/// @notice The part of Ava Labs' `ITeleporterMessenger` interface that this project's
///         `TeleporterMessenger` implements: sending, receiving, retrying a failed execution, and
///         the delivery views. Left out: fees and relayer rewards (`addFeeAmount`,
///         `redeemRelayerRewards`, `checkRelayerRewardAmount`, `getFeeInfo`), re-sending
///         (`retrySendCrossChainMessage`, `getMessageHash`) and receipts (`sendSpecifiedReceipts`,
///         `getReceiptQueueSize`, `getReceiptAtIndex`), with their events `AddFeeAmount`,
///         `ReceiptReceived` and `RelayerRewardsRedeemed`.
/// @dev A message ID is `keccak256(abi.encode(messenger, sourceBlockchainID, destinationBlockchainID, messageNonce))`
///      where `messenger` is the messenger's address, the same on every chain.
interface ITeleporterMessenger {
    /// @notice Emitted once, when the messenger first reads its blockchain ID from the Warp precompile.
    /// @param blockchainID The Avalanche blockchain ID of this chain.
    event BlockchainIDInitialized(bytes32 indexed blockchainID);

    /// @notice Emitted when a message is sent; the same transaction sends `abi.encode(message)`
    ///         through the Warp precompile.
    /// @param messageID The ID of the message.
    /// @param destinationBlockchainID The destination chain.
    /// @param message The message as sent.
    /// @param feeInfo The relayer fee of the message.
    event SendCrossChainMessage(
        bytes32 indexed messageID,
        bytes32 indexed destinationBlockchainID,
        TeleporterMessage message,
        TeleporterFeeInfo feeInfo
    );

    /// @notice Emitted when a received message's destination call fails (or the destination has no
    ///         code). The message stays received; `retryMessageExecution` may run it again later.
    /// @param messageID The ID of the message.
    /// @param sourceBlockchainID The chain the message came from.
    /// @param message The message, as `retryMessageExecution` needs it.
    event MessageExecutionFailed(
        bytes32 indexed messageID, bytes32 indexed sourceBlockchainID, TeleporterMessage message
    );

    /// @notice Emitted when a message's destination call succeeds, on delivery or on a retry.
    ///         A message is executed successfully at most once.
    /// @param messageID The ID of the message.
    /// @param sourceBlockchainID The chain the message came from.
    event MessageExecuted(bytes32 indexed messageID, bytes32 indexed sourceBlockchainID);

    /// @notice Emitted when a message is delivered (whether or not its execution then succeeds).
    /// @param messageID The ID of the message.
    /// @param sourceBlockchainID The chain the message came from.
    /// @param deliverer The account that called `receiveCrossChainMessage` (the relayer).
    /// @param rewardRedeemer The reward address the deliverer named.
    /// @param message The message.
    event ReceiveCrossChainMessage(
        bytes32 indexed messageID,
        bytes32 indexed sourceBlockchainID,
        address indexed deliverer,
        address rewardRedeemer,
        TeleporterMessage message
    );

    /// @notice Sends `messageInput.message` to `messageInput.destinationAddress` on the chain
    ///         `messageInput.destinationBlockchainID`, with `msg.sender` as origin sender.
    /// @param messageInput The message and its delivery parameters.
    /// @return The ID of the new message.
    function sendCrossChainMessage(TeleporterMessageInput calldata messageInput) external returns (bytes32);

    /// @notice Delivers the message carried by the verified warp message at `messageIndex` of this
    ///         transaction's predicates, and executes it on its destination contract.
    /// @param messageIndex The index of the warp message among the transaction's warp access tuples.
    /// @param relayerRewardAddress Where the deliverer wants its reward (recorded only).
    function receiveCrossChainMessage(uint32 messageIndex, address relayerRewardAddress) external;

    /// @notice Executes again a message whose execution failed on delivery, with all the gas left.
    /// @param sourceBlockchainID The chain the message came from.
    /// @param message The message, exactly as logged by `MessageExecutionFailed`.
    function retryMessageExecution(bytes32 sourceBlockchainID, TeleporterMessage calldata message) external;

    /// @notice Whether the message `messageID` has been delivered to this chain.
    /// @param messageID The ID of the message.
    /// @return True once the message has been received.
    function messageReceived(bytes32 messageID) external view returns (bool);

    /// @notice The reward address the deliverer of a received message named.
    /// @param messageID The ID of a received message.
    /// @return The reward address (zero if the deliverer named none).
    function getRelayerRewardAddress(bytes32 messageID) external view returns (address);

    /// @notice The ID the next message sent to `destinationBlockchainID` would get, if it is the
    ///         next message this messenger sends at all (the nonce is shared by all destinations).
    /// @param destinationBlockchainID The destination chain.
    /// @return The message ID.
    function getNextMessageID(bytes32 destinationBlockchainID) external view returns (bytes32);
}
