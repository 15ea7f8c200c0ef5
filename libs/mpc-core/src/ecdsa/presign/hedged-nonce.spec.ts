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

  it('round 2 replayed with the same session id and random stream but another K_j from the peer uses fresh masks', () => {
    const sid = sessionId('hedge-replay');
    const mine = presignRound1({ sessionId: sid, keyShare: shares.get(1)!, signers }, snapshotRng());
    const peerRun = (seed: string) => presignRound1({ sessionId: sid, keyShare: shares.get(2)!, signers }, testOnlyDeterministicRng(seed)).outgoing[0]!.message;
    const reply = (m: PresignRound1Message) => presignRound2(mine.state, new Map([[2, m]]), snapshotRng()).outgoing[0]!.message;
    const first = reply(peerRun('peer-first'));
    const second = reply(peerRun('peer-second'));
    // F̂ = enc_1(y; r) does not depend on K_2: equal values would mean the same MtA mask y and nonce r
    // (and the same Πaff-g nonces) answered two different challenges.
    expect(second.chiMta[0]!.F).not.toBe(first.chiMta[0]!.F);
    expect(second.deltaMta[0]!.F).not.toBe(first.deltaMta[0]!.F);
  });
});
