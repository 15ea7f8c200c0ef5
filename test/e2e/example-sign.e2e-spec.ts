import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { DEV_APPROVER_IDS, loadDevApprover, portSpan } from '@custody/local-cluster';
import { SignerClient } from '@custody/signer-client';
import { CustodyProcess, freePortRange, processAlive, runNodeToExit, testServerUrls, uniqueTestDatabase, waitUntilGone } from '@custody/testing';

/**
 * The worked example of docs/signer-api.md (examples/sign-example.ts, built into dist/) run as a
 * newcomer runs it: `custody up` in one terminal, then the example with no options. `custody up`
 * makes and pins its development approvers, so the example finds their seeds and its grants carry
 * the approvals the signers demand. It creates an Ed25519 and an ECDSA key, signs under a grant
 * made with the local policy-engine key, and node:crypto verifies both signatures (in the example
 * and again here), so the documentation cannot rot.
 *
 * The two share CUSTODY_BASE_PORT and CUSTODY_SECRETS_DIR (a free port range and a fresh directory
 * instead of the defaults, which a developer's own `custody up` may hold).
 */
const EXAMPLE = path.join(__dirname, '..', '..', 'dist', 'examples', 'sign-example.js');
const SIGNERS = 3;

interface ExampleOutput {
  address: string;
  message: string;
  results: Array<{ scheme: 'eddsa' | 'ecdsa'; keyId?: string; publicKey?: string; signature?: string; verified: boolean; skipped?: string }>;
}

describe('docs: the signer example against custody up (e2e)', () => {
  let custody: CustodyProcess;
  let database: { drop: () => Promise<void> };
  let secretsDir: string;
  let env: Record<string, string | undefined>;
  let signer1: string;
  const run = (args: string[], extraEnv: Record<string, string> = {}) => runNodeToExit(EXAMPLE, args, { ...env, ...extraEnv }, 150_000);

  beforeAll(async () => {
    const db = uniqueTestDatabase('custody_example', SIGNERS);
    database = db;
    secretsDir = fs.mkdtempSync(path.join(os.tmpdir(), 'custody-example-'));
    const base = await freePortRange(portSpan(SIGNERS));
    env = { PATH: process.env.PATH, CUSTODY_BASE_PORT: String(base), CUSTODY_SECRETS_DIR: secretsDir };
    custody = CustodyProcess.start(['up', '--test-only-primes'], {
      ...env,
      DATABASE_URL: db.url.toString(),
      REDIS_URL: testServerUrls().redis.toString(),
      LOG_LEVEL: 'warn',
      SIGNER_NONCE_POOL_SIZE: '2',
      SIGNER_PRESIGN_POOL_SIZE: '0',
    });
    await custody.waitFor(/^custody: press Ctrl-C to stop$/, 120_000);
    signer1 = custody.lines.map((l) => l.match(/^custody: {3}signer-1 .* grpc (\S+)$/)?.[1]).find((a) => a !== undefined)!;
  }, 150_000);

  afterAll(async () => {
    if (custody && processAlive(custody.pid)) {
      process.kill(custody.pid, 'SIGINT');
      await custody.exited;
    }
    if (custody) for (const pid of await waitUntilGone(custody.printedPids(), 5_000)) process.kill(pid, 'SIGKILL');
    await database?.drop();
    if (secretsDir) fs.rmSync(secretsDir, { recursive: true, force: true });
  }, 60_000);

  it('custody up makes two development approvers once (0600 seeds), pins them and prints their public keys, never their seeds', () => {
    const approvers = DEV_APPROVER_IDS.map((id) => loadDevApprover(secretsDir, id));
    expect(approvers.map((a) => a.id)).toEqual(['dev-approver-1', 'dev-approver-2']);
    for (const a of approvers) {
      const file = path.join(secretsDir, `${a.id}.approver-seed`);
      expect(fs.statSync(file).mode & 0o777).toBe(0o600);
      const line = custody.lines.find((l) => l.startsWith(`custody:   ${a.id} `));
      expect(line).toContain(Buffer.from(a.publicKey).toString('hex'));
      expect(custody.lines.join('\n')).not.toContain(Buffer.from(a.seed).toString('hex'));
    }
  });

  it('with no options: creates an Ed25519 and an ECDSA key, signs with the development approvals, and node:crypto verifies both', async () => {
    const result = await run(['--json']);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('2 approval(s)') as unknown });
    const out = JSON.parse(result.stdout) as ExampleOutput;
    expect(out.address).toBe(signer1);
    expect(out.results.map((r) => [r.scheme, r.verified, r.skipped])).toEqual([
      ['eddsa', true, undefined],
      ['ecdsa', true, undefined],
    ]);
    const message = Buffer.from(out.message, 'hex');
    const [eddsa, ecdsa] = out.results;
    const edKey = crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), Buffer.from(eddsa!.publicKey!, 'hex')]), format: 'der', type: 'spki' });
    expect(crypto.verify(null, message, edKey, Buffer.from(eddsa!.signature!, 'hex'))).toBe(true);
    const ecKey = crypto.createPublicKey({ key: Buffer.concat([Buffer.from('3036301006072a8648ce3d020106052b8104000a032200', 'hex'), Buffer.from(ecdsa!.publicKey!, 'hex')]), format: 'der', type: 'spki' });
    // The example checked the DER form; here the r ‖ s form.
    expect(crypto.verify('sha256', message, { key: ecKey, dsaEncoding: 'ieee-p1363' }, Buffer.from(ecdsa!.signature!, 'hex'))).toBe(true);
    // The key exists on signer 2 as well.
    const client = new SignerClient(custody.lines.map((l) => l.match(/^custody: {3}signer-2 .* grpc (\S+)$/)?.[1]).find((a) => a !== undefined)!);
    try {
      expect(Buffer.from((await client.getKey(eddsa!.keyId!)).publicKey).toString('hex')).toBe(eddsa!.publicKey);
    } finally {
      client.close();
    }
  }, 180_000);

  it('without the approvers the signers pin (a secrets directory without their seeds), is refused and says where they are (exit 1)', async () => {
    const bare = fs.mkdtempSync(path.join(os.tmpdir(), 'custody-example-bare-'));
    try {
      fs.copyFileSync(path.join(secretsDir, 'policy-engine.signing-seed'), path.join(bare, 'policy-engine.signing-seed'));
      const result = await run(['--schemes', 'eddsa', '--secrets-dir', bare]);
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('grant refused: insufficient-approvals');
      expect(result.stderr).toContain('`custody up` pins its development approvers');
    } finally {
      fs.rmSync(bare, { recursive: true, force: true });
    }
  }, 60_000);

  it('refuses a bad option, and a malformed CUSTODY_BASE_PORT, with exit 2, naming it', async () => {
    const bad = await run(['--threshold', '1']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--threshold must be an integer from 2');
    const port = await run([], { CUSTODY_BASE_PORT: '80x' });
    expect(port.code).toBe(2);
    expect(port.stderr).toContain('CUSTODY_BASE_PORT must be a port from 1024 to 65535');
    // Set but empty is an error too (as for custody up), never the default.
    const empty = await run([], { CUSTODY_BASE_PORT: '' });
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('CUSTODY_BASE_PORT must be a port from 1024 to 65535, got ""');
  });
});
