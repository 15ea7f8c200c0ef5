import { InvalidInputError, ProtocolAbortError } from '../../errors';
import { encodePublicKeyPackage } from '../encoding';
import { groupPublicKey, nobleId, validateKeyShare } from '../key-share';
import type { DkgRound1Message, FrostMessage } from '../messages';
import { runDkg, type Tamper } from '../simulation';
import { getSuite, type SuiteName } from '../suite';
import { testOnlySeededRng, testSessionId, thrown } from '../test/helpers';
import { dkgRound1 } from './round-1';
import { dkgRound2 } from './round-2';

function expectAbort(f: () => unknown, culprits: number[], check: string): ProtocolAbortError {
  const e = thrown(f);
  expect(e).toBeInstanceOf(ProtocolAbortError);
  const a = e as ProtocolAbortError;
  expect(a.culprits).toEqual(culprits);
  expect(a.check).toBe(check);
  return a;
}

describe.each(['ed25519', 'bip340'] as SuiteName[])('FROST DKG (%s)', (suiteName) => {
  const suite = getSuite(suiteName);

  it.each([
    [2, 3],
    [3, 5],
  ])('%i-of-%i: every party gets a valid share of one key', (t, n) => {
    const partyIds = Array.from({ length: n }, (_, i) => i + 1);
    const shares = runDkg({ suite: suiteName, partyIds, threshold: t, sessionId: testSessionId(`dkg-${suiteName}-${t}-${n}`), rng: testOnlySeededRng(`dkg-${suiteName}-${t}-${n}`) });
    const pub = encodePublicKeyPackage(shares[0]!.publicPackage);
    for (const s of shares) {
      expect(encodePublicKeyPackage(s.publicPackage)).toEqual(pub);
      validateKeyShare(s);
    }
    // any t shares interpolate to the secret of the group key (noble's combineSecret)
    const secret = suite.frost.combineSecret(
      shares.slice(n - t).map((s) => ({ identifier: nobleId(suite, s.partyId), signingShare: s.signingShare })),
      { min: t, max: n },
    );
    expect(suite.mulBase(suite.parseScalar(secret, 'secret'))).toEqual(shares[0]!.publicPackage.groupCommitment[0]);
    if (suite.evenY) expect(shares[0]!.publicPackage.groupCommitment[0]![0]).toBe(0x02); // internal key kept even-y
    expect(groupPublicKey(shares[0]!.publicPackage)).toHaveLength(32);
  });

  const base = { suite: suiteName, partyIds: [1, 2, 3], threshold: 2 };
  const tamperRound1 = (from: number, f: (m: DkgRound1Message) => DkgRound1Message): Tamper => (sender, _to, m) =>
    sender === from && m.kind === 'dkg/round-1' ? f(m) : m;

  it('names a party whose proof of knowledge does not verify', () => {
    // party 2 sends party 3's (well-formed) proof: valid encoding, wrong statement
    const proofs = new Map<number, Uint8Array>();
    const rng = testOnlySeededRng('bad-pok');
    const r1 = [1, 2, 3].map((me) => dkgRound1({ ...base, sessionId: testSessionId('bad-pok'), me }, rng));
    r1.forEach((r, i) => proofs.set(i + 1, r.outgoing[0]!.message.proofOfKnowledge));
    const inbox = [2, 3].map((from) => {
      const m = r1[from - 1]!.outgoing[0]!.message;
      return { from, message: from === 2 ? { ...m, proofOfKnowledge: proofs.get(3)! } : m };
    });
    expectAbort(() => dkgRound2(r1[0]!.state, inbox, rng), [2], 'proof-of-knowledge');
  });

  it('names a party whose round-1 message is replayed from another session', () => {
    const captured = new Map<number, DkgRound1Message>();
    runDkg({ ...base, sessionId: testSessionId('session-A'), rng: testOnlySeededRng('A'), tamper: (from, _to, m) => {
      if (m.kind === 'dkg/round-1') captured.set(from, m);
      return m;
    } });
    const old = captured.get(2)!;
    // replayed as is: the session id differs
    expectAbort(() => runDkg({ ...base, sessionId: testSessionId('session-B'), rng: testOnlySeededRng('B'), tamper: tamperRound1(2, () => old) }), [2], 'session-id');
    // replayed with the session id rewritten: our session-bound proof fails (noble's alone would pass)
    expectAbort(
      () => runDkg({ ...base, sessionId: testSessionId('session-B'), rng: testOnlySeededRng('B'), tamper: tamperRound1(2, () => ({ ...old, sessionId: testSessionId('session-B') })) }),
      [2],
      'session-proof',
    );
  });

  it('names a party that copies another party\'s commitment as its own', () => {
    const rng = testOnlySeededRng('copy');
    const r1 = [1, 2, 3].map((me) => dkgRound1({ ...base, sessionId: testSessionId('copy'), me }, rng));
    const inbox = [2, 3].map((from) => ({ from, message: from === 3 ? r1[1]!.outgoing[0]!.message : r1[from - 1]!.outgoing[0]!.message }));
    expectAbort(() => dkgRound2(r1[0]!.state, inbox, rng), [3], 'session-proof');
  });

  it('names the sender of a share that fails its commitment', () => {
    const tamper: Tamper = (from, to, m: FrostMessage) => {
      if (from === 3 && to === 1 && m.kind === 'dkg/round-2') {
        const s = suite.parseScalar(m.signingShare, 's');
        return { ...m, signingShare: suite.scalarToBytes(suite.Fn.add(s, 1n)) };
      }
      return m;
    };
    expectAbort(() => runDkg({ ...base, sessionId: testSessionId('bad-share'), rng: testOnlySeededRng('bad-share'), tamper }), [3], 'vss-share');
  });

  it('names a party that sends a malformed commitment (identity point) or too few points', () => {
    const identity = suite.name === 'ed25519' ? Uint8Array.from([1, ...new Array<number>(31).fill(0)]) : new Uint8Array(33);
    const a = expectAbort(
      () => runDkg({ ...base, sessionId: testSessionId('malformed'), rng: testOnlySeededRng('m'), tamper: tamperRound1(3, (m) => ({ ...m, commitment: [m.commitment[0]!, identity] })) }),
      [3],
      'malformed commitment[1]',
    );
    expect(a.message).not.toMatch(/[0-9a-f]{64}/); // no secret or key material in the error
    expectAbort(
      () => runDkg({ ...base, sessionId: testSessionId('short'), rng: testOnlySeededRng('s'), tamper: tamperRound1(2, (m) => ({ ...m, commitment: [m.commitment[0]!] })) }),
      [2],
      'malformed commitment',
    );
  });

  it('names parties whose messages are missing, and refuses a consumed state', () => {
    const rng = testOnlySeededRng('missing');
    const r1 = [1, 2, 3].map((me) => dkgRound1({ ...base, sessionId: testSessionId('missing'), me }, rng));
    expectAbort(() => dkgRound2(r1[0]!.state, [{ from: 2, message: r1[1]!.outgoing[0]!.message }], rng), [3], 'missing-message');
    // the state was consumed by the aborted attempt
    const again = thrown(() => dkgRound2(r1[0]!.state, [], rng));
    expect(again).toBeInstanceOf(InvalidInputError);
    expect(again.message).toContain('already consumed');
  });

  it('rejects bad parameters naming the argument', () => {
    const rng = testOnlySeededRng('params');
    const sessionId = testSessionId('params');
    const cases: [object, string][] = [
      [{ ...base, sessionId, me: 1, threshold: 1 }, 'params.threshold'],
      [{ ...base, sessionId, me: 1, threshold: 4 }, 'params.threshold'],
      [{ ...base, sessionId, me: 4 }, 'me'],
      [{ ...base, sessionId: new Uint8Array(8), me: 1 }, 'params.sessionId'],
      [{ ...base, sessionId, me: 1, partyIds: [1, 1, 2] }, 'params.partyIds'],
      [{ ...base, sessionId, me: 1, suite: 'p256' }, 'params.suite'],
    ];
    for (const [params, argument] of cases) {
      const e = thrown(() => dkgRound1(params as Parameters<typeof dkgRound1>[0], rng));
      expect(e).toBeInstanceOf(InvalidInputError);
      expect((e as InvalidInputError).argument).toBe(argument);
    }
  });
});
