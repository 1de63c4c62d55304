//! Transactions as Ethereum has them: signed EIP-2718 envelopes from
//! `alloy-consensus`, decoded from their bytes, the sender recovered from the
//! signature, the hash Ethereum's (keccak-256 of the envelope's bytes).
//!
//! | type | accepted | note |
//! |---|---|---|
//! | 0, legacy | yes | EIP-155 chain ID required unless the chain allows unprotected transactions |
//! | 1, EIP-2930 | yes | warp predicates travel in its access list |
//! | 2, EIP-1559 | yes | the same, with fee caps |
//! | 3, EIP-4844 | no | Avalanche EVM chains carry no blobs |
//! | 4, EIP-7702 | no | Subnet-EVM has no set-code transactions |
//!
//! [`Wallet`] signs transactions with a secp256k1 key (for the demo, the relayer
//! and tests); [`tx_env`] turns a recovered transaction into revm's `TxEnv`
//! through alloy-evm's conversion.

use alloy_consensus::transaction::{Recovered, SignerRecoverable};
use alloy_consensus::{SignableTransaction, Signed, Transaction as _, TxEnvelope};
use alloy_eips::eip2718::{Decodable2718, Encodable2718};
use alloy_eips::eip2930::AccessList;
use alloy_evm::FromRecoveredTx;
use alloy_primitives::{keccak256, Address, Bytes, Signature, B256};
use k256::ecdsa::SigningKey;
use revm::context::TxEnv;
use thiserror::Error;

/// A transaction whose sender has been recovered from its signature.
pub type SignedTx = Recovered<TxEnvelope>;

/// The largest transaction a node accepts, in encoded bytes (geth's and
/// Subnet-EVM's `txMaxSize`: four 32 KiB slots).
pub const MAX_TX_SIZE: usize = 4 * 32 * 1024;

/// Why transaction bytes are not a transaction this chain accepts.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum TxError {
    /// The bytes are not an EIP-2718 envelope.
    #[error("rlp: {0}")]
    Decode(String),
    /// Bytes follow the envelope.
    #[error("rlp: {0} trailing bytes after the transaction")]
    TrailingBytes(usize),
    /// A type this chain does not run (blobs, set-code).
    #[error("transaction type not supported: type {0}")]
    UnsupportedType(u8),
    /// The signature does not recover a sender.
    #[error("invalid sender")]
    InvalidSender,
}

/// Decodes an EIP-2718 envelope (a typed transaction or a legacy RLP list),
/// refusing trailing bytes and the types this chain does not run.
pub fn decode(bytes: &[u8]) -> Result<TxEnvelope, TxError> {
    let mut rest = bytes;
    let envelope = TxEnvelope::decode_2718(&mut rest).map_err(|e| TxError::Decode(e.to_string()))?;
    if !rest.is_empty() {
        return Err(TxError::TrailingBytes(rest.len()));
    }
    supported(&envelope)?;
    Ok(envelope)
}

/// Refuses the transaction types this chain does not run.
pub fn supported(envelope: &TxEnvelope) -> Result<(), TxError> {
    match envelope {
        TxEnvelope::Legacy(_) | TxEnvelope::Eip2930(_) | TxEnvelope::Eip1559(_) => Ok(()),
        other => Err(TxError::UnsupportedType(other.tx_type() as u8)),
    }
}

/// Recovers the sender (EIP-2: a high `s` is refused).
pub fn recover(envelope: TxEnvelope) -> Result<SignedTx, TxError> {
    let sender = envelope.recover_signer().map_err(|_| TxError::InvalidSender)?;
    Ok(Recovered::new_unchecked(envelope, sender))
}

/// Decodes and recovers in one step.
pub fn decode_recovered(bytes: &[u8]) -> Result<SignedTx, TxError> {
    recover(decode(bytes)?)
}

/// The transaction's EIP-2718 bytes (what `eth_sendRawTransaction` carries).
pub fn encode(envelope: &TxEnvelope) -> Bytes {
    envelope.encoded_2718().into()
}

/// The transaction hash.
pub fn hash(envelope: &TxEnvelope) -> B256 {
    *envelope.tx_hash()
}

/// The access list, or an empty one (legacy transactions have none).
pub fn access_list(envelope: &TxEnvelope) -> AccessList {
    envelope.access_list().cloned().unwrap_or_default()
}

/// revm's transaction for `tx` (alloy-evm's conversion).
pub fn tx_env(tx: &SignedTx) -> TxEnv {
    TxEnv::from_recovered_tx(tx.inner(), tx.signer())
}

/// Why a key does not make a wallet.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("invalid secp256k1 secret key: {0}")]
pub struct WalletError(String);

/// A secp256k1 key that signs transactions.
#[derive(Clone)]
pub struct Wallet {
    key: SigningKey,
    address: Address,
}

impl std::fmt::Debug for Wallet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wallet").field("address", &self.address).finish_non_exhaustive()
    }
}

impl Wallet {
    /// A wallet from a 32-byte secret key.
    pub fn from_bytes(secret: &[u8; 32]) -> Result<Self, WalletError> {
        let key = SigningKey::from_slice(secret).map_err(|e| WalletError(e.to_string()))?;
        let address = address_of(&key);
        Ok(Self { key, address })
    }

    /// A wallet whose secret key is the keccak-256 of `seed` (devnet accounts).
    pub fn from_seed(seed: &str) -> Result<Self, WalletError> {
        Self::from_bytes(&keccak256(seed.as_bytes()).0)
    }

    /// The account's address.
    pub fn address(&self) -> Address {
        self.address
    }

    /// The 32-byte secret key.
    pub fn secret_bytes(&self) -> [u8; 32] {
        self.key.to_bytes().into()
    }

    /// Signs `tx` (its EIP-155 / typed signature hash).
    pub fn sign<T: SignableTransaction<Signature>>(&self, tx: T) -> Signed<T> {
        let hash = tx.signature_hash();
        // A prehash of 32 bytes always signs: the error arm cannot happen.
        let signature = match self.key.sign_prehash_recoverable(hash.as_slice()) {
            Ok(pair) => Signature::from(pair),
            Err(_) => Signature::new(Default::default(), Default::default(), false),
        };
        tx.into_signed(signature)
    }

    /// Signs `tx` into an envelope.
    pub fn sign_envelope<T>(&self, tx: T) -> TxEnvelope
    where
        T: SignableTransaction<Signature>,
        Signed<T>: Into<TxEnvelope>,
    {
        self.sign(tx).into()
    }

    /// Signs `tx` and pairs it with this wallet as its sender.
    pub fn sign_recovered<T>(&self, tx: T) -> SignedTx
    where
        T: SignableTransaction<Signature>,
        Signed<T>: Into<TxEnvelope>,
    {
        Recovered::new_unchecked(self.sign_envelope(tx), self.address)
    }
}

/// The Ethereum address of a key: the last 20 bytes of keccak-256 of its
/// uncompressed public key without the `04` prefix.
fn address_of(key: &SigningKey) -> Address {
    let point = key.verifying_key().to_encoded_point(false);
    let bytes = point.as_bytes();
    Address::from_word(keccak256(bytes.get(1..).unwrap_or_default()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloy_consensus::{TxEip1559, TxEip2930, TxLegacy};
    use alloy_primitives::{hex, TxKind, U256};

    /// anvil's first dev account: secret key, address.
    const ANVIL_0: ([u8; 32], Address) = (
        hex!("ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"),
        alloy_primitives::address!("f39Fd6e51aad88F6F4ce6aB8827279cffFb92266"),
    );

    #[test]
    fn addresses_and_round_trips() {
        let wallet = Wallet::from_bytes(&ANVIL_0.0).unwrap();
        assert_eq!(wallet.address(), ANVIL_0.1);
        let txs: Vec<TxEnvelope> = vec![
            wallet.sign_envelope(TxLegacy {
                chain_id: Some(43_112),
                nonce: 7,
                gas_price: 25_000_000_000,
                gas_limit: 21_000,
                to: TxKind::Call(Address::repeat_byte(1)),
                value: U256::from(5),
                input: Bytes::new(),
            }),
            wallet.sign_envelope(TxEip2930 { chain_id: 43_112, gas_limit: 50_000, ..Default::default() }),
            wallet.sign_envelope(TxEip1559 {
                chain_id: 43_112,
                max_fee_per_gas: 30,
                max_priority_fee_per_gas: 1,
                gas_limit: 60_000,
                to: TxKind::Create,
                input: Bytes::from(vec![0x60, 0x00]),
                ..Default::default()
            }),
        ];
        for tx in txs {
            let bytes = encode(&tx);
            let back = decode_recovered(&bytes).unwrap();
            assert_eq!(back.signer(), wallet.address());
            assert_eq!(hash(back.inner()), keccak256(&bytes));
            assert_eq!(back.inner(), &tx);
            let env = tx_env(&back);
            assert_eq!(
                (env.caller, env.nonce, env.gas_limit),
                (wallet.address(), tx.nonce(), tx.gas_limit())
            );
        }
    }

    #[test]
    fn bad_bytes_are_typed_errors() {
        let wallet = Wallet::from_bytes(&ANVIL_0.0).unwrap();
        let tx = encode(&wallet.sign_envelope(TxEip1559 { chain_id: 1, ..Default::default() }));
        assert!(matches!(decode(&[]), Err(TxError::Decode(_))));
        assert!(matches!(decode(&tx[..tx.len() - 1]), Err(TxError::Decode(_))));
        assert_eq!(decode(&[tx.as_ref(), &[0]].concat()), Err(TxError::TrailingBytes(1)));
        // Blob and set-code types are not run here.
        assert!(matches!(decode(&[0x03, 0xc0]), Err(TxError::Decode(_)) | Err(TxError::UnsupportedType(3))));
        let mut forged = tx.to_vec();
        let last = forged.len() - 1;
        forged[last] ^= 0xff; // the signature's s
        match decode_recovered(&forged) {
            Ok(recovered) => assert_ne!(recovered.signer(), wallet.address()),
            Err(e) => assert!(matches!(e, TxError::InvalidSender | TxError::Decode(_)), "{e}"),
        }
        assert!(Wallet::from_bytes(&[0; 32]).is_err());
    }
}
