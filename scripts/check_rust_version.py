#!/usr/bin/env python3
"""Checks that every workspace crate's `rust-version` is what actually builds it.

For each member, the highest `rust-version` declared anywhere in its normal and
build dependency closure (all features on, as `cargo metadata` resolves the
workspace) must not exceed the member's own, and the running `rustc` must be at
least the member's. Prints one line per crate; exits 1 on a mismatch.
"""
import json
import re
import subprocess
import sys


def version(text):
    parts = [int(p) for p in text.split(".")]
    return tuple(parts + [0] * (3 - len(parts)))


def show(v):
    return ".".join(str(p) for p in v)


meta = json.loads(
    subprocess.check_output(["cargo", "metadata", "--format-version", "1", "--all-features", "--locked"])
)
packages = {p["id"]: p for p in meta["packages"]}
members = set(meta["workspace_members"])
nodes = {n["id"]: n for n in meta["resolve"]["nodes"]}
rustc = re.search(r"rustc (\d+\.\d+\.\d+)", subprocess.check_output(["rustc", "--version"], text=True))
rustc = version(rustc.group(1))

failed = False
for member in sorted(members, key=lambda i: packages[i]["name"]):
    declared = packages[member].get("rust_version")
    seen, stack, needed, by = set(), [member], (0, 0, 0), None
    while stack:
        node = nodes[stack.pop()]
        for dep in node["deps"]:
            kinds = {k["kind"] for k in dep["dep_kinds"]}
            if not kinds & {None, "build"} or dep["pkg"] in seen:
                continue
            seen.add(dep["pkg"])
            stack.append(dep["pkg"])
            rv = packages[dep["pkg"]].get("rust_version")
            if rv and dep["pkg"] not in members and version(rv) > needed:
                needed, by = version(rv), packages[dep["pkg"]]["name"]
    name = packages[member]["name"]
    if declared is None:
        print(f"{name}: no rust-version declared (its dependencies need {show(needed)})")
        failed = True
        continue
    ok = version(declared) >= needed and rustc >= version(declared)
    failed |= not ok
    verdict = "ok" if ok else "MISMATCH"
    print(f"{name}: rust-version {declared}, dependencies need {show(needed)} ({by}), rustc {show(rustc)}: {verdict}")
sys.exit(1 if failed else 0)
