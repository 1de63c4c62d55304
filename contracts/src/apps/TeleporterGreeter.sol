// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {ITeleporterReceiver} from "../teleporter/ITeleporterReceiver.sol";
import {ITeleporterMessenger, TeleporterFeeInfo, TeleporterMessageInput} from "../teleporter/ITeleporterMessenger.sol";

/// @title TeleporterGreeter
/// @notice A demonstration Teleporter application: it sends greetings through a Teleporter
///         messenger with `send` and records the last greeting delivered to it.
/// @dev No constructor and no configuration, so CREATE2 gives it the same address on every chain.
///      The price of that: `receiveTeleporterMessage` accepts ANY caller, not only a messenger, so
///      anyone can record a fake greeting by calling it directly. It records the caller in
///      `lastMessenger`, which is how a test tells a delivery through the messenger from a direct
///      call. A real application must check `msg.sender` against the messenger it trusts (and
///      usually the source chain and origin sender) before acting on a message.
contract TeleporterGreeter is ITeleporterReceiver {
    /// @notice The blockchain ID of the chain the last greeting came from.
    bytes32 public lastSourceBlockchainID;

    /// @notice The account that sent the last greeting on its source chain (for a greeting sent
    ///         with `send`: the greeter contract there).
    address public lastOriginSender;

    /// @notice The caller of `receiveTeleporterMessage` for the last greeting (the messenger, for a
    ///         real delivery).
    address public lastMessenger;

    /// @notice The payload of the last greeting.
    bytes public lastMessage;

    /// @notice The number of greetings received.
    uint256 public receivedCount;

    /// @notice Emitted for every greeting received.
    /// @param sourceBlockchainID The chain the greeting came from.
    /// @param originSender The account that sent it on that chain.
    /// @param message The payload.
    event Greeted(bytes32 indexed sourceBlockchainID, address indexed originSender, bytes message);

    /// @inheritdoc ITeleporterReceiver
    /// @dev Records the greeting and its caller in the `last*` fields and emits `Greeted`.
    function receiveTeleporterMessage(bytes32 sourceBlockchainID, address originSenderAddress, bytes calldata message)
        external
    {
        lastSourceBlockchainID = sourceBlockchainID;
        lastOriginSender = originSenderAddress;
        lastMessenger = msg.sender;
        lastMessage = message;
        receivedCount++;
        emit Greeted(sourceBlockchainID, originSenderAddress, message);
    }

    /// @notice Sends `message` to `destination` on `destinationBlockchainID` through `messenger`,
    ///         with no fee; the origin sender of the message is this contract.
    /// @param messenger The Teleporter messenger on this chain.
    /// @param destinationBlockchainID The destination chain.
    /// @param destination The receiving contract there (typically this greeter's address).
    /// @param requiredGasLimit The gas the destination call gets.
    /// @param allowedRelayers The accounts allowed to deliver the message; empty means anyone.
    /// @param message The payload.
    /// @return messageID The Teleporter message ID.
    function send(
        address messenger,
        bytes32 destinationBlockchainID,
        address destination,
        uint256 requiredGasLimit,
        address[] calldata allowedRelayers,
        bytes calldata message
    ) external returns (bytes32 messageID) {
        TeleporterMessageInput memory input = TeleporterMessageInput({
            destinationBlockchainID: destinationBlockchainID,
            destinationAddress: destination,
            feeInfo: TeleporterFeeInfo({feeTokenAddress: address(0), amount: 0}),
            requiredGasLimit: requiredGasLimit,
            allowedRelayerAddresses: allowedRelayers,
            message: message
        });
        return ITeleporterMessenger(messenger).sendCrossChainMessage(input);
    }
}
