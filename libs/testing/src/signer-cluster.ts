import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { freePorts, loadOrCreateLocalSecrets, LocalCluster, migrateAll, planCluster, portsFromList, PORTS_PER_PROCESS, type LocalSecrets, type ServiceProcessSpec } from '@custody/local-cluster';
import { SignerClient } from '@custody/signer-client';
import { runNodeToExit, type ProcessResult } from './run-to-exit';
import { testServerUrls, uniqueTestDatabase } from './test-database';
import { testOnlyPrimeEnv } from './test-only-primes';

export interface SignerCluster {
  readonly specs: readonly ServiceProcessSpec[];
  readonly secrets: LocalSecrets;
  /** The main database URL the signers' own databases derive from (`<main>_signer_<id>`). */
  readonly databaseUrl: URL;
  /** The running processes, one supervisor per signer (for their captured output). */
  readonly cluster: { output(name: string): readonly string[] };
  /** A client of signer `id`'s API. */
  client(id: number): SignerClient;
  /** Stops signer `id` gracefully (SIGTERM). */
  stop(id: number): Promise<void>;
  /** Kills signer `id` at once (SIGKILL), as a crash would. */
  kill(id: number): void;
  /** Starts signer `id` again with the same configuration and waits until it is ready. */
  restart(id: number): Promise<void>;
  /** Runs signer `id` with extra environment until it exits (start-up failures). */
  startWithEnv(id: number, env: Record<string, string>): Promise<ProcessResult>;
  /** Stops every signer and removes the databases and keys. */
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
  const ports = await freePorts(PORTS_PER_PROCESS * count);
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
    portsFromList(ports),
  );
  const baseEnv = { PATH: process.env.PATH };
  // CUSTODY_TEST_LOGS=1 shows the signers' own logs while debugging a test.
  const output = process.env.CUSTODY_TEST_LOGS === '1' ? 'inherit' : 'capture';
  const running = new Map<number, LocalCluster>();
  const start = (id: number): LocalCluster => {
    const one = LocalCluster.start([specs[id - 1]!], { baseEnv, output });
    running.set(id, one);
    return one;
  };
  for (let id = 1; id <= count; id++) start(id);
  await Promise.all([...running.values()].map((c) => c.waitUntilReady(60_000)));
  const clients = new Map<number, SignerClient>();
  return {
    specs,
    secrets,
    databaseUrl: database.url,
    cluster: { output: (name: string) => running.get(Number(name.replace('signer-', '')))?.output(name) ?? [] },
    client(id: number): SignerClient {
      let c = clients.get(id);
      if (!c) clients.set(id, (c = new SignerClient(`127.0.0.1:${specs[id - 1]!.grpcPort}`)));
      return c;
    },
    async stop(id: number): Promise<void> {
      await running.get(id)?.stop('SIGTERM');
    },
    kill(id: number): void {
      const pid = running.get(id)?.pid(`signer-${id}`);
      if (pid) process.kill(pid, 'SIGKILL');
    },
    async restart(id: number): Promise<void> {
      await running.get(id)?.stop('SIGTERM');
      await start(id).waitUntilReady(60_000);
    },
    startWithEnv(id: number, env: Record<string, string>): Promise<ProcessResult> {
      const spec = specs[id - 1]!;
      return runNodeToExit(spec.entry, [], { ...baseEnv, ...spec.env, ...env }, 30_000);
    },
    async destroy(): Promise<void> {
      for (const c of clients.values()) c.close();
      await Promise.all([...running.values()].map((c) => c.stop('SIGTERM')));
      await database.drop();
      fs.rmSync(secretsDir, { recursive: true, force: true });
    },
  };
}
