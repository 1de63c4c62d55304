//! The precompile's pure core with known answers: every selector, gas per
//! schedule and at each charge step, static calls, predicates valid, failed and
//! missing, index limits, payload-type mismatches, the delegate-call policies.
//! Outputs and logs are cross-checked with eth-abi (`tests/oracle/abi_oracle.py`).

use awm::core::{AddressedCall, BitSetSignature, Hash, Id, Message, SignerBitSet, UnsignedMessage};
use awm::precompile::*;
use awm::predicate::{pack, Address, FailureBits, GasSchedule, WarpPredicates, B256};
use serde_json::{json, Value};

mod oracle;

const CHAIN: ChainConstants = ChainConstants { network_id: 5, blockchain_id: Id([0xbc; 32]) };
const SOURCE: Id = Id([0x5c; 32]);
const CALLER: Address = Address::new([0xca; 20]);

fn selector(name: &str) -> [u8; 4] {
    match name {
        "send" => [0xee, 0x5b, 0x48, 0xeb],
        "message" => [0x6f, 0x82, 0x53, 0x50],
        "hash" => [0xce, 0x7f, 0x59, 0x29],
        "id" => [0x42, 0x13, 0xcf, 0x78],
        _ => unreachable!(),
    }
}

fn word(v: u64) -> [u8; 32] {
    let mut w = [0u8; 32];
    w[24..].copy_from_slice(&v.to_be_bytes());
    w
}

fn send_calldata(payload: &[u8]) -> Vec<u8> {
    let mut padded = payload.to_vec();
    padded.resize(payload.len().div_ceil(32) * 32, 0);
    [selector("send").to_vec(), word(0x20).to_vec(), word(payload.len() as u64).to_vec(), padded].concat()
}

fn index_calldata(which: &str, index: u64) -> Vec<u8> {
    [selector(which).to_vec(), word(index).to_vec()].concat()
}

/// Signed-message bytes (the signature is never checked by the precompile).
fn signed(payload: Vec<u8>) -> Vec<u8> {
    let unsigned = UnsignedMessage::new(CHAIN.network_id, SOURCE, payload).unwrap();
    Message::new(unsigned, BitSetSignature::new(SignerBitSet::from_indices([0, 1]), [0x11; 96])).to_bytes()
}

fn addressed(sender: [u8; 20], payload: &[u8]) -> Vec<u8> {
    signed(AddressedCall::new(sender.to_vec(), payload.to_vec()).unwrap().to_bytes())
}

fn block_hash(hash: [u8; 32]) -> Vec<u8> {
    signed(Hash { hash: Id(hash) }.to_bytes())
}

struct Env {
    predicates: Vec<Vec<B256>>,
    failures: FailureBits,
    schedule: GasSchedule,
    policy: DelegatePolicy,
}

impl Env {
    fn new(messages: &[Vec<u8>], failed: &[usize], schedule: GasSchedule) -> Self {
        Env {
            predicates: messages.iter().map(|m| pack(m)).collect(),
            failures: FailureBits::from_indices(failed.iter().copied()),
            schedule,
            policy: DelegatePolicy::Reverts,
        }
    }

    fn call(&self, input: &[u8], is_static: bool, scheme: CallScheme, gas_limit: u64) -> WarpOutcome {
        let predicates = WarpPredicates::from_tuples(&self.predicates);
        let env = WarpEnv {
            predicates: &predicates,
            failures: Some(&self.failures),
            chain: CHAIN,
            schedule: &self.schedule,
            delegate_policy: self.policy,
        };
        run(&WarpCall { input, caller: CALLER, is_static, scheme, gas_limit }, &env)
    }

    fn ok(&self, input: &[u8], gas_limit: u64) -> WarpOutput {
        match self.call(input, false, CallScheme::Call, gas_limit) {
            WarpOutcome::Success(out) => out,
            other => panic!("expected success, got {other:?}"),
        }
    }

    fn halt(&self, input: &[u8], gas_limit: u64) -> WarpHalt {
        match self.call(input, false, CallScheme::Call, gas_limit) {
            WarpOutcome::Halt(h) => h,
            other => panic!("expected a halt, got {other:?}"),
        }
    }
}

/// The eth-abi oracle's encodings of `cases` (`tests/oracle/abi_oracle.py`);
/// `None` (after a `SKIPPED` line) outside CI when it cannot run.
fn oracle(cases: &Value) -> Option<Vec<Vec<u8>>> {
    let values: Vec<String> = serde_json::from_value(oracle::run("abi_oracle.py", cases)?).unwrap();
    Some(values.iter().map(|h| hex::decode(h).unwrap()).collect())
}

#[test]
fn selectors_and_event_topic() {
    use alloy_sol_types::{SolCall, SolEvent};
    use awm::precompile::IWarpMessenger::*;
    assert_eq!(sendWarpMessageCall::SELECTOR, selector("send"));
    assert_eq!(getVerifiedWarpMessageCall::SELECTOR, selector("message"));
    assert_eq!(getVerifiedWarpBlockHashCall::SELECTOR, selector("hash"));
    assert_eq!(getBlockchainIDCall::SELECTOR, selector("id"));
    assert_eq!(
        hex::encode(SendWarpMessage::SIGNATURE_HASH),
        "56600c567728a800c0aa927500f831cb451df66a7af570eb4df4dfbf4674887d"
    );
}

#[test]
fn send_warp_message_known_answer() {
    let env = Env::new(&[], &[], GasSchedule::pre_granite());
    let payload = b"0123456789";
    let input = send_calldata(payload);
    assert_eq!(input.len() - 4, 96);
    let out = env.ok(&input, 100_000);
    assert_eq!(out.gas_used, 42_268); // 41,500 + 8 · 96
    let unsigned = UnsignedMessage::new(
        CHAIN.network_id,
        CHAIN.blockchain_id,
        AddressedCall::new(CALLER.to_vec(), payload.to_vec()).unwrap().to_bytes(),
    )
    .unwrap();
    let id = *unsigned.id().as_bytes();
    assert_eq!(out.output.as_ref(), &id);
    assert_eq!(out.logs.len(), 1);
    let log = &out.logs[0];
    assert_eq!(log.address, WARP_ADDRESS);
    let topics = log.data.topics();
    assert_eq!(topics.len(), 3);
    assert_eq!(&topics[1][12..], CALLER.as_slice());
    assert_eq!(topics[2].0, id);
    // Data: offset, length, the unsigned message with its 00 00 version, zero padded.
    let data = log.data.data.as_ref();
    assert_eq!(&data[..32], &word(0x20));
    assert_eq!(&data[32..64], &word(unsigned.to_bytes().len() as u64));
    assert_eq!(&data[64..64 + unsigned.to_bytes().len()], unsigned.to_bytes().as_slice());
    assert_eq!(data.len() % 32, 0);

    // Same call under the other schedules.
    assert_eq!(Env::new(&[], &[], GasSchedule::granite()).ok(&input, 100_000).gas_used, 42_268);
    assert_eq!(Env::new(&[], &[], GasSchedule::acp30()).ok(&input, 100_000).gas_used, 41_500 + 768);

    if let Some(expected) = oracle(&json!([
        {"kind": "bytes32", "value": hex::encode(id)},
        {"kind": "log", "sender": hex::encode(CALLER), "id": hex::encode(id), "message": hex::encode(unsigned.to_bytes())},
    ])) {
        assert_eq!(out.output.as_ref(), expected[0].as_slice());
        let ours = [topics[0].as_slice(), topics[1].as_slice(), topics[2].as_slice(), data].concat();
        assert_eq!(ours, expected[1]);
    }
}

#[test]
fn send_charges_before_refusing_and_halts_exactly() {
    let env = Env::new(&[], &[], GasSchedule::pre_granite());
    let input = send_calldata(b"0123456789");
    // Static: write protection, but only once both charges are paid.
    assert_eq!(
        env.call(&input, true, CallScheme::Call, 100_000),
        WarpOutcome::Halt(WarpHalt::WriteProtection)
    );
    assert_eq!(
        env.call(&input, true, CallScheme::StaticCall, 42_267),
        WarpOutcome::Halt(WarpHalt::OutOfGas { needed: 768, available: 767 })
    );
    // Out of gas at each step.
    assert_eq!(env.halt(&input, 41_499), WarpHalt::OutOfGas { needed: 41_500, available: 41_499 });
    assert_eq!(env.halt(&input, 42_267), WarpHalt::OutOfGas { needed: 768, available: 767 });
    assert!(matches!(env.call(&input, false, CallScheme::Call, 42_268), WarpOutcome::Success(_)));
    // Bad ABI after the charges; an oversized payload.
    assert!(matches!(
        env.halt(&[selector("send").to_vec(), word(0x40).to_vec()].concat(), 100_000),
        WarpHalt::InvalidSendInput(_)
    ));
    let big = send_calldata(&vec![1u8; 24 * 1024]);
    assert_eq!(env.halt(&big, 10_000_000), WarpHalt::PayloadTooLarge { len: 24 * 1024 });
    // Lenient ABI: trailing bytes are accepted and charged.
    let trailing = [input.clone(), vec![0xee; 5]].concat();
    assert_eq!(env.ok(&trailing, 100_000).gas_used, 42_268 + 40);
}

#[test]
fn reads_of_valid_failed_and_missing_predicates() {
    let messages = vec![
        addressed([0x0a; 20], b"first"),
        addressed([0x0b; 20], b"second, failed"),
        block_hash([0x33; 32]),
        addressed([0x0d; 20], &[7u8; 1024]),
    ];
    for schedule in [GasSchedule::pre_granite(), GasSchedule::granite(), GasSchedule::acp30()] {
        let env = Env::new(&messages, &[1], schedule);
        let base = schedule.get_verified_warp_message_base;
        let chunk = schedule.per_warp_message_chunk;

        let out = env.ok(&index_calldata("message", 0), 1_000_000);
        assert_eq!(out.gas_used, base + chunk * env.predicates[0].len() as u64);
        let decoded =
            <IWarpMessenger::getVerifiedWarpMessageCall as alloy_sol_types::SolCall>::abi_decode_returns(
                &out.output,
            )
            .unwrap();
        assert!(decoded.valid);
        assert_eq!(decoded.message.sourceChainID.0, SOURCE.0);
        assert_eq!(decoded.message.originSenderAddress, Address::new([0x0a; 20]));
        assert_eq!(decoded.message.payload.as_ref(), b"first");

        let big = env.ok(&index_calldata("message", 3), 1_000_000);
        assert_eq!(big.gas_used, base + chunk * env.predicates[3].len() as u64);

        for (index, which, expected_len) in
            [(1, "message", 192), (4, "message", 192), (1, "hash", 96), (2_147_483_647, "hash", 96)]
        {
            let out = env.ok(&index_calldata(which, index), 1_000_000);
            assert_eq!((out.gas_used, out.output.len()), (base, expected_len), "index {index} {which}");
            assert!(out.logs.is_empty());
        }

        let hash = env.ok(&index_calldata("hash", 2), 1_000_000);
        assert_eq!(hash.gas_used, base + chunk * env.predicates[2].len() as u64);
        assert_eq!(&hash.output[32..64], &[0x33; 32]);
        assert_eq!(&hash.output[64..96], &word(1));

        // Halts: index 2^31, high bits in the word, short input, type mismatches, out of gas.
        assert_eq!(
            env.halt(&index_calldata("message", 1 << 31), 1_000_000),
            WarpHalt::IndexTooLarge { index: 1 << 31 }
        );
        assert!(matches!(
            env.halt(&index_calldata("hash", 1 << 32), 1_000_000),
            WarpHalt::InvalidIndexInput(_)
        ));
        assert!(matches!(env.halt(&selector("message"), 1_000_000), WarpHalt::InvalidIndexInput(_)));
        assert!(matches!(
            env.halt(&index_calldata("hash", 0), 1_000_000),
            WarpHalt::PayloadTypeMismatch { index: 0, .. }
        ));
        assert!(matches!(
            env.halt(&index_calldata("message", 2), 1_000_000),
            WarpHalt::PayloadTypeMismatch { index: 2, .. }
        ));
        if base > 0 {
            assert!(matches!(env.halt(&index_calldata("message", 0), base - 1), WarpHalt::OutOfGas { .. }));
        }
        let valid_cost = base + chunk * env.predicates[0].len() as u64;
        assert_eq!(
            env.halt(&index_calldata("message", 0), valid_cost - 1),
            WarpHalt::OutOfGas { needed: valid_cost - base, available: valid_cost - base - 1 }
        );
        // A failed read costs only the base even with no more gas.
        assert_eq!(env.ok(&index_calldata("message", 1), base).gas_used, base);
    }

    let env = Env::new(&messages, &[1], GasSchedule::granite());
    let valid = env.ok(&index_calldata("message", 0), 1_000_000).output;
    let invalid = env.ok(&index_calldata("message", 1), 1_000_000).output;
    let hash = env.ok(&index_calldata("hash", 2), 1_000_000).output;
    let invalid_hash = env.ok(&index_calldata("hash", 9), 1_000_000).output;
    if let Some(expected) = oracle(&json!([
        {"kind": "message", "chain": hex::encode(SOURCE.0), "sender": hex::encode([0x0a; 20]), "payload": hex::encode(b"first")},
        {"kind": "invalid_message"},
        {"kind": "block_hash", "chain": hex::encode(SOURCE.0), "hash": hex::encode([0x33; 32])},
        {"kind": "invalid_block_hash"},
    ])) {
        assert_eq!(valid.as_ref(), expected[0].as_slice());
        assert_eq!(invalid.as_ref(), expected[1].as_slice());
        assert_eq!(hash.as_ref(), expected[2].as_slice());
        assert_eq!(invalid_hash.as_ref(), expected[3].as_slice());
    }
}

#[test]
fn blockchain_id_dispatch_and_delegate_calls() {
    let mut env = Env::new(&[], &[], GasSchedule::granite());
    let out = env.ok(&selector("id"), 200);
    assert_eq!((out.gas_used, out.output.as_ref()), (200, &CHAIN.blockchain_id.0[..]));
    assert_eq!(env.ok(&[selector("id").to_vec(), vec![1, 2, 3]].concat(), 1_000).gas_used, 200);
    assert!(matches!(
        env.call(&selector("id"), true, CallScheme::StaticCall, 1_000),
        WarpOutcome::Success(_)
    ));
    assert_eq!(env.halt(&selector("id"), 199), WarpHalt::OutOfGas { needed: 200, available: 199 });
    assert_eq!(Env::new(&[], &[], GasSchedule::pre_granite()).ok(&selector("id"), 2).gas_used, 2);

    assert_eq!(env.halt(&[0xee, 0x5b, 0x48], 1_000), WarpHalt::MissingSelector { len: 3 });
    assert_eq!(env.halt(&[], 1_000), WarpHalt::MissingSelector { len: 0 });
    assert_eq!(env.halt(&[1, 2, 3, 4, 5], 1_000), WarpHalt::UnknownSelector { selector: [1, 2, 3, 4] });

    for scheme in [CallScheme::DelegateCall, CallScheme::CallCode] {
        env.policy = DelegatePolicy::Reverts;
        assert_eq!(
            env.call(&selector("id"), false, scheme, 1_000),
            WarpOutcome::Halt(WarpHalt::DelegateCallReverted)
        );
        env.policy = DelegatePolicy::InvalidatesTransaction;
        assert_eq!(env.call(&selector("id"), false, scheme, 1_000), WarpOutcome::InvalidTransaction);
        env.policy = DelegatePolicy::Allowed;
        assert!(matches!(env.call(&selector("id"), false, scheme, 1_000), WarpOutcome::Success(_)));
    }
    let granite = awm::predicate::gas::MAINNET_GRANITE;
    assert_eq!(DelegatePolicy::at(1_754_107_199, granite), DelegatePolicy::Allowed);
    assert_eq!(DelegatePolicy::at(1_754_107_200, granite), DelegatePolicy::InvalidatesTransaction);
    assert_eq!(DelegatePolicy::at(granite, granite), DelegatePolicy::Reverts);

    if let Some(expected) = oracle(&json!([
        {"kind": "selector", "signature": "sendWarpMessage(bytes)"},
        {"kind": "selector", "signature": "getVerifiedWarpMessage(uint32)"},
        {"kind": "selector", "signature": "getVerifiedWarpBlockHash(uint32)"},
        {"kind": "selector", "signature": "getBlockchainID()"},
    ])) {
        for (name, e) in ["send", "message", "hash", "id"].iter().zip(expected) {
            assert_eq!(selector(name).as_slice(), e.as_slice(), "{name}");
        }
    }
}
