import { G, pointFromHex, pointToHex } from '@custody/mpc-core/ecdsa/curve';
import { decodeWire, encodeWire } from '@custody/mpc-core/ecdsa/protocol';
import { testOnlyCommittedKeyShares } from '@custody/mpc-core/ecdsa/testing/fixtures';
import { SessionFailed } from '../sessions/session-errors';
import { runSessions } from '../testing/run-sessions';
import { ecdsaPresignDriver } from './ecdsa.driver';

/** The ECDSA presigning driver over the session engine, with the TEST-ONLY committed key shares. */
describe('ECDSA presigning driver', () => {
  const shares = testOnlyCommittedKeyShares('2-of-3');

  it('gives both signers the same presignature', async () => {
    const out = await runSessions([1, 3], (self, sessionId) => ecdsaPresignDriver({ sessionId, keyShare: shares.get(self)!, signers: [1, 3] }));
    expect(out.get(1)!.id).toBe(out.get(3)!.id);
    expect(out.get(1)!.R.equals(out.get(3)!.R)).toBe(true);
  }, 60_000);

  it('names a signer that broadcasts a wrong δ (the blame round runs)', async () => {
    const tamper = (from: number, _to: number, label: string, payload: Uint8Array): Uint8Array => {
      if (from !== 3 || label !== 'p3') return payload;
      const message = decodeWire(new TextDecoder().decode(payload)) as { delta: bigint };
      return new TextEncoder().encode(encodeWire({ ...message, delta: message.delta + 1n }));
    };
    const failed = runSessions([1, 3], (self, sessionId) => ecdsaPresignDriver({ sessionId, keyShare: shares.get(self)!, signers: [1, 3] }), { tamper, deadlineMs: 8_000 });
    const error: unknown = await failed.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SessionFailed);
    // The cheater's own view checks out, so it never opens its values: the honest signer, having
    // opened its own, names it when the blame round's deadline passes.
    expect((error as SessionFailed).parties).toEqual([3]);
    expect((error as SessionFailed).message).toContain('round 4 of ecdsa-presign');
  }, 60_000);

  it('names a signer that broadcasts a wrong S_j after the χ blame round (round 4), not in the output step', async () => {
    const tamper = (from: number, _to: number, label: string, payload: Uint8Array): Uint8Array => {
      if (from !== 3 || label !== 'p3') return payload;
      const message = decodeWire(new TextDecoder().decode(payload)) as { S: string };
      return new TextEncoder().encode(encodeWire({ ...message, S: pointToHex(pointFromHex(message.S, 'S').add(G)) }));
    };
    const signers = [1, 3];
    const failed = runSessions(signers, (self, sessionId) => ecdsaPresignDriver({ sessionId, keyShare: shares.get(self)!, signers }), { tamper, deadlineMs: 8_000 });
    const error: unknown = await failed.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(SessionFailed);
    expect((error as SessionFailed).parties).toEqual([3]);
    expect((error as SessionFailed).message).toContain('round 4 of ecdsa-presign');
  }, 60_000);
});
