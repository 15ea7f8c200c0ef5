import { InvalidInputError } from '../../errors';
import { CURVE_ORDER } from '../curve';
import { decodeWire, encodeWire } from '../protocol';
import { signRound1 } from '../sign/round-1';
import { simulatePresign } from '../simulation';
import { testOnlyDeterministicRng } from '../testing/deterministic-rng';
import { sessionId, testOnlyCommittedKeyShares } from '../testing/fixtures';
import { presignRound1 } from './round-1';
import type { Presignature } from './state';

describe('presign and sign: inputs are validated, naming the argument', () => {
  const shares = testOnlyCommittedKeyShares('2-of-3');
  const ks = shares.get(1)!;
  const rng = testOnlyDeterministicRng('inputs');
  const sid = sessionId('inputs');

  it.each([
    [[1], /at least 2 signers/],
    [[1, 4], /does not hold a share/],
    [[1, 1], /duplicate/],
    [[2, 3], /self/],
    [[0, 1], /positive/],
  ])('signers %p are refused', (signers, reason) => {
    expect(() => presignRound1({ sessionId: sid, keyShare: ks, signers }, rng)).toThrow(InvalidInputError);
    expect(() => presignRound1({ sessionId: sid, keyShare: ks, signers }, rng)).toThrow(reason);
  });

  it('a short session id and a non-key-share are refused', () => {
    expect(() => presignRound1({ sessionId: new Uint8Array(8), keyShare: ks, signers: [1, 2] }, rng)).toThrow(/sessionId/);
    expect(() => presignRound1({ sessionId: sid, keyShare: {} as never, signers: [1, 2] }, rng)).toThrow(/keyShare/);
  });

  it('the presign round-1 message round-trips through the wire codec', () => {
    const r1 = presignRound1({ sessionId: sid, keyShare: ks, signers: [1, 3] }, rng);
    expect(r1.outgoing.map((o) => o.to)).toEqual([3]);
    expect(decodeWire(encodeWire(r1.outgoing[0]!.message))).toEqual(r1.outgoing[0]!.message);
  });

  it('sign refuses a non-presignature, a digest that is not 32 bytes and a tweak out of range (without consuming the presignature)', () => {
    const fake = { k: 1n, chi: 1n } as unknown as Presignature;
    expect(() => signRound1({ presignature: fake, keyShare: ks, digest: new Uint8Array(32) })).toThrow(/params\.presignature/);
    expect(() => signRound1({ presignature: {} as never, keyShare: ks, digest: new Uint8Array(32) })).toThrow(/presignature/);
    const p = simulatePresign(sessionId('sign-inputs'), shares, [1, 2], { rng: testOnlyDeterministicRng('sign-inputs') }).get(1)!;
    expect(() => signRound1({ presignature: p, keyShare: ks, digest: new Uint8Array(31) })).toThrow(/digest/);
    expect(() => signRound1({ presignature: p, keyShare: ks, digest: new Uint8Array(32), tweak: CURVE_ORDER })).toThrow(/tweak/);
    expect(() => signRound1({ presignature: p, keyShare: shares.get(2)!, digest: new Uint8Array(32) })).toThrow(/params\.keyShare/);
    expect(() => signRound1({ presignature: p, keyShare: {} as never, digest: new Uint8Array(32) })).toThrow(/keyShare/);
    expect(signRound1({ presignature: p, keyShare: ks, digest: new Uint8Array(32) }).outgoing).toHaveLength(1);
  });
});
