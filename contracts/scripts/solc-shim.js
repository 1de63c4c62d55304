#!/usr/bin/env node
/**
 * solc-shim: a minimal stand-in for the native `solc` executable, built on
 * the npm `solc` package (solcjs), so that forge can compile offline.
 *
 * forge only needs two things from a compiler binary:
 *   --version        the last non-empty line must read `Version: X.Y.Z+...`
 *   --standard-json  standard-JSON input on stdin, standard-JSON output on stdout
 * Every other flag forge passes (--base-path, --include-path, --allow-paths, ...)
 * is ignored: forge inlines all sources into the standard-JSON input. Imports that
 * are nevertheless requested are resolved relative to the current directory.
 */
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require('solc');

function findImports(importPath) {
  const resolved = path.resolve(process.cwd(), importPath);
  try {
    return { contents: fs.readFileSync(resolved, 'utf8') };
  } catch (err) {
    return { error: `File not found: ${importPath} (${err.code || err.message})` };
  }
}

const args = process.argv.slice(2);
if (args.includes('--version')) {
  process.stdout.write(`solc, the solidity compiler commandline interface\nVersion: ${solc.version()}\n`);
} else if (args.includes('--standard-json')) {
  const input = fs.readFileSync(0, 'utf8');
  process.stdout.write(solc.compile(input, { import: findImports }));
} else {
  process.stderr.write('solc-shim: only --version and --standard-json are supported\n');
  process.exit(1);
}
