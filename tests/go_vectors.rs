//! Known answers from the Go repositories (`awm-reference.md` §10.1): avalanchego's
//! five local-network BLS keys and their proofs of possession, the canonical order
//! they sort into, other keys from avalanchego's tests, and the signature
//! verification edge cases of `vms/platformvm/warp/signature_test.go` as a table.

use awm_core::bls::{self, BlsError, PublicKey, SecretKey, Signature};
use awm_core::*;

/// (compressed public key, proof of possession) of `AvalancheLocalNetworkValidator0N`.
const LOCAL: [(&str, &str); 5] = [
    ("900c9b119b5c82d781d4b49be78c3fc7ae65f2b435b7ed9e3a8b9a03e475edff86d8a64827fec8db23a6f236afbf127d",
     "8bfd6d4d2086b2b8115d8f72f94095fefe5a6c07876b2accf51a811adf520f389e74a3d2152a6d90b521e2be58ffe468043dc5ea68b4c44410eb67f8dc24f13ed4f194000764c0e922cd254a3588a4962b1cb4db7de4bb9cda9d9d4d6b03f3d2"),
    ("a058ff27a4c570664bfa28e34939368539a1340867951943d0f56fa8aac13bc09ff64f341acf8cc0cef74202c2d6f9c0",
     "ac52195616344127df74d924e11701ca5e0867647ae36171d168fcf95d536e94061659b3edb924fffdb69dd5aa5cb2d703f8920c825c8f7b74dd0112c9c27814790bfcfa3a08e1d9358da1c54e1f6c0b4d9772432f79d7dceaa3a95c3a7e6adc"),
    ("a10b6955a85684a0f5c94b8381f04506f1bee60625927d372323f78b3d30196cc56c8618c77eaf429298e74673d832c3",
     "8d505f7b53960813f1e007f04702ae1bd524cce036b4695fbf8a16eb50b35cdbdd4eedec2b0ce281f35ae36e3ac29fb40867c94cabe2ba0b462f177dd8c3d293b0586b92d392e8278711fb434fe2601ae1b2e0867cfd128180c936a8010c5552"),
    ("accd61ceb90c61628aa0fa34acab27ecb08f6897e9ccad283578c278c52109f9e10e4f8bc31aa6d7905c4e1623de367e",
     "910082e2b61fe4895b4a8f754c9e3a93c346156363acf67546a87e4bc1db7bbfa3239daa5292ad9bc30a11f60e59bbd30b375785b71fe45abd154d717b6471c2406df2534297305ae93d6abeb38fc461170fc0b74b8aa4550f30257a264c75b0"),
    ("8048109c3da13de0700f9f3590c3270bfc42277417f6d0cc84282947e1a1f8b4980fd3e3fe223acf0f56a5838890814a",
     "b034e0d0ec808b7ec456a6d88bdad7b32854794605a11139d70430d81fb93834a3f81d8969042952daff335fec51018016a7ecb19d38597c5743a4eb3fb945ebe28a4250dd7bcb7a192c98d2fcaf15320a9bee239c66ddf61bb24f87c6e91971"),
];

fn local_key(n: usize) -> SecretKey {
    SecretKey::from_bytes(format!("AvalancheLocalNetworkValidator0{n}").as_bytes()).unwrap()
}

#[test]
fn local_keys_public_keys_and_proofs_of_possession() {
    for (i, (pk_hex, pop_hex)) in LOCAL.iter().enumerate() {
        let sk = local_key(i + 1);
        assert_eq!(
            hex::encode(sk.to_bytes()),
            hex::encode(format!("AvalancheLocalNetworkValidator0{}", i + 1))
        );
        let pk = sk.public_key();
        assert_eq!(hex::encode(pk.to_compressed()), *pk_hex, "key {}", i + 1);
        // BLS signatures are deterministic: re-signing reproduces the published PoP.
        let pop = sk.proof_of_possession();
        assert_eq!(hex::encode(pop.to_bytes()), *pop_hex, "key {}", i + 1);
        let parsed_pk = PublicKey::from_compressed(&hex::decode(pk_hex).unwrap()).unwrap();
        let parsed_pop = Signature::from_bytes(&hex::decode(pop_hex).unwrap()).unwrap();
        assert!(parsed_pk.verify_proof_of_possession(&parsed_pop));
        // A PoP does not verify as a message signature over the same bytes.
        assert!(!parsed_pk.verify(&parsed_pk.to_compressed(), &parsed_pop));
    }
}

#[test]
fn canonical_order_is_by_uncompressed_key() {
    let set = CanonicalValidatorSet::new(
        (1..=5).map(|n| Validator::new(NodeId([n as u8; 20]), Some(local_key(n).public_key()), 1)),
    )
    .unwrap();
    let order: Vec<u8> = set.validators().iter().map(|v| v.node_ids[0].0[0]).collect();
    assert_eq!(order, vec![5, 2, 3, 4, 1]);
    // The compressed order would differ: [5, 1, 2, 3, 4].
    let mut by_compressed: Vec<usize> = (1..=5).collect();
    by_compressed.sort_by_key(|n| local_key(*n).public_key().to_compressed());
    assert_eq!(by_compressed, vec![5, 1, 2, 3, 4]);
}

#[test]
fn other_published_keys_parse() {
    for pk in [
        "88c4760201a451619475ff7d3782d02381826bad5bef306d1ff6b22d3fb2e137bc004d867054efc241463fe4b21c61af",
        "879aadf523f1682a3ebcec7ab27f90924a4fed8e346236bb48402cd8c19bfe6653ee82935a02e8823cb9738ff0588182",
    ] {
        let key = PublicKey::from_compressed(&hex::decode(pk).unwrap()).unwrap();
        assert_eq!(hex::encode(key.to_compressed()), pk);
    }
}

const NETWORK: u32 = 10; // avalanchego's unit-test network ID
const CHAIN: Id = Id([0x42; 32]);

struct Fixture {
    keys: Vec<SecretKey>,
    set: CanonicalValidatorSet,
    msg: UnsignedMessage,
}

/// The five local validators with weights 10..50, and a message from CHAIN.
fn fixture() -> Fixture {
    let keys: Vec<SecretKey> = (1..=5).map(local_key).collect();
    let set = CanonicalValidatorSet::new(
        keys.iter()
            .enumerate()
            .map(|(i, k)| Validator::new(NodeId([i as u8; 20]), Some(k.public_key()), 10 * (i as u64 + 1))),
    )
    .unwrap();
    let payload = AddressedCall::new(vec![1; 20], b"payload".to_vec()).unwrap().to_bytes();
    let msg = UnsignedMessage::new(NETWORK, CHAIN, payload).unwrap();
    Fixture { keys, set, msg }
}

impl Fixture {
    /// Canonical indices and aggregate signature of the given keys (1-based key numbers).
    fn sign(&self, key_numbers: &[usize], msg: &[u8]) -> (Vec<usize>, [u8; 96]) {
        let indices =
            key_numbers.iter().map(|n| self.set.index_of(&self.keys[n - 1].public_key()).unwrap()).collect();
        let sigs: Vec<Signature> = key_numbers.iter().map(|n| self.keys[n - 1].sign(msg)).collect();
        (indices, bls::aggregate_signatures(&sigs).unwrap().to_bytes())
    }
}

#[test]
fn signature_verification_table() {
    let f = fixture();
    let msg_bytes = f.msg.to_bytes();
    let (all_idx, all_sig) = f.sign(&[1, 2, 3, 4, 5], &msg_bytes);
    let (heavy_idx, heavy_sig) = f.sign(&[3, 4, 5], &msg_bytes); // 120 of 150 = 80%
    let (light_idx, light_sig) = f.sign(&[1, 2, 3], &msg_bytes); // 60 of 150 = 40%
    let (_, other_msg_sig) = f.sign(&[1, 2, 3, 4, 5], b"another message");
    let pop_dst_sig = {
        let sigs: Vec<Signature> = f.keys.iter().map(|k| k.proof_of_possession()).collect();
        bls::aggregate_signatures(&sigs).unwrap().to_bytes()
    };
    let mut infinity = [0u8; 96];
    infinity[0] = 0xc0;
    let mut not_a_point = [0u8; 96];
    not_a_point[0] = 0x80; // compression flag, x = 0: not on the curve
    let bits = |idx: &[usize]| SignerBitSet::from_indices(idx.iter().copied());
    let raw = |b: &[u8]| SignerBitSet::from_bytes(b.to_vec()).unwrap();
    let q = Quorum::DEFAULT;

    type Check = fn(&Result<VerifiedWeight, VerifyError>) -> bool;
    let cases: Vec<(&str, u32, SignerBitSet, [u8; 96], Check)> = vec![
        ("valid, all signers", NETWORK, bits(&all_idx), all_sig, |r| {
            matches!(r, Ok(VerifiedWeight { signers: 5, signed_weight: 150, total_weight: 150 }))
        }),
        ("valid, partial signers", NETWORK, bits(&heavy_idx), heavy_sig, |r| {
            matches!(r, Ok(VerifiedWeight { signers: 3, signed_weight: 120, total_weight: 150 }))
        }),
        ("wrong network ID", NETWORK + 1, bits(&all_idx), all_sig, |r| {
            matches!(r, Err(VerifyError::WrongNetworkId { expected: 11, actual: 10 }))
        }),
        ("wrong network beats a bad bitset", NETWORK + 1, raw(&[0]), all_sig, |r| {
            matches!(r, Err(VerifyError::WrongNetworkId { .. }))
        }),
        ("invalid bitset 00", NETWORK, raw(&[0]), all_sig, |r| {
            matches!(r, Err(VerifyError::InvalidBitSet(NonCanonicalBitSet { len: 1 })))
        }),
        ("inefficient bitset 00 01", NETWORK, raw(&[0, 1]), all_sig, |r| {
            matches!(r, Err(VerifyError::InvalidBitSet(NonCanonicalBitSet { len: 2 })))
        }),
        ("unknown validator (index 5 of 5)", NETWORK, bits(&[0, 5]), all_sig, |r| {
            matches!(r, Err(VerifyError::UnknownValidator { index: 5, set_size: 5 }))
        }),
        ("bitset larger than the set", NETWORK, raw(&[1, 0]), all_sig, |r| {
            matches!(r, Err(VerifyError::UnknownValidator { index: 8, set_size: 5 }))
        }),
        ("insufficient weight", NETWORK, bits(&light_idx), light_sig, |r| {
            matches!(r, Err(VerifyError::InsufficientWeight { signed: 60, total: 150, .. }))
        }),
        ("insufficient weight beats a malformed signature", NETWORK, bits(&light_idx), not_a_point, |r| {
            matches!(r, Err(VerifyError::InsufficientWeight { .. }))
        }),
        ("no signers", NETWORK, bits(&[]), all_sig, |r| {
            matches!(r, Err(VerifyError::InsufficientWeight { signed: 0, total: 150, .. }))
        }),
        ("malformed signature", NETWORK, bits(&all_idx), not_a_point, |r| {
            matches!(r, Err(VerifyError::ParseSignature(BlsError::SignatureEncoding(_))))
        }),
        ("invalid signature (other message)", NETWORK, bits(&all_idx), other_msg_sig, |r| {
            matches!(r, Err(VerifyError::InvalidSignature { signers: 5 }))
        }),
        ("signature with the PoP DST", NETWORK, bits(&all_idx), pop_dst_sig, |r| {
            matches!(r, Err(VerifyError::InvalidSignature { .. }))
        }),
        ("signers do not match the signature", NETWORK, bits(&all_idx), heavy_sig, |r| {
            matches!(r, Err(VerifyError::InvalidSignature { .. }))
        }),
        ("infinity signature parses but never verifies", NETWORK, bits(&all_idx), infinity, |r| {
            matches!(r, Err(VerifyError::InvalidSignature { .. }))
        }),
    ];
    for (name, network, signers, sig, check) in cases {
        let result = BitSetSignature::new(signers, sig).verify(&f.msg, network, &f.set, q);
        assert!(check(&result), "{name}: got {result:?}");
        if let Err(e) = &result {
            assert!(!e.to_string().is_empty());
        }
    }
}

#[test]
fn insufficient_weight_message_names_the_numbers() {
    let f = fixture();
    let (idx, sig) = f.sign(&[1, 2, 3], &f.msg.to_bytes());
    let err = BitSetSignature::new(SignerBitSet::from_indices(idx), sig).verify(
        &f.msg,
        NETWORK,
        &f.set,
        Quorum::DEFAULT,
    );
    assert_eq!(err.unwrap_err().to_string(), "signed weight 60 of total 150 is below quorum 67/100");
}

#[test]
fn zero_total_weight_passes_the_weight_check_then_has_no_keys() {
    let f = fixture();
    // No validator at all: the empty bitset meets any quorum of 0, then fails
    // for lack of keys. (A set of zero-weight validators would do the same in
    // Go; it is refused when built here, as the P-Chain never reports one.)
    let set = CanonicalValidatorSet::new([]).unwrap();
    let (_, sig) = f.sign(&[1], &f.msg.to_bytes());
    let err =
        BitSetSignature::new(SignerBitSet::default(), sig).verify(&f.msg, NETWORK, &set, Quorum::DEFAULT);
    assert_eq!(err.unwrap_err(), VerifyError::NoPublicKeys);
    let zero = f
        .keys
        .iter()
        .enumerate()
        .map(|(i, k)| Validator::new(NodeId([i as u8; 20]), Some(k.public_key()), 0));
    assert_eq!(
        CanonicalValidatorSet::new(zero),
        Err(ValidatorSetError::ZeroWeight { index: 0, node: NodeId([0; 20]) })
    );
}

#[test]
fn duplicate_keys_sign_once_with_merged_weight() {
    let f = fixture();
    // Key 1 held by three node IDs: one canonical validator of weight 3 × 10.
    let mut validators: Vec<Validator> =
        (0..3).map(|i| Validator::new(NodeId([100 + i; 20]), Some(f.keys[0].public_key()), 10)).collect();
    validators.push(Validator::new(NodeId([200; 20]), Some(f.keys[1].public_key()), 10));
    validators.push(Validator::new(NodeId([201; 20]), None, 4)); // keyless: counts in the total only
    let set = CanonicalValidatorSet::new(validators).unwrap();
    assert_eq!((set.len(), set.total_weight()), (2, 44));
    let i1 = set.index_of(&f.keys[0].public_key()).unwrap();
    assert_eq!(set.validators()[i1].node_ids.len(), 3);
    let sig = f.keys[0].sign(&f.msg.to_bytes()).to_bytes();
    let ok = BitSetSignature::new(SignerBitSet::from_indices([i1]), sig).verify(
        &f.msg,
        NETWORK,
        &set,
        Quorum::DEFAULT,
    );
    assert_eq!(ok.unwrap(), VerifiedWeight { signers: 1, signed_weight: 30, total_weight: 44 });
}
