import * as crypto from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import type { KeyInfo } from '@custody/signer-client';
import { approverKeysEnv, makeTestGrant, startSignerCluster, testApprovers, type SignerCluster } from '@custody/testing';

function verify(key: KeyInfo, message: Uint8Array, result: { signature: Uint8Array; der: Uint8Array; publicKey: Uint8Array }): boolean {
  if (key.scheme === 'eddsa') {
    const spki = crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), result.publicKey]), format: 'der', type: 'spki' });
    return crypto.verify(null, message, spki, result.signature);
  }
  const { x, y } = secp256k1.Point.fromBytes(result.publicKey).toAffine();
  const b64 = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex').toString('base64url');
  const jwk = crypto.createPublicKey({ key: { kty: 'EC', crv: 'secp256k1', x: b64(x), y: b64(y) }, format: 'jwk' });
  return crypto.verify('sha256', message, jwk, result.der);
}

/** Five real signers: 3-of-5 keys of both schemes, signed by several quorums. */
describe('five signers, 3-of-5 (e2e)', () => {
  const approvers = testApprovers(1);
  let signers: SignerCluster;

  beforeAll(async () => {
    signers = await startSignerCluster(5, { APPROVER_KEYS: approverKeysEnv(approvers), SIGNER_PRESIGN_POOL_SIZE: '0', SIGNER_NONCE_POOL_SIZE: '0' });
  }, 120_000);

  afterAll(async () => {
    await signers?.destroy();
  }, 60_000);

  it.each([
    ['eddsa', [[1, 2, 3], [3, 4, 5], [1, 3, 5], [2, 4, 5]]],
    ['ecdsa', [[1, 2, 3], [2, 4, 5]]],
  ] as const)('%s: one key, signatures from quorums %j, each verified by node:crypto', async (scheme, quorums) => {
    const key = await signers.client(1).createKey(scheme, 3, [1, 2, 3, 4, 5], 240_000);
    expect(key.participants).toEqual([1, 2, 3, 4, 5]);
    for (const quorum of quorums) {
      const message = randomBytes(32);
      const g = makeTestGrant({ engineSeedFile: signers.secrets.policyEngine.seedFile, approvers, keyId: key.keyId, scheme, message });
      const result = await signers.client(quorum[0]).sign(g.grant, [...quorum], g.signingInput, 120_000);
      expect(verify(key, message, result)).toBe(true);
    }
  }, 600_000);
});
