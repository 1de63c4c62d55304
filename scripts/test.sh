#!/usr/bin/env bash
# Every check CI runs, from a fresh machine: installs the py_ecc and eth-abi
# oracles the cross-checks need; builds and tests the Solidity contracts with
# Foundry (installed from npm by contracts/scripts/check.sh) and checks that the
# committed artifacts match a fresh build; then formatting and lints; then
# `warp devnet` through real clients (cast, forge, viem, ethers 6 from npm:
# clients/check.sh) after every console example of the docs (scripts/check_docs.py);
# then the whole Rust test suite (unit, integration, property, known-answer, end-to-end and doc
# tests; examples and benches build); finally every committed fuzz input is
# replayed through its target (fuzz/replay.sh).
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
  -r tests/oracle/requirements.txt
bash contracts/scripts/check.sh
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
python3 scripts/check_rust_version.py
# Every library crate packages and builds from its package alone. Cargo takes
# packaged crates for immutable registry crates: it reuses an unpacked copy of
# the same name and version from its cache, and their compiled artifacts in the
# target directory, so each run removes our unpacked copies and verifies in a
# target directory of its own, emptied first.
cargo_home="${CARGO_HOME:-$HOME/.cargo}"
for crate in awm awm-core warp-predicate warp-precompile warp-node warp-relayer warp-relayer-net warp-devnet; do
  rm -rf "$cargo_home"/registry/src/*/"$crate"-[0-9]*
done
rm -rf target/package-verify
CARGO_TARGET_DIR=target/package-verify cargo package --workspace --exclude warp-cli --allow-dirty --quiet
rm -rf target/package-verify
cargo build --bin warp
# Every console example of the README and docs/, run and compared.
python3 scripts/check_docs.py
bash clients/check.sh
cargo test --workspace
bash fuzz/replay.sh
