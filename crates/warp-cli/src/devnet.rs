//! `warp devnet`: starts the devnet of `warp-devnet` on a port, prints its
//! banner, reports the relayer's deliveries, and serves until Ctrl-C or SIGTERM.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use awm_core::Quorum;
use warp_devnet::{DevnetConfig, DevnetEvent, Faults, ANVIL_MNEMONIC};
use warp_relayer::RelayEvent;
use warp_relayer_net::RelayerEvent;

/// The devnet's flags.
#[derive(Debug, Clone, clap::Args)]
pub struct DevnetArgs {
    /// The chains' names, comma-separated: each an L1 with its own subnet and validators.
    #[arg(long, value_delimiter = ',', default_value = "A,B")]
    pub chains: Vec<String>,
    /// Validators per chain.
    #[arg(long, default_value_t = 100)]
    pub validators: usize,
    /// Persist every chain, the P-Chain and the settings here (a restart resumes them).
    #[arg(long)]
    pub data_dir: Option<PathBuf>,
    /// The port (0 picks a free one; the banner names it).
    #[arg(long, default_value_t = 9650)]
    pub port: u16,
    /// The address to listen on.
    #[arg(long, default_value = "127.0.0.1")]
    pub host: std::net::IpAddr,
    /// Mine a block every this many seconds (decimals allowed) instead of each transaction at once.
    #[arg(long)]
    pub block_time: Option<f64>,
    /// Do not relay the example messenger's messages.
    #[arg(long)]
    pub no_relayer: bool,
    /// Relay the messenger's messages with the in-process relayer (which calls the chains
    /// and validators directly) instead of `warp relayer` over loopback JSON-RPC.
    #[arg(long, conflicts_with = "no_relayer")]
    pub in_process_relayer: bool,
    /// Also run a relayer with this config (icm-relayer's shape; see docs/relayer.md),
    /// for routes of your own.
    #[arg(long, value_name = "FILE")]
    pub relayer_config: Option<PathBuf>,
    /// Fraction of each chain's validators that answer signature requests late.
    #[arg(long, default_value_t = 0.0)]
    pub slow: f64,
    /// How late a slow validator answers, in milliseconds.
    #[arg(long, default_value_t = 300)]
    pub slow_ms: u64,
    /// Fraction of each chain's validators that never answer.
    #[arg(long, default_value_t = 0.0)]
    pub silent: f64,
    /// Fraction of each chain's validators that answer with a signature by another key.
    #[arg(long, default_value_t = 0.0)]
    pub lying: f64,
    /// How many dev accounts.
    #[arg(long, default_value_t = 10)]
    pub accounts: usize,
    /// Each dev account's balance, in ether.
    #[arg(long, default_value_t = 10_000)]
    pub balance: u64,
    /// The dev accounts' mnemonic.
    #[arg(long, default_value = ANVIL_MNEMONIC)]
    pub mnemonic: String,
    /// The percentage of a source's stake each chain asks (33 to 100).
    #[arg(long, default_value_t = 67, value_parser = clap::value_parser!(u64).range(33..=100))]
    pub quorum: u64,
}

/// Why the devnet stopped with an error.
#[derive(Debug, thiserror::Error)]
pub enum DevnetCliError {
    /// A flag is invalid.
    #[error("{0}")]
    Input(String),
    /// Starting or serving failed.
    #[error("{0}")]
    Failed(String),
}

impl DevnetArgs {
    fn config(&self) -> Result<DevnetConfig, DevnetCliError> {
        let block_time = match self.block_time {
            None => None,
            Some(s) if s.is_finite() && s > 0.0 && s <= 86_400.0 => Some(Duration::from_secs_f64(s)),
            Some(s) => {
                return Err(DevnetCliError::Input(format!(
                    "--block-time {s}: give seconds above 0, at most 86400"
                )))
            }
        };
        let quorum =
            Quorum::percent(self.quorum).map_err(|e| DevnetCliError::Input(format!("--quorum: {e}")))?;
        Ok(DevnetConfig {
            chains: self.chains.clone(),
            validators: self.validators,
            data_dir: self.data_dir.clone(),
            block_time,
            relayer: self.in_process_relayer,
            faults: Faults {
                slow: self.slow,
                silent: self.silent,
                lying: self.lying,
                slow_delay: Duration::from_millis(self.slow_ms),
            },
            mnemonic: self.mnemonic.clone(),
            accounts: self.accounts,
            balance_ether: self.balance,
            quorum,
            ..DevnetConfig::default()
        })
    }
}

/// The line a networked relayer's event prints, if any.
fn relayer_line(name: &str, event: RelayerEvent) -> Option<String> {
    match event {
        RelayerEvent::Delivered { id, destination, block, gas_used, elapsed, .. } => Some(format!(
            "{name}: message {id} delivered in block {block} of {destination} ({gas_used} gas, {} ms)",
            elapsed.as_millis()
        )),
        RelayerEvent::Skipped { id, reason } => Some(format!("{name}: message {id} skipped: {reason}")),
        RelayerEvent::Failed { id, reason } => Some(format!("{name}: message {id} not delivered: {reason}")),
        RelayerEvent::Retrying { id, after, reason } => {
            Some(format!("{name}: message {id} retrying in {} ms: {reason}", after.as_millis()))
        }
        RelayerEvent::SourceError { source, reason } => Some(format!("{name}: reading {source}: {reason}")),
        _ => None,
    }
}

/// The line a background event prints, if any.
fn report(event: DevnetEvent) -> Option<String> {
    match event {
        DevnetEvent::Relay { source, destination, event } => match event {
            RelayEvent::Delivered(d) => Some(format!(
                "relayer {source}→{destination}: message {} delivered in block {} ({} gas, {} signers, {} ms after accept)",
                d.id,
                d.block,
                d.gas_used,
                d.signers,
                d.elapsed.as_millis()
            )),
            RelayEvent::Retrying { id, attempt, reason } => {
                Some(format!("relayer {source}→{destination}: message {id} attempt {attempt} failed, retrying: {reason}"))
            }
            RelayEvent::Failed { id, reason } => {
                Some(format!("relayer {source}→{destination}: message {id} not delivered: {reason}"))
            }
            _ => None,
        },
        DevnetEvent::MiningFailed { chain, reason } => Some(format!("chain {chain}: block production failed: {reason}")),
    }
}

/// Completes on Ctrl-C or SIGTERM.
pub(crate) async fn terminated() {
    #[cfg(unix)]
    {
        let mut term = match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(term) => term,
            Err(_) => {
                let _ = tokio::signal::ctrl_c().await;
                return;
            }
        };
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = term.recv() => {}
        }
    }
    #[cfg(not(unix))]
    {
        let _ = tokio::signal::ctrl_c().await;
    }
}

/// Runs the devnet until Ctrl-C or SIGTERM.
pub fn run(args: &DevnetArgs) -> Result<(), DevnetCliError> {
    let config = args.config()?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| DevnetCliError::Failed(format!("tokio: {e}")))?;
    runtime.block_on(async {
        let devnet = warp_devnet::Devnet::start(config).map_err(|e| match e {
            warp_devnet::DevnetError::Settings(m) => DevnetCliError::Input(m),
            other => DevnetCliError::Failed(other.to_string()),
        })?;
        let devnet = Arc::new(devnet);
        let addr = SocketAddr::new(args.host, args.port);
        let listener = tokio::net::TcpListener::bind(addr)
            .await
            .map_err(|e| DevnetCliError::Failed(format!("listening on {addr}: {e}")))?;
        let bound = listener.local_addr().map_err(|e| DevnetCliError::Failed(e.to_string()))?;
        // The `warp` binary holds stdout's lock on this thread: the background
        // tasks hand their lines over instead of printing them.
        let (lines, mut printed) = tokio::sync::mpsc::unbounded_channel();
        let lines_for_relayers = lines.clone();
        let mut tasks = warp_devnet::tasks::spawn(&devnet, move |event| {
            if let Some(line) = report(event) {
                let _ = lines.send(line);
            }
        })
        .map_err(|e| DevnetCliError::Failed(e.to_string()))?;
        use std::io::Write as _;
        let mut out = std::io::stdout();
        let mut relayer = match (args.no_relayer, args.in_process_relayer) {
            (true, _) => "off (--no-relayer)".to_owned(),
            (false, true) => "in process: delivers CrossChainMessenger messages between every pair of chains".into(),
            (false, false) => {
                "warp relayer over loopback JSON-RPC: delivers CrossChainMessenger messages between every pair of chains"
                    .into()
            }
        };
        if let Some(path) = &args.relayer_config {
            relayer.push_str(&format!("; and a relayer with {}", path.display()));
        }
        let _ = write!(out, "{}", warp_devnet::banner(&devnet, bound, &relayer));
        let _ = out.flush();
        // The networked relayers talk to the devnet over loopback once it serves.
        let mut relayers = Vec::new();
        if !args.no_relayer && !args.in_process_relayer {
            let config = warp_devnet::relay::relayer_config(&devnet, bound)
                .map_err(|e| DevnetCliError::Failed(e.to_string()))?;
            relayers.push(("relayer", config));
        }
        if let Some(path) = &args.relayer_config {
            let config = warp_relayer_net::RelayerConfig::load(path)
                .map_err(|e| DevnetCliError::Input(format!("--relayer-config: {e}")))?;
            relayers.push(("relayer (--relayer-config)", config));
        }
        for (name, config) in relayers {
            let lines = lines_for_relayers.clone();
            let report: warp_relayer_net::Report = Arc::new(move |event| {
                if let Some(line) = relayer_line(name, event) {
                    let _ = lines.send(line);
                }
            });
            let failed = lines_for_relayers.clone();
            tasks.spawn(async move {
                if let Err(e) = warp_relayer_net::run(config, std::future::pending(), report).await {
                    let _ = failed.send(format!("{name}: stopped: {e}"));
                }
            });
        }
        let server = tokio::spawn(warp_devnet::serve(Arc::clone(&devnet), listener, terminated()));
        tokio::pin!(server);
        let served = loop {
            tokio::select! {
                Some(line) = printed.recv() => {
                    let _ = writeln!(out, "{line}");
                    let _ = out.flush();
                }
                served = &mut server => break served,
            }
        };
        tasks.abort_all();
        let _ = writeln!(out, "warp devnet: stopped");
        let served = served.map_err(|e| DevnetCliError::Failed(format!("server task: {e}")))?;
        served.map_err(|e| DevnetCliError::Failed(e.to_string()))
    })
}
