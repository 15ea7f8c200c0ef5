import { InvalidInputError, type PartyId } from '../../errors';
import { modq } from '../curve';
import { deliver, forEachParty, presignOutputWithBlame, step, type SimulationOptions } from '../simulation';
import { testOnlyDeterministicRng } from '../testing/deterministic-rng';
import { sessionId, testOnlyCommittedKeyShares } from '../testing/fixtures';
import { presignBlameRound } from './blame';
import { PRESIGN_ROUND_1, presignRound1 } from './round-1';
import { PRESIGN_ROUND_2, presignRound2 } from './round-2';
import { PRESIGN_ROUND_3, presignRound3 } from './round-3';
import type { PresignRound3State } from './state';
import { abortOf } from '../testing/abort-of';

const shares = testOnlyCommittedKeyShares('3-of-5');
const signers = [1, 3, 4];

/** Runs presigning to the end of round 3; `cheat` may alter a party's round-3 state and the messages in transit. */
function toRound3(seed: string, tamper?: SimulationOptions['tamper'], cheat?: (id: PartyId, s: PresignRound3State) => PresignRound3State) {
  const opts: SimulationOptions = { rng: testOnlyDeterministicRng(seed), tamper };
  const r1 = forEachParty(signers, PRESIGN_ROUND_1, opts, (self) => presignRound1({ sessionId: sessionId(seed), keyShare: shares.get(self)!, signers }, opts.rng));
  const s1 = new Map([...r1].map(([id, r]) => [id, r.state]));
  const r2 = step(PRESIGN_ROUND_2, s1, deliver(PRESIGN_ROUND_1, r1, opts), presignRound2, opts);
  const r3 = step(PRESIGN_ROUND_3, r2.states, r2.inboxes, presignRound3, opts);
  const states = new Map([...r3.states].map(([id, s]) => [id, cheat ? cheat(id, s) : s]));
  return { states, inboxes: r3.inboxes, opts };
}

describe('presign blame: identifying a wrong δ_i by opening the δ side', () => {
  it('a signer that computes and sends a wrong δ_i is named (delta-share) by every honest signer', () => {
    const tamper: SimulationOptions['tamper'] = (r, from, _to, m) => (r === PRESIGN_ROUND_3 && from === 3 ? { ...(m as object), delta: modq((m as { delta: bigint }).delta + 1n) } : m);
    const { states, inboxes, opts } = toRound3('blame-delta', tamper, (id, s) => (id === 3 ? { ...s, delta: modq(s.delta + 1n) } : s));
    const e = abortOf(() => presignOutputWithBlame(signers, states, inboxes, opts));
    expect(e.round).toBe('ecdsa-presign/blame-output');
    expect(e.check).toBe('delta-share');
    expect(e.culprits).toEqual([3]);
  });

  it('a signer whose opening does not match its ciphertexts is named (blame-reveal)', () => {
    const tamper: SimulationOptions['tamper'] = (r, from, _to, m) => {
      if (r === PRESIGN_ROUND_3 && from === 4) return { ...(m as object), delta: 7n };
      if (r === 'ecdsa-presign/blame' && from === 4) return { ...(m as object), gamma: 5n };
      return m;
    };
    const { states, inboxes, opts } = toRound3('blame-reveal', tamper, (id, s) => (id === 4 ? { ...s, delta: 7n } : s));
    const e = abortOf(() => presignOutputWithBlame(signers, states, inboxes, opts));
    expect(e.check).toBe('blame-reveal');
    expect(e.culprits).toEqual([4]);
  });

  it('refuses to open the δ side of a presignature whose δ checks', () => {
    const { states, inboxes } = toRound3('blame-refuse');
    expect(() => presignBlameRound(states.get(1)!, inboxes.get(1)!)).toThrow(InvalidInputError);
  });
});
