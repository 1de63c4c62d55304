//! Rendering results: human-readable text by default, pretty-printed JSON with
//! `--json`. A command builds one report type that implements [`Render`] (its JSON
//! form is its `serde` serialization, its text form [`Render::human`]) and hands
//! it to [`Context::emit`](crate::Context::emit).
//!
//! Conventions shared by every command: bytes and 32-byte IDs print as `0x`
//! lowercase hex, weights and gas as JSON numbers (exact `u64`), quorums as
//! `NUM/DEN` strings.

use serde::Serialize;

use crate::error::CliError;

/// A command's result, printable both ways.
pub trait Render: Serialize {
    /// The human-readable form, without a trailing newline.
    fn human(&self) -> String;
}

/// The JSON form of a report, pretty-printed.
pub fn to_json<T: Serialize + ?Sized>(value: &T) -> Result<String, CliError> {
    serde_json::to_string_pretty(value)
        .map_err(|e| CliError::Write(std::io::Error::new(std::io::ErrorKind::InvalidData, e)))
}

/// `0x` followed by lowercase hex.
pub fn hex0x(bytes: impl AsRef<[u8]>) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// Aligned `label  value` lines, for human-readable reports.
#[derive(Debug, Default)]
pub struct Lines {
    rows: Vec<(String, String)>,
}

impl Lines {
    /// No lines yet.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds `label  value`.
    pub fn row(&mut self, label: impl Into<String>, value: impl Into<String>) -> &mut Self {
        self.rows.push((label.into(), value.into()));
        self
    }

    /// The lines, values aligned one column after the longest label.
    pub fn render(&self) -> String {
        let width = self.rows.iter().map(|(l, _)| l.chars().count()).max().unwrap_or(0);
        self.rows
            .iter()
            .map(
                |(label, value)| {
                    if value.is_empty() {
                        label.clone()
                    } else {
                        format!("{label:<width$}  {value}")
                    }
                },
            )
            .collect::<Vec<_>>()
            .join("\n")
    }
}

/// A list of indices as `[0, 2, 5]`.
pub fn index_list(indices: &[usize]) -> String {
    format!("[{}]", indices.iter().map(usize::to_string).collect::<Vec<_>>().join(", "))
}

/// Most runs an [`IndexSummary`] lists.
pub const MAX_RANGES: usize = 32;

/// A set of indices summarised as its size and its runs of consecutive indices
/// (at most [`MAX_RANGES`], the rest counted), so that a signer bitset of
/// megabytes prints as a few lines, never as a line per index.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct IndexSummary {
    /// How many indices.
    pub count: usize,
    /// The first runs, ascending, each `[first, last]` inclusive.
    pub ranges: Vec<[usize; 2]>,
    /// Runs after the listed ones.
    pub ranges_omitted: usize,
}

impl IndexSummary {
    /// Summarises `indices`, which must be ascending; memory stays within
    /// [`MAX_RANGES`] runs however many indices there are.
    pub fn new(indices: impl IntoIterator<Item = usize>) -> Self {
        let mut summary = Self { count: 0, ranges: Vec::new(), ranges_omitted: 0 };
        let mut run: Option<[usize; 2]> = None;
        for index in indices {
            summary.count = summary.count.saturating_add(1);
            run = match run {
                Some([first, last]) if last.checked_add(1) == Some(index) => Some([first, index]),
                Some(done) => {
                    summary.push(done);
                    Some([index, index])
                }
                None => Some([index, index]),
            };
        }
        if let Some(done) = run {
            summary.push(done);
        }
        summary
    }

    fn push(&mut self, run: [usize; 2]) {
        if self.ranges.len() < MAX_RANGES {
            self.ranges.push(run);
        } else {
            self.ranges_omitted = self.ranges_omitted.saturating_add(1);
        }
    }

    /// `[0-2, 5, 7-9]`, with `… and N more ranges` when runs were left out.
    pub fn human(&self) -> String {
        let mut parts: Vec<String> = self
            .ranges
            .iter()
            .map(|[first, last]| if first == last { first.to_string() } else { format!("{first}-{last}") })
            .collect();
        if self.ranges_omitted > 0 {
            parts.push(format!("… and {} more ranges", self.ranges_omitted));
        }
        format!("[{}]", parts.join(", "))
    }
}

/// Bytes as `0x` hex, shortened to their first and last 16 bytes and their
/// length when longer than 64 bytes.
pub fn hex0x_abbreviated(bytes: &[u8]) -> String {
    match (bytes.get(..16), bytes.len().checked_sub(16).and_then(|start| bytes.get(start..))) {
        (Some(head), Some(tail)) if bytes.len() > 64 => {
            format!("0x{}…{} ({} bytes)", hex::encode(head), hex::encode(tail), bytes.len())
        }
        _ => hex0x(bytes),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn aligned_lines() {
        let mut lines = Lines::new();
        lines.row("a", "1").row("long label", "2").row("section", "");
        assert_eq!(lines.render(), "a           1\nlong label  2\nsection");
    }

    #[test]
    fn helpers() {
        assert_eq!(hex0x([0xab, 1]), "0xab01");
        assert_eq!(index_list(&[0, 2]), "[0, 2]");
        assert_eq!(index_list(&[]), "[]");
        assert_eq!(hex0x_abbreviated(&[1; 64]), hex0x([1; 64]));
        let long: Vec<u8> = (0..=255).collect();
        assert_eq!(
            hex0x_abbreviated(&long),
            "0x000102030405060708090a0b0c0d0e0f…f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff (256 bytes)"
        );
    }

    #[test]
    fn index_summaries() {
        let s = IndexSummary::new([0, 1, 2, 5, 7, 8, 9]);
        assert_eq!((s.count, s.ranges.clone(), s.ranges_omitted), (7, vec![[0, 2], [5, 5], [7, 9]], 0));
        assert_eq!(s.human(), "[0-2, 5, 7-9]");
        assert_eq!(IndexSummary::new([]).human(), "[]");
        let all = IndexSummary::new(0..10_000_000);
        assert_eq!((all.count, all.ranges.clone()), (10_000_000, vec![[0, 9_999_999]]));
        // Every other index: a run each, only the first MAX_RANGES listed.
        let sparse = IndexSummary::new((0..1_000).map(|i| 2 * i));
        assert_eq!(
            (sparse.count, sparse.ranges.len(), sparse.ranges_omitted),
            (1_000, MAX_RANGES, 1_000 - MAX_RANGES)
        );
        assert!(sparse.human().ends_with(&format!("62, … and {} more ranges]", 1_000 - MAX_RANGES)));
        assert_eq!(
            serde_json::to_value(&s).unwrap(),
            serde_json::json!({ "count": 7, "ranges": [[0, 2], [5, 5], [7, 9]], "rangesOmitted": 0 })
        );
    }
}
