#!/usr/bin/env python3
"""Independent ABI encoder for the warp precompile's outputs and logs (eth-abi).

Reads a JSON list of cases on stdin and writes a JSON list of hex results:
  {"kind": "message", "chain": hex32, "sender": hex20, "payload": hex}  -> (tuple(bytes32,address,bytes), bool true)
  {"kind": "block_hash", "chain": hex32, "hash": hex32}                  -> (tuple(bytes32,bytes32), bool true)
  {"kind": "invalid_message"} / {"kind": "invalid_block_hash"}          -> the zero struct with false
  {"kind": "bytes32", "value": hex32}                                   -> abi.encode(bytes32)
  {"kind": "log", "sender": hex20, "id": hex32, "message": hex}         -> topic0, topic1, topic2 and data
  {"kind": "selector", "signature": "f(uint32)"}                        -> the 4-byte selector
Exit code 3 when eth-abi is missing.
"""
import json
import sys

try:
    from eth_abi import encode
    from eth_hash.auto import keccak
except ImportError:
    sys.exit(3)


def b(h):
    return bytes.fromhex(h[2:] if h.startswith("0x") else h)


def one(case):
    kind = case["kind"]
    if kind == "message":
        value = encode(
            ["(bytes32,address,bytes)", "bool"],
            [(b(case["chain"]), "0x" + case["sender"].removeprefix("0x"), b(case["payload"])), True],
        )
    elif kind == "block_hash":
        value = encode(["(bytes32,bytes32)", "bool"], [(b(case["chain"]), b(case["hash"])), True])
    elif kind == "invalid_message":
        value = encode(["(bytes32,address,bytes)", "bool"], [(bytes(32), "0x" + "00" * 20, b""), False])
    elif kind == "invalid_block_hash":
        value = encode(["(bytes32,bytes32)", "bool"], [(bytes(32), bytes(32)), False])
    elif kind == "bytes32":
        value = encode(["bytes32"], [b(case["value"])])
    elif kind == "selector":
        value = keccak(case["signature"].encode())[:4]
    elif kind == "log":
        topic0 = keccak(b"SendWarpMessage(address,bytes32,bytes)")
        topic1 = encode(["address"], ["0x" + case["sender"].removeprefix("0x")])
        value = topic0 + topic1 + b(case["id"]) + encode(["bytes"], [b(case["message"])])
    else:
        raise ValueError(kind)
    return value.hex()


print(json.dumps([one(c) for c in json.load(sys.stdin)]))
