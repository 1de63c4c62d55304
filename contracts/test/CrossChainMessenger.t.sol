// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {WarpTestBase} from "../src/testing/WarpTestBase.sol";
import {IWarpMessenger} from "../src/IWarpMessenger.sol";
import {WarpMessengerMock} from "../src/mocks/WarpMessengerMock.sol";
import {CrossChainMessenger} from "../src/apps/CrossChainMessenger.sol";

/// @notice Tests of CrossChainMessenger. Two chains are simulated in one EVM: `source` lives on
///         CHAIN_A and `dest` on CHAIN_B; the mock's blockchain ID tells which chain is "current".
contract CrossChainMessengerTest is WarpTestBase {
    bytes32 internal constant CHAIN_A = keccak256("chain A");
    bytes32 internal constant CHAIN_B = keccak256("chain B");
    bytes32 internal constant CHAIN_C = keccak256("chain C");

    WarpMessengerMock internal mock;
    CrossChainMessenger internal source;
    CrossChainMessenger internal dest;
    address internal alice = makeAddr("alice");
    address internal mallory = makeAddr("mallory");

    function setUp() public {
        mock = installWarpMock();
        source = new CrossChainMessenger();
        dest = new CrossChainMessenger();
        dest.allowSender(CHAIN_A, address(source));
        source.allowSender(CHAIN_B, address(dest));
        mock.setBlockchainID(CHAIN_B);
    }

    function _payload(uint256 nonce, bytes32 destinationChainID, address destination, address from, bytes memory data)
        internal
        pure
        returns (bytes memory)
    {
        return abi.encode(nonce, destinationChainID, destination, from, data);
    }

    function _key(bytes32 sourceChainID, address sender, uint256 nonce) internal pure returns (bytes32) {
        return keccak256(abi.encode(sourceChainID, sender, nonce));
    }

    // ------------------------------------------------------------ owner

    function test_OwnerIsDeployer() public view {
        assertEq(source.owner(), address(this));
        assertTrue(dest.allowed(CHAIN_A, address(source)));
        assertFalse(dest.allowed(CHAIN_C, address(source)));
    }

    function test_AllowSenderRevertsForNonOwner() public {
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(CrossChainMessenger.NotOwner.selector, mallory));
        dest.allowSender(CHAIN_C, mallory);
    }

    // ------------------------------------------------------------ sending

    function test_SendMessageEmitsAndSendsWarpMessage() public {
        mock.setBlockchainID(CHAIN_A);
        bytes memory data = "hello, chain B";
        bytes memory payload = _payload(1, CHAIN_B, address(dest), alice, data);
        bytes32 id = sha256(abi.encode(block.chainid, uint256(0), address(source), payload));

        vm.expectEmit(true, true, false, true, WARP_ADDRESS);
        emit IWarpMessenger.SendWarpMessage(address(source), id, payload);
        vm.expectEmit(true, true, false, true, address(source));
        emit CrossChainMessenger.MessageSent(CHAIN_B, address(dest), 1, data, id);

        vm.prank(alice);
        bytes32 returned = source.sendMessage(CHAIN_B, address(dest), data);

        assertEq(returned, id);
        assertEq(source.nonce(), 1);
        assertEq(mock.sentCount(), 1);
        (address s, bytes memory p,) = mock.sent(0);
        assertEq(s, address(source));
        assertEq(p, payload);
    }

    function test_NonceIncrements() public {
        source.sendMessage(CHAIN_B, address(dest), "1");
        source.sendMessage(CHAIN_B, address(dest), "2");
        assertEq(source.nonce(), 2);
        (, bytes memory p,) = mock.sent(1);
        (uint256 n,,,,) = abi.decode(p, (uint256, bytes32, address, address, bytes));
        assertEq(n, 2);
    }

    // ------------------------------------------------------------ receiving

    function test_ReceiveMessage() public {
        bytes memory data = "hello";
        mock.setVerifiedMessage(0, CHAIN_A, address(source), _payload(1, CHAIN_B, address(dest), alice, data));

        vm.expectEmit(true, true, false, true, address(dest));
        emit CrossChainMessenger.MessageReceived(CHAIN_A, address(source), alice, 1, data);
        dest.receiveMessage(0);

        assertEq(dest.lastSourceChainID(), CHAIN_A);
        assertEq(dest.lastSender(), address(source));
        assertEq(dest.lastFrom(), alice);
        assertEq(dest.lastData(), data);
        assertEq(dest.receivedCount(), 1);
        assertTrue(dest.received(_key(CHAIN_A, address(source), 1)));
    }

    function test_ReceiveAtNonZeroIndex() public {
        mock.setVerifiedMessage(5, CHAIN_A, address(source), _payload(1, CHAIN_B, address(dest), alice, "x"));
        dest.receiveMessage(5);
        assertEq(dest.receivedCount(), 1);
    }

    function test_RevertWhen_MessageMissing() public {
        vm.expectRevert(abi.encodeWithSelector(CrossChainMessenger.InvalidWarpMessage.selector, uint32(0)));
        dest.receiveMessage(0);
    }

    function test_RevertWhen_MessageInvalid() public {
        mock.setVerifiedMessage(2, CHAIN_A, address(source), _payload(1, CHAIN_B, address(dest), alice, "x"));
        mock.setInvalid(2);
        vm.expectRevert(abi.encodeWithSelector(CrossChainMessenger.InvalidWarpMessage.selector, uint32(2)));
        dest.receiveMessage(2);
    }

    function test_RevertWhen_WrongSourceChain() public {
        mock.setVerifiedMessage(0, CHAIN_C, address(source), _payload(1, CHAIN_B, address(dest), alice, "x"));
        vm.expectRevert(abi.encodeWithSelector(CrossChainMessenger.UnknownSender.selector, CHAIN_C, address(source)));
        dest.receiveMessage(0);
    }

    function test_RevertWhen_WrongSender() public {
        mock.setVerifiedMessage(0, CHAIN_A, mallory, _payload(1, CHAIN_B, address(dest), alice, "x"));
        vm.expectRevert(abi.encodeWithSelector(CrossChainMessenger.UnknownSender.selector, CHAIN_A, mallory));
        dest.receiveMessage(0);
    }

    function test_RevertWhen_WrongDestinationChain() public {
        mock.setVerifiedMessage(0, CHAIN_A, address(source), _payload(1, CHAIN_C, address(dest), alice, "x"));
        vm.expectRevert(abi.encodeWithSelector(CrossChainMessenger.WrongDestination.selector, CHAIN_C, address(dest)));
        dest.receiveMessage(0);
    }

    function test_RevertWhen_WrongDestinationContract() public {
        mock.setVerifiedMessage(0, CHAIN_A, address(source), _payload(1, CHAIN_B, mallory, alice, "x"));
        vm.expectRevert(abi.encodeWithSelector(CrossChainMessenger.WrongDestination.selector, CHAIN_B, mallory));
        dest.receiveMessage(0);
    }

    function test_RevertWhen_Replayed() public {
        mock.setVerifiedMessage(0, CHAIN_A, address(source), _payload(1, CHAIN_B, address(dest), alice, "x"));
        dest.receiveMessage(0);

        // The same message delivered again, even at another index, is refused.
        mock.setVerifiedMessage(1, CHAIN_A, address(source), _payload(1, CHAIN_B, address(dest), alice, "x"));
        bytes32 key = _key(CHAIN_A, address(source), 1);
        vm.expectRevert(abi.encodeWithSelector(CrossChainMessenger.AlreadyReceived.selector, key));
        dest.receiveMessage(1);
        assertEq(dest.receivedCount(), 1);
    }

    function test_SameNonceFromAnotherAllowedSenderIsAccepted() public {
        address other = makeAddr("other messenger");
        dest.allowSender(CHAIN_C, other);
        mock.setVerifiedMessage(0, CHAIN_A, address(source), _payload(1, CHAIN_B, address(dest), alice, "a"));
        mock.setVerifiedMessage(1, CHAIN_C, other, _payload(1, CHAIN_B, address(dest), alice, "c"));
        dest.receiveMessage(0);
        dest.receiveMessage(1);
        assertEq(dest.receivedCount(), 2);
        assertEq(dest.lastSourceChainID(), CHAIN_C);
        assertEq(dest.lastData(), bytes("c"));
    }

    // ------------------------------------------------------------ round trips

    /// @dev Sends on CHAIN_A, relays the recorded payload as a verified message, receives on CHAIN_B.
    function _relay(address from, bytes memory data) internal returns (bytes32 id) {
        uint256 index = mock.sentCount();
        mock.setBlockchainID(CHAIN_A);
        vm.prank(from);
        id = source.sendMessage(CHAIN_B, address(dest), data);

        (address s, bytes memory p, bytes32 recordedID) = mock.sent(index);
        assertEq(recordedID, id);
        mock.setBlockchainID(CHAIN_B);
        mock.setVerifiedMessage(0, CHAIN_A, s, p);
        dest.receiveMessage(0);
    }

    function test_RoundTrip() public {
        _relay(alice, "first");
        _relay(mallory, "second");
        assertEq(dest.receivedCount(), 2);
        assertEq(dest.lastFrom(), mallory);
        assertEq(dest.lastData(), bytes("second"));
        assertTrue(dest.received(_key(CHAIN_A, address(source), 2)));
    }

    function testFuzz_PayloadRoundTrip(address from, bytes calldata data) public {
        _relay(from, data);
        assertEq(dest.lastSourceChainID(), CHAIN_A);
        assertEq(dest.lastSender(), address(source));
        assertEq(dest.lastFrom(), from);
        assertEq(dest.lastData(), data);
        assertEq(dest.receivedCount(), 1);
    }

    function testFuzz_RevertWhen_SenderNotAllowed(bytes32 chain, address sender) public {
        vm.assume(!(chain == CHAIN_A && sender == address(source)));
        mock.setVerifiedMessage(0, chain, sender, _payload(1, CHAIN_B, address(dest), alice, "x"));
        vm.expectRevert(abi.encodeWithSelector(CrossChainMessenger.UnknownSender.selector, chain, sender));
        dest.receiveMessage(0);
    }
}
