import fc from 'fast-check';
import { InvalidInputError } from '../errors';
import { childTweak, deriveChildKeyShare, deriveChildPublicKeyPackage } from './derive';
import { decodeKeyShare, decodeMessage, decodePublicKeyPackage } from './encoding';
import { nobleId } from './key-share';
import { runDkg } from './simulation';
import { getSuite, type SuiteName } from './suite';
import { testOnlySeededRng, testSessionId } from './test/helpers';

describe.each(['ed25519', 'bip340'] as SuiteName[])('FROST properties (%s)', (suiteName) => {
  const suite = getSuite(suiteName);
  const shares = runDkg({ suite: suiteName, partyIds: [1, 2, 3], threshold: 2, sessionId: testSessionId(`prop-${suiteName}`), rng: testOnlySeededRng(`prop-${suiteName}`) });
  const secretOf = (list: typeof shares) =>
    suite.Fn.fromBytes(suite.frost.combineSecret(list.map((s) => ({ identifier: nobleId(suite, s.partyId), signingShare: s.signingShare })), { min: 2, max: 3 }));

  it('derivation is additive: any two child shares interpolate to ±secret + tweak, whose public key is the child key', () => {
    const parent = secretOf([shares[0]!, shares[1]!]);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x7fffffff }), fc.constantFrom([0, 1], [0, 2], [1, 2]), (index, [a, b]) => {
        const child = [shares[a!]!, shares[b!]!].map((s) => deriveChildKeyShare(s, index));
        const { tweak } = childTweak(shares[0]!.publicPackage, index);
        const evenParent = suite.evenY && !suite.hasEvenY(shares[0]!.publicPackage.groupCommitment[0]!) ? suite.Fn.neg(parent) : parent;
        const childSecret = secretOf(child);
        expect(childSecret).toBe(suite.Fn.add(evenParent, tweak));
        expect(suite.mulBase(childSecret)).toEqual(deriveChildPublicKeyPackage(shares[2]!.publicPackage, index).groupCommitment[0]);
      }),
      { numRuns: 8, seed: 42 },
    );
  });

  it('decoders never fail with anything but InvalidInputError on arbitrary bytes behind a valid header', () => {
    const kinds = [0x01, 0x02, 0x10, 0x11, 0x20, 0x21, 0x30, 0x31, 0x40, 0x77];
    fc.assert(
      fc.property(fc.constantFrom(...kinds), fc.uint8Array({ maxLength: 200 }), (kind, body) => {
        const bytes = Uint8Array.from([0x43, 0x46, 0x01, kind, suite.wireId, ...body]);
        for (const decode of [decodeKeyShare, decodePublicKeyPackage, decodeMessage]) {
          try {
            decode(bytes);
          } catch (error) {
            expect(error).toBeInstanceOf(InvalidInputError);
          }
        }
      }),
      { numRuns: 150, seed: 7 },
    );
  });
});
