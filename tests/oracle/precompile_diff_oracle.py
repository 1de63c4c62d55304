"""Independent model of the warp precompile's outputs and logs for `tests/differential.rs`.

Rebuilds, from the raw inputs of each call and with eth-abi, keccak and SHA-256
only, what `IWarpMessenger` returns (per the byte-level reference, sections 2,
3, 6.2 and 8): the `AddressedCall` and `UnsignedMessage` bytes of
`sendWarpMessage`, its message ID, its `SendWarpMessage` log; the predicate
unpacking, signed-message and payload parsing behind `getVerifiedWarpMessage`
and `getVerifiedWarpBlockHash`; and `getBlockchainID`.

Request on stdin (hex strings without ``0x``)::

    {"cases": [{
        "network_id": int, "chain": hex32,
        "predicates": [[hex32 storage key, ...], ...],   # the warp tuples, in order
        "failures": [index, ...],                        # failed predicate indices
        "calls": [{"op": "send", "caller": hex20, "payload": hex}
                  | {"op": "message", "index": int}
                  | {"op": "hash", "index": int}
                  | {"op": "id"}, ...]}, ...]}

Response on stdout: {"cases": [{"results": [one object per call]}]} where a
result is one of

* send: ``{"calldata", "output", "log_address", "topics": [3 x hex32], "data"}``,
  or ``{"calldata", "halt": "payload_too_large"}``;
* message / hash: ``{"output", "chunks"}`` (``chunks`` is the storage-key count
  charged for a valid read, null for an invalid one), or
  ``{"halt": "type_mismatch"}``, or ``{"halt": "invalid_predicate", "reason"}``;
* id: ``{"output"}``.

Exit code 3 means eth-abi or eth-hash is not installed
(``python3 -m pip install -r tests/oracle/requirements.txt``).
"""

import hashlib
import json
import struct
import sys

EXIT_IMPORT_FAILED = 3

try:
    from eth_abi import encode
    from eth_hash.auto import keccak
except ImportError as err:  # pragma: no cover - environment dependent
    print(f"precompile_diff_oracle: cannot import eth-abi/eth-hash: {err}", file=sys.stderr)
    sys.exit(EXIT_IMPORT_FAILED)

WARP_ADDRESS = "0200000000000000000000000000000000000005"
MAX_PAYLOAD_SIZE = 24 * 1024
CODEC_VERSION = b"\x00\x00"
HASH_TYPE_ID = 0
ADDRESSED_CALL_TYPE_ID = 1
BIT_SET_SIGNATURE_TYPE_ID = 0
ZERO_ADDRESS = "0x" + "00" * 20

MESSAGE_RETURN = ["(bytes32,address,bytes)", "bool"]
BLOCK_HASH_RETURN = ["(bytes32,bytes32)", "bool"]


class ParseError(Exception):
    """The predicate or the message in it does not parse."""


class Reader:
    """Reads avalanchego codec fields from a byte string."""

    def __init__(self, data):
        self.data = data
        self.pos = 0

    def take(self, n):
        """The next n bytes."""
        if self.pos + n > len(self.data):
            raise ParseError(f"need {n} bytes at {self.pos}, have {len(self.data) - self.pos}")
        out = self.data[self.pos : self.pos + n]
        self.pos += n
        return out

    def u16(self):
        """A big-endian u16."""
        return struct.unpack(">H", self.take(2))[0]

    def u32(self):
        """A big-endian u32."""
        return struct.unpack(">I", self.take(4))[0]

    def var_bytes(self):
        """A u32-length-prefixed byte slice."""
        return self.take(self.u32())

    def finish(self):
        """Requires every byte to be consumed."""
        if self.pos != len(self.data):
            raise ParseError(f"{len(self.data) - self.pos} trailing bytes")


def selector(signature):
    """The 4-byte function selector."""
    return keccak(signature.encode())[:4]


def address_hex(raw20):
    """An eth-abi address argument from 20 raw bytes."""
    return "0x" + raw20.hex()


def unpack_predicate(keys):
    """Section 6.2: concatenate, strip trailing zeros, check the chunk count and delimiter."""
    data = b"".join(keys)
    trimmed = data.rstrip(b"\x00")
    if not trimmed:
        raise ParseError("missing delimiter")
    if (len(trimmed) + 31) // 32 != len(keys):
        raise ParseError("excess padding")
    if trimmed[-1] != 0xFF:
        raise ParseError("wrong delimiter")
    return trimmed[:-1]


def parse_signed_message(data):
    """Section 2.3: returns (network_id, source_chain_id, payload)."""
    reader = Reader(data)
    if reader.u16() != 0:
        raise ParseError("unknown codec version")
    network_id = reader.u32()
    source_chain = reader.take(32)
    payload = reader.var_bytes()
    if reader.u32() != BIT_SET_SIGNATURE_TYPE_ID:
        raise ParseError("unknown signature type")
    reader.var_bytes()  # signers
    reader.take(96)  # aggregate signature
    reader.finish()
    return network_id, source_chain, payload


def parse_payload(blob):
    """Section 3: ("hash", hash32) or ("call", source_address, payload)."""
    if len(blob) > MAX_PAYLOAD_SIZE:
        raise ParseError("payload too large")
    reader = Reader(blob)
    if reader.u16() != 0:
        raise ParseError("unknown payload codec version")
    type_id = reader.u32()
    if type_id == HASH_TYPE_ID:
        value = ("hash", reader.take(32))
    elif type_id == ADDRESSED_CALL_TYPE_ID:
        source = reader.var_bytes()
        value = ("call", source, reader.var_bytes())
    else:
        raise ParseError(f"unknown payload type {type_id}")
    reader.finish()
    return value


def bytes_to_address(raw):
    """go-ethereum's common.BytesToAddress: last 20 bytes, left-padded with zeros."""
    return raw[-20:].rjust(20, b"\x00")


def send(case, call):
    """sendWarpMessage(bytes) from `caller` on this chain."""
    caller = bytes.fromhex(call["caller"])
    payload = bytes.fromhex(call["payload"])
    calldata = selector("sendWarpMessage(bytes)") + encode(["bytes"], [payload])
    addressed_call = (
        CODEC_VERSION
        + struct.pack(">I", ADDRESSED_CALL_TYPE_ID)
        + struct.pack(">I", len(caller))
        + caller
        + struct.pack(">I", len(payload))
        + payload
    )
    if len(addressed_call) > MAX_PAYLOAD_SIZE:
        return {"calldata": calldata.hex(), "halt": "payload_too_large"}
    unsigned = (
        CODEC_VERSION
        + struct.pack(">I", case["network_id"])
        + bytes.fromhex(case["chain"])
        + struct.pack(">I", len(addressed_call))
        + addressed_call
    )
    message_id = hashlib.sha256(unsigned).digest()
    return {
        "calldata": calldata.hex(),
        "output": encode(["bytes32"], [message_id]).hex(),
        "log_address": WARP_ADDRESS,
        "topics": [
            keccak(b"SendWarpMessage(address,bytes32,bytes)").hex(),
            encode(["address"], [address_hex(caller)]).hex(),
            message_id.hex(),
        ],
        "data": encode(["bytes"], [unsigned]).hex(),
    }


def read(case, call):
    """getVerifiedWarpMessage / getVerifiedWarpBlockHash at `index`."""
    want_message = call["op"] == "message"
    index = call["index"]
    predicates = case["predicates"]
    if index >= len(predicates) or index in case["failures"]:
        if want_message:
            value = encode(MESSAGE_RETURN, [(bytes(32), ZERO_ADDRESS, b""), False])
        else:
            value = encode(BLOCK_HASH_RETURN, [(bytes(32), bytes(32)), False])
        return {"output": value.hex(), "chunks": None}
    keys = [bytes.fromhex(k) for k in predicates[index]]
    try:
        _, source_chain, blob = parse_signed_message(unpack_predicate(keys))
        payload = parse_payload(blob)
    except ParseError as err:
        return {"halt": "invalid_predicate", "reason": str(err)}
    if want_message and payload[0] == "call":
        sender = address_hex(bytes_to_address(payload[1]))
        value = encode(MESSAGE_RETURN, [(source_chain, sender, payload[2]), True])
    elif not want_message and payload[0] == "hash":
        value = encode(BLOCK_HASH_RETURN, [(source_chain, payload[1]), True])
    else:
        return {"halt": "type_mismatch"}
    return {"output": value.hex(), "chunks": len(keys)}


def run_call(case, call):
    """Dispatches one call."""
    op = call["op"]
    if op == "send":
        return send(case, call)
    if op in ("message", "hash"):
        return read(case, call)
    if op == "id":
        return {"output": encode(["bytes32"], [bytes.fromhex(case["chain"])]).hex()}
    raise ValueError(f"unknown call {op!r}")


def main():
    """Reads the request from stdin and writes the response to stdout."""
    request = json.load(sys.stdin)
    response = {
        "cases": [
            {"results": [run_call(case, call) for call in case["calls"]]}
            for case in request["cases"]
        ]
    }
    json.dump(response, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
