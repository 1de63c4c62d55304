//! The JSON-RPC modules the server mounts: per chain the Ethereum methods,
//! anvil's test methods and Subnet-EVM's warp API; the P-Chain API; the info API.

use std::sync::Arc;

use jsonrpsee::core::RegisterMethodError;
use jsonrpsee::{Methods, RpcModule};

use crate::network::{DevChain, Devnet};

mod anvil;
pub(crate) mod convert;
pub(crate) mod eth;
mod platform;
mod warp;

pub use platform::SUBNET_EVM_VM_ID;

/// What a chain's methods run against.
#[derive(Debug, Clone)]
pub(crate) struct ChainApi {
    /// The devnet (accounts, P-Chain, the other chains).
    pub devnet: Arc<Devnet>,
    /// This chain.
    pub chain: Arc<DevChain>,
}

/// The methods of `/ext/bc/<chain>/rpc`.
pub(crate) fn chain_methods(
    devnet: &Arc<Devnet>,
    chain: &Arc<DevChain>,
) -> Result<Methods, RegisterMethodError> {
    let mut module = RpcModule::new(ChainApi { devnet: Arc::clone(devnet), chain: Arc::clone(chain) });
    eth::register(&mut module)?;
    anvil::register(&mut module)?;
    warp::register(&mut module)?;
    Ok(module.into())
}

/// The methods of `/ext/bc/P`.
pub(crate) fn platform_methods(devnet: &Arc<Devnet>) -> Result<Methods, RegisterMethodError> {
    Ok(platform::platform_module(Arc::clone(devnet))?.into())
}

/// The methods of `/ext/info`.
pub(crate) fn info_methods(devnet: &Arc<Devnet>) -> Result<Methods, RegisterMethodError> {
    Ok(platform::info_module(Arc::clone(devnet))?.into())
}
