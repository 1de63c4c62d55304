//! The receiver side: choosing the signing subnet (§5.2's primary-network rule)
//! and asking each source its own quorum (the seeds' 70%-from-B, 90%-from-C example).

use awm_core::bls::{self, SecretKey, Signature};
use awm_core::*;

const NETWORK: u32 = 12345;

/// A subnet of `n` validators of weight 10 each, keys derived from `tag`.
struct Subnet {
    keys: Vec<SecretKey>,
    set: CanonicalValidatorSet,
}

fn subnet(tag: u8, n: u8) -> Subnet {
    let keys: Vec<SecretKey> =
        (0..n).map(|i| SecretKey::from_seed(&[[tag; 16], [i; 16]].concat()).unwrap()).collect();
    let set = CanonicalValidatorSet::new(keys.iter().enumerate().map(|(i, k)| {
        Validator::new(
            NodeId([tag, i as u8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            Some(k.public_key()),
            10,
        )
    }))
    .unwrap();
    Subnet { keys, set }
}

impl Subnet {
    /// A message from `chain` signed by the first `signers` keys.
    fn signed(&self, chain: ChainId, signers: usize) -> Message {
        let payload = AddressedCall::new(vec![9; 20], vec![1, 2, 3]).unwrap().to_bytes();
        let unsigned = UnsignedMessage::new(NETWORK, chain, payload).unwrap();
        let bytes = unsigned.to_bytes();
        let idx: Vec<usize> =
            self.keys[..signers].iter().map(|k| self.set.index_of(&k.public_key()).unwrap()).collect();
        let sigs: Vec<Signature> = self.keys[..signers].iter().map(|k| k.sign(&bytes)).collect();
        let sig = bls::aggregate_signatures(&sigs).unwrap().to_bytes();
        Message::new(unsigned, BitSetSignature::new(SignerBitSet::from_indices(idx), sig))
    }
}

const CHAIN_A: Id = Id([0xa; 32]);
const CHAIN_B: Id = Id([0xb; 32]);
const CHAIN_C: Id = Id([0xc; 32]);
const C_CHAIN: Id = Id([0xcc; 32]); // a primary-network chain
const SUBNET_A: Id = Id([0xa1; 32]);
const SUBNET_B: Id = Id([0xb1; 32]);
const SUBNET_C: Id = Id([0xc1; 32]);

struct World {
    a: Subnet,
    b: Subnet,
    c: Subnet,
    primary: Subnet,
    state: FixedValidatorState,
}

fn world() -> World {
    let (a, b, c, primary) = (subnet(1, 10), subnet(2, 10), subnet(3, 10), subnet(4, 10));
    let state = FixedValidatorState::new()
        .with_chain(CHAIN_A, SUBNET_A)
        .with_chain(CHAIN_B, SUBNET_B)
        .with_chain(CHAIN_C, SUBNET_C)
        .with_chain(C_CHAIN, Id::PRIMARY_NETWORK)
        .with_set(SUBNET_A, a.set.clone())
        .with_set(SUBNET_B, b.set.clone())
        .with_set(SUBNET_C, c.set.clone())
        .with_set(Id::PRIMARY_NETWORK, primary.set.clone());
    World { a, b, c, primary, state }
}

fn config(require_primary_network_signers: bool, quorum: QuorumPolicy) -> WarpConfig {
    WarpConfig { network_id: NETWORK, subnet_id: SUBNET_A, require_primary_network_signers, quorum }
}

#[test]
fn seventy_percent_from_b_ninety_percent_from_c() {
    let w = world();
    let policy = QuorumPolicy::new(Quorum::DEFAULT)
        .with_chain(CHAIN_B, Quorum::percent(70).unwrap())
        .with_chain(CHAIN_C, Quorum::percent(90).unwrap());
    let verifier = WarpVerifier::new(&w.state, config(false, policy));

    assert!(verifier.verify(&w.b.signed(CHAIN_B, 7), 1).is_ok(), "70% of B suffices");
    assert_eq!(
        verifier.verify(&w.b.signed(CHAIN_B, 6), 1).unwrap_err(),
        WarpError::Verify(VerifyError::InsufficientWeight {
            signed: 60,
            total: 100,
            quorum: Quorum::percent(70).unwrap()
        })
    );
    assert_eq!(
        verifier.verify(&w.c.signed(CHAIN_C, 8), 1).unwrap_err(),
        WarpError::Verify(VerifyError::InsufficientWeight {
            signed: 80,
            total: 100,
            quorum: Quorum::percent(90).unwrap()
        })
    );
    assert_eq!(verifier.verify(&w.c.signed(CHAIN_C, 9), 1).unwrap().signed_weight, 90);
    // C's validators cannot sign for B.
    assert!(matches!(
        verifier.verify(&w.c.signed(CHAIN_B, 10), 1).unwrap_err(),
        WarpError::Verify(VerifyError::InvalidSignature { .. })
    ));
}

#[test]
fn subnet_quorum_applies_to_every_chain_of_the_subnet() {
    let w = world();
    let policy = QuorumPolicy::new(Quorum::DEFAULT).with_subnet(SUBNET_B, Quorum::percent(100).unwrap());
    let verifier = WarpVerifier::new(&w.state, config(false, policy));
    assert!(matches!(
        verifier.verify(&w.b.signed(CHAIN_B, 9), 1).unwrap_err(),
        WarpError::Verify(VerifyError::InsufficientWeight { signed: 90, total: 100, .. })
    ));
    assert!(verifier.verify(&w.b.signed(CHAIN_B, 10), 1).is_ok());
    // The default still applies elsewhere.
    assert!(verifier.verify(&w.c.signed(CHAIN_C, 7), 1).is_ok());
}

#[test]
fn primary_network_messages_use_the_receivers_subnet_unless_required() {
    let w = world();
    let lenient = WarpVerifier::new(&w.state, config(false, QuorumPolicy::default()));
    let strict = WarpVerifier::new(&w.state, config(true, QuorumPolicy::default()));

    assert_eq!(lenient.signing_subnet(&C_CHAIN).unwrap(), (SUBNET_A, Id::PRIMARY_NETWORK));
    assert_eq!(strict.signing_subnet(&C_CHAIN).unwrap(), (Id::PRIMARY_NETWORK, Id::PRIMARY_NETWORK));
    // The P-Chain is always checked against the receiver's own validators.
    assert_eq!(lenient.signing_subnet(&Id::P_CHAIN).unwrap().0, SUBNET_A);
    assert_eq!(strict.signing_subnet(&Id::P_CHAIN).unwrap().0, SUBNET_A);
    // Other subnets sign for themselves either way.
    assert_eq!(strict.signing_subnet(&CHAIN_B).unwrap().0, SUBNET_B);

    // A C-Chain message signed by the receiver's validators passes only when lenient;
    // signed by the primary network, only when strict.
    let by_own = w.a.signed(C_CHAIN, 10);
    let by_primary = w.primary.signed(C_CHAIN, 10);
    assert!(lenient.verify(&by_own, 1).is_ok());
    assert!(strict.verify(&by_own, 1).is_err());
    assert!(strict.verify(&by_primary, 1).is_ok());
    assert!(lenient.verify(&by_primary, 1).is_err());
    // P-Chain messages: the receiver's validators, flag or not.
    assert!(strict.verify(&w.a.signed(Id::P_CHAIN, 10), 1).is_ok());
}

#[test]
fn missing_state_is_a_typed_error() {
    let w = world();
    let verifier = WarpVerifier::new(&w.state, config(false, QuorumPolicy::default()));
    let unknown = Id([0xee; 32]);
    assert_eq!(
        verifier.verify(&w.b.signed(unknown, 10), 7).unwrap_err(),
        WarpError::State(StateError::UnknownChain(unknown))
    );
    let orphan = FixedValidatorState::new().with_chain(CHAIN_B, SUBNET_B);
    let verifier = WarpVerifier::new(&orphan, config(false, QuorumPolicy::default()));
    assert_eq!(
        verifier.verify(&w.b.signed(CHAIN_B, 10), 7).unwrap_err(),
        WarpError::State(StateError::UnknownSubnet { subnet: SUBNET_B, height: 7 })
    );
}

#[test]
fn wrong_network_is_checked_by_the_verifier() {
    let w = world();
    let mut cfg = config(false, QuorumPolicy::default());
    cfg.network_id = 1;
    let verifier = WarpVerifier::new(&w.state, cfg);
    assert_eq!(
        verifier.verify(&w.b.signed(CHAIN_B, 10), 1).unwrap_err(),
        WarpError::Verify(VerifyError::WrongNetworkId { expected: 1, actual: NETWORK })
    );
}
