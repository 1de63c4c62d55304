//! Nothing acknowledged is lost: a node reopened from its data directory is
//! where it was, and a producer killed with SIGKILL at random moments restarts
//! with every block it acknowledged, none partial, and the same state root.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use alloy_consensus::TxEip1559;
use alloy_primitives::{Bytes, TxKind, B256, U256};
use alloy_sol_types::SolCall;
use awm_core::Id;
use warp_node::config::{GenesisAccount, DEFAULT_BASE_FEE};
use warp_node::devnet::{register_subnet, signing_services, validator_keys};
use warp_node::store::StoreError;
use warp_node::{ChainConfig, Genesis, Node, NodeError, PChain, Wallet};
use warp_precompile::IWarpMessenger;
use warp_predicate::WARP_ADDRESS;

/// A directory under the system temp dir, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(name: &str) -> Self {
        let nanos = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos();
        let dir = std::env::temp_dir().join(format!("warp-node-{name}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }
    fn path(&self) -> &Path {
        &self.0
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

const NETWORK: u32 = 12345;
const CHAIN: Id = Id([0xd1; 32]);
const SUBNET: Id = Id([0x5d; 32]);

fn wallet() -> Wallet {
    Wallet::from_seed("durability test").unwrap()
}

fn genesis(balance: u128) -> Genesis {
    Genesis {
        timestamp: 1_000,
        alloc: vec![(wallet().address(), GenesisAccount::funded(U256::from(balance)))],
    }
}

fn open(dir: &Path, genesis: Genesis) -> Result<(Node, PChain), NodeError> {
    let keys = validator_keys("durability", 4, |_| 100).unwrap();
    let pchain = PChain::open(dir).map_err(NodeError::Store)?;
    if pchain.height() == 0 {
        register_subnet(&pchain, CHAIN, SUBNET, &keys).unwrap();
    }
    let config = ChainConfig::new(NETWORK, CHAIN, SUBNET, 9_999);
    let node = Node::open(
        dir,
        config,
        genesis,
        Arc::clone(pchain.registry()),
        signing_services(&keys, NETWORK, CHAIN),
    )?;
    Ok((node, pchain))
}

#[test]
fn a_node_reopens_where_it_was() {
    let dir = TempDir::new("reopen");
    let w = wallet();
    let (head, root, messages) = {
        let (node, pchain) = open(dir.path(), genesis(10u128.pow(24))).unwrap();
        assert!(node.is_durable());
        for n in 0..3u64 {
            let input =
                IWarpMessenger::sendWarpMessageCall { payload: Bytes::from(vec![n as u8; 10]) }.abi_encode();
            let tx = TxEip1559 {
                chain_id: 9_999,
                nonce: n,
                gas_limit: 200_000,
                max_fee_per_gas: u128::from(DEFAULT_BASE_FEE),
                to: TxKind::Call(WARP_ADDRESS),
                input: input.into(),
                ..Default::default()
            };
            node.submit(w.sign_envelope(tx)).unwrap();
            node.produce_block().unwrap().unwrap();
        }
        assert_eq!(pchain.height(), 1);
        let messages: Vec<_> = node
            .with_chain(|c| (1..=3).flat_map(|n| warp_node::sent_messages(c.block(n).unwrap().1)).collect());
        node.with_chain(|c| (c.head_hash(), c.state_root(), messages))
    };
    let (node, pchain) = open(dir.path(), genesis(10u128.pow(24))).unwrap();
    assert_eq!(pchain.height(), 1, "the P-Chain journal replays");
    assert_eq!(pchain.registry().validators_at(&SUBNET, 1).unwrap().len(), 4);
    node.with_chain(|c| {
        assert_eq!((c.height(), c.head_hash(), c.state_root()), (3, head, root));
        assert_eq!(c.nonce(w.address()), 3);
    });
    let validator = &node.validators()[0];
    assert_eq!(validator.stored_messages(), 3);
    for m in &messages {
        assert!(validator.sign(&m.to_bytes()).is_ok(), "a stored message is signable after the restart");
    }
    let genesis_hash = node.with_chain(|c| c.genesis_hash());
    let attestation = awm_core::UnsignedMessage::new(
        NETWORK,
        CHAIN,
        awm_core::Payload::Hash(awm_core::Hash { hash: Id(head.0) }).to_bytes(),
    )
    .unwrap();
    assert!(validator.sign(&attestation.to_bytes()).is_ok(), "accepted blocks stay accepted");
    drop(node);
    drop(pchain);

    // The directory belongs to that chain: another genesis is refused.
    match open(dir.path(), genesis(1)) {
        Err(NodeError::Store(StoreError::OtherChain { stored, .. })) => assert_eq!(stored, genesis_hash),
        other => panic!("expected OtherChain, got {other:?}"),
    }
}

/// A small deterministic generator (splitmix64), seeded from the clock; the
/// seed is printed so a failing run can be replayed with `WARP_CRASH_SEED`.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

fn producer(dir: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_warp-node-producer"));
    command.arg(dir).args(args);
    command
}

/// `check`'s report: head (number, hash, state root), block hashes, messages (stored, signable).
fn check(dir: &Path) -> ((u64, B256, B256), Vec<B256>, (usize, usize)) {
    let out = producer(dir, &["check"]).output().unwrap();
    assert!(out.status.success(), "check failed: {}", String::from_utf8_lossy(&out.stderr));
    let text = String::from_utf8(out.stdout).unwrap();
    let mut head = None;
    let mut blocks = Vec::new();
    let mut messages = None;
    for line in text.lines() {
        let words: Vec<&str> = line.split(' ').collect();
        match words[0] {
            "head" => {
                head = Some((words[1].parse().unwrap(), words[2].parse().unwrap(), words[3].parse().unwrap()))
            }
            "block" => {
                assert_eq!(words[1].parse::<usize>().unwrap(), blocks.len() + 1);
                blocks.push(words[2].parse().unwrap());
            }
            "messages" => messages = Some((words[1].parse().unwrap(), words[2].parse().unwrap())),
            other => panic!("unexpected line {other}"),
        }
    }
    (head.unwrap(), blocks, messages.unwrap())
}

#[test]
fn sigkill_at_random_moments_loses_nothing_acknowledged() {
    let seed = std::env::var("WARP_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_nanos() as u64);
    println!("WARP_CRASH_SEED={seed}");
    let mut rng = Rng(seed);
    let dir = TempDir::new("sigkill");
    // Every block ever acknowledged, by number.
    let mut acknowledged: Vec<(u64, B256, B256)> = Vec::new();
    for round in 0..6 {
        let mut child = producer(dir.path(), &["produce", "100000"])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        // Read acknowledgements on a thread; kill after a random delay.
        let reader = std::thread::spawn(move || {
            let mut acks = Vec::new();
            for line in BufReader::new(stdout).lines() {
                let Ok(line) = line else { break };
                let words: Vec<&str> = line.split(' ').collect();
                if words.len() == 4 && words[0] == "accepted" {
                    acks.push((
                        words[1].parse::<u64>().unwrap(),
                        words[2].parse::<B256>().unwrap(),
                        words[3].parse::<B256>().unwrap(),
                    ));
                }
            }
            acks
        });
        let delay = Duration::from_millis(200 + rng.below(1_300));
        let started = Instant::now();
        while started.elapsed() < delay {
            std::thread::sleep(Duration::from_millis(5));
        }
        child.kill().unwrap(); // SIGKILL
        child.wait().unwrap();
        let acks = reader.join().unwrap();
        println!("round {round}: killed after {delay:?}, {} blocks acknowledged", acks.len());
        for ack in &acks {
            match acknowledged.iter().find(|(n, _, _)| *n == ack.0) {
                Some(previous) => {
                    assert_eq!(previous, ack, "block {} acknowledged twice with different contents", ack.0)
                }
                None => acknowledged.push(*ack),
            }
        }

        // Reopened: every acknowledged block is there, unchanged; nothing partial
        // (`check` bootstraps every stored block and compares its receipts and roots).
        let ((head, head_hash, root), blocks, (stored, signable)) = check(dir.path());
        for (number, hash, state_root) in &acknowledged {
            assert_eq!(blocks.get(*number as usize - 1), Some(hash), "acknowledged block {number} lost");
            if *number == head {
                assert_eq!((*hash, *state_root), (head_hash, root));
            }
        }
        assert!(head >= acknowledged.iter().map(|a| a.0).max().unwrap_or(0));
        assert_eq!(blocks.len() as u64, head);
        // One sendWarpMessage per block, every one stored and signable.
        assert_eq!((stored, signable), (head as usize, head as usize));
    }
    assert!(acknowledged.len() >= 6, "the producer made progress: {}", acknowledged.len());
}
