#!/usr/bin/env bash
# The three ways messages get from A to B, one after the other in one run (not a
# test): the devnet's default relayer (warp-relayer-net over loopback JSON-RPC,
# inside the devnet process), the in-process relayer (--in-process-relayer), and
# `warp relayer --config` as a process of its own. Each line gives messages per
# second, latency from send to delivery, and CPU time per message (devnet, relayer
# process, total) from /proc.
#
#   cargo build --release --bin warp && bash clients/bench/relayers.sh [MESSAGES] [RATE]
set -euo pipefail
cd "$(dirname "$0")/.."
messages="${1:-500}"
rate="${2:-50}"
for mode in network in-process process; do
  node bench/bench.mjs --cross-chain-only --relayer "$mode" --messages "$messages" --rate "$rate" | grep -E '^cross-chain|not seen|reported|relayer'
done
