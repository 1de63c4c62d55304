//! Aggregation by group checks ([`aggregate_signatures`] over [`awm_core::sift`])
//! against the plain way, one verification per signature, on random offers:
//! honest, lying, unparseable, outside the subgroup, repeated and colluding
//! signatures, random weights and quorums.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use std::sync::OnceLock;

use awm_core::bls::{self, SecretKey, Signature};
use awm_core::sift::{OneMessage, UncheckedSignature};
use awm_core::*;
use proptest::prelude::*;

const NETWORK: u32 = 5;
const CHAIN: Id = Id([0xc4; 32]);
const N: usize = 12;

struct Fixture {
    keys: Vec<SecretKey>,
    msg: UnsignedMessage,
    good: Vec<[u8; 96]>,
    wrong: Vec<[u8; 96]>,
    off_group: [u8; 96],
}

fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let keys: Vec<SecretKey> =
            (0..N as u8).map(|i| SecretKey::from_seed(&[i + 1; 32]).unwrap()).collect();
        let msg = UnsignedMessage::new(NETWORK, CHAIN, b"aggregate me".to_vec()).unwrap();
        let good = keys.iter().map(|k| k.sign(&msg.to_bytes()).to_bytes()).collect();
        let wrong = keys.iter().map(|k| k.sign(b"another message").to_bytes()).collect();
        Fixture { keys, msg, good, wrong, off_group: off_group_point() }
    })
}

/// A canonical encoding of a point on the curve outside the G2 subgroup.
fn off_group_point() -> [u8; 96] {
    for seed in 0u32.. {
        let mut bytes = [0u8; 96];
        for (i, b) in bytes.iter_mut().enumerate() {
            *b = (seed.wrapping_mul(2654435761).wrapping_add(i as u32 * 40503) >> 7) as u8;
        }
        bytes[0] = 0x80 | (bytes[0] & 0x1f);
        if UncheckedSignature::from_bytes(&bytes).is_ok()
            && Signature::from_bytes(&bytes) == Err(bls::BlsError::SignatureNotInGroup)
        {
            return bytes;
        }
    }
    unreachable!()
}

fn node(i: usize) -> NodeId {
    NodeId([i as u8 + 1; 20])
}

fn set(weights: &[u64]) -> CanonicalValidatorSet {
    let fx = fixture();
    CanonicalValidatorSet::new(
        weights.iter().enumerate().map(|(i, w)| Validator::new(node(i), Some(fx.keys[i].public_key()), *w)),
    )
    .unwrap()
}

/// The plain way: heaviest first, each signature verified on its own.
fn one_by_one(
    set: &CanonicalValidatorSet,
    quorum: Quorum,
    offered: &[(NodeId, Vec<u8>)],
) -> Result<(Vec<usize>, u64), u64> {
    let fx = fixture();
    let bytes = fx.msg.to_bytes();
    let mut order: Vec<(usize, &[u8])> =
        offered.iter().filter_map(|(n, s)| set.index_of_node(n).map(|i| (i, s.as_slice()))).collect();
    let w = |i: usize| set.validators()[i].weight;
    order.sort_by_key(|(i, _)| (std::cmp::Reverse(w(*i)), *i));
    let (mut signers, mut signed) = (Vec::new(), 0u64);
    for (i, s) in order {
        if quorum.is_met(signed, set.total_weight()) && !signers.is_empty() {
            break;
        }
        if signers.contains(&i) {
            continue;
        }
        if Signature::from_bytes(s).is_ok_and(|s| set.validators()[i].public_key.verify(&bytes, &s)) {
            signers.push(i);
            signed += w(i);
        }
    }
    signers.sort_unstable();
    if quorum.is_met(signed, set.total_weight()) {
        Ok((signers, signed))
    } else {
        Err(signed)
    }
}

#[derive(Debug, Clone, Copy)]
enum Offer {
    Nothing,
    Good,
    Wrong,
    Garbage,
    OffGroup,
    WrongThenGood,
    GoodTwice,
}

fn offer() -> impl Strategy<Value = Offer> {
    prop_oneof![
        1 => Just(Offer::Nothing),
        5 => Just(Offer::Good),
        2 => Just(Offer::Wrong),
        1 => Just(Offer::Garbage),
        1 => Just(Offer::OffGroup),
        1 => Just(Offer::WrongThenGood),
        1 => Just(Offer::GoodTwice),
    ]
}

fn offered(offers: &[Offer]) -> Vec<(NodeId, Vec<u8>)> {
    let fx = fixture();
    let mut out = Vec::new();
    for (i, o) in offers.iter().enumerate() {
        let (good, wrong) = (fx.good[i].to_vec(), fx.wrong[i].to_vec());
        match o {
            Offer::Nothing => {}
            Offer::Good => out.push((node(i), good)),
            Offer::Wrong => out.push((node(i), wrong)),
            Offer::Garbage => out.push((node(i), vec![0x11; 96])),
            Offer::OffGroup => out.push((node(i), fx.off_group.to_vec())),
            Offer::WrongThenGood => out.extend([(node(i), wrong), (node(i), good)]),
            Offer::GoodTwice => out.extend([(node(i), good.clone()), (node(i), good)]),
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Without colluding liars, group checks choose exactly what one-by-one
    /// verification chooses, and every aggregate verifies.
    #[test]
    fn group_checks_choose_what_one_by_one_chooses(
        weights in proptest::collection::vec(1u64..100, N),
        offers in proptest::collection::vec(offer(), N),
        num in 1u64..=10,
    ) {
        let set = set(&weights);
        let quorum = Quorum::new(num, 10).unwrap();
        let offered = offered(&offers);
        let expected = one_by_one(&set, quorum, &offered);
        let got = aggregate_signatures(
            &fixture().msg, &set, quorum, offered.iter().map(|(n, s)| (*n, s.as_slice())),
        );
        match (got, expected) {
            (Ok(agg), Ok((signers, signed))) => {
                prop_assert_eq!(&agg.signers, &signers);
                prop_assert_eq!(agg.signed_weight, signed);
                let verified = agg.message.verify(NETWORK, &set, quorum).unwrap();
                prop_assert_eq!(verified.signed_weight, signed);
                // Nothing valid on its own was dropped as invalid.
                for d in &agg.dropped {
                    if d.reason == DropReason::Invalid {
                        let i = usize::from(d.node_id.0[0]) - 1;
                        prop_assert!(!matches!(offers[i], Offer::Good | Offer::GoodTwice));
                    }
                }
            }
            (Err(AggregationError::InsufficientWeight { gathered, .. }), Err(signed)) => {
                prop_assert_eq!(gathered, signed);
            }
            (got, expected) => prop_assert!(false, "group checks {got:?}, one by one {expected:?}"),
        }
    }
}

#[test]
fn colluding_liars_whose_errors_cancel_give_a_valid_aggregate() {
    let fx = fixture();
    let set = set(&[10; N]);
    // Validators 0 and 1 send σ₀ + δ and σ₁ − δ: each is wrong alone, their sum is right.
    let delta = fx.keys[5].sign(b"delta");
    let neg_delta = SecretKey::from_bytes(&{
        // −sk₅ mod r, so that σ(−sk₅) = −δ.
        let r = hex_literal("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001");
        sub_mod(&r, &fx.keys[5].to_bytes())
    })
    .unwrap()
    .sign(b"delta");
    let good0 = Signature::from_bytes(&fx.good[0]).unwrap();
    let good1 = Signature::from_bytes(&fx.good[1]).unwrap();
    let liar0 = bls::aggregate_signatures(&[good0, delta]).unwrap().to_bytes();
    let liar1 = bls::aggregate_signatures(&[good1, neg_delta]).unwrap().to_bytes();
    let bytes = fx.msg.to_bytes();
    for liar in [&liar0, &liar1] {
        let sig = Signature::from_bytes(liar).unwrap();
        assert!(
            !fx.keys[0].public_key().verify(&bytes, &sig) && !fx.keys[1].public_key().verify(&bytes, &sig)
        );
    }
    // 8 of 12 signatures meet 2/3: the liars and six honest validators.
    let mut offered: Vec<(NodeId, Vec<u8>)> = vec![(node(0), liar0.to_vec()), (node(1), liar1.to_vec())];
    offered.extend((2..8).map(|i| (node(i), fx.good[i].to_vec())));
    let quorum = Quorum::new(2, 3).unwrap();
    let agg =
        aggregate_signatures(&fx.msg, &set, quorum, offered.iter().map(|(n, s)| (*n, s.as_slice()))).unwrap();
    assert_eq!(agg.signers.len(), 8);
    assert!(agg.dropped.is_empty());
    assert_eq!(agg.message.verify(NETWORK, &set, quorum).unwrap().signed_weight, 80);
    // One by one drops both and falls short.
    assert_eq!(one_by_one(&set, quorum, &offered), Err(60));
}

#[test]
fn sifting_ten_liars_keeps_every_honest_signature() {
    let fx = fixture();
    let one = OneMessage::new(&fx.msg.to_bytes());
    let keys: Vec<_> = fx.keys.iter().map(|k| k.public_key()).collect();
    let liars = [1usize, 2, 5, 7, 8, 9, 10, 11, 0, 3];
    for bad in 0..=liars.len() {
        let sigs: Vec<UncheckedSignature> = (0..N)
            .map(|i| {
                let bytes = if liars[..bad].contains(&i) { &fx.wrong[i] } else { &fx.good[i] };
                UncheckedSignature::from_bytes(bytes).unwrap()
            })
            .collect();
        let terms: Vec<_> = keys.iter().zip(&sigs).collect();
        let sift = one.sift(&terms);
        // One thread (halves in turn, a right half inferred from its left) keeps the same.
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let alone = pool.install(|| one.sift(&terms));
        assert_eq!(alone.kept, sift.kept, "{bad} liars");
        assert!(alone.checks <= sift.checks || rayon::current_num_threads() == 1);
        let expected: Vec<bool> = (0..N).map(|i| !liars[..bad].contains(&i)).collect();
        assert_eq!(sift.kept, expected, "{bad} liars");
        // One check when nobody lies; never more than 2n − 1.
        if bad == 0 {
            assert_eq!(sift.checks, 1);
        }
        assert!(sift.checks < 2 * N, "{bad} liars: {} checks", sift.checks);
    }
}

fn hex_literal(s: &str) -> [u8; 32] {
    let mut out = [0u8; 32];
    for (i, b) in out.iter_mut().enumerate() {
        *b = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).unwrap();
    }
    out
}

/// `a − b` for big-endian 32-byte numbers, `a ≥ b`.
fn sub_mod(a: &[u8; 32], b: &[u8; 32]) -> [u8; 32] {
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = a[i] as i16 - b[i] as i16 - borrow;
        borrow = if d < 0 {
            d += 256;
            1
        } else {
            0
        };
        out[i] = d as u8;
    }
    out
}
