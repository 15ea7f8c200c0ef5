import { InvalidInputError, ProtocolAbortError, type PartyId } from '../errors';
import { lagrangeCoefficient } from '../math/lagrange';
import { assertValidCiphertext } from '../math/paillier';
import { G, modq } from './curve';
import { type KeyShare, deserializeKeyShare, serializeKeyShare } from './key-share';
import { decodeWire, encodeWire } from './protocol';
import { PRESIGN_ROUND_1, presignRound1 } from './presign/round-1';
import { parsePresignRound3Message } from './presign/output';
import { simulatePresign, simulateRefresh, simulateSign } from './simulation';
import { testOnlyDeterministicRng } from './testing/deterministic-rng';
import { sessionId, testOnlyKeyShares, testOnlyPrimes } from './testing/fixtures';

describe('key shares: serialization, validation, refresh', () => {
  let shares: Map<PartyId, KeyShare>;
  beforeAll(() => {
    shares = testOnlyKeyShares(3, 2, 'kg-share');
  });

  it('round-trips through its versioned serialization', () => {
    for (const ks of shares.values()) {
      const text = serializeKeyShare(ks);
      const back = deserializeKeyShare(text);
      expect(serializeKeyShare(back)).toBe(text);
      expect(back.publicKey.equals(ks.publicKey)).toBe(true);
      expect(back.share).toBe(ks.share);
    }
  });

  it('rejects malformed key shares with InvalidInputError naming the field', () => {
    const o = JSON.parse(serializeKeyShare(shares.get(1)!)) as Record<string, unknown> & { parties: Record<string, unknown>[] };
    const bad = (patch: (x: typeof o) => unknown, field: RegExp) => {
      const copy = JSON.parse(JSON.stringify(o)) as typeof o;
      const text = JSON.stringify(patch(copy) ?? copy);
      expect(() => deserializeKeyShare(text)).toThrow(InvalidInputError);
      expect(() => deserializeKeyShare(text)).toThrow(field);
    };
    bad((x) => ({ ...x, version: 2 }), /version/);
    bad((x) => ({ ...x, share: (2n ** 256n - 1n).toString(16) }), /share/);
    bad((x) => ({ ...x, share: 'zz' }), /share/);
    bad((x) => ({ ...x, publicKey: '02' + '00'.repeat(31) + '05' }), /publicKey/);
    bad((x) => { x.parties[1]!.X = '02' + '00'.repeat(31) + '05'; }, /parties\[1\]\.X/);
    bad((x) => { x.parties[1]!.X = G.toHex(true); }, /X|publicKey/);
    bad((x) => { x.parties[2]!.N = (3n * BigInt('0x' + (x.parties[2]!.N as string))).toString(16); }, /N/);
    bad((x) => { x.parties[2]!.N = 'ff'; }, /N/);
    bad((x) => ({ ...x, paillierBits: 1024 }), /paillierBits/);
    bad((x) => ({ ...x, chainCode: 'ab' }), /chainCode/);
    expect(() => deserializeKeyShare('{')).toThrow(InvalidInputError);
  });

  it('refuses a party modulus above the maximum (default: paillierBits) before using it, and accepts it under a larger configured maximum', () => {
    const o = JSON.parse(serializeKeyShare(shares.get(1)!)) as { parties: Record<string, unknown>[] };
    const N2 = BigInt('0x' + (o.parties[1]!.N as string));
    const N3 = BigInt('0x' + (o.parties[2]!.N as string));
    // A 4096-bit odd modulus without small factors; s and t stay valid units for it.
    o.parties[1]!.N = (N2 * N3).toString(16);
    const text = JSON.stringify(o);
    expect(() => deserializeKeyShare(text)).toThrow(/invalid N: modulus has 409\d bits, more than the 2048 accepted/);
    expect(() => deserializeKeyShare(text, 3072)).toThrow('more than the 3072 accepted');
    expect(deserializeKeyShare(text, 4096).parties.get(2)!.paillier.N).toBe(N2 * N3);
    expect(() => deserializeKeyShare(text, 1024)).toThrow('invalid maxPaillierBits');
  });

  it('messages round-trip through the wire codec; a ciphertext not coprime to N is refused', () => {
    const ks = shares.get(1)!;
    const r1 = presignRound1({ sessionId: sessionId('wire'), keyShare: ks, signers: [1, 2] }, testOnlyDeterministicRng('wire'));
    const msg = r1.outgoing[0]!.message;
    expect(decodeWire(encodeWire(msg))).toEqual(msg);
    const N = ks.parties.get(1)!.paillier;
    expect(() => assertValidCiphertext(N, N.N * 5n, 'K')).toThrow(InvalidInputError);
    expect(() => parsePresignRound3Message({ kind: 'presign/3', delta: 2n ** 256n, Delta: G.toHex(true), S: G.toHex(true), psiLog: {} })).toThrow(InvalidInputError);
    expect(() => decodeWire('{"$n":"xyz"}')).toThrow(InvalidInputError);
    expect(PRESIGN_ROUND_1).toBe('ecdsa-presign/round-1');
  });

  it('refresh keeps the public key; refreshed shares sign; old and new shares together do not reconstruct the key', () => {
    const refreshed = simulateRefresh(sessionId('refresh'), shares, { rng: testOnlyDeterministicRng('refresh') }, testOnlyPrimes([1, 2, 3], 5));
    const pk = shares.get(1)!.publicKey;
    for (const [id, ks] of refreshed) {
      expect(ks.publicKey.equals(pk)).toBe(true);
      expect(ks.share).not.toBe(shares.get(id)!.share);
      expect(ks.paillierSecret.publicKey.N).not.toBe(shares.get(id)!.paillierSecret.publicKey.N);
    }
    const rng = testOnlyDeterministicRng('refresh-sign');
    const presigs = simulatePresign(sessionId('refresh-sign'), refreshed, [2, 3], { rng });
    expect(simulateSign(refreshed, presigs, new Uint8Array(32).fill(9), { rng }).r).toBeGreaterThan(0n);
    // Scalars: λ·old_2 + λ·new_3 is not the key.
    const set = [2, 3];
    const mixed = modq(lagrangeCoefficient(2, set) * shares.get(2)!.share + lagrangeCoefficient(3, set) * refreshed.get(3)!.share);
    expect(G.multiply(mixed).equals(pk)).toBe(false);
  });

  it('refresh without new Paillier keys; an old share cannot presign with refreshed ones (named)', () => {
    const refreshed = simulateRefresh(sessionId('refresh-2'), shares, { rng: testOnlyDeterministicRng('refresh-2') });
    const mixed = new Map([
      [1, shares.get(1)!],
      [2, refreshed.get(2)!],
    ]);
    let error: unknown;
    try {
      simulatePresign(sessionId('mixed'), mixed, [1, 2], { rng: testOnlyDeterministicRng('mixed') });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ProtocolAbortError);
  });
});
