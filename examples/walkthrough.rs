//! One warp message from signing to verification, every byte printed, step by
//! step (the two-chain system in motion is `warp demo`).
//!
//! 1. The source subnet's validators (avalanchego's five local-network keys, with
//!    stake weights) are flattened into the canonical set.
//! 2. A contract on the source chain sends a message: an `AddressedCall` inside an
//!    `UnsignedMessage`, identified by the SHA-256 of its bytes.
//! 3. Validators sign it; an aggregator takes the heaviest signers until the exact
//!    quorum holds and folds their signatures into one, with a signer bitset.
//! 4. The receiving chain verifies the signed message against the source's set with
//!    the quorum it asks of that source, and refuses a tampered or under-signed copy.
//! 5. A relayer carries it in a transaction's access list: the predicate's keys and
//!    intrinsic gas; the receiving chain pre-verifies the block, stores the failure
//!    bitsets in the header, and a replaying node reads them back without BLS.
//! 6. The receiving chain executes those transactions in revm with the
//!    `IWarpMessenger` precompile: intrinsic gas includes the predicates, and
//!    `getVerifiedWarpMessage` answers from the header's failure bits.
//!
//! Run with `cargo run --release --example walkthrough`.

use std::error::Error;
use std::time::Instant;

use awm::core::bls::{self, SecretKey, Signature};
use awm::core::*;

const NETWORK_ID: u32 = 12345; // avalanchego's local network

fn short(bytes: &[u8]) -> String {
    let h = hex::encode(bytes);
    if h.len() > 24 {
        format!("0x{}…{}", &h[..12], &h[h.len() - 8..])
    } else {
        format!("0x{h}")
    }
}

fn main() -> Result<(), Box<dyn Error>> {
    println!("== 1. The source subnet's validators ==");
    let keys: Vec<SecretKey> = (1..=5)
        .map(|n| SecretKey::from_bytes(format!("AvalancheLocalNetworkValidator0{n}").as_bytes()))
        .collect::<Result<_, _>>()?;
    let weights = [2_000u64, 3_000, 1_000, 2_500, 1_500];
    let mut validators: Vec<Validator> = keys
        .iter()
        .zip(weights)
        .enumerate()
        .map(|(i, (k, w))| Validator::new(NodeId([i as u8 + 1; 20]), Some(k.public_key()), w))
        .collect();
    // A validator without a BLS key: its stake counts in the total but it can never sign.
    validators.push(Validator::new(NodeId([9; 20]), None, 500));
    for k in &keys {
        let pk = k.public_key();
        println!(
            "  key {} registered with a proof of possession that verifies: {}",
            short(&pk.to_compressed()),
            pk.verify_proof_of_possession(&k.proof_of_possession())
        );
    }
    let started = Instant::now();
    let set = CanonicalValidatorSet::new(validators)?;
    println!(
        "  canonical set built in {:?} (sorted by uncompressed key; keyless stake counts in the total):",
        started.elapsed()
    );
    for (i, v) in set.validators().iter().enumerate() {
        println!(
            "    [{i}] {} weight {:>5}  key {}",
            v.node_ids[0],
            v.weight,
            short(&v.public_key.to_compressed())
        );
    }
    println!("  total weight {}", set.total_weight());

    println!("\n== 2. A contract on the source chain sends a message ==");
    let source_chain = Id([0x5c; 32]);
    let sender = [0xab; 20];
    let call = AddressedCall::new(sender.to_vec(), b"hello from the source chain".to_vec())?;
    let unsigned = UnsignedMessage::new(NETWORK_ID, source_chain, call.to_bytes())?;
    let unsigned_bytes = unsigned.to_bytes();
    println!("  network {NETWORK_ID}, source chain {source_chain}");
    println!(
        "  payload: AddressedCall from {} ({} bytes of data)",
        short(call.source_address()),
        call.payload().len()
    );
    println!("  unsigned message: {} bytes {}", unsigned_bytes.len(), short(&unsigned_bytes));
    println!("  message ID (SHA-256 of those bytes): {} = {}", unsigned.id(), unsigned.id().to_hex());

    println!("\n== 3. Validators sign; the aggregator gathers just enough stake ==");
    let quorum = Quorum::DEFAULT;
    let needed = quorum.required_weight(set.total_weight());
    println!("  quorum {quorum} of {} → at least {needed} must sign", set.total_weight());
    let mut by_weight: Vec<usize> = (0..set.len()).collect();
    by_weight.sort_by_key(|i| std::cmp::Reverse(set.validators()[*i].weight));
    let (mut signers, mut sigs, mut signed) = (Vec::new(), Vec::<Signature>::new(), 0u64);
    for i in by_weight {
        if quorum.is_met(signed, set.total_weight()) {
            break;
        }
        let v = &set.validators()[i];
        let sk = keys.iter().find(|k| k.public_key() == v.public_key).ok_or("validator key not found")?;
        let sig = sk.sign(&unsigned_bytes);
        let ok = v.public_key.verify(&unsigned_bytes, &sig);
        signed += v.weight;
        println!(
            "  [{i}] weight {:>5} signs {} (verifies alone: {ok}); gathered {signed}",
            v.weight,
            short(&sig.to_bytes())
        );
        signers.push(i);
        sigs.push(sig);
    }
    let aggregate = bls::aggregate_signatures(&sigs)?;
    let bitset = SignerBitSet::from_indices(signers.iter().copied());
    println!("  aggregate signature {}", short(&aggregate.to_bytes()));
    println!(
        "  signer bitset 0x{} (index 0 is the low bit of the last byte)",
        hex::encode(bitset.as_bytes())
    );
    let message = Message::new(unsigned.clone(), BitSetSignature::new(bitset, aggregate.to_bytes()));
    let signed_bytes = message.to_bytes();
    println!("  signed message: {} bytes (unsigned bytes + 104 + bitset)", signed_bytes.len());

    println!("\n== 4. The receiving chain verifies ==");
    let receiver_subnet = Id([0xaa; 32]);
    let source_subnet = Id([0x55; 32]);
    let state =
        FixedValidatorState::new().with_chain(source_chain, source_subnet).with_set(source_subnet, set);
    let policy = QuorumPolicy::new(Quorum::DEFAULT).with_chain(source_chain, quorum);
    let config = WarpConfig {
        network_id: NETWORK_ID,
        subnet_id: receiver_subnet,
        require_primary_network_signers: false,
        quorum: policy,
    };
    let verifier = WarpVerifier::new(state, config);
    let received = Message::parse(&signed_bytes)?;
    let started = Instant::now();
    let verified = verifier.verify(&received, 1)?;
    println!(
        "  valid: {} signers with weight {} of {} (quorum {quorum}), verified in {:?}",
        verified.signers,
        verified.signed_weight,
        verified.total_weight,
        started.elapsed()
    );

    let mut tampered = signed_bytes.clone();
    let last_payload_byte = unsigned_bytes.len() - 1;
    tampered[last_payload_byte] ^= 1;
    let tampered = Message::parse(&tampered)?;
    println!("  a copy with one payload bit flipped: {}", describe(verifier.verify(&tampered, 1)));

    let strict = WarpVerifier::new(
        verifier.state().clone(),
        WarpConfig { quorum: QuorumPolicy::new(Quorum::percent(90)?), ..verifier.config().clone() },
    );
    println!("  a receiver asking 90% of this source: {}", describe(strict.verify(&received, 1)));

    let foreign = WarpVerifier::new(
        verifier.state().clone(),
        WarpConfig { network_id: 1, ..verifier.config().clone() },
    );
    println!("  a receiver on another network (mainnet): {}", describe(foreign.verify(&received, 1)));

    println!("\n== 5. Delivery in an access list, block pre-verification, replay ==");
    use awm::predicate::{self, gas::GasSchedule, BlockTx, ExtraLayout, PredicateRule, PredicateVerifier};
    let good = predicate::warp_access_list([signed_bytes.as_slice()]);
    let mut tampered_bytes = signed_bytes.clone();
    tampered_bytes[last_payload_byte] ^= 1;
    let bad = predicate::warp_access_list([tampered_bytes.as_slice(), signed_bytes.as_slice()]);
    let keys = predicate::warp_predicates(&good)[0];
    for (name, schedule) in [("pre-Granite", GasSchedule::pre_granite()), ("Granite", GasSchedule::granite())]
    {
        let gas = predicate::predicate_gas(keys, &schedule)?;
        println!(
            "  {} storage keys, {} signers: {} intrinsic gas under {name}",
            gas.chunks, gas.signers, gas.gas
        );
    }
    let block_verifier = PredicateVerifier::new(verifier.clone(), GasSchedule::granite());
    let txs = [
        BlockTx::new(predicate::B256::with_last_byte(1), &good, u64::MAX, 21_000),
        BlockTx::new(predicate::B256::with_last_byte(2), &bad, u64::MAX, 21_000),
    ];
    let built = block_verifier.build(&txs, 1, PredicateRule::ResultsInBlock);
    let extra = ExtraLayout::SubnetEvm.build(&[0; 80], &built.results)?;
    let stored = ExtraLayout::SubnetEvm.results_bytes(&extra).unwrap_or_default();
    println!("  block results in the header after the 80-byte fee window: 0x{}", hex::encode(stored));
    block_verifier.verify_block(&txs, 1, PredicateRule::ResultsInBlock, stored)?;
    println!("  a validator recomputes them: byte-equal, block accepted");
    let replayed = ExtraLayout::SubnetEvm.results(&extra)?;
    for tx in &txs {
        let failed: Vec<usize> =
            (0..2).filter(|i| replayed.failed(&tx.hash, &predicate::WARP_ADDRESS, *i)).collect();
        println!(
            "  replay, tx {}: failed predicate indices {failed:?} (read from the header, no BLS)",
            tx.hash
        );
    }

    println!("\n== 6. Execution in revm: the IWarpMessenger precompile reads the predicates ==");
    use alloy_sol_types::SolCall;
    use awm::precompile::revm::{WarpBuilder, WarpChain, WarpTx};
    use awm::precompile::{ChainConstants, DelegatePolicy, IWarpMessenger};
    use revm::context::{CfgEnv, Context, TxEnv};
    use revm::primitives::hardfork::SpecId;
    use revm::{ExecuteEvm, MainContext};
    let receiver = ChainConstants { network_id: NETWORK_ID, blockchain_id: Id([0xdc; 32]) };
    let mut evm = Context::mainnet()
        .with_cfg(CfgEnv::new_with_spec(SpecId::CANCUN))
        .with_chain(WarpChain::new(receiver, GasSchedule::granite(), DelegatePolicy::Reverts))
        .with_tx(WarpTx::default())
        .build_warp();
    for tx in &txs {
        for index in 0..predicate::warp_predicates(tx.access_list).len() as u32 {
            let call = TxEnv::builder()
                .kind(revm::primitives::TxKind::Call(predicate::WARP_ADDRESS))
                .data(IWarpMessenger::getVerifiedWarpMessageCall { index }.abi_encode().into())
                .access_list(tx.access_list.clone())
                .tx_type(Some(1))
                .gas_limit(2_000_000)
                .gas_price(0)
                .build()
                .map_err(|e| format!("transaction: {e:?}"))?;
            // The safe way from a block's results to a transaction's bits: a
            // transaction with predicates but no entry is refused.
            let outcome = evm.transact(WarpTx::from_block_results(call, &replayed, &tx.hash)?)?;
            let output = outcome.result.output().cloned().unwrap_or_default();
            let read = IWarpMessenger::getVerifiedWarpMessageCall::abi_decode_returns(&output)?;
            println!(
                "  tx {} getVerifiedWarpMessage({index}): valid={} payload {} ({} gas, predicates included)",
                tx.hash,
                read.valid,
                short(&read.message.payload),
                outcome.result.tx_gas_used()
            );
        }
    }
    Ok(())
}

fn describe(result: Result<VerifiedWeight, WarpError>) -> String {
    match result {
        Ok(v) => format!("valid ({} of {})", v.signed_weight, v.total_weight),
        Err(e) => format!("refused: {e}"),
    }
}
