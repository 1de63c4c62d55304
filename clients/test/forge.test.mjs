// forge script --broadcast against the devnet: it deploys a contract and sends
// a cross-chain message, which the relayer delivers to B.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { startDevnet, cast, eventually, FORGE, ROOT, KEYS, ADDRESSES } from './devnet.mjs';

let net;
before(async () => { net = await startDevnet(); });
after(async () => { await net?.stop(); });

test('forge script --broadcast deploys and sends; the message arrives on B', async () => {
  const text = 'hello B from forge script';
  const nonce = Number(cast('nonce', ADDRESSES[1], '-r', net.url('A')));
  const output = execFileSync(FORGE, [
    'script', 'script/DevnetSend.s.sol',
    '--rpc-url', net.url('A'),
    '--broadcast', '--skip-simulation',
    '--private-key', KEYS[1],
  ], {
    cwd: path.join(ROOT, 'contracts'),
    encoding: 'utf8',
    env: { ...process.env, MESSENGER: net.messenger, DESTINATION_CHAIN_ID: net.chains.B.hex, TEXT: text },
  });
  assert.match(output, /ONCHAIN EXECUTION COMPLETE & SUCCESSFUL/);
  // The deployment landed where the sender's nonce puts it, with the messenger's code.
  const deployed = cast('compute-address', ADDRESSES[1], '--nonce', String(nonce)).split(/\s+/).pop();
  assert.equal(cast('call', '-r', net.url('A'), deployed, 'owner()(address)'), ADDRESSES[1]);
  assert.equal(Number(cast('nonce', ADDRESSES[1], '-r', net.url('A'))), nonce + 2);
  const hex = `0x${Buffer.from(text).toString('hex')}`;
  await eventually(() => cast('call', '-r', net.url('B'), net.messenger, 'lastData()(bytes)') === hex, 20_000, 'delivery to B');
  assert.equal(cast('call', '-r', net.url('B'), net.messenger, 'lastFrom()(address)'), ADDRESSES[1]);
});
