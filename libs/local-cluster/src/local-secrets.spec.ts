import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { approveRequest, requestDigest, type SignRequest } from '@custody/sign-grant';
import { ed25519 } from '@noble/curves/ed25519.js';
import { DEV_APPROVER_IDS, loadApproversIn, loadDevApprover, loadOrCreateLocalSecrets } from './local-secrets';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

describe('local secrets: development approvers', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custody-secrets-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('makes dev-approver-1 and dev-approver-2 once, as 0600 <id>.approver-seed files, and keeps them across runs', () => {
    const first = loadOrCreateLocalSecrets(dir, 3);
    expect(first.approvers.map((a) => a.id)).toEqual([...DEV_APPROVER_IDS]);
    for (const a of first.approvers) {
      expect(a.seedFile).toBe(path.join(dir, `${a.id}.approver-seed`));
      expect(fs.statSync(a.seedFile).mode & 0o777).toBe(0o600);
      expect(fs.readFileSync(a.seedFile, 'utf8')).toMatch(/^[0-9a-f]{64}\n$/);
    }
    expect(first.approvers[0]!.publicKey).not.toBe(first.approvers[1]!.publicKey);
    const second = loadOrCreateLocalSecrets(dir, 3);
    expect(second.approvers).toEqual(first.approvers);
  });

  it('loadDevApprover gives the key whose public half the cluster pins, and its approvals verify with node:crypto', () => {
    const secrets = loadOrCreateLocalSecrets(dir, 3);
    const approver = loadDevApprover(dir);
    expect(approver.id).toBe('dev-approver-1');
    expect(hex(approver.publicKey)).toBe(secrets.approvers[0]!.publicKey);
    expect(hex(loadDevApprover(dir, 'dev-approver-2').publicKey)).toBe(secrets.approvers[1]!.publicKey);

    const request: SignRequest = { requestId: 'req-1', keyId: 'key-1', scheme: 'eddsa', derivationPath: [], payload: { kind: 'message', hash: 'none', message: new Uint8Array([1, 2, 3]) } };
    const signature = approveRequest(request, approver.seed);
    const spki = crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), approver.publicKey]), format: 'der', type: 'spki' });
    expect(crypto.verify(null, requestDigest(request), spki, signature)).toBe(true);
    expect(ed25519.verify(signature, requestDigest(request), approver.publicKey)).toBe(true);
  });

  it('loadDevApprover creates nothing: a missing seed says to run custody up; a malformed one and a bad id are refused', () => {
    expect(() => loadDevApprover(dir)).toThrow(/no approver seed .*dev-approver-1\.approver-seed: `custody up` makes dev-approver-1 and dev-approver-2/);
    expect(fs.readdirSync(dir)).toEqual([]);
    fs.writeFileSync(path.join(dir, 'dev-approver-1.approver-seed'), 'not hex\n', { mode: 0o600 });
    expect(() => loadDevApprover(dir)).toThrow(/does not hold 32 bytes of hex/);
    expect(() => loadDevApprover(dir, '../signer-1')).toThrow(/invalid approver id "\.\.\/signer-1"/);
    expect(() => loadDevApprover(dir, 'x'.repeat(200))).toThrow(/\(200 characters\)/);
    expect(() => loadDevApprover(dir, '')).toThrow(/invalid approver id/);
  });

  it('loadApproversIn lists every <id>.approver-seed in a directory, sorted; none for a directory that does not exist', () => {
    expect(loadApproversIn(path.join(dir, 'nowhere'))).toEqual([]);
    loadOrCreateLocalSecrets(dir, 3);
    fs.writeFileSync(path.join(dir, 'auditor.approver-seed'), `${hex(crypto.randomBytes(32))}\n`, { mode: 0o600 });
    expect(loadApproversIn(dir).map((a) => a.id)).toEqual(['auditor', 'dev-approver-1', 'dev-approver-2']);
  });
});
