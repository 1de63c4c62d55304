// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Vm} from "forge-std/Vm.sol";
import {WarpTestBase} from "../src/testing/WarpTestBase.sol";
import {IWarpMessenger} from "../src/IWarpMessenger.sol";
import {WarpMessengerMock} from "../src/mocks/WarpMessengerMock.sol";
import {
    ITeleporterMessenger,
    TeleporterFeeInfo,
    TeleporterMessage,
    TeleporterMessageInput,
    TeleporterMessageReceipt
} from "../src/teleporter/ITeleporterMessenger.sol";
import {ITeleporterReceiver} from "../src/teleporter/ITeleporterReceiver.sol";
import {TeleporterMessenger} from "../src/teleporter/TeleporterMessenger.sol";
import {TeleporterGreeter} from "../src/apps/TeleporterGreeter.sol";

/// @dev A receiver whose execution always reverts.
contract RevertingReceiver is ITeleporterReceiver {
    function receiveTeleporterMessage(bytes32, address, bytes calldata) external pure {
        revert("no thanks");
    }
}

/// @dev A receiver that burns all the gas it is given.
contract GasBurningReceiver is ITeleporterReceiver {
    uint256 public counter;

    function receiveTeleporterMessage(bytes32, address, bytes calldata) external {
        while (true) {
            counter++;
        }
    }
}

/// @dev A receiver that fails until it is switched on.
contract SwitchedReceiver is ITeleporterReceiver {
    bool public on;
    uint256 public receivedCount;

    function switchOn() external {
        on = true;
    }

    function receiveTeleporterMessage(bytes32, address, bytes calldata) external {
        require(on, "off");
        receivedCount++;
    }
}

/// @dev A receiver that tries to deliver another message from within its execution.
contract ReenteringReceiver is ITeleporterReceiver {
    function receiveTeleporterMessage(bytes32, address, bytes calldata) external {
        TeleporterMessenger(msg.sender).receiveCrossChainMessage(1, address(0));
    }
}

/// @notice Tests of TeleporterMessenger and TeleporterGreeter. One messenger instance plays the
///         messenger of both chains (it has the same address on every chain, as with CREATE2);
///         `_switchTo` forgets its cached blockchain ID and points the mock at the other chain.
contract TeleporterMessengerTest is WarpTestBase {
    bytes32 internal constant CHAIN_A = keccak256("chain A");
    bytes32 internal constant CHAIN_B = keccak256("chain B");
    bytes32 internal constant CHAIN_C = keccak256("chain C");

    /// @dev The storage slot of `TeleporterMessenger.blockchainID`.
    bytes32 internal constant BLOCKCHAIN_ID_SLOT = bytes32(uint256(0));

    /// @dev The tuple types of the structs, written out as in canonical signatures.
    string internal constant FEE_INFO = "(address,uint256)";
    string internal constant MESSAGE_INPUT = "(bytes32,address,(address,uint256),uint256,address[],bytes)";
    string internal constant MESSAGE = "(uint256,address,bytes32,address,uint256,address[],(uint256,address)[],bytes)";

    WarpMessengerMock internal mock;
    TeleporterMessenger internal messenger;
    TeleporterGreeter internal greeter;
    address internal alice = makeAddr("alice");
    address internal relayer = makeAddr("relayer");
    address internal reward = makeAddr("reward");
    address internal mallory = makeAddr("mallory");

    function setUp() public {
        mock = installWarpMock();
        messenger = new TeleporterMessenger();
        greeter = new TeleporterGreeter();
        mock.setBlockchainID(CHAIN_B);
    }

    // ------------------------------------------------------------ helpers

    /// @dev Makes the messenger behave as the instance on `chain`.
    function _switchTo(bytes32 chain) internal {
        mock.setBlockchainID(chain);
        vm.store(address(messenger), BLOCKCHAIN_ID_SLOT, bytes32(0));
        assertEq(messenger.blockchainID(), bytes32(0));
    }

    function _noRelayers() internal pure returns (address[] memory) {
        return new address[](0);
    }

    function _relayers(address a) internal pure returns (address[] memory list) {
        list = new address[](1);
        list[0] = a;
    }

    function _message(uint256 nonce, address to, uint256 gasLimit, address[] memory relayers, bytes memory data)
        internal
        view
        returns (TeleporterMessage memory)
    {
        return TeleporterMessage({
            messageNonce: nonce,
            originSenderAddress: alice,
            destinationBlockchainID: CHAIN_B,
            destinationAddress: to,
            requiredGasLimit: gasLimit,
            allowedRelayerAddresses: relayers,
            receipts: new TeleporterMessageReceipt[](0),
            message: data
        });
    }

    function _input(address to, uint256 gasLimit, address[] memory relayers, bytes memory data)
        internal
        pure
        returns (TeleporterMessageInput memory)
    {
        return TeleporterMessageInput({
            destinationBlockchainID: CHAIN_B,
            destinationAddress: to,
            feeInfo: TeleporterFeeInfo(address(0), 0),
            requiredGasLimit: gasLimit,
            allowedRelayerAddresses: relayers,
            message: data
        });
    }

    /// @dev Puts `message`, sent from CHAIN_A by the messenger's address, at warp index `index`.
    function _deliverable(uint32 index, TeleporterMessage memory message) internal {
        mock.setVerifiedMessage(index, CHAIN_A, address(messenger), abi.encode(message));
    }

    function _id(bytes32 source, bytes32 destination, uint256 nonce) internal view returns (bytes32) {
        return keccak256(abi.encode(address(messenger), source, destination, nonce));
    }

    // ------------------------------------------------------------ ABI: identical to Ava Labs'

    /// @dev Each selector is checked twice: against the keccak of the canonical signature, and
    ///      against the value computed from the ABI of Ava Labs' TeleporterMessenger (icm-contracts).
    function test_FunctionSelectorsMatchAvaLabs() public view {
        _sel(
            ITeleporterMessenger.sendCrossChainMessage.selector,
            string.concat("sendCrossChainMessage(", MESSAGE_INPUT, ")"),
            0x62448850
        );
        _sel(
            ITeleporterMessenger.receiveCrossChainMessage.selector,
            "receiveCrossChainMessage(uint32,address)",
            0xccb5f809
        );
        _sel(
            ITeleporterMessenger.retryMessageExecution.selector,
            string.concat("retryMessageExecution(bytes32,", MESSAGE, ")"),
            0xfc2d6197
        );
        _sel(ITeleporterMessenger.messageReceived.selector, "messageReceived(bytes32)", 0xebc3b1ba);
        _sel(ITeleporterMessenger.getRelayerRewardAddress.selector, "getRelayerRewardAddress(bytes32)", 0x2e27c223);
        _sel(ITeleporterMessenger.getNextMessageID.selector, "getNextMessageID(bytes32)", 0xdf20e8bc);
        _sel(TeleporterMessenger.calculateMessageID.selector, "calculateMessageID(bytes32,bytes32,uint256)", 0xa8898181);
        _sel(TeleporterMessenger.initializeBlockchainID.selector, "initializeBlockchainID()", 0x0af5b4ff);
        _sel(messenger.blockchainID.selector, "blockchainID()", 0xd127dc9b);
        _sel(messenger.messageNonce.selector, "messageNonce()", 0xecc70428);
        _sel(messenger.receivedFailedMessageHashes.selector, "receivedFailedMessageHashes(bytes32)", 0x860a3b06);
        _sel(messenger.WARP_MESSENGER.selector, "WARP_MESSENGER()", 0xb771b3bc);
        _sel(
            ITeleporterReceiver.receiveTeleporterMessage.selector,
            "receiveTeleporterMessage(bytes32,address,bytes)",
            0xc868efaa
        );
    }

    function _sel(bytes4 actual, string memory signature, bytes4 avaLabs) internal pure {
        assertEq(actual, bytes4(keccak256(bytes(signature))), signature);
        assertEq(actual, avaLabs, signature);
    }

    function test_EventTopicsMatchAvaLabs() public pure {
        _topic(
            ITeleporterMessenger.SendCrossChainMessage.selector,
            string.concat("SendCrossChainMessage(bytes32,bytes32,", MESSAGE, ",", FEE_INFO, ")"),
            0x2a211ad4a59ab9d003852404f9c57c690704ee755f3c79d2c2812ad32da99df8
        );
        _topic(
            ITeleporterMessenger.ReceiveCrossChainMessage.selector,
            string.concat("ReceiveCrossChainMessage(bytes32,bytes32,address,address,", MESSAGE, ")"),
            0x292ee90bbaf70b5d4936025e09d56ba08f3e421156b6a568cf3c2840d9343e34
        );
        _topic(
            ITeleporterMessenger.MessageExecutionFailed.selector,
            string.concat("MessageExecutionFailed(bytes32,bytes32,", MESSAGE, ")"),
            0x4619adc1017b82e02eaefac01a43d50d6d8de4460774bc370c3ff0210d40c985
        );
        _topic(
            ITeleporterMessenger.MessageExecuted.selector,
            "MessageExecuted(bytes32,bytes32)",
            0x34795cc6b122b9a0ae684946319f1e14a577b4e8f9b3dda9ac94c21a54d3188c
        );
        _topic(
            ITeleporterMessenger.BlockchainIDInitialized.selector,
            "BlockchainIDInitialized(bytes32)",
            0x1eac640109dc937d2a9f42735a05f794b39a5e3759d681951d671aabbce4b104
        );
    }

    function _topic(bytes32 actual, string memory signature, bytes32 avaLabs) internal pure {
        assertEq(actual, keccak256(bytes(signature)), signature);
        assertEq(actual, avaLabs, signature);
    }

    /// @dev The topic hash does not show which parameters are indexed: check the logs' shape.
    function test_EventLayoutsMatchAvaLabs() public {
        TeleporterFeeInfo memory fee = TeleporterFeeInfo(address(0xFEE), 0);
        TeleporterMessageInput memory input = _input(address(greeter), 300_000, _noRelayers(), "hi");
        input.feeInfo = fee;

        _switchTo(CHAIN_A);
        vm.recordLogs();
        vm.prank(alice);
        bytes32 sentID = messenger.sendCrossChainMessage(input);
        Vm.Log[] memory logs = vm.getRecordedLogs();
        TeleporterMessage memory message = _message(1, address(greeter), 300_000, _noRelayers(), "hi");

        // BlockchainIDInitialized(bytes32 indexed blockchainID)
        assertEq(logs.length, 3);
        assertEq(logs[0].topics.length, 2);
        assertEq(logs[0].topics[1], CHAIN_A);
        assertEq(logs[0].data.length, 0);
        // SendCrossChainMessage(bytes32 indexed messageID, bytes32 indexed destinationBlockchainID, message, feeInfo)
        assertEq(logs[1].emitter, address(messenger));
        assertEq(logs[1].topics.length, 3);
        assertEq(logs[1].topics[0], ITeleporterMessenger.SendCrossChainMessage.selector);
        assertEq(logs[1].topics[1], sentID);
        assertEq(logs[1].topics[2], CHAIN_B);
        assertEq(logs[1].data, abi.encode(message, fee));
        // The precompile's log comes last.
        assertEq(logs[2].emitter, WARP_ADDRESS);

        _switchTo(CHAIN_B);
        _deliverable(0, message);
        vm.recordLogs();
        vm.prank(relayer);
        messenger.receiveCrossChainMessage(0, reward);
        logs = vm.getRecordedLogs();

        assertEq(logs.length, 4); // BlockchainIDInitialized, ReceiveCrossChainMessage, Greeted, MessageExecuted
        // ReceiveCrossChainMessage(bytes32 indexed messageID, bytes32 indexed sourceBlockchainID,
        //                          address indexed deliverer, address rewardRedeemer, message)
        assertEq(logs[1].topics.length, 4);
        assertEq(logs[1].topics[0], ITeleporterMessenger.ReceiveCrossChainMessage.selector);
        assertEq(logs[1].topics[1], sentID);
        assertEq(logs[1].topics[2], CHAIN_A);
        assertEq(logs[1].topics[3], bytes32(uint256(uint160(relayer))));
        assertEq(logs[1].data, abi.encode(reward, message));
        // MessageExecuted(bytes32 indexed messageID, bytes32 indexed sourceBlockchainID)
        assertEq(logs[3].topics.length, 3);
        assertEq(logs[3].topics[0], ITeleporterMessenger.MessageExecuted.selector);
        assertEq(logs[3].topics[1], sentID);
        assertEq(logs[3].topics[2], CHAIN_A);
        assertEq(logs[3].data.length, 0);

        // MessageExecutionFailed(bytes32 indexed messageID, bytes32 indexed sourceBlockchainID, message)
        TeleporterMessage memory failing = _message(2, address(new RevertingReceiver()), 100_000, _noRelayers(), "x");
        _deliverable(1, failing);
        vm.recordLogs();
        messenger.receiveCrossChainMessage(1, address(0));
        logs = vm.getRecordedLogs();
        assertEq(logs.length, 2);
        assertEq(logs[1].topics.length, 3);
        assertEq(logs[1].topics[0], ITeleporterMessenger.MessageExecutionFailed.selector);
        assertEq(logs[1].topics[1], _id(CHAIN_A, CHAIN_B, 2));
        assertEq(logs[1].topics[2], CHAIN_A);
        assertEq(logs[1].data, abi.encode(failing));
    }

    // ------------------------------------------------------------ message IDs

    function test_CalculateMessageID() public view {
        assertEq(messenger.calculateMessageID(CHAIN_A, CHAIN_B, 1), _id(CHAIN_A, CHAIN_B, 1));
        assertTrue(
            messenger.calculateMessageID(CHAIN_A, CHAIN_B, 1) != messenger.calculateMessageID(CHAIN_B, CHAIN_A, 1)
        );
    }

    function testFuzz_CalculateMessageID(bytes32 source, bytes32 destination, uint256 nonce) public view {
        assertEq(
            messenger.calculateMessageID(source, destination, nonce),
            keccak256(abi.encode(address(messenger), source, destination, nonce))
        );
    }

    function test_GetNextMessageID() public {
        _switchTo(CHAIN_A);
        // Before initialization: read from the precompile, not stored.
        assertEq(messenger.getNextMessageID(CHAIN_B), _id(CHAIN_A, CHAIN_B, 1));
        assertEq(messenger.blockchainID(), bytes32(0));

        bytes32 id = messenger.sendCrossChainMessage(_input(address(greeter), 0, _noRelayers(), "1"));
        assertEq(id, _id(CHAIN_A, CHAIN_B, 1));
        // One nonce for all destinations.
        assertEq(messenger.getNextMessageID(CHAIN_C), _id(CHAIN_A, CHAIN_C, 2));
        assertEq(messenger.getNextMessageID(CHAIN_B), _id(CHAIN_A, CHAIN_B, 2));
    }

    function test_RevertWhen_BlockchainIDIsZero() public {
        _switchTo(bytes32(0));
        vm.expectRevert(TeleporterMessenger.ZeroBlockchainID.selector);
        messenger.getNextMessageID(CHAIN_B);
        vm.expectRevert(TeleporterMessenger.ZeroBlockchainID.selector);
        messenger.initializeBlockchainID();
        vm.expectRevert(TeleporterMessenger.ZeroBlockchainID.selector);
        messenger.sendCrossChainMessage(_input(address(greeter), 0, _noRelayers(), "1"));
    }

    function test_InitializeBlockchainIDOnce() public {
        vm.expectEmit(true, false, false, true, address(messenger));
        emit ITeleporterMessenger.BlockchainIDInitialized(CHAIN_B);
        assertEq(messenger.initializeBlockchainID(), CHAIN_B);

        // Stored: a later change of the precompile's answer is not seen, and no second event.
        mock.setBlockchainID(CHAIN_C);
        vm.recordLogs();
        assertEq(messenger.initializeBlockchainID(), CHAIN_B);
        assertEq(vm.getRecordedLogs().length, 0);
        assertEq(messenger.blockchainID(), CHAIN_B);
    }

    // ------------------------------------------------------------ sending

    function test_SendEmitsAndSendsTheWarpPayload() public {
        _switchTo(CHAIN_A);
        address[] memory relayers = _relayers(relayer);
        TeleporterMessageInput memory input = _input(address(greeter), 250_000, relayers, "hello, chain B");
        TeleporterMessage memory expected = _message(1, address(greeter), 250_000, relayers, "hello, chain B");
        bytes memory payload = abi.encode(expected);
        bytes32 id = _id(CHAIN_A, CHAIN_B, 1);
        bytes32 warpID = sha256(abi.encode(block.chainid, uint256(0), address(messenger), payload));
        assertEq(messenger.getNextMessageID(CHAIN_B), id);

        vm.expectEmit(true, false, false, true, address(messenger));
        emit ITeleporterMessenger.BlockchainIDInitialized(CHAIN_A);
        vm.expectEmit(true, true, false, true, address(messenger));
        emit ITeleporterMessenger.SendCrossChainMessage(id, CHAIN_B, expected, TeleporterFeeInfo(address(0), 0));
        vm.expectEmit(true, true, false, true, WARP_ADDRESS);
        emit IWarpMessenger.SendWarpMessage(address(messenger), warpID, payload);

        vm.prank(alice);
        assertEq(messenger.sendCrossChainMessage(input), id);

        assertEq(messenger.messageNonce(), 1);
        assertEq(messenger.blockchainID(), CHAIN_A);
        assertEq(mock.sentCount(), 1);
        (address sender, bytes memory sent,) = mock.sent(0);
        assertEq(sender, address(messenger));
        assertEq(sent, payload);

        // The warp payload is abi.encode(TeleporterMessage).
        TeleporterMessage memory decoded = abi.decode(sent, (TeleporterMessage));
        assertEq(decoded.messageNonce, 1);
        assertEq(decoded.originSenderAddress, alice);
        assertEq(decoded.destinationBlockchainID, CHAIN_B);
        assertEq(decoded.destinationAddress, address(greeter));
        assertEq(decoded.requiredGasLimit, 250_000);
        assertEq(decoded.allowedRelayerAddresses.length, 1);
        assertEq(decoded.allowedRelayerAddresses[0], relayer);
        assertEq(decoded.receipts.length, 0);
        assertEq(decoded.message, bytes("hello, chain B"));
    }

    function test_NonceIncrements() public {
        messenger.sendCrossChainMessage(_input(address(greeter), 0, _noRelayers(), "1"));
        TeleporterMessageInput memory input = _input(address(greeter), 0, _noRelayers(), "2");
        input.destinationBlockchainID = CHAIN_C;
        assertEq(messenger.sendCrossChainMessage(input), _id(CHAIN_B, CHAIN_C, 2));
        assertEq(messenger.messageNonce(), 2);
        (, bytes memory sent,) = mock.sent(1);
        assertEq(abi.decode(sent, (TeleporterMessage)).messageNonce, 2);
    }

    function test_RevertWhen_FeeIsNotZero() public {
        TeleporterMessageInput memory input = _input(address(greeter), 0, _noRelayers(), "1");
        input.feeInfo = TeleporterFeeInfo(address(0xFEE), 1);
        vm.expectRevert(abi.encodeWithSelector(TeleporterMessenger.FeesNotSupported.selector, address(0xFEE), 1));
        messenger.sendCrossChainMessage(input);
        assertEq(messenger.messageNonce(), 0);
        assertEq(mock.sentCount(), 0);
    }

    function test_ZeroFeeWithATokenAddressIsAccepted() public {
        TeleporterMessageInput memory input = _input(address(greeter), 0, _noRelayers(), "1");
        input.feeInfo = TeleporterFeeInfo(address(0xFEE), 0);
        bytes32 id = _id(CHAIN_B, CHAIN_B, 1);
        vm.expectEmit(true, true, false, true, address(messenger));
        emit ITeleporterMessenger.SendCrossChainMessage(id, CHAIN_B, _sentMessage(input, 1), input.feeInfo);
        assertEq(messenger.sendCrossChainMessage(input), id);
    }

    function _sentMessage(TeleporterMessageInput memory input, uint256 nonce)
        internal
        view
        returns (TeleporterMessage memory m)
    {
        m = _message(
            nonce, input.destinationAddress, input.requiredGasLimit, input.allowedRelayerAddresses, input.message
        );
        m.originSenderAddress = address(this);
    }

    // ------------------------------------------------------------ receiving

    function test_ReceiveDeliversToTheGreeter() public {
        TeleporterMessage memory message = _message(7, address(greeter), 200_000, _noRelayers(), "hello");
        _deliverable(3, message);
        bytes32 id = _id(CHAIN_A, CHAIN_B, 7);

        vm.expectEmit(true, true, true, true, address(messenger));
        emit ITeleporterMessenger.ReceiveCrossChainMessage(id, CHAIN_A, relayer, reward, message);
        vm.expectEmit(true, true, false, true, address(greeter));
        emit TeleporterGreeter.Greeted(CHAIN_A, alice, "hello");
        vm.expectEmit(true, true, false, true, address(messenger));
        emit ITeleporterMessenger.MessageExecuted(id, CHAIN_A);

        vm.prank(relayer);
        messenger.receiveCrossChainMessage(3, reward);

        assertEq(greeter.lastSourceBlockchainID(), CHAIN_A);
        assertEq(greeter.lastOriginSender(), alice);
        assertEq(greeter.lastMessenger(), address(messenger));
        assertEq(greeter.lastMessage(), bytes("hello"));
        assertEq(greeter.receivedCount(), 1);
        assertTrue(messenger.messageReceived(id));
        assertEq(messenger.getRelayerRewardAddress(id), reward);
        assertEq(messenger.receivedFailedMessageHashes(id), bytes32(0));
        assertEq(messenger.blockchainID(), CHAIN_B);
    }

    function test_RewardAddressZeroIsRecordedAsZero() public {
        _deliverable(0, _message(1, address(greeter), 200_000, _noRelayers(), "x"));
        messenger.receiveCrossChainMessage(0, address(0));
        assertEq(messenger.getRelayerRewardAddress(_id(CHAIN_A, CHAIN_B, 1)), address(0));
    }

    function test_RevertWhen_RewardAddressOfUnreceivedMessage() public {
        bytes32 id = _id(CHAIN_A, CHAIN_B, 1);
        assertFalse(messenger.messageReceived(id));
        vm.expectRevert(abi.encodeWithSelector(TeleporterMessenger.MessageNotReceived.selector, id));
        messenger.getRelayerRewardAddress(id);
    }

    function test_AllowedRelayersRefuseOthers() public {
        _deliverable(0, _message(1, address(greeter), 200_000, _relayers(relayer), "only the relayer"));

        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(TeleporterMessenger.UnauthorizedRelayer.selector, mallory));
        messenger.receiveCrossChainMessage(0, mallory);

        vm.prank(relayer);
        messenger.receiveCrossChainMessage(0, reward);
        assertEq(greeter.receivedCount(), 1);
        assertEq(messenger.getRelayerRewardAddress(_id(CHAIN_A, CHAIN_B, 1)), reward);
    }

    function test_RevertWhen_AlreadyReceived() public {
        TeleporterMessage memory message = _message(1, address(greeter), 200_000, _noRelayers(), "once");
        _deliverable(0, message);
        messenger.receiveCrossChainMessage(0, reward);

        // The same message again, even at another index and by another relayer.
        _deliverable(1, message);
        vm.prank(relayer);
        vm.expectRevert(
            abi.encodeWithSelector(TeleporterMessenger.MessageAlreadyReceived.selector, _id(CHAIN_A, CHAIN_B, 1))
        );
        messenger.receiveCrossChainMessage(1, relayer);
        assertEq(greeter.receivedCount(), 1);
    }

    function test_SameNonceFromAnotherChainIsAnotherMessage() public {
        TeleporterMessage memory message = _message(1, address(greeter), 200_000, _noRelayers(), "same nonce");
        _deliverable(0, message);
        mock.setVerifiedMessage(1, CHAIN_C, address(messenger), abi.encode(message));
        messenger.receiveCrossChainMessage(0, address(0));
        messenger.receiveCrossChainMessage(1, address(0));
        assertEq(greeter.receivedCount(), 2);
        assertEq(greeter.lastSourceBlockchainID(), CHAIN_C);
        assertTrue(messenger.messageReceived(_id(CHAIN_C, CHAIN_B, 1)));
    }

    function test_RevertWhen_WrongDestinationChain() public {
        TeleporterMessage memory message = _message(1, address(greeter), 200_000, _noRelayers(), "x");
        message.destinationBlockchainID = CHAIN_C;
        _deliverable(0, message);
        vm.expectRevert(abi.encodeWithSelector(TeleporterMessenger.InvalidDestinationChain.selector, CHAIN_C, CHAIN_B));
        messenger.receiveCrossChainMessage(0, address(0));
    }

    function test_RevertWhen_WarpMessageMissing() public {
        vm.expectRevert(abi.encodeWithSelector(TeleporterMessenger.InvalidWarpMessage.selector, uint32(0)));
        messenger.receiveCrossChainMessage(0, address(0));
    }

    function test_RevertWhen_WarpMessageInvalid() public {
        _deliverable(2, _message(1, address(greeter), 200_000, _noRelayers(), "x"));
        mock.setInvalid(2);
        vm.expectRevert(abi.encodeWithSelector(TeleporterMessenger.InvalidWarpMessage.selector, uint32(2)));
        messenger.receiveCrossChainMessage(2, address(0));
    }

    function test_RevertWhen_OriginSenderIsNotTheMessenger() public {
        bytes memory payload = abi.encode(_message(1, address(greeter), 200_000, _noRelayers(), "x"));
        mock.setVerifiedMessage(0, CHAIN_A, mallory, payload);
        vm.expectRevert(abi.encodeWithSelector(TeleporterMessenger.InvalidOriginSender.selector, mallory));
        messenger.receiveCrossChainMessage(0, address(0));
    }

    function test_RevertWhen_NotEnoughGasForTheRequiredLimit() public {
        _deliverable(0, _message(1, address(greeter), 5_000_000, _noRelayers(), "x"));
        vm.expectRevert(abi.encodeWithSelector(TeleporterMessenger.InsufficientGas.selector, 5_000_000));
        messenger.receiveCrossChainMessage{gas: 1_000_000}(0, address(0));
        assertFalse(messenger.messageReceived(_id(CHAIN_A, CHAIN_B, 1)));
    }

    function test_EmptyPayloadIsReceivedButNotExecuted() public {
        messenger.initializeBlockchainID();
        // An empty payload skips execution, so even an impossible gas limit does not matter.
        _deliverable(0, _message(1, address(greeter), type(uint256).max, _noRelayers(), ""));
        vm.recordLogs();
        messenger.receiveCrossChainMessage(0, address(0));
        Vm.Log[] memory logs = vm.getRecordedLogs();
        assertEq(logs.length, 1);
        assertEq(logs[0].topics[0], ITeleporterMessenger.ReceiveCrossChainMessage.selector);
        assertEq(greeter.receivedCount(), 0);
        assertTrue(messenger.messageReceived(_id(CHAIN_A, CHAIN_B, 1)));
    }

    function test_IncomingReceiptsAreIgnored() public {
        TeleporterMessage memory message = _message(1, address(greeter), 200_000, _noRelayers(), "with receipts");
        message.receipts = new TeleporterMessageReceipt[](2);
        message.receipts[0] = TeleporterMessageReceipt(5, relayer);
        message.receipts[1] = TeleporterMessageReceipt(6, mallory);
        _deliverable(0, message);
        messenger.receiveCrossChainMessage(0, address(0));
        assertEq(greeter.receivedCount(), 1);
    }

    // ------------------------------------------------------------ failed executions

    function test_FailingReceiverRecordsTheReceiptAndDoesNotRevert() public {
        address target = address(new RevertingReceiver());
        TeleporterMessage memory message = _message(1, target, 200_000, _noRelayers(), "x");
        _deliverable(0, message);
        bytes32 id = _id(CHAIN_A, CHAIN_B, 1);

        vm.expectEmit(true, true, true, true, address(messenger));
        emit ITeleporterMessenger.ReceiveCrossChainMessage(id, CHAIN_A, relayer, reward, message);
        vm.expectEmit(true, true, false, true, address(messenger));
        emit ITeleporterMessenger.MessageExecutionFailed(id, CHAIN_A, message);

        vm.prank(relayer);
        messenger.receiveCrossChainMessage(0, reward);

        assertTrue(messenger.messageReceived(id));
        assertEq(messenger.getRelayerRewardAddress(id), reward);
        assertEq(messenger.receivedFailedMessageHashes(id), keccak256(abi.encode(message)));
    }

    function test_ReceiverThatRunsOutOfGasFailsWithinItsLimit() public {
        GasBurningReceiver burner = new GasBurningReceiver();
        TeleporterMessage memory message = _message(1, address(burner), 100_000, _noRelayers(), "x");
        _deliverable(0, message);
        vm.expectEmit(true, true, false, true, address(messenger));
        emit ITeleporterMessenger.MessageExecutionFailed(_id(CHAIN_A, CHAIN_B, 1), CHAIN_A, message);
        messenger.receiveCrossChainMessage{gas: 1_000_000}(0, address(0));
        assertTrue(messenger.messageReceived(_id(CHAIN_A, CHAIN_B, 1)));
    }

    function test_DestinationWithoutCodeFails() public {
        TeleporterMessage memory message = _message(1, mallory, 200_000, _noRelayers(), "x");
        _deliverable(0, message);
        vm.expectEmit(true, true, false, true, address(messenger));
        emit ITeleporterMessenger.MessageExecutionFailed(_id(CHAIN_A, CHAIN_B, 1), CHAIN_A, message);
        messenger.receiveCrossChainMessage(0, address(0));

        vm.expectRevert(abi.encodeWithSelector(TeleporterMessenger.DestinationHasNoCode.selector, mallory));
        messenger.retryMessageExecution(CHAIN_A, message);
    }

    function test_ReenteringDeliveryFails() public {
        TeleporterMessage memory message = _message(1, address(new ReenteringReceiver()), 500_000, _noRelayers(), "x");
        _deliverable(0, message);
        _deliverable(1, _message(2, address(greeter), 200_000, _noRelayers(), "inner"));
        vm.expectEmit(true, true, false, true, address(messenger));
        emit ITeleporterMessenger.MessageExecutionFailed(_id(CHAIN_A, CHAIN_B, 1), CHAIN_A, message);
        messenger.receiveCrossChainMessage(0, address(0));

        // The inner delivery was refused, and can happen afterwards.
        assertFalse(messenger.messageReceived(_id(CHAIN_A, CHAIN_B, 2)));
        messenger.receiveCrossChainMessage(1, address(0));
        assertEq(greeter.lastMessage(), bytes("inner"));
    }

    function test_RetryMessageExecution() public {
        SwitchedReceiver target = new SwitchedReceiver();
        TeleporterMessage memory message = _message(1, address(target), 200_000, _noRelayers(), "x");
        _deliverable(0, message);
        messenger.receiveCrossChainMessage(0, address(0));
        bytes32 id = _id(CHAIN_A, CHAIN_B, 1);
        assertTrue(messenger.receivedFailedMessageHashes(id) != bytes32(0));

        // Still failing: the retry reverts and the failure stays stored.
        vm.expectRevert(abi.encodeWithSelector(TeleporterMessenger.RetryExecutionFailed.selector, id));
        messenger.retryMessageExecution(CHAIN_A, message);

        // Not the stored message.
        TeleporterMessage memory other = _message(1, address(target), 200_000, _noRelayers(), "y");
        vm.expectRevert(abi.encodeWithSelector(TeleporterMessenger.FailedMessageMismatch.selector, id));
        messenger.retryMessageExecution(CHAIN_A, other);

        target.switchOn();
        vm.expectEmit(true, true, false, true, address(messenger));
        emit ITeleporterMessenger.MessageExecuted(id, CHAIN_A);
        vm.prank(mallory); // anyone may retry
        messenger.retryMessageExecution(CHAIN_A, message);
        assertEq(target.receivedCount(), 1);
        assertEq(messenger.receivedFailedMessageHashes(id), bytes32(0));

        // Executed at most once.
        vm.expectRevert(abi.encodeWithSelector(TeleporterMessenger.FailedMessageNotFound.selector, id));
        messenger.retryMessageExecution(CHAIN_A, message);
    }

    function test_RevertWhen_RetryingASuccessfulMessage() public {
        TeleporterMessage memory message = _message(1, address(greeter), 200_000, _noRelayers(), "x");
        _deliverable(0, message);
        messenger.receiveCrossChainMessage(0, address(0));
        vm.expectRevert(
            abi.encodeWithSelector(TeleporterMessenger.FailedMessageNotFound.selector, _id(CHAIN_A, CHAIN_B, 1))
        );
        messenger.retryMessageExecution(CHAIN_A, message);
    }

    // ------------------------------------------------------------ greeter and round trips

    function test_GreeterRecordsADirectCaller() public {
        vm.prank(mallory);
        greeter.receiveTeleporterMessage(CHAIN_C, alice, "forged");
        assertEq(greeter.lastMessenger(), mallory);
        assertEq(greeter.receivedCount(), 1);
    }

    /// @dev Sends with `greeter.send` on CHAIN_A, relays the recorded payload, delivers on CHAIN_B.
    function _roundTrip(address[] memory relayers, bytes memory data) internal returns (bytes32 id) {
        uint256 index = mock.sentCount();
        _switchTo(CHAIN_A);
        vm.prank(alice);
        id = greeter.send(address(messenger), CHAIN_B, address(greeter), 300_000, relayers, data);

        (address sender, bytes memory payload,) = mock.sent(index);
        _switchTo(CHAIN_B);
        mock.setVerifiedMessage(0, CHAIN_A, sender, payload);
        vm.expectEmit(true, true, true, false, address(messenger));
        emit ITeleporterMessenger.ReceiveCrossChainMessage(
            id, CHAIN_A, relayer, reward, abi.decode(payload, (TeleporterMessage))
        );
        vm.prank(relayer);
        messenger.receiveCrossChainMessage(0, reward);
    }

    function test_RoundTripThroughTheGreeter() public {
        bytes32 first = _roundTrip(_noRelayers(), "first");
        bytes32 second = _roundTrip(_relayers(relayer), "second");
        assertEq(first, _id(CHAIN_A, CHAIN_B, 1));
        assertEq(second, _id(CHAIN_A, CHAIN_B, 2));
        assertTrue(messenger.messageReceived(first));
        assertTrue(messenger.messageReceived(second));
        assertEq(greeter.receivedCount(), 2);
        assertEq(greeter.lastSourceBlockchainID(), CHAIN_A);
        assertEq(greeter.lastOriginSender(), address(greeter)); // the greeter sent it
        assertEq(greeter.lastMessage(), bytes("second"));
    }

    function testFuzz_RoundTrip(bytes calldata data, address extraRelayer) public {
        vm.assume(data.length > 0);
        address[] memory relayers = new address[](2);
        relayers[0] = extraRelayer;
        relayers[1] = relayer;
        bytes32 id = _roundTrip(relayers, data);
        assertEq(id, messenger.calculateMessageID(CHAIN_A, CHAIN_B, 1));
        assertTrue(messenger.messageReceived(id));
        assertEq(messenger.getRelayerRewardAddress(id), reward);
        assertEq(greeter.lastMessage(), data);
        assertEq(greeter.receivedCount(), 1);
    }
}
