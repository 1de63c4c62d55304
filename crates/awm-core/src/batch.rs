//! Batch verification of many aggregate signatures over distinct messages, with
//! exactly the per-signature verdicts of one-by-one verification.
//!
//! Each check `e(pkᵢ, H(mᵢ)) = e(g₁, σᵢ)` is scaled by a secret random 64-bit
//! factor `rᵢ` (from the operating system's generator) and its Miller loop is run
//! on its own ([`BatchTerm::new`], the expensive part, which callers may spread
//! over threads). A batch then multiplies the terms' Miller-loop values, adds the
//! scaled signatures, and pays **one** signature-side Miller loop and **one** final
//! exponentiation for all of them ([`resolve`]).
//!
//! A batch that fails is bisected. Because the final exponentiation is a
//! homomorphism, a failing set whose left half passes has a failing right half,
//! so each level costs one check, not two, and the terms' Miller loops are never
//! recomputed: one bad signature among 64 costs seven cheap checks.
//!
//! Bisection alone is a poor answer to many bad signatures: with every term bad
//! it checks every node of the tree, `2n − 1` checks, each as dear as a lone
//! term's. An attacker who fills a block with invalid signatures (they pay the
//! same predicate gas as valid ones) would buy `2n − 1` checks of about half a
//! verification each, on top of the terms' own hashing and Miller loops. So
//! failing group checks are budgeted:
//! [`group_check_budget`] (`⌈log₂(n+1)⌉ + 1`, the failures on the way down to
//! one bad term wherever it sits; a passing check settles at least two terms for
//! good, so it is not charged). Once the budget is spent, each remaining term is
//! checked alone (in parallel where the caller has threads, [`resolve_with`]).
//! Passing checks and lone checks cover disjoint terms, so the worst case is
//! `n + budget` checks, and the verdicts are the same either way.
//!
//! Exactness: a set of valid signatures always passes. A single term is a scaled
//! copy of the one-by-one equation (`rᵢ ≠ 0`), so the verdict of a lone term is
//! exactly the one-by-one verdict. An invalid signature can hide in a passing set
//! only if the attacker guesses the secret factors: probability at most 2⁻⁶³ per
//! batch, the standard bound of random-linear-combination batching.

use blst::{Pairing, BLST_ERROR};

use crate::bls::{AggregatePublicKey, Signature, DST_SIGNATURE};

/// Width of each random factor.
pub const SCALAR_BITS: usize = 64;

/// One signature check with its Miller loop done and its key and signature
/// scaled by a secret random factor.
#[derive(Debug)]
pub struct BatchTerm {
    pairing: Pairing<'static>,
}

impl BatchTerm {
    /// Hashes `message` to G2, scales `public_key` and `signature` by `scalar`
    /// (little-endian, made odd so it is never zero) and runs the key's Miller
    /// loop. `None` when blst refuses the inputs, which happens exactly when
    /// one-by-one verification also fails (an aggregate key at infinity).
    pub fn new(
        public_key: &AggregatePublicKey,
        message: &[u8],
        signature: &Signature,
        scalar: [u8; SCALAR_BITS / 8],
    ) -> Option<Self> {
        let mut scalar = scalar;
        scalar[0] |= 1;
        let mut pairing = Pairing::new(true, DST_SIGNATURE);
        // Both points were validated when parsed (keys on entry to the set, the
        // signature by `Signature::from_bytes`), so blst need not check them again.
        let result = pairing.mul_n_aggregate(
            public_key.affine(),
            false,
            signature.affine(),
            false,
            &scalar,
            SCALAR_BITS,
            message,
            &[],
        );
        if result != BLST_ERROR::BLST_SUCCESS {
            return None;
        }
        pairing.commit();
        Some(Self { pairing })
    }

    /// Whether this term's equation holds on its own: exactly the one-by-one
    /// verdict for its signature (one signature-side Miller loop and one final
    /// exponentiation).
    pub fn holds_alone(&self) -> bool {
        holds(&[(0, self)])
    }
}

/// `n` random factors from the operating system's generator; `None` if it fails
/// (callers then verify one by one, which needs no randomness).
pub fn random_scalars(n: usize) -> Option<Vec<[u8; SCALAR_BITS / 8]>> {
    let mut bytes = vec![0u8; n.checked_mul(SCALAR_BITS / 8)?];
    getrandom::fill(&mut bytes).ok()?;
    Some(
        bytes
            .chunks_exact(SCALAR_BITS / 8)
            .map(|c| {
                let mut s = [0u8; SCALAR_BITS / 8];
                s.copy_from_slice(c);
                s
            })
            .collect(),
    )
}

/// The verdict for each term, in order: true exactly when its signature verifies.
/// A missing term (`None`) is false.
pub fn resolve(terms: &[Option<BatchTerm>]) -> Vec<bool> {
    resolve_with(terms, &|alone: &[&BatchTerm]| alone.iter().map(|t| t.holds_alone()).collect()).verdicts
}

/// Failing group checks allowed (the first, whole-batch check included;
/// lone-term checks and passing checks are not counted) before a failing batch
/// is resolved term by term: one per level of the bisection tree and one more,
/// the failures on the path to a single bad term among `n`.
pub fn group_check_budget(n: usize) -> usize {
    let levels = usize::BITS.saturating_sub(n.leading_zeros());
    usize::try_from(levels).unwrap_or(usize::MAX).saturating_add(1)
}

/// What resolving a batch found, and what it cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// One verdict per term, in order (a missing term is false).
    pub verdicts: Vec<bool>,
    /// Product checks run (one signature-side Miller loop and one final
    /// exponentiation each).
    pub checks: usize,
    /// Whether the budget of failing group checks ran out and terms were
    /// checked alone: the batch held more than one bad signature.
    pub fell_back: bool,
}

/// [`resolve`] with the lone-term checks of the fallback handed to
/// `check_alone`, which must return [`BatchTerm::holds_alone`] for each term in
/// order; a caller with threads runs them in parallel. The verdicts do not
/// depend on how `check_alone` schedules its work.
pub fn resolve_with(
    terms: &[Option<BatchTerm>],
    check_alone: &dyn Fn(&[&BatchTerm]) -> Vec<bool>,
) -> Resolution {
    let present: Vec<(usize, &BatchTerm)> =
        terms.iter().enumerate().filter_map(|(i, t)| t.as_ref().map(|t| (i, t))).collect();
    let mut resolver = Resolver {
        verdicts: vec![false; terms.len()],
        group_checks_left: group_check_budget(present.len()),
        checks: 0,
        fell_back: false,
        check_alone,
    };
    resolver.bisect(&present, false);
    Resolution { verdicts: resolver.verdicts, checks: resolver.checks, fell_back: resolver.fell_back }
}

/// Verifies `(aggregate key, message, signature)` triples on the calling thread,
/// batched; the verdicts equal those of [`AggregatePublicKey::verify`] one by one.
pub fn verify_batch(items: &[(AggregatePublicKey, &[u8], Signature)]) -> Vec<bool> {
    let Some(scalars) = random_scalars(items.len()) else {
        return items.iter().map(|(pk, msg, sig)| pk.verify(msg, sig)).collect();
    };
    let terms: Vec<Option<BatchTerm>> =
        items.iter().zip(scalars).map(|((pk, msg, sig), r)| BatchTerm::new(pk, msg, sig, r)).collect();
    resolve(&terms)
}

/// Whether the product of the terms' equations holds: one signature-side Miller
/// loop and one final exponentiation.
fn holds(terms: &[(usize, &BatchTerm)]) -> bool {
    let mut acc = Pairing::new(true, DST_SIGNATURE);
    for (_, term) in terms {
        if acc.merge(&term.pairing) != BLST_ERROR::BLST_SUCCESS {
            return false;
        }
    }
    acc.finalverify(None)
}

/// The state of one resolution: verdicts so far and the checks spent.
struct Resolver<'c> {
    verdicts: Vec<bool>,
    group_checks_left: usize,
    checks: usize,
    fell_back: bool,
    check_alone: &'c dyn Fn(&[&BatchTerm]) -> Vec<bool>,
}

impl Resolver<'_> {
    /// Runs one product check, charging the budget when a check over more than
    /// one term fails.
    fn check(&mut self, terms: &[(usize, &BatchTerm)]) -> bool {
        self.checks = self.checks.saturating_add(1);
        let holds = holds(terms);
        if !holds && terms.len() > 1 {
            self.group_checks_left = self.group_checks_left.saturating_sub(1);
        }
        holds
    }

    fn mark_valid(&mut self, terms: &[(usize, &BatchTerm)]) {
        for (i, _) in terms {
            if let Some(v) = self.verdicts.get_mut(*i) {
                *v = true;
            }
        }
    }

    /// Marks the valid terms of `terms`; returns whether all are valid.
    /// `known_bad` says the product is already known not to hold.
    fn bisect(&mut self, terms: &[(usize, &BatchTerm)], known_bad: bool) -> bool {
        if terms.is_empty() {
            return true;
        }
        if terms.len() > 1 && self.group_checks_left == 0 {
            return self.one_by_one(terms);
        }
        if !known_bad && self.check(terms) {
            self.mark_valid(terms);
            return true;
        }
        if terms.len() == 1 {
            return false;
        }
        if self.group_checks_left == 0 {
            return self.one_by_one(terms);
        }
        let (left, right) = terms.split_at(terms.len() / 2);
        let left_valid = self.bisect(left, false);
        // If the whole fails and the left half holds, the right half cannot hold.
        self.bisect(right, left_valid);
        false
    }

    /// Checks each term alone (through `check_alone`, so possibly in parallel).
    fn one_by_one(&mut self, terms: &[(usize, &BatchTerm)]) -> bool {
        self.fell_back = true;
        let alone: Vec<&BatchTerm> = terms.iter().map(|(_, t)| *t).collect();
        let verdicts = (self.check_alone)(&alone);
        self.checks = self.checks.saturating_add(terms.len());
        let mut all_valid = verdicts.len() == terms.len();
        for ((i, _), ok) in terms.iter().zip(verdicts) {
            if let Some(v) = self.verdicts.get_mut(*i) {
                *v = ok;
            }
            all_valid &= ok;
        }
        all_valid
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bls::{aggregate_public_keys, SecretKey};

    fn key(i: u8) -> SecretKey {
        SecretKey::from_seed(&[i; 32]).unwrap()
    }

    fn items(n: u8, bad: &[u8]) -> Vec<(AggregatePublicKey, Vec<u8>, Signature)> {
        (0..n)
            .map(|i| {
                let sk = key(i);
                let msg = vec![i; 40];
                let signed = if bad.contains(&i) { b"other".to_vec() } else { msg.clone() };
                (aggregate_public_keys(&[sk.public_key()]).unwrap(), msg, sk.sign(&signed))
            })
            .collect()
    }

    fn run(items: &[(AggregatePublicKey, Vec<u8>, Signature)]) -> Vec<bool> {
        let borrowed: Vec<(AggregatePublicKey, &[u8], Signature)> =
            items.iter().map(|(pk, m, s)| (*pk, m.as_slice(), *s)).collect();
        verify_batch(&borrowed)
    }

    #[test]
    fn verdicts_match_one_by_one() {
        for bad in [vec![], vec![0], vec![6], vec![2, 3], vec![0, 1, 2, 3, 4, 5, 6]] {
            let items = items(7, &bad);
            let expected: Vec<bool> = items.iter().map(|(pk, m, s)| pk.verify(m, s)).collect();
            assert_eq!(run(&items), expected, "bad = {bad:?}");
            assert_eq!(expected.iter().filter(|v| !**v).count(), bad.len());
        }
        assert!(run(&[]).is_empty());
    }

    fn counted(items: &[(AggregatePublicKey, Vec<u8>, Signature)]) -> (Vec<bool>, usize) {
        let resolution = resolution(items);
        (resolution.verdicts, resolution.checks)
    }

    fn resolution(items: &[(AggregatePublicKey, Vec<u8>, Signature)]) -> Resolution {
        let scalars = random_scalars(items.len()).unwrap();
        let terms: Vec<Option<BatchTerm>> =
            items.iter().zip(scalars).map(|((pk, m, s), r)| BatchTerm::new(pk, m, s, r)).collect();
        resolve_with(&terms, &|alone: &[&BatchTerm]| alone.iter().map(|t| t.holds_alone()).collect())
    }

    #[test]
    fn budget_is_one_failure_per_level_and_one_more() {
        assert_eq!(group_check_budget(1), 2);
        assert_eq!(group_check_budget(16), 6);
        assert_eq!(group_check_budget(64), 8);
    }

    #[test]
    fn one_bad_term_is_found_by_bisection() {
        // Root, then the left half of 16, 8, 4 and 2 pass; the last term is bad unchecked.
        let (verdicts, checks) = counted(&items(16, &[15]));
        assert_eq!(verdicts, (0..16).map(|i| i != 15).collect::<Vec<_>>());
        assert_eq!(checks, 5);
        assert!(!resolution(&items(16, &[15])).fell_back);
        // In a left half, the right siblings need their own checks: root, 0..8, 0..4,
        // 4..6, the lone 4, 6..8, 8..16; still within the budget.
        let left = resolution(&items(16, &[5]));
        assert_eq!(left.verdicts, (0..16).map(|i| i != 5).collect::<Vec<_>>());
        assert_eq!((left.checks, left.fell_back), (7, false));
        for bad in 0..16u8 {
            assert!(!resolution(&items(16, &[bad])).fell_back, "one bad term at {bad}");
        }
        let (_, checks) = counted(&items(16, &[]));
        assert_eq!(checks, 1);
    }

    #[test]
    fn many_bad_terms_cost_at_most_one_check_each_plus_the_budget() {
        // Plain bisection would spend 2n - 1 = 31 checks when every term is bad.
        let n = 16;
        let (verdicts, checks) = counted(&items(n, &(0..n).collect::<Vec<u8>>()));
        assert!(verdicts.iter().all(|v| !v));
        assert!(checks <= usize::from(n) + group_check_budget(usize::from(n)), "{checks} checks");
        assert!(checks < 2 * usize::from(n) - 1, "{checks} checks");
        assert!(resolution(&items(n, &(0..n).step_by(2).collect::<Vec<u8>>())).fell_back);
        // Every pattern still gives the one-by-one verdicts.
        for bad in [vec![0, 15], vec![1, 2, 3, 9, 10, 11], (0..16).step_by(2).collect::<Vec<u8>>()] {
            let items = items(n, &bad);
            let expected: Vec<bool> = items.iter().map(|(pk, m, s)| pk.verify(m, s)).collect();
            assert_eq!(counted(&items).0, expected, "bad = {bad:?}");
        }
    }

    #[test]
    fn swapped_signatures_fail_though_their_sum_is_right() {
        // σ₀ and σ₁ exchanged: the unscaled sum would pass, the scaled batch must not.
        let mut items = items(4, &[]);
        let s0 = items[0].2;
        items[0].2 = items[1].2;
        items[1].2 = s0;
        assert_eq!(run(&items), vec![false, false, true, true]);
    }

    #[test]
    fn infinite_aggregate_key_is_a_missing_term() {
        let sk = key(9);
        let pk = sk.public_key();
        let mut neg = pk.to_compressed();
        neg[0] ^= 0x20;
        let neg = crate::bls::PublicKey::from_compressed(&neg).unwrap();
        let inf = aggregate_public_keys(&[pk, neg]).unwrap();
        let sig = sk.sign(b"m");
        assert!(BatchTerm::new(&inf, b"m", &sig, [7; 8]).is_none());
        let mut all = items(2, &[]);
        all.push((inf, b"m".to_vec(), sig));
        assert_eq!(run(&all), vec![true, true, false]);
    }
}
