//! The Solidity interface, exactly as ACP-30 gives it (`IWarpMessenger.sol`).
//!
//! | function | selector | mutability |
//! |---|---|---|
//! | `sendWarpMessage(bytes)` | `0xee5b48eb` | nonpayable |
//! | `getVerifiedWarpMessage(uint32)` | `0x6f825350` | view |
//! | `getVerifiedWarpBlockHash(uint32)` | `0xce7f5929` | view |
//! | `getBlockchainID()` | `0x4213cf78` | view |
//!
//! Event `SendWarpMessage(address indexed sender, bytes32 indexed messageID, bytes message)`,
//! topic0 `0x56600c567728a800c0aa927500f831cb451df66a7af570eb4df4dfbf4674887d`.

#![allow(missing_docs)]

alloy_sol_types::sol! {
    /// A verified message with an `AddressedCall` payload.
    #[derive(Debug, PartialEq, Eq)]
    struct WarpMessage {
        bytes32 sourceChainID;
        address originSenderAddress;
        bytes payload;
    }

    /// A verified block hash.
    #[derive(Debug, PartialEq, Eq)]
    struct WarpBlockHash {
        bytes32 sourceChainID;
        bytes32 blockHash;
    }

    /// The warp precompile at `0x0200000000000000000000000000000000000005`.
    #[derive(Debug, PartialEq, Eq)]
    interface IWarpMessenger {
        event SendWarpMessage(address indexed sender, bytes32 indexed messageID, bytes message);

        function sendWarpMessage(bytes calldata payload) external returns (bytes32 messageID);

        function getVerifiedWarpMessage(uint32 index) external view returns (WarpMessage calldata message, bool valid);

        function getVerifiedWarpBlockHash(uint32 index) external view returns (WarpBlockHash calldata warpBlockHash, bool valid);

        function getBlockchainID() external view returns (bytes32 blockchainID);
    }
}
