//! Many validators' signatures over **one** message, checked in groups: what an
//! aggregator needs to keep the signatures whose sum is a valid multi-signature,
//! at about the cost of one verification when nobody lies.
//!
//! A group of signatures *holds* when the sum of its signatures is in the G2
//! subgroup and `e(Σ pkᵢ, H(m)) = e(g₁, Σ σᵢ)`: exactly what a receiver checks
//! of an aggregate signature over those keys. The keys come from a canonical set
//! (every one registered with a proof of possession, so no rogue-key sums), and
//! `H(m)` is hashed once ([`OneMessage`]), so a check costs one fused two-pair
//! Miller loop, one final exponentiation and one subgroup check of the sum.
//!
//! [`OneMessage::sift`] keeps the largest groups that hold: the whole set if it
//! holds (one check), else it is bisected. A check yields the group's *value*
//! `e(Σ pk, H(m)) · e(−g₁, Σ σ)` in G_T, and values multiply over disjoint
//! groups whose sums are in G2, so a failing group checks its left half and
//! **derives** its right half's value (the group's divided by the left's): one
//! pairing per split, not two. A derived half holds when its value is 1 and its
//! sums are finite (the sums are then added, not paired). A group whose sum is
//! outside G2 has no value, and both its halves are checked. At the top split
//! both halves are checked at once, so the second thread has work. A lone
//! signature that fails is dropped.
//!
//! What may differ from verifying each signature on its own: signatures whose
//! errors cancel in a sum (two liars sending `σ₁ + δ` and `σ₂ − δ`) are kept
//! when a group holding both holds; and a point outside the subgroup whose
//! torsion another cancels likewise. Either way each kept group's sum is exactly
//! the valid multi-signature of its keys (`Σ skᵢ · H(m)`), which is all the
//! receiver checks, and so is the sum of all kept signatures unless the kept
//! keys sum to infinity, which only keys whose owners cooperate can do (callers
//! check the final sum). A signature valid on its own is never dropped.
//!
//! Cost: one check per failing group split, about `d · log₂(n/d) + d` with `d`
//! bad signatures among `n` (36 checks for ten liars spread through 67); at
//! worst (every one bad) `n`, as many as verifying each on its own.
//! No randomness is used: the verdicts depend only on the inputs.

use std::sync::OnceLock;

use blst::{blst_fp12, blst_p1_affine, blst_p2, blst_p2_affine, min_pk, MultiPoint, BLST_ERROR};

use crate::bls::{self, BlsError, HashedMessage, PublicKey, Signature, SIGNATURE_LEN};
use crate::gt::Gt;

/// A signature parsed **without** the G2 subgroup check: a canonical encoding of
/// a point on the curve (infinity included), not yet verified. Its subgroup is
/// settled on the sums [`OneMessage`] checks, about 60 µs saved per signature.
#[derive(Clone, Copy, PartialEq, Eq)]
pub struct UncheckedSignature(blst_p2_affine);

impl UncheckedSignature {
    /// Parses 96 compressed bytes: canonical and on the curve, the subgroup unchecked.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, BlsError> {
        if bytes.len() != SIGNATURE_LEN {
            return Err(BlsError::Length { what: "signature", expected: SIGNATURE_LEN, actual: bytes.len() });
        }
        let sig = min_pk::Signature::uncompress(bytes)
            .map_err(|e| BlsError::SignatureEncoding(bls::blst_reason(e)))?;
        Ok(Self(*<&blst_p2_affine>::from(&sig)))
    }

    /// The 96-byte compressed encoding.
    pub fn to_bytes(&self) -> [u8; SIGNATURE_LEN] {
        min_pk::Signature::from(self.0).compress()
    }
}

impl From<&Signature> for UncheckedSignature {
    fn from(sig: &Signature) -> Self {
        Self(*sig.affine())
    }
}

impl core::fmt::Debug for UncheckedSignature {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        write!(f, "UncheckedSignature(0x{})", hex::encode(self.to_bytes()))
    }
}

/// The sum of the signatures of a group that holds, as a [`Signature`]: `None`
/// when the list is empty or the sum is infinity or outside the G2 subgroup.
pub fn sum_held(signatures: &[UncheckedSignature]) -> Option<Signature> {
    sum_in_group(signatures).ok().map(Signature::from_affine)
}

/// Why a signature sum is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refused {
    /// An empty list, or a sum at infinity.
    Infinite,
    /// A sum outside the G2 subgroup.
    NotInGroup,
}

/// The sum of `signatures` if it is a finite point of the G2 subgroup.
fn sum_in_group(signatures: &[UncheckedSignature]) -> Result<blst_p2_affine, Refused> {
    let points: Vec<blst_p2_affine> = signatures.iter().map(|s| s.0).collect();
    let Some(sum) = points.first().map(|_| points.as_slice().add()) else { return Err(Refused::Infinite) };
    let sum = min_pk::AggregateSignature::from(sum).to_signature();
    match sum.validate(true) {
        Ok(()) => Ok(*<&blst_p2_affine>::from(&sum)),
        Err(BLST_ERROR::BLST_PK_IS_INFINITY) => Err(Refused::Infinite),
        Err(_) => Err(Refused::NotInGroup),
    }
}

/// A G2 point in affine form; `None` at infinity.
pub(crate) fn finite(point: blst_p2) -> Option<blst_p2_affine> {
    let point = min_pk::AggregateSignature::from(point).to_signature();
    let affine: &blst_p2_affine = (&point).into();
    (*affine != blst_p2_affine::default()).then_some(*affine)
}

/// `−g₁`, the negated generator of G1 (the public key of the scalar `r − 1`).
pub(crate) fn negated_generator() -> &'static Option<blst_p1_affine> {
    static POINT: OnceLock<Option<blst_p1_affine>> = OnceLock::new();
    POINT.get_or_init(|| {
        // r − 1, big-endian.
        let r_minus_one =
            hex::decode("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000000").ok()?;
        let sk = min_pk::SecretKey::from_bytes(&r_minus_one).ok()?;
        Some(*<&blst_p1_affine>::from(&sk.sk_to_pk()))
    })
}

/// One message hashed to G2 once, for checking many groups of its signatures.
pub struct OneMessage {
    hash: blst_p2_affine,
}

impl core::fmt::Debug for OneMessage {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("OneMessage(..)")
    }
}

/// What evaluating a group found.
#[derive(Clone, Copy)]
struct Outcome {
    /// `e(Σ pk, H(m)) · e(−g₁, Σ σ)`, known when the signature sum is in G2
    /// (computed, or derived from a parent's and a sibling's).
    value: Option<Gt>,
    /// The signature sum when the group holds: value 1 and both sums finite.
    held: Option<Signature>,
}

/// Which signatures [`OneMessage::sift`] kept, and the checks it ran.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sift {
    /// One flag per term, in order: kept (its group held).
    pub kept: Vec<bool>,
    /// Pairing checks run.
    pub checks: usize,
    /// The sum of the signatures when the whole group held in one check (a
    /// signature in G2, ready to use as the aggregate).
    pub sum: Option<Signature>,
}

impl OneMessage {
    /// Hashes `message` with the signature DST.
    pub fn new(message: &[u8]) -> Self {
        Self { hash: *HashedMessage::new(message).affine() }
    }

    /// Whether the group `terms` holds: the sum of its signatures is in G2, the
    /// sums are not infinity, and `e(Σ pk, H(m)) = e(g₁, Σ σ)`.
    /// An empty group does not hold.
    pub fn holds(&self, terms: &[(&PublicKey, &UncheckedSignature)]) -> bool {
        self.evaluate(terms).held.is_some()
    }

    /// One pairing check of a group: its sums, the signature sum's subgroup,
    /// one fused two-pair Miller loop and one final exponentiation.
    fn evaluate(&self, terms: &[(&PublicKey, &UncheckedSignature)]) -> Outcome {
        let unknown = Outcome { value: None, held: None };
        let Some(minus_g1) = negated_generator() else { return unknown };
        let Some(key) = key_sum(terms) else { return unknown };
        let sigs: Vec<UncheckedSignature> = terms.iter().map(|(_, s)| **s).collect();
        let sig = match sum_in_group(&sigs) {
            Ok(sig) => Some(sig),
            Err(Refused::Infinite) => None,
            Err(Refused::NotInGroup) => return unknown,
        };
        // e(Σpk, H(m)) · e(−g₁, Σσ); a factor at infinity is 1.
        let miller = match (&key, &sig) {
            (Some(key), Some(sig)) => blst_fp12::miller_loop_n(&[self.hash, *sig], &[*key, *minus_g1]),
            (Some(key), None) => blst_fp12::miller_loop(&self.hash, key),
            (None, Some(sig)) => blst_fp12::miller_loop(sig, minus_g1),
            (None, None) => blst_fp12::default(),
        };
        let value = Gt::of(&miller);
        let held = match (value.is_one(), key, sig) {
            (true, Some(_), Some(sig)) => Some(Signature::from_affine(sig)),
            _ => None,
        };
        Outcome { value: Some(value), held }
    }

    /// A group's outcome from its parent's value and its sibling's, with no
    /// pairing: both sums are in G2, so the values divide. It holds when the
    /// quotient is 1 and its sums are finite.
    fn derive(parent: &Gt, sibling: &Gt, terms: &[(&PublicKey, &UncheckedSignature)]) -> Outcome {
        let value = parent.divided_by(sibling);
        let held = if value.is_one() && key_sum(terms).is_some_and(|k| k.is_some()) {
            let sigs: Vec<blst_p2_affine> = terms.iter().map(|(_, s)| s.0).collect();
            (!sigs.is_empty()).then(|| sigs.as_slice().add()).and_then(finite).map(Signature::from_affine)
        } else {
            None
        };
        Outcome { value: Some(value), held }
    }

    /// Keeps the signatures of the groups that hold (see the module's notes):
    /// the whole of `terms` in one check when it holds, else by bisection, each
    /// failing group's left half checked and its right half derived, the two
    /// halves' subtrees on rayon's threads. The verdicts do not depend on the
    /// threads.
    pub fn sift(&self, terms: &[(&PublicKey, &UncheckedSignature)]) -> Sift {
        let indexed: Vec<(usize, (&PublicKey, &UncheckedSignature))> =
            terms.iter().copied().enumerate().collect();
        let root = self.evaluate(terms);
        let found = self.bisect(&indexed, root, true);
        let checks = found.checks.saturating_add(1);
        let sum = if checks == 1 { root.held } else { None };
        let mut sift = Sift { kept: vec![false; terms.len()], checks, sum };
        for i in found.kept {
            if let Some(k) = sift.kept.get_mut(i) {
                *k = true;
            }
        }
        sift
    }

    /// Whether the union of groups that each held holds: by bilinearity exactly
    /// when its key sum and signature sum are finite, so no pairing is needed.
    pub fn union_holds(&self, groups_that_held: &[(&PublicKey, &UncheckedSignature)]) -> bool {
        let sigs: Vec<UncheckedSignature> = groups_that_held.iter().map(|(_, s)| **s).collect();
        key_sum(groups_that_held).is_some_and(|k| k.is_some()) && sum_held(&sigs).is_some()
    }

    /// What holds in `terms`, whose own outcome is `own`. At the `top` split the
    /// right half is checked beside the left one rather than derived: the
    /// second thread would otherwise wait.
    fn bisect(&self, terms: &[(usize, (&PublicKey, &UncheckedSignature))], own: Outcome, top: bool) -> Found {
        let mut found = Found { kept: Vec::new(), checks: 0 };
        if own.held.is_some() {
            found.kept = terms.iter().map(|(i, _)| *i).collect();
            return found;
        }
        if terms.len() <= 1 {
            return found;
        }
        let (left, right) = terms.split_at(terms.len() / 2);
        let parallel = rayon::current_num_threads() > 1 && terms.len() >= PARALLEL_FROM;
        // The left half is checked; the right half's value is the group's divided
        // by the left's when both are known, else it is checked too.
        let (left_own, right_own, checks) = match own.value {
            Some(value) if !(top && parallel) => {
                let left_own = self.evaluate(&unindexed(left));
                match &left_own.value {
                    Some(left_value) => (left_own, Self::derive(&value, left_value, &unindexed(right)), 1),
                    None => (left_own, self.evaluate(&unindexed(right)), 2),
                }
            }
            _ => {
                let (l, r) = if parallel {
                    rayon::join(|| self.evaluate(&unindexed(left)), || self.evaluate(&unindexed(right)))
                } else {
                    (self.evaluate(&unindexed(left)), self.evaluate(&unindexed(right)))
                };
                (l, r, 2)
            }
        };
        let (l, r) = if parallel {
            rayon::join(|| self.bisect(left, left_own, false), || self.bisect(right, right_own, false))
        } else {
            (self.bisect(left, left_own, false), self.bisect(right, right_own, false))
        };
        found.checks = l.checks.saturating_add(r.checks).saturating_add(checks);
        found.kept = l.kept;
        found.kept.extend(r.kept);
        found
    }
}

/// The terms without their indices.
fn unindexed<'k>(
    terms: &[(usize, (&'k PublicKey, &'k UncheckedSignature))],
) -> Vec<(&'k PublicKey, &'k UncheckedSignature)> {
    terms.iter().map(|(_, t)| *t).collect()
}

/// The sum of the group's keys in affine form: `None` for an empty group,
/// `Some(None)` for a sum at infinity.
fn key_sum(terms: &[(&PublicKey, &UncheckedSignature)]) -> Option<Option<blst_p1_affine>> {
    let keys: Vec<min_pk::PublicKey> = terms.iter().map(|(k, _)| *k.point()).collect();
    let key = bls::sum_points(&keys)?.to_public_key();
    let key: blst_p1_affine = *<&blst_p1_affine>::from(&key);
    Some((key != blst_p1_affine::default()).then_some(key))
}

/// Groups at least this large have their halves bisected on two threads.
const PARALLEL_FROM: usize = 4;

/// What bisecting a group found.
struct Found {
    kept: Vec<usize>,
    checks: usize,
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::bls::SecretKey;

    fn keys(n: u8) -> Vec<SecretKey> {
        (0..n).map(|i| SecretKey::from_seed(&[i; 32]).unwrap()).collect()
    }

    #[test]
    fn parses_without_the_group_check_and_round_trips() {
        let sig = keys(1)[0].sign(b"m");
        let unchecked = UncheckedSignature::from_bytes(&sig.to_bytes()).unwrap();
        assert_eq!(unchecked.to_bytes(), sig.to_bytes());
        assert_eq!(UncheckedSignature::from(&sig), unchecked);
        assert!(matches!(
            UncheckedSignature::from_bytes(&[0u8; 95]),
            Err(BlsError::Length { expected: 96, actual: 95, .. })
        ));
        // A compressed point with the top flag clear is not canonical.
        assert!(matches!(UncheckedSignature::from_bytes(&[0u8; 96]), Err(BlsError::SignatureEncoding(_))));
    }

    #[test]
    fn a_group_holds_exactly_when_its_sum_verifies() {
        let ks = keys(6);
        let msg = b"one message";
        let one = OneMessage::new(msg);
        let pks: Vec<PublicKey> = ks.iter().map(|k| k.public_key()).collect();
        let mut sigs: Vec<UncheckedSignature> = ks.iter().map(|k| (&k.sign(msg)).into()).collect();
        assert!(one.holds(&pks.iter().zip(&sigs).collect::<Vec<_>>()));
        assert!(!one.holds(&[]));
        sigs[2] = (&ks[2].sign(b"another")).into();
        let terms: Vec<(&PublicKey, &UncheckedSignature)> = pks.iter().zip(&sigs).collect();
        assert!(!one.holds(&terms));
        let sift = one.sift(&terms);
        assert_eq!(sift.kept, vec![true, true, false, true, true, true]);
        let kept: Vec<UncheckedSignature> =
            sigs.iter().zip(&sift.kept).filter(|(_, k)| **k).map(|(s, _)| *s).collect();
        let kept_keys: Vec<PublicKey> =
            pks.iter().zip(&sift.kept).filter(|(_, k)| **k).map(|(p, _)| *p).collect();
        let sum = sum_held(&kept).unwrap();
        assert!(bls::aggregate_public_keys(&kept_keys).unwrap().verify(msg, &sum));
    }
}
