// The shell sessions of the README and docs/devnet.md, run as written against a
// devnet this test starts: each block is taken from the page itself, with the
// devnet's port for 9650, `npm ci` (check.sh already ran it) left out, and
// `sleep 1` given more time on a loaded machine. What the pages say the
// commands print is what they print.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startDevnet, ROOT } from './devnet.mjs';

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
    .replaceAll('sleep 1', 'sleep 5');
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
