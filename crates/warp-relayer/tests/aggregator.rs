//! The tokio aggregator over in-process validators (slow, silent, lying, refusing), and `aggregate_verified`.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::indexing_slicing, clippy::arithmetic_side_effects)]

use std::collections::HashSet;
use std::sync::Arc;
use std::time::Duration;

use alloy_consensus::TxEip1559;
use alloy_primitives::TxKind;
use alloy_primitives::{Bytes, U256};
use alloy_sol_types::{sol, SolCall};
use awm_core::acp118::encode_signature_request;
use awm_core::bls::Signature;
use awm_core::{
    aggregate_signatures, aggregate_verified, AggregationError, CanonicalValidatorSet, FixedValidatorState,
    Id, NodeId, Quorum, UnsignedMessage, Validator,
};
use warp_node::config::{GenesisAccount, DEFAULT_BASE_FEE};
use warp_node::devnet::{signing_services, validator_keys, ValidatorKey};
use warp_node::{sent_messages, Chain, ChainConfig, Genesis, SigningService, Wallet};
use warp_predicate::WARP_ADDRESS;
use warp_relayer::{
    AggregateError, Aggregator, AggregatorConfig, Behaviour, InProcessNetwork, Progress, RequestError,
    ValidatorClient,
};

sol! {
    interface IWarpMessenger {
        function sendWarpMessage(bytes payload) external returns (bytes32 messageID);
    }
}

const NETWORK: u32 = 12345;
const SOURCE: Id = Id([0xaa; 32]);
const T0: u64 = 1_000;
const LATENCY: Duration = Duration::from_millis(1);

/// Validators of a source chain whose signing services accepted a block sending one message.
struct Source {
    keys: Vec<ValidatorKey>,
    services: Vec<Arc<SigningService>>,
    set: CanonicalValidatorSet,
    message: UnsignedMessage,
}

impl Source {
    fn new(tag: &str, count: usize, weight: impl Fn(usize) -> u64) -> Self {
        let keys = validator_keys(tag, count, weight).unwrap();
        let services = signing_services(&keys, NETWORK, SOURCE);
        let user = Wallet::from_seed("aggregator test user").unwrap();
        let funded = GenesisAccount::funded(U256::from(10u128.pow(24)));
        let genesis = Genesis { timestamp: T0, alloc: vec![(user.address(), funded)] };
        let mut chain = Chain::new(ChainConfig::new(NETWORK, SOURCE, Id([0x1a; 32]), 1_001), genesis);
        let send = user.sign_recovered(TxEip1559 {
            chain_id: 1_001,
            gas_limit: 1_000_000,
            max_fee_per_gas: u128::from(DEFAULT_BASE_FEE),
            to: TxKind::Call(WARP_ADDRESS),
            input: IWarpMessenger::sendWarpMessageCall {
                payload: Bytes::from_static(b"hello from the source"),
            }
            .abi_encode()
            .into(),
            ..Default::default()
        });
        let built = chain.build_block(vec![send], T0 + 1, 0, FixedValidatorState::new()).unwrap();
        let message = sent_messages(&built.receipts).pop().unwrap();
        for service in &services {
            assert_eq!(service.accept(&built.block, &built.receipts), vec![message.id()]);
        }
        let set = CanonicalValidatorSet::new(
            keys.iter().map(|k| Validator::new(k.node_id, Some(k.secret_key.public_key()), k.weight)),
        )
        .unwrap();
        Self { keys, services, set, message }
    }

    /// A network where validator `i` (devnet order) behaves as `behaviour(i)`.
    fn network(&self, behaviour: impl Fn(usize) -> Behaviour) -> Arc<InProcessNetwork> {
        let mut net = InProcessNetwork::new(LATENCY);
        for (i, service) in self.services.iter().enumerate() {
            net.add(Arc::clone(service), behaviour(i));
        }
        Arc::new(net)
    }

    fn index(&self, i: usize) -> usize {
        self.set.index_of_node(&self.keys[i].node_id).unwrap()
    }
}

fn config(request_timeout_ms: u64, deadline_ms: u64, max_in_flight: usize) -> AggregatorConfig {
    AggregatorConfig {
        request_timeout: Duration::from_millis(request_timeout_ms),
        deadline: Duration::from_millis(deadline_ms),
        max_in_flight,
    }
}

/// Runs an aggregation, recording every progress report.
async fn aggregate(
    net: Arc<InProcessNetwork>,
    config: AggregatorConfig,
    source: &Source,
    quorum: Quorum,
) -> (Result<warp_relayer::SignedOutcome, AggregateError>, Vec<Progress>) {
    let mut reports = Vec::new();
    let result = Aggregator::new(net, config)
        .aggregate(&source.message, &source.set, quorum, |p| reports.push(*p))
        .await;
    (result, reports)
}

/// Every report follows one more answer (but a last one that verifies what was
/// still pending, or re-verifies one by one a final choice that failed), and the
/// last is where the aggregation stopped.
fn assert_reports_consistent(reports: &[Progress], last: &Progress) {
    let mut rechecked = false;
    for (n, p) in reports.iter().enumerate() {
        let answers = p.valid + p.invalid + p.refused + p.timed_out + p.redundant + p.pending;
        let final_report = n + 1 == reports.len() && n > 0 && answers == n;
        let settling = final_report && reports[n - 1].pending > 0 && p.pending == 0;
        let recheck =
            final_report && p.invalid > reports[n - 1].invalid && p.gathered < reports[n - 1].gathered;
        rechecked |= recheck;
        assert!(answers == n + 1 || settling || recheck, "report {n}: {p:?}");
        assert!(answers <= p.asked, "report {n}: {p:?}");
    }
    // Pending signatures left at the end are ones the quorum did not need.
    assert!(last.pending == 0 || last.gathered >= last.needed, "{last:?}");
    let growing = if rechecked { &reports[..reports.len() - 1] } else { reports };
    assert!(growing.windows(2).all(|w| w[0].gathered <= w[1].gathered));
    assert_eq!(reports.last(), Some(last));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_issues_case_slow_and_lying_validators_still_reach_the_quorum() {
    let source = Source::new("issue", 100, |_| 100);
    // Validator i: 0..30 slow, 30..40 lying, the rest honest.
    let behaviour = |i: usize| match i {
        0..30 => Behaviour::Slow(Duration::from_millis(200)),
        30..40 => Behaviour::Lying,
        _ => Behaviour::Honest,
    };
    let net = source.network(behaviour);
    let config = config(1_000, 3_000, usize::MAX);
    let (result, reports) = aggregate(net, config, &source, Quorum::DEFAULT).await;
    let outcome = result.unwrap();

    let aggregated = &outcome.aggregated;
    let verified = aggregated.message.verify(NETWORK, &source.set, Quorum::DEFAULT).unwrap();
    assert_eq!(verified.total_weight, 10_000);
    assert_eq!(verified.signed_weight, aggregated.signed_weight);
    assert_eq!(aggregated.message.unsigned(), &source.message);
    // The smallest set that meets 67%: 67 validators of weight 100.
    assert_eq!(aggregated.signers.len(), 67);
    assert_eq!(aggregated.signed_weight, 6_700);
    let liars: HashSet<usize> = (30..40).map(|i| source.index(i)).collect();
    assert!(aggregated.signers.iter().all(|s| !liars.contains(s)), "a liar signed: {:?}", aggregated.signers);
    // 60 honest validators are not enough: some slow ones had to sign.
    let slow: HashSet<usize> = (0..30).map(|i| source.index(i)).collect();
    assert_eq!(aggregated.signers.iter().filter(|s| slow.contains(s)).count(), 7);

    let p = outcome.progress;
    assert_eq!(p.invalid, 10, "{p:?}");
    assert_eq!((p.valid, p.gathered, p.needed, p.total), (67, 6_700, 6_700, 10_000));
    assert_eq!((p.refused, p.timed_out, p.asked), (0, 0, 100));
    assert!(outcome.elapsed < config.deadline, "{:?}", outcome.elapsed);
    // Slow validators answer after 200 ms at the earliest, and the quorum needs them.
    assert!(outcome.elapsed >= Duration::from_millis(200), "{:?}", outcome.elapsed);
    assert_reports_consistent(&reports, &p);
    assert_eq!(reports.len(), 77);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unreachable_quorum_reports_what_was_gathered() {
    let source = Source::new("silent", 100, |_| 100);
    // 40 silent validators: only 60% can ever sign.
    let net = source.network(|i| if i % 5 < 2 { Behaviour::Silent } else { Behaviour::Honest });
    let (result, reports) = aggregate(net, config(200, 3_000, usize::MAX), &source, Quorum::DEFAULT).await;
    let err = result.unwrap_err();
    let AggregateError::InsufficientWeight { progress, quorum, validators, deadline_passed } = err.clone();
    assert_eq!(progress.gathered, 60 * 100);
    assert_eq!(progress.needed, Quorum::DEFAULT.required_weight(10_000));
    assert_eq!(progress.needed, 6_700);
    assert_eq!(progress.total, 10_000);
    assert_eq!((progress.valid, progress.invalid, progress.refused), (60, 0, 0));
    assert_eq!(progress.timed_out, 40);
    assert_eq!(progress.asked, 100);
    assert_eq!((quorum, validators), (Quorum::DEFAULT, 100));
    assert!(!deadline_passed);
    assert_reports_consistent(&reports, &progress);
    let text = err.to_string();
    for part in [
        "gathered weight 6000",
        "of total 10000",
        "quorum 67/100 needs 6700",
        "40 timed out",
        "100 of 100 asked",
    ] {
        assert!(text.contains(part), "{part:?} not in {text:?}");
    }
    assert!(!text.contains("deadline passed"), "{text}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_shorter_than_the_request_timeout_ends_the_aggregation() {
    let source = Source::new("silent", 100, |_| 100);
    let net = source.network(|i| if i % 5 < 2 { Behaviour::Silent } else { Behaviour::Honest });
    let config = config(2_000, 300, usize::MAX);
    let started = std::time::Instant::now();
    let (result, _) = aggregate(net, config, &source, Quorum::DEFAULT).await;
    let err = result.unwrap_err();
    let AggregateError::InsufficientWeight { progress, deadline_passed, .. } = err.clone();
    assert!(deadline_passed);
    // The silent requests were still in flight, not timed out.
    assert_eq!((progress.gathered, progress.needed, progress.timed_out), (6_000, 6_700, 0));
    assert_eq!(progress.valid, 60);
    assert!(err.to_string().contains("deadline passed"), "{err}");
    // It did not wait for the 2 s request timeout.
    assert!(started.elapsed() < Duration::from_millis(2_000), "{:?}", started.elapsed());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_at_a_time_it_finds_what_the_synchronous_aggregator_finds() {
    // Distinct weights; the canonical order (by key) differs from the weight order.
    let source = Source::new("known answer", 12, |i| 1_000 + 37 * i as u64);
    let bytes = source.message.to_bytes();
    let signatures: Vec<(NodeId, Vec<u8>)> =
        source.services.iter().map(|s| (s.node_id(), s.sign(&bytes).unwrap().to_vec())).collect();
    for quorum in [Quorum::DEFAULT, Quorum::percent(50).unwrap(), Quorum::percent(100).unwrap()] {
        let expected = aggregate_signatures(
            &source.message,
            &source.set,
            quorum,
            signatures.iter().map(|(n, s)| (*n, s.as_slice())),
        )
        .unwrap();

        let net = source.network(|_| Behaviour::Honest);
        let (result, reports) = aggregate(net, config(1_000, 5_000, 1), &source, quorum).await;
        let outcome = result.unwrap();
        assert_eq!(outcome.aggregated.message.to_bytes(), expected.message.to_bytes(), "quorum {quorum}");
        assert_eq!(outcome.aggregated.signers, expected.signers);
        assert_eq!(outcome.aggregated.signed_weight, expected.signed_weight);
        outcome.aggregated.message.verify(NETWORK, &source.set, quorum).unwrap();
        assert_eq!(outcome.progress.valid, expected.signers.len());
        assert_eq!(reports.len(), expected.signers.len());
        // Asked one at a time, heaviest first: it stops asking as soon as the quorum holds.
        assert_eq!(outcome.progress.asked, expected.signers.len(), "quorum {quorum}: {:?}", outcome.progress);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn validators_that_never_accepted_and_unknown_nodes_count_as_refused() {
    let source = Source::new("refusals", 10, |i| 1_000 + i as u64);
    // Validators 7 and 8 have signing services that never accepted the block; 9 is not in the network.
    let strangers = signing_services(&source.keys[7..9], NETWORK, SOURCE);
    let build = || {
        let mut net = InProcessNetwork::new(LATENCY);
        for service in &source.services[..7] {
            net.add(Arc::clone(service), Behaviour::Honest);
        }
        for service in &strangers {
            net.add(Arc::clone(service), Behaviour::Honest);
        }
        Arc::new(net)
    };
    let net = build();
    let missing = source.keys[9].node_id;
    assert_eq!(net.behaviour(&missing), None);
    let request = encode_signature_request(&source.message.to_bytes(), &[]);
    assert_eq!(net.app_request(missing, request.clone()).await, Err(RequestError::Unreachable(missing)));
    let refusal = net.app_request(strangers[0].node_id(), request).await.unwrap_err();
    assert!(matches!(refusal, RequestError::App { code: 1, .. }), "{refusal:?}"); // Subnet-EVM's ParseErrCode: an AddressedCall it never stored

    // Every answer is awaited when the quorum cannot be met: 7 of 10 validators' weight is below 100%.
    let (result, reports) =
        aggregate(build(), config(1_000, 5_000, usize::MAX), &source, Quorum::percent(100).unwrap()).await;
    let AggregateError::InsufficientWeight { progress, deadline_passed, .. } = result.unwrap_err();
    let seven: u64 = source.keys[..7].iter().map(|k| k.weight).sum();
    assert_eq!((progress.valid, progress.refused, progress.invalid, progress.timed_out), (7, 3, 0, 0));
    assert_eq!((progress.gathered, progress.asked), (seven, 10));
    assert!(!deadline_passed);
    // One report per answer, and one that verifies the seven signatures still pending.
    assert_eq!(reports.len(), 11);
    assert_eq!(reports[9].pending, 7);

    // One at a time, heaviest first: the three refusers (the heaviest) are asked first, then enough signers.
    let (result, _) =
        aggregate(build(), config(1_000, 5_000, 1), &source, Quorum::percent(50).unwrap()).await;
    let outcome = result.unwrap();
    assert_eq!(outcome.progress.refused, 3, "{:?}", outcome.progress);
    let refusers: HashSet<usize> = (7..10).map(|i| source.index(i)).collect();
    assert!(outcome.aggregated.signers.iter().all(|s| !refusers.contains(s)));
    outcome.aggregated.message.verify(NETWORK, &source.set, Quorum::percent(50).unwrap()).unwrap();
}

/// Signatures already verified, by canonical index.
type Verified = Vec<(usize, Signature)>;
/// The signers chosen, or the weight gathered when the quorum is not met.
type Expected = Result<Vec<usize>, u64>;

#[test]
fn aggregate_verified_ignores_repeats_and_strangers_and_names_the_shortfall() {
    let source = Source::new("table", 4, |i| [40, 30, 20, 10][i]);
    let bytes = source.message.to_bytes();
    let sig = |i: usize| Signature::from_bytes(&source.services[i].sign(&bytes).unwrap()).unwrap();
    // Canonical indices of the validators weighing 40, 30, 20 and 10.
    let [w40, w30, w20, w10] = [0, 1, 2, 3].map(|i| source.index(i));
    let quorum = Quorum::DEFAULT;
    let out_of_range = source.set.len();

    // (case, verified, Ok(signers) or Err(gathered)).
    let cases: Vec<(&str, Verified, Expected)> = vec![
        ("two heaviest meet 67", vec![(w40, sig(0)), (w30, sig(1))], Ok(vec![w40, w30])),
        (
            "smallest heaviest-first set",
            vec![(w10, sig(3)), (w20, sig(2)), (w30, sig(1)), (w40, sig(0))],
            Ok(vec![w40, w30]),
        ),
        ("without the heaviest", vec![(w30, sig(1)), (w20, sig(2)), (w10, sig(3))], Err(60)),
        ("40+20+10", vec![(w10, sig(3)), (w40, sig(0)), (w20, sig(2))], Ok(vec![w40, w20, w10])),
        ("a repeat counts once", vec![(w40, sig(0)), (w40, sig(0))], Err(40)),
        ("repeats among others", vec![(w30, sig(1)), (w30, sig(1)), (w30, sig(1)), (w20, sig(2))], Err(50)),
        ("repeat then quorum", vec![(w40, sig(0)), (w30, sig(1)), (w40, sig(0))], Ok(vec![w40, w30])),
        ("out of range ignored", vec![(out_of_range, sig(1)), (usize::MAX, sig(2)), (w40, sig(0))], Err(40)),
        (
            "out of range beside quorum",
            vec![(out_of_range, sig(2)), (w30, sig(1)), (w40, sig(0))],
            Ok(vec![w40, w30]),
        ),
        ("nothing", vec![], Err(0)),
    ];
    for (case, verified, expected) in cases {
        match (aggregate_verified(&source.message, &source.set, quorum, &verified), expected) {
            (Ok(aggregated), Ok(mut signers)) => {
                signers.sort_unstable();
                assert_eq!(aggregated.signers, signers, "{case}");
                let weight = source.set.weight_of(signers.iter().copied()).unwrap();
                assert_eq!(aggregated.signed_weight, weight, "{case}");
                assert_eq!(aggregated.total_weight, 100, "{case}");
                let checked = aggregated.message.verify(NETWORK, &source.set, quorum).unwrap();
                assert_eq!(checked.signed_weight, weight, "{case}");
            }
            (Err(err), Err(gathered)) => {
                let AggregationError::InsufficientWeight { gathered: g, needed, total, quorum: q, dropped } =
                    &err;
                assert_eq!((*g, *needed, *total, *q), (gathered, 67, 100, quorum), "{case}");
                assert!(dropped.is_empty(), "{case}");
                let text = err.to_string();
                assert!(text.contains(&format!("weight {gathered} of total 100")), "{case}: {text}");
                assert!(text.contains("needs 67"), "{case}: {text}");
            }
            (got, expected) => panic!("{case}: got {got:?}, expected {expected:?}"),
        }
    }
}

/// Review finding (Hardening II, 3): a staker who registers a low node ID with a
/// victim's published key (and its published proof of possession) and stays
/// silent must not hide the victim's weight. Every node ID holding a key is
/// asked, and the first valid signature of the key counts.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_silent_node_sharing_a_victims_key_cannot_hide_its_weight() {
    let source = Source::new("victims", 10, |_| 10);
    // Nine attackers, each holding a victim's key under a node ID that sorts first.
    let attackers: Vec<(NodeId, usize)> = (0..9)
        .map(|i| {
            let mut node = [0u8; 20];
            node[19] = i as u8 + 1;
            (NodeId(node), i)
        })
        .collect();
    let set = CanonicalValidatorSet::new(
        source
            .keys
            .iter()
            .map(|k| Validator::new(k.node_id, Some(k.secret_key.public_key()), k.weight))
            .chain(attackers.iter().map(|(node, victim)| {
                Validator::new(*node, Some(source.keys[*victim].secret_key.public_key()), 1)
            })),
    )
    .unwrap();
    assert_eq!((set.len(), set.total_weight()), (10, 109));
    for (node, _) in &attackers {
        let holder = &set.validators()[set.index_of_node(node).unwrap()];
        assert_eq!(holder.node_ids.first(), Some(node), "the attacker's node ID is asked first");
    }
    let mut net = InProcessNetwork::new(LATENCY);
    for service in &source.services {
        net.add(Arc::clone(service), Behaviour::Honest);
    }
    let never_used = awm_core::bls::SecretKey::from_seed(&[0xa7; 32]).unwrap();
    for (node, _) in &attackers {
        let signer = awm_core::Signer::new(never_used.clone(), NETWORK, SOURCE);
        net.add(Arc::new(SigningService::new(*node, signer)), Behaviour::Silent);
    }
    let net = Arc::new(net);
    // All at once, and one request at a time (each attacker then costs a timeout).
    for max_in_flight in [usize::MAX, 1] {
        let mut reports = Vec::new();
        let outcome = Aggregator::new(Arc::clone(&net), config(50, 10_000, max_in_flight))
            .aggregate(&source.message, &set, Quorum::DEFAULT, |p| reports.push(*p))
            .await
            .unwrap_or_else(|e| panic!("max_in_flight {max_in_flight}: {e}"));
        outcome.aggregated.message.verify(NETWORK, &set, Quorum::DEFAULT).unwrap();
        // 67% of 109 needs 74: seven keys of weight 11 (victim and attacker).
        assert!(outcome.aggregated.signed_weight >= 74, "{:?}", outcome.progress);
        assert!(outcome.progress.asked > outcome.progress.valid, "attackers were asked too");
        if max_in_flight == 1 {
            assert!(outcome.progress.timed_out >= 1, "{:?}", outcome.progress);
        }
        assert_reports_consistent(&reports, &outcome.progress);
    }
}

/// Review finding (Hardening II, 3): `deadline: Duration::MAX` means no
/// deadline, not one that has already passed.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_deadline_of_duration_max_is_no_deadline() {
    let source = Source::new("forever", 20, |_| 10);
    let net = source.network(|_| Behaviour::Honest);
    let config = AggregatorConfig { deadline: Duration::MAX, ..AggregatorConfig::default() };
    let (result, _) = aggregate(net, config, &source, Quorum::DEFAULT).await;
    let outcome = result.unwrap();
    outcome.aggregated.message.verify(NETWORK, &source.set, Quorum::DEFAULT).unwrap();
    // A request timeout of Duration::MAX likewise never fires.
    let net = source.network(|_| Behaviour::Honest);
    let config =
        AggregatorConfig { request_timeout: Duration::MAX, deadline: Duration::MAX, max_in_flight: 4 };
    let (result, _) = aggregate(net, config, &source, Quorum::DEFAULT).await;
    assert!(result.is_ok());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn colluding_liars_whose_errors_cancel_are_caught_when_the_choice_splits_them() {
    // Validator 0 weighs 100 (the boosted liar), 1..=5 weigh 40 (honest, slower), 6 weighs 1 (the zeroed liar).
    let source = Source::new("collude", 7, |i| match i {
        0 => 100,
        6 => 1,
        _ => 40,
    });
    let message = source.message.to_bytes();
    let sum = aggregate_signatures_of(&source, &message, &[0, 6]);
    // Two colluding validators: 0 answers its signature plus 6's, 6 answers the point at
    // infinity. Each answer is wrong; their sum is right.
    let mut infinity = [0u8; 96];
    infinity[0] = 0xc0;
    let client = Arc::new(Scripted {
        honest: source.network(|_| Behaviour::Slow(Duration::from_millis(20))),
        answers: vec![(source.keys[0].node_id, sum), (source.keys[6].node_id, infinity)],
    });
    let quorum = Quorum::percent(50).unwrap();
    let mut reports = Vec::new();
    let outcome = Aggregator::new(client, config(1_000, 5_000, usize::MAX))
        .aggregate(&source.message, &source.set, quorum, |p| reports.push(*p))
        .await
        .unwrap();
    // The liars' sum met the quorum with two honest signatures, but the heaviest-first choice took the
    // boosted one without the zeroed one: that check failed, bisecting the choice dropped the boosted
    // liar, four honest signatures were gathered, and the zeroed one, never needed, stayed pending.
    assert_eq!((outcome.progress.invalid, outcome.progress.pending), (1, 1), "{:?}", outcome.progress);
    let liars: HashSet<usize> = [source.index(0), source.index(6)].into();
    assert!(
        outcome.aggregated.signers.iter().all(|s| !liars.contains(s)),
        "{:?}",
        outcome.aggregated.signers
    );
    assert_eq!(outcome.aggregated.signers.len(), 4);
    assert_eq!(outcome.aggregated.signed_weight, 160);
    let keys: Vec<_> =
        outcome.aggregated.signers.iter().map(|i| source.set.validators()[*i].public_key).collect();
    let signature = Signature::from_bytes(outcome.aggregated.message.signature().signature()).unwrap();
    assert!(awm_core::bls::aggregate_public_keys(&keys).unwrap().verify(&message, &signature));
    assert_reports_consistent(&reports, &outcome.progress);
}

/// The sum of validators' (devnet order) true signatures of `message`.
fn aggregate_signatures_of(source: &Source, message: &[u8], validators: &[usize]) -> [u8; 96] {
    let sigs: Vec<Signature> = validators.iter().map(|i| source.keys[*i].secret_key.sign(message)).collect();
    awm_core::bls::aggregate_signatures(&sigs).unwrap().to_bytes()
}

/// Answers chosen per node: the given bytes for some nodes, the honest network's for the others.
struct Scripted {
    honest: Arc<InProcessNetwork>,
    answers: Vec<(NodeId, [u8; 96])>,
}

impl ValidatorClient for Scripted {
    fn app_request(
        &self,
        node: NodeId,
        app_bytes: Vec<u8>,
    ) -> impl std::future::Future<Output = Result<Vec<u8>, RequestError>> + Send {
        let scripted = self.answers.iter().find(|(n, _)| *n == node).map(|(_, sig)| *sig);
        let honest = Arc::clone(&self.honest);
        async move {
            match scripted {
                Some(sig) => Ok(awm_core::acp118::encode_signature_response(&sig)),
                None => honest.app_request(node, app_bytes).await,
            }
        }
    }
}

/// `r − k` for a big-endian 32-byte secret key `k` (r the group order): the key
/// whose signatures are the negations of `k`'s.
fn negated_key(k: &[u8; 32]) -> [u8; 32] {
    let r = hex::decode("73eda753299d7d483339d80809a1d80553bda402fffe5bfeffffffff00000001").unwrap();
    let mut out = [0u8; 32];
    let mut borrow = 0i16;
    for i in (0..32).rev() {
        let mut d = i16::from(r[i]) - i16::from(k[i]) - borrow;
        borrow = i16::from(d < 0);
        if d < 0 {
            d += 256;
        }
        out[i] = d as u8;
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_cancelling_pair_kept_together_is_verified_alone_when_the_final_choice_splits_it() {
    // Weights a=40, b=39, c=38, h=37 answer at once; H=100 answers late. Quorum 50% of 254 needs 127.
    let weights = [40u64, 39, 38, 37, 100];
    let source = Source::new("cancelling-pair", 5, |i| weights[i]);
    let message = source.message.to_bytes();
    // a sends σa + δ and b sends σb − δ: each wrong alone, right together. c lies plainly.
    let x = &source.keys[4].secret_key;
    let delta = x.sign(b"some other message");
    let minus_delta = awm_core::bls::SecretKey::from_bytes(&negated_key(&x.to_bytes()))
        .unwrap()
        .sign(b"some other message");
    let sig = |i: usize| source.keys[i].secret_key.sign(&message);
    let a = awm_core::bls::aggregate_signatures(&[sig(0), delta]).unwrap().to_bytes();
    let b = awm_core::bls::aggregate_signatures(&[sig(1), minus_delta]).unwrap().to_bytes();
    let c = source.keys[2].secret_key.sign(b"not this one").to_bytes();
    let client = Arc::new(Scripted {
        honest: source.network(|i| {
            if i == 4 {
                Behaviour::Slow(Duration::from_millis(300))
            } else {
                Behaviour::Honest
            }
        }),
        answers: vec![(source.keys[0].node_id, a), (source.keys[1].node_id, b), (source.keys[2].node_id, c)],
    });
    let quorum = Quorum::percent(50).unwrap();
    let mut reports = Vec::new();
    let outcome = Aggregator::new(client, config(2_000, 5_000, usize::MAX))
        .aggregate(&source.message, &source.set, quorum, |p| reports.push(*p))
        .await
        .unwrap();
    // The first choice (a, b, c, h) failed; bisection kept {a, b} (their sum is right) and h, and
    // dropped c. H's answer then met the quorum with a alone, splitting the pair: that aggregate
    // failed its final check, every kept signature was verified on its own, a and b were dropped,
    // and H with h carry the message.
    let mut signers = outcome.aggregated.signers.clone();
    signers.sort_unstable();
    let mut expected = vec![source.index(3), source.index(4)];
    expected.sort_unstable();
    assert_eq!(signers, expected, "{:?}", outcome.progress);
    assert_eq!(outcome.aggregated.signed_weight, 137);
    assert_eq!(outcome.progress.invalid, 3, "{:?}", outcome.progress);
    outcome.aggregated.message.verify(NETWORK, &source.set, quorum).unwrap();
    assert_reports_consistent(&reports, &outcome.progress);
}
