//! Runs the Python oracles of this folder (py_ecc, eth-abi) for the Rust tests
//! that cross-check against them. Each script reads one JSON request on stdin and
//! writes one JSON answer; exit code 3 means its packages cannot be imported.
//!
//! When python3 or the packages are missing, [`run`] prints a `SKIPPED` line and
//! returns `None`, except when the `CI` environment variable is set: there it
//! panics, so CI never passes without the cross-checks.

use std::io::Write;
use std::process::{Command, Stdio};

use serde_json::Value;

/// How to install what the oracles need.
pub const INSTALL_HINT: &str = "run `python3 -m pip install -r tests/oracle/requirements.txt`";

/// The scripts' exit code when an import fails.
pub const EXIT_IMPORT_FAILED: i32 = 3;

/// Runs `tests/oracle/<script>` with `request` on stdin and parses its JSON
/// answer; `None` (after a `SKIPPED` line) when it cannot run, outside CI.
pub fn run(script: &str, request: &Value) -> Option<Value> {
    let path = format!("{}/tests/oracle/{script}", env!("CARGO_MANIFEST_DIR"));
    let unavailable = |why: String| -> Option<Value> {
        if std::env::var_os("CI").is_some() {
            panic!("oracle {script} unavailable in CI: {why}; {INSTALL_HINT}");
        }
        eprintln!("SKIPPED cross-check against {script}: {why} ({INSTALL_HINT})");
        None
    };
    let spawned = Command::new("python3")
        .arg(&path)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match spawned {
        Ok(child) => child,
        Err(e) => return unavailable(format!("cannot run python3: {e}")),
    };
    let mut stdin = child.stdin.take().expect("piped stdin");
    let body = request.to_string();
    // A separate writer: the request can be larger than a pipe buffer.
    let writer = std::thread::spawn(move || stdin.write_all(body.as_bytes()));
    let output = child.wait_with_output().expect("wait for the oracle");
    let written = writer.join().expect("writer thread");
    let stderr = String::from_utf8_lossy(&output.stderr);
    if output.status.code() == Some(EXIT_IMPORT_FAILED) {
        return unavailable(format!("import failed ({})", stderr.trim()));
    }
    assert!(output.status.success(), "oracle {script} failed ({}):\n{stderr}", output.status);
    written.expect("request written to the oracle");
    Some(serde_json::from_slice(&output.stdout).expect("oracle answer is JSON"))
}
