// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @title ITeleporterReceiver
/// @notice What a contract implements to receive Teleporter messages; ABI-identical to Ava Labs'
///         `ITeleporterReceiver` (selector `0xc868efaa`).
/// @dev The messenger calls it with the message's `requiredGasLimit` as gas. Anyone can call a
///      receiver, so a receiver that trusts its input must check that `msg.sender` is the messenger
///      it relies on, and usually `sourceBlockchainID` and `originSenderAddress` too.
interface ITeleporterReceiver {
    /// @notice Called by the messenger on the destination chain to execute a delivered message.
    /// @param sourceBlockchainID The Avalanche blockchain ID of the chain the message came from.
    /// @param originSenderAddress The account that sent the message on that chain.
    /// @param message The application payload.
    function receiveTeleporterMessage(bytes32 sourceBlockchainID, address originSenderAddress, bytes calldata message)
        external;
}
