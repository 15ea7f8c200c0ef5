import { createPublicKey, randomBytes, verify } from 'node:crypto';
import type { DataSource, EntityManager } from 'typeorm';
import { KeyEncryptionKey } from '@custody/key-vault';
import { systemRng } from '@custody/mpc-core';
import { encodeKeyShare, groupPublicKey, runDkg, runSign, takeNonce, type KeyShare, type TakenNonce } from '@custody/mpc-core/frost';
import { MIGRATION_SETS } from '@custody/migrations';
import { connectPostgres, ensureDatabase, runMigrationSet } from '@custody/persistence';
import { uniqueTestDatabase } from '@custody/testing';
import type { SignerConfig } from '../config';
import { shareRecordId } from '../keys/key-ids';
import { KeyShares } from '../keys/key-shares.service';
import { ShareVault } from '../storage/share-vault.service';
import { SignerRepository } from '../storage/signer.repository';
import { NoncePool, pooledNonceStore, takePooledNonce } from './nonce-pool.service';

/**
 * The signer's FROST nonce pool on a real Postgres: a pooled nonce pair is handed out once, whatever
 * the concurrency, and once its consume has committed it never comes back, not after the connection
 * (the process) is gone, not through a new repository.
 */
describe('FROST nonce pool (Postgres)', () => {
  const db = uniqueTestDatabase('custody_nonce_pool');
  const keyId = 'key-nonce-pool-test';
  const config = { signerId: 1, kek: KeyEncryptionKey.fromBytes(randomBytes(32)), noncePoolSize: 1 } as Partial<SignerConfig> as SignerConfig;
  const sources: DataSource[] = [];
  let shares: KeyShare[];

  async function open(applicationName = 'nonce-pool-int-spec'): Promise<{ ds: DataSource; repository: SignerRepository; vault: ShareVault; pool: NoncePool }> {
    const ds = await connectPostgres(db.url, { applicationName, poolSize: 12 });
    sources.push(ds);
    const repository = new SignerRepository(ds);
    const vault = new ShareVault(config, repository);
    return { ds, repository, vault, pool: new NoncePool(config, repository, vault, new KeyShares(repository, vault, config)) };
  }

  /** The node's sign path: claim-side transaction, pooled nonce consumed in the database, then opened. */
  const take = (repository: SignerRepository, vault: ShareVault, consumedBy: string): Promise<TakenNonce | undefined> =>
    repository.transaction((tx) => takePooledNonce(repository, vault, { keyId, generation: 0, consumedBy, tx }));

  async function rawRow(repository: SignerRepository, consumedBy: string): Promise<{ sealed: unknown; consumed: boolean }[]> {
    return repository.transaction(async (tx) => {
      const rows: Array<{ sealed: unknown; consumed: boolean }> = await tx.query(
        `SELECT sealed, consumed_at IS NOT NULL AS consumed FROM signer.one_time_values WHERE key_id = $1 AND consumed_by = $2`,
        [keyId, consumedBy],
      );
      return rows;
    });
  }

  beforeAll(async () => {
    await ensureDatabase(db.url);
    for (const set of MIGRATION_SETS.filter((s) => s.database === 'signer')) await runMigrationSet(db.url, set);
    shares = runDkg({ suite: 'ed25519', partyIds: [1, 2, 3], threshold: 2, sessionId: randomBytes(32), rng: systemRng });
    const { repository, vault } = await open();
    await repository.insertKey(
      { keyId, scheme: 'eddsa', threshold: 2, participants: [1, 2, 3], publicKey: groupPublicKey(shares[0]!.publicPackage), chainCode: undefined, generation: 0 },
      vault.seal(shareRecordId(keyId, 0), 'eddsa', encodeKeyShare(shares[0]!)),
    );
  }, 60_000);

  afterAll(async () => {
    for (const ds of sources) if (ds.isInitialized) await ds.destroy().catch(() => undefined);
    await db.drop();
  });

  /**
   * Runs `n` transactions that all wait at a barrier (an advisory lock held here) and start their
   * `work` together once every one of them is waiting: the consumes really race in Postgres.
   */
  async function race<T>(ds: DataSource, repository: SignerRepository, n: number, work: (tx: EntityManager, i: number) => Promise<T>): Promise<T[]> {
    const gate = ds.createQueryRunner();
    await gate.connect();
    try {
      await gate.query(`SELECT pg_advisory_lock(4242)`);
      const all = Promise.all(
        Array.from({ length: n }, (_, i) =>
          repository.transaction(async (tx) => {
            await tx.query(`SELECT pg_advisory_xact_lock_shared(4242)`);
            return work(tx, i);
          }),
        ),
      );
      for (;;) {
        const rows = (await gate.query(`SELECT count(*)::int AS waiting FROM pg_locks WHERE locktype = 'advisory' AND objid = 4242 AND NOT granted`)) as Array<{ waiting: number }>;
        if (rows[0]?.waiting === n) break;
        await new Promise((resolve) => setImmediate(resolve));
      }
      await gate.query(`SELECT pg_advisory_unlock(4242)`);
      return await all;
    } finally {
      await gate.release();
    }
  }

  const availableIds = (repository: SignerRepository): Promise<string[]> =>
    repository.transaction(async (tx) => {
      const rows: Array<{ id: string }> = await tx.query(`SELECT id FROM signer.one_time_values WHERE key_id = $1 AND consumed_at IS NULL`, [keyId]);
      return rows.map((r) => r.id);
    });

  it('N concurrent consumes of one pooled nonce record: exactly one gets its secret, and that one signs', async () => {
    const { ds, repository, vault, pool } = await open();
    expect(await pool.refill(keyId)).toBe(1);
    // the node's durable store itself (not the in-process registry of takeNonce): one winner
    const got = await race(ds, repository, 8, (tx, i) => pooledNonceStore(repository, vault, { keyId, generation: 0, consumedBy: `concurrent-${i}`, tx }).consumeEncoded());
    // (counted as booleans: a failure message must not print secret bytes)
    expect(got.filter((b) => b !== undefined).length).toBe(1);
    const winners = got.filter((b): b is Uint8Array => b !== undefined);
    expect(await repository.countOneTime(keyId, 'frost-nonce', 0)).toBe(0);
    // the one winner signs (party 1 with the pooled pair, party 2 with a fresh one)
    const taken = (await takeNonce({ consumeEncoded: () => Promise.resolve(winners[0]) }))!;
    const message = new TextEncoder().encode('TEST-ONLY pooled nonce');
    const r = runSign({
      keyShares: [shares[0]!, shares[1]!],
      message,
      sessionId: randomBytes(32),
      rng: systemRng,
      stores: new Map([[1, taken.store]]),
      commitments: new Map([[1, taken.commitment]]),
    });
    const key = createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(r.publicKey).toString('base64url') }, format: 'jwk' });
    expect(verify(null, message, key, r.signature)).toBe(true);
  }, 60_000);

  it('N concurrent sign-path takes (takePooledNonce) and consumes by id of one record: exactly one succeeds', async () => {
    const { ds, repository, vault, pool } = await open();
    expect(await pool.refill(keyId)).toBe(1);
    const taken = await race(ds, repository, 8, (tx, i) => takePooledNonce(repository, vault, { keyId, generation: 0, consumedBy: `take-${i}`, tx }));
    expect(taken.filter((t) => t !== undefined).length).toBe(1);
    expect(await pool.refill(keyId)).toBe(1);
    const [id] = await availableIds(repository);
    const byId = await race(ds, repository, 8, (tx, i) => repository.consumeOneTime(id!, keyId, null, `by-id-${i}`, tx));
    expect(byId.filter((r) => r !== undefined).length).toBe(1);
    expect(await repository.countOneTime(keyId, 'frost-nonce', 0)).toBe(0);
  }, 60_000);

  it('after a crash (consume committed, connection killed before use), a new connection never gets the nonce, and its secret is erased', async () => {
    const crashing = await open('nonce-pool-crashing-node');
    expect(await crashing.pool.refill(keyId)).toBe(1);
    const taken = await take(crashing.repository, crashing.vault, 'crashed-session');
    expect(taken).toBeDefined();
    // the node dies before the session runs: its connections are terminated from outside
    const survivor = await open('nonce-pool-survivor');
    await survivor.repository.transaction((tx) =>
      tx.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'nonce-pool-crashing-node' AND pid <> pg_backend_pid()`),
    );
    await crashing.ds.destroy().catch(() => undefined);
    // a restarted node: new data source, new repository
    const restarted = await open('nonce-pool-restarted');
    expect(await restarted.repository.countOneTime(keyId, 'frost-nonce', 0)).toBe(0);
    expect(await take(restarted.repository, restarted.vault, 'after-restart')).toBeUndefined();
    expect(await restarted.repository.takeOneTime(keyId, 'frost-nonce', 0, 'after-restart-2')).toBeUndefined();
    const rows = await rawRow(restarted.repository, 'crashed-session');
    expect(rows).toHaveLength(1);
    expect(rows[0]!.consumed).toBe(true);
    expect(rows[0]!.sealed).toEqual({}); // the sealed nonce pair is gone from the database
  }, 60_000);

  it('a consume whose transaction never committed (connection lost first) leaves the nonce unused and intact for the next session', async () => {
    const node = await open('nonce-pool-uncommitted');
    expect(await node.pool.refill(keyId)).toBe(1);
    const killer = await open('nonce-pool-killer');
    const attempt = node.repository.transaction(async (tx) => {
      const t = await takePooledNonce(node.repository, node.vault, { keyId, generation: 0, consumedBy: 'uncommitted', tx });
      expect(t).toBeDefined();
      await killer.repository.transaction((k) =>
        k.query(`SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'nonce-pool-uncommitted' AND pid <> pg_backend_pid()`),
      );
      return t;
    });
    await expect(attempt).rejects.toThrow();
    await node.ds.destroy().catch(() => undefined);
    // nothing left the node (the session starts only after the commit): the pair is still available once
    const next = await open('nonce-pool-next');
    expect(await next.repository.countOneTime(keyId, 'frost-nonce', 0)).toBe(1);
    const results = await Promise.all([take(next.repository, next.vault, 'next-a'), take(next.repository, next.vault, 'next-b')]);
    // this process already imported that pair once (in the lost transaction): takeNonce refuses it
    // again, so it is burned for good (committed) instead of blocking the head of the pool
    expect(results.filter((r) => r !== undefined)).toHaveLength(0);
    expect(await next.repository.countOneTime(keyId, 'frost-nonce', 0)).toBe(0);
    expect((await rawRow(next.repository, 'next-a')).concat(await rawRow(next.repository, 'next-b'))).toEqual([{ sealed: {}, consumed: true }]);
  }, 60_000);
});
