#!/usr/bin/env bash
# Replays every committed fuzz input (fuzz/seeds/ and fuzz/corpus/) through its
# target once, on the stable toolchain, without coverage instrumentation: the
# targets keep compiling against the crates, and every input that once ran clean
# still does. Part of scripts/test.sh. Fuzzing itself needs nightly and
# cargo-fuzz: see fuzz/README.md.
set -euo pipefail
cd "$(dirname "$0")"
targets=(message_decode predicate_gas results_decode precompile_run validators_json)
cargo build --quiet --release --bins --target-dir ../target/fuzz-replay
for t in "${targets[@]}"; do
  dirs=()
  for d in "seeds/$t" "corpus/$t"; do [ -d "$d" ] && dirs+=("$d"); done
  n=$(find "${dirs[@]}" -type f | wc -l)
  # -runs=0: run the inputs already in the given folders, then stop.
  "../target/fuzz-replay/release/$t" -runs=0 "${dirs[@]}" > "../target/fuzz-replay/$t.log" 2>&1 || {
    cat "../target/fuzz-replay/$t.log"; echo "fuzz replay: $t failed"; exit 1; }
  echo "fuzz replay: $t ran $n inputs clean"
done
