//! Validator sets fetched from a P-Chain API (`--pchain-url URL --height H`,
//! `--subnet ID`) instead of a file: `platform.getValidatorsAt` for the set, and
//! `platform.validatedBy` for the subnet of a message's source chain when
//! `--subnet` is not given. The client is the relayer's
//! ([`warp_relayer_net::rpc::PChainRpc`], jsonrpsee over HTTP, no TLS): a local
//! node's `http://127.0.0.1:9650/ext/bc/P` (or just `http://127.0.0.1:9650`),
//! or `warp devnet`'s.
//!
//! The answer is trusted as the file would be: its keys are taken as registered
//! with proofs of possession, so the URL must be a P-Chain you trust.

use awm_core::{CanonicalValidatorSet, Id};
use warp_relayer_net::rpc::{PChainRpc, RpcError};

use crate::error::CliError;

/// Where a command takes its validator set from.
#[derive(Debug, Clone)]
pub struct PChainSource {
    /// The P-Chain API URL, e.g. `http://127.0.0.1:9650/ext/bc/P`.
    pub url: String,
    /// The P-Chain height.
    pub height: u64,
    /// The subnet; `None` asks the P-Chain which subnet validates the message's chain.
    pub subnet: Option<Id>,
}

fn error(url: &str, e: &RpcError) -> CliError {
    CliError::PChain { url: url.to_owned(), reason: e.detail() }
}

/// The canonical set of `source`'s subnet (or, without one, of the subnet
/// validating `chain`) at its height, on a runtime of its own.
pub fn fetch_validators(source: &PChainSource, chain: Option<Id>) -> Result<CanonicalValidatorSet, CliError> {
    let url = source.url.as_str();
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::PChain { url: url.to_owned(), reason: format!("starting the client: {e}") })?;
    runtime.block_on(async {
        let pchain = PChainRpc::new(url).map_err(|e| error(url, &e))?;
        let subnet = match (source.subnet, chain) {
            (Some(subnet), _) => subnet,
            (None, Some(chain)) => pchain.validated_by(&chain).await.map_err(|e| error(url, &e))?,
            (None, None) => Id::PRIMARY_NETWORK,
        };
        pchain.validators_at(&subnet, source.height).await.map_err(|e| error(url, &e))
    })
}
