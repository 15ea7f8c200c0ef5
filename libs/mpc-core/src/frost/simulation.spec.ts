import { deriveChildKeyShare, taprootTweakKeyShare } from './derive';
import { groupPublicKey } from './key-share';
import { runDkg, runSign } from './simulation';
import { independentBip340Verify, nodeVerifyEd25519, testOnlySeededRng } from './test/helpers';

const sid = (s: string) => new Uint8Array(32).fill(s.charCodeAt(0));

describe('FROST simulation (smoke)', () => {
  it('ed25519 2-of-3 DKG and signing verify with node:crypto', () => {
    const rng = testOnlySeededRng('smoke-ed');
    const shares = runDkg({ suite: 'ed25519', partyIds: [1, 2, 3], threshold: 2, sessionId: sid('a'), rng });
    const message = new TextEncoder().encode('hello');
    const res = runSign({ keyShares: [shares[0], shares[2]], message, sessionId: sid('b'), rng });
    expect(res.publicKey).toEqual(groupPublicKey(shares[0].publicPackage));
    expect(nodeVerifyEd25519(res.signature, message, res.publicKey)).toBe(true);
  });

  it('bip340 2-of-3 with derivation and taproot tweak verifies independently', () => {
    const rng = testOnlySeededRng('smoke-tr');
    const shares = runDkg({ suite: 'bip340', partyIds: [1, 2, 3], threshold: 2, sessionId: sid('c'), rng });
    const message = new Uint8Array(32).fill(9);
    const plain = runSign({ keyShares: [shares[1], shares[2]], message, sessionId: sid('d'), rng });
    expect(independentBip340Verify(plain.signature, message, plain.publicKey)).toBe(true);
    const child = [shares[0], shares[1]].map((s) => taprootTweakKeyShare(deriveChildKeyShare(s, 7)));
    const tw = runSign({ keyShares: child, message, sessionId: sid('e'), rng });
    expect(independentBip340Verify(tw.signature, message, tw.publicKey)).toBe(true);
  });
});

describe('FROST with non-contiguous party ids', () => {
  it('DKG among parties 3, 7 and 200; parties 7 and 200 sign', () => {
    const rng = testOnlySeededRng('ids');
    const shares = runDkg({ suite: 'ed25519', partyIds: [3, 7, 200], threshold: 2, sessionId: sid('i'), rng });
    const message = new Uint8Array([42]);
    const res = runSign({ keyShares: [shares[1]!, shares[2]!], message, sessionId: sid('j'), rng });
    expect(nodeVerifyEd25519(res.signature, message, res.publicKey)).toBe(true);
  });
});
