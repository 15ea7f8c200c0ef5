import { InvalidInputError } from '../errors';
import {
  childTweak,
  deriveChildKeyShare,
  deriveChildPublicKeyPackage,
  deriveKeySharePath,
  taprootTweakKeyShare,
  taprootTweakPublicKeyPackage,
} from './derive';
import { groupPublicKey, validateKeyShare, type KeyShare } from './key-share';
import { runDkg, runSign } from './simulation';
import { getSuite } from './suite';
import {
  independentBip340Verify,
  independentTapTweak,
  independentXOnlyTweakAdd,
  nodeVerifyEd25519,
  testOnlySeededRng,
  testSessionId,
  thrown,
} from './test/helpers';

const message = new TextEncoder().encode('withdraw to a derived address');

describe('FROST derivation (ed25519)', () => {
  const rng = testOnlySeededRng('derive-ed');
  const shares = runDkg({ suite: 'ed25519', partyIds: [1, 2, 3], threshold: 2, sessionId: testSessionId('derive-ed'), rng });

  it('child shares sign for the child key; node:crypto verifies', () => {
    const child = [shares[0]!, shares[2]!].map((s) => deriveChildKeyShare(s, 42));
    child.forEach((c) => validateKeyShare(c));
    const pub = deriveChildPublicKeyPackage(shares[1]!.publicPackage, 42);
    expect(child[0]!.publicPackage).toEqual(pub);
    const r = runSign({ keyShares: child, message, sessionId: testSessionId('child-42'), rng });
    expect(r.publicKey).toEqual(groupPublicKey(pub));
    expect(r.publicKey).not.toEqual(groupPublicKey(shares[0]!.publicPackage));
    expect(nodeVerifyEd25519(r.signature, message, r.publicKey)).toBe(true);
    // a two-level path
    const grand = [shares[1]!, shares[2]!].map((s) => deriveKeySharePath(s, [7, 0]));
    const g = runSign({ keyShares: grand, message, sessionId: testSessionId('grand'), rng });
    expect(g.publicKey).toEqual(groupPublicKey(deriveChildPublicKeyPackage(deriveChildPublicKeyPackage(shares[0]!.publicPackage, 7), 0)));
    expect(nodeVerifyEd25519(g.signature, message, g.publicKey)).toBe(true);
  });

  it('is deterministic, index-separated, and refuses bad indices and Taproot', () => {
    const a = childTweak(shares[0]!.publicPackage, 1);
    expect(childTweak(shares[1]!.publicPackage, 1)).toEqual(a);
    expect(childTweak(shares[0]!.publicPackage, 2).tweak).not.toBe(a.tweak);
    for (const bad of [-1, 2 ** 31, 1.5]) expect(() => deriveChildKeyShare(shares[0]!, bad)).toThrow(InvalidInputError);
    expect(thrown(() => taprootTweakKeyShare(shares[0]!))).toBeInstanceOf(InvalidInputError);
  });
});

describe('FROST derivation and Taproot tweak (bip340)', () => {
  const suite = getSuite('bip340');
  const rng = testOnlySeededRng('derive-tr');
  const shares = runDkg({ suite: 'bip340', partyIds: [1, 2, 3], threshold: 2, sessionId: testSessionId('derive-tr'), rng });
  const xOnly = (k: KeyShare) => groupPublicKey(k.publicPackage);
  const hasOddY = (k: KeyShare) => k.publicPackage.groupCommitment[0]![0] === 0x03;
  // the first index whose child key has odd y (the negation path of the next tweak)
  let oddIndex = 0;
  while (!hasOddY(deriveChildKeyShare(shares[0]!, oddIndex))) oddIndex++;

  it('child keys follow the x-only rule (checked independently) and sign', () => {
    for (const index of [oddIndex, oddIndex + 1]) {
      const child = [shares[0]!, shares[1]!].map((s) => deriveChildKeyShare(s, index));
      const expected = independentXOnlyTweakAdd(xOnly(shares[0]!), childTweak(shares[0]!.publicPackage, index).tweak);
      expect(xOnly(child[0]!)).toEqual(expected.x);
      expect(hasOddY(child[0]!)).toBe(expected.oddY);
      const r = runSign({ keyShares: child, message, sessionId: testSessionId(`tr-child-${index}`), rng });
      expect(independentBip340Verify(r.signature, message, r.publicKey)).toBe(true);
    }
  });

  it('a grandchild of an odd-y child: the parent is negated first (shares too) and it signs', () => {
    const odd = shares.map((s) => deriveChildKeyShare(s, oddIndex));
    expect(hasOddY(odd[0]!)).toBe(true);
    const grand = [odd[1]!, odd[2]!].map((s) => deriveChildKeyShare(s, 3));
    grand.forEach((g) => validateKeyShare(g));
    const expected = independentXOnlyTweakAdd(xOnly(odd[0]!), childTweak(odd[0]!.publicPackage, 3).tweak);
    expect(xOnly(grand[0]!)).toEqual(expected.x);
    const r = runSign({ keyShares: grand, message, sessionId: testSessionId('tr-grand'), rng });
    expect(independentBip340Verify(r.signature, message, r.publicKey)).toBe(true);
  });

  it.each([
    ['no script tree (BIP86)', undefined],
    ['a script tree merkle root', new Uint8Array(32).fill(0xab)],
  ])('Taproot output key with %s: Q = P + TapTweak(P‖root)·G, checked independently; the output key signs', (_name, merkleRoot) => {
    for (const base of [shares, shares.map((s) => deriveChildKeyShare(s, oddIndex))]) {
      const P = xOnly(base[0]!);
      const out = [base[0]!, base[2]!].map((s) => taprootTweakKeyShare(s, merkleRoot));
      out.forEach((o) => validateKeyShare(o));
      const q = independentXOnlyTweakAdd(P, independentTapTweak(P, merkleRoot));
      expect(xOnly(out[0]!)).toEqual(q.x);
      expect(taprootTweakPublicKeyPackage(base[1]!.publicPackage, merkleRoot)).toEqual(out[0]!.publicPackage);
      const r = runSign({ keyShares: out, message, sessionId: testSessionId(`tap-${String(merkleRoot?.length)}-${P[0]}`), rng });
      expect(r.publicKey).toEqual(q.x);
      expect(independentBip340Verify(r.signature, message, r.publicKey)).toBe(true);
    }
    expect(() => taprootTweakKeyShare(shares[0]!, new Uint8Array(31))).toThrow(InvalidInputError);
    expect(suite.evenY).toBe(true);
  });

  it('signing round 1 applies a derivation path and the Taproot tweak given as parameters', () => {
    const merkleRoot = new Uint8Array(32).fill(7);
    const r = runSign({ keyShares: [shares[1]!, shares[2]!], message, sessionId: testSessionId('params-path'), rng, derivationPath: [oddIndex, 11], taproot: { merkleRoot } });
    const expected = taprootTweakPublicKeyPackage(deriveChildPublicKeyPackage(deriveChildPublicKeyPackage(shares[0]!.publicPackage, oddIndex), 11), merkleRoot);
    expect(r.publicKey).toEqual(groupPublicKey(expected));
    expect(independentBip340Verify(r.signature, message, r.publicKey)).toBe(true);
  });
});
