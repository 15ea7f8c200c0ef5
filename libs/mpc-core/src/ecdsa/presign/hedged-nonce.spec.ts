import { simulatePresign } from '../simulation';
import { testOnlyDeterministicRng } from '../testing/deterministic-rng';
import { sessionId, testOnlyCommittedKeyShares } from '../testing/fixtures';
import type { PresignRound1Message } from './messages';
import { presignRound1 } from './round-1';
import { presignRound2 } from './round-2';

/**
 * Finding 3 (issue 8): a signer whose random stream repeats (a VM snapshot restored, a forked
 * process) must not repeat a nonce when a peer replays the session with other inputs.
 */
describe('presign nonces are hedged: a repeating Rng alone does not repeat k_i, R or the MtA masks', () => {
  const shares = testOnlyCommittedKeyShares('2-of-3');
  const signers = [1, 2];
  /** The same byte stream every time it is called: a restored snapshot. */
  const snapshotRng = () => testOnlyDeterministicRng('restored-snapshot');

  it('two sessions with different ids and the same random stream give different k_i and R', () => {
    const a = simulatePresign(sessionId('hedge-a'), shares, signers, { rng: snapshotRng() });
    const b = simulatePresign(sessionId('hedge-b'), shares, signers, { rng: snapshotRng() });
    expect(a.get(1)!.k).not.toBe(b.get(1)!.k);
    expect(a.get(2)!.k).not.toBe(b.get(2)!.k);
    expect(a.get(1)!.R.equals(b.get(1)!.R)).toBe(false);
  });

  it('round 2 replayed on the same round-1 state with another K_j: refused in one process, and its masks are bound to the K_j received', () => {
    const sid = sessionId('hedge-replay');
    const mine = presignRound1({ sessionId: sid, keyShare: shares.get(1)!, signers }, snapshotRng());
    const peerRun = (seed: string) => presignRound1({ sessionId: sid, keyShare: shares.get(2)!, signers }, testOnlyDeterministicRng(seed)).outgoing[0]!.message;
    const reply = (m: PresignRound1Message) => presignRound2(mine.state, new Map([[2, m]]), snapshotRng()).outgoing[0]!.message;
    expect(reply(peerRun('peer-first')).chiMta).toHaveLength(1);
    // In one process the one-time registry refuses the state outright. Across a restored snapshot or a
    // fork (registry gone) the hedge still gives fresh masks: round 2's stream hashes every K_j, G_j
    // received (`inputs`), which hedged-rng.spec.ts shows changes the stream although the rng repeats.
    expect(() => reply(peerRun('peer-second'))).toThrow(/already given/);
  });
});
