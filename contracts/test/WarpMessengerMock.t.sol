// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {WarpTestBase} from "../src/testing/WarpTestBase.sol";
import {IWarpMessenger, WarpMessage, WarpBlockHash} from "../src/IWarpMessenger.sol";
import {WarpMessengerMock} from "../src/mocks/WarpMessengerMock.sol";

/// @notice Tests of the Warp precompile mock itself, and of the interface's ABI facts.
contract WarpMessengerMockTest is WarpTestBase {
    bytes32 internal constant CHAIN_A = keccak256("chain A");
    bytes32 internal constant CHAIN_B = keccak256("chain B");

    WarpMessengerMock internal mock;
    IWarpMessenger internal warp;
    address internal sender = makeAddr("sender");

    function setUp() public {
        mock = installWarpMock();
        warp = IWarpMessenger(WARP_ADDRESS);
    }

    function _expectedID(uint256 seq, address from, bytes memory payload) internal view returns (bytes32) {
        return sha256(abi.encode(block.chainid, seq, from, payload));
    }

    // ------------------------------------------------------------ ABI facts

    function test_SelectorsMatchThePrecompile() public pure {
        assertEq(IWarpMessenger.sendWarpMessage.selector, bytes4(0xee5b48eb));
        assertEq(IWarpMessenger.getVerifiedWarpMessage.selector, bytes4(0x6f825350));
        assertEq(IWarpMessenger.getVerifiedWarpBlockHash.selector, bytes4(0xce7f5929));
        assertEq(IWarpMessenger.getBlockchainID.selector, bytes4(0x4213cf78));
        assertEq(
            IWarpMessenger.SendWarpMessage.selector,
            bytes32(0x56600c567728a800c0aa927500f831cb451df66a7af570eb4df4dfbf4674887d)
        );
    }

    function test_GetVerifiedWarpMessageReturnEncoding() public {
        bytes memory payload = hex"00112233445566778899"; // 10 bytes
        mock.setVerifiedMessage(0, CHAIN_A, sender, payload);
        (bool ok, bytes memory ret) =
            WARP_ADDRESS.staticcall(abi.encodeCall(IWarpMessenger.getVerifiedWarpMessage, (uint32(0))));
        assertTrue(ok);
        // 0x40 (tuple offset), bool, then (chain ID, address, 0x60, length, one padded word).
        assertEq(ret.length, 224);
        assertEq(ret, abi.encode(WarpMessage(CHAIN_A, sender, payload), true));
    }

    // ------------------------------------------------------------ blockchain ID

    function test_BlockchainIDDefaultsToZeroAndCanBeSet() public {
        assertEq(warp.getBlockchainID(), bytes32(0));
        mock.setBlockchainID(CHAIN_A);
        assertEq(warp.getBlockchainID(), CHAIN_A);
    }

    // ------------------------------------------------------------ verified messages

    function test_UnsetMessageIsInvalidAndEmpty() public view {
        (WarpMessage memory m, bool valid) = warp.getVerifiedWarpMessage(7);
        assertFalse(valid);
        assertEq(m.sourceChainID, bytes32(0));
        assertEq(m.originSenderAddress, address(0));
        assertEq(m.payload.length, 0);
    }

    function test_SetVerifiedMessage() public {
        mock.setVerifiedMessage(3, CHAIN_A, sender, "hello");
        (WarpMessage memory m, bool valid) = warp.getVerifiedWarpMessage(3);
        assertTrue(valid);
        assertEq(m.sourceChainID, CHAIN_A);
        assertEq(m.originSenderAddress, sender);
        assertEq(m.payload, bytes("hello"));

        (, bool otherValid) = warp.getVerifiedWarpMessage(2);
        assertFalse(otherValid);
    }

    function test_SetInvalidHidesMessageAndBlockHash() public {
        mock.setVerifiedMessage(1, CHAIN_A, sender, "hello");
        mock.setVerifiedBlockHash(1, CHAIN_A, keccak256("block"));
        mock.setInvalid(1);

        (WarpMessage memory m, bool valid) = warp.getVerifiedWarpMessage(1);
        assertFalse(valid);
        assertEq(m.sourceChainID, bytes32(0));
        assertEq(m.originSenderAddress, address(0));
        assertEq(m.payload.length, 0);

        (WarpBlockHash memory b, bool bValid) = warp.getVerifiedWarpBlockHash(1);
        assertFalse(bValid);
        assertEq(b.sourceChainID, bytes32(0));
        assertEq(b.blockHash, bytes32(0));
    }

    function test_SetterAfterSetInvalidMakesIndexValidAgain() public {
        mock.setInvalid(0);
        mock.setVerifiedMessage(0, CHAIN_B, sender, "again");
        (WarpMessage memory m, bool valid) = warp.getVerifiedWarpMessage(0);
        assertTrue(valid);
        assertEq(m.payload, bytes("again"));
    }

    function testFuzz_MessageRoundTrip(uint32 index, bytes32 chain, address origin, bytes calldata payload) public {
        mock.setVerifiedMessage(index, chain, origin, payload);
        (WarpMessage memory m, bool valid) = warp.getVerifiedWarpMessage(index);
        assertTrue(valid);
        assertEq(m.sourceChainID, chain);
        assertEq(m.originSenderAddress, origin);
        assertEq(m.payload, payload);
    }

    // ------------------------------------------------------------ block hashes

    function test_UnsetBlockHashIsInvalidAndEmpty() public view {
        (WarpBlockHash memory b, bool valid) = warp.getVerifiedWarpBlockHash(0);
        assertFalse(valid);
        assertEq(b.sourceChainID, bytes32(0));
        assertEq(b.blockHash, bytes32(0));
    }

    function testFuzz_BlockHashRoundTrip(uint32 index, bytes32 chain, bytes32 blockHash) public {
        mock.setVerifiedBlockHash(index, chain, blockHash);
        (WarpBlockHash memory b, bool valid) = warp.getVerifiedWarpBlockHash(index);
        assertTrue(valid);
        assertEq(b.sourceChainID, chain);
        assertEq(b.blockHash, blockHash);
    }

    // ------------------------------------------------------------ sending

    function test_SendWarpMessageEmitsAndRecords() public {
        bytes memory payload = "ping";
        bytes32 id = _expectedID(0, sender, payload);

        vm.expectEmit(true, true, false, true, WARP_ADDRESS);
        emit IWarpMessenger.SendWarpMessage(sender, id, payload);
        vm.prank(sender);
        bytes32 returned = warp.sendWarpMessage(payload);

        assertEq(returned, id);
        assertEq(mock.sentCount(), 1);
        (address s, bytes memory p, bytes32 recordedID) = mock.sent(0);
        assertEq(s, sender);
        assertEq(p, payload);
        assertEq(recordedID, id);
    }

    function test_MessageIDsDifferPerSend() public {
        vm.startPrank(sender);
        bytes32 first = warp.sendWarpMessage("same");
        bytes32 second = warp.sendWarpMessage("same");
        vm.stopPrank();
        assertTrue(first != second);
        assertEq(second, _expectedID(1, sender, "same"));
        assertEq(mock.sentCount(), 2);
    }

    function test_SentOutOfRangeReverts() public {
        vm.expectRevert(abi.encodeWithSelector(WarpMessengerMock.SentIndexOutOfRange.selector, 0, 0));
        mock.sent(0);
    }

    function testFuzz_SendRecordsPayload(address from, bytes calldata payload) public {
        vm.prank(from);
        bytes32 id = warp.sendWarpMessage(payload);
        (address s, bytes memory p, bytes32 recordedID) = mock.sent(0);
        assertEq(s, from);
        assertEq(p, payload);
        assertEq(recordedID, id);
        assertEq(id, _expectedID(0, from, payload));
    }

    // ------------------------------------------------------------ clear

    function test_ClearForgetsEverythingButTheBlockchainID() public {
        mock.setBlockchainID(CHAIN_B);
        mock.setVerifiedMessage(0, CHAIN_A, sender, "m");
        mock.setVerifiedBlockHash(1, CHAIN_A, keccak256("b"));
        warp.sendWarpMessage("s");

        mock.clear();

        (, bool mValid) = warp.getVerifiedWarpMessage(0);
        (, bool bValid) = warp.getVerifiedWarpBlockHash(1);
        assertFalse(mValid);
        assertFalse(bValid);
        assertEq(mock.sentCount(), 0);
        assertEq(warp.getBlockchainID(), CHAIN_B);

        // Message IDs restart from sequence number 0.
        assertEq(warp.sendWarpMessage("s"), _expectedID(0, address(this), "s"));
    }
}
