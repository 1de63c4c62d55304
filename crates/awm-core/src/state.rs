//! Where validator sets come from, and which one a message is checked against.
//!
//! [`ValidatorState`] is the P-Chain as a verifier sees it: the subnet of a
//! chain, and the canonical set of a subnet at a P-Chain height.
//! [`WarpVerifier`] applies the EVM precompile's rule for choosing the set
//! (`VerifyPredicate`, §5.2 of the reference):
//!
//! - the source's subnet is looked up from its chain ID;
//! - if that is the primary network and either `require_primary_network_signers`
//!   is off or the source is the P-Chain itself, the **receiver's own subnet**
//!   signs instead (so X-, C- and P-Chain messages are checked against the
//!   receiver's validators);
//! - the set at the block's P-Chain height is fetched, and the message is verified
//!   with the quorum the receiver's [`QuorumPolicy`] asks of that source.

use std::collections::HashMap;
use std::sync::Arc;

use thiserror::Error;

use crate::ids::{ChainId, Id, SubnetId};
use crate::message::Message;
use crate::quorum::{Quorum, QuorumPolicy};
use crate::validators::{CanonicalValidatorSet, ValidatorSetError};
use crate::verify::{VerifiedWeight, VerifyError};

/// Why validator state could not answer.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum StateError {
    /// No subnet is known for the chain.
    #[error("unknown chain {0}: no subnet is known for it")]
    UnknownChain(ChainId),
    /// No validator set is known for the subnet at the height.
    #[error("no validator set for subnet {subnet} at P-Chain height {height}")]
    UnknownSubnet {
        /// The subnet asked for.
        subnet: SubnetId,
        /// The P-Chain height asked for.
        height: u64,
    },
    /// The set exists but cannot be flattened (its weight overflows).
    #[error("validator set of subnet {subnet} at P-Chain height {height}: {source}")]
    InvalidSet {
        /// The subnet asked for.
        subnet: SubnetId,
        /// The P-Chain height asked for.
        height: u64,
        /// Why flattening failed.
        source: ValidatorSetError,
    },
    /// The height is beyond what the P-Chain has accepted.
    #[error("P-Chain height {requested} is beyond the current height {current}")]
    HeightInFuture {
        /// The height asked for.
        requested: u64,
        /// The latest accepted height.
        current: u64,
    },
    /// Any other failure of the backing store.
    #[error("validator state unavailable: {0}")]
    Unavailable(String),
}

/// The P-Chain as a warp verifier needs it.
pub trait ValidatorState {
    /// The subnet that validates `chain_id` (`GetSubnetID`).
    fn subnet_of(&self, chain_id: &ChainId) -> Result<SubnetId, StateError>;

    /// The canonical validator set of `subnet_id` at `p_chain_height`.
    fn validator_set(
        &self,
        subnet_id: &SubnetId,
        p_chain_height: u64,
    ) -> Result<Arc<CanonicalValidatorSet>, StateError>;
}

impl<T: ValidatorState + ?Sized> ValidatorState for Arc<T> {
    fn subnet_of(&self, chain_id: &ChainId) -> Result<SubnetId, StateError> {
        (**self).subnet_of(chain_id)
    }
    fn validator_set(
        &self,
        subnet_id: &SubnetId,
        height: u64,
    ) -> Result<Arc<CanonicalValidatorSet>, StateError> {
        (**self).validator_set(subnet_id, height)
    }
}

impl<T: ValidatorState + ?Sized> ValidatorState for &T {
    fn subnet_of(&self, chain_id: &ChainId) -> Result<SubnetId, StateError> {
        (**self).subnet_of(chain_id)
    }
    fn validator_set(
        &self,
        subnet_id: &SubnetId,
        height: u64,
    ) -> Result<Arc<CanonicalValidatorSet>, StateError> {
        (**self).validator_set(subnet_id, height)
    }
}

/// Fixed sets, the same at every height: for tests and examples.
#[derive(Debug, Clone, Default)]
pub struct FixedValidatorState {
    subnets: HashMap<ChainId, SubnetId>,
    sets: HashMap<SubnetId, Arc<CanonicalValidatorSet>>,
}

impl FixedValidatorState {
    /// An empty state.
    pub fn new() -> Self {
        Self::default()
    }

    /// Records that `chain` belongs to `subnet`.
    pub fn with_chain(mut self, chain: ChainId, subnet: SubnetId) -> Self {
        self.subnets.insert(chain, subnet);
        self
    }

    /// Sets the validators of `subnet` (at every height).
    pub fn with_set(mut self, subnet: SubnetId, set: CanonicalValidatorSet) -> Self {
        self.sets.insert(subnet, Arc::new(set));
        self
    }
}

impl ValidatorState for FixedValidatorState {
    fn subnet_of(&self, chain_id: &ChainId) -> Result<SubnetId, StateError> {
        if *chain_id == Id::P_CHAIN {
            return Ok(Id::PRIMARY_NETWORK);
        }
        self.subnets.get(chain_id).copied().ok_or(StateError::UnknownChain(*chain_id))
    }

    fn validator_set(
        &self,
        subnet_id: &SubnetId,
        p_chain_height: u64,
    ) -> Result<Arc<CanonicalValidatorSet>, StateError> {
        self.sets
            .get(subnet_id)
            .cloned()
            .ok_or(StateError::UnknownSubnet { subnet: *subnet_id, height: p_chain_height })
    }
}

/// A receiving chain's warp settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WarpConfig {
    /// The receiver's network ID.
    pub network_id: u32,
    /// The receiver's own subnet.
    pub subnet_id: SubnetId,
    /// Require primary-network messages (other than the P-Chain's) to be signed by
    /// the primary network rather than the receiver's own subnet.
    pub require_primary_network_signers: bool,
    /// The quorum asked of each source.
    pub quorum: QuorumPolicy,
}

/// Why a message failed verification on the receiver.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum WarpError {
    /// The source's subnet or validator set could not be had.
    #[error(transparent)]
    State(#[from] StateError),
    /// The signature did not verify.
    #[error(transparent)]
    Verify(#[from] VerifyError),
}

/// Verifies received messages against the P-Chain view of a [`ValidatorState`].
#[derive(Debug, Clone)]
pub struct WarpVerifier<S> {
    state: S,
    config: WarpConfig,
}

impl<S: ValidatorState> WarpVerifier<S> {
    /// A verifier for a receiver with `config`.
    pub fn new(state: S, config: WarpConfig) -> Self {
        Self { state, config }
    }

    /// The receiver's settings.
    pub fn config(&self) -> &WarpConfig {
        &self.config
    }

    /// The validator state.
    pub fn state(&self) -> &S {
        &self.state
    }

    /// The subnet whose validators must sign a message from `source_chain_id`,
    /// and the source's own subnet (for the quorum policy).
    pub fn signing_subnet(&self, source_chain_id: &ChainId) -> Result<(SubnetId, SubnetId), StateError> {
        let source_subnet = self.state.subnet_of(source_chain_id)?;
        let use_own = source_subnet == Id::PRIMARY_NETWORK
            && (!self.config.require_primary_network_signers || *source_chain_id == Id::P_CHAIN);
        Ok((if use_own { self.config.subnet_id } else { source_subnet }, source_subnet))
    }

    /// The set that must sign a message from `source_chain_id` at `p_chain_height`,
    /// and the quorum the receiver asks of that source.
    pub fn signing_set(
        &self,
        source_chain_id: &ChainId,
        p_chain_height: u64,
    ) -> Result<(Arc<CanonicalValidatorSet>, Quorum), StateError> {
        let (signing_subnet, source_subnet) = self.signing_subnet(source_chain_id)?;
        let set = self.state.validator_set(&signing_subnet, p_chain_height)?;
        Ok((set, self.config.quorum.quorum_for(source_chain_id, &source_subnet)))
    }

    /// Verifies `msg` at `p_chain_height` (the block's proposervm context height).
    pub fn verify(&self, msg: &Message, p_chain_height: u64) -> Result<VerifiedWeight, WarpError> {
        let (set, quorum) = self.signing_set(&msg.unsigned().source_chain_id(), p_chain_height)?;
        Ok(msg.verify(self.config.network_id, &set, quorum)?)
    }
}
