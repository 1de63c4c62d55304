// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IWarpMessenger, WarpMessage} from "../IWarpMessenger.sol";

/// @title CrossChainMessenger
/// @notice A generic cross-chain messenger over Avalanche Warp Messaging. The same contract is
///         deployed on every chain: it sends messages to a destination chain and receives the
///         messages that a relayer delivers with their signed warp message in the access list.
/// @dev Payload layout: `abi.encode(uint256 nonce, bytes32 destinationChainID, address destination,
///      address from, bytes data)`. Receipt is checked against an allow-list of
///      (source chain, sending contract) pairs, the destination, and a replay set keyed by
///      `keccak256(abi.encode(sourceChainID, originSenderAddress, nonce))`.
contract CrossChainMessenger {
    /// @notice The Warp precompile.
    IWarpMessenger internal constant WARP = IWarpMessenger(0x0200000000000000000000000000000000000005);

    /// @notice The account allowed to manage the sender allow-list.
    address public owner;

    /// @notice Nonce of the last message sent by this contract (the first message uses nonce 1).
    uint256 public nonce;

    /// @notice Whether messages from `sender` on chain `sourceChainID` are accepted.
    mapping(bytes32 sourceChainID => mapping(address sender => bool)) public allowed;

    /// @notice Replay set: keys of the messages already received.
    mapping(bytes32 key => bool) public received;

    /// @notice Source chain of the last message received.
    bytes32 public lastSourceChainID;

    /// @notice Sending contract (warp origin sender) of the last message received.
    address public lastSender;

    /// @notice Account that called `sendMessage` on the source chain for the last message received.
    address public lastFrom;

    /// @notice Application data of the last message received.
    bytes public lastData;

    /// @notice Number of messages received so far.
    uint256 public receivedCount;

    /// @notice Emitted when a message is sent.
    /// @param destinationChainID The blockchain ID of the destination chain.
    /// @param destination The receiving contract on the destination chain.
    /// @param nonce The nonce of the message.
    /// @param data The application data.
    /// @param warpMessageID The warp message ID returned by the precompile.
    event MessageSent(
        bytes32 indexed destinationChainID,
        address indexed destination,
        uint256 nonce,
        bytes data,
        bytes32 warpMessageID
    );

    /// @notice Emitted when a message is received.
    /// @param sourceChainID The blockchain ID of the source chain.
    /// @param sender The sending contract on the source chain.
    /// @param from The account that called `sendMessage` on the source chain.
    /// @param nonce The nonce of the message.
    /// @param data The application data.
    event MessageReceived(
        bytes32 indexed sourceChainID, address indexed sender, address from, uint256 nonce, bytes data
    );

    /// @notice The caller is not the owner.
    /// @param caller The caller.
    error NotOwner(address caller);

    /// @notice No valid warp message at this index of the transaction's predicates.
    /// @param index The warp message index.
    error InvalidWarpMessage(uint32 index);

    /// @notice The (source chain, sender) pair is not on the allow-list.
    /// @param sourceChainID The source chain of the message.
    /// @param sender The origin sender of the message.
    error UnknownSender(bytes32 sourceChainID, address sender);

    /// @notice The message is addressed to another chain or another contract.
    /// @param destinationChainID The destination chain in the message.
    /// @param destination The destination contract in the message.
    error WrongDestination(bytes32 destinationChainID, address destination);

    /// @notice The message has already been received.
    /// @param key The replay key of the message.
    error AlreadyReceived(bytes32 key);

    /// @notice Sets the deployer as owner.
    constructor() {
        owner = msg.sender;
    }

    /// @dev Reverts with `NotOwner` unless the caller is the owner.
    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner(msg.sender);
        _;
    }

    /// @notice Accepts messages from `sender` on chain `sourceChainID`.
    /// @dev Only the owner may call this.
    /// @param sourceChainID The blockchain ID of the source chain.
    /// @param sender The sending contract on the source chain.
    function allowSender(bytes32 sourceChainID, address sender) external onlyOwner {
        allowed[sourceChainID][sender] = true;
    }

    /// @notice Sends `data` to the contract `destination` on chain `destinationChainID`.
    /// @dev Increments `nonce` and sends the payload through the Warp precompile.
    /// @param destinationChainID The blockchain ID of the destination chain.
    /// @param destination The receiving contract on the destination chain.
    /// @param data The application data.
    /// @return warpMessageID The warp message ID returned by the precompile.
    function sendMessage(bytes32 destinationChainID, address destination, bytes calldata data)
        external
        returns (bytes32 warpMessageID)
    {
        uint256 n = ++nonce;
        bytes memory payload = abi.encode(n, destinationChainID, destination, msg.sender, data);
        warpMessageID = WARP.sendWarpMessage(payload);
        emit MessageSent(destinationChainID, destination, n, data, warpMessageID);
    }

    /// @notice Receives the verified warp message at `index` of this transaction's predicates.
    /// @dev Checks validity, the sender allow-list, the destination and the replay set, then
    ///      records the message in the `last*` fields.
    /// @param index The warp message index in the transaction's access list.
    function receiveMessage(uint32 index) external {
        (WarpMessage memory m, bool valid) = WARP.getVerifiedWarpMessage(index);
        if (!valid) revert InvalidWarpMessage(index);
        if (!allowed[m.sourceChainID][m.originSenderAddress]) {
            revert UnknownSender(m.sourceChainID, m.originSenderAddress);
        }

        (uint256 n, bytes32 destinationChainID, address destination, address from, bytes memory data) =
            abi.decode(m.payload, (uint256, bytes32, address, address, bytes));
        if (destinationChainID != WARP.getBlockchainID() || destination != address(this)) {
            revert WrongDestination(destinationChainID, destination);
        }

        bytes32 key = keccak256(abi.encode(m.sourceChainID, m.originSenderAddress, n));
        if (received[key]) revert AlreadyReceived(key);
        received[key] = true;

        lastSourceChainID = m.sourceChainID;
        lastSender = m.originSenderAddress;
        lastFrom = from;
        lastData = data;
        receivedCount++;

        emit MessageReceived(m.sourceChainID, m.originSenderAddress, from, n, data);
    }
}
