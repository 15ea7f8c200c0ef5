/**
 * TEST-ONLY keys and grants. These seeds are public; never configure them anywhere but tests.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { utf8ToBytes } from '@noble/hashes/utils.js';
import { approveRequest, signGrant, type SignGrant, type SignRequest, type UnsignedSignGrant } from '../src';

export const testOnlySeed = (name: string): Uint8Array => sha256(utf8ToBytes(`TEST-ONLY sign-grant key ${name}`));
export const testOnlyPublic = (name: string): Uint8Array => ed25519.getPublicKey(testOnlySeed(name));

export const ENGINE_SEED = testOnlySeed('policy-engine');
export const ENGINE_PUBLIC = testOnlyPublic('policy-engine');
export const ISSUED_AT = 1_767_225_600_000; // 2026-01-01T00:00:00Z
export const EXPIRES_AT = ISSUED_AT + 5 * 60 * 1000;

export const APPROVER_KEYS: ReadonlyMap<string, Uint8Array> = new Map([
  ['alice@ops', testOnlyPublic('alice')],
  ['bob@ops', testOnlyPublic('bob')],
  ['carol@risk', testOnlyPublic('carol')],
]);

export const REQUEST: SignRequest = {
  requestId: 'wd-2026-000042',
  keyId: 'key-ecdsa-0001',
  scheme: 'ecdsa',
  derivationPath: [0, 7],
  payload: { kind: 'message', hash: 'keccak256', message: utf8ToBytes('TEST-ONLY withdrawal 1.5 ETH to 0xabc') },
};

export function approval(name: string, approverId: string, request: SignRequest = REQUEST) {
  return { approverId, signature: approveRequest(request, testOnlySeed(name)) };
}

export function unsignedGrant(overrides: Partial<UnsignedSignGrant> = {}): UnsignedSignGrant {
  return {
    version: 1,
    request: REQUEST,
    policyVersion: 'policy-7',
    approvals: [approval('alice', 'alice@ops'), approval('bob', 'bob@ops')],
    requiredApprovals: 2,
    issuedAt: ISSUED_AT,
    expiresAt: EXPIRES_AT,
    ...overrides,
  };
}

export function grant(overrides: Partial<UnsignedSignGrant> = {}, engineSeed = ENGINE_SEED): SignGrant {
  return signGrant(unsignedGrant(overrides), engineSeed);
}
