import { randomBytes } from 'node:crypto';
import { dropDatabase, signerDatabaseUrl } from '@custody/persistence';

/** Where tests find Postgres and Redis: TEST_DATABASE_URL / TEST_REDIS_URL, or the local ones. */
export function testServerUrls(env: NodeJS.ProcessEnv = process.env): { postgres: URL; redis: URL } {
  return {
    postgres: new URL(env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'),
    redis: new URL(env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'),
  };
}

/**
 * A fresh, uniquely named database on the test server (and its signers' databases), so test files
 * running in parallel never share state. `drop()` removes all of them.
 */
export function uniqueTestDatabase(prefix: string, signerCount = 0): { url: URL; signerUrls: URL[]; drop: () => Promise<void> } {
  const url = new URL(testServerUrls().postgres.toString());
  url.pathname = `/${prefix}_${randomBytes(4).toString('hex')}`;
  const signerUrls = Array.from({ length: signerCount }, (_, i) => signerDatabaseUrl(url, i + 1));
  return {
    url,
    signerUrls,
    drop: async () => {
      for (const u of [url, ...signerUrls]) await dropDatabase(u);
    },
  };
}
