//! `warp demo`: the whole system on one machine, in seconds.
//!
//! 1. The embedded P-Chain gets two subnets, each validating one chain (A and
//!    B), with `--validators` validators each, registered with proofs of
//!    possession.
//! 2. Both chains start (revm with the warp precompile, activated by block 2's
//!    timestamp), and the example apps from `contracts/artifacts/` are deployed:
//!    a `CrossChainMessenger` on each chain, a `TokenHome` with its token on A, a
//!    `TokenRemote` on B.
//! 3. A sends `--messages` messages to B and locks tokens for B; once minted on
//!    B, part is burned back to A.
//! 4. Two relayers (A→B and B→A) follow the accepted blocks, gather signatures
//!    from the validators over ACP-118 (some slow, silent or lying, by flag),
//!    and deliver each message in an access-list predicate, checked by the
//!    receiver against the quorum it asks of that source (by flag).
//! 5. B's state is checked against what was sent; then B is replayed from its
//!    blocks alone, without validator sets, and must reach the same state root.

use std::fmt::Write as _;
use std::io::{IsTerminal, Write as _};
use std::sync::Arc;
use std::time::{Duration, Instant};

use alloy_primitives::{Address, Bytes, TxKind, U256};
use alloy_sol_types::{SolCall, SolConstructor, SolError};
use awm_core::{Id, Quorum, QuorumPolicy};
use thiserror::Error;
use tokio::sync::mpsc;
use warp_node::apps::{App, BridgeToken, CrossChainMessenger, TokenHome, TokenRemote};
use warp_node::config::{quorum_from_numerator, GenesisAccount, MIN_QUORUM_NUMERATOR};
use warp_node::devnet::{register_subnet, signing_services, validator_keys, ValidatorKey};
use warp_node::executor::call_env;
use warp_node::{
    Chain, ChainConfig, Genesis, Node, PChain, TxRequest, Wallet, WarpParams, WarpUpgrades,
    ACTIVATED_PRECOMPILE_CODE,
};
use warp_predicate::{FailureBits, WARP_ADDRESS};
use warp_relayer::{
    Aggregator, AggregatorConfig, Behaviour, InProcessNetwork, Progress, RelayEvent, Relayer, RelayerConfig,
    Route,
};

const NETWORK_ID: u32 = 12345;
const CHAIN_A: Id = Id([0xaa; 32]);
const CHAIN_B: Id = Id([0xbb; 32]);
const SUBNET_A: Id = Id([0x1a; 32]);
const SUBNET_B: Id = Id([0x1b; 32]);
/// The EVM chain IDs of A and B.
const EVM_CHAIN_A: u64 = 77_701;
const EVM_CHAIN_B: u64 = 77_702;
const GENESIS_TIME: u64 = 1_700_000_000;
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

/// The demo's user (it sends messages and bridges tokens on both chains).
fn user() -> Wallet {
    // A fixed seed always makes a key.
    Wallet::from_seed("warp demo user").unwrap_or_else(|_| unreachable_wallet())
}

/// A relayer's account, by direction.
fn relayer_wallet(direction: &str) -> Wallet {
    Wallet::from_seed(&format!("warp demo relayer {direction}")).unwrap_or_else(|_| unreachable_wallet())
}

/// Keccak-256 of a seed is a valid secp256k1 key but for a 2⁻¹²⁸ chance; never seen.
fn unreachable_wallet() -> Wallet {
    let mut key = [0u8; 32];
    key[31] = 1;
    Wallet::from_bytes(&key).unwrap_or_else(|e| panic!("the key 1 is valid: {e}"))
}

/// A chain of the demo: its node, validators and how they behave.
struct DemoChain {
    name: &'static str,
    node: Arc<Node>,
    keys: Vec<ValidatorKey>,
    config: ChainConfig,
    genesis: Genesis,
}

impl DemoChain {
    /// Signs and submits a call (`None`: a creation) from `wallet`.
    fn submit(&self, wallet: &Wallet, to: Option<Address>, input: Vec<u8>) -> Result<(), DemoError> {
        let request = TxRequest {
            to: to.map_or(TxKind::Create, TxKind::Call),
            input: Bytes::from(input),
            gas_limit: 5_000_000,
            ..Default::default()
        };
        self.node.sign_and_submit(wallet, request).map(|_| ()).map_err(setup(self.name))
    }

    /// Submits the user's `calls` (`None`: a creation) and seals them in one
    /// block; every one must succeed.
    fn block(
        &self,
        timeline: &Timeline,
        what: &str,
        calls: Vec<(Option<Address>, Vec<u8>)>,
    ) -> Result<Vec<Option<Address>>, DemoError> {
        let user = user();
        for (to, input) in calls {
            self.submit(&user, to, input)?;
        }
        let built = self
            .node
            .produce_block()
            .map_err(setup(self.name))?
            .ok_or_else(|| DemoError::Setup("empty block".into()))?;
        if let Some(e) = built.excluded.first() {
            return Err(DemoError::Setup(format!(
                "{}: transaction {} left out: {}",
                self.name, e.tx, e.reason
            )));
        }
        if let Some(r) = built.receipts.iter().find(|r| !r.success) {
            return Err(DemoError::Setup(format!(
                "{}: transaction {} failed: 0x{}",
                self.name,
                r.tx_hash,
                alloy_primitives::hex::encode(&r.output)
            )));
        }
        timeline.line(&format!("{}#{}", self.name, built.block.number()), what);
        Ok(built.receipts.iter().map(|r| r.contract_address).collect())
    }

    fn view<C: SolCall>(&self, to: Address, call: C) -> Result<C::Return, DemoError> {
        let env = call_env(
            user().address(),
            TxKind::Call(to),
            call.abi_encode().into(),
            U256::ZERO,
            0,
            Default::default(),
        );
        let outcome = self
            .node
            .with_chain(|c| c.call(env, FailureBits::none_failed(), c.head_timestamp().saturating_add(1)))
            .map_err(setup(self.name))?;
        C::abi_decode_returns(&outcome.output).map_err(setup("view output"))
    }
}

fn behaviours(args: &DemoArgs, n: usize) -> Vec<Behaviour> {
    let count =
        |pct: u64| n.saturating_mul(usize::try_from(pct).unwrap_or(100)).checked_div(100).unwrap_or(0);
    let (lying, silent, slow) = (count(args.lying), count(args.silent), count(args.slow));
    // Spread the faults over the weights: validator i gets rank (i × 37) mod n.
    (0..n)
        .map(|i| {
            let rank = i.saturating_mul(37).checked_rem(n).unwrap_or(0);
            if rank < lying {
                Behaviour::Lying
            } else if rank < lying.saturating_add(silent) {
                Behaviour::Silent
            } else if rank < lying.saturating_add(silent).saturating_add(slow) {
                Behaviour::Slow(Duration::from_millis(args.slow_ms))
            } else {
                Behaviour::Honest
            }
        })
        .collect()
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

/// Runs the demo.
pub fn run(args: &DemoArgs) -> Result<(), DemoError> {
    let (quorum_a, quorum_b) = check_args(args)?;
    let runtime =
        tokio::runtime::Builder::new_multi_thread().enable_time().build().map_err(setup("tokio"))?;
    runtime.block_on(demo(args, quorum_a, quorum_b))
}

async fn demo(args: &DemoArgs, quorum_a: Quorum, quorum_b: Quorum) -> Result<(), DemoError> {
    let timeline = Timeline { start: Instant::now(), live: std::io::stdout().is_terminal() };
    let n = args.validators;

    timeline.heading("1. The P-Chain registers two subnets' validators, with proofs of possession");
    let pchain = PChain::in_memory();
    let weight = |i: usize| 1_000u64.saturating_add((i as u64).saturating_mul(7_919) % 1_000);
    let keys_a = validator_keys("A", n, weight).map_err(setup("keys"))?;
    let keys_b = validator_keys("B", n, weight).map_err(setup("keys"))?;
    let height_a = register_subnet(&pchain, CHAIN_A, SUBNET_A, &keys_a).map_err(setup("register A"))?;
    let height_b = register_subnet(&pchain, CHAIN_B, SUBNET_B, &keys_b).map_err(setup("register B"))?;
    let total = |keys: &[ValidatorKey]| keys.iter().fold(0u64, |s, k| s.saturating_add(k.weight));
    timeline.line(
        "P",
        format!(
            "subnet {} validates chain A: {n} validators, weight {}, P-Chain height {height_a}",
            short(&SUBNET_A.0),
            total(&keys_a)
        ),
    );
    timeline.line(
        "P",
        format!(
            "subnet {} validates chain B: {n} validators, weight {}, P-Chain height {height_b}",
            short(&SUBNET_B.0),
            total(&keys_b)
        ),
    );

    timeline.heading("2. Chains A and B start; the precompile activates; the apps are deployed");
    let genesis = Genesis {
        timestamp: GENESIS_TIME,
        alloc: [user(), relayer_wallet("A→B"), relayer_wallet("B→A")]
            .map(|w| (w.address(), GenesisAccount::funded(U256::from(10u128.pow(24)))))
            .to_vec(),
    };
    let start_chain = |name: &'static str,
                       id: Id,
                       subnet: Id,
                       evm: u64,
                       keys: Vec<ValidatorKey>,
                       source: Id,
                       quorum: Quorum| {
        let mut config = ChainConfig::new(NETWORK_ID, id, subnet, evm);
        // Warp activates with the second block; the first deploys without it.
        let params = WarpParams {
            quorum: QuorumPolicy::new(Quorum::DEFAULT).with_chain(source, quorum),
            require_primary_network_signers: false,
        };
        config.warp = WarpUpgrades::enabled_from(GENESIS_TIME + 2, params);
        let chain = Chain::new(config.clone(), genesis.clone());
        let validators = signing_services(&keys, NETWORK_ID, id);
        let node = Arc::new(Node::new(chain, Arc::clone(pchain.registry()), validators));
        DemoChain { name, node, keys, config, genesis: genesis.clone() }
    };
    let a = start_chain("A", CHAIN_A, SUBNET_A, EVM_CHAIN_A, keys_a, CHAIN_B, quorum_b);
    let b = start_chain("B", CHAIN_B, SUBNET_B, EVM_CHAIN_B, keys_b, CHAIN_A, quorum_a);
    timeline.line("B", format!("asks {quorum_a} of chain A's stake; A asks {quorum_b} of B's"));

    let token_args = BridgeToken::constructorCall {
        name_: "Demo".into(),
        symbol_: "DMO".into(),
        minter_: user().address(),
        initialSupply: U256::from(TOKEN_SUPPLY),
        initialHolder: user().address(),
    }
    .abi_encode();
    let deployed_a = a.block(
        &timeline,
        "deployed CrossChainMessenger and BridgeToken (warp not active yet)",
        vec![
            (None, App::CrossChainMessenger.creation_code(&[]).map_err(setup("artifact"))?.to_vec()),
            (None, App::BridgeToken.creation_code(&token_args).map_err(setup("artifact"))?.to_vec()),
        ],
    )?;
    let (messenger_a, token_a) = match deployed_a.as_slice() {
        [Some(m), Some(t)] => (*m, *t),
        _ => return Err(DemoError::Setup("deployment on A created no contracts".into())),
    };
    let deployed_b = b.block(
        &timeline,
        "deployed CrossChainMessenger",
        vec![(None, App::CrossChainMessenger.creation_code(&[]).map_err(setup("artifact"))?.to_vec())],
    )?;
    let Some(Some(messenger_b)) = deployed_b.first().copied() else {
        return Err(DemoError::Setup("deployment on B created no contract".into()));
    };
    let home_args = TokenHome::constructorCall { token: token_a }.abi_encode();
    let home = match a
        .block(
            &timeline,
            "deployed TokenHome; the precompile is active from this block",
            vec![(None, App::TokenHome.creation_code(&home_args).map_err(setup("artifact"))?.to_vec())],
        )?
        .first()
    {
        Some(Some(home)) => *home,
        _ => return Err(DemoError::Setup("TokenHome not created".into())),
    };
    let remote_args = TokenRemote::constructorCall {
        homeChainID: CHAIN_A.0.into(),
        homeBridge: home,
        mintCap: U256::from(LOCKED * 2),
    }
    .abi_encode();
    let remote = match b
        .block(
            &timeline,
            "deployed TokenRemote (its token mints what A locks)",
            vec![(None, App::TokenRemote.creation_code(&remote_args).map_err(setup("artifact"))?.to_vec())],
        )?
        .first()
    {
        Some(Some(remote)) => *remote,
        _ => return Err(DemoError::Setup("TokenRemote not created".into())),
    };
    for chain in [&a, &b] {
        let account = chain.node.with_chain(|c| c.account(WARP_ADDRESS)).unwrap_or_default();
        let code = account.code.map(|c| c.original_bytes()).unwrap_or_default();
        timeline.line(
            chain.name,
            format!(
                "0x0200…05 holds nonce {} and code 0x{} (activated: {})",
                account.nonce,
                alloy_primitives::hex::encode(&code),
                account.nonce == 1 && code.as_ref() == ACTIVATED_PRECOMPILE_CODE
            ),
        );
    }
    b.block(
        &timeline,
        "messenger allows chain A's messenger",
        vec![(
            Some(messenger_b),
            CrossChainMessenger::allowSenderCall { sourceChainID: CHAIN_A.0.into(), sender: messenger_a }
                .abi_encode(),
        )],
    )?;
    a.block(
        &timeline,
        "TokenHome configured with B's TokenRemote; the user approves it",
        vec![
            (
                Some(home),
                TokenHome::configureCall { remoteChainID: CHAIN_B.0.into(), remoteBridge: remote }
                    .abi_encode(),
            ),
            (
                Some(token_a),
                BridgeToken::approveCall { spender: home, amount: U256::from(LOCKED) }.abi_encode(),
            ),
        ],
    )?;

    timeline.heading("3. Relayers follow both chains; A sends messages and locks tokens");
    let plan = behaviours(args, n);
    let network = |chain: &DemoChain| {
        let mut net = InProcessNetwork::new(Duration::from_millis(1));
        for (service, behaviour) in chain.node.validators().iter().zip(&plan) {
            net.add(Arc::clone(service), *behaviour);
        }
        Arc::new(net)
    };
    let (net_a, net_b) = (network(&a), network(&b));
    let tally = |kind: fn(&Behaviour) -> bool| plan.iter().filter(|b| kind(b)).count();
    timeline.line(
        "net",
        format!(
            "validators per chain: {} honest, {} slow ({} ms), {} silent, {} lying",
            tally(|b| *b == Behaviour::Honest),
            tally(|b| matches!(b, Behaviour::Slow(_))),
            args.slow_ms,
            tally(|b| *b == Behaviour::Silent),
            tally(|b| *b == Behaviour::Lying),
        ),
    );
    let agg_config = AggregatorConfig {
        request_timeout: Duration::from_millis(args.timeout_ms),
        deadline: Duration::from_millis(args.deadline_ms),
        max_in_flight: usize::MAX,
    };
    let replay_errors = vec![
        CrossChainMessenger::AlreadyReceived::SELECTOR,
        TokenHome::AlreadyProcessed::SELECTOR,
        TokenRemote::AlreadyProcessed::SELECTOR,
    ];
    let a_to_b = Relayer::new(
        Arc::clone(&a.node),
        Arc::clone(&b.node),
        Aggregator::new(net_a, agg_config),
        RelayerConfig {
            wallet: relayer_wallet("A→B"),
            routes: vec![
                Route {
                    name: "messenger".into(),
                    source_address: messenger_a,
                    destination: messenger_b,
                    calldata: CrossChainMessenger::receiveMessageCall { index: 0 }.abi_encode().into(),
                    destination_chain_word: None,
                },
                Route {
                    name: "bridge lock→mint".into(),
                    source_address: home,
                    destination: remote,
                    calldata: TokenRemote::mintCall { index: 0 }.abi_encode().into(),
                    destination_chain_word: None,
                },
            ],
            receipt_timeout: Duration::from_secs(5),
            replay_errors: replay_errors.clone(),
            attempts: 3,
            concurrency: 1,
        },
    );
    let b_to_a = Relayer::new(
        Arc::clone(&b.node),
        Arc::clone(&a.node),
        Aggregator::new(net_b, agg_config),
        RelayerConfig {
            wallet: relayer_wallet("B→A"),
            routes: vec![Route {
                name: "bridge burn→release".into(),
                source_address: remote,
                destination: home,
                calldata: TokenHome::releaseCall { index: 0 }.abi_encode().into(),
                destination_chain_word: None,
            }],
            receipt_timeout: Duration::from_secs(5),
            replay_errors,
            attempts: 3,
            concurrency: 1,
        },
    );
    let (events_tx, mut events) = mpsc::unbounded_channel();
    let mut tasks = tokio::task::JoinSet::new();
    for (label, relayer) in [("A→B", a_to_b), ("B→A", b_to_a)] {
        let sender = events_tx.clone();
        tasks.spawn(relayer.run(move |event| {
            let _ = sender.send((label, event));
        }));
    }
    for chain in [&a, &b] {
        let sender = events_tx.clone();
        let name = chain.name;
        tasks.spawn(Arc::clone(&chain.node).run_producer(Duration::from_millis(2), move |e| {
            let _ = sender.send((name, RelayEvent::Failed { id: Id([0; 32]), reason: e.to_string() }));
        }));
    }
    drop(events_tx);

    let texts: Vec<String> = (1..=args.messages)
        .map(|i| format!("hello B, this is message {i} of {} from A", args.messages))
        .collect();
    let mut sends: Vec<(Address, Vec<u8>)> = texts
        .iter()
        .map(|text| {
            (
                messenger_a,
                CrossChainMessenger::sendMessageCall {
                    destinationChainID: CHAIN_B.0.into(),
                    destination: messenger_b,
                    data: text.clone().into_bytes().into(),
                }
                .abi_encode(),
            )
        })
        .collect();
    sends.push((
        home,
        TokenHome::lockCall { amount: U256::from(LOCKED), recipient: user().address() }.abi_encode(),
    ));
    for (to, input) in sends {
        a.submit(&user(), Some(to), input)?;
    }
    timeline
        .line("A", format!("user submits {} messenger sends and a lock of {LOCKED} tokens", args.messages));

    let expected_a_to_b = args.messages.saturating_add(1);
    let (mut delivered_a_to_b, mut delivered_b_to_a, mut burn_sent) = (0usize, 0usize, false);
    let mut aggregations: Vec<Duration> = Vec::new();
    let mut latencies: Vec<Duration> = Vec::new();
    let mut invalid_dropped = 0usize;
    let overall = tokio::time::sleep(Duration::from_secs(60));
    tokio::pin!(overall);
    while delivered_a_to_b < expected_a_to_b || delivered_b_to_a < 1 {
        let (label, event) = tokio::select! {
            event = events.recv() => event.ok_or_else(|| DemoError::Relay("relayers stopped".into()))?,
            () = &mut overall => return Err(DemoError::Relay("not delivered within 60 s".into())),
        };
        match event {
            RelayEvent::Seen { id, route, block } => timeline.line(
                label,
                format!(
                    "{} in source block {block}: {route} message {}",
                    if label == "A→B" { "A" } else { "B" },
                    short(&id.0)
                ),
            ),
            RelayEvent::Progress { id, progress } => timeline.progress(&short(&id.0), &progress),
            RelayEvent::Aggregated { id, signers, signed_weight, needed, progress, elapsed } => {
                aggregations.push(elapsed);
                invalid_dropped = invalid_dropped.saturating_add(progress.invalid);
                timeline.line(label, format!(
                    "{} signed by {signers} validators, weight {signed_weight} ≥ {needed} needed, in {} ms ({} answers, {} wrong signatures dropped, {} refused)",
                    short(&id.0), elapsed.as_millis(), progress.valid.saturating_add(progress.invalid).saturating_add(progress.refused), progress.invalid, progress.refused
                ));
                timeline.line(label, format!("  {}", bar(&progress)));
            }
            RelayEvent::Submitted { id, tx, gas_limit, predicate_gas } => timeline.line(
                label,
                format!(
                    "{} submitted as {}: gas limit {gas_limit} (predicate {predicate_gas})",
                    short(&id.0),
                    short(tx.as_slice())
                ),
            ),
            RelayEvent::Delivered(d) => {
                latencies.push(d.elapsed);
                let dest = if label == "A→B" { "B" } else { "A" };
                timeline.line(
                    label,
                    format!(
                        "{} delivered: {dest} block {}, {} gas, effect confirmed, {} ms after accept",
                        short(&d.id.0),
                        d.block,
                        d.gas_used,
                        d.elapsed.as_millis()
                    ),
                );
                if label == "A→B" {
                    delivered_a_to_b = delivered_a_to_b.saturating_add(1);
                } else {
                    delivered_b_to_a = delivered_b_to_a.saturating_add(1);
                }
            }
            RelayEvent::AlreadyDelivered { id } => {
                timeline.line(label, format!("{} already delivered: skipped", short(&id.0)))
            }
            RelayEvent::Retrying { id, attempt, reason } => timeline
                .line(label, format!("{} attempt {attempt} failed, trying again: {reason}", short(&id.0))),
            RelayEvent::Failed { id, reason } => {
                return Err(DemoError::Relay(format!("{label} {}: {reason}", short(&id.0))))
            }
        }
        if !burn_sent && delivered_a_to_b == expected_a_to_b {
            burn_sent = true;
            b.submit(
                &user(),
                Some(remote),
                TokenRemote::burnCall { amount: U256::from(BURNED), recipient: user().address() }
                    .abi_encode(),
            )?;
            timeline.line("B", format!("user burns {BURNED} of the {LOCKED} minted tokens, back to A"));
        }
    }
    tasks.abort_all();

    timeline.heading("4. Chain B holds what was sent");
    let count = b.view(messenger_b, CrossChainMessenger::receivedCountCall {})?;
    let last = b.view(messenger_b, CrossChainMessenger::lastDataCall {})?;
    let minted = b.view(remote, TokenRemote::mintedCall {})?;
    let token_b = b.view(remote, TokenRemote::tokenCall {})?;
    let balance_b = b.view(token_b, BridgeToken::balanceOfCall { account: user().address() })?;
    let locked = a.view(home, TokenHome::lockedCall {})?;
    let balance_a = a.view(token_a, BridgeToken::balanceOfCall { account: user().address() })?;
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
    let (blocks, live_root) = b.node.with_chain(|c| (c.blocks().to_vec(), c.state_root()));
    drop(pchain);
    let started = Instant::now();
    let replayed = Chain::replay(b.config.clone(), b.genesis.clone(), &blocks)
        .map_err(|e| DemoError::Check(format!("replay: {e}")))?;
    let replay_time = started.elapsed();
    let same = replayed.state_root() == live_root;
    timeline.line(
        "B'",
        format!(
            "{} blocks replayed in {} ms: state root {} {} live {}",
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

    let ms = |d: &Duration| d.as_secs_f64() * 1e3;
    let mean =
        |v: &[Duration]| if v.is_empty() { 0.0 } else { v.iter().map(ms).sum::<f64>() / v.len() as f64 };
    timeline.heading("Summary");
    println!(
        "{} messages delivered ({} A→B, {} B→A) with {n} validators per chain; {invalid_dropped} wrong signatures dropped",
        delivered_a_to_b.saturating_add(delivered_b_to_a), delivered_a_to_b, delivered_b_to_a
    );
    println!(
        "aggregation {:.1} ms on average, accept-to-receipt {:.1} ms on average; total {:.2} s",
        mean(&aggregations),
        mean(&latencies),
        timeline.start.elapsed().as_secs_f64()
    );
    let _ = (&a.keys, &b.keys);
    Ok(())
}
