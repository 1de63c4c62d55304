//! `warp validators canonical`: a `platform.getValidatorsAt` answer flattened into
//! the canonical validator set, the order whose indices a signer bitset names.
//!
//! Validators without a BLS key count in the total weight but are not listed;
//! node IDs sharing a key are merged into one entry with the summed weight; the
//! entries are sorted by the 96-byte uncompressed key.

use awm_core::CanonicalValidatorSet;
use serde::Serialize;

use crate::args::ValidatorsCommand;
use crate::error::CliError;
use crate::input::validator_set;
use crate::output::{hex0x, Render};
use crate::Context;

/// Runs `warp validators …`.
pub fn run(cmd: ValidatorsCommand, ctx: &mut Context<'_>) -> Result<(), CliError> {
    match cmd {
        ValidatorsCommand::Canonical(args) => {
            let set = validator_set(&mut ctx.stdin, args.file.as_deref(), &args.pchain, None)?;
            ctx.emit(&CanonicalReport::new(&set))
        }
    }
}

/// A canonical validator set, as `warp validators canonical` prints it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct CanonicalReport {
    /// The validators with keys, in canonical order (list position = signer index).
    pub validators: Vec<ValidatorReport>,
    /// Total weight, validators without keys included.
    pub total_weight: u64,
}

/// One canonical validator.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct ValidatorReport {
    /// The compressed BLS public key, `0x` hex.
    pub public_key: String,
    /// Its weight (summed over the node IDs holding the key).
    pub weight: u64,
    /// The node IDs holding the key, ascending.
    pub node_ids: Vec<String>,
}

impl CanonicalReport {
    /// Describes a canonical set.
    pub fn new(set: &CanonicalValidatorSet) -> Self {
        Self {
            validators: set
                .validators()
                .iter()
                .map(|v| ValidatorReport {
                    public_key: hex0x(v.public_key.to_compressed()),
                    weight: v.weight,
                    node_ids: v.node_ids.iter().map(ToString::to_string).collect(),
                })
                .collect(),
            total_weight: set.total_weight(),
        }
    }
}

impl Render for CanonicalReport {
    fn human(&self) -> String {
        let weight_width =
            self.validators.iter().map(|v| v.weight.to_string().len()).max().unwrap_or(0).max("weight".len());
        let mut out = vec![format!("index  {:>weight_width$}  public key / node IDs", "weight")];
        for (index, v) in self.validators.iter().enumerate() {
            out.push(format!("{index:>5}  {:>weight_width$}  {}", v.weight, v.public_key));
            for node in &v.node_ids {
                out.push(format!("{:>5}  {:>weight_width$}    {node}", "", ""));
            }
        }
        let keyed: u64 = self.validators.iter().fold(0u64, |acc, v| acc.saturating_add(v.weight));
        out.push(format!(
            "{} validators with keys, weight {keyed}; total weight {} (keyless {})",
            self.validators.len(),
            self.total_weight,
            self.total_weight.saturating_sub(keyed)
        ));
        out.join("\n")
    }
}
