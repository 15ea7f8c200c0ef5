/**
 * Test-only builders and keys for the policy-core specs. The keys are derived from public labels:
 * TEST ONLY, never use them anywhere else.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import {
  POLICY_FORMAT,
  policyRequestDigest,
  signApproval,
  type Approver,
  type CompiledPolicy,
  type EvaluationContext,
  type PolicyDocument,
  type PolicyRequest,
  type PolicyRule,
  type SubmittedApproval,
} from '../src';

export function testOnlySecretKey(label: string): Uint8Array {
  return sha256(utf8ToBytes(`policy-core TEST ONLY key: ${label}`));
}

export function testOnlyPublicKey(label: string): Uint8Array {
  return ed25519.getPublicKey(testOnlySecretKey(label));
}

export const testOnlyPublicKeyHex = (label: string): string => bytesToHex(testOnlyPublicKey(label));

export function approversFor(ids: readonly string[], extra: Record<string, Partial<Approver>> = {}): Map<string, Approver> {
  return new Map(ids.map((id) => [id, { publicKey: testOnlyPublicKey(id), ...extra[id] }]));
}

export function doc(rules: PolicyRule[], approverGroups: PolicyDocument['approverGroups'] = {}): PolicyDocument {
  return { format: POLICY_FORMAT, metadata: { name: 'test' }, approverGroups, rules };
}

export function rule(id: string, overrides: Partial<PolicyRule> = {}): PolicyRule {
  return { id, match: { operation: ['withdrawal'] }, action: { type: 'allow' }, ...overrides };
}

export const ADDRESS_BOOK = [
  { id: 'cold-1', chainId: 1, address: '0x00000000000000000000000000000000000000c1', tags: ['cold', 'internal'] },
  { id: 'exchange-1', chainId: 1, address: '0x00000000000000000000000000000000000000e1', tags: ['exchange'] },
];

export function withdrawal(overrides: Partial<PolicyRequest> = {}): PolicyRequest {
  return {
    id: 'req-1',
    operation: 'withdrawal',
    createdAt: 1_000_000,
    initiator: { id: 'client-a', groups: ['traders'] },
    source: { walletId: 'wallet-hot', tags: ['hot'] },
    destination: { address: ADDRESS_BOOK[0]!.address, chainId: 1 },
    asset: { id: 'ETH', decimals: 18 },
    amount: 10n ** 18n,
    chainId: 1,
    ...overrides,
  };
}

export function context(overrides: Partial<EvaluationContext> = {}): EvaluationContext {
  return { now: 1_000_100, addressBook: ADDRESS_BOOK, velocityUsage: new Map(), ...overrides };
}

/** A signed approval by a test-only key for the request under the compiled policy. */
export function approval(
  compiled: CompiledPolicy,
  request: PolicyRequest,
  approverId: string,
  opts: { decision?: 'approve' | 'reject'; receivedAt?: number; signer?: string; version?: number; hash?: string } = {},
): SubmittedApproval {
  const decision = opts.decision ?? 'approve';
  const policyVersion = opts.version ?? compiled.version;
  const policyHash = opts.hash ?? compiled.hash;
  const signature = signApproval(
    { requestId: request.id, requestDigest: policyRequestDigest(request), policyVersion, policyHash, decision },
    testOnlySecretKey(opts.signer ?? approverId),
  );
  return { approverId, decision, policyVersion, policyHash, signature, receivedAt: opts.receivedAt ?? request.createdAt + 10 };
}

/** JSON with bigints as strings, for readable failure output. */
export const show = (v: unknown): string => JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
