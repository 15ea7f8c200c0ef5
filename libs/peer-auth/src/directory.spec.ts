import { PeerAuthInputError, PeerDirectory } from './index';
import { testOnlyDirectory, testOnlyPeer } from '../test/test-only-fixtures';

const hexKey = (id: number) => Buffer.from(testOnlyPeer(id).identity.publicKey).toString('hex');
const entry = (id: number, extra: Record<string, unknown> = {}) => ({ id, publicKey: hexKey(id), address: `127.0.0.1:${50060 + id}`, ...extra });

function configError(config: unknown): PeerAuthInputError {
  try {
    PeerDirectory.fromConfig(typeof config === 'string' ? config : JSON.stringify(config));
  } catch (e) {
    if (e instanceof PeerAuthInputError) return e;
    throw e;
  }
  throw new Error('expected a PeerAuthInputError');
}

describe('PeerDirectory', () => {
  it('parses the cluster config and answers lookups', () => {
    const dir = PeerDirectory.fromConfig(
      JSON.stringify([entry(3), entry(1), { ...entry(2), publicKey: Buffer.from(testOnlyPeer(2).identity.publicKey).toString('base64') }]),
    );
    expect(dir.ids()).toEqual([1, 2, 3]);
    expect(dir.size).toBe(3);
    expect(dir.get(2)?.address).toBe('127.0.0.1:50062');
    expect(dir.has(4)).toBe(false);
    expect(dir.get(4)).toBeUndefined();
    expect(() => dir.require(4)).toThrow(/signer 4 is not in the peer directory/);
    expect(dir.idOf(testOnlyPeer(3).identity.publicKey)).toBe(3);
    expect(dir.idOf(testOnlyPeer(9).identity.publicKey)).toBeUndefined();
    expect(Buffer.from(dir.require(1).x25519PublicKey).equals(Buffer.from(testOnlyPeer(1).identity.x25519PublicKey))).toBe(true);
  });

  it('accepts DNS names and bracketed IPv6 addresses', () => {
    const dir = PeerDirectory.fromConfig(JSON.stringify([entry(1, { address: 'signer-1.signers.custody.svc:50061' }), entry(2, { address: '[::1]:50062' })]));
    expect(dir.entries().map((e) => e.address)).toEqual(['signer-1.signers.custody.svc:50061', '[::1]:50062']);
  });

  it.each([
    ['not JSON', '[{', /peers: is not valid JSON/],
    ['not an array', { id: 1 }, /peers: must be a JSON array/],
    ['an empty list', [], /at least one peer/],
    ['a duplicate id', [entry(1), { ...entry(2), id: 1 }], /peers\[1\]\.id: duplicate signer id 1/],
    ['a duplicate key', [entry(1), { ...entry(2), publicKey: hexKey(1) }], /peers\[1\]\.publicKey: same identity key as signer 1/],
    ['a duplicate address', [entry(1), { ...entry(2), address: '127.0.0.1:50061' }], /peers\[1\]\.address: same address as signer 1/],
    ['id 0', [{ ...entry(1), id: 0 }], /peers\[0\]\.id/],
    ['id 256', [{ ...entry(1), id: 256 }], /peers\[0\]\.id/],
    ['a fractional id', [{ ...entry(1), id: 1.5 }], /peers\[0\]\.id/],
    ['a string id', [{ ...entry(1), id: '1' }], /peers\[0\]\.id/],
    ['a short key', [{ ...entry(1), publicKey: hexKey(1).slice(2) }], /peers\[0\]\.publicKey/],
    ['a small-order key', [{ ...entry(1), publicKey: '01' + '00'.repeat(31) }], /peers\[0\]\.publicKey: is a point of small order/],
    ['an unknown field', [entry(1, { pubKey: 'x' })], /peers\[0\]\.pubKey: unknown field/],
    ['no port', [entry(1, { address: '127.0.0.1' })], /peers\[0\]\.address/],
    ['port 0', [entry(1, { address: '127.0.0.1:0' })], /port/],
    ['port 70000', [entry(1, { address: '127.0.0.1:70000' })], /port/],
    ['a host with a space', [entry(1, { address: 'bad host:1' })], /host/],
    ['a missing address', [{ id: 1, publicKey: hexKey(1) }], /peers\[0\]\.address/],
  ])('refuses %s, naming the field', (_name, config, message) => {
    expect(configError(config).message).toMatch(message);
  });

  it('checks that this node is pinned under its own id', () => {
    const dir = testOnlyDirectory(3);
    expect(() => dir.assertSelf(2, testOnlyPeer(2).identity)).not.toThrow();
    expect(() => dir.assertSelf(2, testOnlyPeer(3).identity)).toThrow(/self\.identity/);
    expect(() => dir.assertSelf(4, testOnlyPeer(4).identity)).toThrow(/self\.id/);
  });
});
