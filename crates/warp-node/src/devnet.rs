//! Setting up a local network: validator keys from seeds, their registration in
//! the embedded P-Chain with proofs of possession, and their signing services.

use std::sync::Arc;

use alloy_primitives::keccak256;
use awm_core::bls::{BlsError, SecretKey};
use awm_core::{ChainId, NodeId, Signer, SubnetId};

use crate::pchain::{PChain, PChainError};
use crate::signing::{SharedHashes, SigningService};
use crate::store::RegistryOp;

/// A validator's identity, key and stake.
#[derive(Debug, Clone)]
pub struct ValidatorKey {
    /// The node ID.
    pub node_id: NodeId,
    /// The BLS secret key.
    pub secret_key: SecretKey,
    /// The stake weight.
    pub weight: u64,
}

/// `count` validators derived from `tag` (the same tag gives the same keys),
/// validator `i` weighing `weight(i)`.
pub fn validator_keys(
    tag: &str,
    count: usize,
    weight: impl Fn(usize) -> u64,
) -> Result<Vec<ValidatorKey>, BlsError> {
    (0..count)
        .map(|i| {
            let seed = keccak256(format!("warp-node devnet validator {tag}/{i}"));
            let mut node_id = [0u8; 20];
            node_id.copy_from_slice(keccak256(seed).get(..20).unwrap_or(&[0u8; 20]));
            Ok(ValidatorKey {
                node_id: NodeId(node_id),
                secret_key: SecretKey::from_seed(seed.as_slice())?,
                weight: weight(i),
            })
        })
        .collect()
}

/// Creates `chain` on `subnet` in the P-Chain and registers `validators` there,
/// each with its proof of possession, at the next P-Chain height (returned), all
/// in one journal write.
pub fn register_subnet(
    pchain: &PChain,
    chain: ChainId,
    subnet: SubnetId,
    validators: &[ValidatorKey],
) -> Result<u64, PChainError> {
    let height = pchain.height().saturating_add(1);
    let mut ops = vec![RegistryOp::create_chain(chain, subnet)];
    for v in validators {
        let public_key = v.secret_key.public_key();
        let proof = v.secret_key.proof_of_possession();
        ops.push(RegistryOp::register_validator(height, subnet, v.node_id, &public_key, &proof, v.weight));
    }
    ops.push(RegistryOp::advance_to(height));
    pchain.apply_all(&ops)?;
    Ok(height)
}

/// One signing service per validator, for `chain` on `network_id`. They run
/// in one process, so they share each message's hash to G2
/// ([`SharedHashes`]) and sign in variable time: these keys are derived from
/// public seeds.
pub fn signing_services(
    validators: &[ValidatorKey],
    network_id: u32,
    chain: ChainId,
) -> Vec<Arc<SigningService>> {
    let hashes = Arc::new(SharedHashes::default());
    validators
        .iter()
        .map(|v| {
            let signer = Signer::new(v.secret_key.clone(), network_id, chain);
            Arc::new(SigningService::new(v.node_id, signer).with_shared_hashes(Arc::clone(&hashes)))
        })
        .collect()
}
