// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {WarpTestBase} from "../src/testing/WarpTestBase.sol";
import {WarpMessengerMock} from "../src/mocks/WarpMessengerMock.sol";
import {BlockHashOracle} from "../src/apps/BlockHashOracle.sol";

/// @notice Tests of BlockHashOracle.
contract BlockHashOracleTest is WarpTestBase {
    bytes32 internal constant CHAIN_A = keccak256("chain A");
    bytes32 internal constant CHAIN_C = keccak256("chain C");
    bytes32 internal constant HASH_1 = keccak256("block 1");
    bytes32 internal constant HASH_2 = keccak256("block 2");

    WarpMessengerMock internal mock;
    BlockHashOracle internal oracle;
    address internal mallory = makeAddr("mallory");

    function setUp() public {
        mock = installWarpMock();
        oracle = new BlockHashOracle();
        oracle.allowSource(CHAIN_A);
    }

    function test_OwnerAndAllowList() public view {
        assertEq(oracle.owner(), address(this));
        assertTrue(oracle.allowedSource(CHAIN_A));
        assertFalse(oracle.allowedSource(CHAIN_C));
    }

    function test_AllowSourceRevertsForNonOwner() public {
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(BlockHashOracle.NotOwner.selector, mallory));
        oracle.allowSource(CHAIN_C);
    }

    function test_RecordBlockHash() public {
        mock.setVerifiedBlockHash(0, CHAIN_A, HASH_1);

        vm.expectEmit(true, true, false, true, address(oracle));
        emit BlockHashOracle.BlockHashRecorded(CHAIN_A, HASH_1);
        bytes32 recorded = oracle.recordBlockHash(0);

        assertEq(recorded, HASH_1);
        assertTrue(oracle.verified(CHAIN_A, HASH_1));
        assertTrue(oracle.isVerified(CHAIN_A, HASH_1));
        assertEq(oracle.latest(CHAIN_A), HASH_1);
        assertFalse(oracle.isVerified(CHAIN_A, HASH_2));
        assertFalse(oracle.isVerified(CHAIN_C, HASH_1));
    }

    function test_LatestMovesAndOldHashesStayVerified() public {
        mock.setVerifiedBlockHash(0, CHAIN_A, HASH_1);
        mock.setVerifiedBlockHash(1, CHAIN_A, HASH_2);
        oracle.recordBlockHash(0);
        oracle.recordBlockHash(1);
        assertEq(oracle.latest(CHAIN_A), HASH_2);
        assertTrue(oracle.isVerified(CHAIN_A, HASH_1));
        assertTrue(oracle.isVerified(CHAIN_A, HASH_2));
    }

    function test_RecordingTwiceIsIdempotent() public {
        mock.setVerifiedBlockHash(0, CHAIN_A, HASH_1);
        oracle.recordBlockHash(0);
        oracle.recordBlockHash(0);
        assertEq(oracle.latest(CHAIN_A), HASH_1);
    }

    function test_RevertWhen_BlockHashMissing() public {
        vm.expectRevert(abi.encodeWithSelector(BlockHashOracle.InvalidWarpBlockHash.selector, uint32(0)));
        oracle.recordBlockHash(0);
    }

    function test_RevertWhen_BlockHashInvalid() public {
        mock.setVerifiedBlockHash(3, CHAIN_A, HASH_1);
        mock.setInvalid(3);
        vm.expectRevert(abi.encodeWithSelector(BlockHashOracle.InvalidWarpBlockHash.selector, uint32(3)));
        oracle.recordBlockHash(3);
    }

    function test_RevertWhen_OnlyAWarpMessageAtIndex() public {
        // A plain warp message is not a block-hash message.
        mock.setVerifiedMessage(0, CHAIN_A, mallory, "not a block hash");
        vm.expectRevert(abi.encodeWithSelector(BlockHashOracle.InvalidWarpBlockHash.selector, uint32(0)));
        oracle.recordBlockHash(0);
    }

    function test_RevertWhen_UnknownSource() public {
        mock.setVerifiedBlockHash(0, CHAIN_C, HASH_1);
        vm.expectRevert(abi.encodeWithSelector(BlockHashOracle.UnknownSource.selector, CHAIN_C));
        oracle.recordBlockHash(0);
    }

    function testFuzz_RecordBlockHash(uint32 index, bytes32 chain, bytes32 blockHash) public {
        oracle.allowSource(chain);
        mock.setVerifiedBlockHash(index, chain, blockHash);
        assertEq(oracle.recordBlockHash(index), blockHash);
        assertTrue(oracle.isVerified(chain, blockHash));
        assertEq(oracle.latest(chain), blockHash);
    }

    function testFuzz_RevertWhen_SourceNotAllowed(bytes32 chain, bytes32 blockHash) public {
        vm.assume(chain != CHAIN_A);
        mock.setVerifiedBlockHash(0, chain, blockHash);
        vm.expectRevert(abi.encodeWithSelector(BlockHashOracle.UnknownSource.selector, chain));
        oracle.recordBlockHash(0);
    }
}
