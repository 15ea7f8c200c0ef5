#!/usr/bin/env node
'use strict';
// tsc compiles our TypeScript; the generated protobuf JavaScript is copied beside its output.
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
fs.cpSync(path.join(root, 'libs/proto/src/generated'), path.join(root, 'dist/libs/proto/src/generated'), { recursive: true });
