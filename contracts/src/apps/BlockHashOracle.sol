// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IWarpMessenger, WarpBlockHash} from "../IWarpMessenger.sol";

/// @title BlockHashOracle
/// @notice Records block hashes of other chains that their validators attested with a
///         block-hash warp message, so that contracts on this chain can check them.
/// @dev Only sources on the owner's allow-list are recorded. Recording the same hash twice is
///      harmless (idempotent), so no replay protection is needed.
contract BlockHashOracle {
    /// @notice The Warp precompile.
    IWarpMessenger internal constant WARP = IWarpMessenger(0x0200000000000000000000000000000000000005);

    /// @notice The account allowed to manage the source allow-list.
    address public owner;

    /// @notice Whether block hashes from chain `sourceChainID` are accepted.
    mapping(bytes32 sourceChainID => bool) public allowedSource;

    /// @notice Whether `blockHash` has been verified as an accepted block of `sourceChainID`.
    mapping(bytes32 sourceChainID => mapping(bytes32 blockHash => bool)) public verified;

    /// @notice The block hash most recently recorded for `sourceChainID`.
    mapping(bytes32 sourceChainID => bytes32 blockHash) public latest;

    /// @notice Emitted when a verified block hash is recorded.
    /// @param sourceChainID The chain the block belongs to.
    /// @param blockHash The block hash.
    event BlockHashRecorded(bytes32 indexed sourceChainID, bytes32 indexed blockHash);

    /// @notice The caller is not the owner.
    /// @param caller The caller.
    error NotOwner(address caller);

    /// @notice No valid block-hash warp message at this index of the transaction's predicates.
    /// @param index The warp message index.
    error InvalidWarpBlockHash(uint32 index);

    /// @notice The source chain is not on the allow-list.
    /// @param sourceChainID The source chain of the block hash.
    error UnknownSource(bytes32 sourceChainID);

    /// @notice Sets the deployer as owner.
    constructor() {
        owner = msg.sender;
    }

    /// @dev Reverts with `NotOwner` unless the caller is the owner.
    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    /// @notice Accepts block hashes from chain `sourceChainID`.
    /// @dev Only the owner may call this.
    /// @param sourceChainID The blockchain ID of the source chain.
    function allowSource(bytes32 sourceChainID) external onlyOwner {
        allowedSource[sourceChainID] = true;
    }

    /// @notice Records the verified block hash at `index` of this transaction's predicates.
    /// @dev Reverts unless the block-hash message is valid and its source chain is allowed.
    /// @param index The warp message index in the transaction's access list.
    /// @return blockHash The recorded block hash.
    function recordBlockHash(uint32 index) external returns (bytes32 blockHash) {
        (WarpBlockHash memory w, bool valid) = WARP.getVerifiedWarpBlockHash(index);
        if (!valid) revert InvalidWarpBlockHash(index);
        if (!allowedSource[w.sourceChainID]) revert UnknownSource(w.sourceChainID);

        blockHash = w.blockHash;
        verified[w.sourceChainID][blockHash] = true;
        latest[w.sourceChainID] = blockHash;
        emit BlockHashRecorded(w.sourceChainID, blockHash);
    }

    /// @notice Tells whether `blockHash` has been recorded as an accepted block of `sourceChainID`.
    /// @param sourceChainID The chain the block belongs to.
    /// @param blockHash The block hash.
    /// @return True if the hash was recorded from a verified warp message.
    function isVerified(bytes32 sourceChainID, bytes32 blockHash) external view returns (bool) {
        return verified[sourceChainID][blockHash];
    }
}
