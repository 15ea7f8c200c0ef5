/**
 * Ledger benchmark on the real Postgres. Prints its figures; asserts nothing.
 *
 *   npm run bench:ledger      (builds, then node dist/bench/ledger.bench.js)
 *
 * On a fresh database (created and dropped here; TEST_DATABASE_URL's server, or the local one) it
 * measures, one after the other, for BENCH_SECONDS each (default 8):
 * 1. single transfers: 32 concurrent clients, each booking one journal entry per call through the
 *    ledger's own write path (BooksService.transfer: idempotency key, balance rows locked in order,
 *    core check, entry + postings + balances + outbox in one transaction), on its own account pair;
 * 2. batched transfers: 8 concurrent clients, each call 200 entries in one transaction;
 * 3. the limit: a minimal one-row-update transaction (BEGIN; UPDATE one row; COMMIT), 32 clients on
 *    their own rows, on the same database and pool size: what Postgres commits per second here;
 *    measured before and after 1 and 2 (the mean is the figure), since the machine may be shared.
 * The write path runs in this process, without gRPC in between, so the figures are the books' cost.
 */
import { randomBytes } from 'node:crypto';
import { Pool } from 'pg';
import { migrateAll } from '@custody/local-cluster';
import { uniqueTestDatabase } from '@custody/testing';
import { BooksRepository } from '../apps/ledger/src/books/books.repository';
import { BooksService } from '../apps/ledger/src/books/books.service';
import { IdempotentWriter } from '../apps/ledger/src/books/idempotent-writer';
import { TransferCombiner } from '../apps/ledger/src/books/transfer-combiner';
import { parseLedgerConfig } from '../apps/ledger/src/config';
import { DepositsService } from '../apps/ledger/src/deposits/deposits.service';

const SECONDS = Number(process.env.BENCH_SECONDS ?? '8');
const CLIENTS = 32;
const BATCH_CLIENTS = 8;
const BATCH = 200;
const CHAIN = 'bench-1';
const CODE = 'USD';

async function runFor(clients: number, seconds: number, one: (client: number, i: number) => Promise<number>): Promise<{ perSecond: number; total: number }> {
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
  return { perSecond: total / elapsed, total };
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
    const measureLimit = (): Promise<{ perSecond: number; total: number }> =>
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
    // The limit is measured before and after the ledger figures: the machine is shared, and the two
    // readings show how much the load moved while the ledger ran.
    const limitBefore = await measureLimit();

    const single = await runFor(CLIENTS, SECONDS, async (c, i) => {
      await books.transfer({ idempotencyKey: `s-${run}-${c}-${i}`, debitAccount: account(wallets[2 * c]!), creditAccount: account(wallets[2 * c + 1]!), amount: '0.01' });
      return 1;
    });

    const batched = await runFor(BATCH_CLIENTS, SECONDS, async (c, i) => {
      const transfers = Array.from({ length: BATCH }, (_, k) => {
        const a = (c * 4 + (k % 4)) % CLIENTS;
        return { debitAccount: account(wallets[2 * a]!), creditAccount: account(wallets[2 * a + 1]!), amount: '0.01' };
      });
      await books.transferBatch({ idempotencyKey: `b-${run}-${c}-${i}`, transfers });
      return BATCH;
    });

    const limitAfter = await measureLimit();
    const limit = { perSecond: (limitBefore.perSecond + limitAfter.perSecond) / 2 };
    const settings = await pool.query<{ name: string; setting: string }>("SELECT name, setting FROM pg_settings WHERE name IN ('fsync', 'synchronous_commit', 'max_connections')");
    const fmt = (x: number): string => Math.round(x).toLocaleString('en-US');
    process.stdout.write(`ledger bench (${SECONDS} s per figure; Postgres ${settings.rows.map((r) => `${r.name}=${r.setting}`).join(' ')})\n`);
    process.stdout.write(`  single transfers, ${CLIENTS} clients:          ${fmt(single.perSecond)} entries/s (${single.total} entries)\n`);
    process.stdout.write(`  batched transfers, ${BATCH_CLIENTS} x ${BATCH}/transaction: ${fmt(batched.perSecond)} entries/s (${batched.total} entries)\n`);
    process.stdout.write(`  one-row-update limit, ${CLIENTS} clients:      ${fmt(limit.perSecond)} transactions/s (before ${fmt(limitBefore.perSecond)}, after ${fmt(limitAfter.perSecond)})\n`);
    process.stdout.write(`  single / limit: ${((100 * single.perSecond) / limit.perSecond).toFixed(0)}%\n`);
  } finally {
    await pool.end();
    await database.drop();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`ledger bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exitCode = 1;
});
