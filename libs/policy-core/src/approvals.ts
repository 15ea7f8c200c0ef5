/**
 * Approvals: the canonical message an approver signs (Ed25519), its verification, and quorum counting.
 * Pure: time is an argument.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { CanonicalWriter } from '@custody/crypto-kit/canonical';
import { PolicyInputError } from './errors';
import { checkId, lookup } from './request';
import type { ApprovalStatus, Approver, GroupApprovalTrace, IgnoredApproval, PolicyDocument, PolicyRequest, RequireApprovalsAction, SubmittedApproval } from './types';
import { parseDuration } from './units';

export const APPROVAL_DOMAIN = 'custody/policy-approval/v1';
const HASH_PATTERN = /^[0-9a-f]{64}$/;

export interface ApprovalSubject {
  readonly requestId: string;
  /** 32 bytes: `policyRequestDigest(request)` (or a proposal's digest). */
  readonly requestDigest: Uint8Array;
  readonly policyVersion: number;
  /** Lowercase hex SHA-256, 64 digits. */
  readonly policyHash: string;
  readonly decision: 'approve' | 'reject';
}

/**
 * The bytes an approver signs: `len ‖ "custody/policy-approval/v1"`, then length-prefixed labelled
 * fields `request-id`, `request-digest` (32 bytes), `policy-version` (u64), `policy-hash` (hex text),
 * `decision` (`approve` | `reject`). Distinct subjects never encode alike.
 */
export function approvalMessage(subject: ApprovalSubject): Uint8Array {
  checkId(subject.requestId, 'subject.requestId');
  if (!(subject.requestDigest instanceof Uint8Array) || subject.requestDigest.length !== 32) throw new PolicyInputError('subject.requestDigest', 'must be 32 bytes');
  if (!Number.isSafeInteger(subject.policyVersion) || subject.policyVersion < 1) throw new PolicyInputError('subject.policyVersion', 'must be a positive integer');
  if (typeof subject.policyHash !== 'string' || !HASH_PATTERN.test(subject.policyHash)) throw new PolicyInputError('subject.policyHash', 'must be 64 lowercase hex digits');
  if (subject.decision !== 'approve' && subject.decision !== 'reject') throw new PolicyInputError('subject.decision', 'must be approve or reject');
  return new CanonicalWriter(APPROVAL_DOMAIN)
    .string('request-id', subject.requestId)
    .bytes('request-digest', subject.requestDigest)
    .u64('policy-version', subject.policyVersion)
    .string('policy-hash', subject.policyHash)
    .string('decision', subject.decision)
    .finish();
}

/** Signs an approval subject (for approver tools and tests). */
export function signApproval(subject: ApprovalSubject, secretKey: Uint8Array): Uint8Array {
  if (!(secretKey instanceof Uint8Array) || secretKey.length !== 32) throw new PolicyInputError('secretKey', 'must be a 32-byte Ed25519 secret key');
  return ed25519.sign(approvalMessage(subject), secretKey);
}

/** True when `signature` is a valid Ed25519 signature by `publicKey` over the subject; never throws on bad bytes. */
export function verifyApproval(subject: ApprovalSubject, signature: Uint8Array, publicKey: Uint8Array): boolean {
  if (!(signature instanceof Uint8Array) || signature.length !== 64) return false;
  if (!(publicKey instanceof Uint8Array) || publicKey.length !== 32) return false;
  try {
    return ed25519.verify(signature, approvalMessage(subject), publicKey, { zip215: false });
  } catch {
    return false;
  }
}

/** An approver is the initiator when its id is the initiator's, or it is linked to the initiator's client id. */
export function isSelf(approverId: string, approver: Approver | undefined, initiatorId: string): boolean {
  return approverId === initiatorId || (approver?.clientIds ?? []).includes(initiatorId);
}

export interface CountInput {
  readonly action: RequireApprovalsAction;
  readonly document: PolicyDocument;
  readonly policy: { readonly version: number; readonly hash: string };
  readonly request: PolicyRequest;
  readonly requestDigest: Uint8Array;
  readonly approvals: readonly SubmittedApproval[];
  readonly approvers: ReadonlyMap<string, Approver> | Readonly<Record<string, Approver>> | undefined;
}

/**
 * Counts approvals for a require-approvals action. Only valid signatures of registered, distinct
 * approvers (distinct ids and distinct public keys) who are members of a required group count; an approval for another version or hash, one
 * received after the expiry (request `createdAt` + `expiry`), or the initiator's own (unless allowed)
 * does not. A valid rejection by a member of a required group rejects, whenever it came. With
 * `all-of`, one approver counts toward one group only (a person in two groups is not two people);
 * the assignment that satisfies the most quorums is found exactly (bipartite matching).
 */
export function countApprovals(input: CountInput): ApprovalStatus {
  const { action, document, policy, request, requestDigest, approvers } = input;
  const expiryMs = parseDuration(action.expiry);
  if (expiryMs === undefined) throw new PolicyInputError('action.expiry', 'is not a valid duration');
  const expiresAt = request.createdAt + expiryMs;
  const required = action.groups.map((g) => ({ ...g, members: new Set(document.approverGroups[g.group]?.members ?? []) }));
  const inRequiredGroup = (id: string): boolean => required.some((g) => g.members.has(id));
  const ignored: IgnoredApproval[] = [];
  const counted = new Set<string>();
  const countedKeys = new Set<string>();
  let rejectedBy: string | null = null;
  const at = (a: SubmittedApproval | null | undefined): number => (typeof a?.receivedAt === 'number' && Number.isFinite(a.receivedAt) ? a.receivedAt : 0);
  const ordered = [...input.approvals].map((a, i) => ({ a, i })).sort((x, y) => at(x.a) - at(y.a) || x.i - y.i);
  for (const { a } of ordered) {
    const approverId = typeof a?.approverId === 'string' ? a.approverId : '';
    if (
      a === null ||
      typeof a !== 'object' ||
      approverId === '' ||
      (a.decision !== 'approve' && a.decision !== 'reject') ||
      !(a.signature instanceof Uint8Array) ||
      !Number.isSafeInteger(a.receivedAt) ||
      !Number.isSafeInteger(a.policyVersion) ||
      typeof a.policyHash !== 'string'
    ) {
      ignored.push({ approverId: approverId.slice(0, 128), reason: 'malformed' });
      continue;
    }
    const found: unknown = lookup(approvers, approverId);
    const approver = typeof found === 'object' && found !== null && (found as Approver).publicKey instanceof Uint8Array ? (found as Approver) : undefined;
    if (approver === undefined) {
      ignored.push({ approverId: approverId.slice(0, 128), reason: 'unknown-approver' });
      continue;
    }
    if (a.policyVersion !== policy.version || a.policyHash !== policy.hash) {
      ignored.push({ approverId, reason: 'other-policy-version' });
      continue;
    }
    const subject: ApprovalSubject = { requestId: request.id, requestDigest, policyVersion: policy.version, policyHash: policy.hash, decision: a.decision };
    if (!verifyApproval(subject, a.signature, approver.publicKey)) {
      ignored.push({ approverId, reason: 'bad-signature' });
      continue;
    }
    if (!inRequiredGroup(approverId)) {
      ignored.push({ approverId, reason: 'not-in-required-group' });
      continue;
    }
    if (a.decision === 'reject') {
      if (rejectedBy === null) rejectedBy = approverId;
      continue;
    }
    // One person, one key: a second registry id with a key already counted is a duplicate too.
    const keyHex = bytesToHex(approver.publicKey);
    if (counted.has(approverId) || countedKeys.has(keyHex)) {
      ignored.push({ approverId, reason: 'duplicate' });
      continue;
    }
    if (!action.allowSelfApproval && isSelf(approverId, approver, request.initiator.id)) {
      ignored.push({ approverId, reason: 'self-approval' });
      continue;
    }
    // Expiring at T means invalid at T (as sign grants and the ledger's holds): received at expiresAt is late.
    if (a.receivedAt >= expiresAt) {
      ignored.push({ approverId, reason: 'expired' });
      continue;
    }
    counted.add(approverId);
    countedKeys.add(keyHex);
  }
  const approvedBy = required.map((g) => [...counted].filter((id) => g.members.has(id)).sort());
  let satisfied: boolean[];
  if (action.combinator === 'any-of') {
    satisfied = required.map((g, i) => approvedBy[i]!.length >= g.quorum);
  } else {
    satisfied = assign(
      required.map((g) => g.quorum),
      approvedBy,
    );
  }
  const groups: GroupApprovalTrace[] = required.map((g, i) => ({ group: g.group, quorum: g.quorum, approvedBy: approvedBy[i]!, satisfied: satisfied[i]! }));
  const complete = rejectedBy === null && (action.combinator === 'any-of' ? satisfied.some(Boolean) : satisfied.every(Boolean));
  return { combinator: action.combinator, groups, expiresAt, allowSelfApproval: action.allowSelfApproval, rejectedBy, ignored, complete };
}

/**
 * Assigns each approver to at most one group (group i needs quorum[i]) maximizing the filled seats
 * (augmenting paths over group seats); returns which groups are filled.
 */
function assign(quorum: readonly number[], candidates: readonly (readonly string[])[]): boolean[] {
  const seats: { group: number }[] = [];
  quorum.forEach((q, g) => {
    for (let k = 0; k < q; k++) seats.push({ group: g });
  });
  const holder = new Map<string, number>(); // approver -> the seat it holds
  const canSit = (approver: string, seat: number): boolean => candidates[seats[seat]!.group]!.includes(approver);
  const approversAll = [...new Set(candidates.flat())].sort();
  // Kuhn's algorithm: seat `s` takes `approver` if the approver is free or its seat finds another.
  const tryAssign = (seat: number, visited: Set<string>): boolean => {
    for (const approver of approversAll) {
      if (!canSit(approver, seat) || visited.has(approver)) continue;
      visited.add(approver);
      const current = holder.get(approver);
      if (current === undefined || tryAssign(current, visited)) {
        holder.set(approver, seat);
        return true;
      }
    }
    return false;
  };
  for (let s = 0; s < seats.length; s++) tryAssign(s, new Set());
  const filled = quorum.map(() => 0);
  for (const seat of holder.values()) filled[seats[seat]!.group]!++;
  return quorum.map((q, g) => filled[g]! >= q);
}
