//! The registry's past sets, rebuilt from checkpoints and undo records, against
//! the history replayed forward: every height, after random registrations,
//! weight changes and removals, several per height, past many checkpoints.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use std::collections::BTreeMap;

use awm_core::registry::CHECKPOINT_EVERY;
use awm_core::*;
use proptest::prelude::*;

const SUBNET: Id = Id([0x42; 32]);

fn node(i: u8) -> NodeId {
    NodeId([i; 20])
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(8))]

    #[test]
    fn every_past_set_equals_the_history_replayed_forward(
        ops in prop::collection::vec((0u8..40, 1u64..1_000, 0u8..3, 0u8..3), CHECKPOINT_EVERY * 3..CHECKPOINT_EVERY * 4),
    ) {
        let registry = PChainRegistry::with_cache_capacity(0);
        let mut expected: BTreeMap<NodeId, u64> = BTreeMap::new();
        let mut at_height: Vec<(u64, BTreeMap<NodeId, u64>)> = Vec::new();
        let mut height = 1u64;
        for (who, weight, kind, step) in ops {
            // Several changes may share a height; `step` moves it on.
            if step == 0 && !expected.is_empty() {
                at_height.push((height, expected.clone()));
                height += 1;
            }
            let n = node(who);
            match (expected.contains_key(&n), kind) {
                (false, _) => {
                    registry.register_validator_without_key(height, SUBNET, n, weight).unwrap();
                    expected.insert(n, weight);
                }
                (true, 0) if expected.len() > 1 => {
                    registry.remove_validator(height, SUBNET, n).unwrap();
                    expected.remove(&n);
                }
                (true, _) => {
                    registry.set_weight(height, SUBNET, n, weight).unwrap();
                    expected.insert(n, weight);
                }
            }
        }
        at_height.push((height, expected.clone()));
        for (h, want) in &at_height {
            let got: BTreeMap<NodeId, u64> = registry
                .validators_at(&SUBNET, *h)
                .unwrap()
                .into_iter()
                .map(|v| (v.node_ids[0], v.weight))
                .collect();
            prop_assert_eq!(&got, want, "height {}", h);
            // The canonical set (no keys here: only the total) agrees.
            let set = registry.validator_set(&SUBNET, *h).unwrap();
            prop_assert_eq!(set.total_weight(), want.values().sum::<u64>());
        }
    }
}
