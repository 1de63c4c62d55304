"""Independent BLS oracle for `tests/bls_cross_check.rs`.

Uses py_ecc (pure Python, ``G2ProofOfPossession``: min-pk, the Ethereum and
Avalanche proof-of-possession ciphersuite with the DSTs
``BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_`` and
``BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_``) to recompute, from the same
secret keys, everything the Rust side computes with blst.

Request on stdin::

    {"cases": [{"secret_keys": ["<32-byte hex>", ...], "message": "<hex>"}, ...]}

Response on stdout::

    {"cases": [{"keys": [{"public_key": hex, "signature": hex,
                          "proof_of_possession": hex}, ...],
                "aggregate_signature": hex,
                "aggregate_verifies": bool}, ...]}

Hex strings carry no ``0x`` prefix. Exit code 3 means py_ecc is not installed
(``python3 -m pip install -r tests/oracle/requirements.txt``); the Rust test
then skips locally and fails in CI.
"""

import json
import sys

EXIT_PY_ECC_MISSING = 3

try:
    from py_ecc.bls import G2ProofOfPossession as bls
except ImportError as err:  # pragma: no cover - environment dependent
    print(f"bls_oracle: cannot import py_ecc: {err}", file=sys.stderr)
    sys.exit(EXIT_PY_ECC_MISSING)


def run_case(case):
    """Computes keys, signatures, proofs and the aggregate for one case."""
    message = bytes.fromhex(case["message"])
    keys = []
    public_keys = []
    signatures = []
    for sk_hex in case["secret_keys"]:
        sk = int.from_bytes(bytes.fromhex(sk_hex), "big")
        public_key = bls.SkToPk(sk)
        signature = bls.Sign(sk, message)
        proof = bls.PopProve(sk)
        public_keys.append(public_key)
        signatures.append(signature)
        keys.append(
            {
                "public_key": public_key.hex(),
                "signature": signature.hex(),
                "proof_of_possession": proof.hex(),
            }
        )
    aggregate = bls.Aggregate(signatures)
    return {
        "keys": keys,
        "aggregate_signature": aggregate.hex(),
        "aggregate_verifies": bool(
            bls.FastAggregateVerify(public_keys, message, aggregate)
        ),
    }


def main():
    """Reads the request from stdin and writes the response to stdout."""
    request = json.load(sys.stdin)
    response = {"cases": [run_case(case) for case in request["cases"]]}
    json.dump(response, sys.stdout)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
