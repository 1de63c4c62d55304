//! Predicate-results decoding on arbitrary bytes, bare and inside a header's
//! `extra` under each layout. Nothing may panic. Accepted results re-encode to
//! bytes that parse to the same value, and to the input itself whenever every
//! bitset in it was canonical (results bitsets are read leniently, as
//! `ParseBlockResults` does).
#![no_main]

use libfuzzer_sys::fuzz_target;
use warp_predicate::{ExtraLayout, PredicateResults};

fuzz_target!(|data: &[u8]| {
    if let Ok(results) = PredicateResults::parse(data) {
        let bytes = results.to_bytes().expect("parsed results re-encode");
        assert!(bytes.len() <= data.len(), "re-encoding grew");
        assert_eq!(PredicateResults::parse(&bytes).ok().as_ref(), Some(&results));
        if bytes.len() == data.len() {
            assert_eq!(bytes, data);
        }
        for (tx, addresses) in results.iter() {
            for (address, bits) in addresses {
                for index in bits.indices().take(64) {
                    assert!(results.failed(tx, address, index));
                }
            }
        }
    }
    for layout in [
        ExtraLayout::SubnetEvm,
        ExtraLayout::CorethPreFortuna,
        ExtraLayout::CorethFortuna,
        ExtraLayout::NoPrefix,
    ] {
        let _ = layout.results(data);
        let _ = layout.results_bytes(data);
    }
});
