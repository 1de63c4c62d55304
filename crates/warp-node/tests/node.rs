//! What a devnet asks of a node: empty blocks and chosen timestamps, reads at
//! recent block numbers, direct state changes, snapshots and reverts, and
//! impersonated senders, all of which survive a restart from the data directory.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{SystemTime, UNIX_EPOCH};

use alloy_primitives::{Address, Bytes, TxKind, B256, U256};
use awm_core::{FixedValidatorState, Id, PChainRegistry};
use warp_node::config::GenesisAccount;
use warp_node::executor::StateOverride;
use warp_node::node::Clock;
use warp_node::{Chain, ChainConfig, ChainError, Genesis, Node, TxRequest, Wallet};

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

const CHAIN_ID: u64 = 31_337;

fn wallet() -> Wallet {
    Wallet::from_seed("node test").unwrap()
}

fn config() -> ChainConfig {
    ChainConfig::new(12345, Id([0xe1; 32]), Id([0xe2; 32]), CHAIN_ID)
}

fn genesis() -> Genesis {
    Genesis {
        timestamp: 1_000,
        alloc: vec![(wallet().address(), GenesisAccount::funded(U256::from(10u128.pow(24))))],
    }
}

fn open(dir: &Path) -> Node {
    Node::open(dir, config(), genesis(), Arc::new(PChainRegistry::new()), Vec::new()).unwrap()
}

fn transfer(to: Address, value: u64) -> TxRequest {
    TxRequest { to: TxKind::Call(to), value: U256::from(value), gas_limit: 21_000, ..Default::default() }
}

#[test]
fn empty_blocks_chosen_timestamps_and_reads_at_a_number() {
    let node = Node::new(Chain::new(config(), genesis()), Arc::new(PChainRegistry::new()), Vec::new());
    let to = Address::repeat_byte(0x77);
    assert_eq!(node.mine().unwrap().block.transactions.len(), 0);
    node.set_clock(Clock { next: Some(5_000), ..Clock::default() });
    node.sign_and_submit(&wallet(), transfer(to, 7)).unwrap();
    let built = node.produce_block().unwrap().unwrap();
    assert_eq!((built.block.number(), built.block.timestamp()), (2, 5_000));
    // The next one falls back to parent + 1.
    assert_eq!(node.mine().unwrap().block.timestamp(), 5_001);
    node.sign_and_submit(&wallet(), transfer(to, 8)).unwrap();
    node.produce_block().unwrap().unwrap();
    node.with_chain(|c| {
        assert_eq!(c.state_at(1).unwrap().balance(to), U256::ZERO);
        assert_eq!(c.state_at(2).unwrap().balance(to), U256::from(7));
        assert_eq!(c.state_at(4).unwrap().balance(to), U256::from(15));
        assert!(c.state_at(5).is_none());
    });
    // A wall clock: never before the parent's time (blocks may share a second, as on Subnet-EVM).
    node.set_clock(Clock { wall: true, offset: -1_000_000_000_000, next: None });
    assert_eq!(node.mine().unwrap().block.timestamp(), 5_002);
    assert_eq!(node.mine().unwrap().block.timestamp(), 5_002);
    node.set_clock(Clock { wall: true, offset: 3_600, next: None });
    let now = SystemTime::now().duration_since(UNIX_EPOCH).unwrap().as_secs();
    assert!(node.mine().unwrap().block.timestamp() >= now + 3_600);
}

#[test]
fn state_changes_snapshots_and_impersonation_survive_a_restart() {
    let dir = TempDir::new("devnet-node");
    let rich = Address::repeat_byte(0xaa);
    let contract = Address::repeat_byte(0xcc);
    let impersonated = Address::repeat_byte(0xbe);
    let (head, root) = {
        let node = open(dir.path());
        node.override_state(StateOverride::Balance(rich, U256::from(10u128.pow(20)))).unwrap();
        node.override_state(StateOverride::Code(
            contract,
            Bytes::from_static(&[0x60, 0x2a, 0x60, 0x00, 0x55, 0x00]),
        ))
        .unwrap();
        node.override_state(StateOverride::Storage(
            contract,
            B256::with_last_byte(1),
            B256::with_last_byte(9),
        ))
        .unwrap();
        node.override_state(StateOverride::Nonce(rich, 5)).unwrap();
        // An impersonated account spends what it was given.
        node.override_state(StateOverride::Balance(impersonated, U256::from(10u128.pow(18)))).unwrap();
        node.submit_impersonated(impersonated, transfer(rich, 3)).unwrap();
        let built = node.produce_block().unwrap().unwrap();
        assert_eq!(built.block.senders, vec![impersonated]);
        assert!(built.receipts[0].success);
        assert_eq!(built.receipts[0].from, impersonated);

        // A snapshot, more blocks, a revert: the blocks and the change are gone.
        let id = node.snapshot();
        node.sign_and_submit(&wallet(), transfer(rich, 1)).unwrap();
        node.produce_block().unwrap().unwrap();
        node.override_state(StateOverride::Balance(contract, U256::from(1))).unwrap();
        node.mine().unwrap();
        assert_eq!(node.with_chain(Chain::height), 3);
        assert!(node.revert(id).unwrap());
        assert!(!node.revert(id).unwrap(), "a snapshot is used once");
        node.with_chain(|c| {
            assert_eq!(c.height(), 1);
            assert_eq!(c.balance(contract), U256::ZERO);
            assert_eq!(c.nonce(rich), 5);
            assert_eq!(c.balance(rich), U256::from(10u128.pow(20) + 3));
            assert_eq!(c.storage(contract, U256::from(1)), U256::from(9));
            (c.head_hash(), c.state_root())
        })
    };
    // Reopened: the overrides replay at their place, the impersonated transaction
    // bootstraps with its recorded sender, the reverted blocks stay gone.
    let node = open(dir.path());
    node.with_chain(|c| {
        assert_eq!((c.head_hash(), c.state_root()), (head, root));
        assert_eq!(c.code(contract).as_ref(), &[0x60, 0x2a, 0x60, 0x00, 0x55, 0x00]);
    });

    // A verifying import does not take a block whose sender is not its signature's.
    let block = node.with_chain(|c| c.block(1).unwrap().0.clone());
    let mut fresh = Chain::new(config(), genesis());
    fresh.apply_override(StateOverride::Balance(impersonated, U256::from(10u128.pow(18))));
    let err = fresh.import_block(block, FixedValidatorState::new()).unwrap_err();
    assert!(matches!(err, ChainError::InvalidTransaction { position: 0, .. }), "{err}");
}

/// A transaction with a warp predicate has it verified when the mempool admits
/// it, and the block that carries it reads the verdict from the chain's cache;
/// a transaction the mempool refuses costs no BLS work.
#[test]
fn predicates_are_verified_at_admission_and_the_block_reuses_the_verdicts() {
    use alloy_consensus::TxEip1559;
    use awm_core::bls::{self, SecretKey};
    use awm_core::{AddressedCall, BitSetSignature, Message, NodeId, SignerBitSet, UnsignedMessage};
    use warp_predicate::{warp_access_list, CacheStats};

    let dir = TempDir::new("verdicts");
    let (source_chain, source_subnet) = (Id([0x5c; 32]), Id([0x5b; 32]));
    let registry = Arc::new(PChainRegistry::new());
    let keys: Vec<SecretKey> = (1..=3u8).map(|i| SecretKey::from_seed(&[i; 32]).unwrap()).collect();
    registry.create_chain(source_chain, source_subnet);
    for (i, k) in keys.iter().enumerate() {
        registry
            .register_validator(
                1,
                source_subnet,
                NodeId([i as u8 + 1; 20]),
                k.public_key(),
                &k.proof_of_possession(),
                10,
            )
            .unwrap();
    }
    let node = Node::open(dir.path(), config(), genesis(), Arc::clone(&registry), Vec::new()).unwrap();

    // A message from the source signed by all three validators.
    let unsigned = UnsignedMessage::new(
        12345,
        source_chain,
        AddressedCall::new(vec![0xab; 20], b"hi".to_vec()).unwrap().to_bytes(),
    )
    .unwrap();
    let set = awm_core::ValidatorState::validator_set(&*registry, &source_subnet, 1).unwrap();
    let sigs: Vec<_> = keys.iter().map(|k| k.sign(&unsigned.to_bytes())).collect();
    let signers: Vec<usize> = keys.iter().map(|k| set.index_of(&k.public_key()).unwrap()).collect();
    let signed = Message::new(
        unsigned,
        BitSetSignature::new(
            SignerBitSet::from_indices(signers),
            bls::aggregate_signatures(&sigs).unwrap().to_bytes(),
        ),
    );
    let tx = |nonce: u64, from: &Wallet| {
        from.sign_envelope(TxEip1559 {
            chain_id: CHAIN_ID,
            nonce,
            gas_limit: 300_000,
            max_fee_per_gas: 100_000_000_000,
            max_priority_fee_per_gas: 0,
            to: TxKind::Call(Address::repeat_byte(0x42)),
            value: U256::ZERO,
            access_list: warp_access_list([signed.to_bytes().as_slice()]),
            input: Bytes::new(),
        })
    };
    let stats = || node.with_chain(|c| c.verdict_cache().unwrap().stats());

    // Refused (an unfunded sender): no verification.
    let broke = Wallet::from_seed("no funds").unwrap();
    assert!(node.submit(tx(0, &broke)).is_err());
    assert_eq!(stats(), CacheStats::default());
    // Admitted: verified once, remembered.
    let hash = node.submit(tx(0, &wallet())).unwrap();
    assert_eq!(stats(), CacheStats { hits: 0, misses: 1 });
    // The block reads the verdict: the predicate is valid, and no new verification ran.
    let built = node.mine().unwrap();
    assert_eq!(stats(), CacheStats { hits: 1, misses: 1 });
    assert!(built.block.transactions.iter().any(|t| warp_node::tx::hash(t) == hash));
    let results = warp_predicate::ExtraLayout::SubnetEvm.results(&built.block.header.extra_data).unwrap();
    assert!(!results.failed(&hash, &warp_predicate::WARP_ADDRESS, 0));
    assert!(results.get(&hash, &warp_predicate::WARP_ADDRESS).is_some());
}
