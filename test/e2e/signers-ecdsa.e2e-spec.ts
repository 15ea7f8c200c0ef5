import * as crypto from 'node:crypto';
import { randomBytes } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { Client } from 'pg';
import { derivePublicPath } from '@custody/mpc-core/derive/bip32';
import { signerDatabaseUrl } from '@custody/persistence';
import type { KeyInfo } from '@custody/signer-client';
import { approverKeysEnv, makeTestGrant, startSignerCluster, testApprovers, type SignerCluster } from '@custody/testing';

/** node:crypto's verdict on a DER signature of sha256(message) under a compressed secp256k1 key. */
function nodeVerify(publicKey: Uint8Array, message: Uint8Array, der: Uint8Array): boolean {
  const point = secp256k1.Point.fromBytes(publicKey);
  const { x, y } = point.toAffine();
  const b64 = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex').toString('base64url');
  const key = crypto.createPublicKey({ key: { kty: 'EC', crv: 'secp256k1', x: b64(x), y: b64(y) }, format: 'jwk' });
  return crypto.verify('sha256', message, key, der);
}

/** Three real signer processes: threshold ECDSA keygen, presigning and granted signing over gRPC. */
describe('signer network, ECDSA (e2e)', () => {
  const approvers = testApprovers(1);
  let signers: SignerCluster;
  let key: KeyInfo;

  beforeAll(async () => {
    signers = await startSignerCluster(3, { APPROVER_KEYS: approverKeysEnv(approvers), SIGNER_PRESIGN_POOL_SIZE: '0' });
    key = await signers.client(1).createKey('ecdsa', 2, [1, 2, 3], 120_000);
  }, 240_000);

  afterAll(async () => {
    await signers?.destroy();
  }, 60_000);

  const grant = (message: Uint8Array, derivationPath: number[] = []) =>
    makeTestGrant({ engineSeedFile: signers.secrets.policyEngine.seedFile, approvers, keyId: key.keyId, scheme: 'ecdsa', message, derivationPath });

  it('gives every signer the same public key and chain code', async () => {
    expect(key.publicKey).toHaveLength(33);
    expect(key.chainCode).toHaveLength(32);
    for (const id of [2, 3]) {
      const other = await signers.client(id).getKey(key.keyId);
      expect(Buffer.from(other.publicKey)).toEqual(Buffer.from(key.publicKey));
      expect(Buffer.from(other.chainCode)).toEqual(Buffer.from(key.chainCode));
    }
  });

  it.each([
    [1, 2],
    [2, 3],
    [3, 1],
  ])('signs with signers %i and %i, presigning in the session; node:crypto verifies', async (a, b) => {
    const message = randomBytes(40);
    const g = grant(message);
    const result = await signers.client(a).sign(g.grant, [a, b], g.signingInput, 120_000);
    expect(Buffer.from(result.publicKey)).toEqual(Buffer.from(key.publicKey));
    expect(nodeVerify(result.publicKey, message, result.der)).toBe(true);
    expect(result.signature).toHaveLength(64);
  }, 180_000);

  it('signs with a pooled presignature, once, and for a derived child key', async () => {
    expect(await signers.client(1).presign(key.keyId, [1, 2], 1, 120_000)).toBe(1);
    const message = randomBytes(16);
    const path = [0, 7];
    const g = grant(message, path);
    const result = await signers.client(1).sign(g.grant, [1, 2], g.signingInput, 60_000);
    const child = derivePublicPath({ publicKey: secp256k1.Point.fromBytes(key.publicKey), chainCode: key.chainCode }, path);
    expect(Buffer.from(result.publicKey)).toEqual(Buffer.from(child.publicKey.toBytes(true)));
    expect(nodeVerify(result.publicKey, message, result.der)).toBe(true);
    expect(secp256k1.verify(result.signature, sha256(message), result.publicKey, { prehash: false, lowS: true })).toBe(true);
  }, 180_000);

  it('refreshes the shares (same public key), drops presignatures of the old shares, and signs again', async () => {
    expect(await signers.client(2).presign(key.keyId, [2, 3], 1, 120_000)).toBe(1);
    const refreshed = await signers.client(3).refreshKey(key.keyId, 120_000);
    expect(refreshed.generation).toBe(1);
    expect(Buffer.from(refreshed.publicKey)).toEqual(Buffer.from(key.publicKey));
    expect(Buffer.from(refreshed.chainCode)).toEqual(Buffer.from(key.chainCode));
    for (const id of [2, 3]) {
      const db = new Client({ connectionString: signerDatabaseUrl(signers.databaseUrl, id).toString() });
      await db.connect();
      const rows = await db.query<{ n: string }>(`SELECT count(*) AS n FROM signer.one_time_values WHERE key_id = $1 AND consumed_at IS NULL`, [key.keyId]);
      await db.end();
      expect(Number(rows.rows[0]!.n)).toBe(0);
    }
    const message = randomBytes(20);
    const g = grant(message);
    // The presignature made with the old shares is gone, so this presigns in the session with the new ones.
    const result = await signers.client(2).sign(g.grant, [2, 3], g.signingInput, 120_000);
    expect(nodeVerify(result.publicKey, message, result.der)).toBe(true);
  }, 240_000);
});
