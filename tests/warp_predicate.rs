//! warp-predicate end to end: predicate gas against the reference's benchmark
//! table, the errors that make a transaction invalid, access-list gas, gas
//! selection by timestamp, and block pre-verification (results, building,
//! verifying, replaying, simulating) with sequential and parallel execution.

use std::collections::HashMap;

use awm::core::bls::{self, PublicKey, SecretKey, Signature};
use awm::core::*;
use awm::predicate::gas::{MAINNET_DURANGO, MAINNET_GRANITE};
use awm::predicate::*;
use proptest::prelude::*;

const NETWORK: u32 = 5;
const SOURCE: Id = Id([0x5c; 32]);
const SOURCE_SUBNET: Id = Id([0x5b; 32]);
const OWN_SUBNET: Id = Id([0x0b; 32]);
const UNKNOWN_CHAIN: Id = Id([0x99; 32]);

/// A source subnet of `n` validators of weight 10 each.
struct Source {
    keys: HashMap<PublicKey, SecretKey>,
    set: CanonicalValidatorSet,
}

fn source(n: u8) -> Source {
    source_with_seed(n, 0x77)
}

fn source_with_seed(n: u8, seed: u8) -> Source {
    let keys: Vec<SecretKey> =
        (0..n).map(|i| SecretKey::from_seed(&[[seed; 16], [i; 16]].concat()).unwrap()).collect();
    let set = CanonicalValidatorSet::new(
        keys.iter().enumerate().map(|(i, k)| Validator::new(NodeId([i as u8; 20]), Some(k.public_key()), 10)),
    )
    .unwrap();
    Source { keys: keys.into_iter().map(|k| (k.public_key(), k)).collect(), set }
}

/// How a test message is spoiled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Flaw {
    None,
    BadSignature,
    WrongNetwork,
    LowWeight,
    UnknownSource,
    SignerOutOfRange,
}

impl Source {
    /// A signed message from `chain`, signed by canonical validators `signers`.
    fn message(&self, tag: u8, flaw: Flaw) -> Vec<u8> {
        let n = self.set.len();
        let signers: Vec<usize> = match flaw {
            Flaw::LowWeight => (0..n / 2).collect(),
            _ => (0..n).filter(|i| i % 4 != 3).collect(), // three quarters
        };
        let network = if flaw == Flaw::WrongNetwork { NETWORK + 1 } else { NETWORK };
        let chain = if flaw == Flaw::UnknownSource { UNKNOWN_CHAIN } else { SOURCE };
        let payload = AddressedCall::new(vec![tag; 20], vec![tag; 50]).unwrap().to_bytes();
        let unsigned = UnsignedMessage::new(network, chain, payload).unwrap();
        let bytes = unsigned.to_bytes();
        let sigs: Vec<Signature> = signers
            .iter()
            .map(|i| {
                let sk = &self.keys[&self.set.validators()[*i].public_key];
                if flaw == Flaw::BadSignature && *i == 0 {
                    sk.sign(b"something else")
                } else {
                    sk.sign(&bytes)
                }
            })
            .collect();
        let mut bits: Vec<usize> = signers.clone();
        if flaw == Flaw::SignerOutOfRange {
            bits.push(n + 3);
        }
        let sig = bls::aggregate_signatures(&sigs).unwrap().to_bytes();
        Message::new(unsigned, BitSetSignature::new(SignerBitSet::from_indices(bits), sig)).to_bytes()
    }
}

fn verifier(src: &Source, execution: Execution) -> PredicateVerifier<FixedValidatorState> {
    let state =
        FixedValidatorState::new().with_chain(SOURCE, SOURCE_SUBNET).with_set(SOURCE_SUBNET, src.set.clone());
    let config = WarpConfig {
        network_id: NETWORK,
        subnet_id: OWN_SUBNET,
        require_primary_network_signers: false,
        quorum: QuorumPolicy::new(Quorum::DEFAULT),
    };
    PredicateVerifier::new(WarpVerifier::new(state, config), GasSchedule::granite()).with_execution(execution)
}

fn hash(i: u8) -> B256 {
    B256::with_last_byte(i)
}

/// A signed message of the reference's `BenchmarkWarpPredicate`: an AddressedCall
/// from a 20-byte address with payload {1,2,3} on network 10, `signers` of `n`.
fn bench_message(signers: usize) -> Vec<u8> {
    let payload = AddressedCall::new(vec![0xab; 20], vec![1, 2, 3]).unwrap().to_bytes();
    let unsigned = UnsignedMessage::new(10, Id([1; 32]), payload).unwrap();
    // predicate_gas never checks the signature itself.
    Message::new(unsigned, BitSetSignature::new(SignerBitSet::from_indices(0..signers), [0xc0; 96]))
        .to_bytes()
}

#[test]
fn predicate_gas_matches_the_reference_benchmark_table() {
    // (signers, chunks, pre-Granite gas, Granite gas) from §11's table.
    let table = [
        (10, 6, 224_200, 130_572),
        (100, 7, 272_400, 153_584),
        (1_000, 10, 732_000, 380_120),
        (10_000, 45, 5_344_000, 2_648_040),
    ];
    for (signers, chunks, pre, granite) in table {
        let keys = pack(&bench_message(signers));
        let at = |s: &GasSchedule| predicate_gas(&keys, s).unwrap();
        assert_eq!(at(&GasSchedule::pre_granite()), PredicateGas { gas: pre, chunks, signers });
        assert_eq!(at(&GasSchedule::granite()).gas, granite);
        // ACP-30's text: 20,000 + 100 per packed byte + 500 per signer.
        assert_eq!(at(&GasSchedule::acp30()).gas, 20_000 + 100 * 32 * chunks as u64 + 500 * signers as u64);
    }
}

#[test]
fn malformed_predicates_make_the_transaction_invalid() {
    let good = bench_message(3);
    let msg = Message::parse(&good).unwrap();
    let with_payload = |payload: Vec<u8>| {
        // Build the message bytes by hand so the payload codec is not consulted.
        let unsigned = UnsignedMessage::new(10, Id([1; 32]), payload).unwrap();
        Message::new(unsigned, msg.signature().clone()).to_bytes()
    };
    let mut non_canonical = good.clone();
    // The bitset {0,1,2} is the byte 07 after its u32 length 1; make it 00 07 (length 2).
    let sig_start = good.len() - 96 - 1 - 4;
    non_canonical.splice(sig_start..sig_start + 5, [0, 0, 0, 2, 0, 7]);
    let pchain = awm::core::pchain::PChainPayload::L1ValidatorWeight(awm::core::pchain::L1ValidatorWeight {
        validation_id: Id([1; 32]),
        nonce: 1,
        weight: 2,
    });

    type Case = (&'static str, Vec<B256>, fn(&PredicateGasError) -> bool);
    let cases: Vec<Case> = vec![
        ("no storage keys", vec![], |e| {
            matches!(
                e,
                PredicateGasError::InvalidPredicateBytes(PredicateError::MissingDelimiter { chunks: 0 })
            )
        }),
        ("excess padding", [pack(&good), vec![B256::ZERO]].concat(), |e| {
            matches!(e, PredicateGasError::InvalidPredicateBytes(PredicateError::ExcessPadding { .. }))
        }),
        ("wrong delimiter", vec![B256::with_last_byte(7)], |e| {
            matches!(e, PredicateGasError::InvalidPredicateBytes(PredicateError::WrongDelimiter { byte: 7 }))
        }),
        ("not a message", pack(&[0, 0, 1, 2, 3]), |e| matches!(e, PredicateGasError::InvalidWarpMessage(_))),
        ("P-Chain payload", pack(&with_payload(pchain.to_bytes().unwrap())), |e| {
            matches!(e, PredicateGasError::InvalidPayload(CodecError::UnknownTypeId { .. }))
        }),
        ("payload over 24 KiB", pack(&with_payload(vec![0; 24 * 1024 + 1])), |e| {
            matches!(e, PredicateGasError::InvalidPayload(CodecError::TooLarge { .. }))
        }),
        ("non-canonical bitset", pack(&non_canonical), |e| {
            matches!(e, PredicateGasError::NonCanonicalSigners(NonCanonicalBitSet { len: 2 }))
        }),
    ];
    for (name, keys, check) in cases {
        let err = predicate_gas(&keys, &GasSchedule::granite()).unwrap_err();
        assert!(check(&err), "{name}: {err}");
        // The same predicate in a block: the transaction is invalid.
        let list = AccessList(vec![AccessListItem { address: WARP_ADDRESS, storage_keys: keys }]);
        let src = source(4);
        let err = verifier(&src, Execution::Sequential)
            .block_results(&[BlockTx::new(hash(1), &list, u64::MAX, 21_000)], 0)
            .unwrap_err();
        assert!(matches!(err, BlockError::InvalidTransaction { position: 0, index: 0, .. }), "{name}: {err}");
    }
    let overflow = GasSchedule { per_warp_signer: u64::MAX, ..GasSchedule::granite() };
    assert_eq!(
        predicate_gas(&pack(&good), &overflow),
        Err(PredicateGasError::Overflow { chunks: pack(&good).len(), signers: 3 })
    );
}

#[test]
fn access_list_gas_replaces_the_standard_charge_for_warp_tuples() {
    let other = AccessListItem { address: Address::with_last_byte(1), storage_keys: vec![B256::ZERO; 3] };
    let small = pack(&bench_message(10)); // 6 chunks
    let list = AccessList(vec![
        other.clone(),
        AccessListItem { address: WARP_ADDRESS, storage_keys: small.clone() },
        other,
    ]);
    let gas = access_list_gas(&list, &GasSchedule::granite()).unwrap();
    assert_eq!(gas.standard, 3 * 2_400 + (3 + 6 + 3) * 1_900);
    assert_eq!(gas.with_predicates, 2 * (2_400 + 3 * 1_900) + 130_572);
    assert_eq!(gas.delta(), 130_572 - (2_400 + 6 * 1_900) as i128);
    assert_eq!(gas.added_over_standard().unwrap() as i128, gas.delta());

    // 200 keys under Granite: 125,000 + 512·200 + 250 < 2,400 + 1,900·200.
    let mut big = bench_message(1);
    let unsigned_len = big.len();
    big = {
        let payload = AddressedCall::new(vec![], vec![7; 6_300]).unwrap().to_bytes();
        let unsigned = UnsignedMessage::new(10, Id([1; 32]), payload).unwrap();
        let m = Message::parse(&big).unwrap();
        Message::new(unsigned, m.signature().clone()).to_bytes()
    };
    assert!(big.len() > unsigned_len);
    let keys = pack(&big);
    let list = AccessList(vec![AccessListItem { address: WARP_ADDRESS, storage_keys: keys.clone() }]);
    let gas = access_list_gas(&list, &GasSchedule::granite()).unwrap();
    let chunks = keys.len() as u64;
    assert_eq!(gas.with_predicates, 125_000 + 512 * chunks + 250);
    assert!(gas.delta() < 0);
    assert_eq!(
        gas.added_over_standard(),
        Err(AccessListGasError::DeltaUnderflow {
            standard: 2_400 + 1_900 * chunks,
            with_predicates: gas.with_predicates
        })
    );

    // Errors name the warp index, not the tuple position.
    let bad = AccessList(vec![
        AccessListItem { address: WARP_ADDRESS, storage_keys: small },
        AccessListItem { address: Address::ZERO, storage_keys: vec![] },
        AccessListItem { address: WARP_ADDRESS, storage_keys: vec![] },
    ]);
    assert!(matches!(
        access_list_gas(&bad, &GasSchedule::pre_granite()),
        Err(AccessListGasError::Predicate { index: 1, source: PredicateGasError::InvalidPredicateBytes(_) })
    ));
}

#[test]
fn schedules_are_selected_by_timestamp() {
    let mainnet = GasUpgrades::mainnet();
    assert_eq!(mainnet.schedule_at(MAINNET_DURANGO - 1), None);
    assert_eq!(mainnet.schedule_at(MAINNET_DURANGO), Some(&GasSchedule::pre_granite()));
    assert_eq!(mainnet.schedule_at(MAINNET_GRANITE - 1), Some(&GasSchedule::pre_granite()));
    assert_eq!(mainnet.schedule_at(MAINNET_GRANITE), Some(&GasSchedule::granite()));
    assert_eq!(mainnet.schedule_at(u64::MAX), Some(&GasSchedule::granite()));
    let custom = GasUpgrades::new([
        (50, GasSchedule::pre_granite()),
        (0, GasSchedule::acp30()),
        (50, GasSchedule::granite()), // the later entry at the same timestamp wins
    ]);
    assert_eq!(custom.schedule_at(49), Some(&GasSchedule::acp30()));
    assert_eq!(custom.schedule_at(50), Some(&GasSchedule::granite()));

    let g = GasSchedule::granite();
    assert_eq!(g.read_cost(None), Some(750));
    assert_eq!(g.read_cost(Some(6)), Some(750 + 6 * 512));
    assert_eq!(GasSchedule::pre_granite().read_cost(Some(6)), Some(2 + 6 * 3_200));
    assert_eq!(g.send_cost(100), Some(41_500 + 800));
    assert_eq!(GasSchedule::acp30().send_cost(0), Some(41_500));
    assert_eq!(g.send_cost(usize::MAX), None);
}

/// A block exercising every outcome; returns its transactions' access lists and
/// the failed indices each should get (`None`: absent from the results).
fn mixed_block(src: &Source) -> Vec<(B256, AccessList, Option<Vec<usize>>)> {
    let warp = |msgs: Vec<Vec<u8>>| warp_access_list(msgs.iter().map(|m| m.as_slice()));
    let ok = |t| src.message(t, Flaw::None);
    vec![
        (hash(1), warp(vec![ok(1), ok(2)]), Some(vec![])),
        (hash(2), AccessList(vec![AccessListItem { address: Address::ZERO, storage_keys: vec![] }]), None),
        (
            hash(3),
            warp(vec![
                src.message(3, Flaw::BadSignature),
                ok(4),
                src.message(5, Flaw::WrongNetwork),
                src.message(6, Flaw::LowWeight),
                src.message(7, Flaw::UnknownSource),
                src.message(8, Flaw::SignerOutOfRange),
                ok(9),
            ]),
            Some(vec![0, 2, 3, 4, 5]),
        ),
        (hash(0), warp(vec![ok(10)]), Some(vec![])),
    ]
}

#[test]
fn block_results_mark_exactly_the_failures() {
    let src = source(12);
    let block = mixed_block(&src);
    let txs: Vec<BlockTx<'_>> = block.iter().map(|(h, l, _)| BlockTx::new(*h, l, u64::MAX, 21_000)).collect();
    let mut expected = PredicateResults::new();
    for (h, _, failed) in &block {
        if let Some(failed) = failed {
            expected.set(*h, WARP_ADDRESS, FailureBits::from_indices(failed.iter().copied()));
        }
    }
    for execution in [Execution::Sequential, Execution::Parallel] {
        let v = verifier(&src, execution);
        let results = v.block_results(&txs, 7).unwrap();
        assert_eq!(results, expected, "{execution:?}");
        // Sorted by hash: tx 0x…00 first, all-valid entries present with an empty bitset.
        let bytes = results.to_bytes().unwrap();
        assert_eq!(&bytes[..6], &[0, 0, 0, 0, 0, 3]);
        assert_eq!(&bytes[6..38], hash(0).as_slice());
        assert_eq!(results.get(&hash(1), &WARP_ADDRESS), Some(&FailureBits::none_failed()));
        assert_eq!(results.get(&hash(2), &WARP_ADDRESS), None);
        assert_eq!(results.get(&hash(3), &WARP_ADDRESS).unwrap().as_bytes(), &[0b0011_1101]);

        // Verifying: byte equality with the header, then replay from the header alone.
        let extra = ExtraLayout::SubnetEvm.build(&[0; 80], &results).unwrap();
        let header = ExtraLayout::SubnetEvm.results_bytes(&extra).unwrap();
        assert_eq!(v.verify_block(&txs, 7, PredicateRule::ResultsInBlock, header).unwrap(), results);
        let replayed = ExtraLayout::SubnetEvm.results(&extra).unwrap();
        assert!(replayed.failed(&hash(3), &WARP_ADDRESS, 0) && !replayed.failed(&hash(3), &WARP_ADDRESS, 1));
        let mut tampered = header.to_vec();
        *tampered.last_mut().unwrap() ^= 1;
        assert!(matches!(
            v.verify_block(&txs, 7, PredicateRule::ResultsInBlock, &tampered),
            Err(BlockError::ResultsMismatch { .. })
        ));
        assert!(matches!(
            v.verify_block(&txs, 7, PredicateRule::ResultsInBlock, &hex::decode("000000000000").unwrap()),
            Err(BlockError::ResultsMismatch { expected, found: 6, .. }) if expected == bytes.len()
        ));
    }
}

#[test]
fn both_rules_build_and_verify() {
    let src = source(9);
    let v = verifier(&src, Execution::Parallel);
    let mut block = mixed_block(&src);
    let invalid = AccessList(vec![AccessListItem { address: WARP_ADDRESS, storage_keys: vec![] }]);
    block.insert(1, (hash(9), invalid, None));
    let txs: Vec<BlockTx<'_>> = block.iter().map(|(h, l, _)| BlockTx::new(*h, l, u64::MAX, 21_000)).collect();

    let built = v.build(&txs, 1, PredicateRule::ResultsInBlock);
    assert_eq!(built.included, vec![0, 2, 3, 4]);
    assert_eq!(built.skipped.len(), 1);
    assert!(matches!(built.skipped[0].reason, SkipReason::InvalidPredicate { index: 0, .. }));
    assert_eq!(built.skipped[0].tx, hash(9));
    assert_eq!(built.results.len(), 3);

    let strict = v.build(&txs, 1, PredicateRule::ValidityRequired);
    assert_eq!(strict.included, vec![0, 2, 4]);
    assert!(strict.results.is_empty());
    assert_eq!(
        strict.skipped[1].reason,
        SkipReason::PredicateFailed(FailureBits::from_indices([0, 2, 3, 4, 5]))
    );

    // A block holding the invalid transaction is invalid under either rule.
    assert!(matches!(
        v.verify_block(&txs, 1, PredicateRule::ValidityRequired, &[]),
        Err(BlockError::InvalidTransaction { position: 1, index: 0, .. })
    ));
    // Under ValidityRequired a failing predicate makes the block invalid; the built block verifies.
    let kept: Vec<BlockTx<'_>> = strict.included.iter().map(|i| txs[*i]).collect();
    assert_eq!(
        v.verify_block(&kept, 1, PredicateRule::ValidityRequired, &[]).unwrap(),
        PredicateResults::new()
    );
    let with_failure: Vec<BlockTx<'_>> = [0, 3].iter().map(|i| txs[*i]).collect();
    assert_eq!(
        v.verify_block(&with_failure, 1, PredicateRule::ValidityRequired, &[]),
        Err(BlockError::PredicateFailed { position: 1, tx: hash(3), failed: vec![0, 2, 3, 4, 5] })
    );
}

#[test]
fn a_single_transaction_can_be_simulated() {
    let src = source(6);
    let v = verifier(&src, Execution::Sequential);
    let list =
        warp_access_list([src.message(1, Flaw::None).as_slice(), src.message(2, Flaw::LowWeight).as_slice()]);
    let check = v.check_tx(&list, 3).unwrap();
    assert_eq!(check.failures, FailureBits::from_indices([1]));
    assert_eq!(check.gas, access_list_gas(&list, &GasSchedule::granite()).unwrap());
    let plain = AccessList::default();
    assert_eq!(v.check_tx(&plain, 3).unwrap().failures, FailureBits::none_failed());
    let invalid = AccessList(vec![AccessListItem { address: WARP_ADDRESS, storage_keys: vec![B256::ZERO] }]);
    assert!(matches!(v.check_tx(&invalid, 3), Err(AccessListGasError::Predicate { index: 0, .. })));
}

#[test]
fn sets_come_from_the_state_once_per_block_at_the_block_height() {
    use std::sync::atomic::{AtomicUsize, Ordering};
    use std::sync::Arc;

    struct Counting {
        inner: FixedValidatorState,
        calls: AtomicUsize,
        heights: std::sync::Mutex<Vec<u64>>,
    }
    impl ValidatorState for Counting {
        fn subnet_of(&self, chain: &ChainId) -> Result<SubnetId, StateError> {
            self.inner.subnet_of(chain)
        }
        fn validator_set(
            &self,
            subnet: &SubnetId,
            height: u64,
        ) -> Result<Arc<CanonicalValidatorSet>, StateError> {
            self.calls.fetch_add(1, Ordering::SeqCst);
            self.heights.lock().unwrap().push(height);
            self.inner.validator_set(subnet, height)
        }
    }
    let src = source(5);
    let state = Counting {
        inner: FixedValidatorState::new()
            .with_chain(SOURCE, SOURCE_SUBNET)
            .with_set(SOURCE_SUBNET, src.set.clone()),
        calls: AtomicUsize::new(0),
        heights: Default::default(),
    };
    let config = WarpConfig {
        network_id: NETWORK,
        subnet_id: OWN_SUBNET,
        require_primary_network_signers: false,
        quorum: QuorumPolicy::new(Quorum::DEFAULT),
    };
    let v = PredicateVerifier::new(WarpVerifier::new(&state, config), GasSchedule::granite());
    let block = mixed_block(&src);
    let txs: Vec<BlockTx<'_>> = block.iter().map(|(h, l, _)| BlockTx::new(*h, l, u64::MAX, 21_000)).collect();
    v.block_results(&txs, 42).unwrap();
    assert_eq!(state.calls.load(Ordering::SeqCst), 1);
    assert_eq!(*state.heights.lock().unwrap(), vec![42]);
}

/// A 40-predicate block with bad signatures placed so that bisection finds them
/// within its budget or runs out of it and checks terms alone: the batched
/// verifier's bits are the sequential verifier's in every case.
#[test]
fn batch_fallbacks_give_sequential_results() {
    let src = source(8);
    let n = 40;
    let patterns: [(&str, Vec<usize>); 5] = [
        ("all bad", (0..n).collect()),
        ("two bad, far apart", vec![1, 36]),
        ("two bad, neighbours", vec![10, 11]),
        ("one bad in the last batch", vec![30]),
        ("none bad", vec![]),
    ];
    let good: Vec<Vec<u8>> = (0..n).map(|i| src.message(i as u8, Flaw::None)).collect();
    let bad: Vec<Vec<u8>> = (0..n).map(|i| src.message(i as u8, Flaw::BadSignature)).collect();
    for (name, bad_at) in patterns {
        let msgs: Vec<&[u8]> = (0..n)
            .map(|i| if bad_at.contains(&i) { bad[i].as_slice() } else { good[i].as_slice() })
            .collect();
        let list = warp_access_list(msgs);
        let txs = [BlockTx::new(hash(1), &list, u64::MAX, 21_000)];
        let sequential = verifier(&src, Execution::Sequential).block_results(&txs, 1).unwrap();
        let parallel = verifier(&src, Execution::Parallel).block_results(&txs, 1).unwrap();
        assert_eq!(parallel, sequential, "{name}");
        let failed: Vec<usize> = parallel.get(&hash(1), &WARP_ADDRESS).unwrap().indices().collect();
        assert_eq!(failed, bad_at, "{name}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, .. ProptestConfig::default() })]

    /// Random blocks with random flaws: the parallel, batched verifier gives exactly
    /// the sequential verifier's results, and each bit is the one-by-one verdict.
    #[test]
    fn parallel_results_equal_sequential(
        block in prop::collection::vec(prop::collection::vec(0u8..10, 0..5), 1..7),
    ) {
        let src = source(8);
        let flaws = [Flaw::None, Flaw::None, Flaw::None, Flaw::None, Flaw::BadSignature,
            Flaw::BadSignature, Flaw::WrongNetwork, Flaw::LowWeight, Flaw::UnknownSource, Flaw::SignerOutOfRange];
        let lists: Vec<(B256, AccessList, Vec<bool>)> = block
            .iter()
            .enumerate()
            .map(|(t, preds)| {
                let msgs: Vec<(Vec<u8>, bool)> = preds
                    .iter()
                    .enumerate()
                    .map(|(i, f)| (src.message((t * 10 + i) as u8, flaws[*f as usize]), flaws[*f as usize] == Flaw::None))
                    .collect();
                let list = warp_access_list(msgs.iter().map(|(m, _)| m.as_slice()));
                (hash(t as u8), list, msgs.iter().map(|(_, ok)| *ok).collect())
            })
            .collect();
        let txs: Vec<BlockTx<'_>> = lists.iter().map(|(h, l, _)| BlockTx::new(*h, l, u64::MAX, 21_000)).collect();
        let sequential = verifier(&src, Execution::Sequential).block_results(&txs, 1).unwrap();
        let parallel = verifier(&src, Execution::Parallel).block_results(&txs, 1).unwrap();
        prop_assert_eq!(&parallel, &sequential);
        prop_assert_eq!(parallel.to_bytes().unwrap(), sequential.to_bytes().unwrap());
        let one_by_one = WarpVerifier::new(
            FixedValidatorState::new().with_chain(SOURCE, SOURCE_SUBNET).with_set(SOURCE_SUBNET, src.set.clone()),
            WarpConfig { network_id: NETWORK, subnet_id: OWN_SUBNET, require_primary_network_signers: false,
                quorum: QuorumPolicy::new(Quorum::DEFAULT) },
        );
        for (h, list, oks) in &lists {
            if oks.is_empty() {
                prop_assert!(parallel.get(h, &WARP_ADDRESS).is_none());
                continue;
            }
            for (i, keys) in warp_predicates(list).iter().enumerate() {
                let msg = Message::parse(&unpack(keys).unwrap()).unwrap();
                let valid = one_by_one.verify(&msg, 1).is_ok();
                prop_assert_eq!(valid, oks[i]);
                prop_assert_eq!(parallel.failed(h, &WARP_ADDRESS, i), !valid);
            }
        }
    }

    #[test]
    fn results_round_trip(entries in prop::collection::vec((any::<[u8; 32]>(), any::<[u8; 20]>(), prop::collection::vec(0usize..300, 0..6)), 0..8)) {
        let mut results = PredicateResults::new();
        for (tx, addr, failed) in entries {
            results.set(B256::from(tx), Address::from(addr), FailureBits::from_indices(failed));
        }
        let bytes = results.to_bytes().unwrap();
        let parsed = PredicateResults::parse(&bytes).unwrap();
        prop_assert_eq!(&parsed, &results);
        prop_assert_eq!(parsed.to_bytes().unwrap(), bytes);
    }

    #[test]
    fn predicates_round_trip(bytes in prop::collection::vec(any::<u8>(), 0..200)) {
        let keys = pack(&bytes);
        prop_assert_eq!(keys.len(), bytes.len() / 32 + 1);
        prop_assert_eq!(unpack(&keys).unwrap(), bytes);
    }
}

/// A validator state that counts how often a validator set is asked for: the
/// first step of any BLS work on a predicate.
struct CountingState<S> {
    inner: S,
    sets: std::sync::atomic::AtomicUsize,
}

impl<S: ValidatorState> ValidatorState for CountingState<S> {
    fn subnet_of(&self, chain_id: &ChainId) -> Result<SubnetId, StateError> {
        self.inner.subnet_of(chain_id)
    }
    fn validator_set(
        &self,
        subnet_id: &SubnetId,
        height: u64,
    ) -> Result<std::sync::Arc<CanonicalValidatorSet>, StateError> {
        self.sets.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        self.inner.validator_set(subnet_id, height)
    }
}

/// Review finding (Hardening II, 6): the gas limit is checked against the
/// intrinsic gas with predicate gas before any predicate is verified, as the
/// reference's block rule does; 400 valid predicates under-funded by one gas are
/// refused without a validator set being looked up.
#[test]
fn an_under_funded_transaction_is_refused_before_any_bls_work() {
    let src = source(8);
    let messages: Vec<Vec<u8>> = (0..400u16).map(|i| src.message((i % 251) as u8, Flaw::None)).collect();
    let list = warp_access_list(messages.iter().map(Vec::as_slice));
    let mut other = list.clone();
    other.0.push(AccessListItem { address: Address::with_last_byte(9), storage_keys: vec![B256::ZERO; 2] });
    let data = [0u8, 1, 2, 0];
    let base = gas::intrinsic_gas_without_access_list(&data, false);
    assert_eq!(base, 21_000 + 2 * 4 + 2 * 16);
    let predicates: u64 =
        warp_predicates(&other).iter().map(|k| predicate_gas(k, &GasSchedule::granite()).unwrap().gas).sum();
    let intrinsic = base + predicates + 2_400 + 2 * 1_900;
    assert_eq!(access_list_gas(&other, &GasSchedule::granite()).unwrap().with_predicates + base, intrinsic);

    for execution in [Execution::Sequential, Execution::Parallel] {
        let counting = |src: &Source| CountingState {
            inner: FixedValidatorState::new()
                .with_chain(SOURCE, SOURCE_SUBNET)
                .with_set(SOURCE_SUBNET, src.set.clone()),
            sets: Default::default(),
        };
        let config = WarpConfig {
            network_id: NETWORK,
            subnet_id: OWN_SUBNET,
            require_primary_network_signers: false,
            quorum: QuorumPolicy::new(Quorum::DEFAULT),
        };
        let verifier =
            PredicateVerifier::new(WarpVerifier::new(counting(&src), config), GasSchedule::granite())
                .with_execution(execution);
        let sets = |v: &PredicateVerifier<CountingState<FixedValidatorState>>| {
            v.verifier().state().sets.load(std::sync::atomic::Ordering::Relaxed)
        };

        let short = BlockTx::new(hash(1), &other, intrinsic - 1, base);
        assert_eq!(
            verifier.block_results(&[short], 0),
            Err(BlockError::IntrinsicGasTooLow {
                position: 0,
                tx: hash(1),
                gas_limit: intrinsic - 1,
                intrinsic
            })
        );
        let built = verifier.build(&[short], 0, PredicateRule::ResultsInBlock);
        assert!(built.included.is_empty());
        assert_eq!(
            built.skipped[0].reason,
            SkipReason::IntrinsicGasTooLow { gas_limit: intrinsic - 1, intrinsic }
        );
        assert_eq!(sets(&verifier), 0, "{execution:?}: no validator set was looked up");

        // Exactly funded: verified, and every predicate passes.
        let exact = BlockTx::new(hash(1), &other, intrinsic, base);
        let results = verifier.block_results(&[exact], 0).unwrap();
        assert_eq!(results.warp_failures(&hash(1), 400), Ok(FailureBits::none_failed()));
        assert!(sets(&verifier) > 0);

        // The sum of a transaction's intrinsic gas overflowing u64 is invalid too.
        let overflow = BlockTx::new(hash(2), &list, u64::MAX, u64::MAX);
        assert_eq!(
            verifier.block_results(&[overflow], 0),
            Err(BlockError::IntrinsicGasOverflow { position: 0, tx: hash(2) })
        );
    }
}

/// Sets that change with the height: at height 2 the validators that never sign
/// (every fourth) weigh ten times more, so three quarters of the count is no
/// longer a quorum of the weight.
struct HeightState {
    at_1: std::sync::Arc<CanonicalValidatorSet>,
    at_2: std::sync::Arc<CanonicalValidatorSet>,
}

impl HeightState {
    fn new(src: &Source) -> Self {
        let reweighted = CanonicalValidatorSet::new(src.set.validators().iter().enumerate().map(|(i, v)| {
            Validator::new(v.node_ids[0], Some(v.public_key), if i % 4 == 3 { 100 } else { 10 })
        }))
        .unwrap();
        Self { at_1: std::sync::Arc::new(src.set.clone()), at_2: std::sync::Arc::new(reweighted) }
    }
}

impl ValidatorState for HeightState {
    fn subnet_of(&self, chain_id: &ChainId) -> Result<SubnetId, StateError> {
        if *chain_id == SOURCE {
            Ok(SOURCE_SUBNET)
        } else {
            Err(StateError::UnknownChain(*chain_id))
        }
    }
    fn validator_set(
        &self,
        subnet_id: &SubnetId,
        height: u64,
    ) -> Result<std::sync::Arc<CanonicalValidatorSet>, StateError> {
        match (*subnet_id == SOURCE_SUBNET, height) {
            (true, 1) => Ok(self.at_1.clone()),
            (true, _) => Ok(self.at_2.clone()),
            (false, _) => Err(StateError::UnknownSubnet { subnet: *subnet_id, height }),
        }
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 10, .. ProptestConfig::default() })]

    /// Blocks verified with a shared verdict cache (filled by admissions and by
    /// earlier blocks, at other heights and quorums, with evictions) give exactly
    /// the results of verifying from scratch.
    #[test]
    fn results_with_the_verdict_cache_equal_results_without(
        capacity in 1usize..12,
        steps in prop::collection::vec((1u64..=2, any::<bool>(), any::<bool>(), prop::collection::vec(0u8..6, 1..5)), 1..6),
    ) {
        let src = source(8);
        let state = HeightState::new(&src);
        let cache = std::sync::Arc::new(VerdictCache::new(capacity));
        let flaws = [Flaw::None, Flaw::None, Flaw::None, Flaw::BadSignature, Flaw::WrongNetwork, Flaw::LowWeight];
        for (height, strict, admit, picks) in steps {
            let quorum = if strict { Quorum::percent(90).unwrap() } else { Quorum::DEFAULT };
            let config = WarpConfig {
                network_id: NETWORK,
                subnet_id: OWN_SUBNET,
                require_primary_network_signers: false,
                quorum: QuorumPolicy::new(quorum),
            };
            let plain = PredicateVerifier::new(WarpVerifier::new(&state, config.clone()), GasSchedule::granite());
            let cached = plain.clone().with_cache(cache.clone());
            // Tags repeat across steps, so the same messages meet other heights and quorums.
            let lists: Vec<(B256, AccessList)> = picks
                .iter()
                .enumerate()
                .map(|(t, f)| (hash(t as u8), warp_access_list([src.message(*f % 3, flaws[*f as usize]).as_slice()])))
                .collect();
            if admit {
                for (_, list) in &lists {
                    prop_assert_eq!(cached.check_tx(list, height).unwrap(), plain.check_tx(list, height).unwrap());
                }
            }
            let txs: Vec<BlockTx<'_>> = lists.iter().map(|(h, l)| BlockTx::new(*h, l, u64::MAX, 21_000)).collect();
            let expected = plain.block_results(&txs, height).unwrap();
            prop_assert_eq!(cached.block_results(&txs, height).unwrap(), expected.clone());
            prop_assert!(cache.len() <= capacity);
            // A second pass is answered from the cache where it still holds the verdicts.
            prop_assert_eq!(cached.block_results(&txs, height).unwrap(), expected);
        }
    }
}

/// Every verdict of a block whose transactions were admitted first comes from
/// the cache; a block at another height with the same set reuses them too; a
/// different set under the same subnet and height is verified again.
#[test]
fn an_admitted_block_is_verified_from_the_cache() {
    let src = source(8);
    let counting = CountingState {
        inner: FixedValidatorState::new()
            .with_chain(SOURCE, SOURCE_SUBNET)
            .with_set(SOURCE_SUBNET, src.set.clone()),
        sets: std::sync::atomic::AtomicUsize::new(0),
    };
    let config = WarpConfig {
        network_id: NETWORK,
        subnet_id: OWN_SUBNET,
        require_primary_network_signers: false,
        quorum: QuorumPolicy::new(Quorum::DEFAULT),
    };
    let cache = std::sync::Arc::new(VerdictCache::default());
    let verifier =
        PredicateVerifier::new(WarpVerifier::new(&counting, config.clone()), GasSchedule::granite())
            .with_cache(cache.clone());
    let lists: Vec<AccessList> = (0..6u8)
        .map(|i| {
            warp_access_list([src
                .message(i, if i == 2 { Flaw::BadSignature } else { Flaw::None })
                .as_slice()])
        })
        .collect();
    for list in &lists {
        verifier.check_tx(list, 1).unwrap();
    }
    assert_eq!((cache.len(), cache.stats()), (6, CacheStats { hits: 0, misses: 6 }));
    let txs: Vec<BlockTx<'_>> =
        lists.iter().enumerate().map(|(i, l)| BlockTx::new(hash(i as u8), l, u64::MAX, 21_000)).collect();
    let results = verifier.block_results(&txs, 1).unwrap();
    assert!(results.failed(&hash(2), &WARP_ADDRESS, 0));
    assert!(!results.failed(&hash(1), &WARP_ADDRESS, 0));
    // Six admissions and one resolution for the block; every verdict a hit.
    assert_eq!(counting.sets.load(std::sync::atomic::Ordering::Relaxed), 7);
    assert_eq!(cache.stats(), CacheStats { hits: 6, misses: 6 });
    // Another height with the same set: the same verdicts, from the cache.
    assert_eq!(verifier.block_results(&txs, 7).unwrap(), results);
    assert_eq!(cache.stats(), CacheStats { hits: 12, misses: 6 });
    // Another set for the subnet at the same height (other keys): verified again, and now all fail.
    let other_keys = FixedValidatorState::new()
        .with_chain(SOURCE, SOURCE_SUBNET)
        .with_set(SOURCE_SUBNET, source_with_seed(8, 0x33).set);
    let elsewhere = PredicateVerifier::new(WarpVerifier::new(&other_keys, config), GasSchedule::granite())
        .with_cache(cache.clone());
    let recomputed = elsewhere.block_results(&txs, 1).unwrap();
    assert!((0..6u8).all(|i| recomputed.failed(&hash(i), &WARP_ADDRESS, 0)));
    assert_eq!(cache.stats(), CacheStats { hits: 12, misses: 12 });
}
