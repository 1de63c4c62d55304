// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

/// @notice A verified Avalanche Warp Message whose payload is an AddressedCall.
/// @param sourceChainID The blockchain ID of the chain that sent the message.
/// @param originSenderAddress The contract (or account) on the source chain that called `sendWarpMessage`.
/// @param payload The bytes passed to `sendWarpMessage` on the source chain.
struct WarpMessage {
    bytes32 sourceChainID;
    address originSenderAddress;
    bytes payload;
}

/// @notice A verified Avalanche Warp Message whose payload is a block hash.
/// @param sourceChainID The blockchain ID of the chain whose block hash was attested.
/// @param blockHash The accepted block hash on the source chain.
struct WarpBlockHash {
    bytes32 sourceChainID;
    bytes32 blockHash;
}

/// @title IWarpMessenger
/// @notice The Solidity interface of the Warp precompile (ACP-30), deployed at
///         `0x0200000000000000000000000000000000000005` on the C-Chain and on Subnet-EVM chains.
/// @dev All types, events, arguments and outputs are ABI-encoded. Signed warp messages are carried
///      in the transaction's EIP-2930 access list (one access tuple per message, addressed to the
///      precompile) and are verified before execution; `index` counts those tuples from 0.
interface IWarpMessenger {
    /// @notice Emitted by the precompile for every call to `sendWarpMessage`.
    /// @dev When the block is accepted, validators add the unsigned warp message encoded in this
    ///      log to the set of messages they are willing to sign for an off-chain relayer.
    /// @param sender The caller of `sendWarpMessage`.
    /// @param messageID The ID of the unsigned warp message (SHA-256 of its bytes).
    /// @param message The serialized unsigned warp message.
    event SendWarpMessage(address indexed sender, bytes32 indexed messageID, bytes message);

    /// @notice Requests that this chain's validators sign a warp message from `msg.sender`
    ///         carrying `payload`.
    /// @dev Emits `SendWarpMessage` from the precompile. When the block is accepted, the precompile's
    ///      Accept hook sees the log and the validators become willing to sign the message.
    /// @param payload The application payload, wrapped in an AddressedCall from `msg.sender`.
    /// @return messageID The ID of the unsigned warp message.
    function sendWarpMessage(bytes calldata payload) external returns (bytes32 messageID);

    /// @notice Returns the pre-verified warp message at `index` in the transaction's predicates.
    /// @dev If the message exists and passed verification, returns it and `true`; otherwise
    ///      returns `false` and the empty value for the message.
    /// @param index The position of the message among the warp access tuples of the transaction.
    /// @return message The verified message (source chain, origin sender, payload).
    /// @return valid Whether a message exists at `index` and passed verification.
    function getVerifiedWarpMessage(uint32 index) external view returns (WarpMessage calldata message, bool valid);

    /// @notice Returns the pre-verified block-hash warp message at `index` in the transaction's predicates.
    /// @dev If the message exists and passed verification, returns it and `true`; otherwise
    ///      returns `false` and the empty value for the message.
    /// @param index The position of the message among the warp access tuples of the transaction.
    /// @return warpBlockHash The verified block hash and its source chain.
    /// @return valid Whether a message exists at `index` and passed verification.
    function getVerifiedWarpBlockHash(uint32 index)
        external
        view
        returns (WarpBlockHash calldata warpBlockHash, bool valid);

    /// @notice Returns the blockchain ID of this chain (`snow.Context` BlockchainID).
    /// @dev This is the ID of the transaction that created the chain on the P-Chain; it is not
    ///      the EIP-155 chain ID.
    /// @return blockchainID The Avalanche blockchain ID of this chain.
    function getBlockchainID() external view returns (bytes32 blockchainID);
}
