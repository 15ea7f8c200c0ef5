/**
 * The external decision hook's messages. The engine POSTs `hookRequestBody(...)` (signed by the
 * engine's key, in a header of the engine's choosing); the hook answers `{ verdict, signature }`
 * where `signature` is Ed25519 by the hook's pinned key over `hookAnswerMessage(...)`. Binding the
 * request id, its digest, the rule and the policy version into the answer means an answer can never
 * be replayed for another request, rule or version.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { CanonicalWriter } from '@custody/crypto-kit/canonical';
import { PolicyInputError } from './errors';
import { canonicalJson } from './hash';
import { checkId, policyRequestDigest } from './request';
import type { ExternalHook, PolicyRequest } from './types';

export const HOOK_ANSWER_DOMAIN = 'custody/policy-hook-answer/v1';
export type HookVerdict = 'approve' | 'reject' | 'retry';

export interface HookSubject {
  readonly request: PolicyRequest;
  readonly ruleId: string;
  readonly policyVersion: number;
  readonly policyHash: string;
}

/** The JSON body the engine POSTs: canonical JSON, amounts as decimal strings, the digest in hex. */
export function hookRequestBody(subject: HookSubject): string {
  const { request } = subject;
  checkSubject(subject);
  return canonicalJson({
    type: 'custody.policy.hook-request/v1',
    ruleId: subject.ruleId,
    policy: { version: subject.policyVersion, hash: subject.policyHash },
    requestDigest: bytesToHex(policyRequestDigest(request)),
    request: {
      id: request.id,
      operation: request.operation,
      createdAt: request.createdAt,
      initiator: { id: request.initiator.id, groups: [...request.initiator.groups] },
      source: request.source === undefined ? null : { walletId: request.source.walletId, tags: [...request.source.tags] },
      destination: request.destination === undefined ? null : { address: request.destination.address, chainId: request.destination.chainId },
      asset: request.asset === undefined ? null : { id: request.asset.id, decimals: request.asset.decimals },
      amount: request.amount === undefined ? null : request.amount.toString(),
      chainId: request.chainId ?? null,
      attributes: request.attributes ?? {},
    },
  });
}

/** The bytes the hook signs for its verdict. */
export function hookAnswerMessage(subject: HookSubject, verdict: HookVerdict): Uint8Array {
  checkSubject(subject);
  if (verdict !== 'approve' && verdict !== 'reject' && verdict !== 'retry') throw new PolicyInputError('verdict', 'must be approve, reject or retry');
  return new CanonicalWriter(HOOK_ANSWER_DOMAIN)
    .string('request-id', subject.request.id)
    .bytes('request-digest', policyRequestDigest(subject.request))
    .string('rule-id', subject.ruleId)
    .u64('policy-version', subject.policyVersion)
    .string('policy-hash', subject.policyHash)
    .string('verdict', verdict)
    .finish();
}

/**
 * Checks a hook's answer against the rule's pinned key. Returns the verdict, or `unavailable` for
 * anything that is not a valid signed answer (the rule's fallback then applies). Never throws on a
 * bad answer.
 */
export function verifyHookAnswer(hook: ExternalHook, subject: HookSubject, answer: { readonly verdict: unknown; readonly signature: unknown }): HookVerdict | 'unavailable' {
  const verdict = answer?.verdict;
  if (verdict !== 'approve' && verdict !== 'reject' && verdict !== 'retry') return 'unavailable';
  const signature = answer.signature;
  if (!(signature instanceof Uint8Array) || signature.length !== 64) return 'unavailable';
  try {
    return ed25519.verify(signature, hookAnswerMessage(subject, verdict), hexToBytes(hook.publicKey), { zip215: false }) ? verdict : 'unavailable';
  } catch {
    return 'unavailable';
  }
}

function checkSubject(subject: HookSubject): void {
  checkId(subject.ruleId, 'subject.ruleId');
  if (!Number.isSafeInteger(subject.policyVersion) || subject.policyVersion < 1) throw new PolicyInputError('subject.policyVersion', 'must be a positive integer');
  if (typeof subject.policyHash !== 'string' || !/^[0-9a-f]{64}$/.test(subject.policyHash)) throw new PolicyInputError('subject.policyHash', 'must be 64 lowercase hex digits');
}
