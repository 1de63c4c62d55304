//! Predicate unpacking and `predicate_gas` on arbitrary storage keys.
//!
//! Input: the first byte picks the gas schedule (ACP-30 text, pre-Granite,
//! Granite); the rest, cut into 32-byte storage keys (a short tail is
//! zero-filled), is the warp tuple. Nothing may panic. Every accepted tuple
//! re-packs to the same keys; accepted gas is exactly
//! `base + chunk·keys + signer·signers` under every schedule, and is refused
//! under one schedule only if it is refused under all of them.
#![no_main]

use alloy_primitives::B256;
use libfuzzer_sys::fuzz_target;
use warp_predicate::{
    access_list_gas, pack, predicate_gas, unpack, AccessList, AccessListItem, GasSchedule, WARP_ADDRESS,
};

const SCHEDULES: [GasSchedule; 3] =
    [GasSchedule::acp30(), GasSchedule::pre_granite(), GasSchedule::granite()];

fuzz_target!(|data: &[u8]| {
    let Some((&pick, rest)) = data.split_first() else { return };
    let keys: Vec<B256> = rest
        .chunks(32)
        .map(|chunk| {
            let mut key = [0u8; 32];
            key[..chunk.len()].copy_from_slice(chunk);
            B256::from(key)
        })
        .collect();

    if let Ok(bytes) = unpack(&keys) {
        assert_eq!(pack(&bytes), keys, "an accepted predicate re-packs differently");
    }

    let schedule = &SCHEDULES[usize::from(pick) % SCHEDULES.len()];
    let outcomes: Vec<_> = SCHEDULES.iter().map(|s| predicate_gas(&keys, s)).collect();
    let accepted = outcomes.iter().filter(|o| o.is_ok()).count();
    assert!(accepted == 0 || accepted == SCHEDULES.len(), "schedules disagree on validity");
    for (outcome, s) in outcomes.iter().zip(SCHEDULES.iter()) {
        if let Ok(gas) = outcome {
            assert!(unpack(&keys).is_ok());
            assert_eq!(gas.chunks, keys.len());
            let expected = u128::from(s.verify_predicate_base)
                + u128::from(s.per_warp_message_chunk) * gas.chunks as u128
                + u128::from(s.per_warp_signer) * gas.signers as u128;
            assert_eq!(u128::from(gas.gas), expected);
        }
    }

    // The same tuple inside an access list, beside an ordinary tuple.
    let list = AccessList(vec![
        AccessListItem { address: WARP_ADDRESS, storage_keys: keys.clone() },
        AccessListItem { address: alloy_primitives::Address::ZERO, storage_keys: keys.clone() },
    ]);
    let whole = access_list_gas(&list, schedule);
    assert_eq!(whole.is_ok(), outcomes[usize::from(pick) % SCHEDULES.len()].is_ok());
});
