// The shell sessions of the README, docs/devnet.md and docs/relayer.md, run as written against a
// devnet this test starts: each block is taken from the page itself, with the
// devnet's port for 9650, `npm ci` (check.sh already ran it) left out, and
// `sleep 1` given more time on a loaded machine. What the pages say the
// commands print is what they print.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { startDevnet, ROOT, WARP } from './devnet.mjs';

/** The first ```sh block of `page` that contains `marker`. */
function shBlock(page, marker) {
  const text = readFileSync(path.join(ROOT, page), 'utf8');
  for (const m of text.matchAll(/^```sh\n([\s\S]*?)^```/gm)) {
    if (m[1].includes(marker)) return m[1];
  }
  throw new Error(`no sh block with ${marker} in ${page}`);
}

/** Runs a block from the checkout's root against the devnet on `port`; its stdout. */
function runBlock(block, port) {
  const script = block
    .split('\n')
    .filter((line) => !/^\(cd \w+ && npm ci\)/.test(line))
    .map((line) => line.replace(/\s*&&\s*npm ci.*$/, ''))
    .join('\n')
    .replaceAll('127.0.0.1:9650', `127.0.0.1:${port}`)
    .replaceAll('sleep 1', 'sleep 5')
    .replaceAll('sleep 2', 'sleep 5');
  return execFileSync('bash', ['-euo', 'pipefail', '-c', script], { cwd: ROOT, encoding: 'utf8' });
}

test('docs/devnet.md: the cast session prints hello B and 1', async () => {
  const net = await startDevnet();
  try {
    const out = runBlock(shBlock('docs/devnet.md', 'receivedCount'), net.port).trim().split('\n');
    assert.deepEqual(out.slice(-2), ['hello B', '1']);
  } finally {
    await net.stop();
  }
});

test('README: the tour\'s cast session prints hello B', async () => {
  const net = await startDevnet();
  try {
    const out = runBlock(shBlock('README.md', 'cast from-utf8'), net.port).trim().split('\n');
    assert.equal(out.at(-1), 'hello B');
  } finally {
    await net.stop();
  }
});

test('docs/devnet.md: the forge script example broadcasts', async () => {
  const net = await startDevnet();
  try {
    const out = runBlock(shBlock('docs/devnet.md', 'DevnetSend.s.sol'), net.port);
    assert.match(out, /ONCHAIN EXECUTION COMPLETE & SUCCESSFUL/);
  } finally {
    await net.stop();
  }
});

/** A loopback port nobody listens on. */
function freePort() {
  return new Promise((resolve) => {
    const server = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

test('docs/relayer.md: the quick start delivers hello B through `warp relayer --config`', async () => {
  const net = await startDevnet(['--no-relayer']);
  const metricsPort = await freePort();
  // The page's relayer.json, with the devnet's port and a free metrics port, in a
  // directory of its own (its `storage-location` is relative).
  const text = readFileSync(path.join(ROOT, 'docs/relayer.md'), 'utf8');
  const json = [...text.matchAll(/^```json\n([\s\S]*?)^```/gm)].map((m) => m[1]).find((b) => b.includes('message-contracts'));
  const dir = mkdtempSync(path.join(os.tmpdir(), 'warp-relayer-doc-'));
  writeFileSync(path.join(dir, 'relayer.json'), json.replaceAll('127.0.0.1:9650', `127.0.0.1:${net.port}`).replace('"metrics-port": 9090', `"metrics-port": ${metricsPort}`));
  const relayer = spawn(WARP, ['relayer', '--config', 'relayer.json'], { cwd: dir, stdio: ['ignore', 'pipe', 'inherit'] });
  let log = '';
  try {
    await new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the relayer did not start:\n${log}`)), 60_000);
      relayer.stdout.on('data', (d) => {
        log += d;
        if (/following source.*websocket=true/.test(log)) { clearTimeout(timer); resolve(); }
      });
    });
    const block = shBlock('docs/relayer.md', 'receivedCount').replaceAll('127.0.0.1:9090', `127.0.0.1:${metricsPort}`);
    const out = runBlock(block, net.port).trim().split('\n');
    assert.deepEqual(out.slice(-3, -1), ['1', 'hello B']);
    assert.match(out.at(-1), /^warp_relayer_messages_delivered_total\{.*\} 1$/);
    // The block ran synchronously: let the relayer's lines that came meanwhile arrive.
    await new Promise((r) => setTimeout(r, 500));
    assert.match(log, /found/);
    assert.match(log, /submitted/);
    assert.match(log, /delivered/);
  } finally {
    relayer.kill('SIGTERM');
    await net.stop();
  }
});
