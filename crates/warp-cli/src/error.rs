//! Why a command stopped, and which exit code that is.
//!
//! Every failure is a [`CliError`]. Its [`ErrorClass`] decides the exit code:
//! [`ErrorClass::No`] (1) when a verification, an aggregation or a signer says no
//! to well-formed input, [`ErrorClass::BadInput`] (2) for everything else: input
//! that does not parse, a file that cannot be read, output that cannot be written.
//! The message is one line and carries the numbers involved (weights, quorum,
//! lengths, indices), so the line `main` prints on stderr is enough to act on.

use std::io;

use awm_core::bls::BlsError;
use awm_core::{AggregationError, CodecError, IdError, SignerError, ValidatorJsonError, VerifyError};
use thiserror::Error;
use warp_predicate::{PredicateError, PredicateGasError, ResultsError};

/// The two kinds of failure, as the exit code tells them apart.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Well-formed input, and the answer is no (exit 1).
    No,
    /// The input is malformed, or the command could not run (exit 2).
    BadInput,
}

impl ErrorClass {
    /// The process exit code: 1 for [`ErrorClass::No`], 2 for [`ErrorClass::BadInput`].
    pub const fn exit_code(self) -> u8 {
        match self {
            Self::No => 1,
            Self::BadInput => 2,
        }
    }
}

/// Why a `warp` command failed.
#[derive(Debug, Error)]
pub enum CliError {
    /// Text that should be hex is not (or has the wrong length).
    #[error("{what}: {reason}")]
    Hex {
        /// The argument or field, e.g. `message` or `--secret-key`.
        what: String,
        /// Why, e.g. `invalid hex: Odd number of digits`.
        reason: String,
    },
    /// A chain ID or node ID does not parse.
    #[error("{what}: {source}")]
    Id {
        /// The argument, e.g. `--chain-id`.
        what: String,
        /// Why.
        source: IdError,
    },
    /// A `--quorum` fraction is not `NUM/DEN` with `0 ≤ NUM ≤ DEN` and `DEN > 0`.
    #[error("--quorum {text:?}: {reason}")]
    Quorum {
        /// The text given.
        text: String,
        /// Why it was refused.
        reason: String,
    },
    /// The secret key is not a valid BLS secret key.
    #[error("--secret-key: {0}")]
    SecretKey(BlsError),
    /// A validator file is not a `platform.getValidatorsAt` answer.
    #[error("validators file {path}: {source}")]
    Validators {
        /// The file (`-` for stdin).
        path: String,
        /// Why.
        source: ValidatorJsonError,
    },
    /// Bytes do not decode as what they should be.
    #[error("{what} does not decode: {source}")]
    Decode {
        /// What was expected, e.g. `signed message`.
        what: String,
        /// The codec's reason.
        source: CodecError,
    },
    /// Storage keys are not a packed predicate.
    #[error("predicate: {0}")]
    Predicate(PredicateError),
    /// A signed message has no predicate gas (it would make the transaction invalid).
    #[error("predicate gas: {0}")]
    PredicateGas(PredicateGasError),
    /// Predicate results do not decode or encode.
    #[error(transparent)]
    Results(ResultsError),
    /// Any other malformed input, described in full.
    #[error("{0}")]
    Input(String),
    /// A P-Chain API could not give the validator set.
    #[error("P-Chain API {url}: {reason}")]
    PChain {
        /// The URL.
        url: String,
        /// Why.
        reason: String,
    },
    /// A file or stdin could not be read.
    #[error("reading {what}: {source}")]
    Read {
        /// What was being read, e.g. `stdin` or `validators file v.json`.
        what: String,
        /// The I/O error.
        source: io::Error,
    },
    /// Standard output could not be written.
    #[error("writing output: {0}")]
    Write(io::Error),
    /// The operating system gave no randomness for a new key.
    #[error("the operating system's random generator is unavailable")]
    Randomness,
    /// A signed message does not verify (the numbers are in the reason).
    #[error("verification failed: {0}")]
    Verify(VerifyError),
    /// The valid signatures do not reach the quorum.
    #[error("aggregation failed: {0}")]
    Aggregate(AggregationError),
    /// The signer refuses a message of another network or chain, as a validator would.
    #[error("signing refused: {0}")]
    SignRefused(SignerError),
    /// Any other "no" to well-formed input, described in full.
    #[error("{0}")]
    No(String),
}

impl CliError {
    /// Whether this is a "no" (exit 1) or bad input (exit 2).
    pub fn class(&self) -> ErrorClass {
        match self {
            Self::Verify(_) | Self::Aggregate(_) | Self::SignRefused(_) | Self::No(_) => ErrorClass::No,
            Self::Hex { .. }
            | Self::Id { .. }
            | Self::Quorum { .. }
            | Self::SecretKey(_)
            | Self::Validators { .. }
            | Self::Decode { .. }
            | Self::Predicate(_)
            | Self::PredicateGas(_)
            | Self::Results(_)
            | Self::Input(_)
            | Self::PChain { .. }
            | Self::Read { .. }
            | Self::Write(_)
            | Self::Randomness => ErrorClass::BadInput,
        }
    }

    /// The process exit code of this failure.
    pub fn exit_code(&self) -> u8 {
        self.class().exit_code()
    }

    /// The reason on one line: any line break inside (from a quoted input) becomes a space.
    pub fn one_line(&self) -> String {
        one_line(&self.to_string())
    }
}

/// Joins the lines of `text` with single spaces, dropping blank ones.
pub fn one_line(text: &str) -> String {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classes_map_to_exit_codes() {
        assert_eq!(CliError::No("x".into()).exit_code(), 1);
        assert_eq!(CliError::Input("x".into()).exit_code(), 2);
        assert_eq!(CliError::Randomness.exit_code(), 2);
        let verify = CliError::Verify(VerifyError::NoPublicKeys);
        assert_eq!(verify.exit_code(), 1);
    }

    #[test]
    fn reasons_are_one_line() {
        assert_eq!(CliError::Input("a\n  b\n\nc".into()).one_line(), "a b c");
    }
}
