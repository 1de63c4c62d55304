//! Property tests: codec round trips both ways (`decode(encode(x)) == x`, and
//! `encode(decode(b)) == b` for every accepted `b`), bitsets against index sets,
//! aggregates over random signer subsets, and minimal quorums.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use awm_core::bls::{self, SecretKey, Signature};
use awm_core::pchain::{L1ValidatorWeight, PChainOwner, PChainPayload, RegisterL1Validator};
use awm_core::*;
use proptest::prelude::*;

fn id() -> impl Strategy<Value = Id> {
    any::<[u8; 32]>().prop_map(Id)
}

fn payload() -> impl Strategy<Value = Payload> {
    prop_oneof![
        id().prop_map(|hash| Payload::Hash(Hash { hash })),
        (prop::collection::vec(any::<u8>(), 0..40), prop::collection::vec(any::<u8>(), 0..300))
            .prop_map(|(a, p)| Payload::AddressedCall(AddressedCall::new(a, p).unwrap())),
    ]
}

fn unsigned() -> impl Strategy<Value = UnsignedMessage> {
    (any::<u32>(), id(), prop::collection::vec(any::<u8>(), 0..400))
        .prop_map(|(n, c, p)| UnsignedMessage::new(n, c, p).unwrap())
}

fn signed() -> impl Strategy<Value = Message> {
    (unsigned(), prop::collection::vec(any::<u8>(), 0..40), prop::collection::vec(any::<u8>(), 96)).prop_map(
        |(u, signers, sig)| {
            let sig: [u8; 96] = sig.try_into().unwrap();
            Message::new(u, BitSetSignature::new(SignerBitSet::from_bytes(signers).unwrap(), sig))
        },
    )
}

fn pchain_payload() -> impl Strategy<Value = PChainPayload> {
    let owner = (any::<u32>(), prop::collection::vec(any::<[u8; 20]>(), 0..4))
        .prop_map(|(threshold, addresses)| PChainOwner { threshold, addresses });
    prop_oneof![
        (id(), any::<u64>(), any::<u64>()).prop_map(|(v, nonce, weight)| PChainPayload::L1ValidatorWeight(
            L1ValidatorWeight { validation_id: v, nonce, weight }
        )),
        (
            id(),
            prop::collection::vec(any::<u8>(), 0..32),
            prop::collection::vec(any::<u8>(), 48),
            any::<u64>(),
            owner.clone(),
            owner,
            any::<u64>()
        )
            .prop_map(
                |(subnet_id, node_id, pk, expiry, remaining_balance_owner, disable_owner, weight)| {
                    PChainPayload::RegisterL1Validator(RegisterL1Validator {
                        subnet_id,
                        node_id,
                        bls_public_key: pk.try_into().unwrap(),
                        expiry,
                        remaining_balance_owner,
                        disable_owner,
                        weight,
                    })
                }
            ),
    ]
}

/// A valid encoding with one edit: a byte changed, the input cut, or bytes appended.
fn mutate(bytes: Vec<u8>, kind: u8, pos: usize, value: u8) -> Vec<u8> {
    let mut b = bytes;
    let at = if b.is_empty() { 0 } else { pos % b.len() };
    match kind % 3 {
        0 if !b.is_empty() => b[at] = value,
        1 => b.truncate(at),
        _ => b.extend(std::iter::repeat_n(value, 1 + pos % 3)),
    }
    b
}

proptest! {
    #[test]
    fn payload_round_trip(p in payload()) {
        let bytes = p.to_bytes();
        prop_assert_eq!(Payload::parse(&bytes).unwrap(), p);
    }

    #[test]
    fn unsigned_round_trip(m in unsigned()) {
        let bytes = m.to_bytes();
        prop_assert_eq!(bytes.len(), 42 + m.payload().len());
        prop_assert_eq!(UnsignedMessage::parse(&bytes).unwrap(), m);
    }

    #[test]
    fn signed_round_trip(m in signed()) {
        let bytes = m.to_bytes();
        prop_assert!(bytes.starts_with(&m.unsigned().to_bytes()));
        prop_assert_eq!(Message::parse(&bytes).unwrap(), m);
    }

    #[test]
    fn pchain_round_trip(p in pchain_payload()) {
        let bytes = p.to_bytes().unwrap();
        prop_assert_eq!(PChainPayload::parse(&bytes).unwrap(), p);
    }

    /// Whatever the decoders accept re-encodes to exactly the same bytes.
    #[test]
    fn accepted_bytes_re_encode_identically(
        m in signed(), p in payload(), pc in pchain_payload(),
        kind in any::<u8>(), pos in any::<usize>(), value in any::<u8>(),
    ) {
        let b = mutate(m.to_bytes(), kind, pos, value);
        if let Ok(parsed) = Message::parse(&b) { prop_assert_eq!(parsed.to_bytes(), b.clone()); }
        if let Ok(parsed) = UnsignedMessage::parse(&b) { prop_assert_eq!(parsed.to_bytes(), b.clone()); }
        let b = mutate(m.unsigned().to_bytes(), kind, pos, value);
        if let Ok(parsed) = UnsignedMessage::parse(&b) { prop_assert_eq!(parsed.to_bytes(), b); }
        let b = mutate(p.to_bytes(), kind, pos, value);
        if let Ok(parsed) = Payload::parse(&b) { prop_assert_eq!(parsed.to_bytes(), b); }
        let b = mutate(pc.to_bytes().unwrap(), kind, pos, value);
        if let Ok(parsed) = PChainPayload::parse(&b) { prop_assert_eq!(parsed.to_bytes().unwrap(), b); }
    }

    /// Arbitrary bytes never panic a decoder, and anything accepted re-encodes identically.
    #[test]
    fn arbitrary_bytes_never_panic(b in prop::collection::vec(any::<u8>(), 0..200)) {
        if let Ok(m) = Message::parse(&b) { prop_assert_eq!(m.to_bytes(), b.clone()); }
        if let Ok(m) = UnsignedMessage::parse(&b) { prop_assert_eq!(m.to_bytes(), b.clone()); }
        if let Ok(p) = Payload::parse(&b) { prop_assert_eq!(p.to_bytes(), b.clone()); }
        if let Ok(p) = PChainPayload::parse(&b) { prop_assert_eq!(p.to_bytes().unwrap(), b.clone()); }
    }

    #[test]
    fn bitset_from_indices_round_trips(indices in prop::collection::btree_set(0usize..2000, 0..64)) {
        let set = SignerBitSet::from_indices(indices.iter().copied());
        prop_assert!(set.is_canonical());
        prop_assert_eq!(set.indices().collect::<BTreeSet<_>>(), indices.clone());
        prop_assert_eq!(set.num_signers().unwrap(), indices.len());
        prop_assert_eq!(set.bit_len(), indices.iter().next_back().map_or(0, |m| m + 1));
        for i in 0..2000 {
            prop_assert_eq!(set.contains(i), indices.contains(&i));
        }
    }

    #[test]
    fn bitset_bytes_round_trip(bytes in prop::collection::vec(any::<u8>(), 0..64)) {
        let set = SignerBitSet::from_bytes(bytes.clone()).unwrap();
        let rebuilt = SignerBitSet::from_indices(set.indices());
        let first_nonzero = bytes.iter().position(|b| *b != 0).unwrap_or(bytes.len());
        // Re-encoding drops exactly the leading zero bytes; canonical input survives unchanged.
        prop_assert_eq!(rebuilt.as_bytes(), &bytes[first_nonzero..]);
        prop_assert_eq!(set.is_canonical(), first_nonzero == 0 || bytes.is_empty());
    }
}

const NETWORK: u32 = 5;

/// Twelve validators, keys derived once for all cases.
fn keys() -> &'static [SecretKey] {
    static KEYS: OnceLock<Vec<SecretKey>> = OnceLock::new();
    KEYS.get_or_init(|| (0..12u8).map(|i| SecretKey::from_seed(&[i.wrapping_mul(31); 40]).unwrap()).collect())
}

fn signed_by(set: &CanonicalValidatorSet, signers: &[usize], msg: &UnsignedMessage) -> BitSetSignature {
    let bytes = msg.to_bytes();
    let by_index: Vec<Signature> = signers
        .iter()
        .map(|i| {
            let pk = set.validators()[*i].public_key;
            keys().iter().find(|k| k.public_key() == pk).unwrap().sign(&bytes)
        })
        .collect();
    let sig = bls::aggregate_signatures(&by_index).unwrap().to_bytes();
    BitSetSignature::new(SignerBitSet::from_indices(signers.iter().copied()), sig)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, ..ProptestConfig::default() })]

    /// Any non-empty subset of signers produces an aggregate that verifies.
    #[test]
    fn aggregate_over_random_subset_verifies(
        weights in prop::collection::vec(1u64..1_000_000, 12),
        subset in prop::collection::btree_set(0usize..12, 1..12),
        payload in prop::collection::vec(any::<u8>(), 0..100),
    ) {
        let set = CanonicalValidatorSet::new(
            keys().iter().zip(&weights).enumerate().map(|(i, (k, w))| Validator::new(NodeId([i as u8; 20]), Some(k.public_key()), *w)),
        ).unwrap();
        let msg = UnsignedMessage::new(NETWORK, Id([3; 32]), payload).unwrap();
        let signers: Vec<usize> = subset.into_iter().collect();
        let sig = signed_by(&set, &signers, &msg);
        let expected: u64 = signers.iter().map(|i| set.validators()[*i].weight).sum();
        let any_quorum = Quorum::new(0, 1).unwrap();
        let ok = sig.verify(&msg, NETWORK, &set, any_quorum).unwrap();
        prop_assert_eq!(ok.signed_weight, expected);
        prop_assert_eq!(ok.signers, signers.len());
        // The same signature over another message fails.
        let other = UnsignedMessage::new(NETWORK, Id([4; 32]), vec![]).unwrap();
        let bad = sig.verify(&other, NETWORK, &set, any_quorum).unwrap_err();
        prop_assert!(matches!(bad, VerifyError::InvalidSignature { .. }), "{:?}", bad);
    }

    /// The heaviest-first prefix that just meets the quorum verifies, and dropping any
    /// one of its signers fails the weight check with the numbers.
    #[test]
    fn dropping_any_signer_of_a_just_quorum_set_fails(
        weights in prop::collection::vec(1u64..1_000, 12),
        pct in 1u64..=100,
    ) {
        let quorum = Quorum::percent(pct).unwrap();
        let set = CanonicalValidatorSet::new(
            keys().iter().zip(&weights).enumerate().map(|(i, (k, w))| Validator::new(NodeId([i as u8; 20]), Some(k.public_key()), *w)),
        ).unwrap();
        let mut order: Vec<usize> = (0..set.len()).collect();
        order.sort_by_key(|i| std::cmp::Reverse(set.validators()[*i].weight));
        let mut signers = Vec::new();
        let mut signed = 0u64;
        for i in order {
            if quorum.is_met(signed, set.total_weight()) { break; }
            signers.push(i);
            signed += set.validators()[i].weight;
        }
        prop_assert!(quorum.is_met(signed, set.total_weight()));
        let msg = UnsignedMessage::new(NETWORK, Id([5; 32]), b"quorum".to_vec()).unwrap();
        let sig = signed_by(&set, &signers, &msg);
        prop_assert!(sig.verify(&msg, NETWORK, &set, quorum).is_ok());
        for drop in 0..signers.len() {
            let fewer: Vec<usize> = signers.iter().enumerate().filter(|(j, _)| *j != drop).map(|(_, i)| *i).collect();
            let weaker = BitSetSignature::new(SignerBitSet::from_indices(fewer.iter().copied()), *sig.signature());
            match weaker.verify(&msg, NETWORK, &set, quorum) {
                Err(VerifyError::InsufficientWeight { signed: s, total, quorum: q }) => {
                    prop_assert_eq!(s, signed - set.validators()[signers[drop]].weight);
                    prop_assert_eq!(total, set.total_weight());
                    prop_assert_eq!(q, quorum);
                }
                other => prop_assert!(false, "dropping signer {} gave {:?}", drop, other),
            }
        }
    }
}

// Round trips of the other decoders the fuzz targets (`fuzz/`) drive: predicates,
// block results, ACP-118 bodies and validator JSON, each both ways.
proptest! {
    /// `unpack` accepts exactly what re-packs to the same storage keys.
    #[test]
    fn accepted_predicates_re_pack_identically(
        bytes in prop::collection::vec(any::<u8>(), 0..200),
        kind in any::<u8>(), pos in any::<usize>(), value in any::<u8>(),
    ) {
        let keys = awm::predicate::pack(&bytes);
        let flat: Vec<u8> = keys.iter().flat_map(|k| k.0).collect();
        let edited = mutate(flat, kind, pos, value);
        let keys: Vec<awm::predicate::B256> = edited
            .chunks(32)
            .map(|c| { let mut k = [0u8; 32]; k[..c.len()].copy_from_slice(c); awm::predicate::B256::from(k) })
            .collect();
        if let Ok(unpacked) = awm::predicate::unpack(&keys) {
            prop_assert_eq!(awm::predicate::pack(&unpacked), keys);
        }
    }

    /// Accepted results bytes re-encode to bytes that parse to the same results, and
    /// to the input itself when its bitsets were canonical.
    #[test]
    fn accepted_results_re_encode(
        entries in prop::collection::vec((any::<[u8; 32]>(), prop::collection::vec(0usize..40, 0..4)), 0..4),
        kind in any::<u8>(), pos in any::<usize>(), value in any::<u8>(),
    ) {
        use awm::predicate::{FailureBits, PredicateResults, WARP_ADDRESS};
        let mut results = PredicateResults::new();
        for (tx, failed) in entries {
            results.set(tx.into(), WARP_ADDRESS, FailureBits::from_indices(failed));
        }
        let b = mutate(results.to_bytes().unwrap(), kind, pos, value);
        if let Ok(parsed) = PredicateResults::parse(&b) {
            let again = parsed.to_bytes().unwrap();
            prop_assert_eq!(PredicateResults::parse(&again).unwrap(), parsed);
            prop_assert!(again.len() <= b.len());
            if again.len() == b.len() { prop_assert_eq!(again, b); }
        }
    }

    /// ACP-118 requests and responses decode to what was encoded.
    #[test]
    fn acp118_round_trip(
        message in prop::collection::vec(any::<u8>(), 0..300),
        justification in prop::collection::vec(any::<u8>(), 0..60),
        signature in prop::collection::vec(any::<u8>(), 96),
    ) {
        use awm::core::acp118::*;
        let request = decode_signature_request(&encode_signature_request(&message, &justification)).unwrap();
        prop_assert_eq!(request.message, message);
        prop_assert_eq!(request.justification, justification);
        let signature: [u8; 96] = signature.try_into().unwrap();
        prop_assert_eq!(decode_signature_response(&encode_signature_response(&signature)).unwrap(), Some(signature));
    }

    /// A `getValidatorsAt` answer written from validators loads back to them.
    #[test]
    fn validator_json_round_trip(
        entries in prop::collection::btree_map(any::<[u8; 20]>(), (prop::option::of(0usize..12), any::<u64>()), 0..12),
        rpc in any::<bool>(),
    ) {
        let map: serde_json::Map<String, serde_json::Value> = entries
            .iter()
            .map(|(node, (key, weight))| {
                let pk = key.map(|k| format!("0x{}", hex::encode(keys()[k].public_key().to_compressed())));
                (NodeId(*node).to_string(), serde_json::json!({ "publicKey": pk, "weight": weight.to_string() }))
            })
            .collect();
        let json = if rpc {
            serde_json::json!({ "jsonrpc": "2.0", "result": { "validators": map }, "id": 1 })
        } else {
            serde_json::Value::Object(map)
        };
        let mut loaded = parse_get_validators_at(&json.to_string()).unwrap();
        loaded.sort_by_key(|v| v.node_ids.clone());
        let expected: Vec<Validator> = entries
            .iter()
            .map(|(node, (key, weight))| Validator::new(NodeId(*node), key.map(|k| keys()[k].public_key()), *weight))
            .collect();
        prop_assert_eq!(loaded, expected);
    }
}

// The pre-verification gas rule computes the non-access-list intrinsic gas
// itself (it has no EVM): it must agree with revm's at Cancun, which prices
// calldata and init code as Subnet-EVM's Durango does.
proptest! {
    #[test]
    fn intrinsic_gas_without_access_list_matches_revm(
        data in prop::collection::vec(prop_oneof![Just(0u8), any::<u8>()], 0..600),
        is_create in any::<bool>(),
    ) {
        let ours = awm::predicate::gas::intrinsic_gas_without_access_list(&data, is_create);
        let revm = revm::context_interface::cfg::gas::calculate_initial_tx_gas(
            revm::primitives::hardfork::SpecId::CANCUN, &data, is_create, 0, 0, 0, None,
        );
        prop_assert_eq!(ours, revm.initial_regular_gas + revm.initial_state_gas);
    }
}
