import { simulatePresign, simulateRefresh } from '../simulation';
import { signRound1 } from '../sign/round-1';
import { testOnlyDeterministicRng } from '../testing/deterministic-rng';
import { sessionId, testOnlyCommittedKeyShares } from '../testing/fixtures';
import { keyGenerationFingerprint } from './generation';
import { serializePresignature, takePresignature } from './presignature';

/** Issue 8, finding 4: a presignature is bound to the key generation it was made for. */
describe('presignatures are bound to the key generation', () => {
  const shares = testOnlyCommittedKeyShares('2-of-3');

  it('every holder computes the same fingerprint; a refresh changes it', () => {
    const fingerprints = new Set([...shares.values()].map(keyGenerationFingerprint));
    expect(fingerprints.size).toBe(1);
    const refreshed = simulateRefresh(sessionId('generation fingerprint'), shares, { rng: testOnlyDeterministicRng('generation fingerprint') });
    const after = new Set([...refreshed.values()].map(keyGenerationFingerprint));
    expect(after.size).toBe(1);
    expect([...after][0]).not.toBe([...fingerprints][0]);
    expect(() => keyGenerationFingerprint({} as never)).toThrow(/keyShare/);
  });

  it('a presignature made before a refresh is refused with the refreshed share (in memory and from its record)', async () => {
    const presigs = simulatePresign(sessionId('generation refresh'), shares, [1, 2], { rng: testOnlyDeterministicRng('generation refresh') });
    const refreshed = simulateRefresh(sessionId('generation refresh 2'), shares, { rng: testOnlyDeterministicRng('generation refresh 2') });
    const digest = new Uint8Array(32).fill(7);
    const p1 = presigs.get(1)!;
    expect(p1.keyGeneration).toBe(keyGenerationFingerprint(shares.get(1)!));
    expect(() => signRound1({ presignature: p1, keyShare: refreshed.get(1)!, digest })).toThrow(/another generation of the key/);
    const p2 = await takePresignature({ consume: () => serializePresignature(presigs.get(2)!) }, p1.id);
    expect(() => signRound1({ presignature: p2, keyShare: refreshed.get(2)!, digest })).toThrow(/another generation of the key/);
    // Refused before anything was consumed: with the generation it was made for, it still signs once.
    expect(signRound1({ presignature: p2, keyShare: shares.get(2)!, digest }).outgoing).toHaveLength(1);
  });
});
