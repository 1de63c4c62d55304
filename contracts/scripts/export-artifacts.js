#!/usr/bin/env node
/**
 * export-artifacts: copies the parts of forge's build output that the Rust tests need into
 * small, committed JSON files.
 *
 * Reads  out/<File>.sol/<Contract>.json  (run `forge build` first) and writes
 *        <outDir>/<Contract>.json = {"contractName", "abi", "bytecode", "deployedBytecode"}
 * pretty-printed with two spaces, keys in a stable order (top level fixed, ABI entries sorted)
 * and a trailing newline, so that a fresh build can be compared byte for byte with `diff -r`.
 *
 * Usage: node scripts/export-artifacts.js [outDir]   (default: artifacts, relative to contracts/)
 */
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..');
const outDir = path.resolve(process.cwd(), process.argv[2] || path.join(root, 'artifacts'));

/** [source file, contract name] of every exported contract. */
const CONTRACTS = [
  ['CrossChainMessenger.sol', 'CrossChainMessenger'],
  ['BlockHashOracle.sol', 'BlockHashOracle'],
  ['TokenBridge.sol', 'BridgeToken'],
  ['TokenBridge.sol', 'TokenHome'],
  ['TokenBridge.sol', 'TokenRemote'],
  ['TeleporterMessenger.sol', 'TeleporterMessenger'],
  ['TeleporterGreeter.sol', 'TeleporterGreeter'],
  ['WarpMessengerMock.sol', 'WarpMessengerMock'],
];

/** Returns `value` with the keys of every object sorted, recursively. */
function sortKeys(value) {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]));
  }
  return value;
}

/** Returns the 0x-prefixed hex of a forge bytecode entry, refusing unlinked or empty code. */
function hexOf(entry, what) {
  const object = typeof entry === 'string' ? entry : entry && entry.object;
  if (typeof object !== 'string' || !/^(0x)?[0-9a-fA-F]+$/.test(object)) {
    throw new Error(`${what}: missing, empty or unlinked bytecode`);
  }
  return object.startsWith('0x') ? object : `0x${object}`;
}

fs.mkdirSync(outDir, { recursive: true });
for (const [file, name] of CONTRACTS) {
  const source = path.join(root, 'out', file, `${name}.json`);
  if (!fs.existsSync(source)) {
    console.error(`export-artifacts: ${path.relative(root, source)} not found: run forge build first`);
    process.exit(1);
  }
  const forge = JSON.parse(fs.readFileSync(source, 'utf8'));
  const artifact = {
    contractName: name,
    abi: sortKeys(forge.abi),
    bytecode: hexOf(forge.bytecode, `${name}.bytecode`),
    deployedBytecode: hexOf(forge.deployedBytecode, `${name}.deployedBytecode`),
  };
  fs.writeFileSync(path.join(outDir, `${name}.json`), `${JSON.stringify(artifact, null, 2)}\n`);
}
console.log(`export-artifacts: wrote ${CONTRACTS.length} artifacts to ${outDir}`);
