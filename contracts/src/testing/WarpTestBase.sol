// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {Test} from "forge-std/Test.sol";
import {WarpMessengerMock} from "../mocks/WarpMessengerMock.sol";

/// @title WarpTestBase
/// @notice Base contract for forge tests of contracts that use the Warp precompile.
/// @dev Call `installWarpMock()` in `setUp()`; then drive the mock through the returned handle,
///      which points at the precompile address.
abstract contract WarpTestBase is Test {
    /// @notice The address of the Warp precompile.
    address internal constant WARP_ADDRESS = 0x0200000000000000000000000000000000000005;

    /// @notice Puts the code of `WarpMessengerMock` at the precompile address.
    /// @dev The mock has no constructor state, so copying its runtime code is enough.
    /// @return The mock, addressed at `WARP_ADDRESS`.
    function installWarpMock() internal returns (WarpMessengerMock) {
        vm.etch(WARP_ADDRESS, address(new WarpMessengerMock()).code);
        vm.label(WARP_ADDRESS, "WarpPrecompile");
        return WarpMessengerMock(WARP_ADDRESS);
    }
}
