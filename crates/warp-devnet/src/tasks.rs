//! What runs behind the server: per chain a block producer (automine: every
//! admitted transaction is mined as soon as it can be; with `--block-time`,
//! a block every interval, empty or not, as anvil mines), and per ordered
//! pair of chains a relayer that carries the example messenger's messages
//! (and any other routes an embedder adds, as `warp demo` adds its bridge's).

use std::sync::Arc;
use std::time::Duration;

use alloy_sol_types::{SolCall, SolError};
use tokio::task::JoinSet;
use warp_node::apps::CrossChainMessenger;
use warp_relayer::{Aggregator, AggregatorConfig, RelayEvent, Relayer, RelayerConfig, Route};

use crate::network::{relayer_wallet, DevChain, Devnet, DevnetError};

/// Something the background tasks report.
#[derive(Debug, Clone)]
pub enum DevnetEvent {
    /// A relayer's step.
    Relay {
        /// The source chain's name.
        source: String,
        /// The destination chain's name.
        destination: String,
        /// What happened.
        event: RelayEvent,
    },
    /// A block could not be produced.
    MiningFailed {
        /// The chain's name.
        chain: String,
        /// Why.
        reason: String,
    },
}

/// Where the tasks report.
pub type Report = Arc<dyn Fn(DevnetEvent) + Send + Sync>;

/// A route for the relayer from `source` to `destination`, besides the
/// messenger's.
#[derive(Debug, Clone)]
pub struct ExtraRoute {
    /// The source chain's name.
    pub source: String,
    /// The destination chain's name.
    pub destination: String,
    /// The route.
    pub route: Route,
    /// The selector of the destination app's "already delivered" error.
    pub replay_error: Option<[u8; 4]>,
}

fn produce_all(chain: &DevChain, report: &Report) {
    loop {
        match chain.node.produce_block() {
            Ok(Some(_)) => {}
            Ok(None) => return,
            Err(e) => {
                report(DevnetEvent::MiningFailed { chain: chain.name.clone(), reason: e.to_string() });
                return;
            }
        }
    }
}

/// Starts the producers and (unless turned off) the relayers.
pub fn spawn(
    devnet: &Arc<Devnet>,
    on_event: impl Fn(DevnetEvent) + Send + Sync + 'static,
) -> Result<JoinSet<()>, DevnetError> {
    let report: Report = Arc::new(on_event);
    let mut tasks = JoinSet::new();
    spawn_producers(devnet, &report, &mut tasks);
    if devnet.config().relayer {
        spawn_relayers(devnet, &[], &report, &mut tasks)?;
    }
    Ok(tasks)
}

/// Starts each chain's block producer (and interval miner) on `tasks`.
pub fn spawn_producers(devnet: &Arc<Devnet>, report: &Report, tasks: &mut JoinSet<()>) {
    for dev_chain in devnet.chains() {
        let (chain, reporter) = (Arc::clone(dev_chain), Arc::clone(report));
        tasks.spawn(async move {
            loop {
                chain.node.pending_notified().await;
                if chain.automine() {
                    produce_all(&chain, &reporter);
                }
            }
        });
        if let Some(interval) = devnet.config().block_time {
            let (chain, reporter) = (Arc::clone(dev_chain), Arc::clone(report));
            tasks.spawn(async move {
                let mut ticks = tokio::time::interval(interval);
                ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                ticks.tick().await;
                loop {
                    ticks.tick().await;
                    if let Err(e) = chain.node.mine() {
                        reporter(DevnetEvent::MiningFailed {
                            chain: chain.name.clone(),
                            reason: e.to_string(),
                        });
                    }
                }
            });
        }
    }
}

/// How many of `chain`'s validators the relayer asks at once: the heaviest
/// that meet `quorum`, and a tenth more (at least four more).
fn in_flight_for(chain: &DevChain, quorum: awm_core::Quorum) -> usize {
    let mut weights: Vec<u64> = chain.keys.iter().map(|k| k.weight).collect();
    weights.sort_unstable_by(|a, b| b.cmp(a));
    let total = weights.iter().fold(0u64, |s, w| s.saturating_add(*w));
    let mut signed = 0u64;
    let needed = weights
        .iter()
        .position(|w| {
            signed = signed.saturating_add(*w);
            quorum.is_met(signed, total)
        })
        .map_or(weights.len(), |i| i.saturating_add(1));
    needed.saturating_add((needed / 10).max(4))
}

/// Starts a relayer per ordered pair of chains on `tasks`, carrying the
/// messenger's messages and `extra` routes.
pub fn spawn_relayers(
    devnet: &Arc<Devnet>,
    extra: &[ExtraRoute],
    report: &Report,
    tasks: &mut JoinSet<()>,
) -> Result<(), DevnetError> {
    let apps = devnet.apps();
    let config = devnet.config();
    for source in devnet.chains() {
        for destination in devnet.chains().iter().filter(|d| d.index != source.index) {
            // Every validator of this devnet shares the machine's cores: ask as many at once
            // as the quorum needs (heaviest first) and a margin, not all of them.
            let quorum = config
                .quorums
                .iter()
                .find(|(receiver, from, _)| *receiver == destination.name && *from == source.name)
                .map_or(config.quorum, |(_, _, q)| *q);
            let aggregator = AggregatorConfig {
                request_timeout: config.request_timeout,
                deadline: config.deadline,
                max_in_flight: in_flight_for(source, quorum),
            };
            let mut routes = vec![Route {
                name: "messenger".into(),
                source_address: apps.messenger,
                destination: apps.messenger,
                calldata: CrossChainMessenger::receiveMessageCall { index: 0 }.abi_encode().into(),
                destination_chain_word: Some(1),
            }];
            let mut replay_errors = vec![CrossChainMessenger::AlreadyReceived::SELECTOR];
            for e in extra.iter().filter(|e| e.source == source.name && e.destination == destination.name) {
                routes.push(e.route.clone());
                replay_errors.extend(e.replay_error);
            }
            let relayer = Relayer::new(
                Arc::clone(&source.node),
                Arc::clone(&destination.node),
                Aggregator::new(Arc::clone(&source.network), aggregator),
                RelayerConfig {
                    wallet: relayer_wallet(&source.name, &destination.name)?,
                    routes,
                    receipt_timeout: Duration::from_secs(30),
                    replay_errors,
                    attempts: 3,
                    concurrency: config.relayer_concurrency,
                },
            );
            let (from, to, report) = (source.name.clone(), destination.name.clone(), Arc::clone(report));
            tasks.spawn(relayer.run(move |event| {
                report(DevnetEvent::Relay { source: from.clone(), destination: to.clone(), event })
            }));
        }
    }
    Ok(())
}
