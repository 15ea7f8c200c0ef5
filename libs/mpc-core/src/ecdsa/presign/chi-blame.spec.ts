import { InvalidInputError, type PartyId } from '../../errors';
import { G, modq, pointFromHex, pointToHex } from '../curve';
import { deliver, forEachParty, presignOutputWithBlame, step, type SimulationOptions } from '../simulation';
import { testOnlyDeterministicRng } from '../testing/deterministic-rng';
import { sessionId, testOnlyCommittedKeyShares } from '../testing/fixtures';
import { presignChiBlameRound, PRESIGN_CHI_BLAME } from './blame';
import { PRESIGN_ROUND_1, presignRound1 } from './round-1';
import { PRESIGN_ROUND_2, presignRound2 } from './round-2';
import { PRESIGN_ROUND_3, presignRound3 } from './round-3';
import type { PresignRound2State, PresignRound3State } from './state';
import { abortOf } from '../testing/abort-of';

/**
 * Finding 8 (issue 8): when ΣS_j ≠ δ·X although every proof verified, only the signer whose S_j is
 * wrong may be named (before: every other signer, honest ones included).
 */
const shares = testOnlyCommittedKeyShares('3-of-5');
const signers = [1, 3, 4];

/** Presigning to the end, with `tamper` on messages in transit and `cheat` on a round-2 state. */
function presign(
  seed: string,
  tamper?: SimulationOptions['tamper'],
  cheat?: (id: PartyId, s: PresignRound2State) => PresignRound2State,
  cheat3?: (id: PartyId, s: PresignRound3State) => PresignRound3State,
) {
  const opts: SimulationOptions = { rng: testOnlyDeterministicRng(seed), tamper };
  const r1 = forEachParty(signers, PRESIGN_ROUND_1, opts, (self) => presignRound1({ sessionId: sessionId(seed), keyShare: shares.get(self)!, signers }, opts.rng));
  const s1 = new Map([...r1].map(([id, r]) => [id, r.state]));
  const r2 = step(PRESIGN_ROUND_2, s1, deliver(PRESIGN_ROUND_1, r1, opts), presignRound2, opts);
  const s2 = new Map([...r2.states].map(([id, s]) => [id, cheat ? cheat(id, s) : s]));
  const r3 = step(PRESIGN_ROUND_3, s2, r2.inboxes, presignRound3, opts);
  const s3 = new Map([...r3.states].map(([id, s]) => [id, cheat3 ? cheat3(id, s) : s]));
  const run = () => presignOutputWithBlame(signers, s3, r3.inboxes, opts);
  return Object.assign(run, { states: s3, inboxes: r3.inboxes });
}

const shiftS = (from: PartyId): SimulationOptions['tamper'] => (r, f, _to, m) => {
  if (r !== PRESIGN_ROUND_3 || f !== from) return m;
  const msg = m as { S: string };
  return { ...msg, S: pointToHex(pointFromHex(msg.S, 'S').add(G)) };
};

describe('presign χ blame: a wrong S_j names only its sender', () => {
  it('a signer that broadcasts a wrong S_j (every proof valid) and takes part in the blame is the only one named (chi-share)', () => {
    const e = abortOf(presign('chi-blame-s', shiftS(3), undefined, (id, s) => (id === 3 ? { ...s, S_i: s.S_i.add(G) } : s)));
    expect(e.round).toBe('ecdsa-presign/chi-blame-output');
    expect(e.check).toBe('chi-share');
    expect(e.culprits).toEqual([3]);
  });

  it('a signer that broadcasts a wrong S_j and then refuses the blame round is the only one named', () => {
    const e = abortOf(presign('chi-blame-refuse', shiftS(3)));
    expect(e.culprits).toEqual([3]);
    expect(e.check).toBe('missing-message');
  });

  it('a signer that uses a wrong χ-side MtA share (its S_j consistent with its wrong χ_j) is the only one named', () => {
    const cheat = (id: PartyId, s: PresignRound2State): PresignRound2State =>
      id === 4 ? { ...s, betaHat: new Map([...s.betaHat].map(([j, b]) => [j, j === 1 ? modq(b + 5n) : b])) } : s;
    const e = abortOf(presign('chi-blame-mta', undefined, cheat));
    expect(e.check).toBe('chi-share');
    expect(e.culprits).toEqual([4]);
  });

  it('a signer that hides its wrong χ-side share behind a false mask image is named by its Πlog* (pi-log-star)', () => {
    const cheat = (id: PartyId, s: PresignRound2State): PresignRound2State =>
      id === 4
        ? {
            ...s,
            betaHat: new Map([...s.betaHat].map(([j, b]) => [j, j === 1 ? modq(b + 5n) : b])),
            chiMtaSecrets: new Map([...s.chiMtaSecrets].map(([j, v]) => [j, j === 1 ? { ...v, y: v.y - 5n } : v])),
          }
        : s;
    const e = abortOf(presign('chi-blame-hide', undefined, cheat));
    expect(e.check).toBe('pi-log-star');
    expect(e.culprits).toEqual([4]);
  });

  it('a signer whose opening of k_j does not match K_j is named (blame-reveal)', () => {
    const tamper: SimulationOptions['tamper'] = (r, from, to, m) => {
      // (the simulation reports the first honest party's verdict: party 1's)
      if (r === PRESIGN_CHI_BLAME && from === 4) return { ...(m as object), k: 12345n };
      return shiftS(3)!(r, from, to, m);
    };
    const e = abortOf(presign('chi-blame-open', tamper, undefined, (id, s) => (id === 3 ? { ...s, S_i: s.S_i.add(G) } : s)));
    expect([e.round, e.check, e.culprits]).toEqual(['ecdsa-presign/chi-blame-output', 'blame-reveal', [4]]);
  });

  it('refuses to open a presignature whose χ sum checks (InvalidInputError), and the δ case is left to the δ blame', () => {
    const ok = presign('chi-blame-ok');
    expect(() => presignChiBlameRound(ok.states.get(1)!, ok.inboxes.get(1)!, testOnlyDeterministicRng('x'))).toThrow(InvalidInputError);
    expect(() => presignChiBlameRound(ok.states.get(1)!, ok.inboxes.get(1)!, testOnlyDeterministicRng('x'))).toThrow(/usable presignature/);
    const badDelta = presign('chi-blame-delta', (r, from, _to, m) => (r === PRESIGN_ROUND_3 && from === 3 ? { ...(m as object), delta: 7n } : m));
    expect(() => presignChiBlameRound(badDelta.states.get(1)!, badDelta.inboxes.get(1)!, testOnlyDeterministicRng('x'))).toThrow(/δ blame/);
  });
});
