import { Transcript } from './transcript';

const ctx = { sessionId: new Uint8Array(32).fill(7), partyIds: [1, 2, 3], prover: 2 };

describe('Transcript', () => {
  it('is deterministic', () => {
    const a = new Transcript('test').appendContext(ctx).appendBigInt('x', 5n);
    const b = new Transcript('test').appendContext(ctx).appendBigInt('x', 5n);
    expect(a.challengeBelow('e', 1n << 256n)).toBe(b.challengeBelow('e', 1n << 256n));
  });

  it('separates domains, sessions, provers and ambiguous concatenations', () => {
    const base = () => new Transcript('test').appendContext(ctx);
    const e = (t: Transcript) => t.challengeBytes('e', 32).join(',');
    const reference = e(base().appendBytes('a', new Uint8Array([1, 2])).appendBytes('b', new Uint8Array([3])));
    expect(e(base().appendBytes('a', new Uint8Array([1])).appendBytes('b', new Uint8Array([2, 3])))).not.toBe(reference);
    expect(e(new Transcript('other').appendContext(ctx).appendBytes('a', new Uint8Array([1, 2])).appendBytes('b', new Uint8Array([3])))).not.toBe(reference);
    expect(e(new Transcript('test').appendContext({ ...ctx, prover: 3 }).appendBytes('a', new Uint8Array([1, 2])).appendBytes('b', new Uint8Array([3])))).not.toBe(reference);
    expect(e(new Transcript('test').appendContext({ ...ctx, sessionId: new Uint8Array(32) }).appendBytes('a', new Uint8Array([1, 2])).appendBytes('b', new Uint8Array([3])))).not.toBe(reference);
    expect(new Transcript('t').appendContext(ctx).appendBigInt('x', 5n).challengeBytes('e', 32)).not.toEqual(
      new Transcript('t').appendContext(ctx).appendBigInt('x', -5n).challengeBytes('e', 32),
    );
  });

  it('samples challenges in range', () => {
    const t = new Transcript('test').appendContext(ctx);
    for (const bound of [1n, 2n, 3n, 255n, 256n, (1n << 255n) + 19n]) {
      const c = t.challengeBelow(`c${bound}`, bound);
      expect(c >= 0n && c < bound).toBe(true);
      const s = t.challengeSymmetric(`s${bound}`, bound);
      expect(s >= -bound && s <= bound).toBe(true);
    }
    expect(t.challengeBits('bits', 128)).toHaveLength(128);
  });

  it('refuses a short session id', () => {
    expect(() => new Transcript('t').appendContext({ ...ctx, sessionId: new Uint8Array(8) })).toThrow('ctx.sessionId');
  });
});
