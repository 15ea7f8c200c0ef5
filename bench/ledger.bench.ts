/**
 * Ledger benchmark on the real Postgres. Prints its figures; asserts nothing.
 *
 *   npm run bench:ledger      (builds, then node dist/bench/ledger.bench.js)
 *
 * On a fresh database (created and dropped here; TEST_DATABASE_URL's server, or the local one) it
 * measures, in BENCH_ROUNDS rounds (default 3) of BENCH_SECONDS each per figure (default 3):
 * 1. single transfers: 32 concurrent clients, each booking one journal entry per call through the
 *    ledger's own write path (BooksService.transfer: idempotency key, balance rows locked in order,
 *    core check, entry + postings + balances + outbox in one transaction), on its own account pair;
 * 2. batched transfers: 8 concurrent clients, each call 200 entries in one transaction;
 * 3. the limit: a minimal one-row-update transaction (BEGIN; UPDATE one row; COMMIT), 32 clients on
 *    their own rows, on the same database and pool size: what Postgres commits per second here.
 * The three are interleaved (limit, single, batched in every round), so a shared machine's load moves
 * them alike; each figure is its total over the rounds divided by its time, and single / limit is
 * also printed per round (its spread shows how much the load moved). The load average is printed
 * before and after. The write path runs in this process, without gRPC in between, so the figures are
 * the books' cost.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import { Pool } from 'pg';
import { migrateAll } from '@custody/local-cluster';
import { uniqueTestDatabase } from '@custody/testing';
import { BooksRepository } from '../apps/ledger/src/books/books.repository';
import { BooksService } from '../apps/ledger/src/books/books.service';
import { IdempotentWriter } from '../apps/ledger/src/books/idempotent-writer';
import { TransferCombiner } from '../apps/ledger/src/books/transfer-combiner';
import { parseLedgerConfig } from '../apps/ledger/src/config';
import { DepositsService } from '../apps/ledger/src/deposits/deposits.service';

const SECONDS = Number(process.env.BENCH_SECONDS ?? '3');
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? '3');
const CLIENTS = 32;
const BATCH_CLIENTS = 8;
const BATCH = 200;
const CHAIN = 'bench-1';
const CODE = 'USD';

interface Figure {
  perSecond: number;
  total: number;
  seconds: number;
}

function loadAverage(): string {
  try {
    return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
  } catch {
    return `${os.loadavg().map((x) => x.toFixed(2)).join(' ')}`;
  }
}

function sum(figures: readonly Figure[]): Figure {
  const total = figures.reduce((n, f) => n + f.total, 0);
  const seconds = figures.reduce((n, f) => n + f.seconds, 0);
  return { total, seconds, perSecond: total / seconds };
}

async function runFor(clients: number, seconds: number, one: (client: number, i: number) => Promise<number>): Promise<Figure> {
  const deadline = Date.now() + seconds * 1000;
  const started = process.hrtime.bigint();
  let total = 0;
  await Promise.all(
    Array.from({ length: clients }, async (_, c) => {
      for (let i = 0; Date.now() < deadline; i++) {
        // not `total += await …`: that reads `total` before the await and loses the other clients' counts
        const n = await one(c, i);
        total += n;
      }
    }),
  );
  const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
  return { perSecond: total / elapsed, total, seconds: elapsed };
}

async function main(): Promise<void> {
  const database = uniqueTestDatabase('custody_ledger_bench');
  await migrateAll({ mainDatabaseUrl: database.url, signerDatabaseUrls: [] });
  const pool = new Pool({ connectionString: database.url.toString(), max: CLIENTS });
  // dropping the database at the end terminates idle connections: not an error of the bench
  pool.on('error', () => undefined);
  try {
    const config = parseLedgerConfig({ DATABASE_URL: database.url.toString(), REDIS_URL: 'redis://127.0.0.1:6379', HTTP_PORT: '1', GRPC_PORT: '2', LEDGER_DB_POOL_SIZE: String(CLIENTS) });
    const repository = new BooksRepository(pool);
    const books = new BooksService(repository, new IdempotentWriter(pool, config), new TransferCombiner(pool, config, repository));
    const deposits = new DepositsService(books);
    await books.createAsset({ idempotencyKey: 'bench-asset', asset: { chain: CHAIN, code: CODE, decimals: 2, contract: '', confirmations: 1 } });
    const wallets = Array.from({ length: 2 * CLIENTS }, (_, i) => `bench-${i}`);
    for (const [i, w] of wallets.entries()) {
      await deposits.record({ idempotencyKey: `fund-${i}`, chain: CHAIN, txHash: `0x${i.toString(16).padStart(64, '0')}`, logIndex: 0, asset: CODE, wallet: w, address: 'a', amount: '1000000000', confirmations: 1 });
    }
    const account = (w: string): string => `customer/${w}/${CHAIN}/${CODE}`;
    const run = randomBytes(4).toString('hex');

    await pool.query('CREATE TABLE public.bench_rows (id integer PRIMARY KEY, n bigint NOT NULL)');
    await pool.query('INSERT INTO public.bench_rows SELECT g, 0 FROM generate_series(0, $1) g', [CLIENTS]);
    const measureLimit = (): Promise<Figure> =>
      runFor(CLIENTS, SECONDS, async (c) => {
        const client = await pool.connect();
        try {
          await client.query('BEGIN');
          await client.query('UPDATE public.bench_rows SET n = n + 1 WHERE id = $1', [c]);
          await client.query('COMMIT');
        } finally {
          client.release();
        }
        return 1;
      });
    let calls = 0;
    const measureSingle = (): Promise<Figure> =>
      runFor(CLIENTS, SECONDS, async (c, i) => {
        await books.transfer({ idempotencyKey: `s-${run}-${calls++}-${c}-${i}`, debitAccount: account(wallets[2 * c]!), creditAccount: account(wallets[2 * c + 1]!), amount: '0.01' });
        return 1;
      });
    const measureBatched = (): Promise<Figure> =>
      runFor(BATCH_CLIENTS, SECONDS, async (c, i) => {
        const transfers = Array.from({ length: BATCH }, (_, k) => {
          const a = (c * 4 + (k % 4)) % CLIENTS;
          return { debitAccount: account(wallets[2 * a]!), creditAccount: account(wallets[2 * a + 1]!), amount: '0.01' };
        });
        await books.transferBatch({ idempotencyKey: `b-${run}-${calls++}-${c}-${i}`, transfers });
        return BATCH;
      });

    const loadBefore = loadAverage();
    const rounds: Array<{ limit: Figure; single: Figure; batched: Figure }> = [];
    for (let r = 0; r < ROUNDS; r++) {
      const limit = await measureLimit();
      const single = await measureSingle();
      const batched = await measureBatched();
      rounds.push({ limit, single, batched });
    }
    const loadAfter = loadAverage();
    const limit = sum(rounds.map((r) => r.limit));
    const single = sum(rounds.map((r) => r.single));
    const batched = sum(rounds.map((r) => r.batched));
    const settings = await pool.query<{ name: string; setting: string }>("SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'max_connections')");
    const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
    const pct = (a: Figure, b: Figure): string => `${((100 * a.perSecond) / b.perSecond).toFixed(0)}%`;
    process.stdout.write(`ledger bench (${ROUNDS} rounds x ${SECONDS} s per figure; Postgres ${settings.rows.map((r) => `${r.name}=${r.setting}`).join(' ')}; ${os.cpus().length} CPUs)\n`);
    process.stdout.write(`  load average before: ${loadBefore}; after: ${loadAfter}\n`);
    process.stdout.write(`  single transfers, ${CLIENTS} clients:          ${fmt(single.perSecond)} entries/s (${single.total} entries)\n`);
    process.stdout.write(`  batched transfers, ${BATCH_CLIENTS} x ${BATCH}/transaction: ${fmt(batched.perSecond)} entries/s (${batched.total} entries)\n`);
    process.stdout.write(`  one-row-update limit, ${CLIENTS} clients:      ${fmt(limit.perSecond)} transactions/s (per round: ${rounds.map((r) => fmt(r.limit.perSecond)).join(', ')})\n`);
    process.stdout.write(`  single / limit: ${pct(single, limit)} (per round: ${rounds.map((r) => pct(r.single, r.limit)).join(', ')})\n`);
    process.stdout.write(`  batched / limit: ${pct(batched, limit)}\n`);
  } finally {
    await pool.end();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`ledger bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
