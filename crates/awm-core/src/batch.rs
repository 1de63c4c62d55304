//! Batch verification of many aggregate signatures over distinct messages, with
//! exactly the per-signature verdicts of one-by-one verification.
//!
//! Each check `e(pkᵢ, H(mᵢ)) = e(g₁, σᵢ)` is scaled by a secret random 64-bit
//! factor `rᵢ` (from the operating system's generator, made odd so it is never
//! zero). Writing `Eᵢ = e(rᵢ·pkᵢ, H(mᵢ)) · e(−g₁, rᵢ·σᵢ)`, a check holds exactly
//! when `Eᵢ = 1` (G_T has prime order), and a set of checks is tested by
//! whether the product of its `Eᵢ` is 1. [`resolve`] computes that product for
//! the whole batch with as little pairing arithmetic as blst allows:
//!
//! - the key sides are Miller loops of `(rᵢ·pkᵢ, H(mᵢ))`, **fused** [`CHUNK`] at a
//!   time (`miller_loop_n` shares the squarings: about 30% cheaper per term than
//!   one loop each), chunks spread over rayon's threads; on a one-thread pool
//!   each term's loop is kept instead, so that a failing batch's lone checks
//!   reuse it (the worst case then stays near verifying each alone);
//! - the signature side is **one** multi-scalar multiplication `Σ rᵢσᵢ`
//!   (blst's Pippenger, about a quarter of one G2 scalar multiplication per term)
//!   and **one** Miller loop, computed while the chunks are;
//! - **one** final exponentiation for the whole batch.
//!
//! A batch that fails is resolved with the values the final exponentiation gives
//! (it is a homomorphism onto G_T, so the value of a set is the product of its
//! parts' values): over the chunks, each failing set computes the value of its
//! left half and **derives** its right half's (the set's value divided by the
//! left one's), so a level costs one final exponentiation, not two, and every one
//! computed is used. In a failing chunk each term but the last is checked alone
//! (one fused two-pair Miller loop and one final exponentiation, on rayon's
//! threads; only the signature side's loop when the key side's was kept), and
//! the last one's value is derived from the chunk's. With every
//! term bad that is one final exponentiation per term, no more than checking
//! each alone (the chunk values cost one Miller loop and a small
//! multi-scalar multiplication per chunk); one bad term among 64 costs the root,
//! seven chunk values, three final exponentiations to find its chunk, and that
//! chunk's lone checks.
//!
//! Exactness: a set of valid signatures always passes. A lone check and a
//! derived value are exact (no randomness is involved in saying that a value is
//! not 1). An invalid signature can hide in a passing set only if the attacker
//! guesses the secret factors: probability at most about 2⁻⁶³ per set, the
//! standard bound of random-linear-combination batching. Keys and signatures are
//! subgroup-checked when parsed, so every sum stays in its group and the
//! homomorphism holds. A check whose key is infinity, or whose signature is
//! infinity, fails without entering the batch (so it does one by one).

use std::sync::OnceLock;

use blst::{
    blst_fp12, blst_p1, blst_p1_affine, blst_p2, blst_p2_affine, min_pk, p1_affines, p2_affines, MultiPoint,
};
use rayon::prelude::*;

use crate::bls::{hash_projective, AggregatePublicKey, Signature};
use crate::gt::{self, Gt};
use crate::sift::{finite, negated_generator};

/// Width of each random factor.
pub const SCALAR_BITS: usize = 64;

/// Bytes of each random factor.
const SCALAR_BYTES: usize = SCALAR_BITS / 8;

/// Key-side Miller loops fused into one `miller_loop_n` call.
pub const CHUNK: usize = 8;

/// Fewest threads at which the key-side loops are fused. On one thread each
/// term's loop is kept instead, so a failing batch's lone checks reuse it: the
/// worst case (every signature bad) then costs little more than verifying each
/// alone, where fusing would add the fused loops' cost to it; valid batches pay
/// about 70 µs a term more. With a second thread the worst case has room to
/// spare and fusing buys valid-block throughput.
const FUSE_FROM_THREADS: usize = 2;

/// One signature check to batch: does `signature` verify over `message` against `key`?
#[derive(Debug, Clone, Copy)]
pub struct Check<'a> {
    /// The (aggregate) public key.
    pub key: &'a AggregatePublicKey,
    /// The message, hashed to G2 with the signature DST.
    pub message: &'a [u8],
    /// The signature, already subgroup-checked.
    pub signature: &'a Signature,
}

impl Check<'_> {
    /// The one-by-one verdict ([`AggregatePublicKey::verify`]).
    pub fn verify(&self) -> bool {
        self.key.verify(self.message, self.signature)
    }
}

/// What resolving a batch found, and what it cost.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolution {
    /// One verdict per check, in order (a missing check is false).
    pub verdicts: Vec<bool>,
    /// Final exponentiations run (the batch's, the chunk-level values', the lone
    /// checks').
    pub checks: usize,
    /// Checks resolved alone (lone checks, and one-by-one verification when no
    /// random factors could be drawn).
    pub alone: usize,
}

/// `n` random factors from the operating system's generator; `None` if it fails
/// (callers then verify one by one, which needs no randomness).
pub fn random_scalars(n: usize) -> Option<Vec<[u8; SCALAR_BYTES]>> {
    let mut bytes = vec![0u8; n.checked_mul(SCALAR_BYTES)?];
    getrandom::fill(&mut bytes).ok()?;
    Some(
        bytes
            .chunks_exact(SCALAR_BYTES)
            .map(|c| {
                let mut s = [0u8; SCALAR_BYTES];
                s.copy_from_slice(c);
                s
            })
            .collect(),
    )
}

/// Verifies `(aggregate key, message, signature)` triples, batched on rayon's
/// threads; the verdicts equal those of [`AggregatePublicKey::verify`] one by one.
pub fn verify_batch(items: &[(AggregatePublicKey, &[u8], Signature)]) -> Vec<bool> {
    let checks: Vec<Option<Check<'_>>> =
        items.iter().map(|(key, message, signature)| Some(Check { key, message, signature })).collect();
    resolve(&checks).verdicts
}

/// The verdict for each check, in order: true exactly when its signature
/// verifies (a missing check is false). Random factors come from the operating
/// system; without them every check is verified alone. The work runs on rayon's
/// current pool; the verdicts do not depend on its threads.
pub fn resolve(checks: &[Option<Check<'_>>]) -> Resolution {
    match random_scalars(checks.len()) {
        Some(scalars) => resolve_with_scalars(checks, &scalars),
        None => one_by_one(checks),
    }
}

/// [`resolve`] with the caller's factors (one per check, little-endian; made
/// odd here). A check without a factor is verified alone. Factors must be
/// secret and random for the batch to be sound: this entry point is for
/// reproducing a resolution.
pub fn resolve_with_scalars(checks: &[Option<Check<'_>>], scalars: &[[u8; SCALAR_BYTES]]) -> Resolution {
    let mut resolution = Resolution { verdicts: vec![false; checks.len()], checks: 0, alone: 0 };
    let Some(minus_g1) = negated_generator() else { return one_by_one(checks) };
    let mut terms = Vec::with_capacity(checks.len());
    let mut unscaled = Vec::new();
    for (index, check) in checks.iter().enumerate() {
        let Some(check) = check else { continue };
        let key = *check.key.affine();
        let signature = *check.signature.affine();
        // Infinity never verifies against a finite key, and nothing against an
        // infinite one: both fail one by one, and stay out of the sums.
        if key == blst_p1_affine::default() || signature == blst_p2_affine::default() {
            continue;
        }
        match scalars.get(index) {
            Some(scalar) => {
                let mut scalar = *scalar;
                if let Some(low) = scalar.first_mut() {
                    *low |= 1;
                }
                terms.push(Term { index, key, message: check.message, signature, scalar });
            }
            None => unscaled.push((index, *check)),
        }
    }
    for (index, check) in unscaled {
        resolution.set(index, check.verify());
        resolution.count(1, 1);
    }
    if terms.is_empty() {
        return resolution;
    }
    let batch = Batch { terms: &terms, minus_g1 };
    batch.resolve(&mut resolution);
    resolution
}

/// Every check verified alone, on rayon's threads.
fn one_by_one(checks: &[Option<Check<'_>>]) -> Resolution {
    let verdicts: Vec<bool> = checks.par_iter().map(|c| c.as_ref().is_some_and(Check::verify)).collect();
    let present = checks.iter().filter(|c| c.is_some()).count();
    Resolution { verdicts, checks: present, alone: present }
}

impl Resolution {
    fn set(&mut self, index: usize, verdict: bool) {
        if let Some(v) = self.verdicts.get_mut(index) {
            *v = verdict;
        }
    }

    fn count(&mut self, checks: usize, alone: usize) {
        self.checks = self.checks.saturating_add(checks);
        self.alone = self.alone.saturating_add(alone);
    }
}

/// A check in the batch: finite points and its (odd) factor.
struct Term<'a> {
    index: usize,
    key: blst_p1_affine,
    message: &'a [u8],
    signature: blst_p2_affine,
    scalar: [u8; SCALAR_BYTES],
}

/// A chunk's key side: the hashes, the scaled keys, and their fused Miller loop.
struct Chunk<'t, 'a> {
    terms: &'t [Term<'a>],
    hashes: Vec<blst_p2_affine>,
    scaled_keys: Vec<blst_p1_affine>,
    /// `Π f(rᵢ·pkᵢ, H(mᵢ))`, before the final exponentiation.
    key_side: blst_fp12,
    /// Each term's `f(rᵢ·pkᵢ, H(mᵢ))`, when the loops were not fused.
    per_term: Option<Vec<blst_fp12>>,
}

/// The batch being resolved.
struct Batch<'t, 'a> {
    terms: &'t [Term<'a>],
    minus_g1: &'static blst_p1_affine,
}

impl<'t, 'a> Batch<'t, 'a> {
    fn resolve(&self, resolution: &mut Resolution) {
        // Each term's hash and scaled key (small tasks, so both threads stay
        // busy), then the chunks' fused Miller loops beside the signature side
        // (its multi-scalar multiplication in two halves, and its Miller loop).
        let threads = rayon::current_num_threads();
        let fuse = threads >= FUSE_FROM_THREADS;
        let points: Vec<(blst_p2, blst_p1)> = self.terms.par_iter().map(term_points).collect();
        let (chunks, mut root) = rayon::join(
            || {
                self.terms
                    .par_chunks(CHUNK)
                    .zip(points.par_chunks(CHUNK))
                    .filter_map(|(terms, points)| prepare(terms, points, fuse))
                    .collect::<Vec<Chunk<'t, 'a>>>()
            },
            || {
                // Two halves cost more work than one sum: only worth it with a
                // second thread.
                if threads < 2 {
                    return self.signature_side(signature_sum(self.terms));
                }
                let (first, second) = self.terms.split_at(self.terms.len().div_ceil(2));
                let (a, b) = rayon::join(|| signature_sum(first), || signature_sum(second));
                let mut sum = min_pk::AggregateSignature::from(a);
                sum.add_aggregate(&min_pk::AggregateSignature::from(b));
                self.signature_side(blst_p2::from(sum))
            },
        );
        for chunk in &chunks {
            root = gt::mul(&root, &chunk.key_side);
        }
        let root = Gt::of(&root);
        resolution.count(1, 0);
        if root.is_one() {
            for term in self.terms {
                resolution.set(term.index, true);
            }
            return;
        }
        // The chunk-level values, then the failing chunks by derived bisection.
        // The last chunk's value is never needed: it only ever sits in a right
        // half, whose value is derived.
        let computed = chunks.len().saturating_sub(1);
        let values: Vec<blst_fp12> = chunks
            .get(..computed)
            .unwrap_or_default()
            .par_iter()
            .map(|c| gt::mul(&c.key_side, &self.signature_side(signature_sum(c.terms))))
            .collect();
        let indices: Vec<usize> = (0..chunks.len()).collect();
        let settled = if chunks.len() > 1 { bisect(&values, &indices, root) } else { single(root) };
        resolution.count(settled.computed, 0);
        for chunk in settled.valid.iter().filter_map(|c| chunks.get(*c)) {
            for term in chunk.terms {
                resolution.set(term.index, true);
            }
        }
        let failing: Vec<(&Chunk<'t, 'a>, Gt)> = settled
            .failing
            .iter()
            .filter_map(|(c, value)| chunks.get(*c).map(|chunk| (chunk, *value)))
            .collect();
        self.settle_chunks(&failing, resolution);
    }

    /// `f(−g₁, Σ)`, or 1 for a sum at infinity (`e(−g₁, O) = 1`).
    fn signature_side(&self, sum: blst_p2) -> blst_fp12 {
        finite(sum).map_or_else(blst_fp12::default, |sum| blst_fp12::miller_loop(&sum, self.minus_g1))
    }

    /// In each failing chunk, every term but the last checked alone (all on
    /// rayon's threads); the last one's value is the chunk's divided by theirs.
    fn settle_chunks(&self, failing: &[(&Chunk<'t, 'a>, Gt)], resolution: &mut Resolution) {
        let jobs: Vec<(&Chunk<'t, 'a>, usize)> = failing
            .iter()
            .flat_map(|(chunk, _)| (0..chunk.terms.len().saturating_sub(1)).map(move |i| (*chunk, i)))
            .collect();
        let values: Vec<Option<Gt>> = self.alone(&jobs);
        resolution.count(jobs.len(), jobs.len());
        let mut values = values.into_iter();
        for (chunk, value) in failing {
            let Some((last, others)) = chunk.terms.split_last() else { continue };
            let mut rest = Some(*value);
            for term in others {
                match values.next().flatten() {
                    Some(alone) => {
                        resolution.set(term.index, alone.is_one());
                        rest = rest.map(|r| r.divided_by(&alone));
                    }
                    None => rest = None,
                }
            }
            // Derived from the chunk's value; checked alone should a value be missing.
            let rest = match rest {
                Some(rest) => Some(rest),
                None => {
                    resolution.count(1, 1);
                    self.alone(&[(chunk, others.len())]).into_iter().next().flatten()
                }
            };
            resolution.set(last.index, rest.is_some_and(|r| r.is_one()));
        }
    }

    /// `Eᵢ` of each `(chunk, i)` term on its own, on rayon's threads: one fused
    /// two-pair Miller loop `f(rᵢ·pkᵢ, H(mᵢ)) · f(−rᵢ·g₁, σᵢ)` and one final
    /// exponentiation each (`−rᵢ·g₁` from [`GeneratorTable`], the points made
    /// affine together).
    fn alone(&self, jobs: &[(&Chunk<'t, 'a>, usize)]) -> Vec<Option<Gt>> {
        let table = GeneratorTable::get();
        let scaled: Vec<blst_p1> = jobs
            .par_iter()
            .map(|(chunk, i)| {
                let scalar = chunk.terms.get(*i).map(|t| t.scalar).unwrap_or_default();
                match table {
                    Some(table) => table.multiply(&scalar),
                    None => [*self.minus_g1].mult(&scalar, SCALAR_BITS),
                }
            })
            .collect();
        let generators =
            if scaled.is_empty() { Vec::new() } else { p1_affines::from(&scaled).as_slice().to_vec() };
        jobs.par_iter()
            .zip(generators.par_iter())
            .map(|((chunk, i), minus_r_g1)| {
                let term = chunk.terms.get(*i)?;
                let hash = *chunk.hashes.get(*i)?;
                let key = *chunk.scaled_keys.get(*i)?;
                let miller = match chunk.per_term.as_ref().and_then(|p| p.get(*i)) {
                    // The key side kept from the batch: only the signature side is new.
                    Some(key_side) => gt::mul(key_side, &blst_fp12::miller_loop(&term.signature, minus_r_g1)),
                    None => blst_fp12::miller_loop_n(&[hash, term.signature], &[key, *minus_r_g1]),
                };
                Some(Gt::of(&miller))
            })
            .collect()
    }
}

/// `k · 2^(8w) · (−g₁)` for every byte position `w < 8` and byte value
/// `1 ≤ k ≤ 255`, built once: `−r·g₁` for a 64-bit `r` is then at most eight
/// additions instead of a scalar multiplication.
struct GeneratorTable {
    entries: Vec<min_pk::PublicKey>,
}

impl GeneratorTable {
    const PER_BYTE: usize = 255;

    fn get() -> Option<&'static GeneratorTable> {
        static TABLE: OnceLock<Option<GeneratorTable>> = OnceLock::new();
        TABLE.get_or_init(Self::build).as_ref()
    }

    fn build() -> Option<GeneratorTable> {
        let minus_g1 = min_pk::PublicKey::from(*negated_generator().as_ref()?);
        let mut points: Vec<blst_p1> = Vec::with_capacity(SCALAR_BYTES.checked_mul(Self::PER_BYTE)?);
        let mut base = minus_g1;
        for _ in 0..SCALAR_BYTES {
            let mut multiple = min_pk::AggregatePublicKey::from_public_key(&base);
            points.push(blst_p1::from(multiple));
            for _ in 1..Self::PER_BYTE {
                // `pk_validate = false` cannot fail.
                let _ = multiple.add_public_key(&base, false);
                points.push(blst_p1::from(multiple));
            }
            // 256 · base, the next position's base.
            let _ = multiple.add_public_key(&base, false);
            base = multiple.to_public_key();
        }
        let entries =
            p1_affines::from(&points).as_slice().iter().map(|p| min_pk::PublicKey::from(*p)).collect();
        Some(GeneratorTable { entries })
    }

    /// `scalar · (−g₁)`, `scalar` little-endian.
    fn multiply(&self, scalar: &[u8; SCALAR_BYTES]) -> blst_p1 {
        let mut sum: Option<min_pk::AggregatePublicKey> = None;
        for (w, byte) in scalar.iter().enumerate() {
            let Some(k) = usize::from(*byte).checked_sub(1) else { continue };
            let Some(entry) = w
                .checked_mul(Self::PER_BYTE)
                .and_then(|i| i.checked_add(k))
                .and_then(|i| self.entries.get(i))
            else {
                continue;
            };
            match &mut sum {
                Some(sum) => {
                    let _ = sum.add_public_key(entry, false);
                }
                None => sum = Some(min_pk::AggregatePublicKey::from_public_key(entry)),
            }
        }
        sum.map_or_else(blst_p1::default, blst_p1::from)
    }
}

/// A term's `H(mᵢ)` and `rᵢ·pkᵢ`, projective.
fn term_points(term: &Term<'_>) -> (blst_p2, blst_p1) {
    (hash_projective(term.message), [term.key].mult(&term.scalar, SCALAR_BITS))
}

/// A chunk's key side from its terms' hashes and scaled keys (made affine
/// together): one fused Miller loop, or one per term kept for the lone checks
/// (`fuse` false); `None` for an empty chunk.
fn prepare<'t, 'a>(
    terms: &'t [Term<'a>],
    points: &[(blst_p2, blst_p1)],
    fuse: bool,
) -> Option<Chunk<'t, 'a>> {
    if terms.is_empty() || points.len() != terms.len() {
        return None;
    }
    let hashes: Vec<blst_p2> = points.iter().map(|(h, _)| *h).collect();
    let keys: Vec<blst_p1> = points.iter().map(|(_, k)| *k).collect();
    let hashes = p2_affines::from(&hashes).as_slice().to_vec();
    let scaled_keys = p1_affines::from(&keys).as_slice().to_vec();
    let (key_side, per_term) = if fuse {
        (blst_fp12::miller_loop_n(&hashes, &scaled_keys), None)
    } else {
        let each: Vec<blst_fp12> =
            hashes.iter().zip(&scaled_keys).map(|(h, k)| blst_fp12::miller_loop(h, k)).collect();
        let product = each.iter().fold(blst_fp12::default(), |acc, f| gt::mul(&acc, f));
        (product, Some(each))
    };
    Some(Chunk { terms, hashes, scaled_keys, key_side, per_term })
}

/// `Σ rᵢσᵢ` by one multi-scalar multiplication (infinity for no terms).
fn signature_sum(terms: &[Term<'_>]) -> blst_p2 {
    if terms.is_empty() {
        return blst_p2::default();
    }
    let points: Vec<blst_p2_affine> = terms.iter().map(|t| t.signature).collect();
    let scalars: Vec<u8> = terms.iter().flat_map(|t| t.scalar).collect();
    points.as_slice().mult(&scalars, SCALAR_BITS)
}

/// What the chunk-level bisection settled.
struct Settled {
    /// Chunks whose every term holds.
    valid: Vec<usize>,
    /// Chunks that fail, with their values.
    failing: Vec<(usize, Gt)>,
    /// Final exponentiations computed.
    computed: usize,
}

fn single(root: Gt) -> Settled {
    Settled { valid: Vec::new(), failing: vec![(0, root)], computed: 0 }
}

/// Settles the chunks `range`, whose product's value is `value` (not 1): the
/// left half's value is computed, the right half's derived; both halves recurse
/// on rayon's threads.
fn bisect(values: &[blst_fp12], range: &[usize], value: Gt) -> Settled {
    if range.len() <= 1 {
        return Settled {
            valid: Vec::new(),
            failing: range.iter().map(|c| (*c, value)).collect(),
            computed: 0,
        };
    }
    let (left, right) = range.split_at(range.len() / 2);
    let mut product = blst_fp12::default();
    for v in left.iter().filter_map(|c| values.get(*c)) {
        product = gt::mul(&product, v);
    }
    let left_value = Gt::of(&product);
    let right_value = value.divided_by(&left_value);
    let half = |range: &[usize], value: Gt| {
        if value.is_one() {
            Settled { valid: range.to_vec(), failing: Vec::new(), computed: 0 }
        } else {
            bisect(values, range, value)
        }
    };
    let (mut l, r) = rayon::join(|| half(left, left_value), || half(right, right_value));
    l.valid.extend(r.valid);
    l.failing.extend(r.failing);
    l.computed = l.computed.saturating_add(r.computed).saturating_add(1);
    l
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

    fn resolution(items: &[(AggregatePublicKey, Vec<u8>, Signature)]) -> Resolution {
        let checks: Vec<Option<Check<'_>>> =
            items.iter().map(|(key, m, signature)| Some(Check { key, message: m, signature })).collect();
        resolve(&checks)
    }

    fn expected(items: &[(AggregatePublicKey, Vec<u8>, Signature)]) -> Vec<bool> {
        items.iter().map(|(pk, m, s)| pk.verify(m, s)).collect()
    }

    #[test]
    fn the_generator_table_multiplies_like_blst() {
        let table = GeneratorTable::get().unwrap();
        let minus_g1 = negated_generator().unwrap();
        for scalar in [
            [0u8; 8],
            [1, 0, 0, 0, 0, 0, 0, 0],
            [0xff; 8],
            [0, 0, 0, 0, 0, 0, 0, 0x80],
            [7, 0, 0x31, 0, 0, 0xfe, 0, 2],
        ] {
            let expected = [minus_g1].mult(&scalar, SCALAR_BITS);
            assert!(table.multiply(&scalar) == expected, "{scalar:?}");
        }
        for scalar in random_scalars(16).unwrap() {
            assert!(table.multiply(&scalar) == [minus_g1].mult(&scalar, SCALAR_BITS));
        }
    }

    #[test]
    fn verdicts_match_one_by_one() {
        for bad in [vec![], vec![0], vec![6], vec![2, 3], vec![0, 1, 2, 3, 4, 5, 6]] {
            let items = items(7, &bad);
            assert_eq!(resolution(&items).verdicts, expected(&items), "bad = {bad:?}");
            assert_eq!(expected(&items).iter().filter(|v| !**v).count(), bad.len());
        }
        assert!(resolution(&[]).verdicts.is_empty());
        // Over several chunks: the last term of a chunk, a whole chunk, every term.
        for bad in [vec![7], vec![8], vec![19], (8..16).collect(), (0..20).collect(), vec![0, 9, 18]] {
            let items = items(20, &bad);
            assert_eq!(resolution(&items).verdicts, expected(&items), "bad = {bad:?}");
        }
    }

    #[test]
    fn costs_one_final_exponentiation_when_all_hold_and_about_one_per_term_at_worst() {
        assert_eq!(resolution(&items(20, &[])).checks, 1);
        // One bad among 32 (four chunks): the root, two chunk-level values (the
        // left half, then a quarter), and seven lone checks in the failing chunk.
        let one_bad = resolution(&items(32, &[13]));
        assert_eq!((one_bad.checks, one_bad.alone), (1 + 2 + 7, 7));
        // Every term bad: the root, three chunk-level values, 4 × 7 lone checks;
        // fewer final exponentiations than terms.
        let all = resolution(&items(32, &(0..32).collect::<Vec<u8>>()));
        assert!(all.verdicts.iter().all(|v| !v));
        assert_eq!((all.checks, all.alone), (1 + 3 + 28, 28));
    }

    #[test]
    fn swapped_signatures_fail_though_their_sum_is_right() {
        // σ₀ and σ₁ exchanged: the unscaled sum would pass, the scaled batch must not.
        for (a, b) in [(0usize, 1usize), (3, 12)] {
            let mut items = items(16, &[]);
            let sa = items[a].2;
            items[a].2 = items[b].2;
            items[b].2 = sa;
            let verdicts = resolution(&items).verdicts;
            assert_eq!(verdicts, (0..16).map(|i| i != a && i != b).collect::<Vec<_>>());
        }
    }

    #[test]
    fn infinite_keys_and_signatures_fail_alone() {
        let sk = key(9);
        let pk = sk.public_key();
        let mut neg = pk.to_compressed();
        neg[0] ^= 0x20;
        let neg = crate::bls::PublicKey::from_compressed(&neg).unwrap();
        let inf = aggregate_public_keys(&[pk, neg]).unwrap();
        let sig = sk.sign(b"m");
        let mut all = items(2, &[]);
        all.push((inf, b"m".to_vec(), sig));
        let mut infinity = [0u8; 96];
        infinity[0] = 0xc0;
        let inf_sig = Signature::from_bytes(&infinity).unwrap();
        all.push((aggregate_public_keys(&[pk]).unwrap(), b"m".to_vec(), inf_sig));
        assert_eq!(resolution(&all).verdicts, vec![true, true, false, false]);
        assert_eq!(expected(&all), vec![true, true, false, false]);
    }

    #[test]
    fn missing_checks_and_factors() {
        let items = items(10, &[4]);
        let mut checks: Vec<Option<Check<'_>>> =
            items.iter().map(|(key, m, signature)| Some(Check { key, message: m, signature })).collect();
        checks[2] = None;
        // Factors for the first six only: the rest are checked alone.
        let scalars = random_scalars(6).unwrap();
        let resolution = resolve_with_scalars(&checks, &scalars);
        let mut want = expected(&items);
        want[2] = false;
        assert_eq!(resolution.verdicts, want);
        assert_eq!(resolution.alone, 4 + 4, "four without factors, four lone checks in the failing chunk");
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(24))]

        /// Batched = one by one, whatever is wrong where: a signature over
        /// another message, two signatures swapped (their sum is right), a
        /// signature moved to another check.
        #[test]
        fn batched_equals_one_by_one(
            n in 1u8..26,
            bad in proptest::collection::vec(0u8..26, 0..6),
            swaps in proptest::collection::vec((0u8..26, 0u8..26), 0..3),
        ) {
            let mut items = items(n, &bad);
            for (a, b) in swaps {
                let (a, b) = (usize::from(a % n), usize::from(b % n));
                let sa = items[a].2;
                items[a].2 = items[b].2;
                items[b].2 = sa;
            }
            let want = expected(&items);
            proptest::prop_assert_eq!(&resolution(&items).verdicts, &want);
            // On one thread the key-side loops are kept per term, not fused.
            let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
            proptest::prop_assert_eq!(&pool.install(|| resolution(&items)).verdicts, &want);
        }
    }

    #[test]
    fn the_same_verdicts_and_checks_on_one_thread() {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
        let items = items(24, &[1, 9, 10, 23]);
        assert_eq!(pool.install(|| resolution(&items)).verdicts, expected(&items));
        let all = items_all_bad(32);
        let alone = pool.install(|| resolution(&all));
        assert!(alone.verdicts.iter().all(|v| !v));
        assert_eq!((alone.checks, alone.alone), (1 + 3 + 28, 28));
    }

    fn items_all_bad(n: u8) -> Vec<(AggregatePublicKey, Vec<u8>, Signature)> {
        items(n, &(0..n).collect::<Vec<u8>>())
    }
}
