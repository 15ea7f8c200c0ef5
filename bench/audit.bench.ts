/**
 * The audit log on Postgres (and three real signers as witnesses).
 *
 *   npm run bench:audit              (builds first; needs Postgres like the tests)
 *   node dist/bench/audit.bench.js [records=1000000] [writers=8]
 *
 * Prints: appends per second with concurrent writers (one record per transaction, and 100 per
 * transaction), the time to integrate and sign, inclusion and consistency proof generation at the
 * full size (p50, p99, max), and the time from an append to a checkpoint cosigned by 2 of 3 witnesses.
 */
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { connectPostgres, ensureDatabase, runMigrationSet } from '@custody/persistence';
import { MIGRATION_SETS } from '@custody/migrations';
import { startSignerCluster, uniqueTestDatabase } from '@custody/testing';
import type { AuditRecord } from '@custody/audit-core';
import { AuditLogStore, appendAuditRecord, appendAuditRecords } from '@custody/audit-log';
import { ed25519NoteSigner, formatVerifierKey, verifierFromKey } from '@custody/transparency-log';

const total = Number(process.argv[2] ?? 1_000_000);
const writers = Number(process.argv[3] ?? 8);
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

async function main(): Promise<void> {
  const db = uniqueTestDatabase('audit_bench');
  await ensureDatabase(db.url);
  await runMigrationSet(db.url, MIGRATION_SETS.find((s) => s.owner === 'audit')!);
  const ds = await connectPostgres(db.url, { poolSize: writers + 2 });
  const logSeed = randomBytes(32);
  const logKey = formatVerifierKey(ORIGIN, 0x01, ed25519.getPublicKey(logSeed));
  const store = new AuditLogStore(ds, ORIGIN, ed25519NoteSigner(ORIGIN, logSeed), verifierFromKey(logKey));
  try {
    // 1. Appends per second, concurrent writers, each append its own transaction.
    const perWriter = 500;
    let t = performance.now();
    await Promise.all(Array.from({ length: writers }, async (_, w) => {
      for (let i = 0; i < perWriter; i++) await ds.transaction((tx) => appendAuditRecord(tx, rec(w * perWriter + i)));
    }));
    let s = (performance.now() - t) / 1000;
    console.log(`appends, ${writers} writers, 1 record per transaction: ${((writers * perWriter) / s).toFixed(0)} records/s`);
    t = performance.now();
    await Promise.all(Array.from({ length: writers }, async () => {
      for (let i = 0; i < 20; i++) await ds.transaction((tx) => appendAuditRecords(tx, Array.from({ length: 100 }, (_, k) => rec(i * 100 + k))));
    }));
    s = (performance.now() - t) / 1000;
    console.log(`appends, ${writers} writers, 100 records per transaction: ${((writers * 2000) / s).toFixed(0)} records/s`);

    // 2. Fill to `total`, integrate and sign.
    t = performance.now();
    let size = writers * perWriter + writers * 2000;
    while (size < total) {
      const n = Math.min(10_000, total - size);
      await ds.transaction((tx) => appendAuditRecords(tx, Array.from({ length: n }, (_, k) => rec(size + k))));
      size += n;
    }
    console.log(`bulk load to ${total} records: ${((performance.now() - t) / 1000).toFixed(1)} s`);
    t = performance.now();
    let cp = await store.integrate(total);
    console.log(`integrate ${cp.size} records (tree nodes + consistency check + signature): ${((performance.now() - t) / 1000).toFixed(1)} s`);

    // 3. Proof generation at the full size, from the stored nodes.
    const incl: number[] = [];
    const cons: number[] = [];
    for (let i = 0; i < 200; i++) {
      const index = Math.floor((randomBytes(4).readUInt32BE(0) / 2 ** 32) * cp.size);
      let a = performance.now();
      await store.inclusionProof(index, cp.size);
      incl.push(performance.now() - a);
      a = performance.now();
      await store.consistencyProof(Math.max(1, index), cp.size);
      cons.push(performance.now() - a);
    }
    console.log(`inclusion proof at ${cp.size}: ${fmt(incl)}`);
    console.log(`consistency proof to ${cp.size}: ${fmt(cons)}`);

    // 4. Append → checkpoint cosigned by 2 of 3 real signer witnesses.
    const signers = await startSignerCluster(3, { AUDIT_LOG_KEY: logKey, LOG_LEVEL: 'error' });
    try {
      const witnessed: Record<number, number> = {};
      const verifiers = await Promise.all([1, 2, 3].map(async (id) => verifierFromKey((await signers.client(id).getWitness()).verifierKey)));
      const lat: number[] = [];
      for (let i = 0; i < 20; i++) {
        const a = performance.now();
        await ds.transaction((tx) => appendAuditRecord(tx, rec(total + i)));
        cp = await store.integrate();
        await new Promise<void>((resolve, reject) => {
          let done = 0;
          let failed = 0;
          for (const id of [1, 2, 3]) {
            void store
              .witnessRequest(witnessed[id] ?? 0)
              .then((req) => signers.client(id).addCheckpoint(req))
              .then((line) => store.addCosignature(cp.size, verifiers[id - 1]!, line))
              .then(() => {
                witnessed[id] = cp.size;
                if (++done === 2) resolve();
              })
              .catch((e: unknown) => {
                if (++failed === 2) reject(e instanceof Error ? e : new Error(String(e)));
              });
          }
        });
        lat.push(performance.now() - a);
      }
      console.log(`append → checkpoint cosigned by 2 of 3 witnesses (at ${cp.size} records): ${fmt(lat)}`);
    } finally {
      await signers.destroy();
    }
  } finally {
    await ds.destroy();
    await db.drop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
