#!/usr/bin/env python3
"""Prints the figures of the last `cargo bench` runs (verify, predicate, precompile) as ratios to their baselines.

Reads criterion's estimates under target/criterion/: every figure comes from the same run.
"""
import json
import pathlib
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")


def mean_ns(group: str, name: str) -> float:
    path = root / group / name / "new" / "estimates.json"
    return json.loads(path.read_text())["mean"]["point_estimate"]


base = mean_ns("verify", "blst_single")
print(f"baseline verify/blst_single: {base / 1e3:.1f} us")
for n in (10, 100, 1000):
    t = mean_ns("verify", f"warp_{n}")
    print(f"verify/warp_{n}: {t / 1e3:.1f} us = {t / base:.3f} x baseline")
t = mean_ns("verify", "warp_1000_first_use")
print(f"verify/warp_1000_first_use: {t / 1e3:.1f} us = {t / base:.3f} x baseline")
for n in (1000, 10000):
    t = mean_ns("canonical_set", str(n))
    print(f"canonical_set/{n}: {t / 1e6:.3f} ms")

# benches/predicate.rs: a 64-predicate block, Granite gas as throughput.
if (root / "block_64").exists():
    one = mean_ns("block_64", "one_by_one")
    blk = mean_ns("block_64", "block_verifier")
    bad = mean_ns("block_64", "block_verifier_one_bad")
    single = mean_ns("block_64", "blst_single")
    gas = 64 * 146_870
    print(f"block_64/one_by_one: {one / 1e6:.2f} ms = {one / single:.1f} x blst_single ({single / 1e3:.0f} us)")
    print(f"block_64/block_verifier: {blk / 1e6:.2f} ms: {one / blk:.2f} x faster than one by one")
    print(f"block_64/block_verifier_one_bad: {bad / 1e6:.2f} ms = {bad / blk:.2f} x the all-valid block")
    print(f"Granite predicate throughput: {gas / blk * 1e3:.0f} Mgas/s (one by one: {gas / one * 1e3:.0f} Mgas/s)")

# benches/precompile.rs: whole transactions through revm against revm's identity precompile.
if (root / "precompile_1k").exists():
    base = mean_ns("precompile_1k", "identity")
    print(f"precompile_1k/identity (mainnet EVM, 1 KiB): {base / 1e3:.2f} us")
    for name in ("identity_warp_evm", "get_verified_warp_message", "send_warp_message"):
        t = mean_ns("precompile_1k", name)
        print(f"precompile_1k/{name}: {t / 1e3:.2f} us = {t / base:.2f} x identity")
