#!/usr/bin/env bash
# End-to-end tests of `warp devnet` through real clients: installs cast, anvil,
# forge 1.7.1, viem and ethers 6 from npm (pinned in package-lock.json), then
# runs every test in test/ against devnets each test starts on a free
# loopback port with the debug `warp` binary (built by the caller).
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund
log=$(mktemp)
trap 'rm -f "$log"' EXIT
status=0
node --test --test-concurrency=1 --test-reporter=spec test/ 2>&1 | tee "$log" || status=$?
passed=$(grep -oE '^ℹ pass [0-9]+' "$log" | grep -oE '[0-9]+' || echo 0)
failed=$(grep -oE '^ℹ fail [0-9]+' "$log" | grep -oE '[0-9]+' || echo 0)
echo "clients: ${passed} passed, ${failed} failed"
exit "$status"
