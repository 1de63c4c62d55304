// cast against the devnet: chain IDs, transfers, a deployment, logs, and a
// warp message delivered by hand with `cast send --access-list`.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startDevnet, cast, warp, rpc, cb58, KEYS, ADDRESSES, ROOT, WARP_PRECOMPILE } from './devnet.mjs';

let net;
before(async () => { net = await startDevnet(['--no-relayer']); });
after(async () => { await net?.stop(); });

test('each chain has its own EVM chain ID, and the root URL is the first chain', () => {
  assert.equal(cast('chain-id', '-r', net.url('A')), '31337');
  assert.equal(cast('chain-id', '-r', net.url('B')), '31338');
  assert.equal(cast('chain-id', '-r', `${net.base}/ext/bc/${net.chains.B.cb58}/rpc`), '31338');
  assert.equal(cast('chain-id', '-r', net.base), '31337');
  assert.equal(cast('client', '-r', net.url('A')), 'warp-devnet/v0.1.0');
});

test('the dev accounts hold 10,000 ETH on every chain and the CREATE2 deployer is there', () => {
  for (const chain of ['A', 'B']) {
    assert.equal(cast('balance', ADDRESSES[2], '-r', net.url(chain)), '10000000000000000000000');
    assert.match(cast('code', '0x4e59b44847b379578588920ca78fbf26c0b4956c', '-r', net.url(chain)), /^0x7fffffff/);
  }
});

test('cast send moves value, and the receipt and transaction read back', () => {
  const before = BigInt(cast('balance', ADDRESSES[1], '-r', net.url('A')));
  const receipt = JSON.parse(cast('send', '--json', '-r', net.url('A'), '--private-key', KEYS[0], ADDRESSES[1], '--value', '1ether'));
  assert.equal(receipt.status, '0x1');
  assert.equal(BigInt(cast('balance', ADDRESSES[1], '-r', net.url('A'))), before + 10n ** 18n);
  const tx = JSON.parse(cast('tx', '--json', receipt.transactionHash, '-r', net.url('A')));
  assert.equal(tx.from.toLowerCase(), ADDRESSES[0].toLowerCase());
  assert.equal(tx.blockNumber, receipt.blockNumber);
  // B is untouched.
  assert.equal(cast('balance', ADDRESSES[1], '-r', net.url('B')), '10000000000000000000000');
});

test('cast deploys a contract, calls it, and reads its logs (the precompile\'s SendWarpMessage among them)', () => {
  const artifact = JSON.parse(readFileSync(path.join(ROOT, 'contracts', 'artifacts', 'CrossChainMessenger.json'), 'utf8'));
  const deployed = JSON.parse(cast('send', '--json', '-r', net.url('A'), '--private-key', KEYS[1], '--create', artifact.bytecode));
  assert.equal(deployed.status, '0x1');
  const address = deployed.contractAddress;
  assert.equal(cast('call', '-r', net.url('A'), address, 'owner()(address)'), ADDRESSES[1]);
  const sent = JSON.parse(cast('send', '--json', '-r', net.url('A'), '--private-key', KEYS[1], address,
    'sendMessage(bytes32,address,bytes)', net.chains.B.hex, address, '0x1234'));
  assert.equal(sent.status, '0x1');
  const logs = JSON.parse(cast('logs', '--json', '-r', net.url('A'), '--from-block', sent.blockNumber, '--to-block', sent.blockNumber,
    '--address', WARP_PRECOMPILE, 'SendWarpMessage(address indexed,bytes32 indexed,bytes)'));
  assert.equal(logs.length, 1);
  assert.equal(`0x${logs[0].topics[1].slice(26)}`, address.toLowerCase());
  assert.equal(cast('call', '-r', net.url('A'), address, 'nonce()(uint256)'), '1');
});

test('a message delivered by hand: warp_getMessageAggregateSignature, then cast send --access-list', async () => {
  const text = 'delivered by hand';
  const data = `0x${Buffer.from(text).toString('hex')}`;
  const sent = JSON.parse(cast('send', '--json', '-r', net.url('A'), '--private-key', KEYS[0], net.messenger,
    'sendMessage(bytes32,address,bytes)', net.chains.B.hex, net.messenger, data));
  assert.equal(sent.status, '0x1');
  const log = sent.logs.find((l) => l.address.toLowerCase() === WARP_PRECOMPILE);
  const messageId = cb58(log.topics[2]);
  // Subnet-EVM's warp API: the unsigned message, then an aggregate of 67% of A's stake.
  const unsigned = await rpc(net.url('A'), 'warp_getMessage', [messageId]);
  assert.match(unsigned, /^0x00000000/);
  const signed = await rpc(net.url('A'), 'warp_getMessageAggregateSignature', [messageId, 67, '']);
  assert.ok(signed.startsWith(unsigned), 'a signed message starts with its unsigned message');
  // The predicate: the signed message packed into the warp precompile's storage keys.
  const keys = warp('predicate', 'pack', signed).split('\n').map((k) => k.trim()).filter(Boolean);
  const accessList = JSON.stringify([{ address: WARP_PRECOMPILE, storageKeys: keys }]);
  // The estimate cast asks for includes the predicate gas: without it the delivery runs out of gas.
  const delivered = JSON.parse(cast('send', '--json', '-r', net.url('B'), '--private-key', KEYS[2], '--access-list', accessList,
    net.messenger, 'receiveMessage(uint32)', '0'));
  assert.equal(delivered.status, '0x1');
  assert.equal(cast('call', '-r', net.url('B'), net.messenger, 'lastData()(bytes)'), data);
  assert.equal(cast('call', '-r', net.url('B'), net.messenger, 'lastFrom()(address)'), ADDRESSES[0]);
  const received = JSON.parse(cast('logs', '--json', '-r', net.url('B'), '--from-block', delivered.blockNumber,
    '--address', net.messenger, 'MessageReceived(bytes32 indexed,address indexed,address,uint256,bytes)'));
  assert.equal(received.length, 1);
  assert.equal(received[0].topics[1], net.chains.A.hex);
  // Delivering it twice is the app's replay refusal, a revert with its error data.
  assert.throws(
    () => cast('send', '-r', net.url('B'), '--private-key', KEYS[2], '--access-list', accessList, net.messenger, 'receiveMessage(uint32)', '0'),
    /execution reverted/,
  );
});

test('eth_call sees a good predicate as valid, and a tampered one as invalid', async () => {
  const sent = JSON.parse(cast('send', '--json', '-r', net.url('A'), '--private-key', KEYS[0], net.messenger,
    'sendMessage(bytes32,address,bytes)', net.chains.B.hex, net.messenger, '0xbeef'));
  const messageId = cb58(sent.logs.find((l) => l.address.toLowerCase() === WARP_PRECOMPILE).topics[2]);
  const signed = await rpc(net.url('A'), 'warp_getMessageAggregateSignature', [messageId, 67, '']);
  const keys = warp('predicate', 'pack', signed).split('\n').filter(Boolean);
  const call = (storageKeys) => rpc(net.url('B'), 'eth_call', [{
    to: WARP_PRECOMPILE,
    data: '0x6f8253500000000000000000000000000000000000000000000000000000000000000000',
    accessList: [{ address: WARP_PRECOMPILE, storageKeys }],
  }, 'latest']);
  const valid = await call(keys);
  // getVerifiedWarpMessage(0) returns (message, valid): the bool is the second word.
  assert.equal(BigInt(`0x${valid.slice(2 + 64, 2 + 128)}`), 1n);
  const tampered = [...keys];
  tampered[tampered.length - 2] = `0x${'11'.repeat(32)}`;
  const invalid = await call(tampered);
  assert.equal(BigInt(`0x${invalid.slice(2 + 64, 2 + 128)}`), 0n);
});
