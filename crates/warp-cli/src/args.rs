//! The command line, as clap derive types: [`Cli`] (global flags and the
//! subcommand) and one argument type per command.
//!
//! Values that need the crate's own parsing (hex, IDs, quorums, files, `-` for
//! stdin) are kept as text here and parsed by [`crate::input`] when the command
//! runs, so their errors name the argument and carry the exit code of bad input.

use clap::{Args, Parser, Subcommand, ValueEnum};
use warp_predicate::GasSchedule;

/// The `warp` command line.
#[derive(Debug, Parser)]
#[command(
    name = "warp",
    version,
    about = "Decode, verify, sign and aggregate Avalanche Warp messages, predicates and predicate results",
    long_about = "Decode, verify, sign and aggregate Avalanche Warp messages, predicates and predicate results.\n\n\
        Hex input is accepted with or without 0x; `-` reads the value from stdin. Chain IDs are 0x hex or \
        CB58, node IDs NodeID-<cb58>. Validator files are avalanchego's platform.getValidatorsAt answer, \
        bare or as the whole JSON-RPC response, and must come from a P-Chain you trust: their keys are \
        taken as registered there with proofs of possession, so a forged file makes any signature \
        verify (weights of 0 and keys at infinity, which the P-Chain never reports, are refused).\n\n\
        Exit status: 0 on success, 1 when a verification, an aggregation or a signer says no, 2 on bad \
        input; the reason is one line on stderr."
)]
pub struct Cli {
    /// Print JSON for machines instead of human-readable text.
    #[arg(long, global = true)]
    pub json: bool,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Decode or verify a warp message.
    #[command(subcommand)]
    Message(MessageCommand),
    /// Inspect validator sets.
    #[command(subcommand)]
    Validators(ValidatorsCommand),
    /// Make BLS keys and proofs of possession.
    #[command(subcommand)]
    Keys(KeysCommand),
    /// Sign an unsigned message as a validator of its source chain would.
    Sign(SignArgs),
    /// Aggregate validators' signatures of an unsigned message into a signed message.
    Aggregate(AggregateArgs),
    /// Pack signed messages into access-list storage keys, unpack them, price them.
    #[command(subcommand)]
    Predicate(PredicateCommand),
    /// Decode or encode the predicate results stored in a block header.
    #[command(subcommand)]
    Results(ResultsCommand),
    /// Run the two-chain demo: validators, apps, relayers with fault injection, replay.
    Demo(crate::demo::DemoArgs),
    /// Run Avalanche L1s with the warp precompile behind Ethereum JSON-RPC (anvil's
    /// conventions), Subnet-EVM's warp API and avalanchego's P-Chain API, with a relayer.
    Devnet(crate::devnet::DevnetArgs),
    /// Relay warp messages between chains over JSON-RPC, configured as icm-relayer is
    /// (route and Teleporter formats, durable progress, Prometheus metrics).
    Relayer(crate::relayer::RelayerArgs),
}

/// `warp message …`
#[derive(Debug, Subcommand)]
pub enum MessageCommand {
    /// Decode an unsigned or a signed message: ID, network, source chain, payload, signature.
    Decode(DecodeArgs),
    /// Verify a signed message against a validator set (exit 1 when it does not verify).
    Verify(VerifyArgs),
}

/// `warp message decode`
#[derive(Debug, Args)]
pub struct DecodeArgs {
    /// The message bytes in hex (unsigned or signed); `-` reads stdin.
    #[arg(value_name = "HEX")]
    pub message: String,
}

/// `warp message verify`
#[derive(Debug, Args)]
pub struct VerifyArgs {
    /// The validator set: a file or a P-Chain API.
    #[command(flatten)]
    pub source: ValidatorSourceArgs,
    /// The receiver's network ID (mainnet 1, Fuji 5, local 12345).
    #[arg(long, value_name = "N")]
    pub network_id: u32,
    /// The fraction of total weight that must sign.
    #[arg(long, value_name = "NUM/DEN", default_value = "67/100")]
    pub quorum: String,
    /// The signed message in hex; `-` reads stdin.
    #[arg(value_name = "SIGNED_HEX")]
    pub message: String,
}

/// Where a validator set comes from: a file, or a P-Chain API.
#[derive(Debug, Clone, Args)]
pub struct ValidatorSourceArgs {
    /// The source subnet's validators: a platform.getValidatorsAt answer (`-` reads stdin)
    /// from a P-Chain you trust (its keys are taken as proven by proofs of possession).
    #[arg(long, value_name = "FILE", required_unless_present = "pchain_url", conflicts_with = "pchain_url")]
    pub validators: Option<String>,
    /// Or the P-Chain API to ask.
    #[command(flatten)]
    pub pchain: PChainArgs,
}

/// A validator set fetched from a P-Chain API instead of a file.
#[derive(Debug, Clone, Args)]
pub struct PChainArgs {
    /// Fetch the set from this P-Chain API (JSON-RPC over http, e.g.
    /// http://127.0.0.1:9650/ext/bc/P), which you trust, at `--height`.
    #[arg(long, value_name = "URL", requires = "height")]
    pub pchain_url: Option<String>,
    /// The P-Chain height of the set (with `--pchain-url`).
    #[arg(long, value_name = "H", requires = "pchain_url")]
    pub height: Option<u64>,
    /// The subnet whose set to fetch (with `--pchain-url`). By default the subnet
    /// validating the message's source chain (`platform.validatedBy`), or the
    /// primary network for a command without a message.
    #[arg(long, value_name = "ID", requires = "pchain_url")]
    pub subnet: Option<String>,
}

/// `warp validators …`
#[derive(Debug, Subcommand)]
pub enum ValidatorsCommand {
    /// Print a validator set in canonical order: the order signer bitsets index.
    Canonical(CanonicalArgs),
}

/// `warp validators canonical`
#[derive(Debug, Args)]
pub struct CanonicalArgs {
    /// A platform.getValidatorsAt answer, bare or the whole JSON-RPC response (`-` reads stdin),
    /// from a P-Chain you trust.
    #[arg(value_name = "FILE", required_unless_present = "pchain_url", conflicts_with = "pchain_url")]
    pub file: Option<String>,
    /// Or the P-Chain API to ask.
    #[command(flatten)]
    pub pchain: PChainArgs,
}

/// `warp keys …`
#[derive(Debug, Subcommand)]
pub enum KeysCommand {
    /// Make a fresh BLS key from OS randomness. This is a development tool: it
    /// PRINTS THE SECRET KEY, with the public key and its proof of possession.
    New,
    /// The public key and proof of possession of a secret key.
    Pop(PopArgs),
}

/// `warp keys pop`
#[derive(Debug, Args)]
pub struct PopArgs {
    /// The 32-byte BLS secret key in hex; `-` reads stdin.
    #[arg(long, value_name = "HEX")]
    pub secret_key: String,
}

/// `warp sign`
#[derive(Debug, Args)]
pub struct SignArgs {
    /// The validator's 32-byte BLS secret key in hex; `-` reads stdin.
    #[arg(long, value_name = "HEX")]
    pub secret_key: String,
    /// The signer's network ID; a message of another network is refused.
    #[arg(long, value_name = "N")]
    pub network_id: u32,
    /// The signer's chain (0x hex or CB58); a message from another chain is refused.
    #[arg(long, value_name = "ID")]
    pub chain_id: String,
    /// The unsigned message in hex; `-` reads stdin.
    #[arg(value_name = "UNSIGNED_HEX")]
    pub message: String,
}

/// `warp aggregate`
#[derive(Debug, Args)]
pub struct AggregateArgs {
    /// The validator set: a file or a P-Chain API.
    #[command(flatten)]
    pub source: ValidatorSourceArgs,
    /// The fraction of total weight that must sign.
    #[arg(long, value_name = "NUM/DEN", default_value = "67/100")]
    pub quorum: String,
    /// A validator's signature of the message: its node ID and the 96-byte
    /// signature in hex. Repeat for each validator. Bad signatures are dropped and
    /// named on stderr.
    #[arg(long = "sig", value_name = "NODEID=SIGHEX")]
    pub sigs: Vec<String>,
    /// The unsigned message in hex; `-` reads stdin.
    #[arg(value_name = "UNSIGNED_HEX")]
    pub message: String,
}

/// `warp predicate …`
#[derive(Debug, Subcommand)]
pub enum PredicateCommand {
    /// Pack bytes (a signed message) into 32-byte storage keys, one per line.
    Pack(PackArgs),
    /// Unpack storage keys into the bytes they carry.
    Unpack(UnpackArgs),
    /// The intrinsic gas of a signed message delivered as a predicate.
    Gas(GasArgs),
}

/// `warp predicate pack`
#[derive(Debug, Args)]
pub struct PackArgs {
    /// The bytes in hex; `-` reads stdin.
    #[arg(value_name = "HEX")]
    pub bytes: String,
}

/// `warp predicate unpack`
#[derive(Debug, Args)]
pub struct UnpackArgs {
    /// The storage keys in order, 32 bytes of hex each. `-` reads them from stdin,
    /// separated by whitespace or as a JSON array (what `pack` prints).
    #[arg(value_name = "KEY", required_unless_present = "access_list", conflicts_with = "access_list")]
    pub keys: Vec<String>,
    /// Instead of keys: an access list as JSON (`[{"address", "storageKeys"}]`), or
    /// a whole transaction as `cast tx --json` or `eth_getTransactionByHash`
    /// prints it; every warp predicate in it is unpacked, in order. A file, the
    /// JSON itself, or `-` for stdin.
    #[arg(long, value_name = "JSON|FILE")]
    pub access_list: Option<String>,
}

/// `warp predicate gas`
#[derive(Debug, Args)]
pub struct GasArgs {
    /// The gas schedule by name (or choose it by `--network` and `--timestamp`).
    #[arg(long, value_enum, required_unless_present = "network", conflicts_with = "network")]
    pub schedule: Option<ScheduleArg>,
    /// The network whose upgrade times choose the schedule (with `--timestamp`).
    #[arg(long, value_enum, requires = "timestamp")]
    pub network: Option<NetworkArg>,
    /// The block timestamp (Unix seconds) at which the predicate is charged.
    #[arg(long, value_name = "UNIX_SECONDS", requires = "network")]
    pub timestamp: Option<u64>,
    /// The signed message in hex; `-` reads stdin.
    #[arg(value_name = "SIGNED_HEX")]
    pub message: String,
}

/// A network whose upgrade times are known.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum NetworkArg {
    /// Avalanche mainnet (network ID 1).
    Mainnet,
    /// Fuji testnet (network ID 5).
    Fuji,
}

impl NetworkArg {
    /// The network's warp gas upgrades.
    pub fn upgrades(self) -> warp_predicate::GasUpgrades {
        match self {
            Self::Mainnet => warp_predicate::GasUpgrades::mainnet(),
            Self::Fuji => warp_predicate::GasUpgrades::fuji(),
        }
    }

    /// The name as given on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Mainnet => "mainnet",
            Self::Fuji => "fuji",
        }
    }
}

/// The warp gas schedules.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ScheduleArg {
    /// ACP-30's text: 20,000 per predicate (never charged by the network).
    Acp30,
    /// Durango until Granite: 200,000 per predicate.
    PreGranite,
    /// Granite (ACP-181): 125,000 per predicate.
    Granite,
}

impl ScheduleArg {
    /// The schedule's gas parameters.
    pub fn schedule(self) -> GasSchedule {
        match self {
            Self::Acp30 => GasSchedule::acp30(),
            Self::PreGranite => GasSchedule::pre_granite(),
            Self::Granite => GasSchedule::granite(),
        }
    }

    /// The name as given on the command line.
    pub fn name(self) -> &'static str {
        match self {
            Self::Acp30 => "acp30",
            Self::PreGranite => "pre-granite",
            Self::Granite => "granite",
        }
    }
}

/// `warp results …`
#[derive(Debug, Subcommand)]
pub enum ResultsCommand {
    /// Decode predicate results: which predicates of which transactions failed.
    Decode(ResultsDecodeArgs),
    /// Encode predicate results from JSON {txHash: {address: [failed indices]}}.
    Encode(ResultsEncodeArgs),
}

/// `warp results decode`
#[derive(Debug, Args)]
pub struct ResultsDecodeArgs {
    /// The results bytes in hex; `-` reads stdin.
    #[arg(value_name = "HEX", required_unless_present = "extra", conflicts_with = "extra")]
    pub results: Option<String>,
    /// Instead: a block header's whole `extraData` in hex (as `cast block --json`
    /// shows it), whose results follow the fee data; `-` reads stdin.
    #[arg(long, value_name = "HEX")]
    pub extra: Option<String>,
    /// Where the results sit in `--extra` (Subnet-EVM's by default).
    #[arg(long, value_enum, value_name = "LAYOUT", requires = "extra")]
    pub layout: Option<LayoutArg>,
}

/// Where the results sit in a header's `extraData`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum LayoutArg {
    /// Subnet-EVM (Durango and later): after an 80-byte fee window.
    SubnetEvm,
    /// coreth (the C-Chain) from Durango to Fortuna: after an 80-byte fee window.
    CorethPreFortuna,
    /// coreth from Fortuna: after a 24-byte fee state.
    CorethFortuna,
    /// coreth from Helicon: from the first byte.
    NoPrefix,
}

impl LayoutArg {
    /// The layout.
    pub fn layout(self) -> warp_predicate::ExtraLayout {
        match self {
            Self::SubnetEvm => warp_predicate::ExtraLayout::SubnetEvm,
            Self::CorethPreFortuna => warp_predicate::ExtraLayout::CorethPreFortuna,
            Self::CorethFortuna => warp_predicate::ExtraLayout::CorethFortuna,
            Self::NoPrefix => warp_predicate::ExtraLayout::NoPrefix,
        }
    }
}

/// `warp results encode`
#[derive(Debug, Args)]
pub struct ResultsEncodeArgs {
    /// JSON {txHash: {address: [failed indices]}}; `-` reads stdin. (Not named
    /// `json`: that ID belongs to the global `--json` flag.)
    #[arg(value_name = "JSON")]
    pub input: String,
}

/// The one-line reason of a clap error: its message up to the usage, on one line,
/// without clap's own `error: ` prefix.
pub fn clap_error_line(err: &clap::Error) -> String {
    let rendered = err.render().to_string();
    if err.kind() == clap::error::ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand {
        // clap renders the whole help here; its usage line says what is missing.
        let usage = rendered.lines().find_map(|l| l.strip_prefix("Usage:")).map_or("", str::trim);
        return format!("a command is required: {usage} (see --help)");
    }
    let reason = rendered
        .lines()
        .take_while(|l| !l.starts_with("Usage:") && !l.starts_with("For more information"))
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    reason.strip_prefix("error: ").unwrap_or(&reason).to_owned()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use clap::CommandFactory;

    #[test]
    fn clap_definition_is_consistent() {
        Cli::command().debug_assert();
    }

    #[test]
    fn results_json_argument_is_not_the_json_flag() {
        let cli = Cli::try_parse_from(["warp", "results", "encode", "--json", "{}"]).unwrap();
        assert!(cli.json);
        let Command::Results(ResultsCommand::Encode(args)) = cli.command else { panic!("wrong command") };
        assert_eq!(args.input, "{}");
    }

    #[test]
    fn missing_subcommand_names_the_usage() {
        let err = Cli::try_parse_from(["warp", "message"]).unwrap_err();
        assert_eq!(
            clap_error_line(&err),
            "a command is required: warp message [OPTIONS] <COMMAND> (see --help)"
        );
    }

    #[test]
    fn missing_argument_is_one_line() {
        let err = Cli::try_parse_from(["warp", "message", "verify", "00"]).unwrap_err();
        let line = clap_error_line(&err);
        assert!(!line.contains('\n'));
        assert!(line.contains("--validators"), "{line}");
        assert!(!line.starts_with("error:"), "{line}");
    }
}
