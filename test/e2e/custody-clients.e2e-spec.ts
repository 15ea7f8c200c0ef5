import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { portSpan } from '@custody/local-cluster';
import { CUSTODY_BIN, CustodyProcess, freePortRange, processAlive, testServerUrls, uniqueTestDatabase } from '@custody/testing';

const SIGNERS = 3;

function cli(args: string[], env: Record<string, string | undefined>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [CUSTODY_BIN, ...args], { env, timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: unknown }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/**
 * `custody up` makes the development API clients (admin as the gateway's bootstrap admin, the
 * others registered through the API), their seeds 0600 under the secrets directory, and
 * `custody client … --as <name>` signs as one of them through libs/client.
 */
describe('custody up: development API clients and `custody client` (e2e)', () => {
  const database = uniqueTestDatabase('custody_clients', SIGNERS);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custody-clients-'));
  let custody: CustodyProcess | undefined;

  afterAll(async () => {
    if (custody) {
      if (processAlive(custody.pid)) process.kill(custody.pid, 'SIGINT');
      await custody.exited;
      for (const pid of custody.printedPids()) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
    }
    await database.drop();
    fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('creates admin, operator, approver-1, approver-2, compliance-admin and auditor; the CLI lists them as admin, an auditor is refused', async () => {
    const base = await freePortRange(portSpan(SIGNERS));
    const env = { PATH: process.env.PATH, DATABASE_URL: database.url.toString(), REDIS_URL: testServerUrls().redis.toString(), LOG_LEVEL: 'warn' };
    custody = CustodyProcess.start(['up', '--base-port', String(base), '--secrets-dir', dir, '--test-only-primes'], env);
    await custody.waitFor(/^custody: press Ctrl-C to stop$/, 120_000);
    expect(custody.lines.some((l) => l.startsWith('custody: development API clients'))).toBe(true);

    for (const name of ['admin', 'operator', 'approver-1', 'approver-2', 'compliance-admin', 'auditor']) {
      expect((fs.statSync(path.join(dir, `${name}.client-seed`)).mode & 0o777).toString(8)).toBe('600');
    }
    const gateway = `http://127.0.0.1:${base}`;
    const listed = await cli(['client', 'list', '--as', 'admin', '--json', '--gateway', gateway, '--secrets-dir', dir], env);
    expect(listed.stderr).toBe('');
    const clients = JSON.parse(listed.stdout) as Array<{ clientId: string; roles: string[] }>;
    expect(clients.map((c) => [c.clientId, c.roles])).toEqual([
      ['dev-admin', ['admin']],
      ['dev-approver-1', ['approver', 'compliance-admin']],
      ['dev-approver-2', ['approver', 'compliance-admin']],
      ['dev-auditor', ['auditor']],
      ['dev-compliance-admin', ['compliance-admin']],
      ['dev-operator', ['operator']],
    ]);
    const table = await cli(['client', 'list', '--as', 'admin', '--gateway', gateway, '--secrets-dir', dir], env);
    expect(table.stdout.split('\n')[0]).toMatch(/^CLIENT +ROLES +STATE +CREATED$/);
    const refused = await cli(['client', 'list', '--as', 'auditor', '--gateway', gateway, '--secrets-dir', dir], env);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('403 permission-denied');
  }, 240_000);
});
