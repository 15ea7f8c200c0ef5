import { ed25519 } from '@noble/curves/ed25519.js';
import { parseAddress } from '@custody/chain-core';
import { checkGrant, GrantRefused, signGrant, signingInput, SignGrantInputError, type CheckGrantOptions, type EvmTransactionPayload, type SignGrant } from './index';
import { APPROVER_KEYS, ENGINE_PUBLIC, ENGINE_SEED, ERC20_PAYLOAD, EVM_REQUEST, grantV2, ISSUED_AT, NATIVE_PAYLOAD, RECIPIENT, unsignedGrantV2 } from '../test/test-only-fixtures';

/** Attacks on checkGrant by a hostile caller (a compromised process handing the signer a crafted object). */

const options = (requestedSigningInput: Uint8Array): CheckGrantOptions => ({
  enginePublicKey: ENGINE_PUBLIC,
  approverKeys: APPROVER_KEYS,
  now: ISSUED_AT + 1000,
  requestedSigningInput,
});

/** What checkGrant does with the grant: accepted, or the refusal reason. */
function outcome(grant: SignGrant, input: Uint8Array): string {
  try {
    checkGrant(grant, options(input));
    return 'accepted';
  } catch (e) {
    if (e instanceof GrantRefused) return e.reason;
    throw e;
  }
}

describe('checkGrant reads each field once (no time-of-check / time-of-use gap)', () => {
  const honest = grantV2();
  // Another transaction: the engine never signed it and no approver approved it.
  const evil: EvmTransactionPayload = { ...NATIVE_PAYLOAD, to: RECIPIENT, value: 10n ** 24n };
  const evilDigest = signingInput(evil, 'ecdsa');

  /** A grant whose payload getter answers the honest payload except on reads first..first+count-1. */
  function shifty(first: number, count: number): SignGrant {
    let reads = 0;
    const request = { ...honest.request };
    Object.defineProperty(request, 'payload', {
      enumerable: true,
      get: () => {
        reads++;
        return reads >= first && reads < first + count ? evil : honest.request.payload;
      },
    });
    return { ...honest, request } as SignGrant;
  }

  it('the honest grant passes with its own digest and is refused for the other one (control)', () => {
    expect(outcome(honest, signingInput(honest.request.payload, 'ecdsa'))).toBe('accepted');
    expect(outcome(honest, evilDigest)).toBe('digest-mismatch');
  });

  it('a payload getter that changes between the signature check and the digest check never gets the other digest signed', () => {
    const outcomes = new Set<string>();
    for (let first = 1; first <= 24; first++) for (const count of [1, 2, 4, 8]) outcomes.add(outcome(shifty(first, count), evilDigest));
    expect(outcomes).not.toContain('accepted');
    // Non-vacuous: the getter did reach the checks (some reads saw the other payload).
    expect([...outcomes].some((o) => o !== 'digest-mismatch')).toBe(true);
  });

  it('a byte field mutated after the signature check does not change what is compared (the check sees a copy)', () => {
    const g = grantV2();
    const digest = signingInput(g.request.payload, 'ecdsa');
    // verifyEd25519 runs between the signature check and the approvals: mutate the granted calldata there.
    const mutating: CheckGrantOptions = {
      ...options(digest),
      verifyEd25519: (sig, msg, key) => {
        (g.request.payload as EvmTransactionPayload).data.fill(0xff);
        return ed25519Verify(sig, msg, key);
      },
    };
    expect(() => checkGrant(g, mutating)).not.toThrow();
  });
});

const ed25519Verify = (sig: Uint8Array, msg: Uint8Array, key: Uint8Array): boolean => ed25519.verify(sig, msg, key, { zip215: false });
describe('evm-transaction grants to the zero address are refused (funds burnt, not transferred)', () => {
  const ZERO = parseAddress('0x0000000000000000000000000000000000000000');
  const refusedField = (payload: unknown): string => {
    try {
      signGrant(unsignedGrantV2({ request: { ...EVM_REQUEST, payload } as never }), ENGINE_SEED);
    } catch (e) {
      if (e instanceof SignGrantInputError) return e.argument;
      throw e;
    }
    return 'accepted';
  };
  it('a native transfer to 0x0…0', () => {
    expect(refusedField({ ...NATIVE_PAYLOAD, to: ZERO })).toBe('request.payload.to');
  });
  it('an ERC-20 transfer whose token contract is 0x0…0', () => {
    expect(refusedField({ ...ERC20_PAYLOAD, to: ZERO })).toBe('request.payload.to');
  });
});
