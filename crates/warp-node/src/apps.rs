//! The example apps of `contracts/` as a chain deploys and calls them: their
//! ABI (`sol!` bindings of the functions, errors and constructors the Rust side
//! uses) and their creation code, embedded from the committed
//! `contracts/artifacts/` (which the test command checks against a fresh
//! `forge build`).
//!
//! | app | on | does |
//! |---|---|---|
//! | [`CrossChainMessenger`] | both chains | sends a payload to an allowed messenger; receives predicate `index` once |
//! | [`BlockHashOracle`] | a receiving chain | records `Hash` attestations from allowed sources |
//! | [`BridgeToken`], [`TokenHome`] | the home chain | the token, locked and released |
//! | [`TokenRemote`] | the remote chain | mints what the home locks (up to a cap), burns back |
#![allow(missing_docs)] // the `sol!` bindings: their names and arguments are the Solidity ones

use alloy_primitives::Bytes;
use alloy_sol_types::sol;
use thiserror::Error;

sol! {
    #![sol(all_derives)]

    interface CrossChainMessenger {
        error NotOwner(address caller);
        error InvalidWarpMessage(uint32 index);
        error UnknownSender(bytes32 sourceChainID, address sender);
        error WrongDestination(bytes32 destinationChainID, address destination);
        error AlreadyReceived(bytes32 key);
        function allowSender(bytes32 sourceChainID, address sender) external;
        function sendMessage(bytes32 destinationChainID, address destination, bytes data) external returns (bytes32 warpMessageID);
        function receiveMessage(uint32 index) external;
        function lastData() external view returns (bytes);
        function lastSourceChainID() external view returns (bytes32);
        function lastFrom() external view returns (address);
        function receivedCount() external view returns (uint256);
    }

    interface BlockHashOracle {
        error InvalidWarpBlockHash(uint32 index);
        error UnknownSource(bytes32 sourceChainID);
        function allowSource(bytes32 sourceChainID) external;
        function recordBlockHash(uint32 index) external returns (bytes32 blockHash);
        function isVerified(bytes32 sourceChainID, bytes32 blockHash) external view returns (bool);
        function latest(bytes32 sourceChainID) external view returns (bytes32);
    }

    contract BridgeToken {
        constructor(string name_, string symbol_, address minter_, uint256 initialSupply, address initialHolder);
        function approve(address spender, uint256 amount) external returns (bool);
        function balanceOf(address account) external view returns (uint256);
    }

    contract TokenHome {
        constructor(address token);
        error InvalidWarpMessage(uint32 index);
        error UnknownSender(bytes32 sourceChainID, address sender);
        error AlreadyProcessed(bytes32 key);
        function configure(bytes32 remoteChainID, address remoteBridge) external;
        function lock(uint256 amount, address recipient) external returns (bytes32 warpMessageID);
        function release(uint32 index) external;
        function locked() external view returns (uint256);
    }

    contract TokenRemote {
        constructor(bytes32 homeChainID, address homeBridge, uint256 mintCap);
        error CapExceeded(uint256 minted, uint256 amount, uint256 cap);
        error AlreadyProcessed(bytes32 key);
        function token() external view returns (address);
        function mint(uint32 index) external;
        function burn(uint256 amount, address recipient) external returns (bytes32 warpMessageID);
        function minted() external view returns (uint256);
    }
}

/// The compiled apps.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum App {
    /// `CrossChainMessenger`.
    CrossChainMessenger,
    /// `BlockHashOracle`.
    BlockHashOracle,
    /// `BridgeToken`.
    BridgeToken,
    /// `TokenHome`.
    TokenHome,
    /// `TokenRemote`.
    TokenRemote,
}

impl App {
    /// The contract name.
    pub const fn name(self) -> &'static str {
        match self {
            Self::CrossChainMessenger => "CrossChainMessenger",
            Self::BlockHashOracle => "BlockHashOracle",
            Self::BridgeToken => "BridgeToken",
            Self::TokenHome => "TokenHome",
            Self::TokenRemote => "TokenRemote",
        }
    }

    fn artifact(self) -> &'static str {
        match self {
            Self::CrossChainMessenger => {
                include_str!("../artifacts/CrossChainMessenger.json")
            }
            Self::BlockHashOracle => include_str!("../artifacts/BlockHashOracle.json"),
            Self::BridgeToken => include_str!("../artifacts/BridgeToken.json"),
            Self::TokenHome => include_str!("../artifacts/TokenHome.json"),
            Self::TokenRemote => include_str!("../artifacts/TokenRemote.json"),
        }
    }

    /// The creation code followed by `constructor_args` (ABI-encoded): the
    /// input of a deploying transaction.
    pub fn creation_code(self, constructor_args: &[u8]) -> Result<Bytes, ArtifactError> {
        let json: serde_json::Value = serde_json::from_str(self.artifact())
            .map_err(|e| ArtifactError { app: self.name(), reason: e.to_string() })?;
        let code = json
            .get("bytecode")
            .and_then(serde_json::Value::as_str)
            .ok_or(ArtifactError { app: self.name(), reason: "no \"bytecode\" string".into() })?;
        let mut bytes = alloy_primitives::hex::decode(code.trim_start_matches("0x"))
            .map_err(|e| ArtifactError { app: self.name(), reason: e.to_string() })?;
        bytes.extend_from_slice(constructor_args);
        Ok(Bytes::from(bytes))
    }
}

/// A committed artifact that does not hold creation code.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("contracts/artifacts/{app}.json: {reason}")]
pub struct ArtifactError {
    /// The contract name.
    pub app: &'static str,
    /// What is wrong.
    pub reason: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_artifact_has_creation_code() {
        for app in [
            App::CrossChainMessenger,
            App::BlockHashOracle,
            App::BridgeToken,
            App::TokenHome,
            App::TokenRemote,
        ] {
            let bare = app.creation_code(&[]).unwrap();
            let code = app.creation_code(&[0xaa, 0xbb]).unwrap();
            // solc's creation code opens with a PUSH (the free-memory pointer, or immutables first).
            assert!((0x60..=0x7f).contains(&bare[0]), "{}: {:#x}", app.name(), bare[0]);
            assert!(bare.len() > 1_000, "{}: {} bytes", app.name(), bare.len());
            assert_eq!(code.len(), bare.len() + 2);
            assert_eq!(&code[..bare.len()], &bare[..]);
            assert_eq!(&code[bare.len()..], &[0xaa, 0xbb]);
        }
    }
}
