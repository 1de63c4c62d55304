//! What runs behind the server: per chain a block producer (automine: every
//! admitted transaction is mined as soon as it can be; with `--block-time`,
//! a block every interval, empty or not, as anvil mines), and per ordered
//! pair of chains a relayer that carries the example messenger's messages.

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

fn produce_all(chain: &DevChain, on_event: &(impl Fn(DevnetEvent) + Send + Sync + 'static)) {
    loop {
        match chain.node.produce_block() {
            Ok(Some(_)) => {}
            Ok(None) => return,
            Err(e) => {
                on_event(DevnetEvent::MiningFailed { chain: chain.name.clone(), reason: e.to_string() });
                return;
            }
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

/// Starts the producers and (unless turned off) the relayers.
pub fn spawn(
    devnet: &Arc<Devnet>,
    on_event: impl Fn(DevnetEvent) + Send + Sync + 'static,
) -> Result<JoinSet<()>, DevnetError> {
    let on_event = Arc::new(on_event);
    let mut tasks = JoinSet::new();
    for dev_chain in devnet.chains() {
        let (chain, report) = (Arc::clone(dev_chain), Arc::clone(&on_event));
        tasks.spawn(async move {
            loop {
                chain.node.pending_notified().await;
                if chain.automine() {
                    produce_all(&chain, &*report);
                }
            }
        });
        if let Some(interval) = devnet.config().block_time {
            let (chain, report) = (Arc::clone(dev_chain), Arc::clone(&on_event));
            tasks.spawn(async move {
                let mut ticks = tokio::time::interval(interval);
                ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
                ticks.tick().await;
                loop {
                    ticks.tick().await;
                    if let Err(e) = chain.node.mine() {
                        report(DevnetEvent::MiningFailed {
                            chain: chain.name.clone(),
                            reason: e.to_string(),
                        });
                    }
                }
            });
        }
    }
    if devnet.config().relayer {
        let apps = devnet.apps();
        for source in devnet.chains() {
            // Every validator of this devnet shares the machine's cores: ask as many at once
            // as the quorum needs (heaviest first) and a margin, not all of them.
            let config = AggregatorConfig {
                request_timeout: Duration::from_secs(2),
                deadline: Duration::from_secs(10),
                max_in_flight: in_flight_for(source, devnet.config().quorum),
            };
            for destination in devnet.chains().iter().filter(|d| d.index != source.index) {
                let relayer = Relayer::new(
                    Arc::clone(&source.node),
                    Arc::clone(&destination.node),
                    Aggregator::new(Arc::clone(&source.network), config),
                    RelayerConfig {
                        wallet: relayer_wallet(&source.name, &destination.name)?,
                        routes: vec![Route {
                            name: "CrossChainMessenger".into(),
                            source_address: apps.messenger,
                            destination: apps.messenger,
                            calldata: CrossChainMessenger::receiveMessageCall { index: 0 }
                                .abi_encode()
                                .into(),
                            destination_chain_word: Some(1),
                        }],
                        receipt_timeout: Duration::from_secs(30),
                        replay_errors: vec![CrossChainMessenger::AlreadyReceived::SELECTOR],
                        attempts: 3,
                        concurrency: 16,
                    },
                );
                let (from, to, report) =
                    (source.name.clone(), destination.name.clone(), Arc::clone(&on_event));
                tasks.spawn(relayer.run(move |event| {
                    report(DevnetEvent::Relay { source: from.clone(), destination: to.clone(), event })
                }));
            }
        }
    }
    Ok(tasks)
}
