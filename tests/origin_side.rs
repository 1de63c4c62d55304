//! The origin side: the embedded P-Chain registry (proof-of-possession checks, history
//! rebuilt from diffs, the set cache), the validator signer, signature aggregation,
//! and the whole path from registration to a verified message.

use std::collections::BTreeMap;

use awm_core::acp118;
use awm_core::bls::{self, SecretKey, Signature};
use awm_core::*;
use proptest::prelude::*;

const NETWORK: u32 = 12345;
const SUBNET: Id = Id([0x51; 32]);
const CHAIN: Id = Id([0xc1; 32]);

fn key(i: u8) -> SecretKey {
    SecretKey::from_seed(&[i; 32]).unwrap()
}

fn node(i: u8) -> NodeId {
    NodeId([i; 20])
}

#[test]
fn registration_needs_a_valid_proof_of_possession() {
    let registry = PChainRegistry::new();
    let (alice, mallory) = (key(1), key(2));
    // A proof made with another key: the rogue-key attempt.
    let err = registry
        .register_validator(1, SUBNET, node(2), alice.public_key(), &mallory.proof_of_possession(), 10)
        .unwrap_err();
    assert_eq!(err, RegistryError::InvalidProofOfPossession { node_id: node(2) });
    // A signature over the key with the message DST is not a proof of possession.
    let not_a_pop = alice.sign(&alice.public_key().to_compressed());
    assert!(registry.register_validator(1, SUBNET, node(1), alice.public_key(), &not_a_pop, 10).is_err());
    // A rogue key built as (mallory − alice) has no proof anyone can make; any offered proof fails.
    let mut neg_alice = alice.public_key().to_compressed();
    neg_alice[0] ^= 0x20;
    let neg_alice = bls::PublicKey::from_compressed(&neg_alice).unwrap();
    let rogue = bls::aggregate_public_keys(&[mallory.public_key(), neg_alice]).unwrap();
    let rogue = bls::PublicKey::from_compressed(&rogue.to_compressed()).unwrap();
    assert!(registry
        .register_validator(1, SUBNET, node(3), rogue, &mallory.proof_of_possession(), 10)
        .is_err());
    assert_eq!(
        registry.validator_set(&SUBNET, 0).unwrap_err(),
        StateError::UnknownSubnet { subnet: SUBNET, height: 0 }
    );
    // The right proof registers.
    registry
        .register_validator(1, SUBNET, node(1), alice.public_key(), &alice.proof_of_possession(), 10)
        .unwrap();
    assert_eq!(registry.validator_set(&SUBNET, 1).unwrap().total_weight(), 10);
}

#[test]
fn registry_refuses_bad_changes_with_typed_errors() {
    let r = PChainRegistry::new();
    let k = key(1);
    r.register_validator(5, SUBNET, node(1), k.public_key(), &k.proof_of_possession(), 10).unwrap();
    let pop = k.proof_of_possession();
    assert_eq!(
        r.register_validator(5, SUBNET, node(1), k.public_key(), &pop, 10).unwrap_err(),
        RegistryError::AlreadyRegistered { subnet: SUBNET, node_id: node(1) }
    );
    assert_eq!(
        r.set_weight(4, SUBNET, node(1), 3).unwrap_err(),
        RegistryError::HeightInPast { height: 4, current: 5 }
    );
    assert_eq!(
        r.set_weight(6, SUBNET, node(1), 0).unwrap_err(),
        RegistryError::ZeroWeight { node_id: node(1) }
    );
    assert_eq!(
        r.remove_validator(6, SUBNET, node(9)).unwrap_err(),
        RegistryError::NotRegistered { subnet: SUBNET, node_id: node(9) }
    );
    assert_eq!(
        r.register_validator_without_key(6, SUBNET, node(2), u64::MAX).unwrap_err(),
        RegistryError::WeightOverflow { subnet: SUBNET, total: 10, added: u64::MAX }
    );
    assert_eq!(
        r.validator_set(&SUBNET, 6).unwrap_err(),
        StateError::HeightInFuture { requested: 6, current: 5 }
    );
    r.advance_to(8).unwrap();
    assert_eq!(r.validator_set(&SUBNET, 8).unwrap().total_weight(), 10);
    assert_eq!(r.validator_set(&SUBNET, 4).unwrap().total_weight(), 0);
    assert_eq!(r.subnet_of(&CHAIN).unwrap_err(), StateError::UnknownChain(CHAIN));
    r.create_chain(CHAIN, SUBNET);
    assert_eq!(r.subnet_of(&CHAIN).unwrap(), SUBNET);
    assert_eq!(r.subnet_of(&Id::P_CHAIN).unwrap(), Id::PRIMARY_NETWORK);
}

#[test]
fn a_change_at_the_current_height_evicts_that_heights_cached_set() {
    let r = PChainRegistry::new();
    let (a, b) = (key(1), key(2));
    r.register_validator(3, SUBNET, node(1), a.public_key(), &a.proof_of_possession(), 10).unwrap();
    assert_eq!(r.validator_set(&SUBNET, 3).unwrap().total_weight(), 10);
    r.register_validator(3, SUBNET, node(2), b.public_key(), &b.proof_of_possession(), 5).unwrap();
    assert_eq!(r.validator_set(&SUBNET, 3).unwrap().total_weight(), 15);
}

/// One step of a random history.
#[derive(Debug, Clone)]
enum Op {
    Join { node: u8, weight: u64, keyless: bool },
    Weight { node: u8, weight: u64 },
    Leave { node: u8 },
    Advance,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        (0u8..12, 1u64..1000, prop::bool::weighted(0.2)).prop_map(|(node, weight, keyless)| Op::Join {
            node,
            weight,
            keyless
        }),
        (0u8..12, 1u64..1000).prop_map(|(node, weight)| Op::Weight { node, weight }),
        (0u8..12).prop_map(|node| Op::Leave { node }),
        Just(Op::Advance),
    ]
}

/// An applied change: (height, node, its entry after the change as (weight, keyless)).
type Change = (u64, u8, Option<(u64, bool)>);

/// The canonical set at `height` computed from scratch: replay every applied change up to it.
fn from_scratch(log: &[Change], keys: &[SecretKey], height: u64) -> CanonicalValidatorSet {
    let mut state: BTreeMap<u8, (u64, bool)> = BTreeMap::new();
    for (_, n, after) in log.iter().filter(|(h, _, _)| *h <= height) {
        match after {
            Some(entry) => state.insert(*n, *entry),
            None => state.remove(n),
        };
    }
    CanonicalValidatorSet::new(state.iter().map(|(n, (w, keyless))| {
        Validator::new(node(*n), if *keyless { None } else { Some(keys[*n as usize].public_key()) }, *w)
    }))
    .unwrap()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 40, ..ProptestConfig::default() })]

    /// At every height of a random history, the registry's set equals the one rebuilt
    /// from scratch, whatever order the heights are asked in and however small the cache.
    #[test]
    fn history_matches_rebuild_from_scratch(
        ops in prop::collection::vec(op(), 1..60),
        queries in prop::collection::vec(any::<prop::sample::Index>(), 1..80),
        capacity in 0usize..4,
    ) {
        let keys: Vec<SecretKey> = (0..12).map(|i| key(100 + i)).collect();
        let pops: Vec<Signature> = keys.iter().map(|k| k.proof_of_possession()).collect();
        let r = PChainRegistry::with_cache_capacity(capacity);
        let mut height = 1u64;
        let mut live: BTreeMap<u8, (u64, bool)> = BTreeMap::new();
        // (height, node, entry after the change): the applied changes only.
        let mut log: Vec<Change> = Vec::new();
        // Make the subnet known from height 1.
        r.register_validator_without_key(1, SUBNET, node(200), 1).unwrap();
        live.insert(200, (1, true));
        log.push((1, 200, Some((1, true))));
        let all_keys: Vec<SecretKey> = (0..=200u8).map(|i| if i < 12 { keys[i as usize].clone() } else { key(i) }).collect();
        for op in ops {
            let applied = match op {
                Op::Advance => { height += 1; r.advance_to(height).unwrap(); None }
                Op::Join { node: n, weight, keyless } => {
                    let result = if keyless {
                        r.register_validator_without_key(height, SUBNET, node(n), weight)
                    } else {
                        r.register_validator(height, SUBNET, node(n), keys[n as usize].public_key(), &pops[n as usize], weight)
                    };
                    prop_assert_eq!(result.is_ok(), !live.contains_key(&n));
                    result.ok().map(|_| (n, Some((weight, keyless))))
                }
                Op::Weight { node: n, weight } => {
                    let result = r.set_weight(height, SUBNET, node(n), weight);
                    prop_assert_eq!(result.is_ok(), live.contains_key(&n));
                    result.ok().map(|_| (n, Some((weight, live[&n].1))))
                }
                Op::Leave { node: n } => {
                    let result = r.remove_validator(height, SUBNET, node(n));
                    prop_assert_eq!(result.is_ok(), live.contains_key(&n));
                    result.ok().map(|_| (n, None))
                }
            };
            if let Some((n, after)) = applied {
                match after { Some(e) => live.insert(n, e), None => live.remove(&n) };
                log.push((height, n, after));
            }
        }
        // Every height, in order, then the random order (exercising cache hits and evictions).
        let heights: Vec<u64> = (0..=height).chain(queries.iter().map(|q| q.index(height as usize + 1) as u64)).collect();
        for h in heights {
            let got = r.validator_set(&SUBNET, h).unwrap();
            let want = from_scratch(&log, &all_keys, h);
            prop_assert_eq!(&*got, &want, "height {}", h);
        }
        prop_assert!(r.cached_sets() <= capacity);
    }
}

#[test]
fn signer_refuses_foreign_network_and_chain() {
    let signer = Signer::new(key(1), NETWORK, CHAIN);
    let payload = AddressedCall::new(vec![1; 20], vec![]).unwrap().to_bytes();
    let ours = UnsignedMessage::new(NETWORK, CHAIN, payload.clone()).unwrap();
    let sig = signer.sign(&ours).unwrap();
    assert!(signer.public_key().verify(&ours.to_bytes(), &sig));
    let other_chain = Id([0xdd; 32]);
    assert_eq!(
        signer.sign(&UnsignedMessage::new(NETWORK, other_chain, payload.clone()).unwrap()).unwrap_err(),
        SignerError::WrongSourceChainId { expected: CHAIN, actual: other_chain }
    );
    assert_eq!(
        signer.sign(&UnsignedMessage::new(1, CHAIN, payload.clone()).unwrap()).unwrap_err(),
        SignerError::WrongNetworkId { expected: NETWORK, actual: 1 }
    );
    // Both wrong: the chain is checked first, as in avalanchego.
    assert!(matches!(
        signer.sign(&UnsignedMessage::new(1, other_chain, payload).unwrap()).unwrap_err(),
        SignerError::WrongSourceChainId { .. }
    ));
}

/// Validators 0..n with the given weights, registered at height 1; returns keys and set.
fn registered(weights: &[u64]) -> (PChainRegistry, Vec<SecretKey>) {
    let r = PChainRegistry::new();
    r.create_chain(CHAIN, SUBNET);
    let keys: Vec<SecretKey> = (0..weights.len()).map(|i| key(i as u8 + 1)).collect();
    for (i, (k, w)) in keys.iter().zip(weights).enumerate() {
        r.register_validator(1, SUBNET, node(i as u8), k.public_key(), &k.proof_of_possession(), *w).unwrap();
    }
    (r, keys)
}

fn message() -> UnsignedMessage {
    UnsignedMessage::new(NETWORK, CHAIN, Hash { hash: Id([0xbb; 32]) }.to_bytes()).unwrap()
}

#[test]
fn aggregator_takes_the_smallest_heaviest_first_quorum_and_drops_bad_signatures() {
    let weights = [10, 40, 5, 30, 15];
    let (r, keys) = registered(&weights);
    let set = r.validator_set(&SUBNET, 1).unwrap();
    let msg = message();
    let sigs: Vec<[u8; 96]> =
        keys.iter().map(|k| Signer::new(k.clone(), NETWORK, CHAIN).sign(&msg).unwrap().to_bytes()).collect();
    let wrong = keys[0].sign(b"something else").to_bytes();
    let garbage = [0x80u8; 96];
    // Node 1 (weight 40) lies; node 3 sends garbage, then its valid signature; node 0 sends its
    // valid signature twice; node 9 is unknown.
    let offered: Vec<(NodeId, &[u8])> = vec![
        (node(0), &sigs[0]),
        (node(0), &sigs[0]),
        (node(1), &wrong),
        (node(2), &sigs[2]),
        (node(3), &garbage),
        (node(3), &sigs[3]),
        (node(4), &sigs[4]),
        (node(9), &sigs[0]),
    ];
    // 67% of 100 needs 67. Node 3's garbage does not block its later valid signature, so the
    // valid weight is 30 + 15 + 10 + 5 = 60 < 67 without node 1's 40.
    let err = aggregate_signatures(&msg, &set, Quorum::DEFAULT, offered.clone()).unwrap_err();
    let AggregationError::InsufficientWeight { gathered, needed, total, quorum, dropped } = &err;
    assert_eq!((*gathered, *needed, *total, *quorum), (60, 67, 100, Quorum::DEFAULT));
    let reasons: Vec<(NodeId, DropReason)> = dropped.iter().map(|d| (d.node_id, d.reason)).collect();
    assert!(reasons.contains(&(node(1), DropReason::Invalid)));
    assert!(reasons.iter().any(|(n, r)| *n == node(3) && matches!(r, DropReason::Unparseable(_))));
    assert!(!reasons.iter().any(|(n, r)| *n == node(3) && matches!(r, DropReason::Duplicate { .. })));
    let index0 = set.index_of(&keys[0].public_key()).unwrap();
    assert_eq!(reasons.iter().filter(|(n, _)| *n == node(0)).count(), 1);
    assert!(reasons.contains(&(node(0), DropReason::Duplicate { index: index0 })));
    assert_eq!(dropped.len(), 4);
    assert!(reasons.contains(&(node(9), DropReason::UnknownValidator)));
    assert!(err.to_string().contains("weight 60 of total 100; quorum 67/100 needs 67"), "{err}");

    // With node 1's real signature: heaviest first is 40 + 30 = 70 ≥ 67: two signers, no more.
    let honest: Vec<(NodeId, &[u8])> = (0..5).map(|i| (node(i as u8), &sigs[i][..])).collect();
    let agg = aggregate_signatures(&msg, &set, Quorum::DEFAULT, honest.clone()).unwrap();
    assert_eq!((agg.signed_weight, agg.total_weight, agg.signers.len()), (70, 100, 2));
    let expected: Vec<usize> = [1, 3]
        .iter()
        .map(|i| set.index_of(&keys[*i].public_key()).unwrap())
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect();
    assert_eq!(agg.signers, expected);
    assert!(agg.dropped.is_empty());
    assert_eq!(agg.message.verify(NETWORK, &set, Quorum::DEFAULT).unwrap().signed_weight, 70);

    // Exact inequality, not a rounded threshold: at 70/100, 70 of 100 suffices; at 71/100 a third signer joins.
    let q71 = Quorum::percent(71).unwrap();
    let agg71 = aggregate_signatures(&msg, &set, q71, honest).unwrap();
    assert_eq!((agg71.signed_weight, agg71.signers.len()), (85, 3));
    assert!(agg71.message.verify(NETWORK, &set, q71).is_ok());
}

#[test]
fn registry_signer_aggregator_and_verifier_agree_across_heights() {
    let (r, keys) = registered(&[10, 10, 10]);
    // At height 2 a fourth, heavy validator joins; at 3 validator 0 leaves.
    let heavy = key(50);
    r.register_validator(2, SUBNET, node(50), heavy.public_key(), &heavy.proof_of_possession(), 100).unwrap();
    r.remove_validator(3, SUBNET, node(0)).unwrap();
    let msg = message();
    let signers: Vec<Signer> =
        keys.iter().chain([&heavy]).map(|k| Signer::new(k.clone(), NETWORK, CHAIN)).collect();
    let sigs: Vec<[u8; 96]> = signers.iter().map(|s| s.sign(&msg).unwrap().to_bytes()).collect();
    let nodes = [node(0), node(1), node(2), node(50)];
    let offered: Vec<(NodeId, &[u8])> = nodes.iter().zip(&sigs).map(|(n, s)| (*n, &s[..])).collect();

    let config = WarpConfig {
        network_id: NETWORK,
        subnet_id: Id([0xee; 32]),
        require_primary_network_signers: false,
        quorum: QuorumPolicy::default(),
    };
    let verifier = WarpVerifier::new(&r, config);
    // Signed for height 1 (three validators of 10): it verifies at 1, but not at 2 where
    // the heavy validator dominates the total.
    let at1 =
        aggregate_signatures(&msg, &r.validator_set(&SUBNET, 1).unwrap(), Quorum::DEFAULT, offered.clone())
            .unwrap();
    assert_eq!(at1.signers.len(), 3);
    assert!(verifier.verify(&at1.message, 1).is_ok());
    assert!(verifier.verify(&at1.message, 2).is_err());
    // Signed for height 3: the heavy validator alone is 100 of 120.
    let at3 =
        aggregate_signatures(&msg, &r.validator_set(&SUBNET, 3).unwrap(), Quorum::DEFAULT, offered).unwrap();
    assert_eq!((at3.signers.len(), at3.signed_weight, at3.total_weight), (1, 100, 120));
    assert!(verifier.verify(&at3.message, 3).is_ok());

    // The signature travels in ACP-118 bytes and comes back identical.
    let request = acp118::encode_signature_request(&msg.to_bytes(), &[]);
    let decoded = acp118::decode_signature_request(&request).unwrap();
    let parsed = UnsignedMessage::parse(&decoded.message).unwrap();
    let response = acp118::encode_signature_response(&signers[3].sign(&parsed).unwrap().to_bytes());
    assert_eq!(acp118::decode_signature_response(&response).unwrap(), Some(sigs[3]));
}

#[test]
fn two_node_ids_sharing_a_key_sign_once() {
    let (a, b) = (key(1), key(2));
    let set = CanonicalValidatorSet::new([
        Validator::new(node(1), Some(a.public_key()), 30),
        Validator::new(node(2), Some(a.public_key()), 30),
        Validator::new(node(3), Some(b.public_key()), 40),
    ])
    .unwrap();
    let msg = message();
    let sig_a = a.sign(&msg.to_bytes()).to_bytes();
    let offered: Vec<(NodeId, &[u8])> = vec![(node(1), &sig_a), (node(2), &sig_a)];
    // One canonical validator of merged weight 60: 60 of 100 is short of 67, and the
    // second node's copy is a duplicate, not another 30.
    let err = aggregate_signatures(&msg, &set, Quorum::DEFAULT, offered.clone()).unwrap_err();
    let AggregationError::InsufficientWeight { gathered, dropped, .. } = &err;
    assert_eq!(*gathered, 60);
    assert_eq!(dropped.len(), 1);
    assert_eq!(dropped[0].node_id, node(2));
    assert!(matches!(dropped[0].reason, DropReason::Duplicate { .. }));
    let agg = aggregate_signatures(&msg, &set, Quorum::percent(60).unwrap(), offered).unwrap();
    assert_eq!((agg.signers.len(), agg.signed_weight), (1, 60));
}
