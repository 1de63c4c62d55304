//! The origin side, measured in one run.
//!
//! - `registry/history_10000`: the canonical set of a 100-validator subnet at a height
//!   10,000 diffs back, rebuilt from the current set by undoing every diff above it
//!   (a cache with no room, so every lookup rebuilds).
//! - `registry/cached`: the same lookup answered from the cache.
//! - `aggregate/67_of_100`: aggregating 67 valid signatures of a 100-validator set
//!   (each verified against its key, then summed), against `aggregate/verify_one`, a
//!   single signature verification.

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
    let mut group = c.benchmark_group("aggregate");
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(5)).sample_size(20);
    let keys = keys(100);
    let set = CanonicalValidatorSet::new(
        keys.iter().enumerate().map(|(i, k)| Validator::new(node(i), Some(k.public_key()), 1_000)),
    )
    .unwrap();
    let payload = AddressedCall::new(vec![0xab; 20], vec![0x5a; 120]).unwrap().to_bytes();
    let msg = UnsignedMessage::new(1, CHAIN, payload).unwrap();
    let sigs: Vec<[u8; 96]> =
        keys[..67].iter().map(|k| Signer::new(k.clone(), 1, CHAIN).sign(&msg).unwrap().to_bytes()).collect();
    let offered: Vec<(NodeId, &[u8])> = sigs.iter().enumerate().map(|(i, s)| (node(i), &s[..])).collect();
    assert_eq!(
        aggregate_signatures(&msg, &set, Quorum::new(2, 3).unwrap(), offered.clone()).unwrap().signers.len(),
        67
    );
    group.bench_function("67_of_100", |b| {
        b.iter(|| {
            aggregate_signatures(&msg, &set, Quorum::new(2, 3).unwrap(), black_box(offered.clone())).unwrap()
        })
    });
    let one = bls::Signature::from_bytes(&sigs[0]).unwrap();
    let pk = keys[0].public_key();
    let bytes = msg.to_bytes();
    group.bench_function("verify_one", |b| b.iter(|| assert!(pk.verify(black_box(&bytes), &one))));
    group.finish();
}

criterion_group!(benches, bench_registry, bench_aggregate);
criterion_main!(benches);
