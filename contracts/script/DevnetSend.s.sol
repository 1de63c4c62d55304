// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Script} from "forge-std/Script.sol";
import {CrossChainMessenger} from "../src/apps/CrossChainMessenger.sol";
import {WarpMessengerMock} from "../src/mocks/WarpMessengerMock.sol";

/// @title DevnetSend
/// @notice A `forge script --broadcast` against `warp devnet`: deploys a CrossChainMessenger of
///         the sender's own, then sends `TEXT` through the devnet's messenger (`MESSENGER`) to the
///         chain `DESTINATION_CHAIN_ID`, where the devnet's relayer delivers it.
/// @dev forge runs a script in its own EVM, which has no warp precompile: for that local run a
///      mock is etched at the precompile's address (never broadcast). The broadcast transactions
///      run on the devnet against the real precompile; run with `--skip-simulation`, since forge's
///      second, on-chain simulation would run them in its EVM again without the mock.
contract DevnetSend is Script {
    /// @notice The warp precompile's address.
    address internal constant WARP = 0x0200000000000000000000000000000000000005;

    /// @notice Deploys a messenger and sends one message.
    /// @return deployed The messenger this script deployed.
    function run() external returns (CrossChainMessenger deployed) {
        CrossChainMessenger messenger = CrossChainMessenger(vm.envAddress("MESSENGER"));
        bytes32 destination = vm.envBytes32("DESTINATION_CHAIN_ID");
        vm.etch(WARP, address(new WarpMessengerMock()).code);

        vm.startBroadcast();
        deployed = new CrossChainMessenger();
        messenger.sendMessage(destination, address(messenger), bytes(vm.envString("TEXT")));
        vm.stopBroadcast();
    }
}
