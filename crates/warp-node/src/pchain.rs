//! The embedded P-Chain, durable: every change to `awm-core`'s
//! [`PChainRegistry`] is checked, applied and then appended to a redb journal
//! ([`PChainStore`]), and a restart replays the journal (proofs of possession
//! checked again) to the same validator sets at every height.

use std::path::Path;
use std::sync::Arc;

use alloy_primitives::{Bytes, B256};
use awm_core::bls::{PublicKey, Signature};
use awm_core::{ChainId, NodeId, PChainRegistry, RegistryError, SubnetId};
use thiserror::Error;

use crate::store::{PChainStore, RegistryOp, StoreError};

/// Why a P-Chain change failed.
#[derive(Debug, Error)]
pub enum PChainError {
    /// The registry refused it.
    #[error(transparent)]
    Registry(#[from] RegistryError),
    /// It could not be stored.
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// The embedded P-Chain, in memory or journaled to a data directory.
#[derive(Debug)]
pub struct PChain {
    registry: Arc<PChainRegistry>,
    store: Option<PChainStore>,
}

impl PChain {
    /// A P-Chain that lives in memory only.
    pub fn in_memory() -> Self {
        Self { registry: Arc::new(PChainRegistry::new()), store: None }
    }

    /// The P-Chain journaled in `dir` (`pchain.redb`), replayed to where it was.
    pub fn open(dir: &Path) -> Result<Self, StoreError> {
        let store = PChainStore::open(dir)?;
        let registry = Arc::new(PChainRegistry::new());
        for (index, op) in store.registry_ops()?.iter().enumerate() {
            op.apply(&registry).map_err(|source| StoreError::Registry { index: index as u64, source })?;
        }
        Ok(Self { registry, store: Some(store) })
    }

    /// The registry (what chains verify against).
    pub fn registry(&self) -> &Arc<PChainRegistry> {
        &self.registry
    }

    /// The latest height.
    pub fn height(&self) -> u64 {
        self.registry.height()
    }

    fn journal(&self, op: RegistryOp) -> Result<(), PChainError> {
        if let Some(store) = &self.store {
            store.append_registry_ops(std::slice::from_ref(&op))?;
        }
        Ok(())
    }

    /// Applies `ops` in order and journals them in **one** durable write: after
    /// a crash either all of them are there or none (a subnet registered with
    /// its validators and its height, say). The first refused change stops the
    /// batch before anything is journaled.
    pub fn apply_all(&self, ops: &[RegistryOp]) -> Result<(), PChainError> {
        for op in ops {
            op.apply(&self.registry)?;
        }
        if let Some(store) = &self.store {
            store.append_registry_ops(ops)?;
        }
        Ok(())
    }

    /// Moves the height forward.
    pub fn advance_to(&self, height: u64) -> Result<(), PChainError> {
        self.registry.advance_to(height)?;
        self.journal(RegistryOp::advance_to(height))
    }

    /// Records that `chain` is validated by `subnet`.
    pub fn create_chain(&self, chain: ChainId, subnet: SubnetId) -> Result<(), PChainError> {
        self.registry.create_chain(chain, subnet);
        self.journal(RegistryOp::create_chain(chain, subnet))
    }

    /// Registers a validator with its key, if `proof` proves possession of it.
    pub fn register_validator(
        &self,
        height: u64,
        subnet: SubnetId,
        node_id: NodeId,
        public_key: PublicKey,
        proof: &Signature,
        weight: u64,
    ) -> Result<(), PChainError> {
        self.registry.register_validator(height, subnet, node_id, public_key, proof, weight)?;
        self.journal(RegistryOp::register_validator(height, subnet, node_id, &public_key, proof, weight))
    }

    /// Registers a validator without a key (its weight counts, it never signs).
    pub fn register_validator_without_key(
        &self,
        height: u64,
        subnet: SubnetId,
        node_id: NodeId,
        weight: u64,
    ) -> Result<(), PChainError> {
        self.registry.register_validator_without_key(height, subnet, node_id, weight)?;
        self.journal(op(
            3,
            height,
            B256::from(subnet.0),
            Bytes::copy_from_slice(&node_id.0),
            Bytes::new(),
            weight,
        ))
    }

    /// Changes a validator's weight.
    pub fn set_weight(
        &self,
        height: u64,
        subnet: SubnetId,
        node_id: NodeId,
        weight: u64,
    ) -> Result<(), PChainError> {
        self.registry.set_weight(height, subnet, node_id, weight)?;
        self.journal(op(
            4,
            height,
            B256::from(subnet.0),
            Bytes::copy_from_slice(&node_id.0),
            Bytes::new(),
            weight,
        ))
    }

    /// Removes a validator.
    pub fn remove_validator(
        &self,
        height: u64,
        subnet: SubnetId,
        node_id: NodeId,
    ) -> Result<(), PChainError> {
        self.registry.remove_validator(height, subnet, node_id)?;
        self.journal(op(5, height, B256::from(subnet.0), Bytes::copy_from_slice(&node_id.0), Bytes::new(), 0))
    }
}

fn op(kind: u8, height: u64, id: B256, node: Bytes, key: Bytes, weight: u64) -> RegistryOp {
    RegistryOp { kind, height, id, node, key, weight }
}

impl RegistryOp {
    /// Moving the height forward.
    pub fn advance_to(height: u64) -> Self {
        op(0, height, B256::ZERO, Bytes::new(), Bytes::new(), 0)
    }

    /// Creating `chain` on `subnet`.
    pub fn create_chain(chain: ChainId, subnet: SubnetId) -> Self {
        op(1, 0, B256::from(chain.0), Bytes::copy_from_slice(&subnet.0), Bytes::new(), 0)
    }

    /// Registering a validator with its key and proof of possession.
    pub fn register_validator(
        height: u64,
        subnet: SubnetId,
        node_id: NodeId,
        public_key: &PublicKey,
        proof: &Signature,
        weight: u64,
    ) -> Self {
        let key = [public_key.to_compressed().as_slice(), proof.to_bytes().as_slice()].concat();
        op(2, height, B256::from(subnet.0), Bytes::copy_from_slice(&node_id.0), key.into(), weight)
    }
}
