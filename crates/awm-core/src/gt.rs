//! Values of G_T (after the final exponentiation) kept as fractions, so that a
//! set's value divided by a part's gives the rest's without an inversion.
//!
//! The final exponentiation maps Miller-loop products homomorphically onto
//! G_T, so the value of a union of disjoint checks is the product of their
//! values: [`crate::batch`] and [`crate::sift`] compute one half of a failing
//! set and derive the other.

use blst::blst_fp12;

/// `num / den` in G_T.
#[derive(Clone, Copy)]
pub(crate) struct Gt {
    num: blst_fp12,
    den: blst_fp12,
    /// `den` is 1 (the value of a final exponentiation, not a quotient).
    whole: bool,
}

impl Gt {
    /// The final exponentiation of a Miller-loop product.
    pub(crate) fn of(miller: &blst_fp12) -> Self {
        Self { num: miller.final_exp(), den: blst_fp12::default(), whole: true }
    }

    /// Whether the value is 1 (`blst_fp12::default()` is 1).
    pub(crate) fn is_one(&self) -> bool {
        self.num == self.den
    }

    /// `self / other`.
    pub(crate) fn divided_by(&self, other: &Gt) -> Gt {
        if other.whole {
            return Gt { num: self.num, den: mul(&self.den, &other.num), whole: false };
        }
        Gt { num: mul(&self.num, &other.den), den: mul(&self.den, &other.num), whole: false }
    }
}

/// A product in F_p¹² (modular arithmetic: nothing overflows).
#[allow(clippy::arithmetic_side_effects)]
pub(crate) fn mul(a: &blst_fp12, b: &blst_fp12) -> blst_fp12 {
    *a * *b
}
