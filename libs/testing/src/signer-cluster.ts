import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePort, loadOrCreateLocalSecrets, LocalCluster, migrateAll, planCluster, type LocalSecrets, type ServiceProcessSpec } from '@custody/local-cluster';
import { SignerClient } from '@custody/signer-client';
import { testServerUrls, uniqueTestDatabase } from './test-database';
import { testOnlyPrimeEnv } from './test-only-primes';

export interface SignerCluster {
  readonly cluster: LocalCluster;
  readonly specs: readonly ServiceProcessSpec[];
  readonly secrets: LocalSecrets;
  /** A client of signer `id`'s API. */
  client(id: number): SignerClient;
  /** Restarts signer `id` (after it was stopped or killed) with the same configuration. */
  restart(id: number): Promise<void>;
  /** Stops every signer (SIGTERM) and removes the databases and keys. */
  destroy(): Promise<void>;
}

/**
 * Test support: `count` real signer processes (from dist/) on loopback, each with its own fresh
 * database and keys, using the TEST-ONLY prime fixtures so that keygen does not wait for safe primes.
 */
export async function startSignerCluster(count: number, signerEnv: Record<string, string> = {}): Promise<SignerCluster> {
  const database = uniqueTestDatabase('custody_signers', count);
  await migrateAll({ signerDatabaseUrls: database.signerUrls });
  const secretsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custody-signers-'));
  const secrets = loadOrCreateLocalSecrets(secretsDir, count);
  const ports: number[] = [];
  for (let i = 0; i < 2 * count; i++) ports.push(await freePort());
  const specs = planCluster(
    {
      databaseUrl: database.url,
      redisUrl: testServerUrls().redis,
      signerCount: count,
      signersOnly: true,
      host: '127.0.0.1',
      logLevel: 'warn',
      secrets,
      signerEnv,
      perSignerEnv: testOnlyPrimeEnv(secretsDir, count),
    },
    { http: (_n, i) => ports[2 * i]!, grpc: (_n, i) => ports[2 * i + 1]! },
  );
  const baseEnv = { PATH: process.env.PATH };
  // CUSTODY_TEST_LOGS=1 shows the signers' own logs while debugging a test.
  const output = process.env.CUSTODY_TEST_LOGS === '1' ? 'inherit' : 'capture';
  let cluster = LocalCluster.start(specs, { baseEnv, output });
  const clusters = new Map<number, LocalCluster>(specs.map((_, i) => [i + 1, cluster]));
  await cluster.waitUntilReady(60_000);
  const clients = new Map<number, SignerClient>();
  return {
    cluster,
    specs,
    secrets,
    client(id: number): SignerClient {
      let c = clients.get(id);
      if (!c) clients.set(id, (c = new SignerClient(`127.0.0.1:${specs[id - 1]!.grpcPort}`)));
      return c;
    },
    async restart(id: number): Promise<void> {
      const single = LocalCluster.start([specs[id - 1]!], { baseEnv, output });
      clusters.set(id, single);
      await single.waitUntilReady(60_000);
      cluster = single;
    },
    async destroy(): Promise<void> {
      for (const c of clients.values()) c.close();
      await Promise.all([...new Set(clusters.values())].map((c) => c.stop('SIGTERM')));
      await database.drop();
      fs.rmSync(secretsDir, { recursive: true, force: true });
    },
  };
}
