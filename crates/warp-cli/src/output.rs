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
    }
}
