//! The precompile core (`warp_precompile::run`) on arbitrary calldata, with
//! arbitrary predicates and failure bits, in every call scheme and schedule.
//!
//! Input framing (so seeds can be written by hand, see `fuzz/seeds.py`):
//!
//! | bytes | meaning |
//! |---|---|
//! | 1 | flags: bits 0-1 schedule (ACP-30, pre-Granite, Granite), bit 2 static, bits 3-4 scheme, bits 5-6 delegate policy, bit 7 unlimited gas |
//! | 4 | gas limit, u32 big-endian |
//! | 1 | selector: 0-3 one of the four functions prepended to the calldata, else none |
//! | 2 | calldata length, u16 big-endian, then the calldata |
//! | 1 | failure-bits length, then the bits (big-endian bit integer, read leniently); 255: not pre-verified (no bits: every predicate reads as invalid) |
//! | … | predicates: repeated `kind(1) len(2) bytes`; an even kind packs the bytes as a message, an odd kind cuts them into raw 32-byte keys |
//!
//! Nothing may panic; a success never uses more gas than given, and its gas,
//! output and logs obey the reference's rules for the function called.
#![no_main]

use alloy_primitives::{Address, B256};
use alloy_sol_types::SolCall;
use awm_core::{Id, UnsignedMessage};
use libfuzzer_sys::fuzz_target;
use warp_precompile::abi::{INVALID_BLOCK_HASH_OUTPUT, INVALID_WARP_MESSAGE_OUTPUT};
use warp_precompile::{
    run, CallScheme, ChainConstants, DelegatePolicy, IWarpMessenger, WarpCall, WarpEnv, WarpOutcome,
};
use warp_predicate::{pack, FailureBits, GasSchedule, WarpPredicates};

const SCHEDULES: [GasSchedule; 3] =
    [GasSchedule::acp30(), GasSchedule::pre_granite(), GasSchedule::granite()];
const SCHEMES: [CallScheme; 4] =
    [CallScheme::Call, CallScheme::StaticCall, CallScheme::DelegateCall, CallScheme::CallCode];
const POLICIES: [DelegatePolicy; 3] =
    [DelegatePolicy::Allowed, DelegatePolicy::InvalidatesTransaction, DelegatePolicy::Reverts];
const SELECTORS: [[u8; 4]; 4] = [
    IWarpMessenger::sendWarpMessageCall::SELECTOR,
    IWarpMessenger::getVerifiedWarpMessageCall::SELECTOR,
    IWarpMessenger::getVerifiedWarpBlockHashCall::SELECTOR,
    IWarpMessenger::getBlockchainIDCall::SELECTOR,
];
const CHAIN: ChainConstants = ChainConstants { network_id: 12345, blockchain_id: Id([0x42; 32]) };
const CALLER: Address = Address::repeat_byte(0xca);

struct Reader<'a>(&'a [u8]);

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize) -> &'a [u8] {
        let n = n.min(self.0.len());
        let (head, tail) = self.0.split_at(n);
        self.0 = tail;
        head
    }
    fn u8(&mut self) -> u8 {
        self.take(1).first().copied().unwrap_or(0)
    }
    fn be(&mut self, n: usize) -> u64 {
        self.take(n).iter().fold(0u64, |acc, b| (acc << 8) | u64::from(*b))
    }
}

fn chunks(bytes: &[u8]) -> Vec<B256> {
    bytes
        .chunks(32)
        .map(|c| {
            let mut key = [0u8; 32];
            key[..c.len()].copy_from_slice(c);
            B256::from(key)
        })
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let mut r = Reader(data);
    let flags = r.u8();
    let schedule = &SCHEDULES[usize::from(flags & 3) % 3];
    let is_static = flags & 4 != 0;
    let scheme = SCHEMES[usize::from((flags >> 3) & 3)];
    let policy = POLICIES[usize::from((flags >> 5) & 3) % 3];
    let gas_limit = if flags & 0x80 != 0 { u64::MAX } else { r.be(4) };
    let selector = r.u8();
    let calldata_len = r.be(2) as usize;
    let mut input = SELECTORS.get(usize::from(selector)).map(|s| s.to_vec()).unwrap_or_default();
    input.extend_from_slice(r.take(calldata_len));
    let bits_len = r.u8();
    let failures =
        (bits_len != u8::MAX).then(|| FailureBits::from_bytes_lenient(r.take(usize::from(bits_len))));
    let mut predicates: Vec<Vec<B256>> = Vec::new();
    while !r.0.is_empty() {
        let kind = r.u8();
        let len = r.be(2) as usize;
        let bytes = r.take(len);
        predicates.push(if kind % 2 == 0 { pack(bytes) } else { chunks(bytes) });
    }
    let built = WarpPredicates::from_tuples(&predicates);
    let env = WarpEnv {
        predicates: &built,
        failures: failures.as_ref(),
        chain: CHAIN,
        schedule,
        delegate_policy: policy,
    };
    let call = WarpCall { input: &input, caller: CALLER, is_static, scheme, gas_limit };

    let outcome = run(&call, &env);
    assert_eq!(outcome, run(&call, &env), "the core is not deterministic");
    let WarpOutcome::Success(out) = outcome else { return };
    assert!(out.gas_used <= gas_limit, "used {} of {gas_limit}", out.gas_used);
    let sel: [u8; 4] = input[..4].try_into().expect("a success had a selector");
    let args = &input[4..];
    match sel {
        s if s == SELECTORS[0] => {
            assert!(!is_static, "sendWarpMessage succeeded in a static context");
            assert_eq!(Some(out.gas_used), schedule.send_cost(args.len()));
            assert_eq!(out.logs.len(), 1);
            assert_eq!(out.output.len(), 32);
            let log = &out.logs[0];
            assert_eq!(log.data.topics().len(), 3);
            let data = &log.data.data;
            let len = u64::from_be_bytes(data[56..64].try_into().unwrap()) as usize;
            let unsigned =
                UnsignedMessage::parse(&data[64..64 + len]).expect("the log carries an unsigned message");
            assert_eq!(unsigned.id().0.as_slice(), &out.output[..]);
            assert_eq!(log.data.topics()[2].as_slice(), &out.output[..]);
            assert_eq!(unsigned.network_id(), CHAIN.network_id);
        }
        s if s == SELECTORS[1] || s == SELECTORS[2] => {
            assert!(out.logs.is_empty());
            let invalid: &[u8] =
                if s == SELECTORS[1] { &INVALID_WARP_MESSAGE_OUTPUT } else { &INVALID_BLOCK_HASH_OUTPUT };
            if out.output[..] == *invalid {
                assert_eq!(out.gas_used, schedule.get_verified_warp_message_base);
            } else {
                let index = u64::from_be_bytes(args[24..32].try_into().unwrap()) as usize;
                let verified = failures.as_ref().is_some_and(|f| !f.contains(index));
                assert!(index < predicates.len() && verified, "only a pre-verified, unfailed predicate reads");
                assert_eq!(Some(out.gas_used), schedule.read_cost(Some(predicates[index].len())));
            }
        }
        _ => {
            assert_eq!(out.gas_used, schedule.get_blockchain_id);
            assert_eq!(&out.output[..], CHAIN.blockchain_id.0.as_slice());
        }
    }
});
