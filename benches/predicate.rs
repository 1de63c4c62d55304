//! Block pre-verification, measured in one run.
//!
//! A block of 64 transactions, each carrying one warp predicate: a message from a
//! 100-validator subnet signed by 67 of them (two thirds of the stake), with a
//! 100-byte AddressedCall payload (10 storage keys, 146,870 gas under Granite).
//!
//! - `block_64/one_by_one`: [`Execution::Sequential`], every predicate verified
//!   on its own on the calling thread, as the reference does (the baseline);
//! - `block_64/block_verifier`: [`Execution::Parallel`], spread over the machine's
//!   cores with the pairings batched;
//! - `block_64/block_verifier_one_bad`: the same block with one bad signature,
//!   which the batch must find by bisection;
//! - `block_64/pre_verified`: the all-valid block after each transaction was
//!   admitted (its verdicts remembered in a [`VerdictCache`]);
//! - `block_64/blst_single`: one plain single-signature verify, for scale.
//!
//! The group's throughput is the block's Granite predicate gas, so criterion's
//! `thrpt` column reads directly as gas per second.

use std::hint::black_box;
use std::time::Duration;

use awm::core::bls::{self, SecretKey, Signature};
use awm::core::*;
use awm::predicate::*;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const NETWORK: u32 = 1;
const SOURCE: Id = Id([0x5c; 32]);
const SOURCE_SUBNET: Id = Id([0x5b; 32]);
const PREDICATES: usize = 64;

struct Fixture {
    state: FixedValidatorState,
    all_valid: Vec<AccessList>,
    one_bad: Vec<AccessList>,
    gas: u64,
}

fn fixture() -> Fixture {
    let keys: Vec<SecretKey> = (0..100u64)
        .map(|i| SecretKey::from_seed(&[i.to_be_bytes().as_slice(), &[9u8; 32]].concat()).unwrap())
        .collect();
    let set = CanonicalValidatorSet::new(
        keys.iter().enumerate().map(|(i, k)| Validator::new(NodeId([i as u8; 20]), Some(k.public_key()), 1)),
    )
    .unwrap();
    let signers: Vec<usize> = (0..100).filter(|i| i % 3 != 2).take(67).collect();
    let by_index: Vec<&SecretKey> = set
        .validators()
        .iter()
        .map(|v| keys.iter().find(|k| k.public_key() == v.public_key).unwrap())
        .collect();
    let message = |tag: usize, bad: bool| {
        let payload = AddressedCall::new(vec![0xaa; 20], vec![tag as u8; 100]).unwrap().to_bytes();
        let unsigned = UnsignedMessage::new(NETWORK, SOURCE, payload).unwrap();
        let bytes = unsigned.to_bytes();
        let sigs: Vec<Signature> = signers
            .iter()
            .map(|i| {
                by_index[*i].sign(if bad && *i == 0 { b"not this".as_slice() } else { bytes.as_slice() })
            })
            .collect();
        let sig = bls::aggregate_signatures(&sigs).unwrap().to_bytes();
        Message::new(unsigned, BitSetSignature::new(SignerBitSet::from_indices(signers.iter().copied()), sig))
            .to_bytes()
    };
    let all_valid: Vec<AccessList> =
        (0..PREDICATES).map(|i| warp_access_list([message(i, false).as_slice()])).collect();
    let mut one_bad = all_valid.clone();
    one_bad[PREDICATES / 3] = warp_access_list([message(PREDICATES / 3, true).as_slice()]);
    let gas =
        all_valid.iter().map(|l| access_list_gas(l, &GasSchedule::granite()).unwrap().with_predicates).sum();
    let state = FixedValidatorState::new().with_chain(SOURCE, SOURCE_SUBNET).with_set(SOURCE_SUBNET, set);
    Fixture { state, all_valid, one_bad, gas }
}

fn txs(lists: &[AccessList]) -> Vec<BlockTx<'_>> {
    lists
        .iter()
        .enumerate()
        .map(|(i, l)| BlockTx::new(B256::with_last_byte(i as u8), l, u64::MAX, 21_000))
        .collect()
}

fn bench_block(c: &mut Criterion) {
    let fx = fixture();
    let config = WarpConfig {
        network_id: NETWORK,
        subnet_id: Id([0x0b; 32]),
        require_primary_network_signers: false,
        quorum: QuorumPolicy::new(Quorum::DEFAULT),
    };
    let verifier = |execution| {
        PredicateVerifier::new(WarpVerifier::new(&fx.state, config.clone()), GasSchedule::granite())
            .with_execution(execution)
    };
    let sequential = verifier(Execution::Sequential);
    let parallel = verifier(Execution::Parallel);
    let valid = txs(&fx.all_valid);
    let one_bad = txs(&fx.one_bad);
    // The set's all-keys sum is built on first use: warm it outside the measurement.
    assert_eq!(sequential.block_results(&valid, 1).unwrap(), parallel.block_results(&valid, 1).unwrap());
    let bad = parallel.block_results(&one_bad, 1).unwrap();
    assert_eq!(bad, sequential.block_results(&one_bad, 1).unwrap());
    assert!(bad.failed(&B256::with_last_byte((PREDICATES / 3) as u8), &WARP_ADDRESS, 0));

    let mut group = c.benchmark_group("block_64");
    group.warm_up_time(Duration::from_secs(2)).measurement_time(Duration::from_secs(8)).sample_size(20);
    group.throughput(Throughput::Elements(fx.gas));
    group
        .bench_function("one_by_one", |b| b.iter(|| sequential.block_results(black_box(&valid), 1).unwrap()));
    group.bench_function("block_verifier", |b| {
        b.iter(|| parallel.block_results(black_box(&valid), 1).unwrap())
    });
    // Every transaction admitted first (`check_tx` fills the verdict cache), as a
    // node's mempool does: the block's predicates are then looked up, not verified.
    let cache = std::sync::Arc::new(VerdictCache::default());
    let admitted = verifier(Execution::Parallel).with_cache(cache.clone());
    for list in &fx.all_valid {
        admitted.check_tx(list, 1).unwrap();
    }
    assert_eq!(admitted.block_results(&valid, 1).unwrap(), parallel.block_results(&valid, 1).unwrap());
    group
        .bench_function("pre_verified", |b| b.iter(|| admitted.block_results(black_box(&valid), 1).unwrap()));
    group.bench_function("block_verifier_one_bad", |b| {
        b.iter(|| parallel.block_results(black_box(&one_bad), 1).unwrap())
    });
    let sk = SecretKey::from_seed(&[1; 32]).unwrap();
    let pk = sk.public_key();
    let msg = [7u8; 200];
    let sig = sk.sign(&msg);
    group.throughput(Throughput::Elements(1));
    group.bench_function("blst_single", |b| b.iter(|| assert!(pk.verify(black_box(&msg), &sig))));
    group.finish();
}

criterion_group!(benches, bench_block);
criterion_main!(benches);
