import fc from 'fast-check';
import { addressFromBytes, erc20TransferData, transactionSigningHash } from '@custody/chain-core';
import {
  decodeSignGrant,
  encodeSignGrant,
  encodeSignRequest,
  payloadTransaction,
  requestDigest,
  signingInput,
  signRequestFromJson,
  signRequestToJson,
  type EvmTransactionPayload,
  type SignRequest,
} from './index';
import { approval, grant, grantV2 } from '../test/test-only-fixtures';

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

describe('evm-transaction codec properties', () => {
  const address = fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => addressFromBytes(b));
  const fees = fc
    .record({ maxFeePerGas: fc.bigInt({ min: 0n, max: 10n ** 24n }), share: fc.integer({ min: 0, max: 100 }) })
    .map(({ maxFeePerGas, share }) => ({ maxFeePerGas, maxPriorityFeePerGas: (maxFeePerGas * BigInt(share)) / 100n }));
  const common = fc.record({
    chainId: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
    nonce: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }),
    fees,
    gas: fc.bigInt({ min: 21_000n, max: 1n << 24n }),
  });
  const payload: fc.Arbitrary<EvmTransactionPayload> = fc.oneof(
    fc.record({ c: common, to: address, value: fc.bigInt({ min: 0n, max: 10n ** 30n }) }).map(({ c, to, value }) => ({
      kind: 'evm-transaction' as const, chainId: c.chainId, nonce: c.nonce, ...c.fees, gas: c.gas, to, value, data: new Uint8Array(0), erc20: null,
    })),
    fc.record({ c: common, token: address, recipient: address, amount: fc.bigInt({ min: 0n, max: (1n << 256n) - 1n }) }).map(({ c, token, recipient, amount }) => ({
      kind: 'evm-transaction' as const, chainId: c.chainId, nonce: c.nonce, ...c.fees, gas: c.gas, to: token, value: 0n,
      data: erc20TransferData(recipient, amount), erc20: { recipient, amount },
    })),
  );
  const evmRequest = fc.record({ requestId: id, keyId: id, derivationPath: fc.array(fc.integer({ min: 0, max: 2 ** 31 - 1 }), { maxLength: 4 }), payload }).map(
    (r): SignRequest => ({ ...r, scheme: 'ecdsa' }),
  );

  it('requests round-trip through JSON; distinct requests have distinct encodings; the signing input is chain-core\'s', () => {
    fc.assert(
      fc.property(evmRequest, evmRequest, (a, b) => {
        expect(signRequestFromJson(JSON.parse(JSON.stringify(signRequestToJson(a))))).toEqual(a);
        const same = Buffer.from(encodeSignRequest(a)).equals(Buffer.from(encodeSignRequest(b)));
        expect(same).toBe(JSON.stringify(signRequestToJson(a)) === JSON.stringify(signRequestToJson(b)));
        if (a.payload.kind === 'evm-transaction') {
          expect(Buffer.from(signingInput(a.payload, 'ecdsa')).equals(Buffer.from(transactionSigningHash(payloadTransaction(a.payload))))).toBe(true);
        }
      }),
      { numRuns: 150, seed: 20261202 },
    );
  });

  it('signed v2 grants round-trip through the JSON wire form byte for byte', () => {
    fc.assert(
      fc.property(evmRequest, (r) => {
        const g = grantV2({ request: r, approvals: [approval('alice', 'alice@ops', r), approval('bob', 'bob@ops', r)] });
        const json = encodeSignGrant(g);
        expect(decodeSignGrant(json)).toEqual(g);
        expect(encodeSignGrant(decodeSignGrant(json))).toBe(json);
      }),
      { numRuns: 15, seed: 20261202 },
    );
  });
});
