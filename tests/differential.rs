//! Randomized differential tests against independent implementations.
//!
//! - `bls_matches_py_ecc`: `awm::core::bls` (blst) against py_ecc's `G2ProofOfPossession`
//!   (`tests/oracle/bls_diff_oracle.py`). Random secret keys (IETF `KeyGen` from random
//!   seeds, random scalars, the edge scalars 1 and r − 1), random messages (one of them a
//!   real Avalanche `UnsignedMessage`) and random signer subsets. Public keys, `KeyGen`
//!   output, signatures, proofs of possession, PoP-DST signatures, aggregate signatures
//!   (also with the infinity point added) and aggregate public keys must be byte-identical;
//!   verification verdicts, positive and negative (wrong message, wrong key, an aggregate
//!   missing a signer, PoP-DST signatures checked as signatures and the reverse, the
//!   infinity signature), must agree both ways: Rust checks py_ecc's values and py_ecc
//!   checks Rust's.
//! - `precompile_matches_eth_abi`: the precompile core `awm::precompile::run` against an
//!   independent Python model built on eth-abi, keccak and SHA-256
//!   (`tests/oracle/precompile_diff_oracle.py`). Random chains, callers and payloads for
//!   `sendWarpMessage` (return value, log address, topics and data), random signed messages
//!   packed into predicates with random failure bits for `getVerifiedWarpMessage` and
//!   `getVerifiedWarpBlockHash` (valid, failed, missing and type-mismatched reads), and
//!   `getBlockchainID`. Gas is checked against the schedule's formulas on the way.
//!
//! Every run draws a fresh seed, printed first; `AWM_DIFF_SEED=N` replays run N.
//! Without `python3` or the oracle's packages a test prints a `SKIPPED` line and returns,
//! except when `CI` is set, where it fails.

use std::time::{Instant, SystemTime, UNIX_EPOCH};

use alloy_sol_types::SolCall;
use awm::core::bls::{
    aggregate_public_keys, aggregate_signatures, PublicKey, SecretKey, Signature, DST_PROOF_OF_POSSESSION,
};
use awm::core::{AddressedCall, BitSetSignature, Hash, Id, Message, SignerBitSet, UnsignedMessage};
use awm::precompile::{
    run, CallScheme, ChainConstants, DelegatePolicy, IWarpMessenger, WarpCall, WarpEnv, WarpHalt,
    WarpOutcome, WarpOutput,
};
use awm::predicate::{pack, Address, FailureBits, GasSchedule, WarpPredicates, B256};
use serde_json::{json, Value};

mod oracle;

/// `0xc0` then 95 zero bytes: the compressed G2 point at infinity.
const INFINITY_SIGNATURE: [u8; 96] = {
    let mut s = [0u8; 96];
    s[0] = 0xc0;
    s
};

/// r − 1, the largest valid secret scalar (big endian).
const R_MINUS_ONE: &str = "73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000000";

/// The largest `sendWarpMessage` payload: 24,576 − (2 + 4 + 4 + 20 + 4).
const MAX_SEND_PAYLOAD: usize = 24_542;

// ---------------------------------------------------------------------------------------
// Seed, PRNG and oracle plumbing.

/// The run's seed: `AWM_DIFF_SEED` if set, the clock otherwise. Printed first.
fn seed() -> u64 {
    let seed = match std::env::var("AWM_DIFF_SEED") {
        Ok(text) => text
            .trim()
            .parse()
            .unwrap_or_else(|_| panic!("AWM_DIFF_SEED must be an unsigned 64-bit integer, got {text:?}")),
        Err(_) => {
            let nanos = SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_nanos()).unwrap_or(0);
            (nanos as u64) ^ u64::from(std::process::id()).rotate_left(40)
        }
    };
    eprintln!("differential seed: {seed} (set AWM_DIFF_SEED={seed} to replay)");
    seed
}

/// splitmix64: small, fast and good enough to draw test cases.
struct Rng(u64);

impl Rng {
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in `0..n` (`n > 0`; the modulo bias is irrelevant here).
    fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// Uniform in `lo..=hi`.
    fn range(&mut self, lo: usize, hi: usize) -> usize {
        lo + self.below(hi - lo + 1)
    }

    /// True with probability `num / den`.
    fn chance(&mut self, num: usize, den: usize) -> bool {
        self.below(den) < num
    }

    fn bytes(&mut self, len: usize) -> Vec<u8> {
        (0..len).map(|_| self.next_u64() as u8).collect()
    }

    fn array<const N: usize>(&mut self) -> [u8; N] {
        let mut out = [0u8; N];
        out.iter_mut().for_each(|b| *b = self.next_u64() as u8);
        out
    }

    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len())]
    }
}

fn unhex(value: &Value) -> Vec<u8> {
    hex::decode(value.as_str().unwrap_or_else(|| panic!("expected a hex string, got {value}")))
        .expect("valid hex")
}

// ---------------------------------------------------------------------------------------
// BLS against py_ecc.

/// A secret key and how it was drawn.
struct Key {
    sk: SecretKey,
    /// The `KeyGen` input keying material, for keys from `SecretKey::from_seed`.
    ikm: Option<Vec<u8>>,
    /// The scalar 1 or r − 1 (at most one per case, so no aggregate key is infinity).
    edge: bool,
    origin: String,
}

fn random_key(rng: &mut Rng, allow_edge: bool) -> Key {
    match rng.below(8) {
        0 if allow_edge => {
            let bytes = if rng.chance(1, 2) {
                let mut one = [0u8; 32];
                one[31] = 1;
                one.to_vec()
            } else {
                hex::decode(R_MINUS_ONE).unwrap()
            };
            let sk = SecretKey::from_bytes(&bytes).expect("edge scalar is a valid key");
            Key { sk, ikm: None, edge: true, origin: format!("from_bytes(0x{})", hex::encode(&bytes)) }
        }
        0..=4 => {
            let len = rng.range(32, 64);
            let ikm = rng.bytes(len);
            let sk = SecretKey::from_seed(&ikm).expect("32+ bytes of keying material");
            Key { origin: format!("from_seed(0x{})", hex::encode(&ikm)), sk, ikm: Some(ikm), edge: false }
        }
        _ => loop {
            let mut bytes = rng.array::<32>();
            bytes[0] &= 0x7f;
            if let Ok(sk) = SecretKey::from_bytes(&bytes) {
                let origin = format!("from_bytes(0x{})", hex::encode(bytes));
                break Key { sk, ikm: None, edge: false, origin };
            }
        },
    }
}

/// A message of random length, favouring lengths at chunk and hash-block boundaries.
fn random_message(rng: &mut Rng) -> Vec<u8> {
    let len = if rng.chance(1, 4) {
        *rng.pick(&[0usize, 1, 31, 32, 33, 55, 56, 64, 255, 256, 600])
    } else {
        rng.range(0, 600)
    };
    rng.bytes(len)
}

/// A real Avalanche unsigned message carrying an `AddressedCall` or a `Hash`.
fn random_unsigned_message(rng: &mut Rng) -> Vec<u8> {
    let network_id = if rng.chance(1, 2) { *rng.pick(&[1u32, 5, 10, 12345]) } else { rng.next_u64() as u32 };
    let payload = if rng.chance(2, 3) {
        let len = rng.range(0, 500);
        AddressedCall::new(rng.bytes(20), rng.bytes(len)).unwrap().to_bytes()
    } else {
        Hash { hash: Id(rng.array()) }.to_bytes()
    };
    UnsignedMessage::new(network_id, Id(rng.array()), payload).unwrap().to_bytes()
}

/// A verification both sides evaluate.
#[derive(Clone)]
enum Check {
    Verify { pk: [u8; 48], msg: Vec<u8>, sig: [u8; 96] },
    FastAggregateVerify { pks: Vec<[u8; 48]>, msg: Vec<u8>, sig: [u8; 96] },
    PopVerify { pk: [u8; 48], proof: [u8; 96] },
}

impl Check {
    fn to_json(&self) -> Value {
        match self {
            Check::Verify { pk, msg, sig } => {
                json!({"op": "verify", "pk": hex::encode(pk), "msg": hex::encode(msg), "sig": hex::encode(sig)})
            }
            Check::FastAggregateVerify { pks, msg, sig } => json!({
                "op": "fast_aggregate_verify",
                "pks": pks.iter().map(hex::encode).collect::<Vec<_>>(),
                "msg": hex::encode(msg),
                "sig": hex::encode(sig),
            }),
            Check::PopVerify { pk, proof } => {
                json!({"op": "pop_verify", "pk": hex::encode(pk), "proof": hex::encode(proof)})
            }
        }
    }

    /// Our verdict, through the public API only (every input here parses).
    fn rust_verdict(&self) -> bool {
        let pk = |b: &[u8; 48]| PublicKey::from_compressed(b).expect("check public key parses");
        let sig = |b: &[u8; 96]| Signature::from_bytes(b).expect("check signature parses");
        match self {
            Check::Verify { pk: p, msg, sig: s } => pk(p).verify(msg, &sig(s)),
            Check::FastAggregateVerify { pks, msg, sig: s } => {
                let keys: Vec<PublicKey> = pks.iter().map(pk).collect();
                aggregate_public_keys(&keys).expect("non-empty key list").verify(msg, &sig(s))
            }
            Check::PopVerify { pk: p, proof } => pk(p).verify_proof_of_possession(&sig(proof)),
        }
    }
}

/// One check with what it means, what it must return, and whether py_ecc evaluates it.
struct LabeledCheck {
    kind: &'static str,
    key: Option<usize>,
    check: Check,
    expected: bool,
    to_python: bool,
}

/// One BLS case: keys, a message, the aggregating subset, and everything Rust computed.
struct BlsCase {
    keys: Vec<Key>,
    message: Vec<u8>,
    signers: Vec<usize>,
    pks: Vec<[u8; 48]>,
    sigs: Vec<[u8; 96]>,
    pops: Vec<[u8; 96]>,
    pop_dst_sig: [u8; 96],
    aggregate: [u8; 96],
    aggregate_with_infinity: [u8; 96],
    aggregate_pk: [u8; 48],
    checks: Vec<LabeledCheck>,
}

impl BlsCase {
    fn context(&self, seed: u64, case: usize, key: Option<usize>) -> String {
        let key = match key {
            Some(i) => format!(", key {i} = {}", self.keys[i].origin),
            None => String::new(),
        };
        format!(
            "seed {seed}, case {case}{key}, signers {:?}, message ({} bytes) 0x{}",
            self.signers,
            self.message.len(),
            hex::encode(&self.message)
        )
    }
}

fn build_bls_case(rng: &mut Rng, message: Vec<u8>, key_count: usize, min_signers: usize) -> BlsCase {
    let mut keys = Vec::with_capacity(key_count);
    let mut edge_used = false;
    while keys.len() < key_count {
        let key = random_key(rng, !edge_used);
        edge_used |= key.edge;
        keys.push(key);
    }
    let mut signers: Vec<usize> = (0..key_count).filter(|_| rng.chance(1, 2)).collect();
    while signers.len() < min_signers.max(1) {
        let i = rng.below(key_count);
        if !signers.contains(&i) {
            signers.push(i);
        }
    }
    signers.sort_unstable();

    let public: Vec<PublicKey> = keys.iter().map(|k| k.sk.public_key()).collect();
    let signatures: Vec<Signature> = keys.iter().map(|k| k.sk.sign(&message)).collect();
    let pks: Vec<[u8; 48]> = public.iter().map(|p| p.to_compressed()).collect();
    let sigs: Vec<[u8; 96]> = signatures.iter().map(|s| s.to_bytes()).collect();
    let pops: Vec<[u8; 96]> = keys.iter().map(|k| k.sk.proof_of_possession().to_bytes()).collect();
    // Key 0 signs the message with the PoP DST (blst directly: our API only signs keys with it).
    let pop_dst_sig = blst::min_pk::SecretKey::from_bytes(&keys[0].sk.to_bytes())
        .unwrap()
        .sign(&message, DST_PROOF_OF_POSSESSION, &[])
        .compress();

    let chosen_sigs: Vec<Signature> = signers.iter().map(|&i| signatures[i]).collect();
    let chosen_pks: Vec<PublicKey> = signers.iter().map(|&i| public[i]).collect();
    let aggregate = aggregate_signatures(&chosen_sigs).unwrap().to_bytes();
    let infinity = Signature::from_bytes(&INFINITY_SIGNATURE).expect("infinity parses (§4)");
    let aggregate_with_infinity =
        aggregate_signatures(&[chosen_sigs.clone(), vec![infinity]].concat()).unwrap().to_bytes();
    let aggregate_pk = aggregate_public_keys(&chosen_pks).unwrap().to_compressed();
    let signer_pks: Vec<[u8; 48]> = signers.iter().map(|&i| pks[i]).collect();

    let mut tampered = message.clone();
    if tampered.is_empty() {
        tampered.push(rng.next_u64() as u8);
    } else {
        let at = rng.below(tampered.len());
        tampered[at] ^= 1 << rng.below(8);
    }
    let outsider = random_key(rng, false).sk.public_key().to_compressed();

    let mut checks = Vec::new();
    let mut add = |kind, key, check, expected| {
        checks.push(LabeledCheck { kind, key, check, expected, to_python: false });
    };
    for i in 0..key_count {
        let other = if key_count > 1 { pks[(i + 1) % key_count] } else { outsider };
        let m = message.clone();
        add("own signature", Some(i), Check::Verify { pk: pks[i], msg: m.clone(), sig: sigs[i] }, true);
        add("proof of possession", Some(i), Check::PopVerify { pk: pks[i], proof: pops[i] }, true);
        add(
            "wrong message",
            Some(i),
            Check::Verify { pk: pks[i], msg: tampered.clone(), sig: sigs[i] },
            false,
        );
        add("wrong key", Some(i), Check::Verify { pk: other, msg: m.clone(), sig: sigs[i] }, false);
        add(
            "PoP checked as a signature over the key",
            Some(i),
            Check::Verify { pk: pks[i], msg: pks[i].to_vec(), sig: pops[i] },
            false,
        );
        let sig_over_key = keys[i].sk.sign(&pks[i]).to_bytes();
        add(
            "signature over the key checked as a PoP",
            Some(i),
            Check::PopVerify { pk: pks[i], proof: sig_over_key },
            false,
        );
        add(
            "infinity signature",
            Some(i),
            Check::Verify { pk: pks[i], msg: m, sig: INFINITY_SIGNATURE },
            false,
        );
    }
    add(
        "PoP-DST signature over the message",
        Some(0),
        Check::Verify { pk: pks[0], msg: message.clone(), sig: pop_dst_sig },
        false,
    );
    add(
        "aggregate",
        None,
        Check::FastAggregateVerify { pks: signer_pks.clone(), msg: message.clone(), sig: aggregate },
        true,
    );
    add(
        "aggregate with infinity added",
        None,
        Check::FastAggregateVerify {
            pks: signer_pks.clone(),
            msg: message.clone(),
            sig: aggregate_with_infinity,
        },
        true,
    );
    add(
        "infinity aggregate",
        None,
        Check::FastAggregateVerify { pks: signer_pks.clone(), msg: message.clone(), sig: INFINITY_SIGNATURE },
        false,
    );
    add(
        "aggregate over a non-signer too",
        None,
        Check::FastAggregateVerify {
            pks: [signer_pks.clone(), vec![outsider]].concat(),
            msg: message.clone(),
            sig: aggregate,
        },
        false,
    );
    if signers.len() >= 2 {
        let dropped = rng.below(signers.len());
        let partial: Vec<Signature> = (0..signers.len())
            .filter(|&j| j != dropped)
            .map(|j| Signature::from_bytes(&sigs[signers[j]]).unwrap())
            .collect();
        let partial = aggregate_signatures(&partial).unwrap().to_bytes();
        add(
            "aggregate missing one signer",
            Some(signers[dropped]),
            Check::FastAggregateVerify { pks: signer_pks, msg: message.clone(), sig: partial },
            false,
        );
    }

    BlsCase {
        keys,
        message,
        signers,
        pks,
        sigs,
        pops,
        pop_dst_sig,
        aggregate,
        aggregate_with_infinity,
        aggregate_pk,
        checks,
    }
}

/// Marks which checks py_ecc evaluates (a pairing costs it about half a second): every
/// case's aggregate and one own signature per case, and each negative kind once.
fn choose_python_checks(rng: &mut Rng, cases: &mut [BlsCase]) {
    for case in cases.iter_mut() {
        let own: Vec<usize> =
            (0..case.checks.len()).filter(|&j| case.checks[j].kind == "own signature").collect();
        let pick = *rng.pick(&own);
        case.checks[pick].to_python = true;
        for check in case.checks.iter_mut().filter(|c| c.kind == "aggregate") {
            check.to_python = true;
        }
    }
    for kind in [
        "proof of possession",
        "wrong message",
        "wrong key",
        "PoP checked as a signature over the key",
        "signature over the key checked as a PoP",
        "infinity signature",
        "PoP-DST signature over the message",
        "infinity aggregate",
        "aggregate missing one signer",
    ] {
        let candidates: Vec<(usize, usize)> = cases
            .iter()
            .enumerate()
            .flat_map(|(c, case)| {
                case.checks.iter().enumerate().filter(|(_, ch)| ch.kind == kind).map(move |(j, _)| (c, j))
            })
            .collect();
        assert!(!candidates.is_empty(), "no case has a {kind:?} check");
        let (c, j) = *rng.pick(&candidates);
        cases[c].checks[j].to_python = true;
    }
}

#[test]
fn bls_matches_py_ecc() {
    let seed = seed();
    let mut rng = Rng(seed);

    // The point at infinity parses (§4), re-encodes identically, and the all-zero
    // string (no compression flag) does not parse.
    let infinity = Signature::from_bytes(&INFINITY_SIGNATURE).expect("0xc0 ‖ 0^95 parses as a signature");
    assert_eq!(infinity.to_bytes(), INFINITY_SIGNATURE, "infinity re-encodes as 0xc0 ‖ 0^95");
    assert!(Signature::from_bytes(&[0u8; 96]).is_err(), "96 zero bytes must not parse");

    let case_count = rng.range(4, 6);
    let real = rng.below(case_count);
    let multi = rng.below(case_count);
    let mut cases: Vec<BlsCase> = (0..case_count)
        .map(|c| {
            let message =
                if c == real { random_unsigned_message(&mut rng) } else { random_message(&mut rng) };
            let key_count = if c == multi { rng.range(2, 5) } else { rng.range(1, 5) };
            build_bls_case(&mut rng, message, key_count, if c == multi { 2 } else { 1 })
        })
        .collect();
    choose_python_checks(&mut rng, &mut cases);

    // Our own verdicts first: they must hold whether or not py_ecc is around.
    for (c, case) in cases.iter().enumerate() {
        for check in &case.checks {
            assert_eq!(
                check.check.rust_verdict(),
                check.expected,
                "Rust verdict on {:?} (expected {}); {}",
                check.kind,
                check.expected,
                case.context(seed, c, check.key)
            );
        }
    }

    let request = json!({
        "cases": cases.iter().map(|case| json!({
            "keys": case.keys.iter().map(|k| json!({
                "sk": hex::encode(k.sk.to_bytes()),
                "ikm": k.ikm.as_ref().map(hex::encode),
            })).collect::<Vec<_>>(),
            "message": hex::encode(&case.message),
            "signers": case.signers,
            "checks": case.checks.iter().filter(|c| c.to_python).map(|c| c.check.to_json()).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    let started = Instant::now();
    let Some(response) = oracle::run("bls_diff_oracle.py", &request) else { return };
    let python_checks: usize = cases.iter().map(|c| c.checks.iter().filter(|ch| ch.to_python).count()).sum();
    let key_total: usize = cases.iter().map(|c| c.keys.len()).sum();
    eprintln!(
        "py_ecc oracle: {:.1?} for {case_count} cases, {key_total} keys, {python_checks} verdicts",
        started.elapsed()
    );

    let answers = response["cases"].as_array().expect("cases array");
    assert_eq!(answers.len(), cases.len(), "seed {seed}: one answer per case");
    let mut compared = 0usize;
    for (c, (case, answer)) in cases.iter().zip(answers).enumerate() {
        let theirs = answer["keys"].as_array().expect("keys array");
        assert_eq!(theirs.len(), case.keys.len(), "{}: one answer per key", case.context(seed, c, None));
        for (i, (key, their)) in case.keys.iter().zip(theirs).enumerate() {
            let ctx = case.context(seed, c, Some(i));
            if key.ikm.is_some() {
                assert_eq!(
                    hex::encode(key.sk.to_bytes()),
                    hex::encode(unhex(&their["keygen_sk"])),
                    "KeyGen (SecretKey::from_seed) vs py_ecc KeyGen; {ctx}"
                );
            }
            assert_eq!(
                hex::encode(case.pks[i]),
                hex::encode(unhex(&their["public_key"])),
                "public key; {ctx}"
            );
            assert_eq!(
                hex::encode(case.sigs[i]),
                hex::encode(unhex(&their["signature"])),
                "signature; {ctx}"
            );
            assert_eq!(
                hex::encode(case.pops[i]),
                hex::encode(unhex(&their["proof_of_possession"])),
                "proof of possession; {ctx}"
            );
            // The other way round: py_ecc's values parse and verify on our side.
            let their_pk = PublicKey::from_compressed(&unhex(&their["public_key"]))
                .unwrap_or_else(|e| panic!("py_ecc public key does not parse ({e}); {ctx}"));
            let their_sig = Signature::from_bytes(&unhex(&their["signature"]))
                .unwrap_or_else(|e| panic!("py_ecc signature does not parse ({e}); {ctx}"));
            let their_pop = Signature::from_bytes(&unhex(&their["proof_of_possession"]))
                .unwrap_or_else(|e| panic!("py_ecc proof does not parse ({e}); {ctx}"));
            assert!(their_pk.verify(&case.message, &their_sig), "py_ecc signature rejected; {ctx}");
            assert!(their_pk.verify_proof_of_possession(&their_pop), "py_ecc proof rejected; {ctx}");
            assert!(
                !their_pk.verify(&their_pk.to_compressed(), &their_pop),
                "py_ecc PoP as signature; {ctx}"
            );
            compared += 1;
        }

        let ctx = case.context(seed, c, None);
        assert_eq!(
            hex::encode(case.pop_dst_sig),
            hex::encode(unhex(&answer["pop_dst_signature"])),
            "signature of the message with the PoP DST; {}",
            case.context(seed, c, Some(0))
        );
        assert_eq!(
            hex::encode(case.aggregate),
            hex::encode(unhex(&answer["aggregate_signature"])),
            "aggregate signature; {ctx}"
        );
        assert_eq!(
            hex::encode(case.aggregate_with_infinity),
            hex::encode(unhex(&answer["aggregate_signature_with_infinity"])),
            "aggregate signature with the infinity point added; {ctx}"
        );
        assert_eq!(
            hex::encode(case.aggregate_pk),
            hex::encode(unhex(&answer["aggregate_public_key"])),
            "aggregate public key; {ctx}"
        );
        let their_aggregate_pk = PublicKey::from_compressed(&unhex(&answer["aggregate_public_key"]))
            .unwrap_or_else(|e| panic!("py_ecc aggregate public key does not parse ({e}); {ctx}"));
        let their_aggregate = Signature::from_bytes(&unhex(&answer["aggregate_signature"]))
            .unwrap_or_else(|e| panic!("py_ecc aggregate signature does not parse ({e}); {ctx}"));
        assert!(
            their_aggregate_pk.verify(&case.message, &their_aggregate),
            "py_ecc aggregate rejected; {ctx}"
        );

        let verdicts = answer["verdicts"].as_array().expect("verdicts array");
        let sent: Vec<&LabeledCheck> = case.checks.iter().filter(|ch| ch.to_python).collect();
        assert_eq!(verdicts.len(), sent.len(), "{ctx}: one verdict per check");
        for (check, verdict) in sent.iter().zip(verdicts) {
            let ctx = case.context(seed, c, check.key);
            let theirs = verdict.as_bool().expect("boolean verdict");
            let ours = check.check.rust_verdict();
            assert_eq!(
                (ours, theirs),
                (check.expected, check.expected),
                "verdicts (Rust, py_ecc) on {:?}; {ctx}",
                check.kind
            );
        }
    }
    assert_eq!(compared, key_total, "seed {seed}: every key compared");
}

// ---------------------------------------------------------------------------------------
// The precompile against eth-abi.

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Read {
    Message,
    BlockHash,
}

impl Read {
    fn function(self) -> &'static str {
        match self {
            Read::Message => "getVerifiedWarpMessage",
            Read::BlockHash => "getVerifiedWarpBlockHash",
        }
    }
}

enum PCall {
    Send { caller: [u8; 20], payload: Vec<u8>, trailing: Vec<u8> },
    Read { which: Read, index: u32, is_static: bool },
    Id { extra: Vec<u8>, is_static: bool },
}

impl PCall {
    /// A short description for failure messages (the calldata is printed beside it).
    fn describe(&self) -> String {
        match self {
            PCall::Send { caller, payload, trailing } => format!(
                "sendWarpMessage from 0x{} ({}-byte payload, {} trailing calldata bytes)",
                hex::encode(caller),
                payload.len(),
                trailing.len()
            ),
            PCall::Read { which, index, is_static } => {
                format!("{}({index}) (static: {is_static})", which.function())
            }
            PCall::Id { extra, is_static } => {
                format!("getBlockchainID with {} extra bytes (static: {is_static})", extra.len())
            }
        }
    }

    fn to_json(&self) -> Value {
        match self {
            PCall::Send { caller, payload, .. } => {
                json!({"op": "send", "caller": hex::encode(caller), "payload": hex::encode(payload)})
            }
            PCall::Read { which: Read::Message, index, .. } => json!({"op": "message", "index": index}),
            PCall::Read { which: Read::BlockHash, index, .. } => json!({"op": "hash", "index": index}),
            PCall::Id { .. } => json!({"op": "id"}),
        }
    }

    fn calldata(&self) -> Vec<u8> {
        let word = |v: usize| {
            let mut w = [0u8; 32];
            w[24..].copy_from_slice(&(v as u64).to_be_bytes());
            w
        };
        match self {
            PCall::Send { payload, trailing, .. } => {
                let mut padded = payload.clone();
                padded.resize(payload.len().div_ceil(32) * 32, 0);
                [
                    IWarpMessenger::sendWarpMessageCall::SELECTOR.to_vec(),
                    word(0x20).to_vec(),
                    word(payload.len()).to_vec(),
                    padded,
                    trailing.clone(),
                ]
                .concat()
            }
            PCall::Read { which, index, .. } => {
                let selector = match which {
                    Read::Message => IWarpMessenger::getVerifiedWarpMessageCall::SELECTOR,
                    Read::BlockHash => IWarpMessenger::getVerifiedWarpBlockHashCall::SELECTOR,
                };
                [selector.to_vec(), word(*index as usize).to_vec()].concat()
            }
            PCall::Id { extra, .. } => {
                [IWarpMessenger::getBlockchainIDCall::SELECTOR.to_vec(), extra.clone()].concat()
            }
        }
    }
}

/// One transaction's view: a chain, a gas schedule, predicates with failure bits, and calls.
struct PCase {
    chain: ChainConstants,
    schedule: GasSchedule,
    schedule_name: &'static str,
    messages: Vec<Vec<u8>>,
    predicates: Vec<Vec<B256>>,
    failed: Vec<usize>,
    failures: FailureBits,
    calls: Vec<PCall>,
}

impl PCase {
    fn run(&self, call: &PCall, caller: [u8; 20], is_static: bool, gas_limit: u64) -> WarpOutcome {
        let input = call.calldata();
        let predicates = WarpPredicates::from_tuples(&self.predicates);
        let env = WarpEnv {
            predicates: &predicates,
            failures: Some(&self.failures),
            chain: self.chain,
            schedule: &self.schedule,
            delegate_policy: DelegatePolicy::Reverts,
        };
        let scheme = if is_static { CallScheme::StaticCall } else { CallScheme::Call };
        run(&WarpCall { input: &input, caller: Address::new(caller), is_static, scheme, gas_limit }, &env)
    }

    fn context(&self, seed: u64, case: usize, call_index: usize) -> String {
        let call = &self.calls[call_index];
        let predicate = match call {
            PCall::Read { index, .. } => match self.messages.get(*index as usize) {
                Some(m) => format!(", signed message at the index 0x{}", hex::encode(m)),
                None => String::new(),
            },
            _ => String::new(),
        };
        format!(
            "seed {seed}, case {case}, call {call_index}: {} (calldata 0x{}), network {}, chain 0x{}, \
             schedule {}, {} predicates, failed {:?}{predicate}",
            call.describe(),
            hex::encode(call.calldata()),
            self.chain.network_id,
            hex::encode(self.chain.blockchain_id.0),
            self.schedule_name,
            self.predicates.len(),
            self.failed,
        )
    }
}

/// A signed warp message with a random payload, signed by a random subset of `pool`.
fn random_signed_message(rng: &mut Rng, pool: &[SecretKey]) -> Vec<u8> {
    let payload = if rng.chance(2, 3) {
        let source_len = if rng.chance(1, 2) { 20 } else { rng.range(0, 40) };
        let len = rng.range(0, 2000);
        // Sometimes all zeros: trailing zero bytes must survive the predicate packing.
        let payload = if rng.chance(1, 10) { vec![0u8; len] } else { rng.bytes(len) };
        AddressedCall::new(rng.bytes(source_len), payload).unwrap().to_bytes()
    } else {
        Hash { hash: Id(rng.array()) }.to_bytes()
    };
    let network_id = rng.next_u64() as u32;
    let unsigned = UnsignedMessage::new(network_id, Id(rng.array()), payload).unwrap();
    let signers: Vec<usize> = (0..pool.len()).filter(|_| rng.chance(1, 2)).collect();
    let signature = if signers.is_empty() {
        rng.array::<96>()
    } else {
        let sigs: Vec<Signature> = signers.iter().map(|&i| pool[i].sign(&unsigned.to_bytes())).collect();
        aggregate_signatures(&sigs).unwrap().to_bytes()
    };
    let bit_indices: Vec<usize> = signers.iter().map(|&i| i * rng.range(1, 40)).collect();
    Message::new(unsigned, BitSetSignature::new(SignerBitSet::from_indices(bit_indices), signature))
        .to_bytes()
}

fn random_pcase(rng: &mut Rng, pool: &[SecretKey]) -> PCase {
    let network_id = if rng.chance(1, 2) { *rng.pick(&[1u32, 5, 10, 12345]) } else { rng.next_u64() as u32 };
    let chain = ChainConstants { network_id, blockchain_id: Id(rng.array()) };
    let (schedule, schedule_name) = *rng.pick(&[
        (GasSchedule::pre_granite(), "pre-Granite"),
        (GasSchedule::granite(), "Granite"),
        (GasSchedule::acp30(), "ACP-30"),
    ]);
    let count = rng.range(0, 6);
    let messages: Vec<Vec<u8>> = (0..count).map(|_| random_signed_message(rng, pool)).collect();
    let predicates: Vec<Vec<B256>> = messages.iter().map(|m| pack(m)).collect();
    let mut failed: Vec<usize> = (0..count).filter(|_| rng.chance(1, 3)).collect();
    if rng.chance(1, 5) {
        // A bit past the last predicate changes nothing.
        failed.push(count + rng.below(10));
    }
    let failures = FailureBits::from_indices(failed.iter().copied());

    let mut calls = Vec::new();
    for _ in 0..rng.range(1, 2) {
        let len = if rng.chance(1, 20) {
            MAX_SEND_PAYLOAD - 1 + rng.below(4)
        } else if rng.chance(1, 10) {
            *rng.pick(&[0usize, 1, 31, 32, 33, 64])
        } else {
            rng.range(0, 2000)
        };
        let caller = if rng.chance(1, 10) { [0u8; 20] } else { rng.array() };
        // geth's decoder ignores trailing calldata (§8.5); it is still charged per byte.
        let trailing = if rng.chance(1, 4) {
            let n = rng.range(1, 40);
            rng.bytes(n)
        } else {
            Vec::new()
        };
        calls.push(PCall::Send { caller, payload: rng.bytes(len), trailing });
    }
    let mut indices: Vec<u32> = (0..count as u32 + 2).collect();
    indices.push(rng.range(count, i32::MAX as usize) as u32);
    indices.push(i32::MAX as u32);
    for index in indices {
        for which in [Read::Message, Read::BlockHash] {
            calls.push(PCall::Read { which, index, is_static: rng.chance(1, 2) });
        }
    }
    let extra_len = if rng.chance(1, 3) { rng.range(1, 40) } else { 0 };
    calls.push(PCall::Id { extra: rng.bytes(extra_len), is_static: rng.chance(1, 2) });
    // Shuffle (Fisher–Yates) so the calls do not always come in the same order.
    for i in (1..calls.len()).rev() {
        let j = rng.below(i + 1);
        calls.swap(i, j);
    }
    PCase { chain, schedule, schedule_name, messages, predicates, failed, failures, calls }
}

/// Checks the outcome of one call against the oracle's answer and returns the gas the
/// schedule says a successful call uses (`None` for a halt).
fn check_call(case: &PCase, call: &PCall, answer: &Value, ctx: &str) -> Option<u64> {
    const GAS: u64 = 10_000_000;
    let s = &case.schedule;
    match call {
        PCall::Send { caller, trailing, .. } => {
            let input = call.calldata();
            assert_eq!(
                hex::encode(&input[..input.len() - trailing.len()]),
                answer["calldata"].as_str().expect("calldata"),
                "sendWarpMessage calldata vs eth-abi; {ctx}"
            );
            let outcome = case.run(call, *caller, false, GAS);
            if let Some(halt) = answer.get("halt") {
                assert_eq!(halt, "payload_too_large", "unexpected oracle halt; {ctx}");
                let WarpOutcome::Halt(WarpHalt::PayloadTooLarge { .. }) = outcome else {
                    panic!("oracle: payload too large; ours: {outcome:?}; {ctx}");
                };
                return None;
            }
            let WarpOutcome::Success(WarpOutput { gas_used, output, logs }) = outcome else {
                panic!("oracle: success; ours: {outcome:?}; {ctx}");
            };
            assert_eq!(hex::encode(&output), answer["output"].as_str().unwrap(), "returned messageID; {ctx}");
            assert_eq!(logs.len(), 1, "one SendWarpMessage log; {ctx}");
            let log = &logs[0];
            assert_eq!(
                hex::encode(log.address),
                answer["log_address"].as_str().unwrap(),
                "log address; {ctx}"
            );
            let topics: Vec<String> = log.data.topics().iter().map(hex::encode).collect();
            let expected_topics: Vec<String> =
                answer["topics"].as_array().unwrap().iter().map(|t| t.as_str().unwrap().to_owned()).collect();
            assert_eq!(topics, expected_topics, "log topics; {ctx}");
            assert_eq!(hex::encode(&log.data.data), answer["data"].as_str().unwrap(), "log data; {ctx}");
            // Static context: both charges are paid, then write protection.
            assert_eq!(
                case.run(call, *caller, true, GAS),
                WarpOutcome::Halt(WarpHalt::WriteProtection),
                "static sendWarpMessage; {ctx}"
            );
            let expected = s.send_warp_message_base + s.per_warp_message_byte * (input.len() as u64 - 4);
            assert_eq!(gas_used, expected, "sendWarpMessage gas; {ctx}");
            Some(expected)
        }
        PCall::Read { index, is_static, which } => {
            let outcome = case.run(call, [0x77; 20], *is_static, GAS);
            if let Some(halt) = answer.get("halt") {
                match (halt.as_str().unwrap(), &outcome) {
                    ("type_mismatch", WarpOutcome::Halt(WarpHalt::PayloadTypeMismatch { index: i, .. }))
                        if i == index => {}
                    _ => panic!("oracle: {answer}; ours: {outcome:?}; {ctx}"),
                }
                return None;
            }
            let WarpOutcome::Success(WarpOutput { gas_used, output, logs }) = outcome else {
                panic!("oracle: success {answer}; ours: {outcome:?}; {ctx}");
            };
            let name = which.function();
            assert_eq!(hex::encode(&output), answer["output"].as_str().unwrap(), "{name} output; {ctx}");
            assert!(logs.is_empty(), "{name} logs nothing; {ctx}");
            let chunks = answer["chunks"].as_u64().unwrap_or(0);
            let expected = s.get_verified_warp_message_base + s.per_warp_message_chunk * chunks;
            assert_eq!(gas_used, expected, "{name} gas ({chunks} chunks charged); {ctx}");
            Some(expected)
        }
        PCall::Id { is_static, .. } => {
            let outcome = case.run(call, [0x77; 20], *is_static, GAS);
            let WarpOutcome::Success(WarpOutput { gas_used, output, logs }) = outcome else {
                panic!("getBlockchainID: {outcome:?}; {ctx}");
            };
            assert_eq!(hex::encode(&output), answer["output"].as_str().unwrap(), "getBlockchainID; {ctx}");
            assert!(logs.is_empty(), "getBlockchainID logs nothing; {ctx}");
            assert_eq!(gas_used, s.get_blockchain_id, "getBlockchainID gas; {ctx}");
            Some(s.get_blockchain_id)
        }
    }
}

#[test]
fn precompile_matches_eth_abi() {
    let seed = seed();
    let mut rng = Rng(seed);
    let pool: Vec<SecretKey> =
        (0..4).map(|_| SecretKey::from_seed(&rng.array::<32>()).expect("32-byte seed")).collect();
    let case_count = rng.range(50, 80);
    let cases: Vec<PCase> = (0..case_count).map(|_| random_pcase(&mut rng, &pool)).collect();

    let request = json!({
        "cases": cases.iter().map(|case| json!({
            "network_id": case.chain.network_id,
            "chain": hex::encode(case.chain.blockchain_id.0),
            "predicates": case.predicates.iter()
                .map(|p| p.iter().map(hex::encode).collect::<Vec<_>>())
                .collect::<Vec<_>>(),
            "failures": case.failed,
            "calls": case.calls.iter().map(PCall::to_json).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
    });
    let started = Instant::now();
    let Some(response) = oracle::run("precompile_diff_oracle.py", &request) else { return };
    let call_total: usize = cases.iter().map(|c| c.calls.len()).sum();
    eprintln!("eth-abi oracle: {:.1?} for {case_count} cases, {call_total} calls", started.elapsed());

    let answers = response["cases"].as_array().expect("cases array");
    assert_eq!(answers.len(), cases.len(), "seed {seed}: one answer per case");
    let (mut valid_reads, mut invalid_reads, mut mismatches, mut sends) = (0, 0, 0, 0);
    for (c, (case, answer)) in cases.iter().zip(answers).enumerate() {
        let results = answer["results"].as_array().expect("results array");
        assert_eq!(results.len(), case.calls.len(), "seed {seed}, case {c}: one result per call");
        for (k, (call, result)) in case.calls.iter().zip(results).enumerate() {
            let ctx = case.context(seed, c, k);
            let gas = check_call(case, call, result, &ctx);
            match (call, gas) {
                (PCall::Read { .. }, None) => mismatches += 1,
                (PCall::Read { .. }, Some(_)) if result["chunks"].is_null() => invalid_reads += 1,
                (PCall::Read { .. }, Some(_)) => valid_reads += 1,
                (PCall::Send { .. }, Some(_)) => sends += 1,
                _ => {}
            }
            // The exact gas is enough, and one less is not.
            if let Some(gas) = gas {
                let (caller, is_static) = match call {
                    PCall::Send { caller, .. } => (*caller, false),
                    PCall::Read { is_static, .. } | PCall::Id { is_static, .. } => ([0x77; 20], *is_static),
                };
                let WarpOutcome::Success(exact) = case.run(call, caller, is_static, gas) else {
                    panic!("call fails with exactly {gas} gas; {ctx}");
                };
                assert_eq!(hex::encode(&exact.output), result["output"].as_str().unwrap(), "{ctx}");
                if gas > 0 {
                    assert!(
                        matches!(
                            case.run(call, caller, is_static, gas - 1),
                            WarpOutcome::Halt(WarpHalt::OutOfGas { .. })
                        ),
                        "call succeeds with {} gas; {ctx}",
                        gas - 1
                    );
                }
            }
        }
    }
    eprintln!("compared {sends} sends, {valid_reads} valid reads, {invalid_reads} invalid reads, {mismatches} type mismatches");
    assert!(
        sends > 0 && valid_reads > 0 && invalid_reads > 0,
        "seed {seed}: every kind of call was compared"
    );
}
