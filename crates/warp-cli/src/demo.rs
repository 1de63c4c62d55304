//! `warp demo`: the whole system on one machine, in seconds, driven as a user
//! drives it: through the devnet's JSON-RPC with signed transactions.
//!
//! 1. A devnet starts in this process (`warp_devnet`): the embedded P-Chain
//!    registers two L1s, A and B, with `--validators` validators each and their
//!    proofs of possession; each chain runs the warp precompile from genesis,
//!    with the `CrossChainMessenger` deployed and allowing the other chain's; the
//!    JSON-RPC server listens on a free loopback port.
//! 2. Through JSON-RPC (jsonrpsee's HTTP client; EIP-1559 transactions signed
//!    here, sent raw) the user deploys the token bridge: a `BridgeToken` and its
//!    `TokenHome` on A, a `TokenRemote` on B.
//! 3. A sends `--messages` messages to B and locks tokens for B; once minted on
//!    B, part is burned back to A.
//! 4. The devnet's relayers (A→B and B→A, with the bridge's routes added)
//!    follow the accepted blocks, gather signatures from the validators over
//!    ACP-118 (some slow, silent or lying, by flag), and deliver each message
//!    in an access-list predicate, checked by the receiver against the quorum
//!    it asks of that source (by flag).
//! 5. B's state is checked through `eth_call` against what was sent; then B is
//!    replayed from its blocks alone, without validator sets, and must reach the
//!    state root its JSON-RPC reports.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::sync::Arc;
use std::time::{Duration, Instant};

use alloy_primitives::{Address, Bytes, U256};
use alloy_sol_types::{SolCall, SolConstructor, SolError};
use awm_core::Quorum;
use thiserror::Error;
use tokio::sync::mpsc;
use warp_devnet::tasks::{ExtraRoute, Report};
use warp_devnet::{Devnet, DevnetConfig, DevnetEvent, Faults};
use warp_node::apps::{App, BridgeToken, CrossChainMessenger, TokenHome, TokenRemote};
use warp_node::config::{quorum_from_numerator, MIN_QUORUM_NUMERATOR};
use warp_node::{Chain, Wallet, ACTIVATED_PRECOMPILE_CODE};
use warp_predicate::WARP_ADDRESS;
use warp_relayer::{Progress, RelayEvent, Route};

use crate::eth_client::{EthClient, EthClientError};

const TOKEN_SUPPLY: u64 = 1_000_000;
const LOCKED: u64 = 300;
const BURNED: u64 = 120;

/// The demo's flags.
#[derive(Debug, Clone, clap::Args)]
pub struct DemoArgs {
    /// Validators per chain.
    #[arg(long, default_value_t = 100)]
    pub validators: usize,
    /// Messages chain A's messenger sends to chain B (besides the bridge transfer).
    #[arg(long, default_value_t = 5)]
    pub messages: usize,
    /// Quorum chain B asks of chain A, in percent.
    #[arg(long, default_value_t = 67)]
    pub quorum_a: u64,
    /// Quorum chain A asks of chain B, in percent.
    #[arg(long, default_value_t = 67)]
    pub quorum_b: u64,
    /// Percent of each chain's validators that answer late (after --slow-ms).
    #[arg(long, default_value_t = 20)]
    pub slow: u64,
    /// Percent of each chain's validators that never answer.
    #[arg(long, default_value_t = 5)]
    pub silent: u64,
    /// Percent of each chain's validators that answer with a wrong signature.
    #[arg(long, default_value_t = 10)]
    pub lying: u64,
    /// How late slow validators answer, in milliseconds.
    #[arg(long, default_value_t = 150)]
    pub slow_ms: u64,
    /// How long the aggregator waits for one validator, in milliseconds.
    #[arg(long, default_value_t = 1_000)]
    pub timeout_ms: u64,
    /// How long one aggregation may take in all, in milliseconds.
    #[arg(long, default_value_t = 4_000)]
    pub deadline_ms: u64,
}

/// Why the demo stopped.
#[derive(Debug, Error)]
pub enum DemoError {
    /// A flag is out of range.
    #[error("invalid flag: {0}")]
    Flag(String),
    /// Setting up or running a chain failed.
    #[error("{0}")]
    Setup(String),
    /// A message was not delivered.
    #[error("relaying failed: {0}")]
    Relay(String),
    /// The final state is not what was sent.
    #[error("check failed: {0}")]
    Check(String),
}

impl DemoError {
    /// `true` when the user's input was at fault (exit code 2).
    pub fn is_bad_input(&self) -> bool {
        matches!(self, Self::Flag(_))
    }
}

fn setup<E: std::fmt::Display>(what: &str) -> impl FnOnce(E) -> DemoError + '_ {
    move |e| DemoError::Setup(format!("{what}: {e}"))
}

/// Prints timeline lines with the time since the start.
struct Timeline {
    start: Instant,
    live: bool,
}

impl Timeline {
    fn line(&self, chain: &str, text: impl AsRef<str>) {
        let ms = self.start.elapsed().as_millis();
        if self.live {
            print!("\r\x1b[2K");
        }
        println!("[{ms:>6} ms] {chain:<5} {}", text.as_ref());
    }

    fn heading(&self, text: &str) {
        println!("\n== {text} ==");
    }

    fn progress(&self, label: &str, p: &Progress) {
        if self.live {
            print!("\r\x1b[2K             {label} {}", bar(p));
            let _ = std::io::stdout().flush();
        }
    }
}

/// `[█████████░░░] 6,700 / 6,700 needed of 10,000`
fn bar(p: &Progress) -> String {
    const WIDTH: u64 = 24;
    let filled = if p.total == 0 {
        0
    } else {
        u64::try_from(
            u128::from(p.gathered)
                .saturating_mul(u128::from(WIDTH))
                .checked_div(u128::from(p.total))
                .unwrap_or(0),
        )
        .unwrap_or(WIDTH)
    };
    let mark = if p.total == 0 {
        0
    } else {
        u64::try_from(
            u128::from(p.needed)
                .saturating_mul(u128::from(WIDTH))
                .checked_div(u128::from(p.total))
                .unwrap_or(0),
        )
        .unwrap_or(WIDTH)
    };
    let mut s = String::from("[");
    for i in 0..WIDTH {
        s.push(if i < filled {
            '█'
        } else if i == mark {
            '|'
        } else {
            '░'
        });
    }
    let _ = write!(s, "] stake {} / {} needed of {}", p.gathered, p.needed, p.total);
    s
}

fn short(id: &[u8]) -> String {
    let h = alloy_primitives::hex::encode(id);
    format!("0x{}…", h.get(..8).unwrap_or(&h))
}

fn check_args(args: &DemoArgs) -> Result<(Quorum, Quorum), DemoError> {
    if args.validators == 0 || args.validators > 2_000 {
        return Err(DemoError::Flag(format!("--validators {} must be between 1 and 2000", args.validators)));
    }
    if args.messages > 1_000 {
        return Err(DemoError::Flag(format!("--messages {} must be at most 1000", args.messages)));
    }
    let faults = args.slow.saturating_add(args.silent).saturating_add(args.lying);
    if faults > 100 {
        return Err(DemoError::Flag(format!(
            "--slow {} + --silent {} + --lying {} is {faults}%, more than 100%",
            args.slow, args.silent, args.lying
        )));
    }
    // As Subnet-EVM reads a quorum numerator: 33 to 100 (percent).
    let quorum = |flag: &str, pct: u64| {
        if pct < MIN_QUORUM_NUMERATOR {
            return Err(DemoError::Flag(format!(
                "{flag} {pct} is below the minimum quorum of {MIN_QUORUM_NUMERATOR}%"
            )));
        }
        quorum_from_numerator(pct, flag).map_err(|e| DemoError::Flag(e.to_string()))
    };
    Ok((quorum("--quorum-a", args.quorum_a)?, quorum("--quorum-b", args.quorum_b)?))
}

impl From<EthClientError> for DemoError {
    fn from(e: EthClientError) -> Self {
        Self::Setup(e.to_string())
    }
}

/// Sends a call (`None`: a creation) on `chain` and prints the line; the created contract.
async fn transact(
    timeline: &Timeline,
    chain: &EthClient,
    user: &Wallet,
    to: Option<Address>,
    input: Vec<u8>,
    what: &str,
) -> Result<Option<Address>, DemoError> {
    let receipt = chain.send(user, to, Bytes::from(input)).await?;
    timeline.line(&format!("{}#{}", chain.name, receipt.block_number.unwrap_or_default()), what);
    Ok(receipt.contract_address)
}

/// Runs the demo.
pub fn run(args: &DemoArgs) -> Result<(), DemoError> {
    let (quorum_a, quorum_b) = check_args(args)?;
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build().map_err(setup("tokio"))?;
    runtime.block_on(demo(args, quorum_a, quorum_b))
}

async fn demo(args: &DemoArgs, quorum_a: Quorum, quorum_b: Quorum) -> Result<(), DemoError> {
    let timeline = Timeline { start: Instant::now(), live: std::io::stdout().is_terminal() };
    let n = args.validators;
    let pct = |p: u64| p as f64 / 100.0;

    timeline.heading(
        "1. A devnet starts: two L1s, their validators registered in the P-Chain with proofs of possession",
    );
    let config = DevnetConfig {
        validators: n,
        faults: Faults {
            slow: pct(args.slow),
            silent: pct(args.silent),
            lying: pct(args.lying),
            slow_delay: Duration::from_millis(args.slow_ms),
        },
        quorums: vec![("B".into(), "A".into(), quorum_a), ("A".into(), "B".into(), quorum_b)],
        request_timeout: Duration::from_millis(args.timeout_ms),
        deadline: Duration::from_millis(args.deadline_ms),
        // One message at a time: they arrive in the order sent, as the checks expect.
        relayer_concurrency: 1,
        ..DevnetConfig::default()
    };
    let devnet = Arc::new(Devnet::start(config).map_err(setup("devnet"))?);
    let chain =
        |name: &str| devnet.chain(name).cloned().ok_or_else(|| DemoError::Setup(format!("no chain {name}")));
    let (dev_a, dev_b) = (chain("A")?, chain("B")?);
    for c in [&dev_a, &dev_b] {
        let weight = c.keys.iter().fold(0u64, |s, k| s.saturating_add(k.weight));
        timeline.line(
            "P",
            format!(
                "subnet {} validates chain {} ({}): {n} validators, weight {weight}",
                short(&c.subnet_id.0),
                c.name,
                short(&c.blockchain_id.0)
            ),
        );
    }
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await.map_err(setup("listening"))?;
    let addr = listener.local_addr().map_err(setup("listening"))?;
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let server = tokio::spawn(warp_devnet::serve(Arc::clone(&devnet), listener, async {
        let _ = stopped.await;
    }));
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let report: Report = {
        let events_tx = events_tx.clone();
        Arc::new(move |event: DevnetEvent| {
            let _ = events_tx.send(event);
        })
    };
    drop(events_tx);
    let mut tasks = tokio::task::JoinSet::new();
    warp_devnet::tasks::spawn_producers(&devnet, &report, &mut tasks);
    let a = EthClient::connect("A", &format!("http://{addr}/ext/bc/A/rpc")).await?;
    let b = EthClient::connect("B", &format!("http://{addr}/ext/bc/B/rpc")).await?;
    timeline.line(
        "rpc",
        format!(
            "JSON-RPC at http://{addr}/ext/bc/A/rpc (chain {}) and …/B/rpc (chain {})",
            a.chain_id, b.chain_id
        ),
    );
    timeline.line("B", format!("asks {quorum_a} of chain A's stake; A asks {quorum_b} of B's"));

    timeline.heading("2. The user deploys the token bridge through JSON-RPC (signed EIP-1559 transactions)");
    let user = devnet.accounts().first().cloned().ok_or_else(|| DemoError::Setup("no dev account".into()))?;
    let messenger = devnet.apps().messenger;
    for c in [&a, &b] {
        let code = c.code(WARP_ADDRESS).await?;
        let nonce = c.nonce(WARP_ADDRESS).await?;
        let deployed = !c.code(messenger).await?.is_empty();
        timeline.line(
            &c.name,
            format!(
                "0x0200…05 holds nonce {nonce} and code 0x{} (activated: {}); CrossChainMessenger at {} ({})",
                alloy_primitives::hex::encode(&code),
                nonce == 1 && code.as_ref() == ACTIVATED_PRECOMPILE_CODE,
                short(messenger.as_slice()),
                if deployed { "deployed at start, allowing the other chain's" } else { "missing" }
            ),
        );
    }
    let token_args = BridgeToken::constructorCall {
        name_: "Demo".into(),
        symbol_: "DMO".into(),
        minter_: user.address(),
        initialSupply: U256::from(TOKEN_SUPPLY),
        initialHolder: user.address(),
    }
    .abi_encode();
    let created = |what: &str, address: Option<Address>| {
        address.ok_or_else(|| DemoError::Setup(format!("{what} was not created")))
    };
    let code = |app: App, args: &[u8]| app.creation_code(args).map(|c| c.to_vec()).map_err(setup("artifact"));
    let token_a = created(
        "BridgeToken",
        transact(&timeline, &a, &user, None, code(App::BridgeToken, &token_args)?, "deployed BridgeToken")
            .await?,
    )?;
    let home_args = TokenHome::constructorCall { token: token_a }.abi_encode();
    let home = created(
        "TokenHome",
        transact(&timeline, &a, &user, None, code(App::TokenHome, &home_args)?, "deployed TokenHome").await?,
    )?;
    let remote_args = TokenRemote::constructorCall {
        homeChainID: dev_a.blockchain_id.0.into(),
        homeBridge: home,
        mintCap: U256::from(LOCKED * 2),
    }
    .abi_encode();
    let remote = created(
        "TokenRemote",
        transact(
            &timeline,
            &b,
            &user,
            None,
            code(App::TokenRemote, &remote_args)?,
            "deployed TokenRemote (its token mints what A locks)",
        )
        .await?,
    )?;
    let configure =
        TokenHome::configureCall { remoteChainID: dev_b.blockchain_id.0.into(), remoteBridge: remote };
    transact(
        &timeline,
        &a,
        &user,
        Some(home),
        configure.abi_encode(),
        "TokenHome configured with B's TokenRemote",
    )
    .await?;
    let approve = BridgeToken::approveCall { spender: home, amount: U256::from(LOCKED) };
    transact(&timeline, &a, &user, Some(token_a), approve.abi_encode(), "the user approves TokenHome")
        .await?;

    timeline.heading("3. Relayers follow both chains; A sends messages and locks tokens");
    let tally = |f: f64| (n as f64 * f).floor() as usize;
    let faults = devnet.config().faults;
    let (slow, silent, lying) = (tally(faults.slow), tally(faults.silent), tally(faults.lying));
    timeline.line(
        "net",
        format!(
            "validators per chain: {} honest, {slow} slow ({} ms), {silent} silent, {lying} lying",
            n.saturating_sub(slow).saturating_sub(silent).saturating_sub(lying),
            args.slow_ms,
        ),
    );
    let bridge = |source: &str,
                  destination: &str,
                  name: &str,
                  from: Address,
                  to: Address,
                  calldata: Vec<u8>,
                  replay: [u8; 4]| ExtraRoute {
        source: source.into(),
        destination: destination.into(),
        route: Route {
            name: name.into(),
            source_address: from,
            destination: to,
            calldata: calldata.into(),
            destination_chain_word: None,
        },
        replay_error: Some(replay),
    };
    let extra = [
        bridge(
            "A",
            "B",
            "bridge lock→mint",
            home,
            remote,
            TokenRemote::mintCall { index: 0 }.abi_encode(),
            TokenRemote::AlreadyProcessed::SELECTOR,
        ),
        bridge(
            "B",
            "A",
            "bridge burn→release",
            remote,
            home,
            TokenHome::releaseCall { index: 0 }.abi_encode(),
            TokenHome::AlreadyProcessed::SELECTOR,
        ),
    ];
    warp_devnet::tasks::spawn_relayers(&devnet, &extra, &report, &mut tasks).map_err(setup("relayers"))?;
    drop(report);

    let texts: Vec<String> = (1..=args.messages)
        .map(|i| format!("hello B, this is message {i} of {} from A", args.messages))
        .collect();
    for text in &texts {
        let call = CrossChainMessenger::sendMessageCall {
            destinationChainID: dev_b.blockchain_id.0.into(),
            destination: messenger,
            data: text.clone().into_bytes().into(),
        };
        a.send(&user, Some(messenger), call.abi_encode().into()).await?;
    }
    let lock = TokenHome::lockCall { amount: U256::from(LOCKED), recipient: user.address() };
    a.send(&user, Some(home), lock.abi_encode().into()).await?;
    timeline
        .line("A", format!("the user sent {} messenger sends and a lock of {LOCKED} tokens", args.messages));

    let expected_a_to_b = args.messages.saturating_add(1);
    let (mut delivered_a_to_b, mut delivered_b_to_a, mut burn_sent) = (0usize, 0usize, false);
    let mut aggregations: Vec<Duration> = Vec::new();
    let mut latencies: Vec<Duration> = Vec::new();
    let mut invalid_dropped = 0usize;
    let overall = tokio::time::sleep(Duration::from_secs(60));
    tokio::pin!(overall);
    while delivered_a_to_b < expected_a_to_b || delivered_b_to_a < 1 {
        let event = tokio::select! {
            event = events.recv() => event.ok_or_else(|| DemoError::Relay("relayers stopped".into()))?,
            () = &mut overall => return Err(DemoError::Relay("not delivered within 60 s".into())),
        };
        let (label, event) = match event {
            DevnetEvent::Relay { source, destination, event } => (format!("{source}→{destination}"), event),
            DevnetEvent::MiningFailed { chain, reason } => {
                return Err(DemoError::Setup(format!("chain {chain}: {reason}")))
            }
        };
        let a_to_b = label == "A→B";
        match event {
            RelayEvent::Seen { id, route, block } => timeline.line(
                &label,
                format!(
                    "{} in source block {block}: {route} message {}",
                    if a_to_b { "A" } else { "B" },
                    short(&id.0)
                ),
            ),
            RelayEvent::Progress { id, progress } => timeline.progress(&short(&id.0), &progress),
            RelayEvent::Aggregated { id, signers, signed_weight, needed, progress, elapsed } => {
                aggregations.push(elapsed);
                invalid_dropped = invalid_dropped.saturating_add(progress.invalid);
                timeline.line(&label, format!(
                    "{} signed by {signers} validators, weight {signed_weight} ≥ {needed} needed, in {} ms ({} answers, {} wrong signatures dropped, {} refused)",
                    short(&id.0), elapsed.as_millis(), progress.valid.saturating_add(progress.invalid).saturating_add(progress.refused), progress.invalid, progress.refused
                ));
                timeline.line(&label, format!("  {}", bar(&progress)));
            }
            RelayEvent::Submitted { id, tx, gas_limit, predicate_gas } => timeline.line(
                &label,
                format!(
                    "{} submitted as {}: gas limit {gas_limit} (predicate {predicate_gas})",
                    short(&id.0),
                    short(tx.as_slice())
                ),
            ),
            RelayEvent::Delivered(d) => {
                latencies.push(d.elapsed);
                timeline.line(
                    &label,
                    format!(
                        "{} delivered: {} block {}, {} gas, effect confirmed, {} ms after accept",
                        short(&d.id.0),
                        if a_to_b { "B" } else { "A" },
                        d.block,
                        d.gas_used,
                        d.elapsed.as_millis()
                    ),
                );
                if a_to_b {
                    delivered_a_to_b = delivered_a_to_b.saturating_add(1);
                } else {
                    delivered_b_to_a = delivered_b_to_a.saturating_add(1);
                }
            }
            RelayEvent::AlreadyDelivered { id } => {
                timeline.line(&label, format!("{} already delivered: skipped", short(&id.0)))
            }
            RelayEvent::Retrying { id, attempt, reason } => timeline
                .line(&label, format!("{} attempt {attempt} failed, trying again: {reason}", short(&id.0))),
            RelayEvent::Failed { id, reason } => {
                return Err(DemoError::Relay(format!("{label} {}: {reason}", short(&id.0))))
            }
        }
        if !burn_sent && delivered_a_to_b == expected_a_to_b {
            burn_sent = true;
            let burn = TokenRemote::burnCall { amount: U256::from(BURNED), recipient: user.address() };
            b.send(&user, Some(remote), burn.abi_encode().into()).await?;
            timeline.line("B", format!("the user burns {BURNED} of the {LOCKED} minted tokens, back to A"));
        }
    }
    tasks.abort_all();

    timeline.heading("4. Chain B holds what was sent (read through eth_call)");
    let count = b.view(messenger, CrossChainMessenger::receivedCountCall {}).await?;
    let last = b.view(messenger, CrossChainMessenger::lastDataCall {}).await?;
    let minted = b.view(remote, TokenRemote::mintedCall {}).await?;
    let token_b = b.view(remote, TokenRemote::tokenCall {}).await?;
    let balance_b = b.view(token_b, BridgeToken::balanceOfCall { account: user.address() }).await?;
    let locked = a.view(home, TokenHome::lockedCall {}).await?;
    let balance_a = a.view(token_a, BridgeToken::balanceOfCall { account: user.address() }).await?;
    let expected_last = texts.last().cloned().unwrap_or_default();
    let checks = [
        ("messages received on B", count == U256::from(args.messages), format!("{count}")),
        (
            "last message on B",
            last.as_ref() == expected_last.as_bytes() || args.messages == 0,
            format!("{:?}", String::from_utf8_lossy(&last)),
        ),
        (
            "outstanding minted on B (minted − burned)",
            minted == U256::from(LOCKED - BURNED),
            format!("{minted}"),
        ),
        ("user's balance on B", balance_b == U256::from(LOCKED - BURNED), format!("{balance_b}")),
        ("still locked on A", locked == U256::from(LOCKED - BURNED), format!("{locked}")),
        (
            "user's balance on A",
            balance_a == U256::from(TOKEN_SUPPLY - LOCKED + BURNED),
            format!("{balance_a}"),
        ),
    ];
    for (what, ok, value) in &checks {
        timeline.line("check", format!("{what}: {value} {}", if *ok { "✓" } else { "✗" }));
    }
    if let Some((what, _, value)) = checks.iter().find(|(_, ok, _)| !ok) {
        return Err(DemoError::Check(format!("{what} is {value}")));
    }

    timeline.heading("5. Replay chain B from its blocks alone (no validator registry, no BLS)");
    let live_root = b.latest_block().await?.header.inner.state_root;
    let (blocks, config, genesis) =
        dev_b.node.with_chain(|c| (c.blocks().to_vec(), c.config().clone(), c.genesis().clone()));
    let started = Instant::now();
    let replayed =
        Chain::replay(config, genesis, &blocks).map_err(|e| DemoError::Check(format!("replay: {e}")))?;
    let replay_time = started.elapsed();
    let same = replayed.state_root() == live_root;
    timeline.line(
        "B'",
        format!(
            "{} blocks replayed in {} ms: state root {} {} eth_getBlockByNumber's {}",
            blocks.len(),
            replay_time.as_millis(),
            replayed.state_root(),
            if same { "==" } else { "!=" },
            live_root
        ),
    );
    if !same {
        return Err(DemoError::Check("replayed state root differs".into()));
    }
    let _ = stop.send(());
    let _ = server.await;

    let ms = |d: &Duration| d.as_secs_f64() * 1e3;
    let mean =
        |v: &[Duration]| if v.is_empty() { 0.0 } else { v.iter().map(ms).sum::<f64>() / v.len() as f64 };
    timeline.heading("Summary");
    println!(
        "{} messages delivered ({} A→B, {} B→A) with {n} validators per chain; {invalid_dropped} wrong signatures dropped",
        delivered_a_to_b.saturating_add(delivered_b_to_a),
        delivered_a_to_b,
        delivered_b_to_a
    );
    println!(
        "aggregation {:.1} ms on average, accept-to-receipt {:.1} ms on average; total {:.2} s",
        mean(&aggregations),
        mean(&latencies),
        timeline.start.elapsed().as_secs_f64()
    );
    Ok(())
}
