import fc from 'fast-check';
import { decodeSignGrant, encodeSignGrant, encodeSignRequest, requestDigest, signRequestFromJson, signRequestToJson, type SignRequest } from './index';
import { approval, grant } from '../test/test-only-fixtures';

const idChars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-'.split('');
const id = fc.string({ unit: fc.constantFrom(...idChars), minLength: 1, maxLength: 128 });
const request: fc.Arbitrary<SignRequest> = fc.oneof(
  fc.record({
    requestId: id,
    keyId: id,
    scheme: fc.constant('ecdsa' as const),
    derivationPath: fc.array(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { maxLength: 6 }),
    payload: fc.record({ kind: fc.constant('message' as const), hash: fc.constantFrom('sha256' as const, 'keccak256' as const), message: fc.uint8Array({ maxLength: 300 }) }),
  }),
  fc.record({
    requestId: id,
    keyId: id,
    scheme: fc.constant('eddsa' as const),
    derivationPath: fc.array(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { maxLength: 6 }),
    payload: fc.record({ kind: fc.constant('message' as const), hash: fc.constant('none' as const), message: fc.uint8Array({ maxLength: 300 }) }),
  }),
);

describe('sign-grant codec properties', () => {
  it('requests round-trip through JSON, and distinct requests have distinct encodings and digests', () => {
    fc.assert(
      fc.property(request, request, (a, b) => {
        expect(signRequestFromJson(JSON.parse(JSON.stringify(signRequestToJson(a))))).toEqual(a);
        const same = Buffer.from(encodeSignRequest(a)).equals(Buffer.from(encodeSignRequest(b)));
        expect(same).toBe(JSON.stringify(signRequestToJson(a)) === JSON.stringify(signRequestToJson(b)));
        if (!same) expect(Buffer.from(requestDigest(a)).equals(Buffer.from(requestDigest(b)))).toBe(false);
      }),
      { numRuns: 200, seed: 20261122 },
    );
  });

  it('signed grants round-trip through the JSON wire form byte for byte', () => {
    fc.assert(
      fc.property(request, (r) => {
        const g = grant({ request: r, approvals: [approval('alice', 'alice@ops', r), approval('bob', 'bob@ops', r)] });
        const json = encodeSignGrant(g);
        expect(decodeSignGrant(json)).toEqual(g);
        expect(encodeSignGrant(decodeSignGrant(json))).toBe(json);
      }),
      { numRuns: 15, seed: 20261122 },
    );
  });
});
