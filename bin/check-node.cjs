/* eslint-disable no-var */
// Checks the running Node.js against package.json "engines.node" before the lab starts.
//
//   node bin/check-node.cjs && tsx bin/start.ts
//
// Unsupported version: prints one line on stderr and exits 1. Supported: silent, exit 0.
// ES5 on purpose, as tools/node-version.cjs, which holds the check: any old Node.js must
// be able to parse it and print the message instead of a stack trace.
'use strict';

var path = require('path');
var check = require('../tools/node-version.cjs');

// CHECK_NODE_VERSION lets a test pretend to be another version; normally process.versions.node.
var running = process.env.CHECK_NODE_VERSION || process.versions.node;
var line;
try {
  line = check.checkVersion(running, check.readRange(path.join(__dirname, '..', 'package.json')));
} catch (e) {
  line = null; // a range we cannot read must never block the lab
}
if (line) {
  process.stderr.write(line + '\n');
  process.exit(1);
}
