//! The chain slot: what the warp precompile and handler need to know about the
//! chain and the block being executed.

use warp_predicate::{GasSchedule, GasUpgrades};

use crate::precompile::{ChainConstants, DelegatePolicy};

/// The chain's warp settings, held in revm's chain slot.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WarpChain {
    /// Network and blockchain IDs.
    pub constants: ChainConstants,
    /// The gas schedule at the block's timestamp.
    pub schedule: GasSchedule,
    /// The delegate-call policy at the block's timestamp.
    pub delegate_policy: DelegatePolicy,
}

impl WarpChain {
    /// Settings for a chain with `constants`, under `schedule` and `delegate_policy`.
    pub fn new(constants: ChainConstants, schedule: GasSchedule, delegate_policy: DelegatePolicy) -> Self {
        Self { constants, schedule, delegate_policy }
    }

    /// The settings for a block at `timestamp` on a chain whose gas schedules
    /// change at `upgrades` and whose Granite activates at `granite`; `None`
    /// before warp's first schedule (the precompile is not active yet).
    pub fn at(
        constants: ChainConstants,
        upgrades: &GasUpgrades,
        granite: u64,
        timestamp: u64,
    ) -> Option<Self> {
        let schedule = *upgrades.schedule_at(timestamp)?;
        Some(Self::new(constants, schedule, DelegatePolicy::at(timestamp, granite)))
    }
}

/// Today's rules (Granite schedule, delegate calls revert) with zero IDs: set
/// the IDs with [`WarpChain::new`] or by assigning `constants`.
impl Default for WarpChain {
    fn default() -> Self {
        Self::new(
            ChainConstants { network_id: 0, blockchain_id: awm_core::Id([0; 32]) },
            GasSchedule::granite(),
            DelegatePolicy::Reverts,
        )
    }
}
