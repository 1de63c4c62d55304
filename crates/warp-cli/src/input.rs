//! Reading what the user gives: hex with or without `0x`, `-` for stdin, chain IDs
//! (`0x` hex or CB58), node IDs (`NodeID-…`), `NUM/DEN` quorums, BLS secret keys,
//! and validator files (`platform.getValidatorsAt` answers, bare or as the whole
//! JSON-RPC response).
//!
//! Every parser returns a [`CliError`] of the bad-input class that names the
//! argument it was reading.

use std::io::Read;

use awm_core::bls::SecretKey;
use awm_core::ids::hex_to_array;
use awm_core::{CanonicalValidatorSet, Id, NodeId, Quorum};

use crate::error::CliError;

/// The argument that means "read standard input".
pub const STDIN_ARG: &str = "-";

/// Standard input, which one argument of a command may claim.
pub struct Stdin<'a> {
    reader: &'a mut dyn Read,
    claimed_by: Option<String>,
}

impl<'a> Stdin<'a> {
    /// Wraps a reader (the process's stdin, or a test's bytes).
    pub fn new(reader: &'a mut dyn Read) -> Self {
        Self { reader, claimed_by: None }
    }

    /// Reads all of stdin as UTF-8 text for `what`; a second argument asking for
    /// stdin is refused, since the first one consumed it.
    pub fn read_all(&mut self, what: &str) -> Result<String, CliError> {
        if let Some(first) = &self.claimed_by {
            return Err(CliError::Input(format!(
                "{what}: stdin (`-`) was already read for {first}; only one argument can be `-`"
            )));
        }
        self.claimed_by = Some(what.to_owned());
        let mut text = String::new();
        self.reader
            .read_to_string(&mut text)
            .map_err(|source| CliError::Read { what: "stdin".to_owned(), source })?;
        Ok(text)
    }
}

/// The text of an argument: the argument itself, or all of stdin when it is `-`.
pub fn text_arg(stdin: &mut Stdin<'_>, arg: &str, what: &str) -> Result<String, CliError> {
    if arg == STDIN_ARG {
        stdin.read_all(what)
    } else {
        Ok(arg.to_owned())
    }
}

/// Strips surrounding whitespace and an optional `0x`/`0X` prefix.
fn hex_digits(text: &str) -> &str {
    let text = text.trim();
    text.strip_prefix("0x").or_else(|| text.strip_prefix("0X")).unwrap_or(text)
}

/// Decodes hex with or without `0x` (surrounding whitespace ignored).
pub fn parse_hex(text: &str, what: &str) -> Result<Vec<u8>, CliError> {
    hex::decode(hex_digits(text))
        .map_err(|e| CliError::Hex { what: what.to_owned(), reason: format!("invalid hex: {e}") })
}

/// Decodes hex into exactly `N` bytes.
pub fn parse_hex_array<const N: usize>(text: &str, what: &str) -> Result<[u8; N], CliError> {
    let bytes = parse_hex(text, what)?;
    <[u8; N]>::try_from(bytes.as_slice()).map_err(|_| CliError::Hex {
        what: what.to_owned(),
        reason: format!("expected {N} bytes, got {}", bytes.len()),
    })
}

/// The bytes of a hex argument, `-` reading them from stdin.
pub fn hex_arg(stdin: &mut Stdin<'_>, arg: &str, what: &str) -> Result<Vec<u8>, CliError> {
    parse_hex(&text_arg(stdin, arg, what)?, what)
}

/// Parses a 32-byte ID: `0x` hex or CB58 as avalanchego prints chain IDs. Exactly
/// 64 hex digits without `0x` are read as hex too (CB58 of 32 bytes is never that long).
pub fn parse_id(text: &str, what: &str) -> Result<Id, CliError> {
    let text = text.trim();
    match Id::parse(text) {
        Ok(id) => Ok(id),
        Err(_) if text.len() == 64 && text.bytes().all(|b| b.is_ascii_hexdigit()) => {
            hex_to_array(text).map(Id).map_err(|source| CliError::Id { what: what.to_owned(), source })
        }
        Err(source) => Err(CliError::Id { what: what.to_owned(), source }),
    }
}

/// Parses a node ID, `NodeID-<cb58>`.
pub fn parse_node_id(text: &str, what: &str) -> Result<NodeId, CliError> {
    NodeId::parse(text.trim()).map_err(|source| CliError::Id { what: what.to_owned(), source })
}

/// Parses a quorum `NUM/DEN` (for example `67/100`): `DEN > 0`, `NUM ≤ DEN`, and
/// at least 33/100, the least quorum Subnet-EVM accepts (`WarpQuorumNumeratorMinimum`).
pub fn parse_quorum(text: &str) -> Result<Quorum, CliError> {
    let err = |reason: String| CliError::Quorum { text: text.to_owned(), reason };
    let (num, den) =
        text.trim().split_once('/').ok_or_else(|| err("expected NUM/DEN, e.g. 67/100".into()))?;
    let number = |part: &str, name: &str| {
        part.trim().parse::<u64>().map_err(|e| err(format!("{name} {:?} is not a u64: {e}", part.trim())))
    };
    let (num, den) = (number(num, "numerator")?, number(den, "denominator")?);
    let quorum = Quorum::new(num, den).map_err(|e| err(e.to_string()))?;
    if u128::from(num).saturating_mul(100) < u128::from(den).saturating_mul(33) {
        return Err(err(format!("{num}/{den} is below the minimum quorum of 33/100")));
    }
    Ok(quorum)
}

/// Parses a BLS secret key: 32 bytes of hex (with or without `0x`), `-` reading stdin.
pub fn secret_key_arg(stdin: &mut Stdin<'_>, arg: &str) -> Result<SecretKey, CliError> {
    let bytes = hex_arg(stdin, arg, "--secret-key")?;
    SecretKey::from_bytes(&bytes).map_err(CliError::SecretKey)
}

/// The validator set a command was pointed at: the file (`-` for stdin), or the
/// P-Chain API at `--height` (for `--subnet`, else the subnet validating `chain`,
/// else the primary network).
pub fn validator_set(
    stdin: &mut Stdin<'_>,
    file: Option<&str>,
    pchain: &crate::args::PChainArgs,
    chain: Option<awm_core::Id>,
) -> Result<CanonicalValidatorSet, CliError> {
    match (file, &pchain.pchain_url, pchain.height) {
        (Some(path), _, _) => load_validators(stdin, path),
        (None, Some(url), Some(height)) => {
            let subnet = pchain.subnet.as_deref().map(|s| parse_id(s, "--subnet")).transpose()?;
            let source = crate::pchain::PChainSource { url: url.clone(), height, subnet };
            crate::pchain::fetch_validators(&source, chain)
        }
        _ => Err(CliError::Input("give the validators file, or --pchain-url URL with --height H".into())),
    }
}

/// Loads a validator file (`-` for stdin) into the canonical validator set.
pub fn load_validators(stdin: &mut Stdin<'_>, path: &str) -> Result<CanonicalValidatorSet, CliError> {
    let json = if path == STDIN_ARG {
        stdin.read_all("--validators")?
    } else {
        std::fs::read_to_string(path)
            .map_err(|source| CliError::Read { what: format!("validators file {path}"), source })?
    };
    CanonicalValidatorSet::from_get_validators_at_json(&json)
        .map_err(|source| CliError::Validators { path: path.to_owned(), source })
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn hex_with_and_without_prefix() {
        assert_eq!(parse_hex("0xabCD", "x").unwrap(), vec![0xab, 0xcd]);
        assert_eq!(parse_hex(" ABcd\n", "x").unwrap(), vec![0xab, 0xcd]);
        assert_eq!(parse_hex("0x", "x").unwrap(), Vec::<u8>::new());
        assert!(parse_hex("abc", "x").unwrap_err().to_string().starts_with("x: invalid hex"));
        assert_eq!(
            parse_hex_array::<2>("010203", "k").unwrap_err().to_string(),
            "k: expected 2 bytes, got 3"
        );
    }

    #[test]
    fn ids_in_three_forms() {
        let id = Id([0xab; 32]);
        assert_eq!(parse_id(&id.to_hex(), "c").unwrap(), id);
        assert_eq!(parse_id(&id.to_string(), "c").unwrap(), id);
        assert_eq!(parse_id(&hex::encode(id.0), "c").unwrap(), id);
        assert_eq!(parse_id("11111111111111111111111111111111LpoYY", "c").unwrap(), Id::EMPTY);
        assert!(parse_id("nope", "c").is_err());
    }

    #[test]
    fn quorums() {
        assert_eq!(parse_quorum("67/100").unwrap(), Quorum::DEFAULT);
        assert_eq!(parse_quorum(" 1 / 1 ").unwrap(), Quorum::new(1, 1).unwrap());
        assert_eq!(parse_quorum("33/100").unwrap(), Quorum::new(33, 100).unwrap());
        for bad in ["67", "a/100", "1/0", "101/100", "-1/2", "1/2/3", "32/100", "1/4", "0/1"] {
            assert!(parse_quorum(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn stdin_is_read_once() {
        let mut bytes: &[u8] = b"0x0102\n";
        let mut stdin = Stdin::new(&mut bytes);
        assert_eq!(hex_arg(&mut stdin, "-", "message").unwrap(), vec![1, 2]);
        let err = hex_arg(&mut stdin, "-", "other").unwrap_err().to_string();
        assert!(err.contains("already read for message"), "{err}");
        assert_eq!(hex_arg(&mut stdin, "03", "third").unwrap(), vec![3]);
    }
}
