#!/usr/bin/env bash
# The Solidity library as a user takes it: `npm pack` this package, install the
# tarball into a fresh Foundry project in a temporary directory outside the
# repository, import IWarpMessenger, the mock and the test base through the
# package's remapping, and pass a forge test of a small receiver against the mock.
#
# forge and the offline solc shim are this repository's (a user's forge downloads
# its own solc); forge-std comes from npm as in this repository (see README.md).
set -euo pipefail
cd "$(dirname "$0")/.."
here=$(pwd)
FORGE="$here/node_modules/@foundry-rs/forge-linux-amd64/bin/forge"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
tarball=$(npm pack --silent --pack-destination "$work" | tail -n 1)
mkdir -p "$work/app/src" "$work/app/test"
cd "$work/app"
printf '{ "name": "warp-consumer", "version": "1.0.0", "private": true }\n' > package.json
npm install --no-audit --no-fund --prefer-offline "$work/$tarball" @layerzerolabs/toolbox-foundry@0.1.13 >/dev/null

cat > foundry.toml <<EOF
[profile.default]
src = "src"
test = "test"
libs = ["node_modules"]
remappings = [
  "@awm-rs/warp-contracts/=node_modules/@awm-rs/warp-contracts/src/",
  "forge-std/=node_modules/@layerzerolabs/toolbox-foundry/lib/forge-std/",
]
auto_detect_remappings = false
evm_version = "cancun"
solc = "$here/scripts/solc"
offline = true
auto_detect_solc = false
ignored_error_codes = [4591]
ignored_warnings_from = ["node_modules"]
EOF

cat > src/Greeter.sol <<'EOF'
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {IWarpMessenger, WarpMessage} from "@awm-rs/warp-contracts/IWarpMessenger.sol";

/// A receiver that accepts greetings from one contract on one chain.
contract Greeter {
    IWarpMessenger internal constant WARP = IWarpMessenger(0x0200000000000000000000000000000000000005);
    bytes32 public immutable sourceChain;
    address public immutable sourceSender;
    string public last;

    constructor(bytes32 sourceChain_, address sourceSender_) {
        sourceChain = sourceChain_;
        sourceSender = sourceSender_;
    }

    function receiveGreeting(uint32 index) external {
        (WarpMessage memory message, bool valid) = WARP.getVerifiedWarpMessage(index);
        require(valid, "invalid warp message");
        require(message.sourceChainID == sourceChain && message.originSenderAddress == sourceSender, "unknown sender");
        last = abi.decode(message.payload, (string));
    }

    function greet(string calldata text) external returns (bytes32) {
        return WARP.sendWarpMessage(abi.encode(text));
    }
}
EOF

cat > test/Greeter.t.sol <<'EOF'
// SPDX-License-Identifier: MIT
pragma solidity ^0.8.24;

import {WarpTestBase} from "@awm-rs/warp-contracts/testing/WarpTestBase.sol";
import {WarpMessengerMock} from "@awm-rs/warp-contracts/mocks/WarpMessengerMock.sol";
import {Greeter} from "../src/Greeter.sol";

contract GreeterTest is WarpTestBase {
    bytes32 internal constant CHAIN_A = keccak256("chain A");
    address internal constant SENDER = address(0xA11CE);
    WarpMessengerMock internal mock;
    Greeter internal greeter;

    function setUp() public {
        mock = installWarpMock();
        greeter = new Greeter(CHAIN_A, SENDER);
    }

    function test_ReceivesAVerifiedGreeting() public {
        mock.setVerifiedMessage(0, CHAIN_A, SENDER, abi.encode("hello from A"));
        greeter.receiveGreeting(0);
        assertEq(greeter.last(), "hello from A");
    }

    function test_RefusesAnInvalidMessage() public {
        mock.setInvalid(0);
        vm.expectRevert(bytes("invalid warp message"));
        greeter.receiveGreeting(0);
    }

    function test_SendsThroughTheMock() public {
        greeter.greet("hi");
        assertEq(mock.sentCount(), 1);
        (address from, bytes memory payload,) = mock.sent(0);
        assertEq(from, address(greeter));
        assertEq(abi.decode(payload, (string)), "hi");
    }
}
EOF

log=$(mktemp)
status=0
"$FORGE" test 2>&1 | tee "$log" || status=$?
summary=$(grep -oE '[0-9]+ tests passed, [0-9]+ failed' "$log" | tail -n 1 || true)
rm -f "$log"
if [[ $status -ne 0 || "$summary" != "3 tests passed, 0 failed" ]]; then
  echo "consumer.sh: the fresh project's forge test did not pass 3 of 3 (${summary:-no summary}, exit $status)" >&2
  exit 1
fi
echo "consumer.sh: a fresh Foundry project outside the repository imports the package and passes 3 forge tests"
