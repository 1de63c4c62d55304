//! Cross-checks `awm_core::bls` (blst) against an independent implementation: py_ecc's
//! `G2ProofOfPossession`, driven through `tests/oracle/bls_oracle.py`.
//!
//! A few deterministic cases (keys from `SecretKey::from_seed`, messages from empty to an
//! Avalanche-unsigned-message-sized payload) are sent to the oracle; public keys,
//! signatures, proofs of possession and aggregate signatures must be byte-identical, and
//! both sides must accept the aggregate. py_ecc is slow, so the cases are few.
//!
//! Without `python3` or py_ecc the test skips (with a `SKIPPED` line on stderr), except when
//! the `CI` environment variable is set, where it fails.

use std::time::Instant;

use awm_core::bls::{aggregate_public_keys, aggregate_signatures, PublicKey, SecretKey, Signature};
use serde_json::{json, Value};

mod oracle;

/// One cross-check case: the secret keys and the message they all sign.
struct Case {
    keys: Vec<SecretKey>,
    message: Vec<u8>,
}

/// A deterministic 32-byte seed.
fn seed(tag: u8) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = tag.wrapping_mul(151).wrapping_add((i as u8).wrapping_mul(29)) ^ 0x5a;
    }
    out
}

/// A message shaped like an Avalanche `UnsignedMessage`: codec version, network ID, source
/// chain ID, then a length-prefixed payload (an `AddressedCall`-like blob).
fn unsigned_message_like() -> Vec<u8> {
    let mut msg = Vec::new();
    msg.extend_from_slice(&0u16.to_be_bytes()); // codec version
    msg.extend_from_slice(&1u32.to_be_bytes()); // network ID (mainnet)
    msg.extend((0u8..32).map(|i| i.wrapping_mul(7).wrapping_add(3))); // source chain ID
    let payload: Vec<u8> = (0u8..40).map(|i| i ^ 0xa5).collect();
    msg.extend_from_slice(&u32::try_from(payload.len()).unwrap().to_be_bytes());
    msg.extend(payload);
    msg
}

fn cases() -> Vec<Case> {
    let keys = |tags: &[u8]| -> Vec<SecretKey> {
        tags.iter().map(|t| SecretKey::from_seed(&seed(*t)).unwrap()).collect()
    };
    let long: Vec<u8> = (0u16..300).map(|i| (i.wrapping_mul(37) % 251) as u8).collect();
    let cases = vec![
        Case { keys: keys(&[1, 2]), message: Vec::new() },
        Case { keys: keys(&[3, 4, 5]), message: unsigned_message_like() },
        Case { keys: keys(&[6, 7]), message: long },
    ];
    assert!(cases[1].message.len() >= 60, "the warp-like message must be 60+ bytes");
    cases
}

fn unhex(value: &Value) -> Vec<u8> {
    hex::decode(value.as_str().expect("hex string")).expect("valid hex")
}

#[test]
fn matches_py_ecc() {
    let cases = cases();
    let request = json!({
        "cases": cases
            .iter()
            .map(|c| json!({
                "secret_keys": c.keys.iter().map(|k| hex::encode(k.to_bytes())).collect::<Vec<_>>(),
                "message": hex::encode(&c.message),
            }))
            .collect::<Vec<_>>(),
    });

    let started = Instant::now();
    let Some(response) = oracle::run("bls_oracle.py", &request) else { return };
    eprintln!("py_ecc oracle took {:.2?} for {} cases", started.elapsed(), cases.len());

    let answers = response["cases"].as_array().expect("cases array");
    assert_eq!(answers.len(), cases.len(), "one answer per case");
    let mut checked_keys = 0;
    for (n, (case, answer)) in cases.iter().zip(answers).enumerate() {
        let keys = answer["keys"].as_array().expect("keys array");
        assert_eq!(keys.len(), case.keys.len(), "case {n}: one answer per key");

        let mut public_keys = Vec::new();
        let mut signatures = Vec::new();
        for (i, (sk, theirs)) in case.keys.iter().zip(keys).enumerate() {
            let pk = sk.public_key();
            let sig = sk.sign(&case.message);
            let pop = sk.proof_of_possession();

            assert_eq!(
                hex::encode(pk.to_compressed()),
                hex::encode(unhex(&theirs["public_key"])),
                "case {n} key {i}: public key"
            );
            assert_eq!(
                hex::encode(sig.to_bytes()),
                hex::encode(unhex(&theirs["signature"])),
                "case {n} key {i}: signature"
            );
            assert_eq!(
                hex::encode(pop.to_bytes()),
                hex::encode(unhex(&theirs["proof_of_possession"])),
                "case {n} key {i}: proof of possession"
            );

            // py_ecc's encodings parse back to the same values through our API.
            let their_pk = PublicKey::from_compressed(&unhex(&theirs["public_key"])).unwrap();
            let their_sig = Signature::from_bytes(&unhex(&theirs["signature"])).unwrap();
            let their_pop = Signature::from_bytes(&unhex(&theirs["proof_of_possession"])).unwrap();
            assert_eq!(their_pk, pk, "case {n} key {i}: parsed public key");
            assert!(their_pk.verify(&case.message, &their_sig), "case {n} key {i}: verify");
            assert!(their_pk.verify_proof_of_possession(&their_pop), "case {n} key {i}: PoP");
            assert!(
                !their_pk.verify_proof_of_possession(&their_sig),
                "case {n} key {i}: a signature is not a PoP"
            );

            public_keys.push(pk);
            signatures.push(sig);
            checked_keys += 1;
        }

        let aggregate = aggregate_signatures(&signatures).unwrap();
        assert_eq!(
            hex::encode(aggregate.to_bytes()),
            hex::encode(unhex(&answer["aggregate_signature"])),
            "case {n}: aggregate signature"
        );
        assert_eq!(
            answer["aggregate_verifies"],
            Value::Bool(true),
            "case {n}: py_ecc FastAggregateVerify rejected the aggregate"
        );
        let aggregate_pk = aggregate_public_keys(&public_keys).unwrap();
        assert!(aggregate_pk.verify(&case.message, &aggregate), "case {n}: our aggregate verify");

        let mut tampered = case.message.clone();
        match tampered.last_mut() {
            Some(last) => *last ^= 0x01,
            None => tampered.push(0),
        }
        assert!(
            !aggregate_pk.verify(&tampered, &aggregate),
            "case {n}: aggregate verified a tampered message"
        );
        assert!(
            !public_keys[0].verify(&tampered, &signatures[0]),
            "case {n}: signature verified a tampered message"
        );
    }
    assert_eq!(checked_keys, 7, "every key of every case was compared");
}
