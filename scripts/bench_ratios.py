#!/usr/bin/env python3
"""Prints the figures of the last `cargo bench` runs (verify, predicate, precompile) as ratios to their baselines.

Reads criterion's estimates under target/criterion/: every figure comes from the same run.
"""
import json
import pathlib
import sys

root = pathlib.Path(sys.argv[1] if len(sys.argv) > 1 else "target/criterion")


def mean_ns(group: str, name: str) -> float:
    # criterion stores a bench named "a/b" in the folder "a_b".
    path = root / group / name.replace("/", "_") / "new" / "estimates.json"
    return json.loads(path.read_text())["mean"]["point_estimate"]


# benches/verify.rs: one verification against cached sets, and building sets.
if (root / "verify").exists():
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

# benches/origin.rs: aggregation to a two-thirds quorum of 100 validators, in single verifications.
if (root / "aggregation").exists():
    one = mean_ns("aggregation", "verify_one")
    for name in ("67_of_100", "67_of_100_with_10_liars"):
        t = mean_ns("aggregation", name)
        print(f"aggregation/{name}: {t / 1e6:.2f} ms = {t / one:.2f} x one verify ({one / 1e3:.0f} us)")

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
    if (root / "block_64" / "pre_verified").exists():
        pre = mean_ns("block_64", "pre_verified")
        print(f"block_64/pre_verified: {pre / 1e6:.3f} ms = {pre / blk:.4f} x block_verifier")
    print(f"Granite predicate throughput: {gas / blk * 1e3:.0f} Mgas/s (one by one: {gas / one * 1e3:.0f} Mgas/s)")

# benches/precompile.rs: whole transactions through revm against revm's identity precompile.
if (root / "precompile_1k").exists():
    base = mean_ns("precompile_1k", "identity")
    print(f"precompile_1k/identity (mainnet EVM, 1 KiB): {base / 1e3:.2f} us")
    for name in ("identity_warp_evm", "get_verified_warp_message", "send_warp_message"):
        t = mean_ns("precompile_1k", name)
        print(f"precompile_1k/{name}: {t / 1e3:.2f} us = {t / base:.2f} x identity")
if (root / "read_loop").exists():
    base = mean_ns("read_loop", "get_blockchain_id")
    t = mean_ns("read_loop", "get_verified_warp_message_oob")
    print(f"read_loop/get_blockchain_id (15M gas of zero-gas calls, 124 KB predicate): {base / 1e6:.2f} ms")
    print(f"read_loop/get_verified_warp_message_oob: {t / 1e6:.2f} ms = {t / base:.2f} x get_blockchain_id")

# benches/economics.rs: worst-case CPU per gas, per schedule.
econ = root / "economics"
if (econ / "gas.json").exists():
    meta = json.loads((econ / "gas.json").read_text())
    gas, counts = meta["gas"], meta["predicates"]
    schedules = ["acp30", "pre_granite", "granite"]
    base = mean_ns("economics", "baseline/blst_single")
    print(f"\neconomics (baseline blst_single {base / 1e3:.0f} us); Mgas/s = 1000 / (ns per gas)")
    print(f"{'case':<28}{'us/predicate':>13}{'x blst':>8}" + "".join(f"{s:>14}" for s in schedules))
    worst = {}  # (schedule, cores) -> (mgas, case)

    def row(label, ns, n, g, cores):
        cells = []
        for s in schedules:
            mgas = g[s] / ns * 1e3
            cells.append(f"{mgas:>9.0f} Mgas")
            key = (s, cores)
            if key not in worst or mgas < worst[key][0]:
                worst[key] = (mgas, label)
        print(f"{label:<28}{ns / n / 1e3:>13.1f}{ns / n / base:>8.2f}" + "".join(f"{c:>14}" for c in cells))

    for case, n in counts.items():
        for mode, cores in (("seq", 1), ("batch_1t", 1), ("batch_2t", 2)):
            if (econ / f"{case}_{mode}" / "new").exists():
                row(f"{case}/{mode}", mean_ns("economics", f"{case}/{mode}"), n, gas[case], cores)
    for call in ("read_largest", "read_missing", "blockchain_id", "send_largest"):
        if (econ / f"{call}_core" / "new").exists():
            ns = mean_ns("economics", f"{call}/core")
            row(f"{call}/core", ns, 1, gas[call], 0)
            with_call = {s: g + 100 for s, g in gas[call].items()}
            row(f"{call}/core+CALL(100)", ns, 1, with_call, -1)
    for cores, label in ((1, "predicates, one core"), (2, "predicates, both cores"), (-1, "precompile calls (+100 gas CALL)")):
        for s in schedules:
            if (s, cores) in worst:
                mgas, case = worst[(s, cores)]
                verdict = "above" if mgas >= 100 else "BELOW"
                print(f"worst {label:<34} {s:<12} {mgas:>7.0f} Mgas/s ({case}): {verdict} 100 Mgas/s")
