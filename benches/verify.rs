//! Verification cost against the BLS floor, measured in one run.
//!
//! - `verify/blst_single`: the baseline, bare blst on this thread: parse a 96-byte
//!   compressed signature (decompress + subgroup check) and run one pairing check
//!   (`Pairing` API) against one already-deserialized public key.
//! - `verify/warp_{10,100,1000}`: `Message::verify` with a cached canonical set of
//!   N validators, ⌈2N/3⌉ of them signing: bitset, weight, signature parse, key
//!   aggregation, pairing.
//! - `verify/warp_1000_first_use`: the same verification as the first one against a
//!   freshly built set, which also pays the one-off sum of all keys.
//! - `canonical_set/{1000,10000}`: flattening P-Chain validators whose keys are
//!   already validated into the canonical set (sum, merge, sort).
//!
//! `python3 scripts/bench_ratios.py` prints the ratios of a run.

use std::hint::black_box;
use std::time::Duration;

use awm_core::bls::{self, SecretKey, Signature, DST_SIGNATURE};
use awm_core::*;
use criterion::{criterion_group, criterion_main, BatchSize, Criterion};

fn keys(n: usize) -> Vec<SecretKey> {
    (0..n)
        .map(|i| SecretKey::from_seed(&[(i as u64).to_be_bytes().as_slice(), &[7u8; 32]].concat()).unwrap())
        .collect()
}

fn validators(keys: &[SecretKey]) -> Vec<Validator> {
    keys.iter()
        .enumerate()
        .map(|(i, k)| {
            let mut node = [0u8; 20];
            node[..8].copy_from_slice(&(i as u64).to_be_bytes());
            Validator::new(NodeId(node), Some(k.public_key()), 1_000)
        })
        .collect()
}

fn message() -> UnsignedMessage {
    // A 200-byte-class message: an AddressedCall from a 20-byte sender with 120 bytes of payload.
    let payload = AddressedCall::new(vec![0xab; 20], vec![0x5a; 120]).unwrap().to_bytes();
    UnsignedMessage::new(1, Id([0x11; 32]), payload).unwrap()
}

fn bench_verify(c: &mut Criterion) {
    let mut group = c.benchmark_group("verify");
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4)).sample_size(40);

    let msg = message();
    let msg_bytes = msg.to_bytes();

    // Baseline: bare blst, one key, one signature, this thread.
    let sk = blst::min_pk::SecretKey::key_gen(&[9u8; 32], &[]).unwrap();
    let pk_affine: blst::blst_p1_affine = sk.sk_to_pk().into();
    let sig_bytes = sk.sign(&msg_bytes, DST_SIGNATURE, &[]).compress();
    group.bench_function("blst_single", |b| {
        b.iter(|| {
            let sig = blst::min_pk::Signature::uncompress(black_box(&sig_bytes)).unwrap();
            assert!(sig.validate(false).is_ok());
            let sig_affine: &blst::blst_p2_affine = (&sig).into();
            let mut pairing = blst::Pairing::new(true, DST_SIGNATURE);
            let r = pairing.aggregate(&pk_affine, false, sig_affine, false, black_box(&msg_bytes), &[]);
            assert_eq!(r, blst::BLST_ERROR::BLST_SUCCESS);
            pairing.commit();
            assert!(pairing.finalverify(None));
        })
    });

    for n in [10usize, 100, 1000] {
        let keys = keys(n);
        let set = CanonicalValidatorSet::new(validators(&keys)).unwrap();
        let signing = (2 * n).div_ceil(3);
        let signer_keys = &keys[..signing];
        let indices: Vec<usize> =
            signer_keys.iter().map(|k| set.index_of(&k.public_key()).unwrap()).collect();
        let sigs: Vec<Signature> = signer_keys.iter().map(|k| k.sign(&msg_bytes)).collect();
        let aggregate = bls::aggregate_signatures(&sigs).unwrap().to_bytes();
        let signed =
            Message::new(msg.clone(), BitSetSignature::new(SignerBitSet::from_indices(indices), aggregate));
        let quorum = Quorum::new(2, 3).unwrap();
        assert!(signed.verify(1, &set, quorum).is_ok());
        group.bench_function(format!("warp_{n}"), |b| {
            b.iter(|| black_box(&signed).verify(1, black_box(&set), quorum).unwrap())
        });
        if n == 1000 {
            let input = validators(&keys);
            group.bench_function("warp_1000_first_use", |b| {
                b.iter_batched(
                    || CanonicalValidatorSet::new(input.clone()).unwrap(),
                    |fresh| signed.verify(1, &fresh, quorum).unwrap(),
                    BatchSize::LargeInput,
                )
            });
        }
    }
    group.finish();
}

fn bench_canonical_set(c: &mut Criterion) {
    let mut group = c.benchmark_group("canonical_set");
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3)).sample_size(30);
    for n in [1000usize, 10_000] {
        let input = validators(&keys(n));
        group.bench_function(format!("{n}"), |b| {
            b.iter_batched(
                || input.clone(),
                |v| CanonicalValidatorSet::new(v).unwrap(),
                BatchSize::LargeInput,
            )
        });
    }
    group.finish();
}

criterion_group!(benches, bench_verify, bench_canonical_set);
criterion_main!(benches);
