#!/usr/bin/env node
'use strict';
// The operator's entry point. The program itself is compiled TypeScript under dist/.
const path = require('node:path');
const fs = require('node:fs');

const entry = path.join(__dirname, '..', 'dist', 'apps', 'cli', 'src', 'main.js');
if (!fs.existsSync(entry)) {
  process.stderr.write('custody: the project is not built yet; run `npm run build` first\n');
  process.exit(2);
}
require(entry);
