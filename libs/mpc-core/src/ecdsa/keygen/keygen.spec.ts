import { InvalidInputError } from '../../errors';
import { lagrangeCoefficient } from '../../math/lagrange';
import { G, modq } from '../curve';
import { simulateKeygenRounds, type SimulationOptions } from '../simulation';
import { testOnlyDeterministicRng } from '../testing/deterministic-rng';
import { keygenRound1 } from './round-1';
import { parseKeygenRound2Message } from './round-3';
import { abortOf } from '../testing/abort-of';

const sid = new Uint8Array(32).fill(7);

function run(n: number, t: number, tamper?: SimulationOptions['tamper']) {
  const partyIds = Array.from({ length: n }, (_, i) => i + 1);
  return simulateKeygenRounds({ sessionId: sid, partyIds, threshold: t, mode: 'keygen' }, { rng: testOnlyDeterministicRng(`kg-${n}-${t}`), tamper });
}

describe('ECDSA key generation (Feldman VSS + Πsch)', () => {
  it('hedged: the same random stream in another session gives another polynomial and Schnorr nonce', () => {
    const params = { self: 1, partyIds: [1, 2, 3], threshold: 2, mode: 'keygen' as const };
    const a = keygenRound1({ ...params, sessionId: sid }, testOnlyDeterministicRng('snapshot')).state;
    const b = keygenRound1({ ...params, sessionId: new Uint8Array(32).fill(8) }, testOnlyDeterministicRng('snapshot')).state;
    expect(b.polynomial.coefficients[0]).not.toBe(a.polynomial.coefficients[0]);
    expect(b.schnorr.alpha).not.toBe(a.schnorr.alpha);
  });

  it.each([
    [3, 2],
    [5, 3],
  ])('%i parties, threshold %i: consistent outputs; every t-subset reconstructs the key', (n, t) => {
    const out = run(n, t);
    const first = out.get(1)!;
    for (const o of out.values()) {
      expect(o.publicKey.equals(first.publicKey)).toBe(true);
      expect(Buffer.from(o.chainCode).equals(Buffer.from(first.chainCode))).toBe(true);
      for (const [j, X] of o.publicShares) expect(X.equals(G.multiply(out.get(j)!.share))).toBe(true);
    }
    const set = [1, n];
    for (let k = 2; set.length < t; k++) set.push(k);
    const x = set.reduce((acc, id) => modq(acc + lagrangeCoefficient(id, set) * out.get(id)!.share), 0n);
    expect(G.multiply(x).equals(first.publicKey)).toBe(true);
  });

  it('names the sender of a wrong VSS share', () => {
    const e = abortOf(() =>
      run(3, 2, (round, from, to, m) => {
        const msg = m as { share: bigint };
        return round === 'ecdsa-keygen/round-2' && from === 2 && to === 3 ? { ...msg, share: modq(msg.share + 1n) } : m;
      }),
    );
    expect(e.culprits).toEqual([2]);
    expect(e.check).toBe('vss-share');
  });

  it('names the sender of a decommitment that does not open its commitment', () => {
    const e = abortOf(() =>
      run(3, 2, (round, from, _to, m) => {
        const msg = m as { decommitment: { rid: string } };
        return round === 'ecdsa-keygen/round-2' && from === 1 ? { ...msg, decommitment: { ...msg.decommitment, rid: 'ab'.repeat(32) } } : m;
      }),
    );
    expect(e.culprits).toEqual([1]);
    expect(e.check).toBe('commitment');
  });

  it('names the sender of a bad Schnorr proof', () => {
    const e = abortOf(() =>
      run(3, 2, (round, from, _to, m) => {
        const msg = m as { proof: { A: string; z: bigint } };
        return round === 'ecdsa-keygen/round-3' && from === 3 ? { ...msg, proof: { ...msg.proof, z: modq(msg.proof.z + 1n) } } : m;
      }),
    );
    expect(e.culprits).toEqual([3]);
    expect(e.check).toBe('pi-sch');
  });

  it('names the sender of a commitment vector of the wrong length', () => {
    const e = abortOf(() =>
      run(3, 2, (round, from, _to, m) => {
        const msg = m as { decommitment: { A: string[] } };
        return round === 'ecdsa-keygen/round-2' && from === 2 ? { ...msg, decommitment: { ...msg.decommitment, A: [...msg.decommitment.A, msg.decommitment.A[0]] } } : m;
      }),
    );
    expect(e.culprits).toEqual([2]);
    expect(e.check).toBe('malformed-message');
  });

  it('rejects bad parameters naming the argument', () => {
    const rng = testOnlyDeterministicRng('p');
    expect(() => keygenRound1({ sessionId: sid, self: 1, partyIds: [1, 2, 2], threshold: 2, mode: 'keygen' }, rng)).toThrow(InvalidInputError);
    expect(() => keygenRound1({ sessionId: sid, self: 1, partyIds: [0, 1, 2], threshold: 2, mode: 'keygen' }, rng)).toThrow(/partyIds/);
    expect(() => keygenRound1({ sessionId: sid, self: 1, partyIds: [1, 2, 3], threshold: 4, mode: 'keygen' }, rng)).toThrow(/threshold/);
    expect(() => keygenRound1({ sessionId: sid, self: 1, partyIds: [1, 2, 3], threshold: 1, mode: 'keygen' }, rng)).toThrow(/threshold/);
    expect(() => keygenRound1({ sessionId: sid, self: 4, partyIds: [1, 2, 3], threshold: 2, mode: 'keygen' }, rng)).toThrow(/self/);
    expect(() => keygenRound1({ sessionId: new Uint8Array(3), self: 1, partyIds: [1, 2, 3], threshold: 2, mode: 'keygen' }, rng)).toThrow(/sessionId/);
  });

  it('rejects a point not on the curve and the identity in a decommitment', () => {
    const good = { kind: 'keygen/2', decommitment: { A: [G.toHex(true), G.toHex(true)], schnorrA: G.toHex(true), rid: '00'.repeat(32), u: '00'.repeat(32) }, share: 1n };
    expect(() => parseKeygenRound2Message(good, 2)).not.toThrow();
    const offCurve = '02' + '00'.repeat(31) + '05';
    expect(() => parseKeygenRound2Message({ ...good, decommitment: { ...good.decommitment, A: [offCurve, G.toHex(true)] } }, 2)).toThrow(InvalidInputError);
    expect(() => parseKeygenRound2Message({ ...good, share: 2n ** 256n }, 2)).toThrow(InvalidInputError);
    expect(() => parseKeygenRound2Message({ ...good, share: -1n }, 2)).toThrow(InvalidInputError);
  });

  it('refresh mode: a sharing of zero (public images sum to the identity at 0), and a cheater is named', () => {
    const partyIds = [1, 2, 3];
    const params = { sessionId: sid, partyIds, threshold: 2, mode: 'refresh' as const };
    const out = simulateKeygenRounds(params, { rng: testOnlyDeterministicRng('refresh') });
    const set = [1, 3];
    const zero = set.reduce((acc, id) => modq(acc + lagrangeCoefficient(id, set) * out.get(id)!.share), 0n);
    expect(zero).toBe(0n);
    expect(out.get(1)!.publicKey.is0()).toBe(true);
    const e = abortOf(() =>
      simulateKeygenRounds(params, {
        rng: testOnlyDeterministicRng('refresh-cheat'),
        tamper: (round, from, to, m) => {
          const msg = m as { share: bigint };
          return round === 'ecdsa-keygen/round-2' && from === 1 && to === 2 ? { ...msg, share: modq(msg.share + 5n) } : m;
        },
      }),
    );
    expect(e.culprits).toEqual([1]);
    expect(e.check).toBe('vss-share');
  });
});
