import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { approverKeysEnv, runNodeToExit, startSignerCluster, testApprovers, type SignerCluster } from '@custody/testing';

/**
 * The worked example of docs/signer-api.md (examples/sign-example.ts, built into dist/) run as a
 * newcomer runs it, against three real signers: it creates an Ed25519 and an ECDSA key, signs under a
 * grant made with the local policy-engine key, and node:crypto verifies both signatures (in the
 * example and again here), so the documentation cannot rot.
 */
const EXAMPLE = path.join(__dirname, '..', '..', 'dist', 'examples', 'sign-example.js');

interface ExampleOutput {
  address: string;
  message: string;
  results: Array<{ scheme: 'eddsa' | 'ecdsa'; keyId?: string; publicKey?: string; signature?: string; verified: boolean; skipped?: string }>;
}

describe('docs: the signer example (e2e)', () => {
  const approvers = testApprovers(1);
  let signers: SignerCluster;
  let dir: string;
  let approverFile: string;
  const run = (args: string[]) =>
    runNodeToExit(EXAMPLE, ['--signer', `127.0.0.1:${signers.specs[0]!.grpcPort}`, '--secrets-dir', path.dirname(signers.secrets.policyEngine.seedFile), ...args], { PATH: process.env.PATH }, 150_000);

  beforeAll(async () => {
    signers = await startSignerCluster(3, { APPROVER_KEYS: approverKeysEnv(approvers), SIGNER_MIN_APPROVALS: '1', SIGNER_NONCE_POOL_SIZE: '2', SIGNER_PRESIGN_POOL_SIZE: '0' });
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custody-example-'));
    approverFile = path.join(dir, 'approver-1.seed');
    fs.writeFileSync(approverFile, Buffer.from(approvers[0]!.seed).toString('hex') + '\n', { mode: 0o600 });
  }, 120_000);

  afterAll(async () => {
    await signers?.destroy();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('creates an Ed25519 and an ECDSA key, signs a message with each, and node:crypto verifies both', async () => {
    const result = await run(['--approver', `${approvers[0]!.id}=${approverFile}`, '--json', '--ecdsa-wait-seconds', '60']);
    expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('node:crypto verifies it: true') as unknown });
    const out = JSON.parse(result.stdout) as ExampleOutput;
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
    // The keys exist on every signer.
    for (const id of [2, 3]) expect(Buffer.from((await signers.client(id).getKey(eddsa!.keyId!)).publicKey).toString('hex')).toBe(eddsa!.publicKey);
  }, 180_000);

  it('without the approvals the signers demand, says which option is missing (exit 1)', async () => {
    const result = await run(['--schemes', 'eddsa']);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('grant refused: insufficient-approvals');
    expect(result.stderr).toContain('--approver <id>=<seed file>');
  }, 60_000);

  it('picks up <approver-id>.approver-seed files from the secrets directory when no --approver is given', async () => {
    const secretsDir = path.dirname(signers.secrets.policyEngine.seedFile);
    const file = path.join(secretsDir, `${approvers[0]!.id}.approver-seed`);
    fs.writeFileSync(file, Buffer.from(approvers[0]!.seed).toString('hex') + '\n', { mode: 0o600 });
    try {
      const result = await run(['--schemes', 'eddsa', '--json']);
      expect({ code: result.code, stderr: result.stderr }).toEqual({ code: 0, stderr: expect.stringContaining('1 approval(s)') as unknown });
      expect((JSON.parse(result.stdout) as ExampleOutput).results.map((r) => r.verified)).toEqual([true]);
    } finally {
      fs.rmSync(file);
    }
  }, 60_000);

  it('refuses a bad option with exit 2, naming it', async () => {
    const result = await run(['--threshold', '1']);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('--threshold must be an integer from 2');
  });
});
