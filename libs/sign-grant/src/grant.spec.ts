import { ed25519 } from '@noble/curves/ed25519.js';
import { createHash, createPublicKey, verify as nodeVerify } from 'node:crypto';
import { keccak256 } from 'ethers';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import {
  approveRequest,
  checkGrant,
  encodeSignRequest,
  grantSigningBytes,
  GrantRefused,
  requestDigest,
  signGrant,
  SignGrantInputError,
  signingInput,
  type CheckGrantOptions,
  type GrantRefusalReason,
  type SignGrant,
  type SignRequest,
} from './index';
import {
  approval,
  APPROVER_KEYS,
  ENGINE_PUBLIC,
  EXPIRES_AT,
  grant,
  ISSUED_AT,
  REQUEST,
  testOnlyPublic,
  testOnlySeed,
  unsignedGrant,
} from '../test/test-only-fixtures';

const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const nodeEd25519Public = (raw: Uint8Array) =>
  createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });

function options(overrides: Partial<CheckGrantOptions> = {}): CheckGrantOptions {
  return {
    enginePublicKey: ENGINE_PUBLIC,
    approverKeys: APPROVER_KEYS,
    now: ISSUED_AT + 1000,
    requestedSigningInput: signingInput(REQUEST.payload, REQUEST.scheme),
    ...overrides,
  };
}

function refusal(fn: () => unknown): GrantRefused {
  try {
    fn();
  } catch (e) {
    if (e instanceof GrantRefused) return e;
    throw new Error('expected GrantRefused', { cause: e });
  }
  throw new Error('expected GrantRefused, the grant was accepted');
}

describe('signingInput', () => {
  const msg = utf8ToBytes('hello custody');
  it('hashes ECDSA messages with SHA-256 or Keccak-256 (checked by node:crypto and ethers)', () => {
    expect(hex(signingInput({ kind: 'message', hash: 'sha256', message: msg }, 'ecdsa'))).toBe(createHash('sha256').update(msg).digest('hex'));
    expect('0x' + hex(signingInput({ kind: 'message', hash: 'keccak256', message: msg }, 'ecdsa'))).toBe(keccak256(msg));
    const digest = new Uint8Array(32).fill(9);
    expect(signingInput({ kind: 'message', hash: 'none', message: digest }, 'ecdsa')).toEqual(digest);
  });

  it('passes EdDSA and Schnorr messages through, with the scheme rules', () => {
    expect(signingInput({ kind: 'message', hash: 'none', message: msg }, 'eddsa')).toEqual(msg);
    expect(signingInput({ kind: 'message', hash: 'none', message: new Uint8Array(0) }, 'eddsa')).toHaveLength(0);
    expect(signingInput({ kind: 'message', hash: 'none', message: new Uint8Array(32) }, 'schnorr')).toHaveLength(32);
    expect(() => signingInput({ kind: 'message', hash: 'none', message: msg }, 'ecdsa')).toThrow(/32 bytes for ECDSA/);
    expect(() => signingInput({ kind: 'message', hash: 'sha256', message: msg }, 'eddsa')).toThrow(/'none' for EdDSA/);
    expect(() => signingInput({ kind: 'message', hash: 'none', message: new Uint8Array(31) }, 'schnorr')).toThrow(/BIP340/);
    expect(() => signingInput({ kind: 'message', hash: 'md5' as 'none', message: msg }, 'eddsa')).toThrow(SignGrantInputError);
  });
});

describe('requestDigest and approvals', () => {
  it('changes with every field, and moving characters between fields changes it', () => {
    const d = hex(requestDigest(REQUEST));
    const variants: SignRequest[] = [
      { ...REQUEST, requestId: REQUEST.requestId + 'x' },
      { ...REQUEST, keyId: 'key-ecdsa-0002' },
      { ...REQUEST, scheme: 'eddsa', payload: { ...REQUEST.payload, hash: 'none' } },
      { ...REQUEST, derivationPath: [0, 8] },
      { ...REQUEST, derivationPath: [0, 7, 0] },
      { ...REQUEST, derivationPath: [] },
      { ...REQUEST, payload: { ...REQUEST.payload, hash: 'sha256' } },
      { ...REQUEST, payload: { ...REQUEST.payload, message: utf8ToBytes('TEST-ONLY withdrawal 1.6 ETH to 0xabc') } },
    ];
    for (const v of variants) expect(hex(requestDigest(v))).not.toBe(d);
    const a = { ...REQUEST, requestId: 'ab', keyId: 'c' };
    const b = { ...REQUEST, requestId: 'a', keyId: 'bc' };
    expect(hex(encodeSignRequest(a))).not.toBe(hex(encodeSignRequest(b)));
  });

  it('approver and engine signatures verify with node:crypto', () => {
    const sig = approveRequest(REQUEST, testOnlySeed('alice'));
    expect(nodeVerify(null, requestDigest(REQUEST), nodeEd25519Public(testOnlyPublic('alice')), sig)).toBe(true);
    const g = grant();
    expect(nodeVerify(null, grantSigningBytes(g), nodeEd25519Public(ENGINE_PUBLIC), g.engineSignature)).toBe(true);
  });

  it('validates requests and grants when signing, naming the field', () => {
    const bad: Array<[string, () => unknown, RegExp]> = [
      ['request id with a space', () => approveRequest({ ...REQUEST, requestId: 'a b' }, testOnlySeed('a')), /request\.requestId/],
      ['empty request id', () => approveRequest({ ...REQUEST, requestId: '' }, testOnlySeed('a')), /request\.requestId/],
      ['129-character request id', () => approveRequest({ ...REQUEST, requestId: 'a'.repeat(129) }, testOnlySeed('a')), /request\.requestId/],
      ['hardened index', () => approveRequest({ ...REQUEST, derivationPath: [2 ** 31] }, testOnlySeed('a')), /derivationPath\[0\]/],
      ['negative index', () => approveRequest({ ...REQUEST, derivationPath: [-1] }, testOnlySeed('a')), /derivationPath\[0\]/],
      ['unknown scheme', () => approveRequest({ ...REQUEST, scheme: 'rsa' as 'ecdsa' }, testOnlySeed('a')), /request\.scheme/],
      ['extra request field', () => approveRequest({ ...REQUEST, amount: 1 } as SignRequest, testOnlySeed('a')), /request\.amount: unknown field/],
      ['short approver key', () => approveRequest(REQUEST, new Uint8Array(16)), /approverSecretKey/],
      ['expiry before issue', () => signGrant(unsignedGrant({ expiresAt: ISSUED_AT }), testOnlySeed('policy-engine')), /unsigned\.expiresAt/],
      ['fractional time', () => signGrant(unsignedGrant({ issuedAt: 1.5 }), testOnlySeed('policy-engine')), /unsigned\.issuedAt/],
      ['policy version with a slash', () => signGrant(unsignedGrant({ policyVersion: 'a/b' }), testOnlySeed('policy-engine')), /policyVersion/],
      ['required approvals 65', () => signGrant(unsignedGrant({ requiredApprovals: 65 }), testOnlySeed('policy-engine')), /requiredApprovals/],
      ['short approval signature', () => signGrant(unsignedGrant({ approvals: [{ approverId: 'alice@ops', signature: new Uint8Array(63) }] }), testOnlySeed('policy-engine')), /approvals\[0\]\.signature/],
    ];
    for (const [, fn, message] of bad) {
      expect(fn).toThrow(SignGrantInputError);
      expect(fn).toThrow(message);
    }
  });
});

describe('checkGrant', () => {
  it('accepts a valid grant from its issue time to just before its expiry', () => {
    const g = grant();
    for (const now of [ISSUED_AT, ISSUED_AT + 1, EXPIRES_AT - 1]) expect(() => checkGrant(g, options({ now }))).not.toThrow();
  });

  it('accepts EdDSA and Schnorr grants against their message', () => {
    const msg = utf8ToBytes('TEST-ONLY EdDSA message');
    const eddsa: SignRequest = { ...REQUEST, scheme: 'eddsa', payload: { kind: 'message', hash: 'none', message: msg } };
    const g1 = grant({ request: eddsa, approvals: [approval('alice', 'alice@ops', eddsa), approval('carol', 'carol@risk', eddsa)] });
    expect(() => checkGrant(g1, options({ requestedSigningInput: msg }))).not.toThrow();
    const schnorr: SignRequest = { ...REQUEST, scheme: 'schnorr', payload: { kind: 'message', hash: 'none', message: new Uint8Array(32).fill(3) } };
    const g2 = grant({ request: schnorr, approvals: [approval('bob', 'bob@ops', schnorr), approval('carol', 'carol@risk', schnorr)] });
    expect(() => checkGrant(g2, options({ requestedSigningInput: new Uint8Array(32).fill(3) }))).not.toThrow();
  });

  const cases: Array<[GrantRefusalReason, string, () => unknown]> = [
    ['expired', 'at its expiry time', () => checkGrant(grant(), options({ now: EXPIRES_AT }))],
    ['expired', 'a day later', () => checkGrant(grant(), options({ now: EXPIRES_AT + 86_400_000 }))],
    ['not-yet-valid', 'issued beyond the clock skew ahead of now', () => checkGrant(grant(), options({ now: ISSUED_AT - 30_001 }))],
    ['lifetime-too-long', 'valid for a day', () => checkGrant(grant({ expiresAt: ISSUED_AT + 86_400_000 }), options())],
    ['lifetime-too-long', 'longer than the signer allows', () => checkGrant(grant(), options({ maxLifetimeMs: 60_000 }))],
    ['bad-engine-signature', 'signed by the wrong key', () => checkGrant(grant({}, testOnlySeed('mallory')), options())],
    ['bad-engine-signature', 'a flipped signature bit', () => {
      const g = grant();
      const sig = Uint8Array.from(g.engineSignature);
      sig[3]! ^= 1;
      return checkGrant({ ...g, engineSignature: sig }, options());
    }],
    ['bad-engine-signature', 'its expiry extended after signing', () => checkGrant({ ...grant(), expiresAt: EXPIRES_AT + 60_000 }, options())],
    ['bad-engine-signature', 'its quorum lowered after signing', () => checkGrant({ ...grant(), requiredApprovals: 1 }, options())],
    ['bad-engine-signature', 'an approval dropped after signing', () => {
      const g = grant({ requiredApprovals: 1 });
      return checkGrant({ ...g, approvals: g.approvals.slice(1) }, options());
    }],
    ['bad-engine-signature', 'its policy version changed', () => checkGrant({ ...grant(), policyVersion: 'policy-8' }, options())],
    ['bad-engine-signature', 'its request replaced after signing', () =>
      checkGrant({ ...grant(), request: { ...REQUEST, derivationPath: [0, 8] } }, options())],
    ['digest-mismatch', 'replayed for another digest', () =>
      checkGrant(grant(), options({ requestedSigningInput: signingInput({ ...REQUEST.payload, message: utf8ToBytes('other') }, 'ecdsa') }))],
    ['digest-mismatch', 'asked to sign the raw message instead of its digest', () =>
      checkGrant(grant(), options({ requestedSigningInput: REQUEST.payload.message }))],
    ['unknown-approver', 'an approver this signer does not pin', () =>
      checkGrant(grant({ approvals: [approval('alice', 'alice@ops'), approval('dave', 'dave@ops')] }), options())],
    ['bad-approval-signature', "carol's signature under alice's id", () =>
      checkGrant(grant({ approvals: [approval('carol', 'alice@ops'), approval('bob', 'bob@ops')] }), options())],
    ['bad-approval-signature', 'an approval of another request', () =>
      checkGrant(grant({ approvals: [approval('alice', 'alice@ops', { ...REQUEST, requestId: 'wd-2026-000041' }), approval('bob', 'bob@ops')] }), options())],
    ['duplicate-approver', 'the same approver twice', () =>
      checkGrant(grant({ approvals: [approval('alice', 'alice@ops'), approval('alice', 'alice@ops')] }), options())],
    ['insufficient-approvals', 'one approval of two required', () => checkGrant(grant({ approvals: [approval('alice', 'alice@ops')] }), options())],
    ['insufficient-approvals', 'no approvals and a stated quorum of 0 (signer floor 1)', () =>
      checkGrant(grant({ approvals: [], requiredApprovals: 0 }), options())],
    ['insufficient-approvals', 'a quorum below the signer floor', () =>
      checkGrant(grant({ approvals: [approval('alice', 'alice@ops')], requiredApprovals: 1 }), options({ minApprovals: 2 }))],
    ['insufficient-approvals', 'two ids pinned to one key (counted once)', () =>
      checkGrant(
        grant({ approvals: [approval('alice', 'alice@ops'), approval('alice', 'alice@desk')] }),
        options({ approverKeys: new Map([['alice@ops', testOnlyPublic('alice')], ['alice@desk', testOnlyPublic('alice')]]) }),
      )],
    ['malformed', 'a missing field', () => {
      const { policyVersion: _p, ...g } = grant();
      return checkGrant(g as SignGrant, options());
    }],
    ['malformed', 'a short engine signature', () => checkGrant({ ...grant(), engineSignature: new Uint8Array(63) }, options())],
    ['malformed', 'version 2', () => checkGrant({ ...grant(), version: 2 as 1 }, options())],
    ['malformed', 'not an object', () => checkGrant(null as unknown as SignGrant, options())],
  ];
  it.each(cases)('refuses %s: %s', (reason, _name, fn) => {
    expect(refusal(fn).reason).toBe(reason);
  });

  it('counts distinct pinned approvers: three of three pass a quorum of three, and the stated quorum binds', () => {
    const three = [approval('alice', 'alice@ops'), approval('bob', 'bob@ops'), approval('carol', 'carol@risk')];
    expect(() => checkGrant(grant({ approvals: three, requiredApprovals: 3 }), options())).not.toThrow();
    expect(refusal(() => checkGrant(grant({ approvals: three.slice(0, 2), requiredApprovals: 3 }), options())).reason).toBe('insufficient-approvals');
    expect(() => checkGrant(grant({ approvals: [], requiredApprovals: 0 }), options({ minApprovals: 0 }))).not.toThrow();
  });

  it('tolerates issue times slightly ahead of the signer clock, within maxClockSkewMs', () => {
    expect(() => checkGrant(grant(), options({ now: ISSUED_AT - 30_000 }))).not.toThrow();
    expect(refusal(() => checkGrant(grant(), options({ now: ISSUED_AT - 1, maxClockSkewMs: 0 }))).reason).toBe('not-yet-valid');
  });

  it('refuses bad options (the signer\'s own configuration) with SignGrantInputError', () => {
    expect(() => checkGrant(grant(), options({ enginePublicKey: new Uint8Array(32) }))).toThrow(SignGrantInputError);
    expect(() => checkGrant(grant(), options({ approverKeys: new Map([['x', new Uint8Array(31)]]) }))).toThrow(/options\.approverKeys/);
    expect(() => checkGrant(grant(), options({ now: -1 }))).toThrow(/options\.now/);
    expect(() => checkGrant(grant(), options({ maxLifetimeMs: 0 }))).toThrow(/options\.maxLifetimeMs/);
    expect(() => checkGrant(grant(), options({ requestedSigningInput: 'x' as unknown as Uint8Array }))).toThrow(SignGrantInputError);
  });

  it('does not keep references to the caller\'s buffers when signing', () => {
    const message = utf8ToBytes('TEST-ONLY mutable message');
    const request: SignRequest = { ...REQUEST, payload: { kind: 'message', hash: 'sha256', message } };
    const g = grant({ request, approvals: [approval('alice', 'alice@ops', request), approval('bob', 'bob@ops', request)] });
    const input = signingInput(request.payload, 'ecdsa');
    message[0]! ^= 1;
    expect(() => checkGrant(g, options({ requestedSigningInput: input }))).not.toThrow();
  });
});

describe('sparse arrays', () => {
  it('refuses holes in the derivation path or the approvals as malformed, not with a TypeError', () => {
    const holes = new Array<number>(2);
    holes[1] = 7;
    const g = grant();
    expect(refusal(() => checkGrant({ ...g, request: { ...g.request, derivationPath: holes } }, options())).reason).toBe('malformed');
    const approvals = [...g.approvals];
    approvals.length = 3;
    expect(refusal(() => checkGrant({ ...g, approvals }, options())).reason).toBe('malformed');
  });
});

describe('checkGrant with an injected Ed25519 verifier', () => {
  it('uses it for the engine signature', () => {
    const engine = ed25519.utils.randomSecretKey();
    const approver = ed25519.utils.randomSecretKey();
    const request = { requestId: 'r-1', keyId: 'k-1', scheme: 'eddsa' as const, derivationPath: [], payload: { kind: 'message' as const, message: new Uint8Array([1, 2, 3]), hash: 'none' as const } };
    const grant = signGrant(
      { version: 1, request, policyVersion: 'p1', approvals: [{ approverId: 'a', signature: approveRequest(request, approver) }], requiredApprovals: 1, issuedAt: 1000, expiresAt: 2000 },
      engine,
    );
    const options = { enginePublicKey: ed25519.getPublicKey(engine), approverKeys: new Map([['a', ed25519.getPublicKey(approver)]]), now: 1500, requestedSigningInput: signingInput(request.payload, 'eddsa') };
    expect(() => checkGrant(grant, options)).not.toThrow();
    expect(() => checkGrant(grant, { ...options, verifyEd25519: () => false })).toThrow('bad-engine-signature');
  });
});
