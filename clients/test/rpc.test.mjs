// The devnet's JSON-RPC surface beyond one client: batches, WebSocket
// subscriptions, anvil's test methods, Subnet-EVM's warp API, the P-Chain and
// info APIs, icm-services' aggregator endpoint, errors as clients expect them.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { WebSocketProvider, Wallet, JsonRpcProvider } from 'ethers';
import { startDevnet, rpc, cast, cb58, KEYS, ADDRESSES, WARP_PRECOMPILE, eventually } from './devnet.mjs';

let net;
before(async () => { net = await startDevnet(); });
after(async () => { await net?.stop(); });

const post = async (url, body) => {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, body: await res.json() };
};

test('a JSON-RPC batch answers each call in order, errors included', async () => {
  const { body } = await post(net.url('B'), [
    { jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] },
    { jsonrpc: '2.0', id: 2, method: 'net_version', params: [] },
    { jsonrpc: '2.0', id: 3, method: 'no_such_method', params: [] },
    { jsonrpc: '2.0', id: 4, method: 'eth_getBalance', params: [ADDRESSES[0], 'latest'] },
  ]);
  assert.equal(body.length, 4);
  const byId = Object.fromEntries(body.map((r) => [r.id, r]));
  assert.equal(byId[1].result, '0x7a6a');
  assert.equal(byId[2].result, '31338');
  assert.deepEqual(byId[3].error, { code: -32601, message: 'Method not found' });
  assert.equal(BigInt(byId[4].result), 10_000n * 10n ** 18n);
});

test('anvil\'s shapes: unknown receipt null, fee methods, syncing, block fields', async () => {
  assert.equal(await rpc(net.url('A'), 'eth_getTransactionReceipt', [`0x${'ab'.repeat(32)}`]), null);
  assert.equal(await rpc(net.url('A'), 'eth_syncing'), false);
  assert.equal(await rpc(net.url('A'), 'eth_maxPriorityFeePerGas'), '0x3b9aca00');
  const baseFee = BigInt(await rpc(net.url('A'), 'eth_baseFee'));
  assert.equal(BigInt(await rpc(net.url('A'), 'eth_gasPrice')), baseFee + 10n ** 9n);
  const history = await rpc(net.url('A'), 'eth_feeHistory', ['0x2', 'latest', [20]]);
  assert.equal(history.baseFeePerGas.length, 3);
  assert.equal(history.reward.length, 2);
  const block = await rpc(net.url('A'), 'eth_getBlockByNumber', ['latest', true]);
  for (const field of ['hash', 'parentHash', 'stateRoot', 'transactionsRoot', 'receiptsRoot', 'logsBloom', 'baseFeePerGas', 'timestamp', 'gasLimit', 'extraData', 'size']) {
    assert.ok(field in block, `block has ${field}`);
  }
  assert.equal(await rpc(net.url('A'), 'eth_getBlockByNumber', ['0xffffff', false]), null);
  await assert.rejects(rpc(net.url('A'), 'eth_getFilterChanges', ['0x1']), (e) => e.rpc.code === -32000 && e.rpc.message === 'filter not found');
});

test('a revert is geth\'s error: code 3 with the revert data', async () => {
  // allowSender from someone other than the owner reverts with NotOwner(address).
  const data = cast('calldata', 'allowSender(bytes32,address)', net.chains.B.hex, ADDRESSES[1]);
  const notOwner = cast('sig', 'NotOwner(address)');
  await assert.rejects(
    rpc(net.url('A'), 'eth_call', [{ from: ADDRESSES[1], to: net.messenger, data }, 'latest']),
    (e) => e.rpc.code === 3 && e.rpc.message === 'execution reverted'
      && e.rpc.data === `${notOwner}${'00'.repeat(12)}${ADDRESSES[1].slice(2).toLowerCase()}`,
  );
  // So does the estimate of a reverting transaction.
  await assert.rejects(
    rpc(net.url('A'), 'eth_estimateGas', [{ from: ADDRESSES[1], to: net.messenger, data }]),
    (e) => e.rpc.code === 3 && e.rpc.data.startsWith(notOwner),
  );
});

test('eth_subscribe over WebSocket: newHeads and logs', async () => {
  const provider = new WebSocketProvider(net.ws('A'));
  try {
    const heads = [];
    const logs = [];
    await provider.on('block', (n) => heads.push(n));
    await provider.on({ address: net.messenger }, (log) => logs.push(log));
    // ethers resolves `on` before the node confirms the subscriptions.
    await new Promise((r) => setTimeout(r, 500));
    const wallet = new Wallet(KEYS[1], provider);
    const before = await provider.getBlockNumber();
    const tx = await wallet.sendTransaction({ to: ADDRESSES[2], value: 1n });
    await tx.wait();
    cast('send', '-r', net.url('A'), '--private-key', KEYS[0], net.messenger,
      'sendMessage(bytes32,address,bytes)', net.chains.B.hex, net.messenger, '0xaa');
    await eventually(() => heads.some((n) => n > before + 1) && logs.length > 0, 20_000, 'a head and a log');
    assert.ok(logs.every((l) => l.address.toLowerCase() === net.messenger.toLowerCase()));
  } finally {
    await provider.destroy();
  }
});

test('snapshot and revert take blocks, balances and state changes back', async () => {
  const url = net.url('B');
  const id = await rpc(url, 'evm_snapshot');
  assert.match(id, /^0x[0-9a-f]+$/);
  const height = Number(await rpc(url, 'eth_blockNumber'));
  await rpc(url, 'anvil_setBalance', [ADDRESSES[2], '0x1']);
  cast('send', '-r', url, '--private-key', KEYS[0], ADDRESSES[1], '--value', '1');
  assert.equal(await rpc(url, 'evm_mine'), '0x0');
  assert.equal(await rpc(url, 'anvil_mine', ['0x3']), null);
  assert.equal(Number(await rpc(url, 'eth_blockNumber')), height + 5);
  assert.equal(await rpc(url, 'eth_getBalance', [ADDRESSES[2], 'latest']), '0x1');
  assert.equal(await rpc(url, 'evm_revert', [id]), true);
  assert.equal(Number(await rpc(url, 'eth_blockNumber')), height);
  assert.equal(BigInt(await rpc(url, 'eth_getBalance', [ADDRESSES[2], 'latest'])), 10_000n * 10n ** 18n);
  assert.equal(await rpc(url, 'evm_revert', [id]), false);
});

test('anvil\'s state and clock methods, and impersonation', async () => {
  const url = net.url('B');
  const someone = '0x1111111111111111111111111111111111111111';
  assert.equal(await rpc(url, 'anvil_setCode', [someone, '0x6001600055']), null);
  assert.equal(await rpc(url, 'eth_getCode', [someone, 'latest']), '0x6001600055');
  assert.equal(await rpc(url, 'anvil_setStorageAt', [someone, '0x1', `0x${'00'.repeat(31)}07`]), true);
  assert.equal(await rpc(url, 'eth_getStorageAt', [someone, '0x1', 'latest']), `0x${'00'.repeat(31)}07`);
  assert.equal(await rpc(url, 'hardhat_setNonce', [someone, '0x5']), null);
  assert.equal(await rpc(url, 'eth_getTransactionCount', [someone, 'latest']), '0x5');
  // An account whose key nobody holds sends once impersonated.
  const whale = '0x2222222222222222222222222222222222222222';
  await rpc(url, 'anvil_setBalance', [whale, '0xde0b6b3a7640000']);
  assert.equal(await rpc(url, 'anvil_impersonateAccount', [whale]), null);
  const hash = await rpc(url, 'eth_sendTransaction', [{ from: whale, to: ADDRESSES[0], value: '0x1' }]);
  const receipt = await rpc(url, 'eth_getTransactionReceipt', [hash]);
  assert.equal(receipt.status, '0x1');
  assert.equal(receipt.from, whale);
  await rpc(url, 'anvil_stopImpersonatingAccount', [whale]);
  await assert.rejects(rpc(url, 'eth_sendTransaction', [{ from: whale, to: ADDRESSES[0], value: '0x1' }]), /no key/);
  // The clock: a next timestamp, then an increase.
  const head = await rpc(url, 'eth_getBlockByNumber', ['latest', false]);
  const next = Number(head.timestamp) + 1000;
  assert.equal(await rpc(url, 'evm_setNextBlockTimestamp', [next]), null);
  await rpc(url, 'evm_mine');
  assert.equal(Number((await rpc(url, 'eth_getBlockByNumber', ['latest', false])).timestamp), next);
  assert.equal(typeof await rpc(url, 'evm_increaseTime', [100]), 'number');
  // Reads at an explicit recent number, as forge script does.
  const n = await rpc(url, 'eth_blockNumber');
  assert.equal(await rpc(url, 'eth_getTransactionCount', [whale, n]), '0x1');
  assert.equal(await rpc(url, 'eth_getTransactionCount', [someone, n]), '0x5');
});

test('automine off: transactions wait for evm_mine', async () => {
  const url = net.url('B');
  await rpc(url, 'anvil_setAutomine', [false]);
  try {
    const height = Number(await rpc(url, 'eth_blockNumber'));
    const hash = await rpc(url, 'eth_sendTransaction', [{ from: ADDRESSES[0], to: ADDRESSES[1], value: '0x2' }]);
    assert.equal(await rpc(url, 'eth_getTransactionReceipt', [hash]), null);
    assert.equal((await rpc(url, 'eth_getTransactionByHash', [hash])).blockNumber, null);
    assert.equal(await rpc(url, 'eth_getTransactionCount', [ADDRESSES[0], 'pending']),
      `0x${(Number(await rpc(url, 'eth_getTransactionCount', [ADDRESSES[0], 'latest'])) + 1).toString(16)}`);
    await rpc(url, 'evm_mine');
    assert.equal(Number(await rpc(url, 'eth_blockNumber')), height + 1);
    assert.equal((await rpc(url, 'eth_getTransactionReceipt', [hash])).status, '0x1');
  } finally {
    await rpc(url, 'anvil_setAutomine', [true]);
  }
});

test('filters: new blocks and logs since the last poll', async () => {
  const url = net.url('A');
  const blocks = await rpc(url, 'eth_newBlockFilter');
  const logs = await rpc(url, 'eth_newFilter', [{ address: WARP_PRECOMPILE }]);
  cast('send', '-r', url, '--private-key', KEYS[0], net.messenger, 'sendMessage(bytes32,address,bytes)', net.chains.B.hex, net.messenger, '0x01');
  const hashes = await rpc(url, 'eth_getFilterChanges', [blocks]);
  assert.ok(hashes.length >= 1);
  const found = await rpc(url, 'eth_getFilterChanges', [logs]);
  assert.equal(found.length, 1);
  assert.equal(found[0].address, WARP_PRECOMPILE);
  assert.deepEqual(await rpc(url, 'eth_getFilterChanges', [logs]), []);
  assert.equal((await rpc(url, 'eth_getFilterLogs', [logs])).length >= 1, true);
  assert.equal(await rpc(url, 'eth_uninstallFilter', [logs]), true);
  assert.equal(await rpc(url, 'eth_uninstallFilter', [logs]), false);
});

test('Subnet-EVM\'s warp API: parameters as Subnet-EVM checks them, block signatures, aggregates', async () => {
  const url = net.url('A');
  await assert.rejects(rpc(url, 'warp_getMessageAggregateSignature', [cb58(`0x${'00'.repeat(32)}`), 67]),
    (e) => e.rpc.code === -32000 && /missing value for required argument 2/.test(e.rpc.message));
  await assert.rejects(rpc(url, 'warp_getMessage', [cb58(`0x${'00'.repeat(32)}`)]), (e) => e.rpc.code === -32000);
  const block = await rpc(url, 'eth_getBlockByNumber', ['latest', false]);
  const blockId = cb58(block.hash);
  const signature = await rpc(url, 'warp_getBlockSignature', [blockId]);
  assert.match(signature, /^0x[0-9a-f]{192}$/);
  const signed = await rpc(url, 'warp_getBlockAggregateSignature', [blockId, 67, '']);
  // The unsigned message is a Hash payload naming the block: its hash is in it.
  assert.ok(signed.includes(block.hash.slice(2)));
  // Delivered by hand to B's BlockHashOracle: B verifies A's block hash.
  const { execFileSync } = await import('node:child_process');
  const { WARP } = await import('./devnet.mjs');
  const keys = execFileSync(WARP, ['predicate', 'pack', signed], { encoding: 'utf8' }).trim().split('\n');
  const accessList = JSON.stringify([{ address: WARP_PRECOMPILE, storageKeys: keys }]);
  cast('send', '-r', net.url('B'), '--private-key', KEYS[1], '--access-list', accessList, net.oracle, 'recordBlockHash(uint32)', '0');
  assert.equal(cast('call', '-r', net.url('B'), net.oracle, 'isVerified(bytes32,bytes32)(bool)', net.chains.A.hex, block.hash), 'true');
  // All the stake, with the subnet named: a bigger signer set, the same message.
  const everyone = await rpc(url, 'warp_getBlockAggregateSignature', [blockId, 100, net.chains.A.subnet]);
  assert.notEqual(everyone, signed);
  assert.equal(everyone.length, signed.length);
  // A subnet that validates no chain here cannot sign.
  await assert.rejects(rpc(url, 'warp_getBlockAggregateSignature', [blockId, 67, cb58(`0x${'42'.repeat(32)}`)]),
    (e) => e.rpc.code === -32000);
  // A block this chain never accepted is not signed.
  await assert.rejects(rpc(url, 'warp_getBlockSignature', [cb58(`0x${'42'.repeat(32)}`)]), (e) => e.rpc.code === -32000);
});

test('the P-Chain and info APIs', async () => {
  const p = `${net.base}/ext/bc/P`;
  const call = async (method, params = {}) => (await post(p, { jsonrpc: '2.0', id: 1, method, params })).body.result;
  const { height } = await call('platform.getHeight');
  assert.equal(height, '2');
  const validators = await call('platform.getValidatorsAt', { height: '1', subnetID: net.chains.A.subnet });
  assert.equal(Object.keys(validators).length, 20);
  const [node, entry] = Object.entries(validators)[0];
  assert.match(node, /^NodeID-/);
  assert.match(entry.publicKey, /^0x[0-9a-f]{96}$/);
  assert.match(entry.weight, /^\d+$/);
  assert.deepEqual(await call('platform.getValidatorsAt', { height: 'proposed', subnetID: net.chains.A.subnet }), validators);
  const all = await call('platform.getAllValidatorsAt', { height: 2 });
  assert.deepEqual(Object.keys(all.validatorSets).sort(), [net.chains.A.subnet, net.chains.B.subnet].sort());
  assert.equal((await call('platform.validatedBy', { blockchainID: net.chains.B.cb58 })).subnetID, net.chains.B.subnet);
  const { blockchains } = await call('platform.getBlockchains');
  assert.deepEqual(blockchains.map((b) => b.name), ['A', 'B']);
  assert.equal(blockchains[0].vmID, 'srEXiWaHuhNyGwPUi444Tu47ZEDwxTWrbQiuD7FmgSAQ6X7Dy');
  assert.equal((await call('platform.getSubnet', { subnetID: net.chains.A.subnet })).managerChainID, net.chains.A.cb58);
  const info = async (method, params = {}) => (await post(`${net.base}/ext/info`, { jsonrpc: '2.0', id: 1, method, params })).body.result;
  assert.deepEqual(await info('info.getNetworkID'), { networkID: '12345' });
  assert.match((await info('info.getNodeID')).nodeID, /^NodeID-/);
  assert.equal((await info('info.getBlockchainID', { alias: 'B' })).blockchainID, net.chains.B.cb58);
});

test('icm-services\' POST /aggregate-signatures', async () => {
  const sent = JSON.parse(cast('send', '--json', '-r', net.url('A'), '--private-key', KEYS[0], net.messenger,
    'sendMessage(bytes32,address,bytes)', net.chains.B.hex, net.messenger, '0x02'));
  const id = cb58(sent.logs.find((l) => l.address.toLowerCase() === WARP_PRECOMPILE).topics[2]);
  const unsigned = await rpc(net.url('A'), 'warp_getMessage', [id]);
  const ok = await post(`${net.base}/aggregate-signatures`, { message: unsigned.slice(2), 'quorum-percentage': 67 });
  assert.equal(ok.status, 200);
  assert.ok(ok.body['signed-message'].startsWith(unsigned.slice(2)));
  const bad = await post(`${net.base}/aggregate-signatures`, { message: 'zz' });
  assert.equal(bad.status, 400);
  assert.match(bad.body.error, /hex/);
  const unknown = await post(`${net.base}/aggregate-signatures`, { message: `00000000${'00'.repeat(40)}` });
  assert.ok(unknown.status >= 400);
});

test('the relayer delivers the messenger\'s messages from A to B with no set-up', async () => {
  const provider = new JsonRpcProvider(net.url('B'));
  const before = BigInt(cast('call', '-r', net.url('B'), net.messenger, 'receivedCount()(uint256)'));
  cast('send', '-r', net.url('A'), '--private-key', KEYS[0], net.messenger, 'sendMessage(bytes32,address,bytes)',
    net.chains.B.hex, net.messenger, `0x${Buffer.from('relayed').toString('hex')}`);
  await eventually(async () => BigInt(cast('call', '-r', net.url('B'), net.messenger, 'receivedCount()(uint256)')) > before, 20_000, 'delivery');
  assert.equal(cast('call', '-r', net.url('B'), net.messenger, 'lastData()(bytes)'), `0x${Buffer.from('relayed').toString('hex')}`);
  provider.destroy();
});
