//! Where the results sit in a block header's `Extra` field
//! (`customheader.PredicateBytesFromExtra`).
//!
//! | chain / fork | [`ExtraLayout`] | prefix |
//! |---|---|---|
//! | Subnet-EVM, Durango+ | [`ExtraLayout::SubnetEvm`] | 80-byte fee window (10 × u64) |
//! | coreth, Durango → Fortuna | [`ExtraLayout::CorethPreFortuna`] | 80-byte fee window |
//! | coreth, Fortuna+ | [`ExtraLayout::CorethFortuna`] | 24-byte ACP-176 fee state (3 × u64) |
//! | coreth, Helicon (SAE) | [`ExtraLayout::NoPrefix`] | none |
//!
//! After Durango every block carries results, at least the 6-byte empty encoding.

use crate::results::{PredicateResults, ResultsError};

/// The layout of a header's `Extra`: how many bytes precede the results.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ExtraLayout {
    /// Subnet-EVM: an 80-byte fee window, then the results.
    SubnetEvm,
    /// coreth before Fortuna: an 80-byte fee window.
    CorethPreFortuna,
    /// coreth from Fortuna: a 24-byte fee state.
    CorethFortuna,
    /// Results at offset 0 (coreth Helicon).
    NoPrefix,
}

impl ExtraLayout {
    /// Bytes before the results.
    pub const fn prefix_len(self) -> usize {
        match self {
            Self::SubnetEvm | Self::CorethPreFortuna => 80,
            Self::CorethFortuna => 24,
            Self::NoPrefix => 0,
        }
    }

    /// The results bytes of `extra`; `None` when `extra` is no longer than the prefix.
    pub fn results_bytes(self, extra: &[u8]) -> Option<&[u8]> {
        if extra.len() <= self.prefix_len() {
            return None;
        }
        extra.get(self.prefix_len()..)
    }

    /// The results a replaying node trusts: parsed from `extra` without touching
    /// validator sets or BLS. No bytes mean no transaction had failures.
    pub fn results(self, extra: &[u8]) -> Result<PredicateResults, ResultsError> {
        match self.results_bytes(extra) {
            None => Ok(PredicateResults::new()),
            Some(bytes) => PredicateResults::parse(bytes),
        }
    }

    /// `prefix ‖ results`: the `Extra` a builder writes. `prefix` is the fee data,
    /// which must be exactly [`ExtraLayout::prefix_len`] bytes.
    pub fn build(self, prefix: &[u8], results: &PredicateResults) -> Result<Vec<u8>, ExtraError> {
        if prefix.len() != self.prefix_len() {
            return Err(ExtraError::PrefixLength { expected: self.prefix_len(), actual: prefix.len() });
        }
        let mut extra = prefix.to_vec();
        extra.extend_from_slice(&results.to_bytes()?);
        Ok(extra)
    }
}

/// Why an `Extra` could not be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ExtraError {
    /// The fee prefix has the wrong length for the layout.
    #[error("header extra prefix must be {expected} bytes, got {actual}")]
    PrefixLength {
        /// Length the layout needs.
        expected: usize,
        /// Length given.
        actual: usize,
    },
    /// The results do not encode.
    #[error(transparent)]
    Results(#[from] ResultsError),
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::results::FailureBits;
    use alloy_primitives::{Address, B256};

    #[test]
    fn prefixes_and_round_trip() {
        let mut results = PredicateResults::new();
        results.set(B256::with_last_byte(1), Address::with_last_byte(5), FailureBits::from_indices([2]));
        for (layout, len) in [
            (ExtraLayout::SubnetEvm, 80),
            (ExtraLayout::CorethPreFortuna, 80),
            (ExtraLayout::CorethFortuna, 24),
            (ExtraLayout::NoPrefix, 0),
        ] {
            assert_eq!(layout.prefix_len(), len);
            let prefix = vec![0xab; len];
            let extra = layout.build(&prefix, &results).unwrap();
            assert_eq!(&extra[..len], &prefix[..]);
            assert_eq!(layout.results_bytes(&extra).unwrap(), &results.to_bytes().unwrap()[..]);
            assert_eq!(layout.results(&extra).unwrap(), results);
            // Exactly the prefix (or less): no results.
            assert_eq!(layout.results_bytes(&prefix), None);
            assert_eq!(layout.results(&prefix).unwrap(), PredicateResults::new());
            assert_eq!(
                layout.build(&[0; 3], &results),
                Err(ExtraError::PrefixLength { expected: len, actual: 3 })
            );
        }
        let empty = ExtraLayout::CorethFortuna.build(&[0; 24], &PredicateResults::new()).unwrap();
        assert_eq!(hex::encode(&empty[24..]), "000000000000");
        assert!(ExtraLayout::SubnetEvm.results(&[0u8; 81]).is_err());
    }
}
