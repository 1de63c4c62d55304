//! Validator JSON loading (`platform.getValidatorsAt` answers, bare, wrapped or
//! as a JSON-RPC response) on arbitrary text, then flattening into the
//! canonical set. Nothing may panic; a set that loads is sorted by uncompressed
//! key, has distinct keys, and its total weight covers its key holders' weight.
#![no_main]

use awm_core::{parse_get_validators_at, CanonicalValidatorSet};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let parsed = parse_get_validators_at(text);
    let Ok(set) = CanonicalValidatorSet::from_get_validators_at_json(text) else { return };
    assert!(parsed.is_ok());
    let validators = set.validators();
    let mut held: u128 = 0;
    for pair in validators.windows(2) {
        assert!(
            pair[0].public_key.uncompressed() < pair[1].public_key.uncompressed(),
            "not sorted and distinct"
        );
    }
    for v in validators {
        held += u128::from(v.weight);
    }
    assert!(held <= u128::from(set.total_weight()), "key holders outweigh the total");
});
