//! Shared by the test binaries: `warp` child processes (a devnet, a relayer)
//! whose stdout lines are kept, stopped when dropped.

#![allow(dead_code, unreachable_pub, clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::io::BufRead;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// A child process whose stdout lines are kept.
pub struct Process {
    pub child: Child,
    lines: Arc<Mutex<Vec<String>>>,
}

impl Process {
    pub fn spawn(args: &[&str]) -> Self {
        let mut child = Command::new(env!("CARGO_BIN_EXE_warp"))
            .args(args)
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let lines = Arc::new(Mutex::new(Vec::new()));
        let (sink, stdout) = (Arc::clone(&lines), child.stdout.take().unwrap());
        std::thread::spawn(move || {
            for line in std::io::BufReader::new(stdout).lines().map_while(Result::ok) {
                sink.lock().unwrap().push(line);
            }
        });
        Self { child, lines }
    }

    pub fn lines(&self) -> Vec<String> {
        self.lines.lock().unwrap().clone()
    }

    pub fn count(&self, needle: &str) -> usize {
        self.lines().iter().filter(|l| l.contains(needle)).count()
    }

    /// Waits for a line containing `needle` and returns the text after it.
    pub fn wait_for(&self, needle: &str) -> String {
        let started = Instant::now();
        loop {
            if let Some(line) = self.lines().iter().find(|l| l.contains(needle)) {
                return line.split(needle).nth(1).unwrap_or_default().to_owned();
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "no {needle:?} in:\n{}",
                self.lines().join("\n")
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits for a line containing `needle` and returns the text after it;
    /// `None` if the process exits first.
    pub fn wait_for_unless_exited(&mut self, needle: &str) -> Option<String> {
        let started = Instant::now();
        loop {
            if let Some(line) = self.lines().iter().find(|l| l.contains(needle)) {
                return Some(line.split(needle).nth(1).unwrap_or_default().to_owned());
            }
            if self.child.try_wait().unwrap().is_some() {
                return None;
            }
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "no {needle:?} in:\n{}",
                self.lines().join("\n")
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    /// Waits until `n` lines contain `needle`.
    pub fn wait_count(&self, needle: &str, n: usize) {
        let started = Instant::now();
        while self.count(needle) < n {
            assert!(
                started.elapsed() < Duration::from_secs(60),
                "no {n} {needle:?} in:\n{}",
                self.lines().join("\n")
            );
            std::thread::sleep(Duration::from_millis(20));
        }
    }

    pub fn sigkill(&mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }

    /// SIGTERM, and the exit status must be success.
    pub fn sigterm(&mut self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
        let exit = self.child.wait().unwrap();
        assert!(exit.success(), "{exit:?}\n{}", self.lines().join("\n"));
    }
}

impl Drop for Process {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub struct Devnet {
    _process: Process,
    pub port: u16,
}

impl Devnet {
    pub fn start() -> Self {
        Self::start_with(&[])
    }

    pub fn start_with(extra: &[&str]) -> Self {
        let args = ["devnet", "--port", "0", "--chains", "A,B", "--validators", "5", "--no-relayer"];
        let process = Process::spawn(&[&args[..], extra].concat());
        let port = process.wait_for("Listening on 127.0.0.1:").trim().parse().unwrap();
        Self { _process: process, port }
    }

    pub fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}{path}", self.port)
    }

    pub fn rpc(&self, chain: &str) -> String {
        self.url(&format!("/ext/bc/{chain}/rpc"))
    }
}
