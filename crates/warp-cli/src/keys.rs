//! `warp keys new` and `warp keys pop`: BLS keys as avalanchego's validators hold
//! them, with the proof of possession the P-Chain asks for when a validator
//! registers its key.
//!
//! `keys new` draws a fresh key from the operating system's randomness and prints
//! its secret key too: this is a development tool, not a key manager.

use awm_core::bls::SecretKey;
use serde::Serialize;

use crate::args::KeysCommand;
use crate::error::CliError;
use crate::input::secret_key_arg;
use crate::output::{hex0x, Lines, Render};
use crate::Context;

/// Runs `warp keys …`.
pub fn run(cmd: KeysCommand, ctx: &mut Context<'_>) -> Result<(), CliError> {
    match cmd {
        KeysCommand::New => {
            let key = SecretKey::random().ok_or(CliError::Randomness)?;
            ctx.emit(&KeyReport::new(&key, true))
        }
        KeysCommand::Pop(args) => {
            let key = secret_key_arg(&mut ctx.stdin, &args.secret_key)?;
            ctx.emit(&KeyReport::new(&key, false))
        }
    }
}

/// A key's public parts, and its secret key when it is new.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct KeyReport {
    /// The 32-byte secret key, `0x` hex (only for `keys new`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub secret_key: Option<String>,
    /// The 48-byte compressed public key, `0x` hex.
    pub public_key: String,
    /// The 96-byte proof of possession, `0x` hex.
    pub proof_of_possession: String,
}

impl KeyReport {
    /// Describes `key`, showing the secret key when `with_secret`.
    pub fn new(key: &SecretKey, with_secret: bool) -> Self {
        Self {
            secret_key: with_secret.then(|| hex0x(key.to_bytes())),
            public_key: hex0x(key.public_key().to_compressed()),
            proof_of_possession: hex0x(key.proof_of_possession().to_bytes()),
        }
    }
}

impl Render for KeyReport {
    fn human(&self) -> String {
        let mut lines = Lines::new();
        if let Some(secret) = &self.secret_key {
            lines.row("secret key", secret.clone());
        }
        lines
            .row("public key", self.public_key.clone())
            .row("proof of possession", self.proof_of_possession.clone());
        lines.render()
    }
}
