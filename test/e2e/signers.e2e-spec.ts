import * as crypto from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { SignerCallError, type KeyInfo } from '@custody/signer-client';
import { approverKeysEnv, makeTestGrant, startSignerCluster, testApprovers, type SignerCluster, type TestGrantOptions } from '@custody/testing';

function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]), format: 'der', type: 'spki' });
  return crypto.verify(null, message, key, signature);
}

/** Three real signer processes on loopback: key generation, refresh and granted signing over gRPC. */
describe('signer network, Ed25519 (e2e)', () => {
  const approvers = testApprovers(2);
  let signers: SignerCluster;
  let key: KeyInfo;
  const grant = (o: Partial<TestGrantOptions> & { message: Uint8Array }) =>
    makeTestGrant({ engineSeedFile: signers.secrets.policyEngine.seedFile, approvers, keyId: key.keyId, scheme: 'eddsa', ...o });

  beforeAll(async () => {
    signers = await startSignerCluster(3, { APPROVER_KEYS: approverKeysEnv(approvers), SIGNER_MIN_APPROVALS: '2', SIGNER_NONCE_POOL_SIZE: '4' });
    key = await signers.client(1).createKey('eddsa', 2, [1, 2, 3]);
  }, 120_000);

  afterAll(async () => {
    await signers?.destroy();
  }, 60_000);

  it('gives every signer the same public key, and a refresh keeps it', async () => {
    expect(key.publicKey).toHaveLength(32);
    expect(key.participants).toEqual([1, 2, 3]);
    for (const id of [2, 3]) expect(Buffer.from((await signers.client(id).getKey(key.keyId)).publicKey)).toEqual(Buffer.from(key.publicKey));
    const refreshed = await signers.client(2).refreshKey(key.keyId);
    expect(refreshed.generation).toBe(1);
    expect(Buffer.from(refreshed.publicKey)).toEqual(Buffer.from(key.publicKey));
  }, 60_000);

  it.each([
    [1, 2],
    [1, 3],
    [2, 3],
    [3, 1],
  ])('signs with signers %i and %i; node:crypto verifies', async (a, b) => {
    const message = randomBytes(48);
    const g = grant({ message });
    const result = await signers.client(a).sign(g.grant, [a, b], g.signingInput);
    expect(Buffer.from(result.publicKey)).toEqual(Buffer.from(key.publicKey));
    expect(ed25519Verify(result.publicKey, message, result.signature)).toBe(true);
  }, 60_000);

  it('counts its sessions and refused peer messages in /metrics', async () => {
    const text = await (await fetch(`http://127.0.0.1:${signers.specs[0]!.metricsPort}/metrics`)).text();
    expect(text).toMatch(/custody_signer_sessions_total\{[^}]*protocol="eddsa-sign"[^}]*role="coordinator"[^}]*outcome="completed"[^}]*\} [1-9]/);
    expect(text).toContain('custody_signer_session_seconds_bucket');
  });

  describe('refuses, at every signer and before any round', () => {
    const refused = async (call: Promise<unknown>, reason: RegExp): Promise<void> => {
      const error: unknown = await call.then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(SignerCallError);
      expect((error as SignerCallError).details).toMatch(reason);
    };
    const refusedEverywhere = async (make: () => { grant: Uint8Array; signingInput: Uint8Array }, reason: RegExp) => {
      for (const [a, b] of [[1, 2], [2, 3], [3, 1]] as const) {
        const g = make();
        await refused(signers.client(a).sign(g.grant, [a, b], g.signingInput), reason);
      }
    };

    it('an expired grant', () =>
      refusedEverywhere(() => grant({ message: randomBytes(8), issuedAt: Date.now() - 120_000, lifetimeMs: 60_000 }), /grant refused: expired/));

    it('a grant for another message than the one asked for', () =>
      refusedEverywhere(() => ({ ...grant({ message: randomBytes(8) }), signingInput: randomBytes(8) }), /grant refused: digest-mismatch/));

    it('a grant signed by another key than the policy engine', () =>
      refusedEverywhere(() => grant({ message: randomBytes(8), engineSeed: randomBytes(32) }), /grant refused: bad-engine-signature/));

    it('a grant short of approvals', () =>
      refusedEverywhere(() => makeTestGrant({ engineSeedFile: signers.secrets.policyEngine.seedFile, approvers: approvers.slice(0, 1), keyId: key.keyId, scheme: 'eddsa', message: randomBytes(8) }), /grant refused: insufficient-approvals/));

    it('a replayed request', async () => {
      const g = grant({ message: randomBytes(8) });
      await signers.client(1).sign(g.grant, [1, 2], g.signingInput);
      await refused(signers.client(1).sign(g.grant, [1, 2], g.signingInput), /was signed here before/);
      // Signer 3 never signed it: asked as coordinator with signer 1, signer 1 refuses.
      await refused(signers.client(3).sign(g.grant, [1, 3], g.signingInput), /signer 1: .*signed here before/);
      // Signer 2 took part, so it refuses too, even with another quorum and another coordinator.
      await refused(signers.client(2).sign(g.grant, [2, 3], g.signingInput), /was signed here before/);
    });
  });
});
