//! How much of a source's stake must sign: a [`Quorum`] fraction, and a
//! [`QuorumPolicy`] that lets a receiver ask a different fraction of each source
//! (the seeds' example: 70% of chain B's stake, 90% of chain C's).
//!
//! The check is exact (`numerator × total ≤ denominator × signed` in `u128`),
//! never a rounded threshold.

use core::fmt;
use std::collections::BTreeMap;

use thiserror::Error;

use crate::ids::{ChainId, SubnetId};

/// Why a quorum fraction was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum QuorumError {
    /// The denominator is zero.
    #[error("quorum denominator must not be zero")]
    ZeroDenominator,
    /// The numerator exceeds the denominator (more than 100%).
    #[error("quorum numerator {numerator} exceeds denominator {denominator}")]
    NumeratorExceedsDenominator {
        /// Numerator given.
        numerator: u64,
        /// Denominator given.
        denominator: u64,
    },
}

/// A fraction of total stake, `numerator / denominator`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Quorum {
    numerator: u64,
    denominator: u64,
}

impl Quorum {
    /// The EVMs' default: 67/100 (`WarpDefaultQuorumNumerator`).
    pub const DEFAULT: Self = Self { numerator: 67, denominator: 100 };

    /// A fraction; refuses a zero denominator and a numerator above it.
    pub const fn new(numerator: u64, denominator: u64) -> Result<Self, QuorumError> {
        if denominator == 0 {
            return Err(QuorumError::ZeroDenominator);
        }
        if numerator > denominator {
            return Err(QuorumError::NumeratorExceedsDenominator { numerator, denominator });
        }
        Ok(Self { numerator, denominator })
    }

    /// A percentage, `percent / 100`.
    pub const fn percent(percent: u64) -> Result<Self, QuorumError> {
        Self::new(percent, 100)
    }

    /// The numerator.
    pub const fn numerator(&self) -> u64 {
        self.numerator
    }

    /// The denominator.
    pub const fn denominator(&self) -> u64 {
        self.denominator
    }

    /// Whether `signed` of `total` meets the quorum: `numerator × total ≤ denominator × signed`.
    #[allow(clippy::arithmetic_side_effects)] // u64 × u64 always fits in u128
    pub fn is_met(&self, signed: u64, total: u64) -> bool {
        u128::from(self.numerator) * u128::from(total) <= u128::from(self.denominator) * u128::from(signed)
    }

    /// The least signed weight that meets the quorum: `ceil(numerator × total / denominator)`.
    #[allow(clippy::arithmetic_side_effects)] // u64 × u64 always fits in u128; denominator ≠ 0
    pub fn required_weight(&self, total: u64) -> u64 {
        let num = u128::from(self.numerator) * u128::from(total);
        let den = u128::from(self.denominator);
        // numerator ≤ denominator, so the result is at most `total`.
        u64::try_from(num.div_ceil(den)).unwrap_or(total)
    }
}

impl Default for Quorum {
    fn default() -> Self {
        Self::DEFAULT
    }
}

impl fmt::Display for Quorum {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.numerator, self.denominator)
    }
}

/// The quorum a receiver asks of each source: per source chain, else per source
/// subnet, else the default.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct QuorumPolicy {
    default: Quorum,
    by_chain: BTreeMap<ChainId, Quorum>,
    by_subnet: BTreeMap<SubnetId, Quorum>,
}

impl QuorumPolicy {
    /// A policy asking `default` of every source.
    pub fn new(default: Quorum) -> Self {
        Self { default, ..Self::default() }
    }

    /// Asks `quorum` of messages from `chain` (takes precedence over its subnet's).
    pub fn with_chain(mut self, chain: ChainId, quorum: Quorum) -> Self {
        self.by_chain.insert(chain, quorum);
        self
    }

    /// Asks `quorum` of messages from any chain of `subnet`.
    pub fn with_subnet(mut self, subnet: SubnetId, quorum: Quorum) -> Self {
        self.by_subnet.insert(subnet, quorum);
        self
    }

    /// The default quorum.
    pub fn default_quorum(&self) -> Quorum {
        self.default
    }

    /// The quorum for a message from `chain`, which belongs to `subnet`.
    pub fn quorum_for(&self, chain: &ChainId, subnet: &SubnetId) -> Quorum {
        self.by_chain.get(chain).or_else(|| self.by_subnet.get(subnet)).copied().unwrap_or(self.default)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::Id;

    #[test]
    fn exact_inequality_without_rounding() {
        let q = Quorum::DEFAULT;
        // total 10 at 67%: 6 is not enough (a floor threshold would say it is), 7 is.
        assert!(!q.is_met(6, 10));
        assert!(q.is_met(7, 10));
        assert_eq!(q.required_weight(10), 7);
        assert!(q.is_met(67, 100));
        assert!(!q.is_met(66, 100));
        assert_eq!(q.required_weight(100), 67);
        // Zero total, zero signed: the weight check passes (verification fails later).
        assert!(q.is_met(0, 0));
        // No overflow at the extremes.
        assert!(Quorum::new(1, 1).unwrap().is_met(u64::MAX, u64::MAX));
        assert!(!Quorum::new(1, 1).unwrap().is_met(u64::MAX - 1, u64::MAX));
        assert_eq!(Quorum::new(1, 1).unwrap().required_weight(u64::MAX), u64::MAX);
    }

    #[test]
    fn invalid_fractions_are_refused() {
        assert_eq!(Quorum::new(1, 0).unwrap_err(), QuorumError::ZeroDenominator);
        assert_eq!(
            Quorum::new(101, 100).unwrap_err(),
            QuorumError::NumeratorExceedsDenominator { numerator: 101, denominator: 100 }
        );
        assert_eq!(Quorum::percent(90).unwrap().to_string(), "90/100");
    }

    #[test]
    fn per_source_policy() {
        let (b, c, d) = (Id([0xb; 32]), Id([0xc; 32]), Id([0xd; 32]));
        let subnet_c = Id([0xcc; 32]);
        let policy = QuorumPolicy::new(Quorum::DEFAULT)
            .with_chain(b, Quorum::percent(70).unwrap())
            .with_subnet(subnet_c, Quorum::percent(90).unwrap());
        assert_eq!(policy.quorum_for(&b, &Id([1; 32])), Quorum::percent(70).unwrap());
        assert_eq!(policy.quorum_for(&c, &subnet_c), Quorum::percent(90).unwrap());
        assert_eq!(policy.quorum_for(&d, &Id([1; 32])), Quorum::DEFAULT);
    }
}
