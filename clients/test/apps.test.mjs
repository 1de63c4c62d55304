// viem and ethers 6 send a cross-chain message through the example app on A
// and wait for it on B; the built-in relayer carries it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createPublicClient, createWalletClient, http, parseAbi, defineChain, toHex } from 'viem';
import { privateKeyToAccount } from 'viem/accounts';
import { JsonRpcProvider, Wallet, Contract, hexlify, toUtf8Bytes } from 'ethers';
import { startDevnet, KEYS, ADDRESSES } from './devnet.mjs';

const abi = parseAbi([
  'function sendMessage(bytes32 destinationChainID, address destination, bytes data) returns (bytes32)',
  'function lastData() view returns (bytes)',
  'function lastFrom() view returns (address)',
  'function receivedCount() view returns (uint256)',
  'event MessageReceived(bytes32 indexed sourceChainID, address indexed sender, address from, uint256 nonce, bytes data)',
]);

let net;
before(async () => { net = await startDevnet(['--chains', 'A,B,C']); });
after(async () => { await net?.stop(); });

const chain = (name) => defineChain({
  id: net.chains[name].evmChainId,
  name: `warp devnet ${name}`,
  nativeCurrency: { name: 'Ether', symbol: 'ETH', decimals: 18 },
  rpcUrls: { default: { http: [net.url(name)] } },
});

test('viem: writeContract on A, watchContractEvent on B', async () => {
  const a = chain('A');
  const b = chain('B');
  const account = privateKeyToAccount(KEYS[1]);
  const walletA = createWalletClient({ account, chain: a, transport: http() });
  const publicA = createPublicClient({ chain: a, transport: http() });
  const publicB = createPublicClient({ chain: b, transport: http(), pollingInterval: 100 });
  const data = toHex('hello B from viem');
  const received = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('no MessageReceived on B within 20 s')), 20_000);
    const unwatch = publicB.watchContractEvent({
      address: net.messenger,
      abi,
      eventName: 'MessageReceived',
      onLogs: (logs) => {
        const mine = logs.find((l) => l.args.data === data);
        if (mine) {
          clearTimeout(timer);
          unwatch();
          resolve(mine);
        }
      },
    });
  });
  // viem installs its filter in the background: give it time before the message can arrive.
  await new Promise((r) => setTimeout(r, 500));
  const hash = await walletA.writeContract({
    address: net.messenger,
    abi,
    functionName: 'sendMessage',
    args: [net.chains.B.hex, net.messenger, data],
  });
  const receipt = await publicA.waitForTransactionReceipt({ hash });
  assert.equal(receipt.status, 'success');
  const log = await received;
  assert.equal(log.args.sourceChainID, net.chains.A.hex);
  assert.equal(log.args.from, account.address);
  assert.equal(await publicB.readContract({ address: net.messenger, abi, functionName: 'lastData' }), data);
});

test('ethers 6: a contract call on A, an event on B, with batched JSON-RPC', async () => {
  const providerA = new JsonRpcProvider(net.url('A'), undefined, { batchMaxCount: 3 });
  const providerB = new JsonRpcProvider(net.url('B'), undefined, { polling: true, pollingInterval: 100 });
  try {
    const wallet = new Wallet(KEYS[2], providerA);
    const messengerA = new Contract(net.messenger, abi, wallet);
    const messengerB = new Contract(net.messenger, abi, providerB);
    const data = hexlify(toUtf8Bytes('hello B from ethers'));
    const received = new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error('no MessageReceived on B within 20 s')), 20_000);
      messengerB.on('MessageReceived', (sourceChainID, sender, from, nonce, payload) => {
        if (payload === data) {
          clearTimeout(timer);
          resolve({ sourceChainID, from });
        }
      }).catch(reject);
    });
    // ethers starts polling its filter in the background: give it time before the message can arrive.
    await new Promise((r) => setTimeout(r, 500));
    const tx = await messengerA.sendMessage(net.chains.B.hex, net.messenger, data);
    const receipt = await tx.wait();
    assert.equal(receipt.status, 1);
    const event = await received;
    assert.equal(event.sourceChainID, net.chains.A.hex);
    assert.equal(event.from, ADDRESSES[2]);
    await messengerB.removeAllListeners();
    assert.equal(await messengerB.lastData(), data);
  } finally {
    providerA.destroy();
    providerB.destroy();
  }
});

test('with three chains each message reaches only the chain it names', async () => {
  const countOn = (name) => createPublicClient({ chain: chain(name), transport: http() })
    .readContract({ address: net.messenger, abi, functionName: 'receivedCount' });
  const [b0, c0] = [await countOn('B'), await countOn('C')];
  const walletA = createWalletClient({ account: privateKeyToAccount(KEYS[0]), chain: chain('A'), transport: http() });
  await walletA.writeContract({ address: net.messenger, abi, functionName: 'sendMessage', args: [net.chains.C.hex, net.messenger, '0xc0'] });
  const deadline = Date.now() + 20_000;
  while ((await countOn('C')) === c0) {
    assert.ok(Date.now() < deadline, 'C did not receive within 20 s');
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.equal(await countOn('C'), c0 + 1n);
  assert.equal(await countOn('B'), b0);
  // Nothing failed on the way: the relayer to B did not try to deliver C's message.
  assert.doesNotMatch(net.output(), /not delivered|retrying/);
});
