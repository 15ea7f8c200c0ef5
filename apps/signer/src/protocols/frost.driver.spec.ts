import * as crypto from 'node:crypto';
import { systemRng } from '@custody/mpc-core';
import { InMemoryNonceStore, preprocess, type KeyShare } from '@custody/mpc-core/frost';
import { runSessions } from '../testing/run-sessions';
import { SessionFailed } from '../sessions/session-errors';
import { frostKeygenDriver, frostRefreshDriver, frostSignDriver } from './frost.driver';

function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]), format: 'der', type: 'spki' });
  return crypto.verify(null, message, key, signature);
}

async function sign(shares: Map<number, KeyShare>, signers: number[], message: Uint8Array) {
  const sessionNonces = new Map(
    signers.map((p) => {
      const store = new InMemoryNonceStore();
      const [commitment] = preprocess(shares.get(p)!, 1, store, systemRng);
      return [p, { commitment: commitment!, store }];
    }),
  );
  return runSessions(signers, (self, sessionId) => frostSignDriver({ sessionId, self, signers, keyShare: shares.get(self)!, message, nonce: sessionNonces.get(self)! }));
}

describe('FROST drivers over the session engine', () => {
  it('runs Ed25519 DKG, signs with a 2-of-3 quorum, refreshes and signs again', async () => {
    const parties = [1, 2, 3];
    const shares = await runSessions(parties, (self, sessionId) => frostKeygenDriver({ suite: 'ed25519', sessionId, self, participants: parties, threshold: 2 }));
    const message = new TextEncoder().encode('withdraw 1 SOL');
    const signed = await sign(shares, [1, 3], message);
    const { publicKey, signature } = signed.get(1)!;
    expect(ed25519Verify(publicKey, message, signature)).toBe(true);

    const refreshed = await runSessions(parties, (self, sessionId) => frostRefreshDriver({ sessionId, self, keyShare: shares.get(self)! }));
    const again = await sign(refreshed, [2, 3], message);
    expect(again.get(2)!.publicKey).toEqual(publicKey);
    expect(ed25519Verify(publicKey, message, again.get(2)!.signature)).toBe(true);
  });

  it('names the sender of a garbled message', async () => {
    const parties = [1, 2, 3];
    const failed = runSessions(
      parties,
      (self, sessionId) => frostKeygenDriver({ suite: 'ed25519', sessionId, self, participants: parties, threshold: 2 }),
      { tamper: (from, _to, label, payload) => (from === 2 && label === 'p1' ? payload.map((b, i) => (i === 20 ? b ^ 1 : b)) : payload) },
    );
    await expect(failed).rejects.toBeInstanceOf(SessionFailed);
    await expect(failed).rejects.toMatchObject({ parties: [2] });
  });
});
