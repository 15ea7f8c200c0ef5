import { InvalidInputError } from '../errors';
import { decodeKeyShare, decodePublicKeyPackage, encodeKeyShare, encodePublicKeyPackage } from './encoding';
import { validateKeyShare, validatePublicKeyPackage, type KeyShare, type PublicKeyPackage } from './key-share';
import { runDkg, runRefresh } from './simulation';
import { getSuite, type SuiteName } from './suite';
import { testOnlySeededRng, testSessionId, thrown } from './test/helpers';

function expectInvalid(f: () => unknown, argument: string): void {
  const e = thrown(f);
  expect(e).toBeInstanceOf(InvalidInputError);
  expect((e as InvalidInputError).argument).toBe(argument);
}

describe.each(['ed25519', 'bip340'] as SuiteName[])('FROST key packages: every verifying share on the group commitment (%s)', (suiteName) => {
  const suite = getSuite(suiteName);
  const rng = testOnlySeededRng(`key-share-${suiteName}`);
  const shares = runDkg({ suite: suiteName, partyIds: [1, 2, 3, 4], threshold: 3, sessionId: testSessionId(`key-share-${suiteName}`), rng });
  const pub = shares[0]!.publicPackage;
  /** The package with party 2's verifying share replaced (another valid point). */
  const wrongForParty2 = (p: PublicKeyPackage, replacement: Uint8Array): PublicKeyPackage => ({
    ...p,
    verifyingShares: p.verifyingShares.map((y, i) => (i === 1 ? replacement : y)),
  });
  /** Encodes without validating: the bytes a corrupted or hostile store would hold. */
  const patched = (good: Uint8Array, from: Uint8Array, to: Uint8Array): Uint8Array => {
    const at = Buffer.from(good).indexOf(Buffer.from(from));
    expect(at).toBeGreaterThan(0);
    const out = Uint8Array.from(good);
    out.set(to, at);
    return out;
  };

  it('accepts the packages of a DKG and of a refresh', () => {
    for (const s of shares) expect(validateKeyShare(s)).toBe(s);
    for (const s of runRefresh({ keyShares: shares, sessionId: testSessionId(`key-share-refresh-${suiteName}`), rng })) {
      expect(decodeKeyShare(encodeKeyShare(s))).toEqual(s);
    }
  });

  it('refuses a public key package with a wrong verifying share for party 2 (validate and decode)', () => {
    for (const replacement of [pub.verifyingShares[2]!, suite.mulBase(12345n), pub.groupCommitment[0]!]) {
      expectInvalid(() => validatePublicKeyPackage(wrongForParty2(pub, replacement)), 'publicPackage.verifyingShares[1]');
      const bytes = patched(encodePublicKeyPackage(pub), pub.verifyingShares[1]!, replacement);
      expectInvalid(() => decodePublicKeyPackage(bytes), 'publicPackage.verifyingShares[1]');
    }
  });

  it("refuses party 1's key share whose package holds a wrong verifying share for party 2 (validate and decode)", () => {
    const own: KeyShare = shares[0]!;
    const replacement = suite.mulBase(777n);
    expectInvalid(() => validateKeyShare({ ...own, publicPackage: wrongForParty2(own.publicPackage, replacement) }), 'keyShare.publicPackage.verifyingShares[1]');
    const bytes = patched(encodeKeyShare(own), own.publicPackage.verifyingShares[1]!, replacement);
    const e = thrown(() => decodeKeyShare(bytes));
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as InvalidInputError).argument).toBe('keyShare.publicPackage.verifyingShares[1]');
    expect(e.message).toMatch(/party 2/);
  });
});
