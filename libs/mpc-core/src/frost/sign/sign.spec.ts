import type { PartyId } from '../../errors';
import { InvalidInputError, ProtocolAbortError } from '../../errors';
import type { KeyShare } from '../key-share';
import type { SignRound1Message, SignRound2Message } from '../messages';
import { route, runDkg, runSign, newWireStats, type Tamper } from '../simulation';
import { InMemoryNonceStore } from '../state';
import { getSuite, type SuiteName } from '../suite';
import { independentBip340Verify, nodeVerifyEd25519, testOnlySeededRng, testSessionId, thrown } from '../test/helpers';
import { preprocess } from './preprocess';
import { signRound1 } from './round-1';
import { signRound2 } from './round-2';
import { signRound3 } from './round-3';

const independentVerify = (suite: SuiteName, sig: Uint8Array, msg: Uint8Array, pk: Uint8Array) =>
  suite === 'ed25519' ? nodeVerifyEd25519(sig, msg, pk) : independentBip340Verify(sig, msg, pk);

function expectAbort(f: () => unknown, culprits: PartyId[], check: string | RegExp): void {
  const e = thrown(f);
  expect(e).toBeInstanceOf(ProtocolAbortError);
  expect((e as ProtocolAbortError).culprits).toEqual(culprits);
  expect((e as ProtocolAbortError).check).toMatch(check);
}

/** A deterministic choice of `k` of `ids` from an rng. */
function pick(ids: readonly number[], k: number, seed: string): number[] {
  const rng = testOnlySeededRng(seed);
  const pool = [...ids];
  const out: number[] = [];
  while (out.length < k) out.push(pool.splice(rng(1)[0]! % pool.length, 1)[0]!);
  return out.sort((a, b) => a - b);
}

describe.each(['ed25519', 'bip340'] as SuiteName[])('FROST signing (%s)', (suiteName) => {
  const suite = getSuite(suiteName);
  const rng = testOnlySeededRng(`sign-${suiteName}`);
  const shares3 = runDkg({ suite: suiteName, partyIds: [1, 2, 3], threshold: 2, sessionId: testSessionId(`k3-${suiteName}`), rng });
  const shares5 = runDkg({ suite: suiteName, partyIds: [1, 2, 3, 4, 5], threshold: 3, sessionId: testSessionId(`k5-${suiteName}`), rng });
  const by = (shares: KeyShare[], ids: number[]) => ids.map((id) => shares.find((s) => s.partyId === id)!);
  const message = new TextEncoder().encode(`pay 1 unit (${suiteName})`);

  it('2-of-3: every signer subset signs; an independent verifier accepts', () => {
    for (const ids of [[1, 2], [1, 3], [2, 3], [1, 2, 3]]) {
      const r = runSign({ keyShares: by(shares3, ids), message, sessionId: testSessionId(`s3-${ids.join()}`), rng });
      expect(independentVerify(suiteName, r.signature, message, r.publicKey)).toBe(true);
    }
  });

  it('3-of-5: random signer subsets sign; an independent verifier accepts', () => {
    for (const [k, seed] of [[3, 'a'], [3, 'b'], [4, 'c'], [5, 'd']] as const) {
      const ids = pick([1, 2, 3, 4, 5], k, `${suiteName}-${seed}`);
      const r = runSign({ keyShares: by(shares5, ids), message, sessionId: testSessionId(`s5-${seed}`), rng });
      expect(independentVerify(suiteName, r.signature, message, r.publicKey)).toBe(true);
      expect(independentVerify(suiteName, r.signature, new TextEncoder().encode('other'), r.publicKey)).toBe(false);
    }
  });

  it('names the sender of a bad signature share (identifiable abort)', () => {
    const tamper: Tamper = (from, _to, m) =>
      from === 4 && m.kind === 'sign/round-2' ? { ...m, signatureShare: suite.scalarToBytes(suite.Fn.add(suite.parseScalar(m.signatureShare, 'z'), 1n)) } : m;
    expectAbort(() => runSign({ keyShares: by(shares5, [2, 4, 5]), message, sessionId: testSessionId('bad-share'), rng, tamper }), [4], 'signature-share');
  });

  it('names a signer that signs a different message', () => {
    const signers = [1, 3];
    const stores = new Map(signers.map((p) => [p, new InMemoryNonceStore()]));
    const sessionId = testSessionId('other-msg');
    const r1 = by(shares3, signers).map((keyShare, i) =>
      signRound1({ keyShare, sessionId, signers, message: i === 1 ? new TextEncoder().encode('evil') : message }, stores.get(keyShare.partyId)!, rng),
    );
    const stats = newWireStats();
    const in1 = route(signers, new Map(signers.map((p, i) => [p, r1[i]!.outgoing])), stats);
    const r2 = signers.map((p, i) => signRound2(r1[i]!.state, in1.get(p)!, stores.get(p)!));
    const in2 = route(signers, new Map(signers.map((p, i) => [p, r2[i]!.outgoing])), stats);
    expectAbort(() => signRound3(r2[0]!.state, in2.get(1)!), [3], 'signature-share');
  });

  it('uses a preprocessed nonce once and refuses to reuse it', () => {
    const store = new InMemoryNonceStore();
    const [c1, c2] = preprocess(shares3[0]!, 2, store, rng);
    expect(store.size).toBe(2);
    const stores = new Map([[1, store as InMemoryNonceStore], [2, new InMemoryNonceStore()]]);
    const ok = runSign({ keyShares: by(shares3, [1, 2]), message, sessionId: testSessionId('pre-1'), rng, stores, commitments: new Map([[1, c1!]]) });
    expect(independentVerify(suiteName, ok.signature, message, ok.publicKey)).toBe(true);
    expect(store.has(c1!.commitmentId)).toBe(false);
    // the same commitment again: refused before any share is made
    const e = thrown(() => runSign({ keyShares: by(shares3, [1, 2]), message, sessionId: testSessionId('pre-2'), rng, stores, commitments: new Map([[1, c1!]]) }));
    expect(e).toBeInstanceOf(InvalidInputError);
    expect(e.message).toMatch(/refusing to reuse a nonce/);
    // two sessions started with the same commitment: the second round 2 finds the nonce consumed
    const signers = [1, 2];
    const other = new InMemoryNonceStore();
    const [d2, d2b] = preprocess(shares3[1]!, 2, other, rng);
    const a1 = signRound1({ keyShare: shares3[0]!, sessionId: testSessionId('race-a'), signers, message, commitment: c2! }, store, rng);
    const b1 = signRound1({ keyShare: shares3[0]!, sessionId: testSessionId('race-b'), signers, message, commitment: c2! }, store, rng);
    const peerA = signRound1({ keyShare: shares3[1]!, sessionId: testSessionId('race-a'), signers, message, commitment: d2! }, other, rng);
    const peerB = signRound1({ keyShare: shares3[1]!, sessionId: testSessionId('race-b'), signers, message, commitment: d2b! }, other, rng);
    signRound2(a1.state, [{ from: 2, message: peerA.outgoing[0]!.message }], store);
    const reuse = thrown(() => signRound2(b1.state, [{ from: 2, message: peerB.outgoing[0]!.message }], store));
    expect(reuse).toBeInstanceOf(InvalidInputError);
    expect(reuse.message).toMatch(/already consumed/);
    // a consumed record cannot be put back
    expect(() => store.put({ commitment: c1!, hiding: new Uint8Array(32), binding: new Uint8Array(32) })).toThrow(InvalidInputError);
  });

  it('names the sender of a message replayed from another session', () => {
    const captured = new Map<string, SignRound1Message | SignRound2Message>();
    runSign({ keyShares: by(shares3, [1, 2]), message, sessionId: testSessionId('replay-A'), rng, tamper: (from, _to, m) => {
      if (from === 2 && (m.kind === 'sign/round-1' || m.kind === 'sign/round-2')) captured.set(m.kind, m);
      return m;
    } });
    const sidB = testSessionId('replay-B');
    const replay = (kind: string, rewrite: boolean): Tamper => (from, _to, m) => {
      const old = captured.get(kind);
      if (from !== 2 || m.kind !== kind || !old) return m;
      return rewrite ? { ...old, sessionId: sidB } : old;
    };
    const run = (t: Tamper) => () => runSign({ keyShares: by(shares3, [1, 2]), message, sessionId: sidB, rng, tamper: t });
    expectAbort(run(replay('sign/round-1', false)), [2], 'session-id');
    expectAbort(run(replay('sign/round-2', false)), [2], 'session-id');
    // with the session id rewritten, the replayed share does not verify in the new session
    expectAbort(run(replay('sign/round-2', true)), [2], 'signature-share');
    // a replayed (already used) commitment: party 2 signed with its real one, so its share is named
    expectAbort(run(replay('sign/round-1', true)), [2], 'signature-share');
  });

  it('rejects bad signer sets and malformed commitments', () => {
    const store = new InMemoryNonceStore();
    const sessionId = testSessionId('bad-signers');
    const cases: [number[], string][] = [
      [[1], 'signers'],
      [[1, 4], 'signers'],
      [[2, 3], 'signers'],
      [[2, 1], 'signers'],
    ];
    for (const [signers, argument] of cases) {
      const e = thrown(() => signRound1({ keyShare: shares3[0]!, sessionId, signers, message }, store, rng));
      expect(e).toBeInstanceOf(InvalidInputError);
      expect((e as InvalidInputError).argument).toBe(argument);
    }
    const r1 = signRound1({ keyShare: shares3[0]!, sessionId, signers: [1, 2], message }, store, rng);
    const peer = signRound1({ keyShare: shares3[1]!, sessionId, signers: [1, 2], message }, new InMemoryNonceStore(), rng).outgoing[0]!.message;
    const flipped = Uint8Array.from(peer.hiding);
    flipped[5] ^= 1;
    // a flipped byte gives an invalid encoding or another point that the commitment id does not name
    expectAbort(() => signRound2(r1.state, [{ from: 2, message: { ...peer, hiding: flipped } }], store), [2], /^malformed (hiding|commitmentId)$/);
    // the nonce was burned by the aborted round: it cannot be used in a retry
    expect(store.has(r1.state.own.commitmentId)).toBe(false);
  });
});
