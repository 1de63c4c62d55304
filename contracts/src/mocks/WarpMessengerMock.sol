// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IWarpMessenger, WarpMessage, WarpBlockHash} from "../IWarpMessenger.sol";

/// @title WarpMessengerMock
/// @notice A stand-in for the Warp precompile in forge tests. Install its code at the precompile
///         address with `vm.etch(0x0200000000000000000000000000000000000005, address(new WarpMessengerMock()).code)`
///         (see `src/testing/WarpTestBase.sol`), then configure it through calls at that address.
/// @dev The contract has no constructor, no immutables and no initial state, because `vm.etch`
///      copies code only. Differences from the real precompile:
///      - the `message` data of `SendWarpMessage` is the raw `payload`, whereas the precompile logs
///        the serialized unsigned warp message (network ID, source chain ID, AddressedCall payload);
///      - the message ID is `sha256(abi.encode(block.chainid, sentCount, sender, payload))`, whereas
///        the precompile's ID is the SHA-256 of the unsigned warp message bytes;
///      - verified messages and block hashes are set with setters instead of coming from the
///        transaction's access list, and stay set across transactions until `clear()`.
///      Like the precompile, a read at an index that holds nothing (or that `setInvalid` marked)
///      returns `valid = false` and zero values.
contract WarpMessengerMock is IWarpMessenger {
    struct StoredMessage {
        bool exists;
        bytes32 sourceChainID;
        address originSenderAddress;
        bytes payload;
    }

    struct StoredBlockHash {
        bool exists;
        bytes32 sourceChainID;
        bytes32 blockHash;
    }

    struct Sent {
        address sender;
        bytes payload;
        bytes32 messageID;
    }

    /// @dev Bumped by `clear()`: every per-index entry lives under the current generation.
    uint256 private _generation;
    bytes32 private _blockchainID;
    mapping(uint256 generation => mapping(uint32 index => StoredMessage)) private _messages;
    mapping(uint256 generation => mapping(uint32 index => StoredBlockHash)) private _blockHashes;
    mapping(uint256 generation => mapping(uint32 index => bool)) private _invalid;
    Sent[] private _sent;

    /// @notice `sent(i)` was called with `i >= sentCount()`.
    /// @param index The requested index.
    /// @param count The number of recorded sends.
    error SentIndexOutOfRange(uint256 index, uint256 count);

    // ---------------------------------------------------------------- test setup

    /// @notice Sets the value that `getBlockchainID` returns.
    /// @param blockchainID The blockchain ID of the chain under test.
    function setBlockchainID(bytes32 blockchainID) external {
        _blockchainID = blockchainID;
    }

    /// @notice Makes `getVerifiedWarpMessage(index)` return this message with `valid = true`.
    /// @dev Clears a `setInvalid` mark on `index`.
    /// @param index The warp message index.
    /// @param sourceChainID The source chain of the message.
    /// @param originSenderAddress The contract that sent the message on the source chain.
    /// @param payload The message payload.
    function setVerifiedMessage(
        uint32 index,
        bytes32 sourceChainID,
        address originSenderAddress,
        bytes calldata payload
    ) external {
        _messages[_generation][index] = StoredMessage(true, sourceChainID, originSenderAddress, payload);
        _invalid[_generation][index] = false;
    }

    /// @notice Makes `getVerifiedWarpBlockHash(index)` return this block hash with `valid = true`.
    /// @dev Clears a `setInvalid` mark on `index`.
    /// @param index The warp message index.
    /// @param sourceChainID The chain the block belongs to.
    /// @param blockHash The block hash.
    function setVerifiedBlockHash(uint32 index, bytes32 sourceChainID, bytes32 blockHash) external {
        _blockHashes[_generation][index] = StoredBlockHash(true, sourceChainID, blockHash);
        _invalid[_generation][index] = false;
    }

    /// @notice Marks `index` as failing verification: both getters return `valid = false` and zero
    ///         values for it, until a setter sets it again or `clear()` is called.
    /// @param index The warp message index.
    function setInvalid(uint32 index) external {
        _invalid[_generation][index] = true;
    }

    /// @notice Forgets every verified message, block hash, invalid mark and recorded send.
    /// @dev The blockchain ID is kept. After `clear()`, `sentCount()` is 0 again, so message IDs
    ///      of later sends restart from sequence number 0.
    function clear() external {
        _generation++;
        delete _sent;
    }

    // ---------------------------------------------------------------- inspection

    /// @notice The number of `sendWarpMessage` calls recorded since install (or the last `clear()`).
    /// @return The number of recorded sends.
    function sentCount() external view returns (uint256) {
        return _sent.length;
    }

    /// @notice Returns the `i`-th recorded call to `sendWarpMessage`.
    /// @param i The index of the send, from 0.
    /// @return sender The caller of `sendWarpMessage`.
    /// @return payload The payload it sent.
    /// @return messageID The message ID the mock returned.
    function sent(uint256 i) external view returns (address sender, bytes memory payload, bytes32 messageID) {
        if (i >= _sent.length) revert SentIndexOutOfRange(i, _sent.length);
        Sent storage s = _sent[i];
        return (s.sender, s.payload, s.messageID);
    }

    // ---------------------------------------------------------------- IWarpMessenger

    /// @notice Records the send and emits `SendWarpMessage(msg.sender, messageID, payload)`.
    /// @dev `messageID = sha256(abi.encode(block.chainid, sentCount(), msg.sender, payload))`, with
    ///      `sentCount()` read before the send is recorded.
    /// @param payload The message payload.
    /// @return messageID The deterministic mock message ID.
    function sendWarpMessage(bytes calldata payload) external returns (bytes32 messageID) {
        messageID = sha256(abi.encode(block.chainid, _sent.length, msg.sender, payload));
        _sent.push(Sent(msg.sender, payload, messageID));
        emit SendWarpMessage(msg.sender, messageID, payload);
    }

    /// @notice Returns the message set with `setVerifiedMessage` at `index`.
    /// @param index The warp message index.
    /// @return message The message, or zero values when there is none or it is marked invalid.
    /// @return valid Whether a message is set at `index` and not marked invalid.
    function getVerifiedWarpMessage(uint32 index) external view returns (WarpMessage memory message, bool valid) {
        StoredMessage storage s = _messages[_generation][index];
        if (!s.exists || _invalid[_generation][index]) return (message, false);
        return (WarpMessage(s.sourceChainID, s.originSenderAddress, s.payload), true);
    }

    /// @notice Returns the block hash set with `setVerifiedBlockHash` at `index`.
    /// @param index The warp message index.
    /// @return warpBlockHash The block hash, or zero values when there is none or it is marked invalid.
    /// @return valid Whether a block hash is set at `index` and not marked invalid.
    function getVerifiedWarpBlockHash(uint32 index)
        external
        view
        returns (WarpBlockHash memory warpBlockHash, bool valid)
    {
        StoredBlockHash storage s = _blockHashes[_generation][index];
        if (!s.exists || _invalid[_generation][index]) return (warpBlockHash, false);
        return (WarpBlockHash(s.sourceChainID, s.blockHash), true);
    }

    /// @notice Returns the value set with `setBlockchainID` (zero until then).
    /// @return blockchainID The blockchain ID of the chain under test.
    function getBlockchainID() external view returns (bytes32 blockchainID) {
        return _blockchainID;
    }
}
