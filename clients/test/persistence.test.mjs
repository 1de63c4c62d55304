// --data-dir: a devnet killed with SIGKILL restarts with every chain as it was
// (blocks, receipts, state changes, warp messages, the P-Chain), and goes on.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDevnet, cast, rpc, cb58, eventually, KEYS, ADDRESSES, WARP_PRECOMPILE } from './devnet.mjs';

test('a restart with --data-dir keeps every chain', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'warp-devnet-'));
  try {
    let net = await startDevnet(['--data-dir', dir, '--chains', 'A,B']);
    cast('send', '-r', net.url('A'), '--private-key', KEYS[0], ADDRESSES[1], '--value', '3');
    cast('send', '-r', net.url('B'), '--private-key', KEYS[1], ADDRESSES[2], '--value', '5');
    await rpc(net.url('B'), 'anvil_setBalance', ['0x3333333333333333333333333333333333333333', '0x2a']);
    const sent = JSON.parse(cast('send', '--json', '-r', net.url('A'), '--private-key', KEYS[0], net.messenger,
      'sendMessage(bytes32,address,bytes)', net.chains.B.hex, net.messenger, '0x5e4d'));
    const messageId = cb58(sent.logs.find((l) => l.address.toLowerCase() === WARP_PRECOMPILE).topics[2]);
    await eventually(() => cast('call', '-r', net.url('B'), net.messenger, 'receivedCount()(uint256)') === '1', 20_000, 'delivery');
    const snapshot = async (n) => ({
      heads: await Promise.all(['A', 'B'].map((c) => rpc(n.url(c), 'eth_getBlockByNumber', ['latest', false]))),
      balances: await Promise.all(['A', 'B'].map((c) => rpc(n.url(c), 'eth_getBalance', [ADDRESSES[1], 'latest']))),
      override: await rpc(n.url('B'), 'eth_getBalance', ['0x3333333333333333333333333333333333333333', 'latest']),
      received: cast('call', '-r', n.url('B'), n.messenger, 'receivedCount()(uint256)'),
      message: await rpc(n.url('A'), 'warp_getMessage', [messageId]),
      receipt: await rpc(n.url('A'), 'eth_getTransactionReceipt', [sent.transactionHash]),
      pchain: (await (await fetch(`${n.base}/ext/bc/P`, {
        method: 'POST', headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'platform.getHeight', params: {} }),
      })).json()).result,
    });
    const before = await snapshot(net);
    await net.stop('SIGKILL');

    // The chains come from the data directory, whatever the flags say.
    net = await startDevnet(['--data-dir', dir, '--chains', 'X,Y,Z']);
    try {
      assert.deepEqual(Object.keys(net.chains), ['A', 'B']);
      const after = await snapshot(net);
      assert.deepEqual(after, before);
      // It goes on from there, and the relayer does not deliver the message again.
      cast('send', '-r', net.url('A'), '--private-key', KEYS[0], ADDRESSES[1], '--value', '7');
      assert.equal(Number(await rpc(net.url('A'), 'eth_blockNumber')), Number(before.heads[0].number) + 1);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal(cast('call', '-r', net.url('B'), net.messenger, 'receivedCount()(uint256)'), '1');
    } finally {
      await net.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
