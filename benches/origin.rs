//! The origin side, measured in one run.
//!
//! - `registry/history_10000`: the canonical set of a 100-validator subnet at a height
//!   10,000 diffs back, rebuilt from the current set by undoing every diff above it
//!   (a cache with no room, so every lookup rebuilds).
//! - `registry/cached`: the same lookup answered from the cache.
//! - `aggregation/67_of_100`: aggregating the signatures of a 100-validator set
//!   (all answer, equal weights) to a two-thirds quorum: 67 taken, parsed and
//!   checked as one aggregate;
//! - `aggregation/67_of_100_with_10_liars`: the same with ten wrong signatures
//!   among the first 67, found by bisection and replaced by the next answers;
//! - `aggregation/verify_one`: a single signature verification, the unit both
//!   are quoted in.

use std::hint::black_box;
use std::time::Duration;

use awm_core::bls::{self, SecretKey};
use awm_core::*;
use criterion::{criterion_group, criterion_main, Criterion};

const SUBNET: Id = Id([0x51; 32]);
const CHAIN: Id = Id([0xc1; 32]);

fn keys(n: usize) -> Vec<SecretKey> {
    (0..n)
        .map(|i| SecretKey::from_seed(&[(i as u64).to_be_bytes().as_slice(), &[3u8; 32]].concat()).unwrap())
        .collect()
}

fn node(i: usize) -> NodeId {
    let mut n = [0u8; 20];
    n[..8].copy_from_slice(&(i as u64).to_be_bytes());
    NodeId(n)
}

/// 100 validators registered at height 1, then 10,000 weight changes at heights 2..=10,001.
fn registry(capacity: usize, keys: &[SecretKey]) -> PChainRegistry {
    let r = PChainRegistry::with_cache_capacity(capacity);
    for (i, k) in keys.iter().enumerate() {
        r.register_validator(1, SUBNET, node(i), k.public_key(), &k.proof_of_possession(), 1_000).unwrap();
    }
    for h in 2..=10_001u64 {
        let i = (h as usize * 7) % keys.len();
        r.set_weight(h, SUBNET, node(i), 1_000 + h).unwrap();
    }
    r
}

fn bench_registry(c: &mut Criterion) {
    let mut group = c.benchmark_group("registry");
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(3)).sample_size(30);
    let keys = keys(100);
    let cold = registry(0, &keys);
    group.bench_function("history_10000", |b| b.iter(|| cold.validator_set(&SUBNET, black_box(1)).unwrap()));
    let warm = registry(8, &keys);
    warm.validator_set(&SUBNET, 1).unwrap();
    group.bench_function("cached", |b| b.iter(|| warm.validator_set(&SUBNET, black_box(1)).unwrap()));
    group.finish();
}

fn bench_aggregate(c: &mut Criterion) {
    let mut group = c.benchmark_group("aggregation");
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5)).sample_size(20);
    let keys = keys(100);
    let set = CanonicalValidatorSet::new(
        keys.iter().enumerate().map(|(i, k)| Validator::new(node(i), Some(k.public_key()), 1_000)),
    )
    .unwrap();
    let payload = AddressedCall::new(vec![0xab; 20], vec![0x5a; 120]).unwrap().to_bytes();
    let msg = UnsignedMessage::new(1, CHAIN, payload).unwrap();
    let quorum = Quorum::new(2, 3).unwrap();
    // Every validator answers, in canonical order (heaviest first: equal weights).
    let signer_of = |index: usize| {
        let key = set.validators()[index].public_key;
        keys.iter().position(|k| k.public_key() == key).unwrap()
    };
    let sign = |index: usize, liar: bool| -> (NodeId, [u8; 96]) {
        let i = signer_of(index);
        let sig = if liar {
            keys[i].sign(b"not the message").to_bytes()
        } else {
            Signer::new(keys[i].clone(), 1, CHAIN).sign(&msg).unwrap().to_bytes()
        };
        (node(i), sig)
    };
    let honest: Vec<(NodeId, [u8; 96])> = (0..100).map(|i| sign(i, false)).collect();
    // Ten liars among the 67 answers a quorum takes first.
    let liars: Vec<usize> = (0..10).map(|k| 3 + 6 * k).collect();
    let lying: Vec<(NodeId, [u8; 96])> = (0..100).map(|i| sign(i, liars.contains(&i))).collect();
    let (honest_sigs, lying_sigs) = (honest, lying);
    let honest: Vec<(NodeId, &[u8])> = honest_sigs.iter().map(|(n, s)| (*n, &s[..])).collect();
    let lying: Vec<(NodeId, &[u8])> = lying_sigs.iter().map(|(n, s)| (*n, &s[..])).collect();
    assert_eq!(aggregate_signatures(&msg, &set, quorum, honest.clone()).unwrap().signers.len(), 67);
    let with_liars = aggregate_signatures(&msg, &set, quorum, lying.clone()).unwrap();
    assert_eq!((with_liars.signers.len(), with_liars.dropped.len()), (67, 10));
    group.bench_function("67_of_100", |b| {
        b.iter(|| aggregate_signatures(&msg, &set, quorum, black_box(honest.clone())).unwrap())
    });
    group.bench_function("67_of_100_with_10_liars", |b| {
        b.iter(|| aggregate_signatures(&msg, &set, quorum, black_box(lying.clone())).unwrap())
    });
    let one = bls::Signature::from_bytes(&sign(0, false).1).unwrap();
    let pk = set.validators()[0].public_key;
    let bytes = msg.to_bytes();
    group.bench_function("verify_one", |b| b.iter(|| assert!(pk.verify(black_box(&bytes), &one))));
    group.finish();
}

criterion_group!(benches, bench_registry, bench_aggregate);
criterion_main!(benches);
