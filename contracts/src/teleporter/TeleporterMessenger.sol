// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IWarpMessenger, WarpMessage} from "../IWarpMessenger.sol";
import {
    ITeleporterMessenger,
    TeleporterFeeInfo,
    TeleporterMessage,
    TeleporterMessageInput,
    TeleporterMessageReceipt
} from "./ITeleporterMessenger.sol";
import {ITeleporterReceiver} from "./ITeleporterReceiver.sol";

/// @title TeleporterMessenger
/// @notice A minimal messenger that speaks the Teleporter (ICM) protocol of Ava Labs: the same warp
///         payload (`abi.encode(TeleporterMessage)`), the same message IDs, the same receiver call
///         and the same ABI for what it implements, so Teleporter relayers and applications work
///         with it unchanged.
/// @dev Deploy it with CREATE2 (same init code, same salt, same factory) so that it has the same
///      address on every chain: it has no constructor and reads its blockchain ID lazily from the
///      Warp precompile. Incoming messages are accepted only when their warp origin sender is this
///      contract's own address, i.e. the same code on the source chain, which is what makes the
///      payload format and the nonces trustworthy.
///
///      Message ID: `keccak256(abi.encode(address(this), sourceBlockchainID, destinationBlockchainID, messageNonce))`,
///      with one nonce counter for all destinations, starting at 1.
///
///      Delivery (`receiveCrossChainMessage`) checks, in this order: the warp message is valid; it
///      was sent by this address; it is for this chain; it has not been received yet; the caller is
///      an allowed relayer (when the list is not empty). It then records the message as received
///      and the relayer's reward address, and, if the payload is not empty, calls the destination
///      with exactly `requiredGasLimit` gas. If that call fails, or the destination has no code,
///      the message stays received: its hash is kept for `retryMessageExecution` and
///      `MessageExecutionFailed` is emitted, and the transaction does not revert.
///
///      Left out compared with Ava Labs' `TeleporterMessenger`:
///      - fees and relayer rewards: a non-zero fee is refused (`FeesNotSupported`); the reward address
///        is only recorded (`addFeeAmount`, `redeemRelayerRewards`, `checkRelayerRewardAmount`,
///        `getFeeInfo` are absent);
///      - receipts: outgoing messages carry no receipts, the receipts of incoming messages are
///        ignored, and there is no receipt queue (`sendSpecifiedReceipts`, `getReceiptQueueSize`,
///        `getReceiptAtIndex`, `receiptQueues`, event `ReceiptReceived`);
///      - re-sending: sent messages are not stored (`retrySendCrossChainMessage`, `getMessageHash`,
///        `sentMessageInfo`);
///      - upgradeability and versioning (`TeleporterRegistry`), and the sender-side reentrancy guard
///        (it protects the receipt queue, which does not exist here);
///      - revert reasons are custom errors instead of strings.
contract TeleporterMessenger is ITeleporterMessenger {
    /// @notice The Warp precompile.
    IWarpMessenger public constant WARP_MESSENGER = IWarpMessenger(0x0200000000000000000000000000000000000005);

    /// @notice This chain's Avalanche blockchain ID, read from the Warp precompile on first use
    ///         (zero until then).
    bytes32 public blockchainID;

    /// @notice The nonce of the last message sent (0 before the first; the first message has nonce 1).
    uint256 public messageNonce;

    /// @notice For each received message whose execution failed and has not been retried
    ///         successfully: `keccak256(abi.encode(message))`. Zero otherwise.
    mapping(bytes32 messageID => bytes32 messageHash) public receivedFailedMessageHashes;

    /// @dev Whether each message ID has been received.
    mapping(bytes32 messageID => bool) private _received;

    /// @dev The reward address named by the deliverer of each received message (zero if none).
    mapping(bytes32 messageID => address) private _relayerRewardAddresses;

    /// @dev 1 while `receiveCrossChainMessage` or `retryMessageExecution` runs.
    uint256 private _receiving;

    /// @notice `sendCrossChainMessage` was given a non-zero fee: this messenger keeps no fees.
    /// @param feeTokenAddress The fee token of the input.
    /// @param amount The fee amount of the input.
    error FeesNotSupported(address feeTokenAddress, uint256 amount);

    /// @notice The Warp precompile returned a zero blockchain ID.
    error ZeroBlockchainID();

    /// @notice No valid warp message at this index of the transaction's predicates.
    /// @param messageIndex The warp message index.
    error InvalidWarpMessage(uint32 messageIndex);

    /// @notice The warp message was not sent by this contract's address on its source chain.
    /// @param originSenderAddress The warp origin sender of the message.
    error InvalidOriginSender(address originSenderAddress);

    /// @notice The message is addressed to another chain.
    /// @param destinationBlockchainID The destination chain in the message.
    /// @param blockchainID This chain's blockchain ID.
    error InvalidDestinationChain(bytes32 destinationBlockchainID, bytes32 blockchainID);

    /// @notice The message has already been received.
    /// @param messageID The ID of the message.
    error MessageAlreadyReceived(bytes32 messageID);

    /// @notice The caller is not in the message's non-empty list of allowed relayers.
    /// @param relayer The caller.
    error UnauthorizedRelayer(address relayer);

    /// @notice Less gas is left than the message's `requiredGasLimit` when its execution starts.
    /// @param requiredGasLimit The gas the message requires.
    error InsufficientGas(uint256 requiredGasLimit);

    /// @notice `getRelayerRewardAddress` was asked about a message that has not been received.
    /// @param messageID The ID of the message.
    error MessageNotReceived(bytes32 messageID);

    /// @notice `retryMessageExecution`: no failed execution is stored for this message ID.
    /// @param messageID The ID computed from the source chain and the message nonce.
    error FailedMessageNotFound(bytes32 messageID);

    /// @notice `retryMessageExecution`: the message given is not the one whose execution failed.
    /// @param messageID The ID of the message.
    error FailedMessageMismatch(bytes32 messageID);

    /// @notice `retryMessageExecution`: the destination still has no code.
    /// @param destinationAddress The destination of the message.
    error DestinationHasNoCode(address destinationAddress);

    /// @notice `retryMessageExecution`: the destination call failed again.
    /// @param messageID The ID of the message.
    error RetryExecutionFailed(bytes32 messageID);

    /// @notice A delivery or retry was started from within a message execution.
    error ReentrantReceive();

    /// @dev Refuses to enter while a delivery or retry is running.
    modifier receiveGuard() {
        if (_receiving != 0) revert ReentrantReceive();
        _receiving = 1;
        _;
        _receiving = 0;
    }

    /// @inheritdoc ITeleporterMessenger
    /// @dev Reverts with `FeesNotSupported` if `messageInput.feeInfo.amount` is not zero (the fee
    ///      token address is ignored when the amount is zero, and logged as given). Takes the next
    ///      nonce, emits `SendCrossChainMessage` and sends `abi.encode(message)` through the Warp
    ///      precompile; the message carries no receipts.
    function sendCrossChainMessage(TeleporterMessageInput calldata messageInput) external returns (bytes32) {
        TeleporterFeeInfo calldata feeInfo = messageInput.feeInfo;
        if (feeInfo.amount != 0) revert FeesNotSupported(feeInfo.feeTokenAddress, feeInfo.amount);

        bytes32 sourceBlockchainID = initializeBlockchainID();
        uint256 nonce = ++messageNonce;
        bytes32 messageID = calculateMessageID(sourceBlockchainID, messageInput.destinationBlockchainID, nonce);

        TeleporterMessage memory message = TeleporterMessage({
            messageNonce: nonce,
            originSenderAddress: msg.sender,
            destinationBlockchainID: messageInput.destinationBlockchainID,
            destinationAddress: messageInput.destinationAddress,
            requiredGasLimit: messageInput.requiredGasLimit,
            allowedRelayerAddresses: messageInput.allowedRelayerAddresses,
            receipts: new TeleporterMessageReceipt[](0),
            message: messageInput.message
        });

        emit SendCrossChainMessage(messageID, messageInput.destinationBlockchainID, message, feeInfo);
        WARP_MESSENGER.sendWarpMessage(abi.encode(message));
        return messageID;
    }

    /// @inheritdoc ITeleporterMessenger
    /// @dev Reverts with `InvalidWarpMessage`, `InvalidOriginSender`, `InvalidDestinationChain`,
    ///      `MessageAlreadyReceived`, `UnauthorizedRelayer` (checked in this order), with
    ///      `InsufficientGas` if less than `requiredGasLimit` gas is left when the execution starts,
    ///      and with `ReentrantReceive` when called from a message execution. A failing destination
    ///      does not revert (see the contract documentation). Emits `ReceiveCrossChainMessage`, then
    ///      `MessageExecuted` or `MessageExecutionFailed` unless the payload is empty.
    function receiveCrossChainMessage(uint32 messageIndex, address relayerRewardAddress) external receiveGuard {
        (WarpMessage memory warpMessage, bool valid) = WARP_MESSENGER.getVerifiedWarpMessage(messageIndex);
        if (!valid) revert InvalidWarpMessage(messageIndex);
        if (warpMessage.originSenderAddress != address(this)) {
            revert InvalidOriginSender(warpMessage.originSenderAddress);
        }

        TeleporterMessage memory message = abi.decode(warpMessage.payload, (TeleporterMessage));
        bytes32 thisBlockchainID = initializeBlockchainID();
        if (message.destinationBlockchainID != thisBlockchainID) {
            revert InvalidDestinationChain(message.destinationBlockchainID, thisBlockchainID);
        }

        bytes32 sourceBlockchainID = warpMessage.sourceChainID;
        bytes32 messageID = calculateMessageID(sourceBlockchainID, thisBlockchainID, message.messageNonce);
        if (_received[messageID]) revert MessageAlreadyReceived(messageID);
        if (!_isAllowedRelayer(msg.sender, message.allowedRelayerAddresses)) revert UnauthorizedRelayer(msg.sender);

        _received[messageID] = true;
        if (relayerRewardAddress != address(0)) _relayerRewardAddresses[messageID] = relayerRewardAddress;
        emit ReceiveCrossChainMessage(messageID, sourceBlockchainID, msg.sender, relayerRewardAddress, message);

        // An empty payload is a receipts-only message in Teleporter: nothing to execute.
        if (message.message.length != 0) _executeOnDelivery(messageID, sourceBlockchainID, message);
    }

    /// @inheritdoc ITeleporterMessenger
    /// @dev Anyone may call it. Reverts with `FailedMessageNotFound`, `FailedMessageMismatch`,
    ///      `DestinationHasNoCode` or `RetryExecutionFailed` (the failure is then kept for another
    ///      retry), and with `ReentrantReceive` when called from a message execution. The stored
    ///      hash is cleared before the call; emits `MessageExecuted`.
    function retryMessageExecution(bytes32 sourceBlockchainID, TeleporterMessage calldata message)
        external
        receiveGuard
    {
        // A stored failure implies a delivery, which initialized `blockchainID`.
        bytes32 messageID = calculateMessageID(sourceBlockchainID, blockchainID, message.messageNonce);
        bytes32 failedHash = receivedFailedMessageHashes[messageID];
        if (failedHash == bytes32(0)) revert FailedMessageNotFound(messageID);
        if (keccak256(abi.encode(message)) != failedHash) revert FailedMessageMismatch(messageID);
        if (message.destinationAddress.code.length == 0) revert DestinationHasNoCode(message.destinationAddress);

        delete receivedFailedMessageHashes[messageID];
        emit MessageExecuted(messageID, sourceBlockchainID);

        bytes memory callData = abi.encodeCall(
            ITeleporterReceiver.receiveTeleporterMessage,
            (sourceBlockchainID, message.originSenderAddress, message.message)
        );
        if (!_call(message.destinationAddress, gasleft(), callData)) revert RetryExecutionFailed(messageID);
    }

    /// @inheritdoc ITeleporterMessenger
    function messageReceived(bytes32 messageID) external view returns (bool) {
        return _received[messageID];
    }

    /// @inheritdoc ITeleporterMessenger
    /// @dev Reverts with `MessageNotReceived` if the message has not been received.
    function getRelayerRewardAddress(bytes32 messageID) external view returns (address) {
        if (!_received[messageID]) revert MessageNotReceived(messageID);
        return _relayerRewardAddresses[messageID];
    }

    /// @inheritdoc ITeleporterMessenger
    /// @dev Before the blockchain ID is initialized, reads it from the precompile without storing it;
    ///      reverts with `ZeroBlockchainID` if the precompile returns zero.
    function getNextMessageID(bytes32 destinationBlockchainID) external view returns (bytes32) {
        bytes32 sourceBlockchainID = blockchainID;
        if (sourceBlockchainID == bytes32(0)) {
            sourceBlockchainID = WARP_MESSENGER.getBlockchainID();
            if (sourceBlockchainID == bytes32(0)) revert ZeroBlockchainID();
        }
        return calculateMessageID(sourceBlockchainID, destinationBlockchainID, messageNonce + 1);
    }

    /// @notice Returns this chain's blockchain ID, reading it from the Warp precompile and storing it
    ///         on the first call.
    /// @dev Emits `BlockchainIDInitialized` when it stores it; reverts with `ZeroBlockchainID` if the
    ///      precompile returns zero. Called by sending and delivery, so calling it directly is optional.
    /// @return The Avalanche blockchain ID of this chain.
    function initializeBlockchainID() public returns (bytes32) {
        bytes32 id = blockchainID;
        if (id == bytes32(0)) {
            id = WARP_MESSENGER.getBlockchainID();
            if (id == bytes32(0)) revert ZeroBlockchainID();
            blockchainID = id;
            emit BlockchainIDInitialized(id);
        }
        return id;
    }

    /// @notice The ID of the message with nonce `nonce` sent by this messenger from
    ///         `sourceBlockchainID` to `destinationBlockchainID`.
    /// @param sourceBlockchainID The chain the message is sent from.
    /// @param destinationBlockchainID The chain the message is sent to.
    /// @param nonce The message nonce.
    /// @return `keccak256(abi.encode(address(this), sourceBlockchainID, destinationBlockchainID, nonce))`.
    function calculateMessageID(bytes32 sourceBlockchainID, bytes32 destinationBlockchainID, uint256 nonce)
        public
        view
        returns (bytes32)
    {
        return keccak256(abi.encode(address(this), sourceBlockchainID, destinationBlockchainID, nonce));
    }

    /// @dev First execution of a delivered message: requires `requiredGasLimit` gas left, then calls
    ///      the destination with that much gas. On failure (or no code at the destination) stores the
    ///      message hash for a retry and emits `MessageExecutionFailed`; on success emits `MessageExecuted`.
    ///      As in Ava Labs' messenger, the gas check comes before the call, so with EIP-150 the
    ///      destination may get up to 1/64 less than `requiredGasLimit` when the deliverer gives
    ///      barely enough gas; such an execution fails and stays retryable.
    /// @param messageID The ID of the message.
    /// @param sourceBlockchainID The chain the message came from.
    /// @param message The delivered message.
    function _executeOnDelivery(bytes32 messageID, bytes32 sourceBlockchainID, TeleporterMessage memory message)
        private
    {
        if (gasleft() < message.requiredGasLimit) revert InsufficientGas(message.requiredGasLimit);

        bool success;
        if (message.destinationAddress.code.length != 0) {
            bytes memory callData = abi.encodeCall(
                ITeleporterReceiver.receiveTeleporterMessage,
                (sourceBlockchainID, message.originSenderAddress, message.message)
            );
            success = _call(message.destinationAddress, message.requiredGasLimit, callData);
        }

        if (success) {
            emit MessageExecuted(messageID, sourceBlockchainID);
        } else {
            receivedFailedMessageHashes[messageID] = keccak256(abi.encode(message));
            emit MessageExecutionFailed(messageID, sourceBlockchainID, message);
        }
    }

    /// @dev Calls `target` with `gasLimit` gas, no value and `callData`, and discards the return
    ///      data without copying it (a receiver cannot make the messenger pay for a huge return).
    /// @param target The contract to call.
    /// @param gasLimit The gas to forward.
    /// @param callData The call data.
    /// @return success Whether the call succeeded.
    function _call(address target, uint256 gasLimit, bytes memory callData) private returns (bool success) {
        assembly ("memory-safe") {
            success := call(gasLimit, target, 0, add(callData, 0x20), mload(callData), 0, 0)
        }
    }

    /// @dev Whether `relayer` may deliver a message with this allow-list (empty: anyone).
    /// @param relayer The caller of `receiveCrossChainMessage`.
    /// @param allowedRelayers The message's allowed relayers.
    /// @return Whether the delivery is allowed.
    function _isAllowedRelayer(address relayer, address[] memory allowedRelayers) private pure returns (bool) {
        uint256 n = allowedRelayers.length;
        if (n == 0) return true;
        for (uint256 i; i < n; ++i) {
            if (allowedRelayers[i] == relayer) return true;
        }
        return false;
    }
}
