//! Worst-case economics: nanoseconds of CPU per unit of gas for the most expensive
//! inputs an attacker can choose, under each gas schedule (ACP-30's text,
//! pre-Granite, Granite).
//!
//! The work of a predicate does not depend on the schedule, only its price does:
//! each case is timed once and divided by its gas under each schedule
//! (`python3 scripts/bench_ratios.py` prints the table; the gas of every case is
//! written beside criterion's figures, in `target/criterion/economics/gas.json`).
//! Gas counted is the predicate gas alone (no 21,000 per transaction, since an
//! attacker can pack many predicates into one transaction), so the figures are
//! conservative.
//!
//! Block verification cases, each a block of `PREDICATES` one-predicate
//! transactions, verified by [`PredicateVerifier::block_results`]:
//!
//! | case | the attacker's choice |
//! |---|---|
//! | `min_gas` | the cheapest predicate that needs a full BLS check: one signer (a one-validator subnet), a 32-byte `Hash` payload, 6 storage keys |
//! | `min_gas_invalid` | the same with every signature invalid: the batch path must fall back (`awm_core::batch`) |
//! | `most_signers` | a 10,000-validator subnet, every validator signing (45 keys) |
//! | `quorum_signers` | the same subnet, 6,700 signers (just the 67% quorum): the most key additions a passing message needs (from half the set up, the aggregate comes from the set's cached sum, less the non-signers) |
//! | `largest_message` | a 24,542-byte payload from a 20-byte sender, the 24 KiB cap (773 keys) |
//! | `cold_set` | one predicate from a 10,000-validator subnet whose set is flattened for this block (first use at this P-Chain height); one validator holds 75% of the stake, so one signer suffices |
//!
//! Each block case runs three ways: `seq` ([`Execution::Sequential`], one by one on
//! one thread, the reference's way), `batch_1t` ([`Execution::Parallel`] in a
//! one-thread pool: the batch path's cost per core) and `batch_2t` (both cores).
//!
//! Precompile cases run the pure core ([`awm::precompile::run`]), priced with the
//! precompile's own charge only (the `CALL` that reaches it adds at least 100 gas):
//! `read_largest` (a valid `getVerifiedWarpMessage` of the largest message),
//! `read_missing` (a missing index: base gas only), `blockchain_id`, `send_largest`
//! (`sendWarpMessage` with the largest payload).
//!
//! `baseline/blst_single`: one bare blst verify on this thread, for scale.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::sync::Arc;
use std::time::Duration;

use awm::core::bls::{self, PublicKey, SecretKey, Signature};
use awm::core::*;
use awm::precompile::{run, CallScheme, ChainConstants, DelegatePolicy, WarpCall, WarpEnv, WarpOutcome};
use awm::predicate::*;
use criterion::{criterion_group, criterion_main, Criterion};

const NETWORK: u32 = 1;
const PREDICATES: usize = 32;
const BIG_SET: usize = 10_000;
const SCHEDULES: [(&str, GasSchedule); 3] = [
    ("acp30", GasSchedule::acp30()),
    ("pre_granite", GasSchedule::pre_granite()),
    ("granite", GasSchedule::granite()),
];

fn key(tag: u64, i: u64) -> SecretKey {
    SecretKey::from_seed(&[tag.to_be_bytes(), i.to_be_bytes(), [7; 8], [9; 8]].concat()).unwrap()
}

/// A subnet: its keys in canonical order and its P-Chain entries.
struct Subnet {
    chain: ChainId,
    subnet: SubnetId,
    keys: Vec<SecretKey>,
    entries: Vec<Validator>,
}

impl Subnet {
    fn new(tag: u8, n: usize) -> Self {
        let keys: Vec<SecretKey> = (0..n as u64).map(|i| key(u64::from(tag), i)).collect();
        let public: Vec<PublicKey> = keys.iter().map(SecretKey::public_key).collect();
        let entries: Vec<Validator> = public
            .iter()
            .enumerate()
            .map(|(i, pk)| {
                let mut node = [tag; 20];
                node[..8].copy_from_slice(&(i as u64).to_be_bytes());
                Validator::new(NodeId(node), Some(*pk), 100)
            })
            .collect();
        let set = CanonicalValidatorSet::new(entries.clone()).unwrap();
        // Keys in canonical order, so signer index i is keys[i].
        let mut by_key: BTreeMap<[u8; 96], SecretKey> =
            public.iter().zip(keys).map(|(pk, sk)| (*pk.uncompressed(), sk)).collect();
        let keys =
            set.validators().iter().map(|v| by_key.remove(v.public_key.uncompressed()).unwrap()).collect();
        Self { chain: Id([tag; 32]), subnet: Id([tag ^ 0xff; 32]), keys, entries }
    }

    /// Gives canonical validator 0 three quarters of the stake, so its signature
    /// alone (a one-byte bitset) meets a 67% quorum.
    fn heavy_first(mut self) -> Self {
        let first = self.keys[0].public_key();
        let total: u64 = self.entries.iter().map(|e| e.weight).sum();
        for entry in &mut self.entries {
            if entry.public_key == Some(first) {
                entry.weight = 3 * total;
            }
        }
        self
    }

    fn set(&self) -> CanonicalValidatorSet {
        CanonicalValidatorSet::new(self.entries.clone()).unwrap()
    }

    /// A signed message with `payload`, signed by the first `signers` validators;
    /// `valid: false` signs other bytes.
    fn message(&self, payload: Vec<u8>, signers: usize, valid: bool) -> Vec<u8> {
        let unsigned = UnsignedMessage::new(NETWORK, self.chain, payload).unwrap();
        let bytes = unsigned.to_bytes();
        let signed: &[u8] = if valid { &bytes } else { b"some other message" };
        let sigs: Vec<Signature> = self.keys[..signers].iter().map(|k| k.sign(signed)).collect();
        let sig = bls::aggregate_signatures(&sigs).unwrap().to_bytes();
        Message::new(unsigned, BitSetSignature::new(SignerBitSet::from_indices(0..signers), sig)).to_bytes()
    }
}

fn hash_payload(i: usize) -> Vec<u8> {
    let mut h = [0u8; 32];
    h[..8].copy_from_slice(&(i as u64).to_be_bytes());
    Hash { hash: Id(h) }.to_bytes()
}

fn largest_payload(i: usize) -> Vec<u8> {
    let mut payload = vec![0x5a; MAX_PAYLOAD_SIZE - 34];
    payload[..8].copy_from_slice(&(i as u64).to_be_bytes());
    let blob = AddressedCall::new(vec![0xaa; 20], payload).unwrap().to_bytes();
    assert_eq!(blob.len(), MAX_PAYLOAD_SIZE);
    blob
}

/// Validator state whose sets are flattened from the P-Chain entries on every
/// request: a set no cache has seen at this height.
struct ColdState {
    chains: BTreeMap<ChainId, SubnetId>,
    entries: BTreeMap<SubnetId, Vec<Validator>>,
}

impl ValidatorState for ColdState {
    fn subnet_of(&self, chain_id: &ChainId) -> Result<SubnetId, StateError> {
        self.chains.get(chain_id).copied().ok_or(StateError::UnknownChain(*chain_id))
    }
    fn validator_set(
        &self,
        subnet_id: &SubnetId,
        height: u64,
    ) -> Result<Arc<CanonicalValidatorSet>, StateError> {
        let entries =
            self.entries.get(subnet_id).ok_or(StateError::UnknownSubnet { subnet: *subnet_id, height })?;
        Ok(Arc::new(CanonicalValidatorSet::new(entries.iter().cloned()).unwrap()))
    }
}

/// One block case: its access lists and the predicate gas under each schedule.
struct Case {
    name: &'static str,
    lists: Vec<AccessList>,
}

impl Case {
    fn new(name: &'static str, messages: Vec<Vec<u8>>) -> Self {
        Self { name, lists: messages.iter().map(|m| warp_access_list([m.as_slice()])).collect() }
    }

    fn gas(&self, schedule: &GasSchedule) -> u64 {
        self.lists.iter().map(|l| access_list_gas(l, schedule).unwrap().with_predicates).sum()
    }

    fn txs(&self) -> Vec<BlockTx<'_>> {
        self.lists.iter().enumerate().map(|(i, l)| BlockTx::new(tx_hash(i), l, u64::MAX, 21_000)).collect()
    }
}

/// A distinct transaction hash per position.
fn tx_hash(i: usize) -> B256 {
    let mut h = [0u8; 32];
    h[24..].copy_from_slice(&(i as u64).to_be_bytes());
    B256::from(h)
}

fn config() -> WarpConfig {
    WarpConfig {
        network_id: NETWORK,
        subnet_id: Id([0x0b; 32]),
        require_primary_network_signers: false,
        quorum: QuorumPolicy::new(Quorum::DEFAULT),
    }
}

fn bench(c: &mut Criterion) {
    let single = Subnet::new(1, 1);
    let big = Subnet::new(2, BIG_SET);
    let heavy = Subnet::new(4, BIG_SET).heavy_first();

    let most = big.message(hash_payload(0), BIG_SET, true);
    let quorum = big.message(hash_payload(1), BIG_SET * 67 / 100, true);
    let cases = vec![
        Case::new("min_gas", (0..PREDICATES).map(|i| single.message(hash_payload(i), 1, true)).collect()),
        Case::new(
            "min_gas_invalid",
            (0..PREDICATES).map(|i| single.message(hash_payload(i), 1, false)).collect(),
        ),
        Case::new("most_signers", vec![most; 4]),
        Case::new("quorum_signers", vec![quorum; 4]),
        Case::new("largest_message", (0..4).map(|i| single.message(largest_payload(i), 1, true)).collect()),
    ];
    let cold = Case::new("cold_set", vec![heavy.message(hash_payload(2), 1, true)]);

    let warm = FixedValidatorState::new()
        .with_chain(single.chain, single.subnet)
        .with_set(single.subnet, single.set())
        .with_chain(big.chain, big.subnet)
        .with_set(big.subnet, big.set());
    let cold_state = ColdState {
        chains: [(heavy.chain, heavy.subnet)].into(),
        entries: [(heavy.subnet, heavy.entries.clone())].into(),
    };
    let verifier = |execution| {
        PredicateVerifier::new(WarpVerifier::new(&warm, config()), GasSchedule::granite())
            .with_execution(execution)
    };
    let seq = verifier(Execution::Sequential);
    let batch = verifier(Execution::Parallel);
    let cold_seq = PredicateVerifier::new(WarpVerifier::new(&cold_state, config()), GasSchedule::granite())
        .with_execution(Execution::Sequential);
    let one_thread = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();

    // Known answers before timing: valid cases pass, the invalid one fails everywhere,
    // and the batch path agrees with one by one.
    let mut gas: BTreeMap<String, BTreeMap<&str, u64>> = BTreeMap::new();
    for case in cases.iter().chain([&cold]) {
        let txs = case.txs();
        let expected = if case.name == "cold_set" {
            cold_seq.block_results(&txs, 1).unwrap()
        } else {
            let r = seq.block_results(&txs, 1).unwrap();
            assert_eq!(r, batch.block_results(&txs, 1).unwrap(), "{}", case.name);
            r
        };
        let failed = txs.iter().filter(|tx| expected.failed(&tx.hash, &WARP_ADDRESS, 0)).count();
        let want = if case.name == "min_gas_invalid" { txs.len() } else { 0 };
        assert_eq!(failed, want, "{}", case.name);
        let per: BTreeMap<&str, u64> = SCHEDULES.iter().map(|(n, s)| (*n, case.gas(s))).collect();
        gas.insert(case.name.to_string(), per);
    }

    let mut group = c.benchmark_group("economics");
    group.warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(4)).sample_size(10);
    for case in &cases {
        let txs = case.txs();
        group.bench_function(format!("{}/seq", case.name), |b| {
            b.iter(|| seq.block_results(black_box(&txs), 1))
        });
        group.bench_function(format!("{}/batch_1t", case.name), |b| {
            b.iter(|| one_thread.install(|| batch.block_results(black_box(&txs), 1)))
        });
        group.bench_function(format!("{}/batch_2t", case.name), |b| {
            b.iter(|| batch.block_results(black_box(&txs), 1))
        });
    }
    let cold_txs = cold.txs();
    group.bench_function("cold_set/seq", |b| b.iter(|| cold_seq.block_results(black_box(&cold_txs), 1)));

    // The precompile core, on the largest valid message and on cheap calls.
    let largest = pack(&single.message(largest_payload(9), 1, true));
    let predicates = WarpPredicates::from_tuples([largest.as_slice()]);
    let no_failures = FailureBits::none_failed();
    let chain = ChainConstants { network_id: NETWORK, blockchain_id: Id([0x0c; 32]) };
    let index_call = |selector: [u8; 4], index: u8| {
        let mut input = selector.to_vec();
        input.extend_from_slice(&[0u8; 31]);
        input.push(index);
        input
    };
    let read_largest = index_call([0x6f, 0x82, 0x53, 0x50], 0);
    let read_missing = index_call([0x6f, 0x82, 0x53, 0x50], 1);
    let blockchain_id = vec![0x42, 0x13, 0xcf, 0x78];
    let mut send_largest = vec![0xee, 0x5b, 0x48, 0xeb];
    let send_payload = MAX_PAYLOAD_SIZE - 34;
    send_largest.extend_from_slice(&[[0u8; 31].as_slice(), &[0x20]].concat());
    send_largest.extend_from_slice(&[[0u8; 24].as_slice(), &(send_payload as u64).to_be_bytes()].concat());
    send_largest.extend(std::iter::repeat_n(0x77, send_payload.next_multiple_of(32)));
    let calls = [
        ("read_largest", read_largest, false),
        ("read_missing", read_missing, true),
        ("blockchain_id", blockchain_id, true),
        ("send_largest", send_largest, false),
    ];
    let env_for = |schedule| WarpEnv {
        predicates: &predicates,
        failures: Some(&no_failures),
        chain,
        schedule,
        delegate_policy: DelegatePolicy::Reverts,
    };
    for (name, input, is_static) in &calls {
        let call = WarpCall {
            input,
            caller: Address::repeat_byte(0xca),
            is_static: *is_static,
            scheme: CallScheme::Call,
            gas_limit: u64::MAX,
        };
        let mut per = BTreeMap::new();
        for (schedule_name, schedule) in &SCHEDULES {
            let WarpOutcome::Success(out) = run(&call, &env_for(schedule)) else {
                panic!("{name} under {schedule_name}")
            };
            per.insert(*schedule_name, out.gas_used);
        }
        gas.insert(name.to_string(), per);
        // The work is the same under every schedule: time it under Granite.
        let env = env_for(&SCHEDULES[2].1);
        group.bench_function(format!("{name}/core"), |b| b.iter(|| run(black_box(&call), &env)));
    }

    let sk = key(3, 0);
    let pk = sk.public_key();
    let msg = single.message(hash_payload(7), 1, true);
    let sig = sk.sign(&msg);
    group.bench_function("baseline/blst_single", |b| b.iter(|| assert!(pk.verify(black_box(&msg), &sig))));
    group.finish();

    let target = std::env::var("CARGO_TARGET_DIR").unwrap_or_else(|_| "target".into());
    let dir = std::path::Path::new(&target).join("criterion/economics");
    std::fs::create_dir_all(&dir).unwrap();
    let counts: BTreeMap<&str, usize> =
        cases.iter().chain([&cold]).map(|c| (c.name, c.lists.len())).collect();
    let json = serde_json::json!({ "gas": gas, "predicates": counts });
    std::fs::write(dir.join("gas.json"), serde_json::to_string_pretty(&json).unwrap()).unwrap();
}

criterion_group!(benches, bench);
criterion_main!(benches);
