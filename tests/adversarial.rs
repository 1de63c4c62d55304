//! Adversarial inputs, one test each, pushed through every layer an attacker
//! reaches: parsing → predicate gas (transaction validity) → block
//! pre-verification (the predicate's failure bit) → the precompile's read. Every
//! expected answer is the reference's (`shared/spec/awm-reference.md`, cited by §).
//!
//! | # | adversarial input | the reference's answer | § |
//! |---|---|---|---|
//! | 1 | signer bitset with a leading zero byte (`00 01`, `00`) | predicate gas fails (`errCannotGetNumSigners`), so the **transaction** is invalid; `Verify` gives `ErrInvalidBitSet`; the empty bitset is canonical (0 signers) | §5.3, §5.4 step 2, §6.4 step 5, §15.2 |
//! | 2 | bitset whose highest set bit ≥ number of canonical validators | gas is fine (the popcount is charged), tx valid; `Verify` gives `ErrUnknownValidator`; the predicate's result bit is set | §5.3, §5.4 step 3, §6.4 |
//! | 3 | one BLS key under several node IDs | one canonical validator with the summed weight and every node ID; the set is shorter than the node list; a signature by the key counts the merged weight once | §5.1 step 3, §5.4 steps 4-5 |
//! | 4 | weights summing past `u64::MAX` | flattening fails with an overflow error; through the validator state the predicate fails (bit set) and the tx stays valid | §5.1 step 1 and last bullet, §6.4 |
//! | 5 | a set of zero total weight | no signers: the weight check passes, then `ErrNoPublicKeys`; any signer bit against an empty set gives `ErrUnknownValidator` | §5.4 steps 3, 5 (consequence), 7 |
//! | 6 | infinity public key; infinity signature; aggregate key `pk + (−pk)` | the key is refused when parsed (KeyValidate); the signature parses (SigValidate) but never verifies (`ErrInvalidSignature`); an infinite aggregate key never verifies | §4, §5.4 step 8 |
//! | 7 | signature made with the PoP DST over the message | parses, does not verify as a message signature (`ErrInvalidSignature`); bit set, tx valid | §4, §10.1 |
//! | 8 | message signed for network A, delivered on network B | `ErrWrongNetworkID`, checked first (before bitset, range, weight, signature); bit set, tx valid | §5.4 step 1, §6.4 |
//! | 9 | payload blob of 24,577 bytes; `sendWarpMessage` of 24,543 user bytes | the blob does not parse, so the tx is invalid; 24,576 is accepted; a send of 24,542 bytes succeeds, 24,543 halts and the halt consumes all gas | §1.2, §3, §6.4 step 4, §8.3, §8.4 |
//! | 10 | 10,000 predicates in one transaction | intrinsic gas = 10,000 × one predicate's (checked sum); exact failure bits; the results round-trip; reads: valid indices pay per chunk, failed (9,998) and missing (10,000) ones the base | §6.3, §6.4, §7.1, §8.3, §9 |
//! | 11 | warp access tuples with no storage keys | `errMissingDelimiter`, so the tx is invalid; the error names the index among warp tuples only | §6.2 step 2, §6.3, §6.4, §15.5 |
//! | 12 | index 2³¹, 2³¹ − 1, 2³² in the two reads | 2³¹ halts (`errInvalidIndexInput`, not `valid=false`) consuming all gas; 2³¹ − 1 without a predicate returns the constant invalid output for the base gas; 2³² halts (not a `uint32`) | §8.3 steps 2, 3, 5, §8.4 |
//!
//! The receiver is on network 5 (Fuji) under the Granite schedule (§9): 125,000
//! per predicate, 512 per 32-byte chunk, 250 per signer, 750 per read.

use std::sync::Arc;
use std::time::Instant;

use alloy_sol_types::SolCall;
use awm::core::bls::{self, BlsError, PublicKey, SecretKey, Signature, DST_PROOF_OF_POSSESSION};
use awm::core::*;
use awm::precompile::abi::{AbiError, INVALID_BLOCK_HASH_OUTPUT, INVALID_WARP_MESSAGE_OUTPUT};
use awm::precompile::revm::{WarpBuilder, WarpChain, WarpTransactionError};
use awm::precompile::{
    run, CallScheme, ChainConstants, DelegatePolicy, IWarpMessenger, WarpCall, WarpEnv, WarpHalt,
    WarpOutcome, WarpOutput,
};
use awm::predicate::*;
use revm::context::result::{EVMError, ExecutionResult};
use revm::primitives::U256;
use revm::ExecuteEvm;

mod support;

/// The receiver's network (Fuji).
const NETWORK: u32 = 5;
/// Another network (mainnet), where a replayed message was signed.
const OTHER_NETWORK: u32 = 1;
const SOURCE: Id = Id([0x5c; 32]);
const SOURCE_SUBNET: Id = Id([0x5b; 32]);
const OWN_SUBNET: Id = Id([0x0b; 32]);
const HEIGHT: u64 = 7;
const TX: B256 = B256::new([0x7a; 32]);
const CHAIN: ChainConstants = ChainConstants { network_id: NETWORK, blockchain_id: Id([0xbc; 32]) };
const CALLER: Address = Address::new([0xca; 20]);
const GRANITE: GasSchedule = GasSchedule::granite();
/// Granite's `GetVerifiedWarpMessageBase` (§9).
const READ_BASE: u64 = 750;

fn key(i: u8) -> SecretKey {
    SecretKey::from_seed(&[[0xad; 16], [i; 16]].concat()).unwrap()
}

fn node(i: u8) -> NodeId {
    NodeId([i; 20])
}

/// A canonical set of `keys` (by number), weight 10 each, node IDs = key numbers.
fn set_of(keys: &[u8]) -> CanonicalValidatorSet {
    CanonicalValidatorSet::new(keys.iter().map(|i| Validator::new(node(*i), Some(key(*i).public_key()), 10)))
        .unwrap()
}

fn unsigned(network: u32) -> UnsignedMessage {
    let payload = AddressedCall::new(vec![0xaa; 20], b"adversarial".to_vec()).unwrap().to_bytes();
    UnsignedMessage::new(network, SOURCE, payload).unwrap()
}

/// The aggregate signature of `keys` (by number) over `msg` with the signature DST.
fn sign(keys: &[u8], msg: &UnsignedMessage) -> [u8; 96] {
    let bytes = msg.to_bytes();
    let sigs: Vec<Signature> = keys.iter().map(|i| key(*i).sign(&bytes)).collect();
    bls::aggregate_signatures(&sigs).unwrap().to_bytes()
}

/// The bitset of `keys` (by number) in `set`'s canonical order.
fn bits(set: &CanonicalValidatorSet, keys: &[u8]) -> SignerBitSet {
    SignerBitSet::from_indices(keys.iter().map(|i| set.index_of(&key(*i).public_key()).unwrap()))
}

fn raw_bits(bytes: &[u8]) -> SignerBitSet {
    SignerBitSet::from_bytes(bytes.to_vec()).unwrap()
}

fn signed(msg: &UnsignedMessage, signers: SignerBitSet, sig: [u8; 96]) -> Message {
    Message::new(msg.clone(), BitSetSignature::new(signers, sig))
}

fn state_with(set: CanonicalValidatorSet) -> FixedValidatorState {
    FixedValidatorState::new().with_chain(SOURCE, SOURCE_SUBNET).with_set(SOURCE_SUBNET, set)
}

fn config() -> WarpConfig {
    WarpConfig {
        network_id: NETWORK,
        subnet_id: OWN_SUBNET,
        require_primary_network_signers: false,
        quorum: QuorumPolicy::new(Quorum::DEFAULT),
    }
}

fn predicate_verifier<S: ValidatorState>(state: S, execution: Execution) -> PredicateVerifier<S> {
    PredicateVerifier::new(WarpVerifier::new(state, config()), GRANITE).with_execution(execution)
}

/// Granite predicate gas of a message of `len` bytes with `signers` signers (§9):
/// `125,000 + 512 · (⌊len/32⌋ + 1) + 250 · signers`.
fn granite_predicate_gas(len: usize, signers: u64) -> u64 {
    125_000 + 512 * (len as u64 / 32 + 1) + 250 * signers
}

/// Runs the precompile core on `input` against one transaction's predicates.
fn precompile(predicates: &[&[B256]], failures: &FailureBits, input: &[u8], gas_limit: u64) -> WarpOutcome {
    let predicates = WarpPredicates::from_tuples(predicates.iter().copied());
    let env = WarpEnv {
        predicates: &predicates,
        failures: Some(failures),
        chain: CHAIN,
        schedule: &GRANITE,
        delegate_policy: DelegatePolicy::Reverts,
    };
    run(&WarpCall { input, caller: CALLER, is_static: false, scheme: CallScheme::Call, gas_limit }, &env)
}

fn success(outcome: WarpOutcome) -> WarpOutput {
    match outcome {
        WarpOutcome::Success(out) => out,
        other => panic!("expected a normal return, got {other:?}"),
    }
}

fn halt(outcome: WarpOutcome) -> WarpHalt {
    match outcome {
        WarpOutcome::Halt(h) => h,
        other => panic!("expected a halt, got {other:?}"),
    }
}

fn read_message_input(index: u32) -> Vec<u8> {
    IWarpMessenger::getVerifiedWarpMessageCall { index }.abi_encode()
}

fn read_block_hash_input(index: u32) -> Vec<u8> {
    IWarpMessenger::getVerifiedWarpBlockHashCall { index }.abi_encode()
}

/// `selector ‖ word`, for index words no `uint32` can hold.
fn raw_index_input(selector: [u8; 4], word: U256) -> Vec<u8> {
    [selector.as_slice(), &word.to_be_bytes::<32>()].concat()
}

/// What each layer says about a transaction carrying `message` as its only predicate.
struct Layers {
    /// Its predicate gas: `Ok` means the transaction is valid.
    gas: PredicateGas,
    /// The block's results (sequential and parallel agree, and it round-trips).
    results: PredicateResults,
    /// The transaction's failure bits.
    failures: FailureBits,
    /// `getVerifiedWarpMessage(0)` with those bits.
    read: WarpOutput,
}

fn layers<S: ValidatorState>(state: &S, message: &Message) -> Layers {
    let bytes = message.to_bytes();
    let list = warp_access_list([bytes.as_slice()]);
    let keys = list.0[0].storage_keys.as_slice();
    let gas = predicate_gas(keys, &GRANITE).expect("the transaction is valid (§6.4)");
    assert_eq!(access_list_gas(&list, &GRANITE).unwrap().with_predicates, gas.gas);
    let txs = [BlockTx::new(TX, &list, u64::MAX, 21_000)];
    let sequential = predicate_verifier(state, Execution::Sequential).block_results(&txs, HEIGHT).unwrap();
    let parallel = predicate_verifier(state, Execution::Parallel).block_results(&txs, HEIGHT).unwrap();
    assert_eq!(sequential, parallel);
    let encoded = sequential.to_bytes().unwrap();
    assert_eq!(PredicateResults::parse(&encoded).unwrap(), sequential);
    let failures = sequential.get(&TX, &WARP_ADDRESS).expect("a tx with a warp tuple has an entry").clone();
    let read = success(precompile(&[keys], &failures, &read_message_input(0), 1_000_000));
    Layers { gas, results: sequential, failures, read }
}

impl Layers {
    /// The predicate failed but the transaction is valid: bit 0 set, stored as
    /// `…00000001 01` (§7.1), and the read returns the constant invalid output
    /// for the base gas only (§8.3 step 5).
    fn assert_only_the_predicate_failed(&self) {
        assert_eq!(self.failures, FailureBits::from_indices([0]));
        let expected = [
            "0000",
            "00000001",
            &hex::encode(TX),
            "00000001",
            "0200000000000000000000000000000000000005",
            "00000001",
            "01",
        ]
        .concat();
        assert_eq!(hex::encode(self.results.to_bytes().unwrap()), expected);
        assert_eq!(self.read.output.as_ref(), INVALID_WARP_MESSAGE_OUTPUT.as_slice());
        assert_eq!(self.read.gas_used, READ_BASE);
    }

    /// The predicate verified: an empty bitset that is still present (§7.1), and
    /// a valid read charged per chunk (§8.3 step 6).
    fn assert_valid(&self) {
        assert!(self.failures.is_empty());
        let decoded =
            IWarpMessenger::getVerifiedWarpMessageCall::abi_decode_returns(&self.read.output).unwrap();
        assert!(decoded.valid);
        assert_eq!(decoded.message.sourceChainID.0, SOURCE.0);
        assert_eq!(self.read.gas_used, READ_BASE + 512 * self.gas.chunks as u64);
    }
}

/// Case 1. Reference: a leading `0x00` byte makes the bitset non-canonical
/// (§5.3). `NumSigners` refuses it inside predicate gas, so the error comes from
/// intrinsic gas and the **transaction** is invalid, not just the predicate
/// (§6.4 step 5, §15.2). `BitSetSignature.Verify` refuses it at step 2 with
/// `ErrInvalidBitSet` (§5.4; the Go test cases `{0x00}` and "inefficient_bitset"
/// `{0x00,0x01}`, §10.1). The empty bitset is canonical and means 0 signers (§5.3).
#[test]
fn leading_zero_byte_in_the_signer_bitset_invalidates_the_transaction() {
    let set = set_of(&[1]);
    let msg = unsigned(NETWORK);
    let sig = sign(&[1], &msg);
    // Control: the canonical bitset `01` verifies.
    assert_eq!(
        signed(&msg, raw_bits(&[0x01]), sig).verify(NETWORK, &set, Quorum::DEFAULT).unwrap(),
        VerifiedWeight { signers: 1, signed_weight: 10, total_weight: 10 }
    );
    let state = state_with(set_of(&[1]));

    for raw in [&[0x00, 0x01][..], &[0x00][..]] {
        let len = raw.len();
        let bitset = raw_bits(raw);
        assert!(!bitset.is_canonical());
        assert_eq!(bitset.num_signers(), Err(NonCanonicalBitSet { len }));
        let message = signed(&msg, bitset, sig);
        // It parses: the wire format keeps the bytes as they are.
        assert_eq!(Message::parse(&message.to_bytes()).unwrap(), message);

        // Verification: step 2, ErrInvalidBitSet (§5.4).
        let err = message.verify(NETWORK, &set, Quorum::DEFAULT).unwrap_err();
        assert_eq!(err, VerifyError::InvalidBitSet(NonCanonicalBitSet { len }));
        assert_eq!(
            err.to_string(),
            format!("signer bitset of {len} bytes is not canonical: it starts with a zero byte")
        );

        // Predicate gas: an error, so the transaction is invalid (§6.4 step 5).
        let bytes = message.to_bytes();
        let keys = pack(&bytes);
        let err = predicate_gas(&keys, &GRANITE).unwrap_err();
        assert_eq!(err, PredicateGasError::NonCanonicalSigners(NonCanonicalBitSet { len }));
        assert_eq!(
            err.to_string(),
            format!("cannot count signers: signer bitset of {len} bytes is not canonical: it starts with a zero byte")
        );
        let list = warp_access_list([bytes.as_slice()]);
        let err = access_list_gas(&list, &GRANITE).unwrap_err();
        assert_eq!(
            err,
            AccessListGasError::Predicate {
                index: 0,
                source: PredicateGasError::NonCanonicalSigners(NonCanonicalBitSet { len })
            }
        );
        assert_eq!(
            err.to_string(),
            format!(
                "warp predicate 0: cannot count signers: signer bitset of {len} bytes is not canonical: it starts with a zero byte"
            )
        );
        // In a block: the transaction, not a result bit (§6.5).
        let txs = [BlockTx::new(TX, &list, u64::MAX, 21_000)];
        for execution in [Execution::Sequential, Execution::Parallel] {
            assert_eq!(
                predicate_verifier(&state, execution).block_results(&txs, HEIGHT),
                Err(BlockError::InvalidTransaction {
                    position: 0,
                    tx: TX,
                    index: 0,
                    source: PredicateGasError::NonCanonicalSigners(NonCanonicalBitSet { len }),
                })
            );
        }
        let built = predicate_verifier(&state, Execution::Sequential).build(
            &txs,
            HEIGHT,
            PredicateRule::ResultsInBlock,
        );
        assert!(built.included.is_empty() && built.results.is_empty());
        assert_eq!(
            built.skipped[0].reason,
            SkipReason::InvalidPredicate {
                index: 0,
                source: PredicateGasError::NonCanonicalSigners(NonCanonicalBitSet { len })
            }
        );
    }

    // The empty bitset is canonical: 0 signers, no signer charge; verification then
    // fails the weight check (0 of 10 < 67%, §5.4 step 5) but the tx is valid.
    let empty = SignerBitSet::from_bytes(Vec::new()).unwrap();
    assert!(empty.is_canonical());
    assert_eq!(empty.num_signers(), Ok(0));
    let message = signed(&msg, empty, sig);
    assert_eq!(
        message.verify(NETWORK, &set, Quorum::DEFAULT),
        Err(VerifyError::InsufficientWeight { signed: 0, total: 10, quorum: Quorum::DEFAULT })
    );
    let l = layers(&state, &message);
    assert_eq!(l.gas.signers, 0);
    assert_eq!(l.gas.gas, granite_predicate_gas(message.to_bytes().len(), 0));
    l.assert_only_the_predicate_failed();
}

/// Case 2. Reference: a bitset whose highest set bit is at index ≥ the number of
/// canonical validators (`BitLen() > len(Validators)`) fails `Verify` at step 3
/// with `ErrUnknownValidator` (§5.3, §5.4 step 3). Predicate gas only needs the
/// bitset to be canonical, and charges its popcount (§6.4 steps 5-6), so the
/// transaction is valid and only the predicate's result bit is set (§6.4 "what
/// does not invalidate").
#[test]
fn bitset_beyond_the_validator_set_fails_only_the_predicate() {
    let set = set_of(&[1, 2, 3]);
    let msg = unsigned(NETWORK);
    let sig = sign(&[1, 2, 3], &msg);
    // Control: indices 0..=2 are in range and verify.
    assert!(signed(&msg, SignerBitSet::from_indices([0, 1, 2]), sig)
        .verify(NETWORK, &set, Quorum::DEFAULT)
        .is_ok());

    // Highest index 3 with 3 validators, and bit 8 (`01 00`): unknown validator.
    for (bitset, index, popcount) in
        [(SignerBitSet::from_indices([0, 1, 2, 3]), 3, 4), (raw_bits(&[0x01, 0x00]), 8, 1)]
    {
        let message = signed(&msg, bitset, sig);
        let err = message.verify(NETWORK, &set, Quorum::DEFAULT).unwrap_err();
        assert_eq!(err, VerifyError::UnknownValidator { index, set_size: 3 });
        assert_eq!(
            err.to_string(),
            format!("signer index {index} is out of range for 3 canonical validators")
        );

        let l = layers(&state_with(set_of(&[1, 2, 3])), &message);
        assert_eq!(l.gas.signers, popcount);
        assert_eq!(l.gas.gas, granite_predicate_gas(message.to_bytes().len(), popcount as u64));
        l.assert_only_the_predicate_failed();
    }
}

/// Case 3. Reference: entries sharing a BLS key (grouped by the uncompressed
/// key) merge into one canonical validator whose weight is the sum and whose
/// node IDs are all of theirs (§5.1 step 3), so the set is shorter than the node
/// list. A signer bit names the merged validator, its weight is counted once
/// (§5.4 step 4), and the quorum test `67 · total ≤ 100 · signed` uses it (§5.4
/// step 5, §15.3).
#[test]
fn duplicate_bls_keys_merge_into_one_validator() {
    let (a, b, c) = (node(0xa0), node(0xb0), node(0xc0));
    let validators = vec![
        Validator::new(b, Some(key(1).public_key()), 40),
        Validator::new(c, Some(key(2).public_key()), 30),
        Validator::new(a, Some(key(1).public_key()), 30),
    ];
    let set = CanonicalValidatorSet::new(validators.clone()).unwrap();
    assert_eq!((set.len(), set.total_weight()), (2, 100));
    assert!(set.len() < validators.len());
    let merged_index = set.index_of(&key(1).public_key()).unwrap();
    let merged = &set.validators()[merged_index];
    assert_eq!(merged.weight, 70);
    assert_eq!(merged.node_ids, vec![a, b]);
    assert_eq!(set.index_of_node(&a), Some(merged_index));
    assert_eq!(set.index_of_node(&b), Some(merged_index));
    assert_ne!(set.index_of_node(&c), Some(merged_index));

    // One signature by the shared key: 70 of 100, which meets 67% (neither 30 nor
    // 40 alone would).
    let msg = unsigned(NETWORK);
    let by_key_1 = signed(&msg, bits(&set, &[1]), sign(&[1], &msg));
    assert_eq!(
        by_key_1.verify(NETWORK, &set, Quorum::DEFAULT).unwrap(),
        VerifiedWeight { signers: 1, signed_weight: 70, total_weight: 100 }
    );
    // The merged weight is what the quorum sees: 70 < 71%.
    let q71 = Quorum::percent(71).unwrap();
    let err = by_key_1.verify(NETWORK, &set, q71).unwrap_err();
    assert_eq!(err, VerifyError::InsufficientWeight { signed: 70, total: 100, quorum: q71 });
    assert_eq!(err.to_string(), "signed weight 70 of total 100 is below quorum 71/100");
    // Both keys: 100 of 100.
    let both = signed(&msg, bits(&set, &[1, 2]), sign(&[1, 2], &msg));
    assert_eq!(both.verify(NETWORK, &set, q71).unwrap().signed_weight, 100);
    // Signing twice with the shared key (one per node ID) is not counted twice: the
    // aggregate 2·σ does not verify against the key counted once.
    let twice = signed(&msg, bits(&set, &[1]), sign(&[1, 1], &msg));
    assert_eq!(
        twice.verify(NETWORK, &set, Quorum::DEFAULT),
        Err(VerifyError::InvalidSignature { signers: 1 })
    );

    // Through a block: the predicate signed by the shared key alone is valid.
    let l = layers(&state_with(set), &by_key_1);
    assert_eq!(l.gas.signers, 1);
    l.assert_valid();
}

/// The P-Chain as `GetValidatorSet` reports it: raw entries, flattened into the
/// canonical set on every request, as `FlattenValidatorSet` does (§5.1).
struct RawPChain {
    validators: Vec<Validator>,
}

impl ValidatorState for RawPChain {
    fn subnet_of(&self, chain_id: &ChainId) -> Result<SubnetId, StateError> {
        if *chain_id == SOURCE {
            Ok(SOURCE_SUBNET)
        } else {
            Err(StateError::UnknownChain(*chain_id))
        }
    }

    fn validator_set(
        &self,
        subnet: &SubnetId,
        height: u64,
    ) -> Result<Arc<CanonicalValidatorSet>, StateError> {
        if *subnet != SOURCE_SUBNET {
            return Err(StateError::UnknownSubnet { subnet: *subnet, height });
        }
        CanonicalValidatorSet::new(self.validators.clone())
            .map(Arc::new)
            .map_err(|source| StateError::InvalidSet { subnet: *subnet, height, source })
    }
}

/// Case 4. Reference: `TotalWeight` is a checked `uint64` sum over **every**
/// entry, keyless ones included, and overflow is an error (§5.1 step 1). Through
/// the validator state the subnet's set is then unavailable (left out of
/// `GetWarpValidatorSets`, or an error from `GetCanonicalValidatorSet`): either
/// way the predicate FAILS and the gas is unchanged (§5.1 last bullet), and an
/// unavailable set never invalidates the transaction (§6.4 "what does not
/// invalidate").
#[test]
fn weights_overflowing_u64_fail_the_predicate_not_the_transaction() {
    let validators = vec![
        Validator::new(node(1), Some(key(1).public_key()), u64::MAX - 5),
        Validator::new(node(2), Some(key(2).public_key()), 3),
        Validator::new(node(3), None, 3), // keyless: counts in the total, so it overflows
    ];
    let overflow = ValidatorSetError::WeightOverflow { sum_so_far: u64::MAX - 2, next: 3, index: 2 };
    let err = CanonicalValidatorSet::new(validators.clone()).unwrap_err();
    assert_eq!(err, overflow);
    assert_eq!(
        err.to_string(),
        "total validator weight overflows u64: 18446744073709551613 + 3 at validator 2"
    );
    // Without the keyless entry the same keys fit exactly.
    assert_eq!(CanonicalValidatorSet::new(validators[..2].to_vec()).unwrap().total_weight(), u64::MAX - 2);

    // A message both keyed validators really signed.
    let state = RawPChain { validators };
    let msg = unsigned(NETWORK);
    let fits = CanonicalValidatorSet::new(state.validators[..2].to_vec()).unwrap();
    let message = signed(&msg, bits(&fits, &[1, 2]), sign(&[1, 2], &msg));
    assert!(message.verify(NETWORK, &fits, Quorum::DEFAULT).is_ok());

    let invalid_set = StateError::InvalidSet { subnet: SOURCE_SUBNET, height: HEIGHT, source: overflow };
    let err = WarpVerifier::new(&state, config()).verify(&message, HEIGHT).unwrap_err();
    assert_eq!(err, WarpError::State(invalid_set.clone()));
    assert_eq!(
        err.to_string(),
        format!(
            "validator set of subnet {SOURCE_SUBNET} at P-Chain height {HEIGHT}: total validator weight overflows u64: 18446744073709551613 + 3 at validator 2"
        )
    );

    let l = layers(&state, &message);
    assert_eq!(l.gas.gas, granite_predicate_gas(message.to_bytes().len(), 2));
    l.assert_only_the_predicate_failed();
    let list = warp_access_list([message.to_bytes().as_slice()]);
    let check = predicate_verifier(&state, Execution::Sequential).check_tx(&list, HEIGHT).unwrap();
    assert_eq!(check.failures, FailureBits::from_indices([0]));
}

/// Case 5. Reference: with `TotalWeight = 0` and no signers, `0 · 67 ≤ 0 · 100`
/// passes the weight check, so verification goes on and fails for lack of keys
/// with `ErrNoPublicKeys` (§5.4 step 5 consequence, step 7), after the signature
/// bytes are parsed (step 6). With any signer bit against an empty set the range
/// check fails first: `ErrUnknownValidator` (§5.4 step 3). Derived from the same
/// steps, a zero-weight set whose key really signed would meet `0 ≤ 0` and
/// verify: such a set is refused when it is built (Hardening II, 4).
#[test]
fn zero_total_weight() {
    let msg = unsigned(NETWORK);
    let sig = sign(&[1], &msg);
    let no_signers = SignerBitSet::default();

    // An empty set (no validators at all). A set of zero-weight validators is
    // refused when it is built (Hardening II, 4): the P-Chain never reports a
    // zero weight, and a zero-weight key `x·G − Σpkᵢ` would let a signature by
    // `x` alone pass as every validator's.
    let empty = CanonicalValidatorSet::new([]).unwrap();
    assert_eq!(
        CanonicalValidatorSet::new([
            Validator::new(node(1), Some(key(1).public_key()), 0),
            Validator::new(node(2), Some(key(2).public_key()), 0),
        ]),
        Err(ValidatorSetError::ZeroWeight { index: 0, node: node(1) })
    );
    assert_eq!(empty.total_weight(), 0);
    let err = signed(&msg, no_signers.clone(), sig).verify(NETWORK, &empty, Quorum::DEFAULT).unwrap_err();
    assert_eq!(err, VerifyError::NoPublicKeys);
    assert_eq!(err.to_string(), "no signers: the bitset selects no public key to aggregate");
    // Step 6 (parse) comes before step 7 (no keys).
    assert!(matches!(
        signed(&msg, no_signers.clone(), [0; 96]).verify(NETWORK, &empty, Quorum::DEFAULT),
        Err(VerifyError::ParseSignature(BlsError::SignatureEncoding(_)))
    ));
    // A signer bit against the empty set: unknown validator.
    let err = signed(&msg, SignerBitSet::from_indices([0]), sig)
        .verify(NETWORK, &empty, Quorum::DEFAULT)
        .unwrap_err();
    assert_eq!(err, VerifyError::UnknownValidator { index: 0, set_size: 0 });
    assert_eq!(err.to_string(), "signer index 0 is out of range for 0 canonical validators");

    // Both failures through a block: the tx is valid, the bit is set.
    for (set, bitset) in [
        (empty, no_signers.clone()),
        (CanonicalValidatorSet::new([]).unwrap(), SignerBitSet::from_indices([0])),
    ] {
        let l = layers(&state_with(set), &signed(&msg, bitset, sig));
        l.assert_only_the_predicate_failed();
    }
}

/// The compressed point at infinity: `0xc0` then zeros.
fn infinity<const N: usize>() -> [u8; N] {
    let mut p = [0u8; N];
    p[0] = 0xc0;
    p
}

/// Case 6. Reference (§4): `PublicKeyFromCompressedBytes` runs `KeyValidate`,
/// which rejects infinity; `SignatureFromBytes` runs `SigValidate(false)`, which
/// ALLOWS infinity, so an infinite signature parses; it never verifies against a
/// finite key, so `Verify` fails at step 8 with `ErrInvalidSignature` (§5.4, §15
/// "also easy to miss"); all-zero bytes are not an encoding at all. An aggregate
/// key that sums to infinity (`pk + (−pk)`) never verifies either
/// (`BLST_PK_IS_INFINITY`), even against the infinite signature that naive
/// pairing arithmetic would accept.
#[test]
fn points_at_infinity() {
    // The infinite public key is refused when parsed.
    let err = PublicKey::from_compressed(&infinity::<48>()).unwrap_err();
    assert_eq!(err, BlsError::PublicKeyInfinity);
    assert_eq!(err.to_string(), "public key is the point at infinity");
    // The infinite signature parses; all zeros (no compression bit) does not.
    let inf_sig = Signature::from_bytes(&infinity::<96>()).unwrap();
    assert_eq!(inf_sig.to_bytes(), infinity::<96>());
    assert!(matches!(Signature::from_bytes(&[0; 96]), Err(BlsError::SignatureEncoding(_))));

    // …but never verifies: step 8.
    let set = set_of(&[1, 2, 3]);
    let msg = unsigned(NETWORK);
    let message = signed(&msg, bits(&set, &[1, 2, 3]), infinity::<96>());
    assert_eq!(
        message.verify(NETWORK, &set, Quorum::DEFAULT),
        Err(VerifyError::InvalidSignature { signers: 3 })
    );
    assert_eq!(
        message.verify(NETWORK, &set, Quorum::DEFAULT).unwrap_err().to_string(),
        "invalid aggregate signature from 3 signers"
    );
    layers(&state_with(set_of(&[1, 2, 3])), &message).assert_only_the_predicate_failed();

    // pk + (−pk), built without unsafe code: −pk is pk with the compressed y-sign
    // bit (0x20) flipped, a valid key in G1; −σ likewise in G2.
    let pk = key(1).public_key();
    let mut neg_bytes = pk.to_compressed();
    neg_bytes[0] ^= 0x20;
    let neg_pk = PublicKey::from_compressed(&neg_bytes).unwrap();
    assert_ne!(neg_pk, pk);
    assert_eq!(bls::aggregate_public_keys(&[pk, neg_pk]).unwrap().to_compressed(), infinity::<48>());
    let sigma = key(1).sign(&msg.to_bytes());
    let mut neg_sigma = sigma.to_bytes();
    neg_sigma[0] ^= 0x20;
    let neg_sigma = Signature::from_bytes(&neg_sigma).unwrap();
    let sum = bls::aggregate_signatures(&[sigma, neg_sigma]).unwrap();
    assert_eq!(sum.to_bytes(), infinity::<96>());

    let cancelling = CanonicalValidatorSet::new([
        Validator::new(node(1), Some(pk), 50),
        Validator::new(node(2), Some(neg_pk), 50),
    ])
    .unwrap();
    for sig in [sum.to_bytes(), sigma.to_bytes()] {
        let message = signed(&msg, SignerBitSet::from_indices([0, 1]), sig);
        assert_eq!(
            message.verify(NETWORK, &cancelling, Quorum::DEFAULT),
            Err(VerifyError::InvalidSignature { signers: 2 })
        );
        let state = state_with(
            CanonicalValidatorSet::new([
                Validator::new(node(1), Some(pk), 50),
                Validator::new(node(2), Some(neg_pk), 50),
            ])
            .unwrap(),
        );
        layers(&state, &message).assert_only_the_predicate_failed();
    }
}

/// Signs `msg` with the proof-of-possession DST (what a PoP signs over the
/// compressed key), through blst directly.
fn sign_with_pop_dst(i: u8, msg: &[u8]) -> blst::min_pk::Signature {
    blst::min_pk::SecretKey::from_bytes(&key(i).to_bytes()).unwrap().sign(msg, DST_PROOF_OF_POSSESSION, &[])
}

/// Case 7. Reference: message signatures use `BLS_SIG_…_POP_` and proofs of
/// possession `BLS_POP_…_POP_` (§4); a signature made with the PoP DST is a
/// valid G2 point, so it parses, but it does not verify under the signature DST
/// (§10.1 last sentence), so `Verify` fails at step 8 with `ErrInvalidSignature`.
/// That is not a predicate-gas error: the tx is valid and the result bit is set
/// (§6.4).
#[test]
fn signature_with_the_pop_dst_does_not_verify() {
    let set = set_of(&[1, 2, 3]);
    let msg = unsigned(NETWORK);
    let bytes = msg.to_bytes();
    let mut sigs = Vec::new();
    for i in [1, 2, 3] {
        let pop_sig = sign_with_pop_dst(i, &bytes);
        // A genuine signature under the PoP DST…
        let pk = blst::min_pk::PublicKey::from_bytes(&key(i).public_key().to_compressed()).unwrap();
        assert_eq!(
            pop_sig.verify(true, &bytes, DST_PROOF_OF_POSSESSION, &[], &pk, true),
            blst::BLST_ERROR::BLST_SUCCESS
        );
        // …that parses as a warp signature and fails under the signature DST.
        let parsed = Signature::from_bytes(&pop_sig.compress()).unwrap();
        assert!(!key(i).public_key().verify(&bytes, &parsed));
        sigs.push(parsed);
    }
    let aggregate = bls::aggregate_signatures(&sigs).unwrap().to_bytes();
    let message = signed(&msg, bits(&set, &[1, 2, 3]), aggregate);
    assert_eq!(
        message.verify(NETWORK, &set, Quorum::DEFAULT),
        Err(VerifyError::InvalidSignature { signers: 3 })
    );
    // Control: the same signers with the signature DST verify.
    assert!(signed(&msg, bits(&set, &[1, 2, 3]), sign(&[1, 2, 3], &msg))
        .verify(NETWORK, &set, Quorum::DEFAULT)
        .is_ok());

    let l = layers(&state_with(set_of(&[1, 2, 3])), &message);
    assert_eq!(l.gas.gas, granite_predicate_gas(message.to_bytes().len(), 3));
    l.assert_only_the_predicate_failed();
}

/// Case 8. Reference: the network ID is the FIRST check of `Verify`
/// (`ErrWrongNetworkID`, §5.4 step 1), before the bitset, the range, the weight
/// and the signature; a message correctly signed on network A is refused by a
/// receiver on network B. A wrong network ID only sets the result bit; the tx is
/// valid (§6.4 "what does not invalidate").
#[test]
fn replay_under_another_network_id_is_refused_first() {
    let set = set_of(&[1, 2, 3]);
    let on_a = unsigned(OTHER_NETWORK);
    let message = signed(&on_a, bits(&set, &[1, 2, 3]), sign(&[1, 2, 3], &on_a));
    // Valid on network A…
    assert!(message.verify(OTHER_NETWORK, &set, Quorum::DEFAULT).is_ok());
    // …refused on network B.
    let wrong = VerifyError::WrongNetworkId { expected: NETWORK, actual: OTHER_NETWORK };
    let err = message.verify(NETWORK, &set, Quorum::DEFAULT).unwrap_err();
    assert_eq!(err, wrong);
    assert_eq!(err.to_string(), "message network ID 1 is not the receiver's network ID 5");
    assert_eq!(
        WarpVerifier::new(state_with(set_of(&[1, 2, 3])), config()).verify(&message, HEIGHT),
        Err(WarpError::Verify(wrong.clone()))
    );
    // Checked before everything else: every other flaw is hidden behind it.
    let mut not_a_point = [0u8; 96];
    not_a_point[0] = 0x80;
    for (signers, sig) in [
        (raw_bits(&[0x00, 0x07]), sign(&[1, 2, 3], &on_a)), // non-canonical (step 2)
        (SignerBitSet::from_indices([0, 1, 2, 9]), sign(&[1, 2, 3], &on_a)), // out of range (step 3)
        (SignerBitSet::default(), sign(&[1, 2, 3], &on_a)), // no weight (step 5)
        (bits(&set, &[1, 2, 3]), not_a_point),              // does not parse (step 6)
        (bits(&set, &[1, 2, 3]), sign(&[1, 2, 3], &unsigned(NETWORK))), // wrong signature (step 8)
    ] {
        assert_eq!(signed(&on_a, signers, sig).verify(NETWORK, &set, Quorum::DEFAULT), Err(wrong.clone()));
    }

    let l = layers(&state_with(set_of(&[1, 2, 3])), &message);
    assert_eq!(l.gas.gas, granite_predicate_gas(message.to_bytes().len(), 3));
    l.assert_only_the_predicate_failed();
}

/// An `AddressedCall` blob from a 20-byte address with `user` payload bytes,
/// encoded by hand so no size cap applies: `14 + 20 + user` bytes (§3).
fn addressed_call_blob(user: usize) -> Vec<u8> {
    let mut blob = vec![0, 0, 0, 0, 0, 1, 0, 0, 0, 20];
    blob.extend([0xaa; 20]);
    blob.extend((user as u32).to_be_bytes());
    blob.extend(vec![0x42; user]);
    blob
}

fn send_input(user: usize) -> Vec<u8> {
    IWarpMessenger::sendWarpMessageCall { payload: vec![0x42; user].into() }.abi_encode()
}

fn revm_chain() -> WarpChain {
    WarpChain::new(CHAIN, GRANITE, DelegatePolicy::Reverts)
}

fn execute(tx: awm::precompile::revm::WarpTx) -> ExecutionResult {
    support::context(revm_chain()).build_warp().transact(tx).map(|outcome| outcome.result).unwrap()
}

/// Case 9. Reference: the payload codec's maximum is 24 KiB = 24,576 bytes, so a
/// 24,577-byte payload blob fails to parse (§1.2, §3) and `NewAddressedCall`
/// refuses to build one. In a predicate that is a predicate-gas error
/// (`errInvalidWarpMsgPayload`), so the transaction is invalid (§6.4 step 4);
/// 24,576 bytes are accepted. With a 20-byte caller `sendWarpMessage` therefore
/// takes at most 24,576 − 34 = 24,542 user bytes (§3, derived); 24,543 fails at
/// §8.3 step 5, after both charges, and like any precompile error it consumes all
/// the gas of the call (§8.4).
#[test]
fn payload_of_24_kib_plus_one() {
    const MAX: usize = 24 * 1024;
    const MAX_USER: usize = MAX - 34;
    assert_eq!((MAX_PAYLOAD_SIZE, MAX_USER), (24_576, 24_542));

    // Parsing: 24,576 accepted, 24,577 refused; building refuses it too.
    let at_cap = addressed_call_blob(MAX_USER);
    assert_eq!(at_cap.len(), MAX);
    assert_eq!(
        Payload::parse(&at_cap).unwrap(),
        Payload::AddressedCall(AddressedCall::new(vec![0xaa; 20], vec![0x42; MAX_USER]).unwrap())
    );
    let over = addressed_call_blob(MAX_USER + 1);
    assert_eq!(over.len(), MAX + 1);
    let too_large = CodecError::TooLarge { size: 24_577, max: 24_576 };
    assert_eq!(Payload::parse(&over), Err(too_large.clone()));
    assert_eq!(too_large.to_string(), "24577 bytes exceed the codec's maximum of 24576 bytes");
    assert_eq!(AddressedCall::new(vec![0xaa; 20], vec![0x42; MAX_USER + 1]), Err(too_large.clone()));

    // As a predicate: the 24,577-byte payload makes the transaction invalid…
    let set = set_of(&[1]);
    let state = state_with(set_of(&[1]));
    let over_msg = UnsignedMessage::new(NETWORK, SOURCE, over).unwrap();
    let over_signed = signed(&over_msg, bits(&set, &[1]), sign(&[1], &over_msg)).to_bytes();
    let err = predicate_gas(&pack(&over_signed), &GRANITE).unwrap_err();
    assert_eq!(err, PredicateGasError::InvalidPayload(too_large.clone()));
    assert_eq!(
        err.to_string(),
        "invalid warp message payload: 24577 bytes exceed the codec's maximum of 24576 bytes"
    );
    let list = warp_access_list([over_signed.as_slice()]);
    assert_eq!(
        access_list_gas(&list, &GRANITE),
        Err(AccessListGasError::Predicate {
            index: 0,
            source: PredicateGasError::InvalidPayload(too_large.clone())
        })
    );
    assert_eq!(
        predicate_verifier(&state, Execution::Parallel)
            .block_results(&[BlockTx::new(TX, &list, u64::MAX, 21_000)], HEIGHT),
        Err(BlockError::InvalidTransaction {
            position: 0,
            tx: TX,
            index: 0,
            source: PredicateGasError::InvalidPayload(too_large)
        })
    );
    // …the 24,576-byte one is a valid predicate, read back whole.
    let cap_msg = UnsignedMessage::new(NETWORK, SOURCE, at_cap).unwrap();
    let cap_signed = signed(&cap_msg, bits(&set, &[1]), sign(&[1], &cap_msg));
    let l = layers(&state, &cap_signed);
    let len = 42 + MAX + 104 + 1;
    assert_eq!(cap_signed.to_bytes().len(), len);
    assert_eq!(l.gas, PredicateGas { gas: granite_predicate_gas(len, 1), chunks: len / 32 + 1, signers: 1 });
    assert_eq!(l.gas.gas, 125_000 + 512 * 773 + 250);
    l.assert_valid();
    let decoded = IWarpMessenger::getVerifiedWarpMessageCall::abi_decode_returns(&l.read.output).unwrap();
    assert_eq!(decoded.message.payload.len(), MAX_USER);

    // sendWarpMessage: 24,542 user bytes succeed, 24,543 halt. Both calldatas are
    // 24,608 bytes after the selector (the payload is padded to 24,544), so both
    // pay 41,500 + 8 · 24,608 = 238,364 before the size check.
    let (ok_input, big_input) = (send_input(MAX_USER), send_input(MAX_USER + 1));
    assert_eq!((ok_input.len() - 4, big_input.len() - 4), (24_608, 24_608));
    let charge = 41_500 + 8 * 24_608;
    assert_eq!(charge, 238_364);
    let none = FailureBits::none_failed();
    let sent = success(precompile(&[], &none, &ok_input, charge));
    assert_eq!(sent.gas_used, charge);
    assert_eq!(sent.logs.len(), 1);
    let too_big = halt(precompile(&[], &none, &big_input, charge));
    assert_eq!(too_big, WarpHalt::PayloadTooLarge { len: 24_543 });
    assert_eq!(too_big.to_string(), "payload of 24543 bytes is too large for an AddressedCall");
    // One gas short of the charges: out of gas first (§8.3 steps 1-2).
    assert_eq!(
        halt(precompile(&[], &none, &big_input, charge - 1)),
        WarpHalt::OutOfGas { needed: 8 * 24_608, available: 8 * 24_608 - 1 }
    );

    // In an EVM, the halt consumes ALL gas of the call (§8.4), and leaves no log.
    let ok = execute(support::call(ok_input.clone(), AccessList::default(), FailureBits::none_failed()));
    assert!(ok.is_success());
    assert_eq!(ok.tx_gas_used(), 21_000 + support::calldata_gas(&ok_input) + charge);
    assert_eq!(ok.logs().len(), 1);
    let halted = execute(support::call(big_input.clone(), AccessList::default(), FailureBits::none_failed()));
    assert!(matches!(halted, ExecutionResult::Halt { .. }), "{halted:?}");
    assert_eq!(halted.tx_gas_used(), support::GAS_LIMIT);
    assert!(halted.logs().is_empty());
}

/// Case 10. Reference: every warp tuple is one predicate, indexed in order
/// (§6.3); intrinsic gas sums each predicate's gas with checked additions (§6.4);
/// a failed predicate is a set bit of the transaction's bitset, stored as a
/// big-endian integer (§5.3, §7.1); a read of a failed or missing index returns
/// the constant invalid output for the base gas, a valid one pays per chunk
/// (§8.3 steps 5-6, §9).
///
/// Layout, for speed: ONE message signed once on another network (it fails at
/// §5.4 step 1, before any BLS work) fills every index except the ten of the form
/// `k·1,000 + 999` (999, 1,999, …, 9,999), which carry ONE valid message signed
/// once. Both messages have the same size and signers, hence the same predicate
/// gas. Measured in a debug build on this 2-core machine (one core taken by a
/// fuzzer): 10,000 copies of the valid message took 9.4 s to verify in parallel
/// (batched pairings) and 16.1 s sequentially; this layout takes well under a
/// second and still exercises a 1,250-byte failure bitset and valid reads.
#[test]
fn ten_thousand_predicates_in_one_transaction() {
    const N: usize = 10_000;
    let valid = |i: usize| i % 1_000 == 999;
    let set = set_of(&[1, 2, 3]);
    let state = state_with(set_of(&[1, 2, 3]));
    let good_unsigned = unsigned(NETWORK);
    let replay_unsigned = unsigned(OTHER_NETWORK);
    let good = signed(&good_unsigned, bits(&set, &[1, 2, 3]), sign(&[1, 2, 3], &good_unsigned)).to_bytes();
    let replay =
        signed(&replay_unsigned, bits(&set, &[1, 2, 3]), sign(&[1, 2, 3], &replay_unsigned)).to_bytes();
    let (good_keys, replay_keys) = (pack(&good), pack(&replay));
    let one = predicate_gas(&good_keys, &GRANITE).unwrap();
    assert_eq!(predicate_gas(&replay_keys, &GRANITE).unwrap(), one);
    assert_eq!(one.gas, granite_predicate_gas(good.len(), 3));

    let list = AccessList(
        (0..N)
            .map(|i| AccessListItem {
                address: WARP_ADDRESS,
                storage_keys: if valid(i) { good_keys.clone() } else { replay_keys.clone() },
            })
            .collect(),
    );
    assert_eq!(warp_predicates(&list).len(), N);

    // Intrinsic gas: exactly N × one predicate's gas (checked).
    let gas = access_list_gas(&list, &GRANITE).unwrap();
    assert_eq!(Some(gas.with_predicates), one.gas.checked_mul(N as u64));
    let flat = 2_400 + 1_900 * one.chunks as u64;
    assert_eq!(Some(gas.standard), flat.checked_mul(N as u64));

    // Block results: every bit set but the ten valid indices.
    let txs = [BlockTx::new(TX, &list, u64::MAX, 21_000)];
    let started = Instant::now();
    let results = predicate_verifier(&state, Execution::Parallel).block_results(&txs, HEIGHT).unwrap();
    eprintln!("10,000 predicates verified in {:?}", started.elapsed());
    // One by one (the reference's way) gives the same results.
    assert_eq!(
        predicate_verifier(&state, Execution::Sequential).block_results(&txs, HEIGHT).unwrap(),
        results
    );
    let failures = results.get(&TX, &WARP_ADDRESS).unwrap().clone();
    assert_eq!(failures, FailureBits::from_indices((0..N).filter(|i| !valid(*i))));
    assert_eq!(failures.indices().count(), N - 10);
    assert!(
        failures.contains(0)
            && failures.contains(9_998)
            && !failures.contains(999)
            && !failures.contains(9_999)
    );
    // The highest set bit is 9,998, so the bitset is ⌈9,999 / 8⌉ = 1,250 bytes:
    // the first byte holds bits 9,992..=9,999 (`7f`: 9,999 clear), and each valid
    // index clears one bit of an otherwise `ff` byte.
    let bitset = failures.as_bytes();
    assert_eq!(bitset.len(), 1_250);
    assert_eq!(bitset[0], 0x7f);
    assert_eq!(bitset.iter().filter(|b| **b != 0xff).count(), 10);
    // Index 999 is bit 7 of byte 124 from the end.
    assert_eq!(bitset[1_250 - 1 - 999 / 8], 0x7f);

    // The results encoding round-trips: 6 + 32 + 4 + 20 + 4 + 1,250 bytes.
    let encoded = results.to_bytes().unwrap();
    assert_eq!(encoded.len(), 1_316);
    assert_eq!(&encoded[62..66], &1_250u32.to_be_bytes());
    assert_eq!(PredicateResults::parse(&encoded).unwrap(), results);
    // And a block carrying them verifies byte for byte.
    let verified = predicate_verifier(&state, Execution::Parallel)
        .verify_block(&txs, HEIGHT, PredicateRule::ResultsInBlock, &encoded)
        .unwrap();
    assert_eq!(verified, results);

    // The precompile: 999 and 9,999 are valid (base + per chunk); 9,998 failed and
    // 10,000 is missing (both the constant output for the base gas only).
    let predicates = warp_predicates(&list);
    for index in [999, 9_999] {
        let out = success(precompile(&predicates, &failures, &read_message_input(index), 1_000_000));
        assert_eq!(out.gas_used, READ_BASE + 512 * one.chunks as u64, "index {index}");
        let decoded = IWarpMessenger::getVerifiedWarpMessageCall::abi_decode_returns(&out.output).unwrap();
        assert!(decoded.valid, "index {index}");
        assert_eq!(decoded.message.payload.as_ref(), b"adversarial");
    }
    for index in [9_998, 10_000] {
        let out = success(precompile(&predicates, &failures, &read_message_input(index), 1_000_000));
        assert_eq!(out.output.as_ref(), INVALID_WARP_MESSAGE_OUTPUT.as_slice(), "index {index}");
        assert_eq!(out.gas_used, READ_BASE, "index {index}");
    }
}

/// Case 11. Reference: unpacking strips all trailing zeros and fails with
/// `errMissingDelimiter` when nothing is left, which includes a tuple with NO
/// storage keys (§6.2 step 2); every warp tuple is a predicate even without keys
/// and the index counts warp tuples only (§6.3); the error comes from predicate
/// gas, so the transaction is invalid (§6.4, §15.5).
#[test]
fn warp_tuple_without_storage_keys_invalidates_the_transaction() {
    let set = set_of(&[1]);
    let msg = unsigned(NETWORK);
    let good = signed(&msg, bits(&set, &[1]), sign(&[1], &msg)).to_bytes();
    let warp = |keys: Vec<B256>| AccessListItem { address: WARP_ADDRESS, storage_keys: keys };
    let other = AccessListItem { address: Address::with_last_byte(9), storage_keys: vec![B256::ZERO] };
    // Warp tuples 0 and 1 are fine; the third warp tuple (index 2, tuple 4) has no keys.
    let list = AccessList(vec![warp(pack(&good)), other.clone(), warp(pack(&good)), other, warp(Vec::new())]);
    assert_eq!(warp_predicates(&list).len(), 3);
    assert!(warp_predicates(&list)[2].is_empty());

    let missing = PredicateError::MissingDelimiter { chunks: 0 };
    assert_eq!(unpack(&[]), Err(missing));
    let source = PredicateGasError::InvalidPredicateBytes(missing);
    assert_eq!(predicate_gas(&[], &GRANITE), Err(source.clone()));
    let err = access_list_gas(&list, &GRANITE).unwrap_err();
    assert_eq!(err, AccessListGasError::Predicate { index: 2, source: source.clone() });
    assert_eq!(
        err.to_string(),
        "warp predicate 2: invalid predicate bytes: predicate of 0 storage keys has no 0xff delimiter: every byte is zero"
    );
    // A key of zeros is the same error (§6.2 step 2, Go's `[00…]` case).
    assert_eq!(
        predicate_gas(&[B256::ZERO], &GRANITE),
        Err(PredicateGasError::InvalidPredicateBytes(PredicateError::MissingDelimiter { chunks: 1 }))
    );

    let state = state_with(set_of(&[1]));
    let txs = [BlockTx::new(TX, &list, u64::MAX, 21_000)];
    for execution in [Execution::Sequential, Execution::Parallel] {
        let v = predicate_verifier(&state, execution);
        assert_eq!(
            v.block_results(&txs, HEIGHT),
            Err(BlockError::InvalidTransaction { position: 0, tx: TX, index: 2, source: source.clone() })
        );
        assert_eq!(
            v.check_tx(&list, HEIGHT),
            Err(AccessListGasError::Predicate { index: 2, source: source.clone() })
        );
    }
    // An EVM refuses the transaction before executing it.
    let err = support::context(revm_chain())
        .build_warp()
        .transact(support::call(read_message_input(0), list, FailureBits::none_failed()))
        .unwrap_err();
    assert_eq!(
        err,
        EVMError::Transaction(WarpTransactionError::Predicate(AccessListGasError::Predicate {
            index: 2,
            source
        }))
    );
}

/// Case 12. Reference (§8.3): both reads decode the index as a `uint32`; a word
/// above 2³² − 1 fails to decode (step 2, `errInvalidIndexInput`), and an index
/// above `MaxInt32` is the same error (step 3) — an error, NOT `valid=false`.
/// Any error consumes all the gas of the call (§8.4). An index in range without
/// a predicate returns the constant invalid output (192 bytes for messages, 96
/// zero bytes for block hashes) and only the base gas (step 5, §8.5).
#[test]
fn index_limits_of_the_reads() {
    let none = FailureBits::none_failed();
    let two_31 = 1u32 << 31;
    let message_selector = IWarpMessenger::getVerifiedWarpMessageCall::SELECTOR;
    let hash_selector = IWarpMessenger::getVerifiedWarpBlockHashCall::SELECTOR;
    for (input, invalid_output) in [
        (read_message_input as fn(u32) -> Vec<u8>, INVALID_WARP_MESSAGE_OUTPUT.as_slice()),
        (read_block_hash_input, INVALID_BLOCK_HASH_OUTPUT.as_slice()),
    ] {
        // 2³¹: a halt naming the index.
        let h = halt(precompile(&[], &none, &input(two_31), 1_000_000));
        assert_eq!(h, WarpHalt::IndexTooLarge { index: 2_147_483_648 });
        assert_eq!(h.to_string(), "invalid index input: 2147483648 exceeds 2147483647");
        // 2³¹ − 1: in range, no such predicate: the constant output, base gas only.
        let out = success(precompile(&[], &none, &input(two_31 - 1), 1_000_000));
        assert_eq!(out.output.as_ref(), invalid_output);
        assert_eq!(out.gas_used, READ_BASE);
        assert_eq!(success(precompile(&[], &none, &input(two_31 - 1), READ_BASE)).gas_used, READ_BASE);
    }
    assert_eq!(INVALID_WARP_MESSAGE_OUTPUT.len(), 192);
    assert_eq!(INVALID_BLOCK_HASH_OUTPUT, [0u8; 96]);
    // 2³²: not a uint32.
    for selector in [message_selector, hash_selector] {
        let word = U256::from(1u64 << 32);
        let h = halt(precompile(&[], &none, &raw_index_input(selector, word), 1_000_000));
        assert_eq!(h, WarpHalt::InvalidIndexInput(AbiError::Uint32Overflow { value: word }));
        assert_eq!(h.to_string(), "invalid index input: abi: 4294967296 does not fit in uint32");
    }

    // In an EVM: each halt consumes all the gas; the in-range miss pays the base.
    for input in [
        read_message_input(two_31),
        read_block_hash_input(two_31),
        raw_index_input(message_selector, U256::from(1u64 << 32)),
        raw_index_input(hash_selector, U256::from(1u64 << 32)),
    ] {
        let result = execute(support::call(input.clone(), AccessList::default(), FailureBits::none_failed()));
        assert!(matches!(result, ExecutionResult::Halt { .. }), "{result:?}");
        assert_eq!(result.tx_gas_used(), support::GAS_LIMIT);
    }
    let input = read_message_input(two_31 - 1);
    let miss = execute(support::call(input.clone(), AccessList::default(), FailureBits::none_failed()));
    assert_eq!(support::output(&miss).as_ref(), INVALID_WARP_MESSAGE_OUTPUT.as_slice());
    assert_eq!(miss.tx_gas_used(), 21_000 + support::calldata_gas(&input) + READ_BASE);
}
