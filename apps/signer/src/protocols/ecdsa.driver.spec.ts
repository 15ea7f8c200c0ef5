import { G, pointFromHex, pointToHex } from '@custody/mpc-core/ecdsa/curve';
import { decodeWire, encodeWire } from '@custody/mpc-core/ecdsa/protocol';
import { testOnlyCommittedKeyShares } from '@custody/mpc-core/ecdsa/testing/fixtures';
import { SessionFailed } from '../sessions/session-errors';
import { runSessions } from '../testing/run-sessions';
import { verifySignature } from '@custody/mpc-core/ecdsa/signature';
import { ecdsaPresignAndSignDriver, ecdsaPresignDriver, ecdsaSignDriver } from './ecdsa.driver';

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

  it('signs with a presignature in two online rounds (reveal ρ_i, then σ_i), and the presignature signs once', async () => {
    const presigs = await runSessions([1, 3], (self, sessionId) => ecdsaPresignDriver({ sessionId, keyShare: shares.get(self)!, signers: [1, 3] }));
    const digest = new Uint8Array(32).fill(4);
    const sign = (self: number) => ecdsaSignDriver({ presignature: presigs.get(self)!, keyShare: shares.get(self)!, digest });
    expect(sign(1).rounds).toBe(2);
    const out = await runSessions([1, 3], (self) => (self === 1 ? sign(1) : sign(3)));
    expect(verifySignature(out.get(1)!, digest, shares.get(1)!.publicKey)).toBe(true);
    expect(out.get(1)!.r).toBe(out.get(3)!.r);
    expect(() => sign(1).start(() => new Uint8Array(32))).toThrow(/already used/);
  }, 60_000);

  it('presigns and signs in one session (five rounds)', async () => {
    const digest = new Uint8Array(32).fill(5);
    const out = await runSessions([2, 3], (self, sessionId) => ecdsaPresignAndSignDriver({ sessionId, keyShare: shares.get(self)!, signers: [2, 3], digest }));
    expect(verifySignature(out.get(2)!, digest, shares.get(2)!.publicKey)).toBe(true);
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
