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
    let mut verdicts = vec![false; terms.len()];
    let present: Vec<(usize, &BatchTerm)> =
        terms.iter().enumerate().filter_map(|(i, t)| t.as_ref().map(|t| (i, t))).collect();
    bisect(&present, false, &mut verdicts);
    verdicts
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

/// Marks the valid terms of `terms` in `verdicts`; returns whether all are valid.
/// `known_bad` says the product is already known not to hold.
fn bisect(terms: &[(usize, &BatchTerm)], known_bad: bool, verdicts: &mut [bool]) -> bool {
    if terms.is_empty() {
        return true;
    }
    if !known_bad && holds(terms) {
        for (i, _) in terms {
            if let Some(v) = verdicts.get_mut(*i) {
                *v = true;
            }
        }
        return true;
    }
    if terms.len() == 1 {
        return false;
    }
    let (left, right) = terms.split_at(terms.len() / 2);
    let left_valid = bisect(left, false, verdicts);
    // If the whole fails and the left half holds, the right half cannot hold.
    bisect(right, left_valid, verdicts);
    false
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
