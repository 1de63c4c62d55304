//! BLS12-381 multi-signatures as Avalanche uses them (`utils/crypto/bls`): the
//! min-pk scheme of blst (public keys in G1, signatures in G2) with the
//! proof-of-possession ciphersuite.
//!
//! | item | value |
//! |---|---|
//! | signature DST | [`DST_SIGNATURE`] |
//! | proof-of-possession DST | [`DST_PROOF_OF_POSSESSION`], over the 48-byte compressed public key |
//! | secret key | 32-byte big-endian scalar, zero and values ≥ r refused |
//! | public key | 48 bytes compressed; parsing rejects infinity and points outside G1 |
//! | signature | 96 bytes compressed; parsing checks the G2 subgroup, infinity parses but never verifies |
//!
//! Every pairing runs on the calling thread through blst's [`blst::Pairing`] API
//! (and the workspace builds blst with `no-threads`), so a verifier embedded in
//! a parallel block executor never contends with a hidden thread pool.
//! A [`PublicKey`] holds its validated point and its 96-byte uncompressed
//! encoding, so keys of a cached validator set are never decompressed again.

use core::fmt;

use blst::min_pk;
use blst::{MultiPoint, BLST_ERROR};
use thiserror::Error;

/// Domain separation tag for message signatures.
pub const DST_SIGNATURE: &[u8] = b"BLS_SIG_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
/// Domain separation tag for proofs of possession.
pub const DST_PROOF_OF_POSSESSION: &[u8] = b"BLS_POP_BLS12381G2_XMD:SHA-256_SSWU_RO_POP_";
/// Length of a secret key.
pub const SECRET_KEY_LEN: usize = 32;
/// Length of a compressed public key.
pub const PUBLIC_KEY_LEN: usize = 48;
/// Length of an uncompressed public key (the canonical sort key).
pub const PUBLIC_KEY_UNCOMPRESSED_LEN: usize = 96;
/// Length of a compressed signature.
pub const SIGNATURE_LEN: usize = 96;
/// Length of an uncompressed G2 point.
pub const G2_UNCOMPRESSED_LEN: usize = 192;

/// Why a BLS value could not be parsed or combined.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Error)]
pub enum BlsError {
    /// A byte string has the wrong length for its type.
    #[error("{what} must be {expected} bytes, got {actual}")]
    Length {
        /// The kind of value.
        what: &'static str,
        /// Required length.
        expected: usize,
        /// Length given.
        actual: usize,
    },
    /// The secret key is zero or not below the group order.
    #[error("secret key is zero or not below the group order")]
    InvalidSecretKey,
    /// The public key bytes are not a valid compressed G1 point.
    #[error("public key is not a valid compressed G1 point ({0})")]
    PublicKeyEncoding(&'static str),
    /// The public key is the point at infinity.
    #[error("public key is the point at infinity")]
    PublicKeyInfinity,
    /// The public key is not in the G1 subgroup.
    #[error("public key is not in the G1 subgroup")]
    PublicKeyNotInGroup,
    /// The signature bytes are not a valid compressed G2 point.
    #[error("signature is not a valid compressed G2 point ({0})")]
    SignatureEncoding(&'static str),
    /// The signature is not in the G2 subgroup.
    #[error("signature is not in the G2 subgroup")]
    SignatureNotInGroup,
    /// Aggregation of zero public keys (`ErrNoPublicKeys`).
    #[error("no public keys to aggregate")]
    NoPublicKeys,
    /// Aggregation of zero signatures (`ErrNoSignatures`).
    #[error("no signatures to aggregate")]
    NoSignatures,
}

pub(crate) fn blst_reason(err: BLST_ERROR) -> &'static str {
    match err {
        BLST_ERROR::BLST_SUCCESS => "success",
        BLST_ERROR::BLST_BAD_ENCODING => "bad encoding",
        BLST_ERROR::BLST_POINT_NOT_ON_CURVE => "point not on curve",
        BLST_ERROR::BLST_POINT_NOT_IN_GROUP => "point not in group",
        BLST_ERROR::BLST_AGGR_TYPE_MISMATCH => "aggregate type mismatch",
        BLST_ERROR::BLST_VERIFY_FAIL => "verification failed",
        BLST_ERROR::BLST_PK_IS_INFINITY => "point at infinity",
        BLST_ERROR::BLST_BAD_SCALAR => "bad scalar",
    }
}

fn check_len(what: &'static str, bytes: &[u8], expected: usize) -> Result<(), BlsError> {
    if bytes.len() == expected {
        Ok(())
    } else {
        Err(BlsError::Length { what, expected, actual: bytes.len() })
    }
}

/// A validator's secret key. Its `Debug` form never shows the key.
#[derive(Clone)]
pub struct SecretKey(min_pk::SecretKey);

impl SecretKey {
    /// Parses a 32-byte big-endian scalar, refusing zero and values ≥ r.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, BlsError> {
        check_len("secret key", bytes, SECRET_KEY_LEN)?;
        min_pk::SecretKey::from_bytes(bytes).map(Self).map_err(|_| BlsError::InvalidSecretKey)
    }

    /// Derives a key from at least 32 bytes of input keying material (IETF `KeyGen`,
    /// as avalanchego's `localsigner.New` does with 32 random bytes).
    pub fn from_seed(ikm: &[u8]) -> Result<Self, BlsError> {
        min_pk::SecretKey::key_gen(ikm, &[]).map(Self).map_err(|_| BlsError::Length {
            what: "key seed",
            expected: SECRET_KEY_LEN,
            actual: ikm.len(),
        })
    }

    /// A fresh key from the operating system's random generator: 32 random bytes of
    /// keying material through [`SecretKey::from_seed`], as avalanchego's
    /// `localsigner.New` does. `None` when the operating system offers no randomness.
    pub fn random() -> Option<Self> {
        let mut ikm = [0u8; SECRET_KEY_LEN];
        getrandom::fill(&mut ikm).ok()?;
        let key = Self::from_seed(&ikm).ok();
        ikm.fill(0);
        key
    }

    /// The 32-byte big-endian scalar.
    pub fn to_bytes(&self) -> [u8; SECRET_KEY_LEN] {
        self.0.to_bytes()
    }

    /// The public key.
    pub fn public_key(&self) -> PublicKey {
        PublicKey::from_point(self.0.sk_to_pk())
    }

    /// Signs `msg` with the signature DST.
    pub fn sign(&self, msg: &[u8]) -> Signature {
        Signature(self.0.sign(msg, DST_SIGNATURE, &[]))
    }

    /// The proof of possession: the compressed public key signed with the PoP DST.
    pub fn proof_of_possession(&self) -> Signature {
        Signature(self.0.sign(&self.public_key().to_compressed(), DST_PROOF_OF_POSSESSION, &[]))
    }
}

/// A message hashed to G2 with the signature DST (`H(msg)`): many keys can
/// sign it ([`SecretKey::sign_hashed_vartime`]) while the hash, about 40% of a
/// signature's cost, is paid once, as validators sharing one process (a
/// devnet's) can.
#[derive(Clone, Copy)]
pub struct HashedMessage(min_pk::Signature);

impl HashedMessage {
    /// Hashes `msg` with the signature DST.
    pub fn new(msg: &[u8]) -> Self {
        Self(hash_point(msg, DST_SIGNATURE))
    }

    pub(crate) fn affine(&self) -> &blst::blst_p2_affine {
        (&self.0).into()
    }
}

impl fmt::Debug for HashedMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("HashedMessage(..)")
    }
}

/// `H(msg)` as a point, by blst's `hash_to_g2` (half the cost of signing with the
/// scalar 1, which gives the same point: a test checks it).
fn hash_point(msg: &[u8], dst: &[u8]) -> min_pk::Signature {
    min_pk::AggregateSignature::from(hash_with_dst(msg, dst)).to_signature()
}

/// `H(msg)` in projective form, by blst's `hash_to_g2`, with the signature DST.
pub(crate) fn hash_projective(msg: &[u8]) -> blst::blst_p2 {
    hash_with_dst(msg, DST_SIGNATURE)
}

/// `H(msg)` in projective form, by blst's `hash_to_g2`.
#[allow(unsafe_code)]
fn hash_with_dst(msg: &[u8], dst: &[u8]) -> blst::blst_p2 {
    let mut point = blst::blst_p2::default();
    // SAFETY: `point` is a live, writable `blst_p2`; `msg` and `dst` are valid
    // for the lengths passed; the augmentation is empty (null pointer, length
    // 0), which blst accepts.
    unsafe {
        blst::blst_hash_to_g2(
            &mut point,
            msg.as_ptr(),
            msg.len(),
            dst.as_ptr(),
            dst.len(),
            core::ptr::null(),
            0,
        );
    }
    point
}

/// `H(msg)` as a point: signing with the scalar 1 returns exactly it.
fn hash_with_scalar_one(msg: &[u8], dst: &[u8]) -> min_pk::Signature {
    let mut one = [0u8; SECRET_KEY_LEN];
    one[SECRET_KEY_LEN - 1] = 1;
    match min_pk::SecretKey::from_bytes(&one) {
        Ok(sk) => sk.sign(msg, dst, &[]),
        // The scalar 1 is a valid key.
        Err(_) => min_pk::Signature::from(blst::blst_p2_affine::default()),
    }
}

impl SecretKey {
    /// The signature [`SecretKey::sign`] gives the message `hashed` came from,
    /// `sk · H(msg)`, from its hash. **Variable time** (a multi-scalar
    /// multiplication): only for keys whose secrecy does not matter, such as
    /// a devnet's or a test's validators.
    pub fn sign_hashed_vartime(&self, hashed: &HashedMessage) -> Signature {
        // blst takes scalars little-endian; a key is below r, so 255 bits.
        let mut scalar = self.0.to_bytes();
        scalar.reverse();
        let product = [hashed.0].mult(&scalar, 255);
        scalar.fill(0);
        Signature(product.to_signature())
    }
}

impl fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretKey(..)")
    }
}

/// A validated public key: a G1 point that is not infinity and lies in the subgroup.
///
/// Equality, hashing and ordering use the 96-byte uncompressed encoding, the
/// canonical validator order.
#[derive(Clone, Copy)]
pub struct PublicKey {
    point: min_pk::PublicKey,
    uncompressed: [u8; PUBLIC_KEY_UNCOMPRESSED_LEN],
}

impl PublicKey {
    fn from_point(point: min_pk::PublicKey) -> Self {
        Self { point, uncompressed: point.serialize() }
    }

    /// Parses a 48-byte compressed key (`PublicKeyFromCompressedBytes`): a canonical
    /// encoding of a curve point, not infinity, in the G1 subgroup.
    pub fn from_compressed(bytes: &[u8]) -> Result<Self, BlsError> {
        check_len("public key", bytes, PUBLIC_KEY_LEN)?;
        let point =
            min_pk::PublicKey::uncompress(bytes).map_err(|e| BlsError::PublicKeyEncoding(blst_reason(e)))?;
        point.validate().map_err(|e| match e {
            BLST_ERROR::BLST_PK_IS_INFINITY => BlsError::PublicKeyInfinity,
            _ => BlsError::PublicKeyNotInGroup,
        })?;
        Ok(Self::from_point(point))
    }

    /// Rebuilds a key from 96 uncompressed bytes that were validated before
    /// (avalanchego's `PublicKeyFromValidUncompressedBytes`): the point is checked to
    /// be on the curve and not to be infinity (a cheap check that keeps the type's
    /// promise), but not for subgroup membership, the costly part. Only for keys
    /// from a trusted store, such as a P-Chain registry that checked them on entry.
    pub fn from_trusted_uncompressed(bytes: &[u8]) -> Result<Self, BlsError> {
        check_len("uncompressed public key", bytes, PUBLIC_KEY_UNCOMPRESSED_LEN)?;
        let point =
            min_pk::PublicKey::deserialize(bytes).map_err(|e| BlsError::PublicKeyEncoding(blst_reason(e)))?;
        let key = Self::from_point(point);
        // The serialized point at infinity carries the 0x40 flag; no finite point does.
        if key.uncompressed.first().is_some_and(|b| b & 0x40 != 0) {
            return Err(BlsError::PublicKeyInfinity);
        }
        Ok(key)
    }

    /// The 48-byte compressed encoding.
    pub fn to_compressed(&self) -> [u8; PUBLIC_KEY_LEN] {
        self.point.compress()
    }

    /// The 96-byte uncompressed encoding (the canonical sort key).
    pub fn uncompressed(&self) -> &[u8; PUBLIC_KEY_UNCOMPRESSED_LEN] {
        &self.uncompressed
    }

    /// Verifies a signature over `msg` with the signature DST.
    pub fn verify(&self, msg: &[u8], signature: &Signature) -> bool {
        verify_point(&self.point, msg, signature, DST_SIGNATURE)
    }

    /// Verifies a proof of possession of this key.
    pub fn verify_proof_of_possession(&self, proof: &Signature) -> bool {
        verify_point(&self.point, &self.to_compressed(), proof, DST_PROOF_OF_POSSESSION)
    }

    pub(crate) fn point(&self) -> &min_pk::PublicKey {
        &self.point
    }
}

impl PartialEq for PublicKey {
    fn eq(&self, other: &Self) -> bool {
        self.uncompressed == other.uncompressed
    }
}
impl Eq for PublicKey {}
impl PartialOrd for PublicKey {
    fn partial_cmp(&self, other: &Self) -> Option<core::cmp::Ordering> {
        Some(self.cmp(other))
    }
}
impl Ord for PublicKey {
    fn cmp(&self, other: &Self) -> core::cmp::Ordering {
        self.uncompressed.cmp(&other.uncompressed)
    }
}
impl core::hash::Hash for PublicKey {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.uncompressed.hash(state);
    }
}
impl fmt::Debug for PublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PublicKey(0x{})", hex::encode(self.to_compressed()))
    }
}

/// A signature in G2 that passed the subgroup check (it may be infinity, which
/// parses but never verifies).
#[derive(Clone, Copy)]
pub struct Signature(min_pk::Signature);

impl Signature {
    /// Parses a 96-byte compressed signature (`SignatureFromBytes`): a canonical encoding
    /// of a curve point in the G2 subgroup; the point at infinity is accepted.
    pub fn from_bytes(bytes: &[u8]) -> Result<Self, BlsError> {
        check_len("signature", bytes, SIGNATURE_LEN)?;
        let sig =
            min_pk::Signature::uncompress(bytes).map_err(|e| BlsError::SignatureEncoding(blst_reason(e)))?;
        sig.validate(false).map_err(|_| BlsError::SignatureNotInGroup)?;
        Ok(Self(sig))
    }

    /// The 96-byte compressed encoding.
    pub fn to_bytes(&self) -> [u8; SIGNATURE_LEN] {
        self.0.compress()
    }

    pub(crate) fn affine(&self) -> &blst::blst_p2_affine {
        (&self.0).into()
    }

    /// A point already known to be in G2.
    pub(crate) fn from_affine(point: blst::blst_p2_affine) -> Self {
        Self(min_pk::Signature::from(point))
    }
}

impl PartialEq for Signature {
    fn eq(&self, other: &Self) -> bool {
        self.0 == other.0
    }
}
impl Eq for Signature {}
impl fmt::Debug for Signature {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Signature(0x{})", hex::encode(self.to_bytes()))
    }
}

/// One pairing check on the calling thread: `e(pk, H(msg)) == e(g1, sig)`.
/// An infinite public key never verifies; an infinite signature never verifies
/// against a finite key.
fn verify_point(pk: &min_pk::PublicKey, msg: &[u8], sig: &Signature, dst: &[u8]) -> bool {
    let mut pairing = blst::Pairing::new(true, dst);
    let pk_affine: &blst::blst_p1_affine = pk.into();
    let sig_affine: &blst::blst_p2_affine = (&sig.0).into();
    if pairing.aggregate(pk_affine, false, sig_affine, false, msg, &[]) != BLST_ERROR::BLST_SUCCESS {
        return false;
    }
    pairing.commit();
    pairing.finalverify(None)
}

/// An aggregate public key: the sum of some validated keys. It may be the point at
/// infinity (for example `pk + (−pk)`), in which case nothing verifies against it.
#[derive(Clone, Copy)]
pub struct AggregatePublicKey(min_pk::PublicKey);

impl AggregatePublicKey {
    /// Verifies an aggregate signature over `msg` with the signature DST.
    pub fn verify(&self, msg: &[u8], signature: &Signature) -> bool {
        verify_point(&self.0, msg, signature, DST_SIGNATURE)
    }

    /// The 48-byte compressed encoding (`0xc0…` for infinity).
    pub fn to_compressed(&self) -> [u8; PUBLIC_KEY_LEN] {
        self.0.compress()
    }

    pub(crate) fn affine(&self) -> &blst::blst_p1_affine {
        (&self.0).into()
    }
}

impl fmt::Debug for AggregatePublicKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AggregatePublicKey(0x{})", hex::encode(self.to_compressed()))
    }
}

/// Below this many points, adding one by one beats blst's batch-affine addition.
const BATCH_ADD_THRESHOLD: usize = 48;

/// Sums points: one by one for a few, batch-affine (`blst_p1s_add`) for many.
/// `None` for an empty input.
pub(crate) fn sum_points(points: &[min_pk::PublicKey]) -> Option<min_pk::AggregatePublicKey> {
    let (first, rest) = points.split_first()?;
    if points.len() < BATCH_ADD_THRESHOLD {
        let mut acc = min_pk::AggregatePublicKey::from_public_key(first);
        for pk in rest {
            // `pk_validate = false` cannot fail.
            let _ = acc.add_public_key(pk, false);
        }
        Some(acc)
    } else {
        Some(points.add())
    }
}

pub(crate) fn to_aggregate(sum: &min_pk::AggregatePublicKey) -> AggregatePublicKey {
    AggregatePublicKey(sum.to_public_key())
}

/// Sums public keys (`AggregatePublicKeys`); fails on an empty list.
pub fn aggregate_public_keys(keys: &[PublicKey]) -> Result<AggregatePublicKey, BlsError> {
    let points: Vec<min_pk::PublicKey> = keys.iter().map(|k| k.point).collect();
    sum_points(&points).map(|s| to_aggregate(&s)).ok_or(BlsError::NoPublicKeys)
}

/// Sums signatures (`AggregateSignatures`); fails on an empty list.
pub fn aggregate_signatures(signatures: &[Signature]) -> Result<Signature, BlsError> {
    let (first, rest) = signatures.split_first().ok_or(BlsError::NoSignatures)?;
    let mut acc = min_pk::AggregateSignature::from_signature(&first.0);
    for sig in rest {
        // `sig_groupcheck = false` cannot fail; every `Signature` was group-checked when parsed.
        let _ = acc.add_signature(&sig.0, false);
    }
    Ok(Signature(acc.to_signature()))
}

/// Verifies one aggregate signature over distinct messages, one per key
/// (the IETF `AggregateVerify`), on the calling thread. False for an empty list.
pub fn aggregate_verify(pairs: &[(PublicKey, &[u8])], signature: &Signature) -> bool {
    if pairs.is_empty() {
        return false;
    }
    let mut pairing = blst::Pairing::new(true, DST_SIGNATURE);
    let sig_affine: &blst::blst_p2_affine = (&signature.0).into();
    for (i, (pk, msg)) in pairs.iter().enumerate() {
        let pk_affine: &blst::blst_p1_affine = (&pk.point).into();
        let sig = if i == 0 { Some(sig_affine) } else { None };
        let result = match sig {
            Some(s) => pairing.aggregate(pk_affine, false, s, false, msg, &[]),
            None => pairing.aggregate(pk_affine, false, &(), false, msg, &[]),
        };
        if result != BLST_ERROR::BLST_SUCCESS {
            return false;
        }
    }
    pairing.commit();
    pairing.finalverify(None)
}

/// Hashes `msg` to G2 with `dst` (`hash_to_curve`, random-oracle variant) and returns
/// the 192-byte uncompressed point (`x.c1 ‖ x.c0 ‖ y.c1 ‖ y.c0`). For diagnostics
/// and test vectors; signing and verification hash internally.
pub fn hash_to_g2(msg: &[u8], dst: &[u8]) -> [u8; G2_UNCOMPRESSED_LEN] {
    hash_with_scalar_one(msg, dst).serialize()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(i: u8) -> SecretKey {
        SecretKey::from_seed(&[i; 32]).unwrap()
    }

    #[test]
    fn signing_a_shared_hash_gives_the_signature() {
        for (i, msg) in [&b""[..], b"warp", &[0xab; 300]].iter().enumerate() {
            let hashed = HashedMessage::new(msg);
            for k in 0..8u8 {
                let sk = key(k.wrapping_mul(31).wrapping_add(i as u8));
                assert_eq!(sk.sign_hashed_vartime(&hashed), sk.sign(msg));
            }
        }
        // A key near r (the largest scalars) too.
        let big = SecretKey::from_bytes(
            &hex::decode("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000000").unwrap(),
        )
        .unwrap();
        assert_eq!(big.sign_hashed_vartime(&HashedMessage::new(b"x")), big.sign(b"x"));
        for msg in [&b""[..], b"x", &[7u8; 300]] {
            assert_eq!(hash_point(msg, DST_SIGNATURE), hash_with_scalar_one(msg, DST_SIGNATURE));
            assert_eq!(
                hash_point(msg, DST_PROOF_OF_POSSESSION),
                hash_with_scalar_one(msg, DST_PROOF_OF_POSSESSION)
            );
        }
    }

    #[test]
    fn zero_and_oversized_secret_keys_are_refused() {
        assert_eq!(SecretKey::from_bytes(&[0; 32]).unwrap_err(), BlsError::InvalidSecretKey);
        assert_eq!(SecretKey::from_bytes(&[0xff; 32]).unwrap_err(), BlsError::InvalidSecretKey);
        assert_eq!(
            SecretKey::from_bytes(&[1; 31]).unwrap_err(),
            BlsError::Length { what: "secret key", expected: 32, actual: 31 }
        );
    }

    #[test]
    fn sign_verify_and_dst_separation() {
        let sk = key(1);
        let pk = sk.public_key();
        let sig = sk.sign(b"msg");
        assert!(pk.verify(b"msg", &sig));
        assert!(!pk.verify(b"other", &sig));
        assert!(!key(2).public_key().verify(b"msg", &sig));
        let pop = sk.proof_of_possession();
        assert!(pk.verify_proof_of_possession(&pop));
        // A PoP is not a signature over the compressed key, and vice versa.
        assert!(!pk.verify(&pk.to_compressed(), &pop));
        assert!(!pk.verify_proof_of_possession(&sk.sign(&pk.to_compressed())));
    }

    #[test]
    fn random_keys_are_fresh_and_usable() {
        let (a, b) = (SecretKey::random().unwrap(), SecretKey::random().unwrap());
        assert_ne!(a.to_bytes(), b.to_bytes());
        let pk = a.public_key();
        assert!(pk.verify(b"msg", &a.sign(b"msg")));
        assert!(pk.verify_proof_of_possession(&a.proof_of_possession()));
        assert_eq!(SecretKey::from_bytes(&a.to_bytes()).unwrap().public_key(), pk);
    }

    #[test]
    fn encodings_round_trip() {
        let sk = key(3);
        let pk = sk.public_key();
        assert_eq!(PublicKey::from_compressed(&pk.to_compressed()).unwrap(), pk);
        assert_eq!(PublicKey::from_trusted_uncompressed(pk.uncompressed()).unwrap(), pk);
        // The point at infinity is never a key, trusted store or not: its uncompressed
        // encoding (0x40, then zeros) and the all-zero bytes are both refused.
        let mut infinity = [0u8; PUBLIC_KEY_UNCOMPRESSED_LEN];
        infinity[0] = 0x40;
        assert_eq!(PublicKey::from_trusted_uncompressed(&infinity).unwrap_err(), BlsError::PublicKeyInfinity);
        assert!(PublicKey::from_trusted_uncompressed(&[0u8; PUBLIC_KEY_UNCOMPRESSED_LEN]).is_err());
        let sig = sk.sign(b"x");
        assert_eq!(Signature::from_bytes(&sig.to_bytes()).unwrap(), sig);
        assert_eq!(SecretKey::from_bytes(&sk.to_bytes()).unwrap().to_bytes(), sk.to_bytes());
    }

    #[test]
    fn aggregate_of_negated_key_is_infinity_and_never_verifies() {
        // pk + (-pk): build -pk by negating the compressed y-sign bit.
        let sk = key(4);
        let pk = sk.public_key();
        let mut neg = pk.to_compressed();
        neg[0] ^= 0x20;
        let neg = PublicKey::from_compressed(&neg).unwrap();
        let agg = aggregate_public_keys(&[pk, neg]).unwrap();
        let mut inf = [0u8; 48];
        inf[0] = 0xc0;
        assert_eq!(agg.to_compressed(), inf);
        let sig_inf = Signature::from_bytes(&{
            let mut s = [0u8; 96];
            s[0] = 0xc0;
            s
        })
        .unwrap();
        assert!(!agg.verify(b"m", &sig_inf));
        assert!(!agg.verify(b"m", &sk.sign(b"m")));
    }

    #[test]
    fn empty_aggregations_fail() {
        assert_eq!(aggregate_public_keys(&[]).unwrap_err(), BlsError::NoPublicKeys);
        assert_eq!(aggregate_signatures(&[]).unwrap_err(), BlsError::NoSignatures);
    }

    #[test]
    fn batch_and_sequential_sums_agree() {
        let keys: Vec<PublicKey> = (0..60).map(|i| key(i).public_key()).collect();
        let points: Vec<min_pk::PublicKey> = keys.iter().map(|k| *k.point()).collect();
        let batch = points.add().to_public_key();
        let mut seq = min_pk::AggregatePublicKey::from_public_key(&points[0]);
        for p in &points[1..] {
            seq.add_public_key(p, false).unwrap();
        }
        assert_eq!(batch, seq.to_public_key());
        assert_eq!(aggregate_public_keys(&keys).unwrap().to_compressed(), batch.compress());
    }
}
