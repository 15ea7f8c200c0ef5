#!/usr/bin/env node
'use strict';
// Generates the TypeScript-typed protobuf code for every .proto under proto/ into
// libs/proto/src/generated/ (never edited by hand; not committed). Tools: protobufjs-cli from npm.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const protoDir = path.join(root, 'proto');
const outDir = path.join(root, 'libs', 'proto', 'src', 'generated');

function protoFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return protoFiles(full);
    return entry.name.endsWith('.proto') ? [full] : [];
  });
}

const files = protoFiles(protoDir).sort();
fs.mkdirSync(outDir, { recursive: true });
const bin = (name) => path.join(root, 'node_modules', '.bin', name);
const js = path.join(outDir, 'protos.js');
execFileSync(bin('pbjs'), ['-t', 'static-module', '-w', 'commonjs', '--force-long', '-p', protoDir, '-o', js, ...files], { stdio: 'inherit' });
execFileSync(bin('pbts'), ['-o', path.join(outDir, 'protos.d.ts'), js], { stdio: 'inherit' });
process.stdout.write(`generated ${path.relative(root, outDir)} from ${files.length} proto files\n`);
