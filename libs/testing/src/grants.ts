import * as fs from 'node:fs';
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { approveRequest, encodeSignGrant, signGrant, signingInput, type SignPayload, type SignRequest, type SignScheme } from '@custody/sign-grant';

/** A TEST-ONLY approver: an id and a fresh Ed25519 key. */
export interface TestApprover {
  readonly id: string;
  readonly seed: Uint8Array;
  readonly publicKeyHex: string;
}

export function testApprovers(count: number): TestApprover[] {
  return Array.from({ length: count }, (_, i) => {
    const seed = randomBytes(32);
    return { id: `approver-${i + 1}`, seed, publicKeyHex: bytesToHex(ed25519.getPublicKey(seed)) };
  });
}

/** APPROVER_KEYS for the signers' environment. */
export function approverKeysEnv(approvers: readonly TestApprover[]): string {
  return JSON.stringify(Object.fromEntries(approvers.map((a) => [a.id, a.publicKeyHex])));
}

export interface TestGrantOptions {
  readonly engineSeedFile: string;
  readonly approvers: readonly TestApprover[];
  readonly keyId: string;
  readonly scheme: SignScheme;
  /** A `message` payload's message (or give `payload`). */
  readonly message?: Uint8Array;
  readonly hash?: 'sha256' | 'keccak256' | 'none';
  /** Any payload, e.g. an `evm-transaction` (then the grant is version 2). */
  readonly payload?: SignPayload;
  /** Grant version, default 1 for a message, 2 for any other payload. */
  readonly version?: 1 | 2;
  readonly requestId?: string;
  readonly derivationPath?: number[];
  readonly issuedAt?: number;
  readonly lifetimeMs?: number;
  readonly requiredApprovals?: number;
  /** Sign with this seed instead of the engine's (a forged grant). */
  readonly engineSeed?: Uint8Array;
}

/**
 * Test support standing in for the policy engine until it exists: a grant signed with the local
 * policy engine key, approved by the given TEST-ONLY approvers. The signers check it for real.
 */
export function makeTestGrant(o: TestGrantOptions): { grant: Uint8Array; signingInput: Uint8Array; request: SignRequest } {
  let payload: SignPayload;
  if (o.payload) payload = o.payload;
  else if (o.message) payload = { kind: 'message', message: o.message, hash: o.hash ?? (o.scheme === 'ecdsa' ? 'sha256' : 'none') };
  else throw new Error('makeTestGrant: give a message or a payload');
  const version = o.version ?? (payload.kind === 'message' ? 1 : 2);
  const request: SignRequest = {
    requestId: o.requestId ?? `req-${bytesToHex(randomBytes(8))}`,
    keyId: o.keyId,
    scheme: o.scheme,
    derivationPath: o.derivationPath ?? [],
    payload,
  };
  const issuedAt = o.issuedAt ?? Date.now();
  const engineSeed = o.engineSeed ?? Uint8Array.from(Buffer.from(fs.readFileSync(o.engineSeedFile, 'utf8').trim(), 'hex'));
  const common = {
    request,
    policyVersion: 'test-policy-1',
    approvals: o.approvers.map((a) => ({ approverId: a.id, signature: approveRequest(request, a.seed) })),
    requiredApprovals: o.requiredApprovals ?? o.approvers.length,
    issuedAt,
    expiresAt: issuedAt + (o.lifetimeMs ?? 60_000),
  };
  // A TEST-ONLY policy content hash: what a policy engine would put there is the hash of its policy document.
  const grant = signGrant(version === 1 ? { version: 1, ...common } : { version: 2, ...common, policyHash: sha256(new TextEncoder().encode('TEST-ONLY test-policy-1')) }, engineSeed);
  return { grant: new TextEncoder().encode(encodeSignGrant(grant)), signingInput: signingInput(payload, o.scheme), request };
}
