// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {WarpTestBase} from "../src/testing/WarpTestBase.sol";
import {IWarpMessenger} from "../src/IWarpMessenger.sol";
import {WarpMessengerMock} from "../src/mocks/WarpMessengerMock.sol";
import {BridgeToken, TokenHome, TokenRemote} from "../src/apps/TokenBridge.sol";

/// @notice Tests of BridgeToken on its own.
contract BridgeTokenTest is WarpTestBase {
    BridgeToken internal token;
    address internal minter = makeAddr("minter");
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");

    function setUp() public {
        token = new BridgeToken("Token", "TKN", minter, 1000, alice);
    }

    function test_Metadata() public view {
        assertEq(token.name(), "Token");
        assertEq(token.symbol(), "TKN");
        assertEq(token.decimals(), 18);
        assertEq(token.minter(), minter);
        assertEq(token.totalSupply(), 1000);
        assertEq(token.balanceOf(alice), 1000);
    }

    function test_Transfer() public {
        vm.expectEmit(true, true, false, true, address(token));
        emit BridgeToken.Transfer(alice, bob, 300);
        vm.prank(alice);
        assertTrue(token.transfer(bob, 300));
        assertEq(token.balanceOf(alice), 700);
        assertEq(token.balanceOf(bob), 300);
    }

    function test_RevertWhen_TransferExceedsBalance() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(BridgeToken.InsufficientBalance.selector, alice, 1000, 1001));
        // forge-lint: disable-next-line(erc20-unchecked-transfer)
        token.transfer(bob, 1001);
    }

    function test_ApproveAndTransferFrom() public {
        vm.expectEmit(true, true, false, true, address(token));
        emit BridgeToken.Approval(alice, bob, 500);
        vm.prank(alice);
        assertTrue(token.approve(bob, 500));
        assertEq(token.allowance(alice, bob), 500);

        vm.prank(bob);
        assertTrue(token.transferFrom(alice, bob, 200));
        assertEq(token.allowance(alice, bob), 300);
        assertEq(token.balanceOf(bob), 200);
    }

    function test_InfiniteAllowanceDoesNotDecrease() public {
        vm.prank(alice);
        token.approve(bob, type(uint256).max);
        vm.prank(bob);
        assertTrue(token.transferFrom(alice, bob, 200));
        assertEq(token.allowance(alice, bob), type(uint256).max);
    }

    function test_RevertWhen_TransferFromExceedsAllowance() public {
        vm.prank(alice);
        token.approve(bob, 100);
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(BridgeToken.InsufficientAllowance.selector, bob, 100, 101));
        // forge-lint: disable-next-line(erc20-unchecked-transfer)
        token.transferFrom(alice, bob, 101);
    }

    function test_MintAndBurnByMinter() public {
        vm.startPrank(minter);
        token.mint(bob, 50);
        token.burn(alice, 400);
        vm.stopPrank();
        assertEq(token.balanceOf(bob), 50);
        assertEq(token.balanceOf(alice), 600);
        assertEq(token.totalSupply(), 650);
    }

    function test_RevertWhen_BurnExceedsBalance() public {
        vm.prank(minter);
        vm.expectRevert(abi.encodeWithSelector(BridgeToken.InsufficientBalance.selector, bob, 0, 1));
        token.burn(bob, 1);
    }

    function test_RevertWhen_NotMinter() public {
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(BridgeToken.NotMinter.selector, alice));
        token.mint(alice, 1);
        vm.prank(alice);
        vm.expectRevert(abi.encodeWithSelector(BridgeToken.NotMinter.selector, alice));
        token.burn(alice, 1);
    }

    function test_ZeroInitialSupplyMintsNothing() public {
        BridgeToken empty = new BridgeToken("E", "E", minter, 0, address(0));
        assertEq(empty.totalSupply(), 0);
    }
}

/// @notice Tests of TokenHome and TokenRemote. Both chains are simulated in one EVM: TokenHome
///         lives on HOME_CHAIN, TokenRemote on REMOTE_CHAIN.
contract TokenBridgeTest is WarpTestBase {
    bytes32 internal constant HOME_CHAIN = keccak256("home chain");
    bytes32 internal constant REMOTE_CHAIN = keccak256("remote chain");
    bytes32 internal constant OTHER_CHAIN = keccak256("other chain");
    uint256 internal constant SUPPLY = 1_000_000 ether;
    uint256 internal constant CAP = 1_000 ether;

    WarpMessengerMock internal mock;
    BridgeToken internal homeToken;
    TokenHome internal home;
    TokenRemote internal remote;
    BridgeToken internal wrapped;
    address internal alice = makeAddr("alice");
    address internal bob = makeAddr("bob");
    address internal carol = makeAddr("carol");
    address internal mallory = makeAddr("mallory");

    function setUp() public {
        mock = installWarpMock();
        homeToken = new BridgeToken("Token", "TKN", address(this), SUPPLY, alice);
        home = new TokenHome(address(homeToken));
        remote = new TokenRemote(HOME_CHAIN, address(home), CAP);
        wrapped = remote.token();
        home.configure(REMOTE_CHAIN, address(remote));

        vm.prank(alice);
        homeToken.approve(address(home), type(uint256).max);
    }

    function _key(bytes32 sourceChainID, uint256 nonce) internal pure returns (bytes32) {
        return keccak256(abi.encode(sourceChainID, nonce));
    }

    /// @dev Alice locks `amount` for `recipient` on the home chain; returns the sent payload.
    function _lock(uint256 amount, address recipient) internal returns (bytes memory payload) {
        mock.setBlockchainID(HOME_CHAIN);
        uint256 index = mock.sentCount();
        vm.prank(alice);
        home.lock(amount, recipient);
        (, payload,) = mock.sent(index);
    }

    /// @dev Delivers `payload` from the home bridge to the remote chain and mints.
    function _mint(bytes memory payload) internal {
        mock.setBlockchainID(REMOTE_CHAIN);
        mock.setVerifiedMessage(0, HOME_CHAIN, address(home), payload);
        remote.mint(0);
    }

    // ------------------------------------------------------------ configuration

    function test_Configuration() public view {
        assertEq(home.token(), address(homeToken));
        assertEq(home.owner(), address(this));
        assertEq(home.remoteChainID(), REMOTE_CHAIN);
        assertEq(home.remoteBridge(), address(remote));
        assertEq(remote.homeChainID(), HOME_CHAIN);
        assertEq(remote.homeBridge(), address(home));
        assertEq(remote.mintCap(), CAP);
        assertEq(wrapped.minter(), address(remote));
        assertEq(wrapped.name(), "Wrapped");
        assertEq(wrapped.symbol(), "wTKN");
        assertEq(wrapped.totalSupply(), 0);
    }

    function test_RevertWhen_ConfiguredTwice() public {
        vm.expectRevert(TokenHome.AlreadyConfigured.selector);
        home.configure(OTHER_CHAIN, mallory);
    }

    function test_RevertWhen_ConfigureByNonOwner() public {
        TokenHome fresh = new TokenHome(address(homeToken));
        vm.prank(mallory);
        vm.expectRevert(abi.encodeWithSelector(TokenHome.NotOwner.selector, mallory));
        fresh.configure(REMOTE_CHAIN, address(remote));
    }

    function test_RevertWhen_LockBeforeConfigure() public {
        TokenHome fresh = new TokenHome(address(homeToken));
        vm.prank(alice);
        vm.expectRevert(TokenHome.NotConfigured.selector);
        fresh.lock(1, bob);
    }

    // ------------------------------------------------------------ lock

    function test_Lock() public {
        mock.setBlockchainID(HOME_CHAIN);
        uint256 amount = 100 ether;
        bytes memory payload = abi.encode(uint256(1), bob, amount);
        bytes32 id = sha256(abi.encode(block.chainid, uint256(0), address(home), payload));

        vm.expectEmit(true, true, false, true, WARP_ADDRESS);
        emit IWarpMessenger.SendWarpMessage(address(home), id, payload);
        vm.expectEmit(true, true, false, true, address(home));
        emit TokenHome.Locked(alice, bob, amount, 1, id);

        vm.prank(alice);
        assertEq(home.lock(amount, bob), id);

        assertEq(home.nonce(), 1);
        assertEq(home.locked(), amount);
        assertEq(homeToken.balanceOf(address(home)), amount);
        assertEq(homeToken.balanceOf(alice), SUPPLY - amount);
    }

    function test_RevertWhen_LockWithoutAllowance() public {
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(BridgeToken.InsufficientAllowance.selector, address(home), 0, 1));
        home.lock(1, bob);
    }

    // ------------------------------------------------------------ mint

    function test_Mint() public {
        bytes memory payload = _lock(100 ether, bob);
        mock.setBlockchainID(REMOTE_CHAIN);
        mock.setVerifiedMessage(0, HOME_CHAIN, address(home), payload);

        vm.expectEmit(true, false, false, true, address(remote));
        emit TokenRemote.Minted(bob, 100 ether, 1);
        remote.mint(0);

        assertEq(wrapped.balanceOf(bob), 100 ether);
        assertEq(wrapped.totalSupply(), 100 ether);
        assertEq(remote.minted(), 100 ether);
        assertTrue(remote.processed(_key(HOME_CHAIN, 1)));
    }

    function test_RevertWhen_MintInvalidMessage() public {
        vm.expectRevert(abi.encodeWithSelector(TokenRemote.InvalidWarpMessage.selector, uint32(4)));
        remote.mint(4);

        mock.setVerifiedMessage(4, HOME_CHAIN, address(home), abi.encode(uint256(1), bob, uint256(1)));
        mock.setInvalid(4);
        vm.expectRevert(abi.encodeWithSelector(TokenRemote.InvalidWarpMessage.selector, uint32(4)));
        remote.mint(4);
    }

    function test_RevertWhen_MintFromWrongSourceChain() public {
        mock.setVerifiedMessage(0, OTHER_CHAIN, address(home), abi.encode(uint256(1), bob, uint256(1)));
        vm.expectRevert(abi.encodeWithSelector(TokenRemote.UnknownSender.selector, OTHER_CHAIN, address(home)));
        remote.mint(0);
    }

    function test_RevertWhen_MintFromWrongSender() public {
        mock.setVerifiedMessage(0, HOME_CHAIN, mallory, abi.encode(uint256(1), mallory, uint256(1)));
        vm.expectRevert(abi.encodeWithSelector(TokenRemote.UnknownSender.selector, HOME_CHAIN, mallory));
        remote.mint(0);
    }

    function test_RevertWhen_MintReplayed() public {
        bytes memory payload = _lock(10 ether, bob);
        _mint(payload);
        vm.expectRevert(abi.encodeWithSelector(TokenRemote.AlreadyProcessed.selector, _key(HOME_CHAIN, 1)));
        remote.mint(0);
        assertEq(wrapped.balanceOf(bob), 10 ether);
    }

    function test_RevertWhen_MintOverCap() public {
        _mint(_lock(CAP - 1, bob));
        bytes memory payload = _lock(2, bob);
        mock.setVerifiedMessage(0, HOME_CHAIN, address(home), payload);
        vm.expectRevert(abi.encodeWithSelector(TokenRemote.CapExceeded.selector, CAP - 1, 2, CAP));
        remote.mint(0);
    }

    function test_MintExactlyToCap() public {
        _mint(_lock(CAP, bob));
        assertEq(remote.minted(), CAP);
    }

    // ------------------------------------------------------------ burn and release

    function test_BurnReleaseRoundTrip() public {
        _mint(_lock(100 ether, bob));

        // Bob burns 40 on the remote chain for carol on the home chain.
        uint256 index = mock.sentCount();
        bytes memory payload = abi.encode(uint256(1), carol, uint256(40 ether));
        bytes32 id = sha256(abi.encode(block.chainid, index, address(remote), payload));
        vm.expectEmit(true, true, false, true, WARP_ADDRESS);
        emit IWarpMessenger.SendWarpMessage(address(remote), id, payload);
        vm.expectEmit(true, true, false, true, address(remote));
        emit TokenRemote.Burned(bob, carol, 40 ether, 1, id);
        vm.prank(bob);
        assertEq(remote.burn(40 ether, carol), id);

        assertEq(remote.nonce(), 1);
        assertEq(remote.minted(), 60 ether);
        assertEq(wrapped.balanceOf(bob), 60 ether);
        assertEq(wrapped.totalSupply(), 60 ether);

        // Relay the burn message to the home chain.
        (address s, bytes memory p,) = mock.sent(index);
        mock.setBlockchainID(HOME_CHAIN);
        mock.setVerifiedMessage(0, REMOTE_CHAIN, s, p);

        vm.expectEmit(true, false, false, true, address(home));
        emit TokenHome.Released(carol, 40 ether, 1);
        home.release(0);

        assertEq(homeToken.balanceOf(carol), 40 ether);
        assertEq(home.locked(), 60 ether);
        assertEq(homeToken.balanceOf(address(home)), 60 ether);
        assertTrue(home.processed(_key(REMOTE_CHAIN, 1)));

        // Replaying the release fails.
        vm.expectRevert(abi.encodeWithSelector(TokenHome.AlreadyProcessed.selector, _key(REMOTE_CHAIN, 1)));
        home.release(0);
    }

    function test_BurnFreesCapacity() public {
        _mint(_lock(CAP, bob));
        vm.prank(bob);
        remote.burn(1 ether, bob);
        _mint(_lock(1 ether, bob));
        assertEq(remote.minted(), CAP);
    }

    function test_RevertWhen_BurnExceedsBalance() public {
        _mint(_lock(5 ether, bob));
        vm.prank(bob);
        vm.expectRevert(abi.encodeWithSelector(BridgeToken.InsufficientBalance.selector, bob, 5 ether, 6 ether));
        remote.burn(6 ether, bob);
    }

    function test_RevertWhen_ReleaseInvalidMessage() public {
        vm.expectRevert(abi.encodeWithSelector(TokenHome.InvalidWarpMessage.selector, uint32(0)));
        home.release(0);
    }

    function test_RevertWhen_ReleaseFromWrongSender() public {
        _lock(10 ether, bob);
        mock.setVerifiedMessage(0, REMOTE_CHAIN, mallory, abi.encode(uint256(1), mallory, uint256(10 ether)));
        vm.expectRevert(abi.encodeWithSelector(TokenHome.UnknownSender.selector, REMOTE_CHAIN, mallory));
        home.release(0);
    }

    function test_RevertWhen_ReleaseFromWrongSourceChain() public {
        _lock(10 ether, bob);
        mock.setVerifiedMessage(0, OTHER_CHAIN, address(remote), abi.encode(uint256(1), mallory, uint256(10 ether)));
        vm.expectRevert(abi.encodeWithSelector(TokenHome.UnknownSender.selector, OTHER_CHAIN, address(remote)));
        home.release(0);
    }

    // ------------------------------------------------------------ fuzz

    function testFuzz_AmountsVersusCap(uint256 first, uint256 second) public {
        first = bound(first, 0, CAP);
        second = bound(second, 0, SUPPLY - first);
        _mint(_lock(first, bob));

        bytes memory payload = _lock(second, carol);
        mock.setVerifiedMessage(0, HOME_CHAIN, address(home), payload);
        if (first + second > CAP) {
            vm.expectRevert(abi.encodeWithSelector(TokenRemote.CapExceeded.selector, first, second, CAP));
            remote.mint(0);
            assertEq(remote.minted(), first);
        } else {
            remote.mint(0);
            assertEq(remote.minted(), first + second);
            assertEq(wrapped.balanceOf(carol), second);
        }
    }

    function testFuzz_CapCheckDoesNotOverflow(uint256 amount) public {
        amount = bound(amount, CAP + 1, type(uint256).max);
        // A forged-but-verified message with a huge amount from the home bridge.
        mock.setVerifiedMessage(0, HOME_CHAIN, address(home), abi.encode(uint256(1), bob, amount));
        vm.expectRevert(abi.encodeWithSelector(TokenRemote.CapExceeded.selector, 0, amount, CAP));
        remote.mint(0);
    }

    function testFuzz_RoundTrip(uint256 lockAmount, uint256 burnAmount) public {
        lockAmount = bound(lockAmount, 1, CAP);
        burnAmount = bound(burnAmount, 1, lockAmount);
        _mint(_lock(lockAmount, bob));

        mock.setBlockchainID(REMOTE_CHAIN);
        uint256 index = mock.sentCount();
        vm.prank(bob);
        remote.burn(burnAmount, carol);
        (address s, bytes memory p,) = mock.sent(index);

        mock.setBlockchainID(HOME_CHAIN);
        mock.setVerifiedMessage(0, REMOTE_CHAIN, s, p);
        home.release(0);

        assertEq(homeToken.balanceOf(carol), burnAmount);
        assertEq(home.locked(), lockAmount - burnAmount);
        assertEq(remote.minted(), lockAmount - burnAmount);
        assertEq(wrapped.totalSupply(), home.locked());
        assertEq(homeToken.balanceOf(address(home)), home.locked());
    }
}
