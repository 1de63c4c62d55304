// The devnet side by side with anvil 1.7.1, in one run (not a test):
//   1. signed transfers per second through eth_sendRawTransaction, automine;
//   2. eth_call per second (a view of a deployed contract);
//   3. cross-chain messages per second from A to B through the built-in relayer
//      (100 validators per chain), sent at --rate per second (default 50; 0
//      sends as fast as accepted), with p50 and p99 latency from the send to the
//      delivery's log on B.
// Ten senders (anvil's ten dev accounts) work concurrently, each in nonce
// order. Transactions are signed (viem) before the clock starts.
//
// With --cross-chain-only, --relayer picks who delivers: `network` (the devnet's
// default, warp-relayer-net over loopback JSON-RPC inside the devnet process),
// `in-process` (--in-process-relayer) or `process` (`warp relayer --config` as a
// process of its own beside `warp devnet --no-relayer`); the CPU time the
// processes used during the run is printed per message (from /proc).
//
//   cargo build --release --bin warp && node bench/bench.mjs [--transfers N] [--calls N] [--messages N] [--rate R] [--cross-chain-only [--relayer network|in-process|process]]
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import http from 'node:http';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { privateKeyToAccount, mnemonicToAccount } from 'viem/accounts';
import { encodeFunctionData, parseAbi, toHex } from 'viem';
import { WebSocketProvider, Interface } from 'ethers';
import { ROOT, ANVIL } from '../test/devnet.mjs';

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
};
const TRANSFERS = arg('transfers', 5000);
const CALLS = arg('calls', 20000);
const MESSAGES = arg('messages', 1000);
// Messages are sent at this rate (per second; 0: as fast as accepted).
const RATE = arg('rate', 50);
const WARP = process.env.WARP_BIN ?? path.join(ROOT, 'target', 'release', 'warp');
const SENDERS = Array.from({ length: 10 }, (_, i) => mnemonicToAccount('test test test test test test test test test test test junk', { addressIndex: i }));
const abi = parseAbi([
  'function sendMessage(bytes32 destinationChainID, address destination, bytes data) returns (bytes32)',
  'function nonce() view returns (uint256)',
  'event MessageReceived(bytes32 indexed sourceChainID, address indexed sender, address from, uint256 nonce, bytes data)',
]);

function start(bin, args, pattern, { keep = true } = {}) {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let started = false;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${bin} did not start:\n${out}`)), 120_000);
    const on = (d) => {
      // anvil logs every transaction: once it listens, its output is drained, not kept.
      if (started && !keep) return;
      out += d;
      const m = out.match(pattern);
      if (m && !started) {
        started = true;
        clearTimeout(timer);
        resolve({ child, port: Number(m[1]), output: () => out });
      }
    };
    child.stdout.on('data', on);
    child.stderr.on('data', on);
    child.on('exit', (code) => reject(new Error(`${bin} exited ${code}:\n${out}`)));
  });
}

// node:http with keep-alive (lighter than fetch, so the client is less of the measure).
const agent = new http.Agent({ keepAlive: true, maxSockets: 16 });
function rpc(url, method, params = []) {
  const body = JSON.stringify({ jsonrpc: '2.0', id: 1, method, params });
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const answer = JSON.parse(Buffer.concat(chunks).toString());
        if (answer.error) reject(new Error(`${method}: ${JSON.stringify(answer.error)}`));
        else resolve(answer.result);
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Runs `jobs[i]` lists on one worker each, concurrently; seconds taken. */
async function timed(lists, each) {
  const t0 = performance.now();
  await Promise.all(lists.map(async (list) => { for (const item of list) await each(item); }));
  return (performance.now() - t0) / 1000;
}

async function signTransfers(chainId, count, nonces) {
  const lists = SENDERS.map(() => []);
  for (let i = 0; i < count; i++) {
    const s = i % SENDERS.length;
    const account = SENDERS[s];
    const nonce = nonces[s]++;
    lists[s].push(await account.signTransaction({
      chainId, type: 'eip1559', nonce, to: SENDERS[(s + 1) % SENDERS.length].address, value: 1n,
      gas: 21000n, maxFeePerGas: 100_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n,
    }));
  }
  return lists;
}

async function nonces(url) {
  return Promise.all(SENDERS.map(async (a) => Number(await rpc(url, 'eth_getTransactionCount', [a.address, 'pending']))));
}

async function transfers(url, chainId) {
  const lists = await signTransfers(chainId, TRANSFERS, await nonces(url));
  const seconds = await timed(lists, (raw) => rpc(url, 'eth_sendRawTransaction', [raw]));
  return TRANSFERS / seconds;
}

async function calls(url, to) {
  const data = encodeFunctionData({ abi, functionName: 'nonce' });
  const lists = SENDERS.map(() => Array.from({ length: Math.ceil(CALLS / SENDERS.length) }, () => 0));
  const seconds = await timed(lists, () => rpc(url, 'eth_call', [{ to, data }, 'latest']));
  return (lists.length * lists[0].length) / seconds;
}

async function deployMessenger(url, chainId) {
  const artifact = JSON.parse(readFileSync(path.join(ROOT, 'contracts', 'artifacts', 'CrossChainMessenger.json'), 'utf8'));
  const account = SENDERS[0];
  const nonce = Number(await rpc(url, 'eth_getTransactionCount', [account.address, 'pending']));
  const raw = await account.signTransaction({ chainId, type: 'eip1559', nonce, data: artifact.bytecode, gas: 3_000_000n, maxFeePerGas: 100_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n });
  const hash = await rpc(url, 'eth_sendRawTransaction', [raw]);
  for (;;) {
    const receipt = await rpc(url, 'eth_getTransactionReceipt', [hash]);
    if (receipt) return receipt.contractAddress;
    await new Promise((r) => setTimeout(r, 20));
  }
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.floor((sorted.length - 1) * p))];
}

async function crossChain(devnetPort, messenger, destinationHex) {
  const a = `http://127.0.0.1:${devnetPort}/ext/bc/A/rpc`;
  const ws = new WebSocketProvider(`ws://127.0.0.1:${devnetPort}/ext/bc/B/ws`);
  const iface = new Interface(['event MessageReceived(bytes32 indexed sourceChainID, address indexed sender, address from, uint256 nonce, bytes data)']);
  const delivered = new Map();
  await ws.on({ address: messenger }, (log) => {
    const parsed = iface.parseLog(log);
    if (parsed) delivered.set(parsed.args.data, performance.now());
  });
  // ethers resolves `on` before the node confirms the subscription: give it time.
  await new Promise((r) => setTimeout(r, 1000));
  const start = await nonces(a);
  const lists = SENDERS.map(() => []);
  for (let i = 0; i < MESSAGES; i++) {
    const s = i % SENDERS.length;
    const data = toHex(`bench message ${i}`);
    lists[s].push({
      data,
      raw: await SENDERS[s].signTransaction({
        chainId: 31337, type: 'eip1559', nonce: start[s]++, to: messenger, gas: 200_000n,
        maxFeePerGas: 100_000_000_000n, maxPriorityFeePerGas: 1_000_000_000n,
        data: encodeFunctionData({ abi, functionName: 'sendMessage', args: [destinationHex, messenger, data] }),
      }),
    });
  }
  const sentAt = new Map();
  const t0 = performance.now();
  // Sends are paced at the rate asked (or as fast as accepted).
  const rate = RATE;
  let next = 0;
  await Promise.all(lists.map(async (list, w) => {
    for (const item of list) {
      if (rate > 0) {
        const due = t0 + (next++ * 1000) / rate;
        const wait = due - performance.now();
        if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      }
      sentAt.set(item.data, performance.now());
      await rpc(a, 'eth_sendRawTransaction', [item.raw]);
    }
    return w;
  }));
  const deadline = performance.now() + 300_000;
  while (delivered.size < MESSAGES && performance.now() < deadline) await new Promise((r) => setTimeout(r, 20));
  await ws.destroy();
  const missing = [...sentAt.keys()].filter((d) => !delivered.has(d));
  if (missing.length) console.log(`not seen on B: ${missing.slice(0, 5).map((d) => Buffer.from(d.slice(2), 'hex').toString()).join(', ')}`);
  const latencies = [...sentAt].filter(([d]) => delivered.has(d)).map(([d, t]) => delivered.get(d) - t).sort((x, y) => x - y);
  const last = Math.max(...delivered.values());
  return {
    delivered: delivered.size,
    perSecond: delivered.size / ((last - t0) / 1000),
    p50: percentile(latencies, 0.5),
    p99: percentile(latencies, 0.99),
  };
}

const modeAt = process.argv.indexOf('--relayer');
const MODE = modeAt > 0 ? process.argv[modeAt + 1] : 'network';
const modeFlags = { network: [], 'in-process': ['--in-process-relayer'], process: ['--no-relayer'] }[MODE];
if (!modeFlags) throw new Error(`--relayer ${MODE}: expected network, in-process or process`);

// CPU seconds (user + system) a process has used so far.
function cpuSeconds(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

// `warp relayer` for A→B beside a devnet started with --no-relayer: anvil's account 9 pays.
async function startRelayerProcess(devnetOut, port, messenger) {
  const ids = [...devnetOut.matchAll(/blockchain ID:\s+(\S+) /g)].map((m) => m[1]);
  const subnets = [...devnetOut.matchAll(/subnet ID:\s+(\S+)/g)].map((m) => m[1]);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'warp-relayer-bench-'));
  const base = `http://127.0.0.1:${port}`;
  const config = {
    'log-level': 'info',
    'storage-location': path.join(dir, 'db'),
    'p-chain-api': { 'base-url': base },
    'max-concurrent-messages': 16,
    'source-blockchains': [{
      'subnet-id': subnets[0], 'blockchain-id': ids[0],
      'rpc-endpoint': { 'base-url': `${base}/ext/bc/${ids[0]}/rpc` },
      'ws-endpoint': { 'base-url': `ws://127.0.0.1:${port}/ext/bc/${ids[0]}/ws` },
      'message-contracts': { [messenger]: { 'message-format': 'route', settings: {
        'destination-blockchain-id': ids[1], 'destination-address': messenger,
        calldata: encodeFunctionData({ abi: parseAbi(['function receiveMessage(uint32 index)']), functionName: 'receiveMessage', args: [0] }),
        'already-delivered-errors': ['AlreadyReceived(bytes32)'] } } },
    }],
    'destination-blockchains': [{
      'subnet-id': subnets[1], 'blockchain-id': ids[1],
      'rpc-endpoint': { 'base-url': `${base}/ext/bc/${ids[1]}/rpc` },
      'account-private-key': '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6',
    }],
  };
  writeFileSync(path.join(dir, 'relayer.json'), JSON.stringify(config));
  return start(WARP, ['relayer', '--config', path.join(dir, 'relayer.json')], /following source.*from=(\d+)/);
}

const anvil = await start(ANVIL, ['--port', '0'], /Listening on 127\.0\.0\.1:(\d+)/, { keep: false });
const devnet = await start(WARP, ['devnet', '--port', '0', '--validators', '100', ...modeFlags], /Listening on 127\.0\.0\.1:(\d+)/);
let relayerProcess = null;
try {
  const anvilUrl = `http://127.0.0.1:${anvil.port}`;
  const devnetUrl = `http://127.0.0.1:${devnet.port}/ext/bc/A/rpc`;
  const messenger = devnet.output().match(/CrossChainMessenger:\s+(0x[0-9a-fA-F]{40})/)[1];
  const destination = [...devnet.output().matchAll(/blockchain ID:\s+\S+ \((0x[0-9a-f]{64})\)/g)][1][1];
  const anvilMessenger = await deployMessenger(anvilUrl, 31337);
  // Warm-up: a few of each, not counted.
  for (let i = 0; i < 200; i++) { await rpc(anvilUrl, 'eth_blockNumber'); await rpc(devnetUrl, 'eth_blockNumber'); }

  const results = [];
  if (process.argv.includes('--cross-chain-only')) {
    if (MODE === 'process') relayerProcess = await startRelayerProcess(devnet.output(), devnet.port, messenger);
    const cpu0 = cpuSeconds(devnet.child.pid);
    const relayerCpu0 = relayerProcess ? cpuSeconds(relayerProcess.child.pid) : 0;
    const cc = await crossChain(devnet.port, messenger, destination);
    const devnetCpu = cpuSeconds(devnet.child.pid) - cpu0;
    const relayerCpu = relayerProcess ? cpuSeconds(relayerProcess.child.pid) - relayerCpu0 : 0;
    const perMessage = (s) => ((s * 1000) / Math.max(cc.delivered, 1)).toFixed(2);
    console.log(`cross-chain (relayer: ${MODE}): delivered ${cc.delivered}/${MESSAGES}, ${cc.perSecond.toFixed(1)} messages/s, p50 ${cc.p50.toFixed(0)} ms, p99 ${cc.p99.toFixed(0)} ms, CPU per message: devnet ${perMessage(devnetCpu)} ms${relayerProcess ? `, relayer process ${perMessage(relayerCpu)} ms` : ''}, total ${perMessage(devnetCpu + relayerCpu)} ms`);
  } else {
  // The devnet first: anvil keeps a core busy for a while after a few thousand
  // transactions, which would slow whatever runs beside it.
  const td = await transfers(devnetUrl, 31337);
  const cd = await calls(devnetUrl, messenger);
  const ta = await transfers(anvilUrl, 31337);
  const ca = await calls(anvilUrl, anvilMessenger);
  results.push(['signed transfers/s (eth_sendRawTransaction, automine)', ta, td]);
  results.push(['eth_call/s', ca, cd]);
  console.log(`\n${TRANSFERS} transfers, ${CALLS} calls, 10 concurrent senders, loopback HTTP`);
  console.log('| workload | anvil 1.7.1 | warp devnet | devnet / anvil |');
  console.log('|---|---|---|---|');
  for (const [what, x, y] of results) console.log(`| ${what} | ${x.toFixed(0)} | ${y.toFixed(0)} | ${(y / x).toFixed(2)}× |`);
  // anvil stops before the devnet-only part (see above).
  anvil.child.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 500));
  const cc = await crossChain(devnet.port, messenger, destination);
  console.log(`\ncross-chain A→B, 100 validators per chain, ${MESSAGES} messages sent by 10 senders${RATE ? ` at ${RATE}/s` : ' as fast as accepted'}:`);
  console.log(`delivered ${cc.delivered}/${MESSAGES}, ${cc.perSecond.toFixed(1)} messages/s, latency send→delivery p50 ${cc.p50.toFixed(0)} ms, p99 ${cc.p99.toFixed(0)} ms`);
  const received = await rpc(`http://127.0.0.1:${devnet.port}/ext/bc/B/rpc`, 'eth_call', [{ to: messenger, data: encodeFunctionData({ abi: parseAbi(['function receivedCount() view returns (uint256)']), functionName: 'receivedCount' }) }, 'latest']);
  console.log(`B's messenger counts ${BigInt(received)} messages received`);
  }
  const trouble = devnet.output().split('\n').filter((l) => !/^Relayer:/.test(l) && ((/relayer/.test(l) && !/delivered in block/.test(l)) || /failed/.test(l)));
  if (trouble.length) console.log(`\nthe devnet reported:\n${trouble.slice(0, 10).join('\n')}`);
} finally {
  if (relayerProcess) relayerProcess.child.kill('SIGTERM');
  anvil.child.kill('SIGTERM');
  devnet.child.kill('SIGTERM');
}
