//! anvil's dev accounts: keys derived from a BIP-39 mnemonic along
//! `m/44'/60'/0'/0/i` (coins-bip39, as foundry derives them), so a devnet
//! funds the same addresses anvil does and every anvil tutorial's key works.

use coins_bip39::{English, Mnemonic};
use thiserror::Error;
use warp_node::Wallet;

/// anvil's default mnemonic.
pub const ANVIL_MNEMONIC: &str = "test test test test test test test test test test test junk";

/// Why the dev accounts could not be derived.
#[derive(Debug, Error)]
pub enum AccountsError {
    /// The mnemonic is not a valid English BIP-39 phrase.
    #[error("invalid mnemonic: {0}")]
    Mnemonic(String),
    /// Account `index` could not be derived.
    #[error("deriving account {index} (m/44'/60'/0'/0/{index}): {reason}")]
    Derive {
        /// The account index.
        index: usize,
        /// Why.
        reason: String,
    },
}

/// The first `count` accounts of `mnemonic` (no passphrase).
pub fn dev_accounts(mnemonic: &str, count: usize) -> Result<Vec<Wallet>, AccountsError> {
    let phrase = Mnemonic::<English>::new_from_phrase(mnemonic.trim())
        .map_err(|e| AccountsError::Mnemonic(e.to_string()))?;
    (0..count)
        .map(|index| {
            let derive = |reason: String| AccountsError::Derive { index, reason };
            let key = phrase
                .derive_key(format!("m/44'/60'/0'/0/{index}").as_str(), None)
                .map_err(|e| derive(e.to_string()))?;
            let signing: &k256::ecdsa::SigningKey = key.as_ref();
            let secret: [u8; 32] = signing.to_bytes().into();
            Wallet::from_bytes(&secret).map_err(|e| derive(e.to_string()))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn anvil_accounts_are_derived_as_anvil_derives_them() {
        let accounts = dev_accounts(ANVIL_MNEMONIC, 10).unwrap();
        assert_eq!(accounts.len(), 10);
        // anvil 1.7.1's banner (shared/spec/clients-and-apis.md).
        assert_eq!(accounts[0].address().to_string(), "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        assert_eq!(
            alloy_primitives::hex::encode(accounts[0].secret_bytes()),
            "ac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80"
        );
        assert_eq!(accounts[1].address().to_string(), "0x70997970C51812dc3A010C7d01b50e0d17dc79C8");
        assert_eq!(accounts[9].address().to_string(), "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720");
    }

    #[test]
    fn a_bad_mnemonic_is_refused() {
        assert!(matches!(dev_accounts("test test nope", 1), Err(AccountsError::Mnemonic(_))));
    }
}
