//! Loading avalanchego's `platform.getValidatorsAt` answer.
//!
//! The result is a map from `NodeID-…` to `{"publicKey": "0x…" | null, "weight": "123"}`
//! (the compressed key in `0x` hex, the weight as a decimal string). Accepted
//! wrappers: the bare map, `{"validators": map}`, and a whole JSON-RPC response
//! `{"jsonrpc": "2.0", "result": …, "id": …}` around either. A weight may also be a
//! JSON number, and an entry may be a bare weight (older nodes had no keys).
//! Every key is fully validated (on the curve, in G1, not infinity), and a weight
//! of zero is refused: the P-Chain never reports either, and both are tools of
//! rogue-key attacks.
//!
//! **The answer must come from a P-Chain you trust.** Its keys were checked
//! against proofs of possession when they were registered; this loader cannot
//! check that, so a forged file can make any signature verify.

use serde_json::Value;
use thiserror::Error;

use crate::bls::{BlsError, PublicKey};
use crate::ids::{hex_to_array, IdError, NodeId};
use crate::validators::{CanonicalValidatorSet, Validator, ValidatorSetError};

/// Why a `getValidatorsAt` answer could not be loaded.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum ValidatorJsonError {
    /// Not JSON at all.
    #[error("invalid JSON: {0}")]
    Json(String),
    /// A JSON-RPC error response.
    #[error("JSON-RPC error: {0}")]
    Rpc(String),
    /// The JSON is not a node ID map in any accepted wrapper.
    #[error("expected a map of node IDs to validators, found {0}")]
    Shape(&'static str),
    /// A key of the map is not a node ID.
    #[error("bad node ID {text:?}: {source}")]
    NodeId {
        /// The text.
        text: String,
        /// Why it failed.
        source: IdError,
    },
    /// An entry's weight is missing or not a u64.
    #[error("validator {node_id}: weight {found} is not a decimal u64")]
    Weight {
        /// The validator.
        node_id: String,
        /// What was found.
        found: String,
    },
    /// An entry's weight is zero.
    #[error("validator {node_id}: weight 0 (the P-Chain never reports a zero-weight validator)")]
    ZeroWeight {
        /// The validator.
        node_id: String,
    },
    /// An entry's public key is not hex of the right length.
    #[error("validator {node_id}: public key: {source}")]
    PublicKeyText {
        /// The validator.
        node_id: String,
        /// Why it failed.
        source: IdError,
    },
    /// An entry's public key is not a valid BLS key.
    #[error("validator {node_id}: public key: {source}")]
    PublicKey {
        /// The validator.
        node_id: String,
        /// Why it failed.
        source: BlsError,
    },
    /// The set does not flatten.
    #[error(transparent)]
    Set(#[from] ValidatorSetError),
}

/// What kind of JSON value `v` is, as error messages name it ("a string", "null", …).
pub fn value_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a bool",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn parse_weight(node_id: &str, v: Option<&Value>) -> Result<u64, ValidatorJsonError> {
    let err = |found: String| ValidatorJsonError::Weight { node_id: node_id.to_owned(), found };
    match v {
        Some(Value::String(s)) => s.parse::<u64>().map_err(|_| err(format!("{s:?}"))),
        Some(Value::Number(n)) => n.as_u64().ok_or_else(|| err(n.to_string())),
        Some(other) => Err(err(value_kind(other).to_owned())),
        None => Err(err("nothing".to_owned())),
    }
}

fn parse_entry(node_text: &str, entry: &Value) -> Result<Validator, ValidatorJsonError> {
    let node_id = NodeId::parse(node_text)
        .map_err(|source| ValidatorJsonError::NodeId { text: node_text.to_owned(), source })?;
    let (weight, key) = match entry {
        Value::Object(fields) => (parse_weight(node_text, fields.get("weight"))?, fields.get("publicKey")),
        bare => (parse_weight(node_text, Some(bare))?, None),
    };
    let public_key = match key {
        None | Some(Value::Null) => None,
        Some(Value::String(text)) => {
            let bytes: [u8; 48] = hex_to_array(text).map_err(|source| ValidatorJsonError::PublicKeyText {
                node_id: node_text.to_owned(),
                source,
            })?;
            Some(
                PublicKey::from_compressed(&bytes).map_err(|source| ValidatorJsonError::PublicKey {
                    node_id: node_text.to_owned(),
                    source,
                })?,
            )
        }
        Some(other) => {
            return Err(ValidatorJsonError::PublicKeyText {
                node_id: node_text.to_owned(),
                source: IdError::Hex(format!("expected a hex string or null, found {}", value_kind(other))),
            })
        }
    };
    if weight == 0 {
        return Err(ValidatorJsonError::ZeroWeight { node_id: node_text.to_owned() });
    }
    Ok(Validator::new(node_id, public_key, weight))
}

/// Unwraps a JSON-RPC response and a `validators` field to the node ID map.
fn node_map(mut v: &Value) -> Result<&serde_json::Map<String, Value>, ValidatorJsonError> {
    if let Some(err) = v.get("error") {
        return Err(ValidatorJsonError::Rpc(err.to_string()));
    }
    if let Some(result) = v.get("result") {
        v = result;
    }
    if let Some(inner) = v.get("validators") {
        v = inner;
    }
    v.as_object().ok_or(ValidatorJsonError::Shape(value_kind(v)))
}

/// Parses a `getValidatorsAt` answer into P-Chain validators (unordered).
pub fn parse_get_validators_at(json: &str) -> Result<Vec<Validator>, ValidatorJsonError> {
    let value: Value = serde_json::from_str(json).map_err(|e| ValidatorJsonError::Json(e.to_string()))?;
    node_map(&value)?.iter().map(|(node, entry)| parse_entry(node, entry)).collect()
}

impl CanonicalValidatorSet {
    /// Loads a `getValidatorsAt` answer and flattens it into the canonical set.
    pub fn from_get_validators_at_json(json: &str) -> Result<Self, ValidatorJsonError> {
        Ok(Self::new(parse_get_validators_at(json)?)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PK1: &str =
        "0x900c9b119b5c82d781d4b49be78c3fc7ae65f2b435b7ed9e3a8b9a03e475edff86d8a64827fec8db23a6f236afbf127d";
    const N1: &str = "NodeID-7Xhw2mDxuDS44j42TCB6U5579esbSt3Lg";
    const N2: &str = "NodeID-111111111111111111116DBWJs";

    #[test]
    fn accepts_bare_wrapped_and_rpc_forms() {
        let bare = format!(
            r#"{{"{N1}":{{"publicKey":"{PK1}","weight":"2000"}},"{N2}":{{"publicKey":null,"weight":"500"}}}}"#
        );
        let wrapped = format!(r#"{{"validators":{bare}}}"#);
        let rpc = format!(r#"{{"jsonrpc":"2.0","result":{bare},"id":1}}"#);
        let rpc_wrapped = format!(r#"{{"jsonrpc":"2.0","result":{wrapped},"id":1}}"#);
        for json in [bare, wrapped, rpc, rpc_wrapped] {
            let set = CanonicalValidatorSet::from_get_validators_at_json(&json).unwrap();
            assert_eq!(set.total_weight(), 2500);
            assert_eq!(set.len(), 1);
            assert_eq!(set.validators()[0].weight, 2000);
            assert_eq!(set.validators()[0].node_ids, vec![NodeId::parse(N1).unwrap()]);
        }
    }

    #[test]
    #[allow(clippy::type_complexity)]
    fn bad_input_gives_typed_errors() {
        let cases: Vec<(String, fn(&ValidatorJsonError) -> bool)> = vec![
            ("{".into(), |e| matches!(e, ValidatorJsonError::Json(_))),
            ("[1]".into(), |e| matches!(e, ValidatorJsonError::Shape("an array"))),
            (r#"{"error":{"code":-32000,"message":"x"}}"#.into(), |e| {
                matches!(e, ValidatorJsonError::Rpc(_))
            }),
            (r#"{"7Xhw":{"weight":"1"}}"#.into(), |e| matches!(e, ValidatorJsonError::NodeId { .. })),
            (format!(r#"{{"{N1}":{{"weight":"-1"}}}}"#), |e| matches!(e, ValidatorJsonError::Weight { .. })),
            (format!(r#"{{"{N1}":{{"weight":"18446744073709551616"}}}}"#), |e| {
                matches!(e, ValidatorJsonError::Weight { .. })
            }),
            (format!(r#"{{"{N1}":{{"publicKey":"0x12","weight":"1"}}}}"#), |e| {
                matches!(e, ValidatorJsonError::PublicKeyText { .. })
            }),
            (format!(r#"{{"{N1}":{{"publicKey":"0xc{}","weight":"1"}}}}"#, "0".repeat(95)), |e| {
                matches!(e, ValidatorJsonError::PublicKey { source: BlsError::PublicKeyInfinity, .. })
            }),
            (format!(r#"{{"{N1}":{{"publicKey":"{PK1}","weight":"0"}}}}"#), |e| {
                matches!(e, ValidatorJsonError::ZeroWeight { .. })
            }),
            (format!(r#"{{"{N1}":{{"weight":0}}}}"#), |e| matches!(e, ValidatorJsonError::ZeroWeight { .. })),
            (format!(r#"{{"{N1}":{{"weight":"18446744073709551615"}},"{N2}":{{"weight":"1"}}}}"#), |e| {
                matches!(e, ValidatorJsonError::Set(ValidatorSetError::WeightOverflow { .. }))
            }),
        ];
        for (json, check) in cases {
            let err = CanonicalValidatorSet::from_get_validators_at_json(&json).unwrap_err();
            assert!(check(&err), "{json} gave {err:?}");
            assert!(!err.to_string().is_empty());
        }
    }
}
