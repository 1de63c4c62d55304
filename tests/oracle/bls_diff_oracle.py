"""Independent BLS oracle for the randomized differential test `tests/differential.rs`.

Uses py_ecc's ``G2ProofOfPossession`` (pure Python; min-pk with the DSTs
``BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_`` for signatures and
``BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_`` for proofs of possession) to
recompute what the Rust side computes with blst, and to give its own verdicts
on verification checks the Rust side chose (positive and negative).

Request on stdin (hex strings without ``0x``)::

    {"cases": [{
        "keys": [{"sk": hex32, "ikm": hex or null}, ...],
        "message": hex,
        "signers": [key index, ...],          # non-empty, distinct
        "checks": [
            {"op": "verify", "pk": hex48, "msg": hex, "sig": hex96},
            {"op": "fast_aggregate_verify", "pks": [hex48, ...], "msg": hex, "sig": hex96},
            {"op": "pop_verify", "pk": hex48, "proof": hex96},
            ...
        ]}, ...]}

Response on stdout::

    {"cases": [{
        "keys": [{"keygen_sk": hex32 or null, "public_key": hex48,
                  "signature": hex96, "proof_of_possession": hex96}, ...],
        "pop_dst_signature": hex96,           # key 0 signs the message with the PoP DST
        "aggregate_signature": hex96,         # over the signers' signatures
        "aggregate_signature_with_infinity": hex96,  # the same plus the infinity point
        "aggregate_public_key": hex48,        # over the signers' public keys
        "verdicts": [bool, ...]}, ...]}       # one per check, in order

``keygen_sk`` is py_ecc's ``KeyGen(ikm)`` (IETF KeyGen, empty key_info) when an
``ikm`` was given. Signatures always use ``sk`` as given by the caller.

Exit code 3 means py_ecc is not installed
(``python3 -m pip install -r tests/oracle/requirements.txt``).
"""

import json
import sys

EXIT_IMPORT_FAILED = 3

try:
    from py_ecc.bls import G2ProofOfPossession as bls
except ImportError as err:  # pragma: no cover - environment dependent
    print(f"bls_diff_oracle: cannot import py_ecc: {err}", file=sys.stderr)
    sys.exit(EXIT_IMPORT_FAILED)

INFINITY_SIGNATURE = bytes([0xC0]) + bytes(95)


def unhex(value):
    """Decodes a hex string without prefix."""
    return bytes.fromhex(value)


def check(spec):
    """Evaluates one verification check and returns py_ecc's verdict."""
    op = spec["op"]
    if op == "verify":
        return bool(bls.Verify(unhex(spec["pk"]), unhex(spec["msg"]), unhex(spec["sig"])))
    if op == "fast_aggregate_verify":
        pks = [unhex(pk) for pk in spec["pks"]]
        return bool(bls.FastAggregateVerify(pks, unhex(spec["msg"]), unhex(spec["sig"])))
    if op == "pop_verify":
        return bool(bls.PopVerify(unhex(spec["pk"]), unhex(spec["proof"])))
    raise ValueError(f"unknown check {op!r}")


def run_case(case):
    """Computes keys, signatures, proofs, aggregates and verdicts for one case."""
    message = unhex(case["message"])
    keys = []
    public_keys = []
    signatures = []
    secrets = []
    for key in case["keys"]:
        sk = int.from_bytes(unhex(key["sk"]), "big")
        keygen = None
        if key.get("ikm") is not None:
            keygen = bls.KeyGen(unhex(key["ikm"])).to_bytes(32, "big").hex()
        public_key = bls.SkToPk(sk)
        signature = bls.Sign(sk, message)
        secrets.append(sk)
        public_keys.append(public_key)
        signatures.append(signature)
        keys.append(
            {
                "keygen_sk": keygen,
                "public_key": public_key.hex(),
                "signature": signature.hex(),
                "proof_of_possession": bls.PopProve(sk).hex(),
            }
        )
    signers = case["signers"]
    chosen_signatures = [signatures[i] for i in signers]
    return {
        "keys": keys,
        "pop_dst_signature": bls._CoreSign(secrets[0], message, bls.POP_TAG).hex(),
        "aggregate_signature": bls.Aggregate(chosen_signatures).hex(),
        "aggregate_signature_with_infinity": bls.Aggregate(
            chosen_signatures + [INFINITY_SIGNATURE]
        ).hex(),
        "aggregate_public_key": bls._AggregatePKs([public_keys[i] for i in signers]).hex(),
        "verdicts": [check(spec) for spec in case["checks"]],
    }


def main():
    """Reads the request from stdin and writes the response to stdout."""
    request = json.load(sys.stdin)
    response = {"cases": [run_case(case) for case in request["cases"]]}
    json.dump(response, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
