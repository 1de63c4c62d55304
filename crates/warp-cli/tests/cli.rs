//! The `warp` binary, run as a process: every command in human and `--json` form,
//! stdin (`-`), `0x` and bare hex, CB58 and hex chain IDs, the Go known answers of
//! `awm-reference.md` §10.1, and every error path with its exit code (1 for a
//! "no", 2 for bad input) and its one-line reason on stderr.

#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::arithmetic_side_effects,
    missing_docs
)]

mod common;

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};

use awm_core::bls::{self, SecretKey, Signature};
use awm_core::*;
use serde_json::{json, Value};

// ─── running the binary ─────────────────────────────────────────────────────

struct Out {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Out {
    /// Asserts exit 0 and an empty stderr; returns stdout.
    #[track_caller]
    fn ok(&self) -> &str {
        assert_eq!(self.code, 0, "expected success; stderr: {}", self.stderr);
        assert!(self.stderr.is_empty(), "stderr on success: {}", self.stderr);
        &self.stdout
    }

    /// Asserts exit 0; returns stdout parsed as JSON.
    #[track_caller]
    fn json(&self) -> Value {
        serde_json::from_str(self.ok()).unwrap_or_else(|e| panic!("not JSON ({e}): {}", self.stdout))
    }

    /// Asserts the exit code and that stderr is exactly one `error: …` line; returns the reason.
    #[track_caller]
    fn fails(&self, code: i32) -> &str {
        assert_eq!(self.code, code, "stdout: {}\nstderr: {}", self.stdout, self.stderr);
        let line = self.stderr.strip_suffix('\n').expect("stderr ends with a newline");
        assert!(!line.contains('\n'), "more than one stderr line: {line:?}");
        line.strip_prefix("error: ").unwrap_or_else(|| panic!("no `error: ` prefix: {line:?}"))
    }

    /// The stderr lines (warnings first, then at most one `error: …`).
    fn stderr_lines(&self) -> Vec<&str> {
        self.stderr.lines().collect()
    }
}

fn run_with(args: &[&str], stdin: Option<&[u8]>) -> Out {
    let mut child = Command::new(env!("CARGO_BIN_EXE_warp"))
        .args(args)
        .stdin(if stdin.is_some() { Stdio::piped() } else { Stdio::null() })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the warp binary runs");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    let out = child.wait_with_output().unwrap();
    Out {
        code: out.status.code().expect("exited, not killed"),
        stdout: String::from_utf8(out.stdout).unwrap(),
        stderr: String::from_utf8(out.stderr).unwrap(),
    }
}

fn warp(args: &[&str]) -> Out {
    run_with(args, None)
}

fn warp_stdin(args: &[&str], stdin: &str) -> Out {
    run_with(args, Some(stdin.as_bytes()))
}

/// A directory under the system temp dir, unique per test, removed on drop.
struct TempDir(PathBuf);

impl TempDir {
    fn new(test: &str) -> Self {
        static NEXT: AtomicUsize = AtomicUsize::new(0);
        let n = NEXT.fetch_add(1, Ordering::Relaxed);
        let dir = std::env::temp_dir().join(format!("warp-cli-{}-{test}-{n}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        Self(dir)
    }

    fn write(&self, name: &str, contents: &str) -> String {
        let path = self.0.join(name);
        std::fs::write(&path, contents).unwrap();
        path.to_str().unwrap().to_owned()
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

// ─── fixtures ───────────────────────────────────────────────────────────────

const NETWORK: u32 = 12345;
const CHAIN: Id = Id([0x42; 32]);

fn hx(bytes: impl AsRef<[u8]>) -> String {
    format!("0x{}", hex::encode(bytes))
}

/// `AvalancheLocalNetworkValidator0N`: avalanchego's local-network BLS keys (§10.1).
fn local_key(n: usize) -> SecretKey {
    SecretKey::from_bytes(format!("AvalancheLocalNetworkValidator0{n}").as_bytes()).unwrap()
}

/// (compressed public key, proof of possession) of the local keys 1..=5 (§10.1).
const LOCAL: [(&str, &str); 5] = [
    ("900c9b119b5c82d781d4b49be78c3fc7ae65f2b435b7ed9e3a8b9a03e475edff86d8a64827fec8db23a6f236afbf127d",
     "8bfd6d4d2086b2b8115d8f72f94095fefe5a6c07876b2accf51a811adf520f389e74a3d2152a6d90b521e2be58ffe468043dc5ea68b4c44410eb67f8dc24f13ed4f194000764c0e922cd254a3588a4962b1cb4db7de4bb9cda9d9d4d6b03f3d2"),
    ("a058ff27a4c570664bfa28e34939368539a1340867951943d0f56fa8aac13bc09ff64f341acf8cc0cef74202c2d6f9c0",
     "ac52195616344127df74d924e11701ca5e0867647ae36171d168fcf95d536e94061659b3edb924fffdb69dd5aa5cb2d703f8920c825c8f7b74dd0112c9c27814790bfcfa3a08e1d9358da1c54e1f6c0b4d9772432f79d7dceaa3a95c3a7e6adc"),
    ("a10b6955a85684a0f5c94b8381f04506f1bee60625927d372323f78b3d30196cc56c8618c77eaf429298e74673d832c3",
     "8d505f7b53960813f1e007f04702ae1bd524cce036b4695fbf8a16eb50b35cdbdd4eedec2b0ce281f35ae36e3ac29fb40867c94cabe2ba0b462f177dd8c3d293b0586b92d392e8278711fb434fe2601ae1b2e0867cfd128180c936a8010c5552"),
    ("accd61ceb90c61628aa0fa34acab27ecb08f6897e9ccad283578c278c52109f9e10e4f8bc31aa6d7905c4e1623de367e",
     "910082e2b61fe4895b4a8f754c9e3a93c346156363acf67546a87e4bc1db7bbfa3239daa5292ad9bc30a11f60e59bbd30b375785b71fe45abd154d717b6471c2406df2534297305ae93d6abeb38fc461170fc0b74b8aa4550f30257a264c75b0"),
    ("8048109c3da13de0700f9f3590c3270bfc42277417f6d0cc84282947e1a1f8b4980fd3e3fe223acf0f56a5838890814a",
     "b034e0d0ec808b7ec456a6d88bdad7b32854794605a11139d70430d81fb93834a3f81d8969042952daff335fec51018016a7ecb19d38597c5743a4eb3fb945ebe28a4250dd7bcb7a192c98d2fcaf15320a9bee239c66ddf61bb24f87c6e91971"),
];

/// One validator entry of a `getValidatorsAt` answer.
struct Entry {
    node: NodeId,
    key: Option<SecretKey>,
    weight: u64,
}

/// The bare `platform.getValidatorsAt` result: NodeID → {publicKey (0x hex or null), weight (decimal string)}.
fn validators_json(entries: &[Entry]) -> String {
    let map: serde_json::Map<String, Value> = entries
        .iter()
        .map(|e| {
            let pk = e.key.as_ref().map_or(Value::Null, |k| Value::from(hx(k.public_key().to_compressed())));
            (e.node.to_string(), json!({ "publicKey": pk, "weight": e.weight.to_string() }))
        })
        .collect();
    serde_json::to_string_pretty(&Value::Object(map)).unwrap()
}

/// The whole JSON-RPC response around a result.
fn rpc_response(result: &str) -> String {
    format!(r#"{{"jsonrpc":"2.0","result":{result},"id":1}}"#)
}

/// Five validators keyed from seeds 1..=5 with weights 10, 20, 30, 40, 50 (total 150),
/// a message from CHAIN on NETWORK, and the validator file in both shapes.
struct Fixture {
    keys: Vec<SecretKey>,
    nodes: Vec<NodeId>,
    set: CanonicalValidatorSet,
    msg: UnsignedMessage,
    dir: TempDir,
    bare: String,
    rpc: String,
}

fn fixture(test: &str) -> Fixture {
    let keys: Vec<SecretKey> = (1..=5u8).map(|i| SecretKey::from_seed(&[i; 32]).unwrap()).collect();
    let nodes: Vec<NodeId> = (1..=5u8).map(|i| NodeId([i; 20])).collect();
    let entries: Vec<Entry> = keys
        .iter()
        .zip(&nodes)
        .enumerate()
        .map(|(i, (k, n))| Entry { node: *n, key: Some(k.clone()), weight: 10 * (i as u64 + 1) })
        .collect();
    let set = CanonicalValidatorSet::new(
        entries.iter().map(|e| Validator::new(e.node, e.key.as_ref().map(SecretKey::public_key), e.weight)),
    )
    .unwrap();
    let payload = AddressedCall::new(vec![0xaa; 20], b"payload".to_vec()).unwrap().to_bytes();
    let msg = UnsignedMessage::new(NETWORK, CHAIN, payload).unwrap();
    let dir = TempDir::new(test);
    let json = validators_json(&entries);
    let bare = dir.write("bare.json", &json);
    let rpc = dir.write("rpc.json", &rpc_response(&json));
    Fixture { keys, nodes, set, msg, dir, bare, rpc }
}

impl Fixture {
    /// Canonical indices and aggregate signature of the given keys (1-based) over `bytes`.
    fn sign(&self, key_numbers: &[usize], bytes: &[u8]) -> (Vec<usize>, [u8; 96]) {
        let indices =
            key_numbers.iter().map(|n| self.set.index_of(&self.keys[n - 1].public_key()).unwrap()).collect();
        let sigs: Vec<Signature> = key_numbers.iter().map(|n| self.keys[n - 1].sign(bytes)).collect();
        (indices, bls::aggregate_signatures(&sigs).unwrap().to_bytes())
    }

    /// A signed message with these signers and this signature.
    fn signed(&self, signers: SignerBitSet, sig: [u8; 96]) -> String {
        hex::encode(Message::new(self.msg.clone(), BitSetSignature::new(signers, sig)).to_bytes())
    }

    /// The message correctly signed by the given keys.
    fn signed_by(&self, key_numbers: &[usize]) -> String {
        let (idx, sig) = self.sign(key_numbers, &self.msg.to_bytes());
        self.signed(SignerBitSet::from_indices(idx), sig)
    }

    /// The lines `message verify` prints for these signers: canonical index, node ID, weight.
    fn signer_lines(&self, key_numbers: &[usize]) -> String {
        let (mut idx, _) = self.sign(key_numbers, b"");
        idx.sort_unstable();
        idx.iter()
            .map(|i| {
                let v = &self.set.validators()[*i];
                format!("{:<13}  {} weight {}\n", format!("  [{i}]"), v.node_ids[0], v.weight)
            })
            .collect()
    }

    fn unsigned_hex(&self) -> String {
        hex::encode(self.msg.to_bytes())
    }

    fn sk_hex(&self, n: usize) -> String {
        hex::encode(self.keys[n - 1].to_bytes())
    }

    fn sig_arg(&self, n: usize, sig: &[u8]) -> String {
        format!("{}={}", self.nodes[n - 1], hx(sig))
    }
}

// ─── usage ──────────────────────────────────────────────────────────────────

#[test]
fn help_and_version_exit_zero() {
    let help = warp(&["--help"]);
    assert!(help.ok().contains("Usage: warp"));
    for cmd in ["message", "validators", "keys", "sign", "aggregate", "predicate", "results"] {
        assert!(help.stdout.contains(cmd), "{cmd} missing from help");
    }
    assert!(warp(&["keys", "new", "--help"]).ok().contains("SECRET KEY"));
    assert!(warp(&["--version"]).ok().starts_with("warp "));
}

#[test]
fn usage_errors_are_one_line_with_exit_2() {
    assert_eq!(warp(&[]).fails(2), "a command is required: warp [OPTIONS] <COMMAND> (see --help)");
    assert_eq!(
        warp(&["message"]).fails(2),
        "a command is required: warp message [OPTIONS] <COMMAND> (see --help)"
    );
    assert_eq!(warp(&["bogus"]).fails(2), "unrecognized subcommand 'bogus'");
    assert_eq!(
        warp(&["message", "decode"]).fails(2),
        "the following required arguments were not provided: <HEX>"
    );
    assert_eq!(
        warp(&["message", "verify", "00"]).fails(2),
        "the following required arguments were not provided: --network-id <N> --validators <FILE>"
    );
    assert_eq!(
        warp(&["sign", "--secret-key", "01", "--network-id", "x", "--chain-id", "c", "00"]).fails(2),
        "invalid value 'x' for '--network-id <N>': invalid digit found in string"
    );
    assert_eq!(
        warp(&["predicate", "gas", "--schedule", "cortina", "00"]).fails(2),
        "invalid value 'cortina' for '--schedule <SCHEDULE>' [possible values: acp30, pre-granite, granite]"
    );
    assert_eq!(
        warp(&["predicate", "unpack"]).fails(2),
        "the following required arguments were not provided: <KEY>..."
    );
}

#[test]
fn stdin_that_is_not_utf8_is_bad_input() {
    let out = run_with(&["message", "decode", "-"], Some(&[0xff, 0xfe]));
    assert_eq!(out.fails(2), "reading stdin: stream did not contain valid UTF-8");
}

#[test]
fn json_flag_goes_anywhere() {
    let expected = json!({ "bytes": "0x42" });
    let key = key_hex(&[0x42, 0xff]);
    assert_eq!(warp(&["--json", "predicate", "unpack", &key]).json(), expected);
    assert_eq!(warp(&["predicate", "--json", "unpack", &key]).json(), expected);
    assert_eq!(warp(&["predicate", "unpack", &key, "--json"]).json(), expected);
}

// ─── keys ───────────────────────────────────────────────────────────────────

#[test]
fn keys_pop_gives_the_local_network_known_answers() {
    for (i, (pk, pop)) in LOCAL.iter().enumerate() {
        let sk = hex::encode(format!("AvalancheLocalNetworkValidator0{}", i + 1));
        // Bare hex, human output.
        let human = warp(&["keys", "pop", "--secret-key", &sk]);
        assert_eq!(human.ok(), format!("public key           0x{pk}\nproof of possession  0x{pop}\n"));
        // 0x hex, JSON output: no secret key in it.
        let out = warp(&["keys", "pop", "--json", "--secret-key", &format!("0x{sk}")]).json();
        assert_eq!(out, json!({ "publicKey": format!("0x{pk}"), "proofOfPossession": format!("0x{pop}") }));
        // From stdin.
        let stdin = warp_stdin(&["--json", "keys", "pop", "--secret-key", "-"], &format!("{sk}\n")).json();
        assert_eq!(stdin, out);
    }
}

#[test]
fn keys_new_prints_a_fresh_usable_key() {
    let a = warp(&["keys", "new", "--json"]).json();
    let b = warp(&["keys", "new", "--json"]).json();
    assert_ne!(a["secretKey"], b["secretKey"]);
    let sk = a["secretKey"].as_str().unwrap();
    assert_eq!(sk.len(), 2 + 64);
    let key = SecretKey::from_bytes(&hex::decode(&sk[2..]).unwrap()).unwrap();
    assert_eq!(a["publicKey"], hx(key.public_key().to_compressed()));
    assert_eq!(a["proofOfPossession"], hx(key.proof_of_possession().to_bytes()));
    // The pop command agrees on the same key.
    let pop = warp(&["keys", "pop", "--json", "--secret-key", sk]).json();
    assert_eq!(pop["proofOfPossession"], a["proofOfPossession"]);

    let human = warp(&["keys", "new"]);
    let lines: Vec<&str> = human.ok().lines().collect();
    assert_eq!(lines.len(), 3);
    assert!(lines[0].starts_with("secret key           0x"));
    assert!(lines[1].starts_with("public key           0x"));
    assert!(lines[2].starts_with("proof of possession  0x"));
}

#[test]
fn keys_pop_refuses_bad_secret_keys() {
    let pop = |sk: &str| warp(&["keys", "pop", "--secret-key", sk]);
    assert_eq!(pop("0x123").fails(2), "--secret-key: invalid hex: Odd number of digits");
    assert_eq!(pop("zz").fails(2), "--secret-key: invalid hex: Invalid character 'z' at position 0");
    assert_eq!(pop("0101").fails(2), "--secret-key: secret key must be 32 bytes, got 2");
    assert_eq!(
        pop(&"00".repeat(32)).fails(2),
        "--secret-key: secret key is zero or not below the group order"
    );
    assert_eq!(
        pop(&"ff".repeat(32)).fails(2),
        "--secret-key: secret key is zero or not below the group order"
    );
    assert_eq!(
        warp_stdin(&["keys", "pop", "--secret-key", "-"], "").fails(2),
        "--secret-key: secret key must be 32 bytes, got 0"
    );
}

// ─── message decode ─────────────────────────────────────────────────────────

/// The §10.1 payload vectors.
const HASH_PAYLOAD: &str = "0000000000000405060000000000000000000000000000000000000000000000000000000000";
const CALL_PAYLOAD: &str = "0000000000010000001001020300000000000000000000000000000000030a0b0c";

fn unsigned_with(payload: &str) -> UnsignedMessage {
    UnsignedMessage::new(NETWORK, CHAIN, hex::decode(payload).unwrap()).unwrap()
}

#[test]
fn decode_hash_payload_vector() {
    let msg = unsigned_with(HASH_PAYLOAD);
    let bytes = hex::encode(msg.to_bytes());
    let mut hash = [0u8; 32];
    hash[..3].copy_from_slice(&[4, 5, 6]);
    let expected = json!({
        "id": msg.id().to_hex(),
        "networkId": NETWORK,
        "sourceChainId": hx(CHAIN.0),
        "payload": { "type": "hash", "hash": hx(hash) },
        "signature": null,
    });
    assert_eq!(warp(&["message", "decode", "--json", &bytes]).json(), expected);
    assert_eq!(warp(&["message", "decode", "--json", &format!("0x{bytes}")]).json(), expected);
    let human = warp(&["message", "decode", &bytes]);
    assert_eq!(
        human.ok(),
        format!(
            "message ID    {} (cb58 {})\n\
             network ID    12345\n\
             source chain  {} (cb58 {})\n\
             payload       Hash (38 bytes)\n  \
             hash        {}\n\
             signature     none (unsigned message)\n",
            msg.id().to_hex(),
            msg.id(),
            CHAIN.to_hex(),
            CHAIN,
            hx(hash)
        )
    );
}

#[test]
fn decode_addressed_call_payload_vector() {
    let msg = unsigned_with(CALL_PAYLOAD);
    let out =
        warp_stdin(&["--json", "message", "decode", "-"], &format!("0x{}\n", hex::encode(msg.to_bytes())));
    let mut src = [0u8; 16];
    src[..3].copy_from_slice(&[1, 2, 3]);
    assert_eq!(
        out.json()["payload"],
        json!({ "type": "addressedCall", "sourceAddress": hx(src), "payload": "0x0a0b0c" })
    );
    let human = warp(&["message", "decode", &hex::encode(msg.to_bytes())]);
    assert!(human.ok().contains("payload           AddressedCall (33 bytes)\n"), "{}", human.stdout);
    assert!(human.stdout.contains("  source address  0x01020300000000000000000000000000\n"));
    assert!(human.stdout.contains("  payload         0x0a0b0c (3 bytes)\n"));
}

#[test]
fn decode_message_id_known_answer() {
    // awm-core's known answer: network 12345, the empty chain ID, Hash{0x11…}.
    let bytes = ["0000", "00003039", &"00".repeat(32), "00000026", "000000000000", &"11".repeat(32)].concat();
    let msg = UnsignedMessage::parse(&hex::decode(&bytes).unwrap()).unwrap();
    let out = warp(&["message", "decode", "--json", &bytes]).json();
    assert_eq!(out["id"], msg.id().to_hex());
    assert_eq!(out["sourceChainId"], hx([0u8; 32]));
    let human = warp(&["message", "decode", &bytes]);
    // The P-Chain's (empty) ID as avalanchego prints it.
    assert!(human.ok().contains("(cb58 11111111111111111111111111111111LpoYY)"));
}

#[test]
fn decode_unknown_payload_shows_the_bytes() {
    let msg = UnsignedMessage::new(1, CHAIN, vec![0xde, 0xad]).unwrap();
    let bytes = hex::encode(msg.to_bytes());
    let out = warp(&["message", "decode", "--json", &bytes]).json();
    assert_eq!(out["payload"], json!({ "type": "unknown", "bytes": "0xdead" }));
    let human = warp(&["message", "decode", &bytes]);
    assert!(
        human.ok().contains(
            "payload       unknown (2 bytes): unknown codec version 57005 (only 0 is registered)\n"
        ),
        "{}",
        human.stdout
    );
    assert!(human.stdout.contains("  bytes       0xdead\n"));
}

#[test]
fn decode_signed_message() {
    let f = fixture("decode_signed");
    let signed = f.signed_by(&[3, 4, 5]);
    let (idx, sig) = f.sign(&[3, 4, 5], &f.msg.to_bytes());
    let mut sorted = idx.clone();
    sorted.sort_unstable();
    let out = warp(&["message", "decode", "--json", &signed]).json();
    assert_eq!(out["id"], f.msg.id().to_hex());
    assert_eq!(out["networkId"], NETWORK);
    let runs = runs_of(&sorted);
    assert_eq!(
        out["signature"],
        json!({ "signers": { "count": 3, "ranges": runs, "rangesOmitted": 0 }, "signature": hx(sig) })
    );
    assert_eq!(out["payload"]["sourceAddress"], hx([0xaa; 20]));
    assert_eq!(out["payload"]["payload"], hx(b"payload"));
    let human = warp(&["message", "decode", &format!("0x{signed}")]);
    let bitset = hx(SignerBitSet::from_indices(idx).as_bytes());
    let runs: Vec<String> =
        runs.iter().map(|[a, b]| if a == b { a.to_string() } else { format!("{a}-{b}") }).collect();
    let signers = format!("signers           3 [{}] (bitset {bitset})\n", runs.join(", "));
    assert!(human.ok().contains(&signers), "{}", human.stdout);
    assert!(human.stdout.contains(&format!("signature         {}\n", hx(sig))));
}

/// Runs of consecutive indices in `sorted`, `[first, last]` each.
fn runs_of(sorted: &[usize]) -> Vec<[usize; 2]> {
    let mut runs: Vec<[usize; 2]> = Vec::new();
    for &i in sorted {
        match runs.last_mut() {
            Some(run) if run[1] + 1 == i => run[1] = i,
            _ => runs.push([i, i]),
        }
    }
    runs
}

/// Runs the binary under a limit on its address space (`ulimit -v`, in KiB).
fn run_limited(kib: u64, args: &[&str], stdin: &[u8]) -> Out {
    let mut child = Command::new("sh")
        .arg("-c")
        .arg(format!("ulimit -v {kib} && exec \"$0\" \"$@\""))
        .arg(env!("CARGO_BIN_EXE_warp"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("sh runs");
    let mut pipe = child.stdin.take().unwrap();
    let input = stdin.to_vec();
    let writer = std::thread::spawn(move || {
        let _ = pipe.write_all(&input);
    });
    let out = child.wait_with_output().unwrap();
    writer.join().unwrap();
    Out {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Review finding (Hardening II, 5): memory follows the input, not what it
/// claims. A signed message whose 1 MiB bitset names 8,388,608 signers decodes
/// in 200 MiB of address space to a few lines (it took about 700 MB and printed
/// a line per signer); 1,000 results entries of `[8388607]` (about 130 KB) are
/// refused in the same space (each used to build a 1 MiB bitset first).
#[test]
fn memory_follows_the_input_not_what_it_claims() {
    const LIMIT_KIB: u64 = 200 * 1024;
    let f = fixture("memory");
    let wide = f.signed(SignerBitSet::from_bytes(vec![0xff; 1 << 20]).unwrap(), [0xc0; 96]);
    let human = run_limited(LIMIT_KIB, &["message", "decode", "-"], wide.as_bytes());
    let stdout = human.ok();
    assert!(stdout.contains("signers           8388608 [0-8388607] (bitset 0xffffffff"), "{stdout}");
    assert!(stdout.len() < 2_000, "{} bytes of output", stdout.len());
    let json_out = run_limited(LIMIT_KIB, &["--json", "message", "decode", "-"], wide.as_bytes());
    assert!(json_out.ok().len() < 2_000, "{} bytes of JSON", json_out.stdout.len());
    let out: Value = serde_json::from_str(&json_out.stdout).unwrap();
    assert_eq!(
        out["signature"]["signers"],
        json!({ "count": 8_388_608, "ranges": [[0, 8_388_607]], "rangesOmitted": 0 })
    );
    // Every other signer: 32 runs listed, the rest counted.
    let sparse = f.signed(SignerBitSet::from_bytes(vec![0x55; 1 << 16]).unwrap(), [0xc0; 96]);
    let out: Value = serde_json::from_str(
        run_limited(LIMIT_KIB, &["--json", "message", "decode", "-"], sparse.as_bytes()).ok(),
    )
    .unwrap();
    assert_eq!(out["signature"]["signers"]["count"], 262_144);
    assert_eq!(out["signature"]["signers"]["ranges"].as_array().unwrap().len(), 32);
    assert_eq!(out["signature"]["signers"]["rangesOmitted"], 262_144 - 32);

    let entries: serde_json::Map<String, Value> = (1..=1_000u32)
        .map(|i| {
            let mut hash = [0u8; 32];
            hash[28..].copy_from_slice(&i.to_be_bytes());
            (hx(hash), json!({ addr(5): [8_388_607] }))
        })
        .collect();
    let input = Value::Object(entries).to_string();
    let refused = run_limited(LIMIT_KIB, &["results", "encode", "-"], input.as_bytes());
    let reason = refused.fails(2);
    assert!(reason.contains("above the 1048576-byte limit"), "{reason}");
}

#[test]
fn decode_flags_a_non_canonical_bitset() {
    let f = fixture("decode_noncanonical");
    let signed = f.signed(SignerBitSet::from_bytes(vec![0, 1]).unwrap(), [0xc0; 96]);
    let out = warp(&["message", "decode", "--json", &signed]).json();
    assert_eq!(out["signature"]["signers"], json!({ "count": 1, "ranges": [[0, 0]], "rangesOmitted": 0 }));
    let human = warp(&["message", "decode", &signed]);
    assert!(human.ok().contains("(bitset 0x0001, NOT canonical: verification refuses it)"));
}

#[test]
fn decode_errors() {
    let decode = |hex: &str| warp(&["message", "decode", hex]);
    assert_eq!(decode("0x0").fails(2), "message: invalid hex: Odd number of digits");
    assert_eq!(decode("0xgg").fails(2), "message: invalid hex: Invalid character 'g' at position 0");
    assert_eq!(
        decode("").fails(2),
        "message does not decode: input too short at offset 0: 2 bytes needed, 0 remaining"
    );
    assert_eq!(
        decode("0001").fails(2),
        "message does not decode: unknown codec version 1 (only 0 is registered)"
    );
    let f = fixture("decode_errors");
    let unsigned = f.unsigned_hex();
    assert_eq!(
        decode(&unsigned[..unsigned.len() - 2]).fails(2),
        "message does not decode: input too short at offset 42: 41 bytes needed, 40 remaining"
    );
    // An unsigned message with bytes after it: read as a signed message, which is short.
    assert_eq!(
        decode(&format!("{unsigned}00")).fails(2),
        "signed message does not decode: input too short at offset 83: 4 bytes needed, 1 remaining"
    );
    let signed = f.signed_by(&[1, 2, 3, 4, 5]);
    assert_eq!(
        decode(&format!("{signed}00")).fails(2),
        "signed message does not decode: 1 trailing bytes after the value"
    );
    let mut bad_type = hex::decode(&signed).unwrap();
    bad_type[f.msg.encoded_len() + 3] = 7;
    assert_eq!(
        decode(&hex::encode(bad_type)).fails(2),
        "signed message does not decode: unknown type ID 7 for warp signature"
    );
}

// ─── validators canonical ───────────────────────────────────────────────────

#[test]
fn canonical_order_of_the_local_keys() {
    // §10.1: the five local keys sort by uncompressed key into 5, 2, 3, 4, 1.
    let dir = TempDir::new("canonical_local");
    let entries: Vec<Entry> =
        (1..=5).map(|n| Entry { node: NodeId([n as u8; 20]), key: Some(local_key(n)), weight: 1 }).collect();
    let json_text = validators_json(&entries);
    let bare = dir.write("v.json", &json_text);
    let rpc = dir.write("rpc.json", &rpc_response(&json_text));
    let rpc_wrapped = dir.write("rpc2.json", &rpc_response(&format!(r#"{{"validators":{json_text}}}"#)));
    let expected: Vec<Value> = [5, 2, 3, 4, 1]
        .iter()
        .map(|n| {
            json!({
                "publicKey": format!("0x{}", LOCAL[n - 1].0),
                "weight": 1,
                "nodeIds": [NodeId([*n as u8; 20]).to_string()],
            })
        })
        .collect();
    for file in [&bare, &rpc, &rpc_wrapped] {
        let out = warp(&["validators", "canonical", "--json", file]).json();
        assert_eq!(out, json!({ "validators": expected, "totalWeight": 5 }));
    }
    let stdin = warp_stdin(&["--json", "validators", "canonical", "-"], &json_text).json();
    assert_eq!(stdin["totalWeight"], 5);

    let human = warp(&["validators", "canonical", &bare]);
    let lines: Vec<&str> = human.ok().lines().collect();
    assert_eq!(lines[0], "index  weight  public key / node IDs");
    assert_eq!(lines[1], format!("    0       1  0x{}", LOCAL[4].0));
    assert_eq!(lines[2], format!("                 {}", NodeId([5; 20])));
    assert_eq!(lines[9], format!("    4       1  0x{}", LOCAL[0].0));
    assert_eq!(lines[11], "5 validators with keys, weight 5; total weight 5 (keyless 0)");
}

#[test]
fn canonical_merges_shared_keys_and_counts_keyless_weight() {
    let dir = TempDir::new("canonical_merge");
    let k = |i: u8| Some(SecretKey::from_seed(&[i; 32]).unwrap());
    let entries = [
        Entry { node: NodeId([1; 20]), key: k(1), weight: 10 },
        Entry { node: NodeId([2; 20]), key: k(1), weight: 7 },
        Entry { node: NodeId([3; 20]), key: None, weight: 5 },
        Entry { node: NodeId([4; 20]), key: k(2), weight: 1 },
    ];
    let file = dir.write("v.json", &validators_json(&entries));
    let out = warp(&["validators", "canonical", "--json", &file]).json();
    assert_eq!(out["totalWeight"], 23);
    let vals = out["validators"].as_array().unwrap();
    assert_eq!(vals.len(), 2);
    let merged = vals.iter().find(|v| v["weight"] == 17).unwrap();
    assert_eq!(merged["nodeIds"], json!([NodeId([1; 20]).to_string(), NodeId([2; 20]).to_string()]));
    assert_eq!(merged["publicKey"], hx(k(1).unwrap().public_key().to_compressed()));
    let human = warp(&["validators", "canonical", &file]);
    assert!(human.ok().ends_with("2 validators with keys, weight 18; total weight 23 (keyless 5)\n"));
}

#[test]
fn published_go_test_key_loads() {
    // §10.1: the key of avalanchego's snow/validators/warp_test.go, in the JSON form.
    let pk =
        "0x88c4760201a451619475ff7d3782d02381826bad5bef306d1ff6b22d3fb2e137bc004d867054efc241463fe4b21c61af";
    let dir = TempDir::new("go_key");
    let node = "NodeID-7Xhw2mDxuDS44j42TCB6U5579esbSt3Lg";
    let file = dir.write("v.json", &format!(r#"{{"{node}":{{"publicKey":"{pk}","weight":"2000"}}}}"#));
    let out = warp(&["validators", "canonical", "--json", &file]).json();
    assert_eq!(
        out,
        json!({ "validators": [{ "publicKey": pk, "weight": 2000, "nodeIds": [node] }], "totalWeight": 2000 })
    );
}

#[test]
fn validator_file_errors() {
    let dir = TempDir::new("validator_errors");
    let canonical = |path: &str| warp(&["validators", "canonical", path]);
    let missing = dir.path().join("missing.json");
    let missing = missing.to_str().unwrap();
    assert!(canonical(missing)
        .fails(2)
        .starts_with(&format!("reading validators file {missing}: No such file or directory")));
    let node = "NodeID-7Xhw2mDxuDS44j42TCB6U5579esbSt3Lg";
    let cases: Vec<(&str, String, &str)> = vec![
        ("notjson", "{".into(), "invalid JSON: EOF while parsing an object at line 1 column 1"),
        ("array", "[1]".into(), "expected a map of node IDs to validators, found an array"),
        ("rpc_error", r#"{"jsonrpc":"2.0","error":{"code":-32000,"message":"height too low"},"id":1}"#.into(),
         r#"JSON-RPC error: {"code":-32000,"message":"height too low"}"#),
        ("bad_node", r#"{"7Xhw2mDx":{"weight":"1"}}"#.into(),
         r#"bad node ID "7Xhw2mDx": node ID must start with "NodeID-": "7Xhw2mDx""#),
        ("bad_weight", format!(r#"{{"{node}":{{"weight":"-1"}}}}"#),
         "validator NodeID-7Xhw2mDxuDS44j42TCB6U5579esbSt3Lg: weight \"-1\" is not a decimal u64"),
        ("short_key", format!(r#"{{"{node}":{{"publicKey":"0x12","weight":"1"}}}}"#),
         "validator NodeID-7Xhw2mDxuDS44j42TCB6U5579esbSt3Lg: public key: expected 48 bytes, got 1"),
        ("infinity_key", format!(r#"{{"{node}":{{"publicKey":"0xc{}","weight":"1"}}}}"#, "0".repeat(95)),
         "validator NodeID-7Xhw2mDxuDS44j42TCB6U5579esbSt3Lg: public key: public key is the point at infinity"),
        ("overflow", format!(r#"{{"{node}":{{"weight":"18446744073709551615"}},"NodeID-111111111111111111116DBWJs":{{"weight":"1"}}}}"#),
         "total validator weight overflows u64"),
    ];
    for (name, contents, reason) in cases {
        let file = dir.write(&format!("{name}.json"), &contents);
        let line = canonical(&file).fails(2).to_owned();
        let prefix = format!("validators file {file}: ");
        assert!(line.starts_with(&prefix), "{name}: {line}");
        assert!(line[prefix.len()..].starts_with(reason), "{name}: {line}");
    }
}

/// Review finding (Hardening II, 4): a rogue key outside the registry. With the
/// five honest keys published, an attacker who knows `x` writes the key
/// `x·G − Σpkᵢ` into a validator file with weight 0; every validator then
/// "signs" with `x`'s signature alone. The P-Chain never reports a zero weight,
/// so the file is refused; with any weight the forgery verifies, which is why a
/// validator file must come from a P-Chain you trust (the help says so).
#[test]
fn a_rogue_key_of_weight_zero_is_refused() {
    use blst::min_pk::{AggregatePublicKey, PublicKey as Point};
    let f = fixture("rogue_key");
    let x = SecretKey::from_seed(&[0x66; 32]).unwrap();
    let point = |k: &SecretKey| Point::uncompress(&k.public_key().to_compressed()).unwrap();
    let honest: Vec<Point> = f.keys.iter().map(point).collect();
    let sum = AggregatePublicKey::aggregate(&honest.iter().collect::<Vec<_>>(), false).unwrap();
    let mut rogue = AggregatePublicKey::from_public_key(&point(&x));
    rogue.sub_aggregate(&sum);
    let rogue_key = hx(rogue.to_public_key().compress());

    let file_with = |weight: &str| {
        let mut map: serde_json::Map<String, Value> =
            serde_json::from_str(&std::fs::read_to_string(&f.bare).unwrap()).unwrap();
        map.insert(NodeId([0x66; 20]).to_string(), json!({ "publicKey": rogue_key, "weight": weight }));
        f.dir.write(&format!("rogue_{weight}.json"), &Value::Object(map).to_string())
    };
    // Every one of the six validators "signed"; the signature is x's alone.
    let forged = f.signed(SignerBitSet::from_indices(0..6), x.sign(&f.msg.to_bytes()).to_bytes());
    let verify =
        |file: &str| warp(&["message", "verify", "--validators", file, "--network-id", "12345", &forged]);

    let zero = file_with("0");
    let reason = verify(&zero).fails(2).to_owned();
    assert!(
        reason.ends_with(&format!(
            "validator {}: weight 0 (the P-Chain never reports a zero-weight validator)",
            NodeId([0x66; 20])
        )),
        "{reason}"
    );
    assert!(warp(&["validators", "canonical", &zero]).fails(2).contains("weight 0"));
    // The trust boundary: with a weight, nothing in the file can tell the rogue key apart.
    assert!(verify(&file_with("1")).ok().contains("valid          yes\n"));
    let help = warp(&["message", "verify", "--help"]);
    assert!(help.ok().contains("from a P-Chain you trust"), "{}", help.stdout);
}

// ─── sign ───────────────────────────────────────────────────────────────────

#[test]
fn sign_with_hex_and_cb58_chain_ids() {
    let f = fixture("sign");
    let expected = hx(f.keys[0].sign(&f.msg.to_bytes()).to_bytes());
    let unsigned = f.unsigned_hex();
    let sk = f.sk_hex(1);
    let net = NETWORK.to_string();
    for chain in [CHAIN.to_hex(), CHAIN.to_string(), hex::encode(CHAIN.0)] {
        let out = warp(&["sign", "--secret-key", &sk, "--network-id", &net, "--chain-id", &chain, &unsigned]);
        assert_eq!(out.ok(), format!("{expected}\n"), "chain ID {chain}");
    }
    let out = warp_stdin(
        &[
            "sign",
            "--json",
            "--secret-key",
            &format!("0x{sk}"),
            "--network-id",
            &net,
            "--chain-id",
            &CHAIN.to_string(),
            "-",
        ],
        &format!("0x{unsigned}\n"),
    )
    .json();
    assert_eq!(
        out,
        json!({ "signature": expected, "publicKey": hx(f.keys[0].public_key().to_compressed()) })
    );
    // The signature verifies with the published key.
    let sig = Signature::from_bytes(&hex::decode(&expected[2..]).unwrap()).unwrap();
    assert!(f.keys[0].public_key().verify(&f.msg.to_bytes(), &sig));
}

#[test]
fn sign_refuses_other_chains_and_networks_with_exit_1() {
    let f = fixture("sign_refuse");
    let unsigned = f.unsigned_hex();
    let sk = f.sk_hex(1);
    let other = Id([0x11; 32]);
    let out = warp(&[
        "sign",
        "--secret-key",
        &sk,
        "--network-id",
        "12345",
        "--chain-id",
        &other.to_hex(),
        &unsigned,
    ]);
    assert_eq!(
        out.fails(1),
        format!("signing refused: message source chain {CHAIN} is not this signer's chain {other}")
    );
    assert!(out.stdout.is_empty());
    let out =
        warp(&["sign", "--secret-key", &sk, "--network-id", "1", "--chain-id", &CHAIN.to_hex(), &unsigned]);
    assert_eq!(out.fails(1), "signing refused: message network ID 12345 is not this signer's network ID 1");
}

#[test]
fn sign_bad_input_exits_2() {
    let f = fixture("sign_bad");
    let unsigned = f.unsigned_hex();
    let sk = f.sk_hex(1);
    let sign = |sk: &str, chain: &str, msg: &str| {
        warp(&["sign", "--secret-key", sk, "--network-id", "12345", "--chain-id", chain, msg])
    };
    let chain = CHAIN.to_hex();
    assert_eq!(sign(&sk, "0x1234", &unsigned).fails(2), "--chain-id: expected 32 bytes, got 2");
    assert_eq!(
        sign(&sk, "11111111111111111111111111111111LpoYZ", &unsigned).fails(2),
        "--chain-id: cb58 checksum mismatch"
    );
    assert!(sign(&sk, "not-an-id", &unsigned).fails(2).starts_with("--chain-id: invalid cb58: "));
    assert_eq!(sign("01", &chain, &unsigned).fails(2), "--secret-key: secret key must be 32 bytes, got 1");
    assert_eq!(
        sign(&sk, &chain, &f.signed_by(&[1])).fails(2),
        "expected an unsigned message, got a signed one"
    );
    assert_eq!(
        sign(&sk, &chain, "00").fails(2),
        "unsigned message does not decode: input too short at offset 0: 2 bytes needed, 1 remaining"
    );
    // Only one argument can read stdin.
    let out = warp_stdin(&["sign", "--secret-key", "-", "--network-id", "1", "--chain-id", &chain, "-"], &sk);
    assert_eq!(
        out.fails(2),
        "message: stdin (`-`) was already read for --secret-key; only one argument can be `-`"
    );
}

// ─── aggregate ──────────────────────────────────────────────────────────────

#[test]
fn aggregate_sign_then_verify_round_trip() {
    let f = fixture("aggregate");
    let unsigned = f.unsigned_hex();
    let net = NETWORK.to_string();
    // Each validator signs through the CLI.
    let sigs: Vec<String> = (1..=5)
        .map(|n| {
            let out = warp(&[
                "sign",
                "--secret-key",
                &f.sk_hex(n),
                "--network-id",
                &net,
                "--chain-id",
                &CHAIN.to_hex(),
                &unsigned,
            ]);
            out.ok().trim().to_owned()
        })
        .collect();
    let sig_args: Vec<String> = (1..=5).map(|n| format!("{}={}", f.nodes[n - 1], sigs[n - 1])).collect();
    let mut args: Vec<&str> = vec!["aggregate", "--validators", &f.rpc];
    for s in &sig_args {
        args.extend(["--sig", s]);
    }
    args.push(&unsigned);
    // Heaviest first: 50 + 40 + 30 = 120 ≥ 67% of 150 stops the aggregation.
    let signed = warp(&args).ok().trim().to_owned();
    assert_eq!(signed, format!("0x{}", f.signed_by(&[3, 4, 5])));

    let mut json_args = args.clone();
    json_args.push("--json");
    let out = warp(&json_args).json();
    let mut idx: Vec<usize> =
        [3, 4, 5].iter().map(|n| f.set.index_of(&f.keys[n - 1].public_key()).unwrap()).collect();
    idx.sort_unstable();
    assert_eq!(
        out,
        json!({
            "message": signed,
            "signers": idx,
            "signedWeight": 120,
            "totalWeight": 150,
            "quorum": "67/100",
            "dropped": [],
        })
    );

    // The aggregate verifies, with the message from stdin and either validator file shape.
    for file in [&f.bare, &f.rpc] {
        let out =
            warp_stdin(&["message", "verify", "--validators", file, "--network-id", &net, "-"], &signed);
        let head = format!(
            "message ID     {}\nvalid          yes\nsigned weight  120 of 150\nquorum         67/100 (needs 101 of 150)\n\
             signers        3 in the set\n",
            f.msg.id().to_hex()
        );
        let text = out.ok();
        assert!(text.starts_with(&head), "{text}");
        // One line per signer: index, node ID, weight; the weights add up to the signed weight.
        let weights: u64 = text[head.len()..]
            .lines()
            .map(|l| l.rsplit_once("weight ").unwrap().1.parse::<u64>().unwrap())
            .sum();
        assert_eq!(weights, 120);
    }
    // A higher quorum needs everyone.
    let mut all = args.clone();
    all.extend(["--quorum", "1/1"]);
    assert_eq!(warp(&all).ok().trim(), format!("0x{}", f.signed_by(&[1, 2, 3, 4, 5])));
}

#[test]
fn aggregate_drops_bad_signatures_and_names_them() {
    let f = fixture("aggregate_drop");
    let bytes = f.msg.to_bytes();
    let unsigned = f.unsigned_hex();
    let good = |n: usize| f.sig_arg(n, &f.keys[n - 1].sign(&bytes).to_bytes());
    // Validator 5 (weight 50) sends validator 4's signature; 4 sends a short one.
    let wrong = f.sig_arg(5, &f.keys[3].sign(&bytes).to_bytes());
    let short = f.sig_arg(4, &[0xab; 10]);
    let unknown = format!("{}={}", NodeId([9; 20]), hx(f.keys[0].sign(&bytes).to_bytes()));
    let (g1, g2, g3) = (good(1), good(2), good(3));
    let out = warp(&[
        "aggregate",
        "--validators",
        &f.bare,
        "--sig",
        &wrong,
        "--sig",
        &short,
        "--sig",
        &unknown,
        "--sig",
        &g3,
        "--sig",
        &g2,
        "--sig",
        &g1,
        "--quorum",
        "60/150",
        &unsigned,
    ]);
    assert_eq!(out.code, 0, "{}", out.stderr);
    assert_eq!(out.stdout.trim(), format!("0x{}", f.signed_by(&[3, 2, 1])));
    assert_eq!(
        out.stderr_lines(),
        vec![
            format!("warning: dropped signature from {}: not a canonical validator of the set", NodeId([9; 20])),
            format!("warning: dropped signature from {}: signature does not verify against the validator's key", f.nodes[4]),
            format!("warning: dropped signature from {}: signature does not parse: signature must be 96 bytes, got 10", f.nodes[3]),
        ]
    );
    let json_out = warp(&[
        "aggregate",
        "--json",
        "--validators",
        &f.bare,
        "--sig",
        &wrong,
        "--sig",
        &g3,
        "--sig",
        &g2,
        "--sig",
        &g1,
        "--quorum",
        "60/150",
        &unsigned,
    ]);
    assert_eq!(json_out.code, 0);
    let v: Value = serde_json::from_str(&json_out.stdout).unwrap();
    assert_eq!(
        v["dropped"],
        json!([{ "nodeId": f.nodes[4].to_string(), "reason": "signature does not verify against the validator's key" }])
    );
    assert_eq!(v["signedWeight"], 60);
    assert_eq!(v["quorum"], "60/150");
}

#[test]
fn aggregate_with_too_little_weight_exits_1_with_the_numbers() {
    let f = fixture("aggregate_short");
    let bytes = f.msg.to_bytes();
    let unsigned = f.unsigned_hex();
    let g1 = f.sig_arg(1, &f.keys[0].sign(&bytes).to_bytes());
    let bad = f.sig_arg(5, &f.keys[0].sign(&bytes).to_bytes());
    let out = warp(&["aggregate", "--validators", &f.bare, "--sig", &g1, "--sig", &bad, &unsigned]);
    assert_eq!(out.code, 1);
    assert!(out.stdout.is_empty());
    assert_eq!(
        out.stderr_lines(),
        vec![
            format!("warning: dropped signature from {}: signature does not verify against the validator's key", f.nodes[4]),
            "error: aggregation failed: valid signatures carry weight 10 of total 150; quorum 67/100 needs 101 (1 signatures dropped)".to_owned(),
        ]
    );
    // No signatures at all.
    let out = warp(&["aggregate", "--validators", &f.bare, &unsigned]);
    assert_eq!(
        out.fails(1),
        "aggregation failed: valid signatures carry weight 0 of total 150; quorum 67/100 needs 101 (0 signatures dropped)"
    );
}

#[test]
fn aggregate_bad_input_exits_2() {
    let f = fixture("aggregate_bad");
    let unsigned = f.unsigned_hex();
    let agg = |extra: &[&str], msg: &str| {
        let mut args = vec!["aggregate", "--validators", f.bare.as_str()];
        args.extend(extra);
        args.push(msg);
        warp(&args)
    };
    assert_eq!(
        agg(&["--sig", "NodeID-xyz"], &unsigned).fails(2),
        "--sig \"NodeID-xyz\": expected NODEID=SIGHEX, e.g. NodeID-…=0x8a…"
    );
    assert_eq!(
        agg(&["--sig", "7Xhw=00"], &unsigned).fails(2),
        "--sig node ID: node ID must start with \"NodeID-\": \"7Xhw\""
    );
    let node = f.nodes[0].to_string();
    assert_eq!(
        agg(&["--sig", &format!("{node}=0xzz")], &unsigned).fails(2),
        format!("--sig signature of {node}: invalid hex: Invalid character 'z' at position 0")
    );
    assert_eq!(
        agg(&["--quorum", "2/1"], &unsigned).fails(2),
        "--quorum \"2/1\": quorum numerator 2 exceeds denominator 1"
    );
    assert_eq!(
        agg(&["--quorum", "1/0"], &unsigned).fails(2),
        "--quorum \"1/0\": quorum denominator must not be zero"
    );
    assert_eq!(
        agg(&["--quorum", "32/100"], &unsigned).fails(2),
        "--quorum \"32/100\": 32/100 is below the minimum quorum of 33/100"
    );
    assert_eq!(
        agg(&["--quorum", "67%"], &unsigned).fails(2),
        "--quorum \"67%\": expected NUM/DEN, e.g. 67/100"
    );
    assert_eq!(
        agg(&["--quorum", "x/100"], &unsigned).fails(2),
        "--quorum \"x/100\": numerator \"x\" is not a u64: invalid digit found in string"
    );
    assert_eq!(agg(&[], &f.signed_by(&[1])).fails(2), "expected an unsigned message, got a signed one");
    let out = warp(&["aggregate", "--validators", "/nonexistent/v.json", &unsigned]);
    assert!(out.fails(2).starts_with("reading validators file /nonexistent/v.json: "));
}

// ─── message verify ─────────────────────────────────────────────────────────

/// The signature-verification cases of avalanchego's `signature_test.go` (§10.1),
/// through the CLI: (name, network, signed hex, exit code, JSON signedWeight, error).
#[test]
fn verify_table_from_the_go_tests() {
    let f = fixture("verify_table");
    let bytes = f.msg.to_bytes();
    let (all_idx, all_sig) = f.sign(&[1, 2, 3, 4, 5], &bytes);
    let (heavy_idx, heavy_sig) = f.sign(&[3, 4, 5], &bytes);
    let (light_idx, light_sig) = f.sign(&[1, 2, 3], &bytes);
    let (_, other_sig) = f.sign(&[1, 2, 3, 4, 5], b"another message");
    let bits = |idx: &[usize]| SignerBitSet::from_indices(idx.iter().copied());
    let raw = |b: &[u8]| SignerBitSet::from_bytes(b.to_vec()).unwrap();
    let mut not_a_point = [0u8; 96];
    not_a_point[0] = 0x80;
    let mut infinity = [0u8; 96];
    infinity[0] = 0xc0;

    // (name, receiver's network, signed hex, exit code, JSON signedWeight, error)
    type Case<'a> = (&'a str, u32, String, i32, Value, Option<&'a str>);
    let cases: Vec<Case<'_>> = vec![
        ("valid, all signers", NETWORK, f.signed(bits(&all_idx), all_sig), 0, json!(150), None),
        ("valid, partial signers", NETWORK, f.signed(bits(&heavy_idx), heavy_sig), 0, json!(120), None),
        ("wrong network ID", 1, f.signed(bits(&all_idx), all_sig), 1, json!(150),
         Some("message network ID 12345 is not the receiver's network ID 1")),
        ("invalid bitset 00", NETWORK, f.signed(raw(&[0]), all_sig), 1, json!(0),
         Some("signer bitset of 1 bytes is not canonical: it starts with a zero byte")),
        ("inefficient bitset 00 01", NETWORK, f.signed(raw(&[0, 1]), all_sig), 1, json!(f.set.validators()[0].weight),
         Some("signer bitset of 2 bytes is not canonical: it starts with a zero byte")),
        ("unknown validator", NETWORK, f.signed(bits(&[0, 5]), all_sig), 1, Value::Null,
         Some("signer index 5 is out of range for 5 canonical validators")),
        ("insufficient weight", NETWORK, f.signed(bits(&light_idx), light_sig), 1, json!(60),
         Some("signed weight 60 of total 150 is below quorum 67/100")),
        ("no signers", NETWORK, f.signed(bits(&[]), all_sig), 1, json!(0),
         Some("signed weight 0 of total 150 is below quorum 67/100")),
        ("malformed signature", NETWORK, f.signed(bits(&all_idx), not_a_point), 1, json!(150),
         Some("aggregate signature does not parse: signature is not a valid compressed G2 point (point not on curve)")),
        ("invalid signature", NETWORK, f.signed(bits(&all_idx), other_sig), 1, json!(150),
         Some("invalid aggregate signature from 5 signers")),
        ("signers do not match", NETWORK, f.signed(bits(&all_idx), heavy_sig), 1, json!(150),
         Some("invalid aggregate signature from 5 signers")),
        ("infinity signature", NETWORK, f.signed(bits(&all_idx), infinity), 1, json!(150),
         Some("invalid aggregate signature from 5 signers")),
    ];
    for (name, network, signed, code, weight, error) in cases {
        let net = network.to_string();
        let out =
            warp(&["message", "verify", "--json", "--validators", &f.bare, "--network-id", &net, &signed]);
        assert_eq!(out.code, code, "{name}: {}", out.stderr);
        let mut v: Value = serde_json::from_str(&out.stdout).unwrap();
        // The signers the bitset names inside the set, with their weights.
        let signers = v.as_object_mut().unwrap().remove("signers").unwrap();
        let listed: u64 = signers.as_array().unwrap().iter().map(|s| s["weight"].as_u64().unwrap()).sum();
        if let Some(w) = weight.as_u64() {
            assert_eq!(listed, w, "{name}");
        }
        assert_eq!(
            v,
            json!({
                "valid": code == 0,
                "error": error,
                "signedWeight": weight,
                "totalWeight": 150,
                "quorum": "67/100",
            }),
            "{name}"
        );
        match error {
            None => assert!(out.stderr.is_empty(), "{name}"),
            Some(e) => assert_eq!(out.fails(1), format!("verification failed: {e}"), "{name}"),
        }
    }
}

#[test]
fn verify_human_output_and_quorum() {
    let f = fixture("verify_human");
    let signed = f.signed_by(&[3, 4, 5]);
    let verify = |extra: &[&str]| {
        let mut args = vec!["message", "verify", "--validators", f.rpc.as_str(), "--network-id", "12345"];
        args.extend(extra);
        args.push(&signed);
        warp(&args)
    };
    let out = verify(&["--quorum", "9/10"]);
    assert_eq!(out.fails(1), "verification failed: signed weight 120 of total 150 is below quorum 9/10");
    assert_eq!(
        out.stdout,
        format!(
            "message ID     {}\nvalid          no: signed weight 120 of total 150 is below quorum 9/10\n\
             signed weight  120 of 150\nquorum         9/10 (needs 135 of 150)\nsigners        3 in the set\n{}",
            f.msg.id().to_hex(),
            f.signer_lines(&[3, 4, 5])
        )
    );
    assert!(verify(&["--quorum", "4/5"]).ok().contains("valid          yes\n"));
    let json_out = verify(&["--quorum", "80/100", "--json"]).json();
    assert_eq!(json_out["valid"], true);
    assert_eq!(json_out["error"], Value::Null);
    assert_eq!(json_out["quorum"], "80/100");
}

#[test]
fn verify_bad_input_exits_2() {
    let f = fixture("verify_bad");
    let signed = f.signed_by(&[3, 4, 5]);
    let verify = |validators: &str, quorum: &str, msg: &str| {
        warp(&[
            "message",
            "verify",
            "--validators",
            validators,
            "--network-id",
            "12345",
            "--quorum",
            quorum,
            msg,
        ])
    };
    assert_eq!(
        verify(&f.bare, "67/100", &f.unsigned_hex()).fails(2),
        "expected a signed message, got an unsigned one (aggregate signatures first)"
    );
    assert_eq!(
        verify(&f.bare, "67/100", &signed[..signed.len() - 2]).fails(2),
        "signed message does not decode: input too short at offset 92: 96 bytes needed, 95 remaining"
    );
    assert_eq!(
        verify(&f.bare, "0/0", &signed).fails(2),
        "--quorum \"0/0\": quorum denominator must not be zero"
    );
    let bad = f.dir.write("bad.json", r#"{"NodeID-111111111111111111116DBWJs":{"weight":"x"}}"#);
    assert_eq!(
        verify(&bad, "67/100", &signed).fails(2),
        format!("validators file {bad}: validator NodeID-111111111111111111116DBWJs: weight \"x\" is not a decimal u64")
    );
    // The validators from stdin and the message from stdin cannot both be `-`.
    let out = warp_stdin(&["message", "verify", "--validators", "-", "--network-id", "1", "-"], &signed);
    assert_eq!(
        out.fails(2),
        "--validators: stdin (`-`) was already read for message; only one argument can be `-`"
    );
    // The validators from stdin alone work.
    let json_text = std::fs::read_to_string(&f.bare).unwrap();
    let out = warp_stdin(
        &["message", "verify", "--json", "--validators", "-", "--network-id", "12345", &signed],
        &json_text,
    );
    assert_eq!(out.json()["valid"], true);
}

// ─── predicate ──────────────────────────────────────────────────────────────

fn key_hex(bytes: &[u8]) -> String {
    let mut k = [0u8; 32];
    k[..bytes.len()].copy_from_slice(bytes);
    hx(k)
}

#[test]
fn predicate_pack_go_vectors() {
    // §10.1: avalanchego vms/evm/predicate/predicate_test.go.
    let mut last_ff = [0u8; 32];
    last_ff[31] = 0xff;
    let forty: Vec<u8> = (0u8..5).flat_map(|hi| (0u8..8).map(move |lo| hi * 0x10 + lo)).collect();
    let cases: Vec<(String, Vec<String>)> = vec![
        (String::new(), vec![key_hex(&[0xff])]),
        ("42".into(), vec![key_hex(&[0x42, 0xff])]),
        ("00".repeat(31), vec![hx(last_ff)]),
        ("00".repeat(32), vec![key_hex(&[]), key_hex(&[0xff])]),
        (
            hex::encode(&forty),
            vec![hx(&forty[..32]), key_hex(&[0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0xff])],
        ),
    ];
    for (input, keys) in cases {
        let human = warp(&["predicate", "pack", &format!("0x{input}")]);
        assert_eq!(human.ok(), format!("{}\n", keys.join("\n")), "{input}");
        let json_out = warp(&["predicate", "pack", "--json", &input]).json();
        assert_eq!(json_out, json!(keys));
        // Unpacking gives the bytes back: keys as arguments, or from stdin (lines or the JSON array).
        let mut args = vec!["predicate", "unpack"];
        args.extend(keys.iter().map(String::as_str));
        assert_eq!(warp(&args).ok(), format!("0x{input}\n"));
        assert_eq!(warp_stdin(&["predicate", "unpack", "-"], &human.stdout).ok(), format!("0x{input}\n"));
        let from_json = warp_stdin(&["predicate", "unpack", "--json", "-"], &json_out.to_string()).json();
        assert_eq!(from_json, json!({ "bytes": format!("0x{input}") }));
    }
}

#[test]
fn predicate_unpack_go_errors() {
    let unpack = |keys: &[&str]| {
        let mut args = vec!["predicate", "unpack"];
        args.extend(keys);
        warp(&args)
    };
    let zero = key_hex(&[]);
    assert_eq!(
        unpack(&[&zero]).fails(2),
        "predicate: predicate of 1 storage keys has no 0xff delimiter: every byte is zero"
    );
    assert_eq!(
        unpack(&[&key_hex(&[0x42])]).fails(2),
        "predicate: predicate's last non-zero byte is 0x42, not the 0xff delimiter"
    );
    assert_eq!(
        unpack(&[&key_hex(&[0xff]), &zero]).fails(2),
        "predicate: predicate has 2 storage keys but its content fits in 1: excess zero padding"
    );
    assert_eq!(unpack(&["0xff"]).fails(2), "storage key 0: expected 32 bytes, got 1");
    assert_eq!(
        unpack(&[&zero, "0xzz"]).fails(2),
        "storage key 1: invalid hex: Invalid character 'z' at position 0"
    );
    assert_eq!(
        warp_stdin(&["predicate", "unpack", "-"], "").fails(2),
        "predicate: predicate of 0 storage keys has no 0xff delimiter: every byte is zero"
    );
    assert!(warp_stdin(&["predicate", "unpack", "-"], "[1]")
        .fails(2)
        .starts_with("storage keys on stdin: not a JSON array of strings: "));
}

#[test]
fn predicate_gas_under_each_schedule() {
    let f = fixture("gas");
    // 3 signers; the message is 42 + 41 payload + 104 + 1 bitset = 188 bytes: 6 chunks.
    let signed = f.signed_by(&[3, 4, 5]);
    assert_eq!(signed.len() / 2, 188);
    for (schedule, base, chunk, signer) in [
        ("acp30", 20_000u64, 3_200u64, 500u64),
        ("pre-granite", 200_000, 3_200, 500),
        ("granite", 125_000, 512, 250),
    ] {
        let gas = base + 6 * chunk + 3 * signer;
        let out = warp(&["predicate", "gas", "--json", "--schedule", schedule, &signed]).json();
        assert_eq!(out, json!({ "gas": gas, "chunks": 6, "signers": 3 }), "{schedule}");
        let human = warp_stdin(&["predicate", "gas", "--schedule", schedule, "-"], &format!("0x{signed}"));
        assert_eq!(
            human.ok(),
            format!(
                "gas        {gas}\n  base     {base} ({schedule})\n  chunks   6 × {chunk} = {}\n  signers  3 × {signer} = {}\n",
                6 * chunk,
                3 * signer
            )
        );
    }
}

#[test]
fn predicate_gas_refuses_what_makes_a_transaction_invalid() {
    let f = fixture("gas_bad");
    let gas = |msg: &str| warp(&["predicate", "gas", "--schedule", "granite", msg]);
    assert_eq!(
        gas(&f.unsigned_hex()).fails(2),
        "predicate gas: invalid warp message: input too short at offset 83: 4 bytes needed, 0 remaining"
    );
    let noncanonical = f.signed(SignerBitSet::from_bytes(vec![0, 1]).unwrap(), [0xc0; 96]);
    assert_eq!(
        gas(&noncanonical).fails(2),
        "predicate gas: cannot count signers: signer bitset of 2 bytes is not canonical: it starts with a zero byte"
    );
    let bad_payload = UnsignedMessage::new(NETWORK, CHAIN, vec![1, 2, 3]).unwrap();
    let signed = hex::encode(
        Message::new(bad_payload, BitSetSignature::new(SignerBitSet::from_indices([0]), [0xc0; 96]))
            .to_bytes(),
    );
    assert_eq!(
        gas(&signed).fails(2),
        "predicate gas: invalid warp message payload: unknown codec version 258 (only 0 is registered)"
    );
    assert_eq!(gas("0x1").fails(2), "message: invalid hex: Odd number of digits");
}

// ─── results ────────────────────────────────────────────────────────────────

/// §10.1: avalanchego vms/evm/predicate/results_test.go.
const RESULTS_ONE: &str = concat!(
    "0000",
    "00000001",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "00000001",
    "0200000000000000000000000000000000000000",
    "00000001",
    "0e"
);
const RESULTS_TWO: &str = concat!(
    "0000",
    "00000001",
    "0100000000000000000000000000000000000000000000000000000000000000",
    "00000002",
    "0200000000000000000000000000000000000000",
    "00000001",
    "0e",
    "0300000000000000000000000000000000000000",
    "00000001",
    "0f"
);

fn tx(first: u8) -> String {
    key_hex(&[first])
}

fn addr(first: u8) -> String {
    let mut a = [0u8; 20];
    a[0] = first;
    hx(a)
}

#[test]
fn results_go_vectors_both_ways() {
    let one = json!({ tx(1): { addr(2): [1, 2, 3] } });
    let two = json!({ tx(1): { addr(2): [1, 2, 3], addr(3): [0, 1, 2, 3] } });
    for (bytes, value) in [("000000000000", json!({})), (RESULTS_ONE, one), (RESULTS_TWO, two)] {
        assert_eq!(warp(&["results", "decode", "--json", bytes]).json(), value);
        assert_eq!(warp(&["results", "decode", "--json", &format!("0x{bytes}")]).json(), value);
        assert_eq!(warp(&["results", "encode", &value.to_string()]).ok(), format!("0x{bytes}\n"));
        assert_eq!(warp_stdin(&["results", "encode", "-"], &value.to_string()).ok(), format!("0x{bytes}\n"));
        assert_eq!(
            warp(&["results", "encode", "--json", &value.to_string()]).json(),
            json!({ "bytes": format!("0x{bytes}") })
        );
    }
    assert_eq!(warp(&["results", "decode", "000000000000"]).ok(), "no transactions with predicates\n");
    assert_eq!(
        warp_stdin(&["results", "decode", "-"], RESULTS_TWO).ok(),
        format!("tx {}\n  {}  failed [1, 2, 3]\n  {}  failed [0, 1, 2, 3]\n", tx(1), addr(2), addr(3))
    );
    // An entry with no failures, and upper-case hex without 0x in the JSON.
    let valid = json!({ tx(9)[2..].to_uppercase(): { addr(4): [] } });
    let bytes = warp(&["results", "encode", &valid.to_string()]).ok().trim().to_owned();
    assert_eq!(
        warp(&["results", "decode", &bytes]).ok(),
        format!("tx {}\n  {}  all valid\n", tx(9), addr(4))
    );
}

#[test]
fn results_errors() {
    let decode = |hex: &str| warp(&["results", "decode", hex]);
    assert_eq!(decode("0001").fails(2), "predicate results: unknown codec version 1 (only 0 is registered)");
    assert_eq!(decode("00000000000000").fails(2), "predicate results: 1 trailing bytes after the value");
    // Two transactions out of order.
    let unsorted = format!("0000{}{}{}{}{}", "00000002", &tx(2)[2..], "00000000", &tx(1)[2..], "00000000");
    assert_eq!(
        decode(&unsorted).fails(2),
        format!("predicate results: transaction 1 ({}) is not after the previous hash", tx(1))
    );
    let encode = |text: &str| warp(&["results", "encode", text]);
    assert_eq!(
        encode("{").fails(2),
        "results JSON: invalid JSON: EOF while parsing an object at line 1 column 1"
    );
    assert_eq!(
        encode("[]").fails(2),
        "results JSON: expected an object {txHash: {address: [indices]}}, found an array"
    );
    assert_eq!(
        encode(r#"{"0x01":{}}"#).fails(2),
        "results JSON: transaction hash \"0x01\": expected 32 bytes, got 1"
    );
    let t = tx(1);
    assert_eq!(
        encode(&json!({ &t: [] }).to_string()).fails(2),
        format!("results JSON: transaction {t}: expected an object {{address: [indices]}}, found an array")
    );
    assert_eq!(
        encode(&json!({ &t: { "0x02": [] } }).to_string()).fails(2),
        "results JSON: address \"0x02\": expected 20 bytes, got 1"
    );
    let a = addr(2);
    assert!(encode(&json!({ &t: { &a: 1 } }).to_string())
        .fails(2)
        .ends_with("expected an array of indices, found a number"));
    assert!(encode(&json!({ &t: { &a: [-1] } }).to_string())
        .fails(2)
        .ends_with("indices must be integers from 0 to 8388607"));
    assert!(encode(&json!({ &t: { &a: [8_388_608] } }).to_string())
        .fails(2)
        .ends_with("indices must be integers from 0 to 8388607"));
    let tab = tx(0xab);
    assert!(encode(&json!({ &tab: {}, tab.to_uppercase().replace("0X", "0x"): {} }).to_string())
        .fails(2)
        .ends_with("appears twice"));
    assert!(encode(&json!({ &t: { &a: [8_388_607] } }).to_string()).fails(2).ends_with(&format!(
        "the encoding passes 1048642 bytes by transaction {t}, above the 1048576-byte limit"
    )));
}

// ── warp demo ────────────────────────────────────────────────────────────────

#[test]
fn demo_delivers_checks_and_replays() {
    let out = warp(&["demo", "--validators", "12", "--messages", "2", "--slow-ms", "20", "--lying", "25"]);
    let stdout = out.ok();
    assert!(stdout.contains("validators per chain: 7 honest, 2 slow (20 ms), 0 silent, 3 lying"), "{stdout}");
    assert!(stdout.contains("0x0200…05 holds nonce 1 and code 0x01 (activated: true)"), "{stdout}");
    assert_eq!(stdout.matches(" delivered: ").count(), 4, "2 messages and a lock A→B, a burn B→A: {stdout}");
    assert!(stdout.contains("messages received on B: 2 ✓"), "{stdout}");
    assert!(stdout.contains("\"hello B, this is message 2 of 2 from A\" ✓"), "{stdout}");
    assert!(!stdout.contains('✗'), "{stdout}");
    let replay = stdout.lines().find(|l| l.contains("blocks replayed")).expect("a replay line");
    let roots: Vec<&str> = replay.split_whitespace().filter(|w| w.starts_with("0x")).collect();
    assert_eq!(roots.len(), 2, "{replay}");
    assert_eq!(roots[0], roots[1], "{replay}");
    assert!(replay.contains(" == eth_getBlockByNumber's "), "{replay}");
}

#[test]
fn demo_without_enough_honest_stake_says_no_with_the_numbers() {
    let out = warp(&[
        "demo",
        "--validators",
        "10",
        "--quorum-a",
        "90",
        "--silent",
        "20",
        "--slow",
        "0",
        "--lying",
        "0",
        "--timeout-ms",
        "100",
        "--messages",
        "1",
    ]);
    let reason = out.fails(1);
    assert!(reason.starts_with("relaying failed: A→B "), "{reason}");
    assert!(reason.contains("quorum 90/100 needs"), "{reason}");
    assert!(
        reason.contains("8 valid, 0 invalid dropped, 0 refused, 2 timed out, 10 of 10 asked"),
        "{reason}"
    );
}

#[test]
fn demo_refuses_impossible_flags() {
    let out = warp(&["demo", "--slow", "80", "--lying", "30"]);
    assert_eq!(out.fails(2), "invalid flag: --slow 80 + --silent 5 + --lying 30 is 115%, more than 100%");
    let out = warp(&["demo", "--quorum-a", "101"]);
    assert_eq!(
        out.fails(2),
        "invalid flag: invalid warp quorum ratio: cannot specify numerator (101) > denominator (100) at --quorum-a"
    );
    // A quorum below Subnet-EVM's minimum of 33% is refused.
    let out = warp(&["demo", "--quorum-b", "32"]);
    assert_eq!(out.fails(2), "invalid flag: --quorum-b 32 is below the minimum quorum of 33%");
    assert_eq!(
        warp(&["demo", "--validators", "0"]).fails(2),
        "invalid flag: --validators 0 must be between 1 and 2000"
    );
}

// ─── what L1s send: ACP-77, access lists, headers, networks, the P-Chain API ──

/// An `AddressedCall` from the empty address (the P-Chain) carrying `payload`.
fn p_chain_message(payload: &awm_core::pchain::PChainPayload) -> UnsignedMessage {
    let call = AddressedCall::new(Vec::new(), payload.to_bytes().unwrap()).unwrap();
    UnsignedMessage::new(5, Id::P_CHAIN, call.to_bytes()).unwrap()
}

#[test]
fn decode_shows_every_field_of_acp77_messages() {
    use awm_core::pchain::*;
    let register = RegisterL1Validator {
        subnet_id: Id([0x51; 32]),
        node_id: vec![0x7a; 20],
        bls_public_key: local_key(1).public_key().to_compressed(),
        expiry: 1_760_000_000,
        remaining_balance_owner: PChainOwner { threshold: 1, addresses: vec![[0xaa; 20]] },
        disable_owner: PChainOwner { threshold: 0, addresses: vec![] },
        weight: 20,
    };
    let validation_id = register.validation_id().unwrap();
    let msg = p_chain_message(&PChainPayload::RegisterL1Validator(register.clone()));
    let v = warp(&["message", "decode", "--json", &hx(msg.to_bytes())]).json();
    assert_eq!(
        v["payload"]["pChain"],
        json!({
            "type": "registerL1Validator",
            "validationId": validation_id.to_hex(),
            "subnetId": Id([0x51; 32]).to_hex(),
            "nodeId": NodeId([0x7a; 20]).to_string(),
            "blsPublicKey": hx(register.bls_public_key),
            "expiry": 1_760_000_000u64,
            "remainingBalanceOwner": {"threshold": 1, "addresses": [hx([0xaa; 20])]},
            "disableOwner": {"threshold": 0, "addresses": []},
            "weight": 20,
        })
    );
    let human = warp(&["message", "decode", &hx(msg.to_bytes())]).ok().to_owned();
    for row in [
        "  P-Chain  RegisterL1Validator".to_owned(),
        format!("    validation ID    {}", validation_id.to_hex()),
        format!("    node ID          {}", NodeId([0x7a; 20])),
        format!("    balance owner    threshold 1 of {}", hx([0xaa; 20])),
        "    disable owner    threshold 0, no addresses".to_owned(),
        "    weight           20".to_owned(),
    ] {
        // Values align one column after the longest label: compare words, not spacing.
        let words = |l: &str| l.split_whitespace().collect::<Vec<_>>().join(" ");
        let indent = row.len() - row.trim_start().len();
        assert!(
            human.lines().any(|l| l.len() - l.trim_start().len() == indent && words(l) == words(&row)),
            "{row:?} missing from\n{human}"
        );
    }

    // The other three, with the IDs they carry.
    let data = SubnetToL1ConversionData {
        subnet_id: Id([0x51; 32]),
        manager_chain_id: Id([0xc1; 32]),
        manager_address: vec![0xee; 20],
        validators: vec![],
    };
    let cases = [
        (
            PChainPayload::SubnetToL1Conversion(SubnetToL1Conversion { id: data.conversion_id().unwrap() }),
            json!({"type": "subnetToL1Conversion", "conversionId": data.conversion_id().unwrap().to_hex()}),
        ),
        (
            PChainPayload::L1ValidatorRegistration(L1ValidatorRegistration {
                validation_id,
                registered: true,
            }),
            json!({"type": "l1ValidatorRegistration", "validationId": validation_id.to_hex(), "registered": true}),
        ),
        (
            PChainPayload::L1ValidatorWeight(L1ValidatorWeight { validation_id, nonce: 3, weight: 0 }),
            json!({"type": "l1ValidatorWeight", "validationId": validation_id.to_hex(), "nonce": 3, "weight": 0}),
        ),
    ];
    for (payload, expected) in cases {
        let v = warp(&["message", "decode", "--json", &hx(p_chain_message(&payload).to_bytes())]).json();
        assert_eq!(v["payload"]["pChain"], expected);
    }
    // An EVM sender's payload is never read as a P-Chain message.
    let evm = UnsignedMessage::new(
        5,
        Id([1; 32]),
        AddressedCall::new(
            vec![1; 20],
            PChainPayload::L1ValidatorWeight(L1ValidatorWeight { validation_id, nonce: 1, weight: 1 })
                .to_bytes()
                .unwrap(),
        )
        .unwrap()
        .to_bytes(),
    )
    .unwrap();
    assert!(warp(&["message", "decode", "--json", &hx(evm.to_bytes())]).json()["payload"]
        .get("pChain")
        .is_none());
}

#[test]
fn unpack_reads_access_lists_and_transactions() {
    let f = fixture("unpack_lists");
    let signed = f.signed_by(&[3, 4, 5]);
    let bytes = hex::decode(signed.trim_start_matches("0x")).unwrap();
    let keys: Vec<String> = warp_predicate::pack(&bytes).iter().map(hx).collect();
    let other =
        json!({"address": "0x00000000000000000000000000000000000000aa", "storageKeys": [hx([0u8; 32])]});
    let warp_tuple = json!({"address": "0x0200000000000000000000000000000000000005", "storageKeys": keys});
    let list = json!([other, warp_tuple, warp_tuple]);
    // As cast tx --json prints a transaction, and inside a JSON-RPC answer.
    let tx = json!({"hash": hx([7u8; 32]), "type": "0x2", "accessList": list, "input": "0x"});
    let rpc = json!({"jsonrpc": "2.0", "id": 1, "result": tx});
    let expected = json!([{"index": 0, "bytes": hx(&bytes)}, {"index": 1, "bytes": hx(&bytes)}]);
    for input in [&list, &tx, &rpc] {
        let text = input.to_string();
        assert_eq!(warp(&["predicate", "unpack", "--json", "--access-list", &text]).json(), expected);
        assert_eq!(
            warp_stdin(&["predicate", "unpack", "--json", "--access-list", "-"], &text).json(),
            expected
        );
    }
    let file = f.dir.write("tx.json", &tx.to_string());
    let human = warp(&["predicate", "unpack", "--access-list", &file]).ok().to_owned();
    assert_eq!(human, format!("[0] {}\n[1] {}\n", hx(&bytes), hx(&bytes)));
    // No warp tuple, and the errors.
    assert!(warp(&["predicate", "unpack", "--access-list", &json!([other]).to_string()])
        .ok()
        .starts_with("no warp predicates"));
    let reason = warp(&["predicate", "unpack", "--access-list", r#"{"hash": "0x"}"#]).fails(2).to_owned();
    assert!(reason.contains("without `accessList`"), "{reason}");
    let bad =
        json!([{"address": "0x0200000000000000000000000000000000000005", "storageKeys": [hx([0u8; 32])]}]);
    let reason = warp(&["predicate", "unpack", "--access-list", &bad.to_string()]).fails(2).to_owned();
    assert!(reason.starts_with("warp predicate 0: "), "{reason}");
    assert_eq!(
        warp(&["predicate", "unpack", "--access-list", "[]", &keys[0]]).fails(2),
        "the argument '--access-list <JSON|FILE>' cannot be used with '[KEY]...'"
    );
}

#[test]
fn gas_by_network_and_timestamp() {
    use warp_predicate::gas::{FUJI_GRANITE, MAINNET_DURANGO, MAINNET_GRANITE};
    let f = fixture("gas_network");
    let signed = f.signed_by(&[3, 4, 5]);
    let gas_at = |network: &str, t: u64| {
        warp(&["predicate", "gas", "--json", "--network", network, "--timestamp", &t.to_string(), &signed])
    };
    let named =
        |schedule: &str| warp(&["predicate", "gas", "--json", "--schedule", schedule, &signed]).json();
    assert_eq!(gas_at("mainnet", MAINNET_GRANITE).json(), named("granite"));
    assert_eq!(gas_at("mainnet", MAINNET_GRANITE - 1).json(), named("pre-granite"));
    assert_eq!(gas_at("mainnet", MAINNET_DURANGO).json(), named("pre-granite"));
    assert_eq!(gas_at("fuji", FUJI_GRANITE).json(), named("granite"));
    assert_eq!(gas_at("fuji", MAINNET_GRANITE).json(), named("granite"));
    assert_eq!(
        gas_at("mainnet", MAINNET_DURANGO - 1).fails(2),
        format!(
            "warp is not active on mainnet at timestamp {}: predicates are charged from Durango",
            MAINNET_DURANGO - 1
        )
    );
    let human =
        warp(&["predicate", "gas", "--network", "fuji", "--timestamp", &FUJI_GRANITE.to_string(), &signed]);
    assert!(human.ok().contains("(granite)"));
    assert!(warp(&["predicate", "gas", "--network", "fuji", &signed]).fails(2).contains("--timestamp"));
    assert!(warp(&[
        "predicate",
        "gas",
        "--schedule",
        "granite",
        "--network",
        "fuji",
        "--timestamp",
        "1",
        &signed
    ])
    .fails(2)
    .contains("cannot be used with"));
}

#[test]
fn results_from_a_header_extra() {
    let mut results = warp_predicate::PredicateResults::new();
    results.set(
        warp_predicate::B256::repeat_byte(0x5e),
        warp_predicate::WARP_ADDRESS,
        warp_predicate::FailureBits::from_indices([0, 2]),
    );
    let plain = warp(&["results", "decode", "--json", &hx(results.to_bytes().unwrap())]).json();
    for (layout, prefix) in
        [("subnet-evm", 80), ("coreth-pre-fortuna", 80), ("coreth-fortuna", 24), ("no-prefix", 0)]
    {
        let mut extra = vec![0x11u8; prefix];
        extra.extend(results.to_bytes().unwrap());
        let decoded =
            warp(&["results", "decode", "--json", "--extra", &hx(&extra), "--layout", layout]).json();
        assert_eq!(decoded, plain, "{layout}");
        // A header with the fee data only: nothing failed.
        if prefix > 0 {
            let empty = warp(&[
                "results",
                "decode",
                "--json",
                "--layout",
                layout,
                "--extra",
                &hx(vec![0x11u8; prefix]),
            ])
            .json();
            assert_eq!(empty, json!({}), "{layout}");
        }
    }
    // One byte past the fee window is not a results encoding.
    let reason = warp(&["results", "decode", "--extra", &hx([0x11u8; 81])]).fails(2).to_owned();
    assert!(!reason.is_empty());
    // The Subnet-EVM layout is the default, and stdin works.
    let mut extra = vec![0u8; 80];
    extra.extend(results.to_bytes().unwrap());
    assert_eq!(warp_stdin(&["results", "decode", "--json", "--extra", "-"], &hx(&extra)).json(), plain);
    assert!(warp(&["results", "decode", "--layout", "coreth-fortuna", "00"]).fails(2).contains("--extra"));
}

/// A devnet in a child process, killed when dropped.
#[test]
fn validator_sets_from_the_devnet_p_chain_api() {
    use alloy_sol_types::SolCall;
    use jsonrpsee_core::client::ClientT;
    use jsonrpsee_core::rpc_params;

    let devnet = common::Devnet::start();
    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
    // A message sent on A, signed by A's validators through Subnet-EVM's warp API.
    let (signed, height, subnet) = runtime.block_on(async {
        let a = warp_cli::eth_client::EthClient::connect("A", &devnet.url("/ext/bc/A/rpc")).await.unwrap();
        let wallet =
            warp_devnet::accounts::dev_accounts(warp_devnet::accounts::ANVIL_MNEMONIC, 1).unwrap().remove(0);
        let call = warp_precompile::IWarpMessenger::sendWarpMessageCall { payload: b"hi".to_vec().into() };
        let receipt =
            a.send(&wallet, Some(warp_predicate::WARP_ADDRESS), call.abi_encode().into()).await.unwrap();
        let message_id = Id(receipt.inner.logs()[0].topics()[2].0);
        let rpc =
            jsonrpsee_http_client::HttpClientBuilder::default().build(devnet.url("/ext/bc/A/rpc")).unwrap();
        let signed: String = rpc
            .request("warp_getMessageAggregateSignature", rpc_params![message_id.to_string(), 67, ""])
            .await
            .unwrap();
        let p = jsonrpsee_http_client::HttpClientBuilder::default().build(devnet.url("/ext/bc/P")).unwrap();
        let height: Value = p.request("platform.getHeight", rpc_params![]).await.unwrap();
        let chains: Value = p.request("platform.getBlockchains", rpc_params![]).await.unwrap();
        let subnet = chains["blockchains"][0]["subnetID"].as_str().unwrap().to_owned();
        (signed, height["height"].as_str().unwrap().to_owned(), subnet)
    });
    let pchain = devnet.url("/ext/bc/P");
    // `warp <command…> --pchain-url URL --height H <rest…>`.
    let at = |url: &str, height: &str, command: &[&str], rest: &[&str]| {
        let mut args: Vec<&str> = command.to_vec();
        args.extend(["--pchain-url", url, "--height", height]);
        args.extend(rest);
        warp(&args)
    };
    let verify = ["message", "verify", "--json"];
    // The subnet comes from platform.validatedBy when --subnet is not given.
    let v = at(&pchain, &height, &verify, &["--network-id", "12345", &signed]).json();
    assert_eq!(v["valid"], true, "{v}");
    let listed: u64 = v["signers"].as_array().unwrap().iter().map(|s| s["weight"].as_u64().unwrap()).sum();
    assert_eq!(Some(listed), v["signedWeight"].as_u64(), "{v}");
    let set = at(&pchain, &height, &["validators", "canonical", "--json"], &["--subnet", &subnet]).json();
    assert_eq!(set["validators"].as_array().unwrap().len(), 5);
    assert_eq!(set["totalWeight"], v["totalWeight"]);
    // The same with --subnet, and errors that name the URL.
    let with_subnet = at(&pchain, &height, &verify, &["--subnet", &subnet, "--network-id", "12345", &signed]);
    assert_eq!(with_subnet.json()["valid"], true);
    let unreachable = "http://127.0.0.1:1/ext/bc/P";
    let reason =
        at(unreachable, "1", &["message", "verify"], &["--network-id", "12345", &signed]).fails(2).to_owned();
    assert!(reason.starts_with("P-Chain API http://127.0.0.1:1/ext/bc/P: platform.validatedBy"), "{reason}");
    assert!(warp(&["message", "verify", "--pchain-url", &pchain, "--network-id", "1", &signed])
        .fails(2)
        .contains("--height"));
}
