#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets into fuzz/seeds/<target>/.

Deterministic, standard library only: every seed is built here from the byte
layouts of shared/spec/awm-reference.md (the Go repositories' vectors where
there are some), so the fuzzers start from inputs that reach deep into each
parser. Run from anywhere: python3 fuzz/seeds.py
"""
import json
import pathlib
import struct

ROOT = pathlib.Path(__file__).resolve().parent / "seeds"

# The five local-network public keys (§10.1) and node IDs.
LOCAL_PKS = [
    "900c9b119b5c82d781d4b49be78c3fc7ae65f2b435b7ed9e3a8b9a03e475edff86d8a64827fec8db23a6f236afbf127d",
    "a058ff27a4c570664bfa28e34939368539a1340867951943d0f56fa8aac13bc09ff64f341acf8cc0cef74202c2d6f9c0",
    "a10b6955a85684a0f5c94b8381f04506f1bee60625927d372323f78b3d30196cc56c8618c77eaf429298e74673d832c3",
    "accd61ceb90c61628aa0fa34acab27ecb08f6897e9ccad283578c278c52109f9e10e4f8bc31aa6d7905c4e1623de367e",
    "8048109c3da13de0700f9f3590c3270bfc42277417f6d0cc84282947e1a1f8b4980fd3e3fe223acf0f56a5838890814a",
]
NODE_IDS = [
    "NodeID-7Xhw2mDxuDS44j42TCB6U5579esbSt3Lg",
    "NodeID-MFrZFVCXPv5iCn6M9K6XduxGTYp891xXZ",
    "NodeID-NFBbbJ4qCmNaCzeW7sxErhvWqvEQMnYcN",
    "NodeID-GWPcbFJZFfZreETSoWjPimr846mXEKCtu",
    "NodeID-P7oB2McjBGgW2NXXWVYjV8JEDFoW9xDE5",
    "NodeID-111111111111111111116DBWJs",
]
INFINITY_SIG = b"\xc0" + bytes(95)
SELECTORS = {"send": 0, "message": 1, "block_hash": 2, "chain_id": 3}


def u16(n):
    return struct.pack(">H", n)


def u32(n):
    return struct.pack(">I", n)


def u64(n):
    return struct.pack(">Q", n)


def blob(b):
    return u32(len(b)) + b


def hash_payload(h):
    return u16(0) + u32(0) + h


def addressed_call(source, payload):
    return u16(0) + u32(1) + blob(source) + blob(payload)


def unsigned(network, chain, payload):
    return u16(0) + u32(network) + chain + blob(payload)


def signed(unsigned_bytes, signers, signature=INFINITY_SIG):
    return unsigned_bytes + u32(0) + blob(signers) + signature


def pack(message):
    padded = message + b"\xff"
    padded += bytes(-len(padded) % 32)
    return padded


def uvarint(n):
    out = b""
    while True:
        byte = n & 0x7F
        n >>= 7
        if n:
            out += bytes([byte | 0x80])
        else:
            return out + bytes([byte])


def pb_bytes(field, data):
    return uvarint(field << 3 | 2) + uvarint(len(data)) + data


def messages():
    chain = bytes(range(32))
    call = addressed_call(bytes.fromhex("01020300000000000000000000000000"), bytes.fromhex("0a0b0c"))
    hsh = hash_payload(bytes([4, 5, 6]) + bytes(29))
    u_call = unsigned(12345, chain, call)
    u_hash = unsigned(1, bytes(32), hsh)
    return {
        "hash_payload": hsh,
        "addressed_call": call,
        "addressed_call_20": addressed_call(bytes([0xAB] * 20), b"hello warp"),
        "addressed_call_empty": addressed_call(b"", b""),
        "unsigned_call": u_call,
        "unsigned_hash": u_hash,
        "signed_call": signed(u_call, b"\x1f"),
        "signed_hash": signed(u_hash, b"\x01\x00"),
        "signed_no_signers": signed(u_call, b""),
        "signed_leading_zero": signed(u_call, b"\x00\x01"),
        "pchain_conversion": u16(0) + u32(0) + bytes([7] * 32),
        "pchain_register": u16(0) + u32(1) + bytes([1] * 32) + blob(bytes([2] * 20))
        + bytes.fromhex(LOCAL_PKS[0]) + u64(1_700_000_000) + u32(1) + u32(1) + bytes([3] * 20)
        + u32(1) + u32(0) + u64(100),
        "pchain_registration": u16(0) + u32(2) + bytes([9] * 32) + b"\x01",
        "pchain_weight": u16(0) + u32(3) + bytes([9] * 32) + u64(5) + u64(1000),
        "acp118_request": uvarint(2) + pb_bytes(1, u_call) + pb_bytes(2, b"why"),
        "acp118_response": pb_bytes(1, INFINITY_SIG),
    }


def predicate_seeds():
    m = messages()
    out = {}
    for pick in range(3):
        out[f"call_{pick}"] = bytes([pick]) + pack(m["signed_call"])
        out[f"hash_{pick}"] = bytes([pick]) + pack(m["signed_hash"])
    out["empty_message"] = b"\x02" + pack(b"")
    out["no_keys"] = b"\x02"
    out["wrong_delimiter"] = b"\x02" + b"\x42" + bytes(31)
    out["excess_padding"] = b"\x02" + b"\xff" * 32 + bytes(32)
    out["leading_zero_signers"] = b"\x02" + pack(m["signed_leading_zero"])
    return out


def results_seeds():
    empty = u16(0) + u32(0)
    one = u16(0) + u32(1) + b"\x01" + bytes(31) + u32(1) + b"\x02" + bytes(19) + blob(b"\x0e")
    two = u16(0) + u32(1) + b"\x01" + bytes(31) + u32(2) + b"\x02" + bytes(19) + blob(b"\x0e") \
        + b"\x03" + bytes(19) + blob(b"\x0f")
    all_valid = u16(0) + u32(2) + bytes(31) + b"\x01" + u32(1) + b"\x02" + bytes(19) + blob(b"") \
        + bytes(31) + b"\x02" + u32(1) + b"\x02" + bytes(19) + blob(b"\x00\x05")
    return {
        "empty": empty,
        "one": one,
        "two_addresses": two,
        "all_valid_and_lenient": all_valid,
        "subnet_evm_extra": bytes(80) + one,
        "fortuna_extra": bytes(24) + two,
    }


def abi_word(n):
    return n.to_bytes(32, "big")


def frame(flags, gas, selector, calldata, failures=b"", predicates=()):
    """`failures=None`: not pre-verified (the length byte 255, no bits)."""
    out = bytes([flags]) + u32(gas) + bytes([selector]) + u16(len(calldata)) + calldata
    out += b"\xff" if failures is None else bytes([len(failures)]) + failures
    for kind, data in predicates:
        out += bytes([kind]) + u16(len(data)) + data
    return out


def precompile_seeds():
    m = messages()
    preds = [(0, m["signed_call"]), (0, m["signed_hash"]), (1, pack(m["signed_call"]))]
    payload = b"a warp payload"
    send = abi_word(32) + abi_word(len(payload)) + payload + bytes(-len(payload) % 32)
    out = {}
    for schedule in range(3):
        out[f"send_{schedule}"] = frame(schedule, 100_000, SELECTORS["send"], send)
        out[f"send_static_{schedule}"] = frame(schedule | 4, 100_000, SELECTORS["send"], send)
        for index in range(4):
            out[f"message_{schedule}_{index}"] = frame(
                schedule, 50_000, SELECTORS["message"], abi_word(index), b"\x02", preds)
            out[f"block_hash_{schedule}_{index}"] = frame(
                schedule, 50_000, SELECTORS["block_hash"], abi_word(index), b"", preds)
        out[f"chain_id_{schedule}"] = frame(schedule, 1_000, SELECTORS["chain_id"], b"")
        out[f"message_unverified_{schedule}"] = frame(
            schedule, 50_000, SELECTORS["message"], abi_word(0), None, preds)
    out["index_2_31"] = frame(2, 50_000, SELECTORS["message"], abi_word(2**31), b"", preds)
    out["index_high_bits"] = frame(2, 50_000, SELECTORS["message"], abi_word(2**32), b"", preds)
    out["delegate"] = frame(2 | (2 << 3) | (0 << 5), 50_000, SELECTORS["chain_id"], b"")
    out["unlimited_send"] = bytes([0x82]) + bytes([SELECTORS["send"]]) + u16(len(send)) + send + b"\x00"
    out["short_selector"] = frame(2, 50_000, 9, b"\xee\x5b")
    out["lenient_offset"] = frame(2, 100_000, SELECTORS["send"], abi_word(64) + abi_word(0) + abi_word(3) + b"abc" + bytes(29))
    return out


def validator_seeds():
    bare = {NODE_IDS[i]: {"publicKey": "0x" + LOCAL_PKS[i], "weight": str(1000 * (i + 1))} for i in range(5)}
    bare[NODE_IDS[5]] = {"publicKey": None, "weight": "500"}
    dup = {NODE_IDS[0]: {"publicKey": "0x" + LOCAL_PKS[0], "weight": "10"},
           NODE_IDS[1]: {"publicKey": "0x" + LOCAL_PKS[0], "weight": "20"}}
    overflow = {NODE_IDS[0]: {"publicKey": "0x" + LOCAL_PKS[0], "weight": str(2**64 - 1)},
                NODE_IDS[1]: {"publicKey": "0x" + LOCAL_PKS[1], "weight": "1"}}
    zero = {NODE_IDS[0]: {"publicKey": "0x" + LOCAL_PKS[0], "weight": "0"}}
    return {
        "bare": json.dumps(bare).encode(),
        "wrapped": json.dumps({"validators": bare}).encode(),
        "rpc": json.dumps({"jsonrpc": "2.0", "result": {"validators": bare}, "id": 1}).encode(),
        "duplicate_keys": json.dumps(dup).encode(),
        "overflow": json.dumps(overflow).encode(),
        "zero_weight": json.dumps(zero).encode(),
        "empty": b"{}",
    }


def main():
    sets = {
        "message_decode": messages(),
        "predicate_gas": predicate_seeds(),
        "results_decode": results_seeds(),
        "precompile_run": precompile_seeds(),
        "validators_json": validator_seeds(),
    }
    for target, seeds in sets.items():
        folder = ROOT / target
        folder.mkdir(parents=True, exist_ok=True)
        for name, data in seeds.items():
            (folder / f"seed-{name}").write_bytes(data)
        print(f"{target}: {len(seeds)} seeds")


if __name__ == "__main__":
    main()
