import { startSignerCluster, type SignerCluster } from '@custody/testing';

/** Three real signer processes on loopback: distributed key generation and refresh over gRPC. */
describe('signer network (e2e)', () => {
  let signers: SignerCluster;

  beforeAll(async () => {
    signers = await startSignerCluster(3);
  }, 120_000);

  afterAll(async () => {
    await signers?.destroy();
  }, 60_000);

  it('creates an Ed25519 key with three signers; every signer knows the same public key', async () => {
    const key = await signers.client(1).createKey('eddsa', 2, [1, 2, 3]);
    expect(key.publicKey).toHaveLength(32);
    expect(key.participants).toEqual([1, 2, 3]);
    for (const id of [2, 3]) expect(Buffer.from((await signers.client(id).getKey(key.keyId)).publicKey).toString('hex')).toBe(Buffer.from(key.publicKey).toString('hex'));

    const refreshed = await signers.client(2).refreshKey(key.keyId);
    expect(refreshed.generation).toBe(1);
    expect(Buffer.from(refreshed.publicKey)).toEqual(Buffer.from(key.publicKey));
  }, 60_000);
});
