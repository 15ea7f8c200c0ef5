/**
 * The audit log on Postgres, with the sequencer, and three real signers as witnesses.
 *
 *   npm run bench:audit              (builds first; needs Postgres like the tests)
 *   node dist/bench/audit.bench.js [records=1000000] [writers=32] [seconds=10]
 *
 * Prints:
 * 1. appends per second: `writers` concurrent writers, each transaction one action (a row of a bench
 *    table) and its one audit record, committed together, while the sequencer runs on its interval;
 *    then how long the sequencer needs to place what is still pending;
 * 2. the sequencer placing 10^6 records (bulk loaded) and signing;
 * 3. inclusion and consistency proof generation at 10^6 records from the stored nodes (p50, p99, max of
 *    1,000 random indexes after 100 unmeasured ones);
 * 4. the time from an append's commit to a checkpoint that contains it cosigned by 2 of 3 real signer
 *    witnesses, with the checkpointer running every AUDIT_CHECKPOINT_INTERVAL_MS (250, the gateway's default).
 * And /proc/loadavg before and after (the development machine is shared).
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { ed25519 } from '@noble/curves/ed25519.js';
import { Pool, type PoolClient } from 'pg';
import { connectPostgres, ensureDatabase, runMigrationSet } from '@custody/persistence';
import { MIGRATION_SETS } from '@custody/migrations';
import { startSignerCluster, uniqueTestDatabase } from '@custody/testing';
import type { AuditRecord } from '@custody/audit-core';
import { AuditCheckpointer, AuditLogStore, appendAuditRecord, appendAuditRecords, type WitnessEndpoint } from '@custody/audit-log';
import { ed25519NoteSigner, formatVerifierKey, verifierFromKey } from '@custody/transparency-log';

const total = Number(process.argv[2] ?? 1_000_000);
const writers = Number(process.argv[3] ?? 32);
const seconds = Number(process.argv[4] ?? 10);
const intervalMs = 250;
const ORIGIN = 'custody.bench/audit';

const rec = (n: number): AuditRecord => ({
  version: 1,
  type: 'api-request',
  occurredAt: 1_767_225_600_000 + n,
  actor: `client-${n % 17}`,
  requestId: `req-${n}`,
  wallet: null,
  body: { method: 'POST', path: '/v1/withdrawals', contentDigest: `sha-256=:${randomBytes(32).toString('base64')}:`, signature: randomBytes(64).toString('base64') },
});

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}
const fmt = (ms: number[]) => `p50 ${quantile(ms, 0.5).toFixed(2)} ms  p99 ${quantile(ms, 0.99).toFixed(2)} ms  max ${Math.max(...ms).toFixed(2)} ms  (n=${ms.length})`;
const loadavg = () => readFileSync('/proc/loadavg', 'utf8').trim();

async function main(): Promise<void> {
  console.log(`loadavg before: ${loadavg()}  (${writers} writers, ${seconds} s, ${total} records)`);
  const db = uniqueTestDatabase('audit_bench');
  await ensureDatabase(db.url);
  await runMigrationSet(db.url, MIGRATION_SETS.find((s) => s.owner === 'audit')!);
  const ds = await connectPostgres(db.url, { poolSize: writers + 4 });
  await ds.query('CREATE TABLE public.bench_actions (id bigserial PRIMARY KEY, client text NOT NULL, amount numeric(78,0) NOT NULL)');
  const logSeed = randomBytes(32);
  const logKey = formatVerifierKey(ORIGIN, 0x01, ed25519.getPublicKey(logSeed));
  const store = new AuditLogStore(ds, ORIGIN, ed25519NoteSigner(ORIGIN, logSeed), verifierFromKey(logKey));
  try {
    // 1. Appends with their actions, concurrent writers, the sequencer running meanwhile. Three runs:
    //    the action alone (what the database commits on this machine), the action with its record on
    //    pg clients, and the same through TypeORM transactions (as the services write).
    const pool = new Pool({ connectionString: db.url.toString(), max: writers });
    let n0 = 0;
    const ACTION = 'INSERT INTO public.bench_actions (client, amount) VALUES ($1, $2)';
    const action = (n: number): [string, string[]] => [ACTION, [`client-${n % 17}`, String(n)]];
    async function run(label: string, one: (n: number) => Promise<void>, withSequencer: boolean): Promise<number> {
      let stop = false;
      let rounds = 0;
      const sequencer = (async () => {
        while (withSequencer && !stop) {
          await store.integrate();
          rounds++;
          await new Promise((r) => setTimeout(r, intervalMs));
        }
      })();
      let committed = 0;
      const t0 = performance.now();
      const deadline = t0 + seconds * 1000;
      await Promise.all(
        Array.from({ length: writers }, async () => {
          while (performance.now() < deadline) {
            await one(n0++);
            committed++;
          }
        }),
      );
      const s = (performance.now() - t0) / 1000;
      stop = true;
      await sequencer;
      console.log(`${label}: ${(committed / s).toFixed(0)} transactions/s (${committed} in ${s.toFixed(1)} s${withSequencer ? `; sequencer ran ${rounds} rounds meanwhile` : ''})`);
      return committed;
    }
    const onClient = async (work: (c: PoolClient) => Promise<void>) => {
      const c = await pool.connect();
      try {
        await c.query('BEGIN');
        await work(c);
        await c.query('COMMIT');
      } catch (e) {
        await c.query('ROLLBACK').catch(() => undefined);
        throw e;
      } finally {
        c.release();
      }
    };
    await run(`baseline: the action alone, ${writers} writers (pg)`, (n) => onClient(async (c) => void (await c.query(...action(n)))), false);
    await run(`appends with their actions, ${writers} writers, 1 record per transaction (pg)`, (n) => onClient(async (c) => {
      await c.query(...action(n));
      await appendAuditRecord(c, rec(n));
    }), true);
    await run(`appends with their actions, ${writers} writers, 1 record per transaction (TypeORM transactions)`, (n) => ds.transaction(async (tx) => {
      await tx.query(...action(n));
      await appendAuditRecord(tx, rec(n));
    }), true);
    await pool.end();
    const pending = await store.pendingCount();
    let t = performance.now();
    const placed = await store.integrate(1_000_000);
    const drain = performance.now() - t;
    console.log(`  pending when the writers stopped: ${pending}, placed in ${drain.toFixed(0)} ms (tree size ${placed.size})`);

    // 2. Fill to `total` (bulk) and let the sequencer place and sign it.
    t = performance.now();
    let size = placed.size;
    while (size < total) {
      const n = Math.min(10_000, total - size);
      await ds.transaction((tx) => appendAuditRecords(tx, Array.from({ length: n }, (_, k) => rec(size + k))));
      size += n;
    }
    console.log(`bulk load to ${total} records: ${((performance.now() - t) / 1000).toFixed(1)} s`);
    t = performance.now();
    let cp = placed;
    while ((await store.pendingCount()) > 0) cp = await store.integrate(100_000);
    console.log(`sequencer: place ${cp.size - placed.size} records (tree nodes, consistency check, signature): ${((performance.now() - t) / 1000).toFixed(1)} s (${((cp.size - placed.size) / ((performance.now() - t) / 1000)).toFixed(0)} records/s)`);

    // 3. Proof generation at the full size, from the stored nodes: 100 unmeasured proofs first (the
    //    pool's connections and the planner's statistics of the freshly loaded table), then 1,000.
    const incl: number[] = [];
    const cons: number[] = [];
    for (let i = -100; i < 1000; i++) {
      const index = Math.floor((randomBytes(4).readUInt32BE(0) / 2 ** 32) * cp.size);
      let a = performance.now();
      await store.inclusionProof(index, cp.size);
      const inclusion = performance.now() - a;
      a = performance.now();
      await store.consistencyProof(Math.max(1, index), cp.size);
      const consistency = performance.now() - a;
      if (i < 0) continue;
      incl.push(inclusion);
      cons.push(consistency);
    }
    console.log(`inclusion proof at ${cp.size}: ${fmt(incl)}`);
    console.log(`consistency proof to ${cp.size}: ${fmt(cons)}`);

    // 4. Append → checkpoint containing it, cosigned by 2 of 3 real signer witnesses.
    const signers = await startSignerCluster(3, { AUDIT_LOG_KEY: logKey, LOG_LEVEL: 'error' });
    try {
      const endpoints: WitnessEndpoint[] = await Promise.all(
        [1, 2, 3].map(async (id) => ({
          verifier: verifierFromKey((await signers.client(id).getWitness()).verifierKey),
          addCheckpoint: (req: Parameters<WitnessEndpoint['addCheckpoint']>[0]) => signers.client(id).addCheckpoint(req),
          cosignedSize: async () => (await signers.client(id).getWitness()).cosignedSize,
        })),
      );
      const checkpointer = new AuditCheckpointer(store, endpoints, 2);
      // First cosignatures from size 0 (the witnesses' first checkpoint) before measuring.
      await checkpointer.checkpointNow();
      const waiters: { size: number; resolve: () => void }[] = [];
      let running = true;
      const loop = (async () => {
        while (running) {
          const r = await checkpointer.checkpointNow();
          if (r.witnessed) for (const w of waiters.splice(0)) if (w.size <= r.checkpoint.size) w.resolve(); else waiters.push(w);
          await new Promise((res) => setTimeout(res, intervalMs));
        }
      })();
      const lat: number[] = [];
      let logSize = cp.size;
      for (let i = 0; i < 20; i++) {
        await ds.transaction((tx) => appendAuditRecord(tx, rec(total + i)));
        const a = performance.now();
        logSize += 1;
        const target = logSize;
        await new Promise<void>((resolve) => waiters.push({ size: target, resolve }));
        lat.push(performance.now() - a);
        // Spread the appends over the interval.
        await new Promise((res) => setTimeout(res, Math.floor((randomBytes(1)[0]! / 256) * intervalMs)));
      }
      running = false;
      await loop;
      console.log(`append → checkpoint cosigned by 2 of 3 witnesses (checkpointer every ${intervalMs} ms, at ${logSize} records): ${fmt(lat)}`);
    } finally {
      await signers.destroy();
    }
  } finally {
    await ds.destroy();
    await db.drop();
    console.log(`loadavg after: ${loadavg()}`);
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
