//! `warp relayer --config FILE`: the networked relayer of `warp-relayer-net`
//! as a process. Logs go to stdout through `tracing` at the config's
//! `log-level`, one line per event; Ctrl-C or SIGTERM stops it cleanly (the
//! progress database is consistent at every moment, so SIGKILL loses nothing
//! either).

use std::path::PathBuf;
use std::sync::Arc;

use warp_relayer_net::config::LogLevel;
use warp_relayer_net::RelayerConfig;

use std::io::Write as _;

use crate::error::CliError;
use crate::Context;

/// The relayer's flags.
#[derive(Debug, Clone, clap::Args)]
pub struct RelayerArgs {
    /// The config file (icm-relayer's shape; see docs/relayer.md).
    #[arg(long, value_name = "FILE")]
    pub config: PathBuf,
}

/// A `tracing` writer that hands each formatted event to the thread that owns
/// stdout (the `warp` binary holds its lock for the whole command).
struct LineSender(tokio::sync::mpsc::UnboundedSender<Vec<u8>>);

impl std::io::Write for LineSender {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let _ = self.0.send(buf.to_vec());
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Runs the relayer until Ctrl-C or SIGTERM, its log lines on `ctx`'s stdout.
pub fn run(args: &RelayerArgs, ctx: &mut Context<'_>) -> Result<(), CliError> {
    let config = RelayerConfig::load(&args.config).map_err(|e| CliError::Input(e.to_string()))?;
    let level = match config.log_level {
        LogLevel::Debug => tracing::Level::DEBUG,
        LogLevel::Info => tracing::Level::INFO,
        LogLevel::Warn => tracing::Level::WARN,
        LogLevel::Error => tracing::Level::ERROR,
    };
    let (lines, mut printed) = tokio::sync::mpsc::unbounded_channel::<Vec<u8>>();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(level)
        .with_target(false)
        .with_ansi(false)
        .with_writer(move || LineSender(lines.clone()))
        .finish();
    // Only fails if a subscriber is already set, and then that one logs.
    let _ = tracing::subscriber::set_global_default(subscriber);
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::No(format!("tokio: {e}")))?;
    let report: warp_relayer_net::Report = Arc::new(|event| warp_relayer_net::log_event(&event));
    let out = &mut ctx.out;
    let mut print = |line: Vec<u8>| {
        let _ = out.write_all(&line);
        let _ = out.flush();
    };
    runtime.block_on(async {
        tracing::info!(config = %args.config.display(), "warp relayer starting");
        let relayer = warp_relayer_net::run(config, crate::devnet::terminated(), report);
        tokio::pin!(relayer);
        let outcome = loop {
            tokio::select! {
                Some(line) = printed.recv() => print(line),
                outcome = &mut relayer => break outcome,
            }
        };
        tracing::info!("warp relayer stopped");
        while let Ok(line) = printed.try_recv() {
            print(line);
        }
        outcome.map_err(|e| CliError::No(e.to_string()))
    })
}
