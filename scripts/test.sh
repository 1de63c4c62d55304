#!/usr/bin/env bash
# Every check CI runs, from a fresh machine: installs the py_ecc oracle the
# cross-check test needs, then formatting, lints and the whole test suite
# (unit, integration, property, known-answer and doc tests; examples and benches build).
set -euo pipefail
cd "$(dirname "$0")/.."

python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore \
  -r tests/oracle/requirements.txt
cargo fmt --all --check
cargo clippy --workspace --all-targets -- -D warnings
cargo test --workspace
