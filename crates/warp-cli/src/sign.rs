//! `warp sign`: one validator's BLS signature of an unsigned message, through
//! awm-core's [`Signer`], which refuses (as a validator would) a message from
//! another chain, then one for another network. A refusal is a "no" (exit 1).
//!
//! The human output is the signature hex alone, ready for `warp aggregate --sig`.

use awm_core::Signer;
use serde::Serialize;

use crate::args::SignArgs;
use crate::error::CliError;
use crate::input::{hex_arg, parse_id, secret_key_arg};
use crate::message::parse_unsigned;
use crate::output::{hex0x, Render};
use crate::Context;

/// Runs `warp sign`.
pub fn run(args: SignArgs, ctx: &mut Context<'_>) -> Result<(), CliError> {
    let chain_id = parse_id(&args.chain_id, "--chain-id")?;
    let key = secret_key_arg(&mut ctx.stdin, &args.secret_key)?;
    let bytes = hex_arg(&mut ctx.stdin, &args.message, "message")?;
    let msg = parse_unsigned(&bytes)?;
    let signer = Signer::new(key, args.network_id, chain_id);
    let signature = signer.sign(&msg).map_err(CliError::SignRefused)?;
    ctx.emit(&SignReport {
        signature: hex0x(signature.to_bytes()),
        public_key: hex0x(signer.public_key().to_compressed()),
    })
}

/// A signature and the key that made it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct SignReport {
    /// The 96-byte signature, `0x` hex.
    pub signature: String,
    /// The signer's compressed public key, `0x` hex.
    pub public_key: String,
}

impl Render for SignReport {
    fn human(&self) -> String {
        self.signature.clone()
    }
}
