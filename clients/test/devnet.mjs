// Starts `warp devnet` on a free loopback port for a test, reads its banner,
// and stops it. Every test talks to 127.0.0.1 only.
import { spawn, execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

const here = path.dirname(fileURLToPath(import.meta.url));
export const ROOT = path.resolve(here, '..', '..');
export const WARP = process.env.WARP_BIN ?? path.join(ROOT, 'target', 'debug', 'warp');
export const CAST = path.join(ROOT, 'clients', 'node_modules', '@foundry-rs', 'cast-linux-amd64', 'bin', 'cast');
export const ANVIL = path.join(ROOT, 'clients', 'node_modules', '@foundry-rs', 'anvil-linux-amd64', 'bin', 'anvil');
export const FORGE = path.join(ROOT, 'contracts', 'node_modules', '@foundry-rs', 'forge-linux-amd64', 'bin', 'forge');
export const WARP_PRECOMPILE = '0x0200000000000000000000000000000000000005';

/** anvil's first dev accounts. */
export const KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
];
export const ADDRESSES = [
  '0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266',
  '0x70997970C51812dc3A010C7d01b50e0d17dc79C8',
  '0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC',
];

/**
 * Starts a devnet with `args` (after `--port 0`); resolves once it listens.
 * The result knows the port, each chain's IDs and URLs, and the apps.
 */
export async function startDevnet(args = [], { validators = 20 } = {}) {
  const all = ['devnet', '--port', '0', '--validators', String(validators), ...args];
  const child = spawn(WARP, all, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stderr.on('data', (d) => { err += d; });
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`devnet did not start within 60 s:\n${out}\n${err}`)), 60_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = out.match(/Listening on 127\.0\.0\.1:(\d+)/);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`devnet exited with ${code}:\n${out}\n${err}`));
    });
  });
  const chains = {};
  for (const m of out.matchAll(/^(\S+)\n  EVM chain ID:\s+(\d+)\n  blockchain ID:\s+(\S+) \((0x[0-9a-f]{64})\)\n  subnet ID:\s+(\S+)/gm)) {
    chains[m[1]] = { name: m[1], evmChainId: Number(m[2]), cb58: m[3], hex: m[4], subnet: m[5] };
  }
  const messenger = out.match(/CrossChainMessenger:\s+(0x[0-9a-fA-F]{40})/)[1];
  const oracle = out.match(/BlockHashOracle:\s+(0x[0-9a-fA-F]{40})/)[1];
  const base = `http://127.0.0.1:${port}`;
  return {
    child,
    port,
    base,
    chains,
    messenger,
    oracle,
    output: () => out,
    url: (name) => `${base}/ext/bc/${name}/rpc`,
    ws: (name) => `ws://127.0.0.1:${port}/ext/bc/${name}/ws`,
    /** Stops the devnet (SIGTERM, or SIGKILL to test durability). */
    stop: (signal = 'SIGTERM') => new Promise((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      child.removeAllListeners('exit');
      child.on('exit', () => resolve());
      child.kill(signal);
    }),
  };
}

/** Runs cast with `args`; its trimmed stdout. Throws with stderr on failure. */
export function cast(...args) {
  try {
    return execFileSync(CAST, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
  } catch (e) {
    throw new Error(`cast ${args.join(' ')} failed:\n${e.stdout}\n${e.stderr}`);
  }
}

/** Runs the `warp` CLI; its trimmed stdout. */
export function warp(...args) {
  return execFileSync(WARP, args, { encoding: 'utf8' }).trim();
}

/** One JSON-RPC call over HTTP; the result, or throws the error object. */
export async function rpc(url, method, params = []) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = await res.json();
  if (body.error) {
    const e = new Error(`${method}: ${body.error.message}`);
    e.rpc = body.error;
    throw e;
  }
  return body.result;
}

/** CB58 of hex bytes (base58 of the bytes and the last 4 bytes of their SHA-256), as avalanchego prints IDs. */
export function cb58(hex) {
  const bytes = Buffer.from(hex.replace(/^0x/, ''), 'hex');
  const check = createHash('sha256').update(bytes).digest().subarray(28);
  const data = Buffer.concat([bytes, check]);
  const alphabet = '123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz';
  let n = BigInt(`0x${data.toString('hex')}`);
  let s = '';
  while (n > 0n) {
    s = alphabet[Number(n % 58n)] + s;
    n /= 58n;
  }
  for (const b of data) {
    if (b !== 0) break;
    s = `1${s}`;
  }
  return s;
}

/** Waits until `check()` is truthy (polling every 100 ms), up to `ms`. */
export async function eventually(check, ms = 20_000, what = 'condition') {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
