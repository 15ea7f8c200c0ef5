import { ProtocolAbortError } from '../../errors';
import { encodeKeyShare } from '../encoding';
import { nobleId, validateKeyShare, type KeyShare } from '../key-share';
import { runDkg, runRefresh, runSign, type Tamper } from '../simulation';
import { getSuite, type SuiteName } from '../suite';
import { independentBip340Verify, nodeVerifyEd25519, testOnlySeededRng, testSessionId, thrown } from '../test/helpers';

describe.each(['ed25519', 'bip340'] as SuiteName[])('FROST refresh (%s)', (suiteName) => {
  const suite = getSuite(suiteName);
  const rng = testOnlySeededRng(`refresh-${suiteName}`);
  const old = runDkg({ suite: suiteName, partyIds: [1, 2, 3], threshold: 2, sessionId: testSessionId(`rk-${suiteName}`), rng });
  const fresh = runRefresh({ keyShares: old, sessionId: testSessionId(`rf-${suiteName}`), rng });
  const message = new TextEncoder().encode('after refresh');
  const verify = (sig: Uint8Array, pk: Uint8Array) => (suiteName === 'ed25519' ? nodeVerifyEd25519(sig, message, pk) : independentBip340Verify(sig, message, pk));
  const secretOf = (shares: KeyShare[]) =>
    suite.frost.combineSecret(shares.map((s) => ({ identifier: nobleId(suite, s.partyId), signingShare: s.signingShare })), { min: 2, max: 3 });

  it('keeps the group key, changes every share, and the new shares sign', () => {
    for (const [i, s] of fresh.entries()) {
      validateKeyShare(s);
      expect(s.publicPackage.groupCommitment[0]).toEqual(old[i]!.publicPackage.groupCommitment[0]);
      expect(s.publicPackage.chainCode).toEqual(old[i]!.publicPackage.chainCode);
      expect(s.signingShare).not.toEqual(old[i]!.signingShare);
      expect(s.publicPackage.verifyingShares[i]).not.toEqual(old[i]!.publicPackage.verifyingShares[i]);
      expect(encodeKeyShare(s).subarray(0, 5)).toEqual(encodeKeyShare(old[i]!).subarray(0, 5));
    }
    expect(secretOf([fresh[0]!, fresh[2]!])).toEqual(secretOf([old[0]!, old[1]!]));
    const r = runSign({ keyShares: [fresh[1]!, fresh[2]!], message, sessionId: testSessionId('after'), rng });
    expect(verify(r.signature, r.publicKey)).toBe(true);
  });

  it('an old share no longer combines with refreshed shares', () => {
    expect(secretOf([fresh[0]!, old[2]!])).not.toEqual(secretOf([old[0]!, old[2]!]));
    // signing with a stale share: the refreshed party names the stale one
    const e = thrown(() => runSign({ keyShares: [fresh[0]!, old[2]!], message, sessionId: testSessionId('stale'), rng }));
    expect(e).toBeInstanceOf(ProtocolAbortError);
    expect((e as ProtocolAbortError).culprits).toEqual([3]);
    expect((e as ProtocolAbortError).check).toBe('signature-share');
  });

  it('names the sender of a zero-share that fails its commitment, and of a message from another session', () => {
    const badShare: Tamper = (from, to, m) =>
      from === 2 && to === 1 && m.kind === 'refresh/round-1-share' ? { ...m, share: suite.scalarToBytes(suite.Fn.add(suite.parseScalar(m.share, 's'), 1n)) } : m;
    const e = thrown(() => runRefresh({ keyShares: old, sessionId: testSessionId('bad-refresh'), rng, tamper: badShare }));
    expect(e).toBeInstanceOf(ProtocolAbortError);
    expect((e as ProtocolAbortError).culprits).toEqual([2]);
    expect((e as ProtocolAbortError).check).toBe('vss-share');
    const otherSession: Tamper = (from, _to, m) => (from === 3 ? { ...m, sessionId: testSessionId('elsewhere') } : m);
    const f = thrown(() => runRefresh({ keyShares: old, sessionId: testSessionId('x'), rng, tamper: otherSession }));
    expect((f as ProtocolAbortError).culprits).toEqual([3]);
    expect((f as ProtocolAbortError).check).toBe('session-id');
  });
});

it('FROST refresh 3-of-5 (ed25519) keeps the key and signs', () => {
  const rng = testOnlySeededRng('refresh-35');
  const old = runDkg({ suite: 'ed25519', partyIds: [1, 2, 3, 4, 5], threshold: 3, sessionId: testSessionId('r35'), rng });
  const fresh = runRefresh({ keyShares: old, sessionId: testSessionId('r35-f'), rng });
  const message = new Uint8Array([1, 2, 3]);
  const r = runSign({ keyShares: [fresh[0]!, fresh[3]!, fresh[4]!], message, sessionId: testSessionId('r35-s'), rng });
  expect(nodeVerifyEd25519(r.signature, message, r.publicKey)).toBe(true);
  expect(r.publicKey).toEqual(old[0]!.publicPackage.groupCommitment[0]);
});
