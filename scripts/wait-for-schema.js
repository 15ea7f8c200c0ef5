#!/usr/bin/env node
// An init container's step (k8s/base/<service>/deployment.yaml): waits until the migration Job has
// applied every migration of one owner's schema to DATABASE_URL, then exits 0; exits 1 at the deadline.
//
//   node scripts/wait-for-schema.js --owner gateway [--timeout-seconds 600]
//
// "Applied" means the owner's migrations table (public.migrations_<owner>) lists every migration of
// that owner in migrations/index.ts (as built in dist/). It only reads; it never migrates.
'use strict';
/* global setTimeout */
const path = require('node:path');
const { Client } = require('pg');

const POLL_MS = 2000;

function parseArgs(argv) {
  const args = { owner: undefined, timeoutSeconds: 600 };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--owner') args.owner = argv[++i];
    else if (argv[i] === '--timeout-seconds') args.timeoutSeconds = Number(argv[++i]);
    else throw new Error(`unknown argument ${argv[i]}`);
  }
  if (!args.owner) throw new Error('--owner is required');
  if (!Number.isInteger(args.timeoutSeconds) || args.timeoutSeconds < 0) throw new Error('--timeout-seconds must be a whole number of seconds');
  return args;
}

function expectedMigrations(owner) {
  const { MIGRATION_SETS } = require(path.join(__dirname, '..', 'dist', 'migrations', 'index.js'));
  const set = MIGRATION_SETS.find((s) => s.owner === owner && s.database === 'main');
  if (!set) throw new Error(`no migrations of owner "${owner}" in the services' database (known: ${MIGRATION_SETS.map((s) => s.owner).join(', ')})`);
  return { table: `migrations_${owner.replace(/-/g, '_')}`, names: set.migrations.map((M) => new M().name ?? M.name) };
}

/** The migrations of `names` not yet recorded in `table`, or a reason the database cannot say. */
async function missing(url, table, names) {
  const client = new Client({ connectionString: url, connectionTimeoutMillis: 5000, application_name: 'wait-for-schema' });
  try {
    await client.connect();
    const exists = await client.query('SELECT to_regclass($1) AS t', [`public.${table}`]);
    if (exists.rows[0].t === null) return names;
    const applied = new Set((await client.query(`SELECT name FROM public."${table}"`)).rows.map((r) => r.name));
    return names.filter((n) => !applied.has(n));
  } finally {
    await client.end().catch(() => undefined);
  }
}

async function main() {
  const { owner, timeoutSeconds } = parseArgs(process.argv.slice(2));
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required but not set');
  const { table, names } = expectedMigrations(owner);
  const deadline = Date.now() + timeoutSeconds * 1000;
  let last = '';
  for (;;) {
    let status;
    try {
      const pending = await missing(url, table, names);
      if (pending.length === 0) {
        process.stdout.write(`wait-for-schema: ${owner}: all ${names.length} migration(s) applied\n`);
        return 0;
      }
      status = `waiting for ${pending.join(', ')}`;
    } catch (error) {
      // The database may not be up yet; the message names the host, never the password.
      status = `database not answering (${error instanceof Error ? error.message : String(error)})`;
    }
    if (status !== last) process.stdout.write(`wait-for-schema: ${owner}: ${status}\n`);
    last = status;
    if (Date.now() >= deadline) {
      process.stderr.write(`wait-for-schema: ${owner}: gave up after ${timeoutSeconds} s: ${status}\n`);
      return 1;
    }
    await new Promise((resolve) => setTimeout(resolve, Math.min(POLL_MS, Math.max(0, deadline - Date.now()))));
  }
}

main().then(
  (code) => process.exit(code),
  (error) => {
    process.stderr.write(`wait-for-schema: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
