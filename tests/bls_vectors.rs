//! The 104 Ethereum consensus-spec BLS test vectors (`../shared/vectors/bls/<handler>/*.json`),
//! run through the public API of `awm_core::bls` only.
//!
//! Each vector is `{"input": ..., "output": ...}` with `0x`-hex byte strings; `output` is
//! `null` where signing or aggregating must fail and a boolean for the verify and
//! deserialization handlers. Avalanche differs from the vectors in one place: a public key
//! at infinity decodes in `deserialization_G1`, but `PublicKey::from_compressed` rejects it
//! with `BlsError::PublicKeyInfinity`; that exact error counts as "decodes".
//!
//! If the vector directory is missing the tests skip (with a `SKIPPED` line on stderr),
//! except when the `CI` environment variable is set, where they fail.

use std::path::{Path, PathBuf};

use awm_core::bls::{
    aggregate_public_keys, aggregate_signatures, aggregate_verify, hash_to_g2, BlsError, PublicKey,
    SecretKey, Signature,
};
use serde_json::Value;

/// The vector directory, relative to the workspace root.
const VECTORS_DIR: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/vectors/bls");

/// The DST of the RFC 9380 `BLS12381G2_XMD:SHA-256_SSWU_RO_` test vectors used by `hash_to_G2`.
const HASH_TO_G2_DST: &[u8] = b"QUUX-V01-CS02-with-BLS12381G2_XMD:SHA-256_SSWU_RO_";

/// Total number of vectors across all handlers.
const TOTAL_VECTORS: usize = 104;

/// One handler: its directory name and the function that checks one vector.
/// A checker returns `Err(description)` when our result disagrees with the vector.
type Checker = fn(&Value, &Value) -> Result<(), String>;

const HANDLERS: &[(&str, Checker)] = &[
    ("sign", check_sign),
    ("verify", check_verify),
    ("aggregate", check_aggregate),
    ("fast_aggregate_verify", check_fast_aggregate_verify),
    ("aggregate_verify", check_aggregate_verify),
    ("batch_verify", check_batch_verify),
    ("hash_to_G2", check_hash_to_g2),
    ("deserialization_G1", check_deserialization_g1),
    ("deserialization_G2", check_deserialization_g2),
];

/// The vector directory, or `None` (after printing why) when it is absent outside CI.
fn vectors_root() -> Option<PathBuf> {
    let root = Path::new(VECTORS_DIR);
    if root.is_dir() {
        return Some(root.to_path_buf());
    }
    if std::env::var_os("CI").is_some() {
        panic!(
            "BLS test vectors are missing: ../shared/vectors/bls (resolved to {}) does not \
             exist; CI must provide them",
            root.display()
        );
    }
    eprintln!("SKIPPED: ../shared/vectors/bls not found (looked in {})", root.display());
    None
}

/// Loads every `*.json` vector of a handler, sorted by file name. Panics if the handler
/// directory is missing or empty, or a file is not `{"input": .., "output": ..}`.
fn load_handler(root: &Path, handler: &str) -> Vec<(String, Value, Value)> {
    let dir = root.join(handler);
    let entries = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("cannot read handler directory {}: {e}", dir.display()));
    let mut paths: Vec<PathBuf> = entries
        .map(|e| e.expect("directory entry").path())
        .filter(|p| p.extension().is_some_and(|ext| ext == "json"))
        .collect();
    paths.sort();
    assert!(!paths.is_empty(), "handler {handler} has no vectors in {}", dir.display());
    paths
        .into_iter()
        .map(|path| {
            let name = format!("{handler}/{}", path.file_name().unwrap().to_string_lossy());
            let text = std::fs::read_to_string(&path)
                .unwrap_or_else(|e| panic!("cannot read {}: {e}", path.display()));
            let mut value: Value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{name}: invalid JSON: {e}"));
            let object = value.as_object_mut().unwrap_or_else(|| panic!("{name}: not an object"));
            let input = object.remove("input").unwrap_or_else(|| panic!("{name}: no input"));
            let output = object.remove("output").unwrap_or_else(|| panic!("{name}: no output"));
            (name, input, output)
        })
        .collect()
}

/// Runs every vector of one handler and returns how many ran; panics listing every mismatch.
fn run_handler(root: &Path, handler: &str) -> usize {
    let checker = HANDLERS
        .iter()
        .find(|(name, _)| *name == handler)
        .map(|(_, checker)| *checker)
        .unwrap_or_else(|| panic!("unknown handler {handler}"));
    let cases = load_handler(root, handler);
    let failures: Vec<String> = cases
        .iter()
        .filter_map(|(name, input, output)| checker(input, output).err().map(|why| format!("{name}: {why}")))
        .collect();
    assert!(
        failures.is_empty(),
        "{} of {} {handler} vectors failed:\n{}",
        failures.len(),
        cases.len(),
        failures.join("\n")
    );
    cases.len()
}

fn run_one(handler: &str) {
    let Some(root) = vectors_root() else { return };
    let count = run_handler(&root, handler);
    assert!(count >= 1, "handler {handler} ran no vectors");
}

// ---------------------------------------------------------------------------------------
// JSON helpers

fn as_str(value: &Value) -> &str {
    value.as_str().unwrap_or_else(|| panic!("expected a string, got {value}"))
}

fn as_array(value: &Value) -> &Vec<Value> {
    value.as_array().unwrap_or_else(|| panic!("expected an array, got {value}"))
}

fn as_bool(value: &Value) -> bool {
    value.as_bool().unwrap_or_else(|| panic!("expected a boolean, got {value}"))
}

/// Decodes a `0x`-prefixed hex string.
fn unhex(value: &Value) -> Vec<u8> {
    let text = as_str(value);
    let digits = text.strip_prefix("0x").unwrap_or_else(|| panic!("no 0x prefix: {text}"));
    hex::decode(digits).unwrap_or_else(|e| panic!("bad hex {text}: {e}"))
}

fn unhex_all(value: &Value) -> Vec<Vec<u8>> {
    as_array(value).iter().map(unhex).collect()
}

fn expect_bool(what: &str, got: bool, output: &Value) -> Result<(), String> {
    let expected = as_bool(output);
    if got == expected {
        Ok(())
    } else {
        Err(format!("{what}: expected {expected}, got {got}"))
    }
}

// ---------------------------------------------------------------------------------------
// Semantics of each handler, built from `awm_core::bls` only

/// `Verify`: any public key or signature that does not parse makes the result false.
fn verify(pubkey: &[u8], message: &[u8], signature: &[u8]) -> bool {
    let (Ok(pk), Ok(sig)) = (PublicKey::from_compressed(pubkey), Signature::from_bytes(signature)) else {
        return false;
    };
    pk.verify(message, &sig)
}

fn parse_public_keys(pubkeys: &[Vec<u8>]) -> Result<Vec<PublicKey>, BlsError> {
    pubkeys.iter().map(|pk| PublicKey::from_compressed(pk)).collect()
}

/// `FastAggregateVerify`: false for no keys, else verify against the sum of the keys.
fn fast_aggregate_verify(pubkeys: &[Vec<u8>], message: &[u8], signature: &[u8]) -> bool {
    if pubkeys.is_empty() {
        return false;
    }
    let Ok(keys) = parse_public_keys(pubkeys) else { return false };
    let Ok(sig) = Signature::from_bytes(signature) else { return false };
    let Ok(aggregate) = aggregate_public_keys(&keys) else { return false };
    aggregate.verify(message, &sig)
}

fn check_sign(input: &Value, output: &Value) -> Result<(), String> {
    let privkey = unhex(&input["privkey"]);
    let message = unhex(&input["message"]);
    let secret = SecretKey::from_bytes(&privkey);
    if output.is_null() {
        return match secret {
            Err(_) => Ok(()),
            Ok(_) => Err("the secret key must be refused, but it parsed".to_owned()),
        };
    }
    let secret = secret.map_err(|e| format!("secret key refused: {e}"))?;
    let signature = secret.sign(&message);
    let expected = unhex(output);
    if signature.to_bytes().as_slice() != expected.as_slice() {
        return Err(format!(
            "signature mismatch: expected 0x{}, got 0x{}",
            hex::encode(&expected),
            hex::encode(signature.to_bytes())
        ));
    }
    if !secret.public_key().verify(&message, &signature) {
        return Err("our own signature does not verify".to_owned());
    }
    Ok(())
}

fn check_verify(input: &Value, output: &Value) -> Result<(), String> {
    let got = verify(&unhex(&input["pubkey"]), &unhex(&input["message"]), &unhex(&input["signature"]));
    expect_bool("verify", got, output)
}

fn check_aggregate(input: &Value, output: &Value) -> Result<(), String> {
    let parsed: Result<Vec<Signature>, BlsError> =
        unhex_all(input).iter().map(|s| Signature::from_bytes(s)).collect();
    let aggregate = parsed.and_then(|sigs| aggregate_signatures(&sigs));
    match (aggregate, output.is_null()) {
        (Err(_), true) => Ok(()),
        (Ok(sig), true) => Err(format!("aggregation must fail, got 0x{}", hex::encode(sig.to_bytes()))),
        (Err(e), false) => Err(format!("aggregation failed: {e}")),
        (Ok(sig), false) => {
            let expected = unhex(output);
            if sig.to_bytes().as_slice() == expected.as_slice() {
                Ok(())
            } else {
                Err(format!(
                    "aggregate mismatch: expected 0x{}, got 0x{}",
                    hex::encode(&expected),
                    hex::encode(sig.to_bytes())
                ))
            }
        }
    }
}

fn check_fast_aggregate_verify(input: &Value, output: &Value) -> Result<(), String> {
    let got = fast_aggregate_verify(
        &unhex_all(&input["pubkeys"]),
        &unhex(&input["message"]),
        &unhex(&input["signature"]),
    );
    expect_bool("fast_aggregate_verify", got, output)
}

fn check_aggregate_verify(input: &Value, output: &Value) -> Result<(), String> {
    let pubkeys = unhex_all(&input["pubkeys"]);
    let messages = unhex_all(&input["messages"]);
    let signature = unhex(&input["signature"]);
    let got = (|| {
        if pubkeys.len() != messages.len() {
            return false;
        }
        let Ok(keys) = parse_public_keys(&pubkeys) else { return false };
        let Ok(sig) = Signature::from_bytes(&signature) else { return false };
        let pairs: Vec<(PublicKey, &[u8])> =
            keys.into_iter().zip(messages.iter().map(Vec::as_slice)).collect();
        aggregate_verify(&pairs, &sig)
    })();
    expect_bool("aggregate_verify", got, output)
}

fn check_batch_verify(input: &Value, output: &Value) -> Result<(), String> {
    let pubkeys = unhex_all(&input["pubkeys"]);
    let messages = unhex_all(&input["messages"]);
    let signatures = unhex_all(&input["signatures"]);
    let got = !pubkeys.is_empty()
        && pubkeys.len() == messages.len()
        && pubkeys.len() == signatures.len()
        && pubkeys.iter().zip(&messages).zip(&signatures).all(|((pk, msg), sig)| verify(pk, msg, sig));
    expect_bool("batch_verify", got, output)
}

/// Parses `"0x<c0>,0x<c1>"` into `c1 ‖ c0` (blst's uncompressed Fp2 order).
fn fp2_c1_c0(value: &Value) -> Vec<u8> {
    let text = as_str(value);
    let (c0, c1) = text.split_once(',').unwrap_or_else(|| panic!("not an Fp2 pair: {text}"));
    let decode = |part: &str| -> Vec<u8> {
        let digits = part.trim().strip_prefix("0x").unwrap_or_else(|| panic!("no 0x: {part}"));
        let bytes = hex::decode(digits).unwrap_or_else(|e| panic!("bad hex {part}: {e}"));
        assert_eq!(bytes.len(), 48, "Fp element must be 48 bytes: {part}");
        bytes
    };
    let mut out = decode(c1);
    out.extend(decode(c0));
    out
}

fn check_hash_to_g2(input: &Value, output: &Value) -> Result<(), String> {
    // The message is a plain ASCII string, not hex.
    let message = as_str(&input["msg"]).as_bytes();
    let mut expected = fp2_c1_c0(&output["x"]);
    expected.extend(fp2_c1_c0(&output["y"]));
    let got = hash_to_g2(message, HASH_TO_G2_DST);
    if got.as_slice() == expected.as_slice() {
        Ok(())
    } else {
        Err(format!(
            "hash_to_G2({:?}): expected 0x{}, got 0x{}",
            as_str(&input["msg"]),
            hex::encode(&expected),
            hex::encode(got)
        ))
    }
}

fn check_deserialization_g1(input: &Value, output: &Value) -> Result<(), String> {
    let bytes = unhex(&input["pubkey"]);
    let result = PublicKey::from_compressed(&bytes);
    let mut canonical_infinity = [0u8; 48];
    canonical_infinity[0] = 0xc0;
    let is_infinity = bytes.as_slice() == canonical_infinity.as_slice();
    // Avalanche refuses the point at infinity, and only it, with `PublicKeyInfinity`.
    match (&result, is_infinity) {
        (Err(BlsError::PublicKeyInfinity), true) => {}
        (other, true) => {
            return Err(format!("infinity must give Err(PublicKeyInfinity), got {other:?}"));
        }
        (Err(BlsError::PublicKeyInfinity), false) => {
            return Err("PublicKeyInfinity for a key that is not the canonical infinity".to_owned());
        }
        (_, false) => {}
    }
    if let Ok(pk) = &result {
        if pk.to_compressed().as_slice() != bytes.as_slice() {
            return Err("a decoded key does not re-encode to its input".to_owned());
        }
    }
    let decodes = matches!(result, Ok(_) | Err(BlsError::PublicKeyInfinity));
    expect_bool("deserialization_G1", decodes, output)
}

fn check_deserialization_g2(input: &Value, output: &Value) -> Result<(), String> {
    let bytes = unhex(&input["signature"]);
    let result = Signature::from_bytes(&bytes);
    if let Ok(sig) = &result {
        if sig.to_bytes().as_slice() != bytes.as_slice() {
            return Err("a decoded signature does not re-encode to its input".to_owned());
        }
    }
    expect_bool("deserialization_G2", result.is_ok(), output)
}

// ---------------------------------------------------------------------------------------
// Tests

#[test]
fn sign() {
    run_one("sign");
}

#[test]
fn verify_vectors() {
    run_one("verify");
}

#[test]
fn aggregate() {
    run_one("aggregate");
}

#[test]
fn fast_aggregate_verify_vectors() {
    run_one("fast_aggregate_verify");
}

#[test]
fn aggregate_verify_vectors() {
    run_one("aggregate_verify");
}

#[test]
fn batch_verify() {
    run_one("batch_verify");
}

#[test]
fn hash_to_g2_vectors() {
    run_one("hash_to_G2");
}

#[test]
fn deserialization_g1() {
    run_one("deserialization_G1");
}

#[test]
fn deserialization_g2() {
    run_one("deserialization_G2");
}

#[test]
fn all_104_vectors_run() {
    let Some(root) = vectors_root() else { return };
    let mut total = 0;
    let mut counts = Vec::new();
    for (handler, _) in HANDLERS {
        let count = run_handler(&root, handler);
        assert!(count >= 1, "handler {handler} ran no vectors");
        counts.push(format!("{handler}={count}"));
        total += count;
    }
    eprintln!("BLS vectors per handler: {}", counts.join(", "));
    assert_eq!(
        total,
        TOTAL_VECTORS,
        "expected exactly {TOTAL_VECTORS} BLS vectors, ran {total} ({})",
        counts.join(", ")
    );
    // No handler directory beyond the known ones may go unrun.
    let mut on_disk: Vec<String> = std::fs::read_dir(&root)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.path().is_dir())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .collect();
    on_disk.sort();
    let mut known: Vec<String> = HANDLERS.iter().map(|(h, _)| (*h).to_owned()).collect();
    known.sort();
    assert_eq!(on_disk, known, "handler directories on disk differ from the handlers run");
}
