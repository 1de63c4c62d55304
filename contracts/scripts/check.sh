#!/usr/bin/env bash
# Builds and tests the Solidity contracts offline, then checks that the committed
# artifacts/ match a fresh build.
#
#   1. npm ci: forge 1.7.1 (the native linux-amd64 binary), npm solc, forge-std;
#   2. forge fmt --check, forge build, forge test with the REAL forge binary (never the
#      npm meta package's wrapper, which always exits 0);
#   3. export the artifacts of the fresh build to a temporary directory and diff them
#      against artifacts/.
#   4. scripts/consumer.sh: the npm package in a fresh Foundry project outside the repository.
# Exits non-zero as soon as a step fails.
set -euo pipefail
cd "$(dirname "$0")/.."

FORGE=node_modules/@foundry-rs/forge-linux-amd64/bin/forge

npm ci --no-audit --no-fund
"$FORGE" --version | head -n 1
scripts/solc --version | tail -n 1

"$FORGE" fmt --check
"$FORGE" build

log=$(mktemp)
tmp=$(mktemp -d)
trap 'rm -rf "$log" "$tmp"' EXIT

status=0
"$FORGE" test 2>&1 | tee "$log" || status=$?
summary=$(grep -oE '[0-9]+ tests passed, [0-9]+ failed' "$log" | tail -n 1 || true)
if [[ -n "$summary" ]]; then
  read -r passed _ _ failed _ <<<"${summary//,/}"
  echo "forge: ${passed} passed, ${failed} failed"
fi
if [[ $status -ne 0 ]]; then
  echo "check.sh: forge test failed (exit $status)" >&2
  exit "$status"
fi

node scripts/export-artifacts.js "$tmp/artifacts"
if ! diff -r artifacts "$tmp/artifacts"; then
  echo "artifacts are stale: run \`node scripts/export-artifacts.js\` in contracts/ and commit" >&2
  exit 1
fi
echo "check.sh: artifacts are up to date"

# The package as a user installs it, in a fresh Foundry project outside the repository.
bash scripts/consumer.sh
