/**
 * Governance: the bootstrap document (first policy, admin set and quorum, registered keys) and the
 * admin-quorum check over a proposal. A proposal replaces the policy, or the bootstrap itself; either
 * takes effect only with a quorum of the CURRENT admins (so the admin set can only be changed by the
 * same quorum it would replace).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { CanonicalWriter } from '@custody/crypto-kit/canonical';
import { verifyApproval, type ApprovalSubject } from './approvals';
import { PolicyInputError, PolicyValidationError, pointer, preview, type ValidationIssue } from './errors';
import { canonicalJson } from './hash';
import { checkId, lookup } from './request';
import type { IgnoredApproval, PolicyDocument, SubmittedApproval } from './types';
import { ID_PATTERN } from './units';
import { deepFreeze, parsePolicyText, validatePolicy, type DocumentFormat } from './validate';

export const BOOTSTRAP_FORMAT = 'custody.bootstrap/v1';
const HASH_PATTERN = /^[0-9a-f]{64}$/;

export interface BootstrapDocument {
  readonly format: typeof BOOTSTRAP_FORMAT;
  readonly admins: { readonly members: readonly string[]; readonly quorum: number };
  /** Principal id (approver or admin) → Ed25519 public key, 64 lowercase hex digits. */
  readonly keys: Readonly<Record<string, string>>;
  /** The first policy (version 1). */
  readonly policy: PolicyDocument;
}

/** Validates a bootstrap document; issues carry JSON paths (the policy's under `/policy`). */
export function validateBootstrap(value: unknown): BootstrapDocument {
  const issues: ValidationIssue[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new PolicyValidationError([{ path: '', message: 'must be an object' }]);
  const v = value as Record<string, unknown>;
  for (const k of Object.keys(v)) if (!['format', 'admins', 'keys', 'policy'].includes(k)) issues.push({ path: pointer(k), message: 'unknown property' });
  if (v.format !== BOOTSTRAP_FORMAT) issues.push({ path: '/format', message: `must be ${JSON.stringify(BOOTSTRAP_FORMAT)}` });
  const keys = v.keys;
  const keyIds = new Set<string>();
  const keyOwners = new Map<string, string>();
  if (typeof keys !== 'object' || keys === null || Array.isArray(keys)) issues.push({ path: '/keys', message: 'must be an object of id → hex public key' });
  else {
    for (const [id, hex] of Object.entries(keys as Record<string, unknown>)) {
      if (!ID_PATTERN.test(id)) issues.push({ path: pointer('keys', id), message: 'is not a valid id' });
      if (typeof hex !== 'string' || !HASH_PATTERN.test(hex) || !isPoint(hex)) issues.push({ path: pointer('keys', id), message: 'is not an Ed25519 public key (64 lowercase hex digits, canonical, prime order)' });
      else if (keyOwners.has(hex)) issues.push({ path: pointer('keys', id), message: `is the key of ${preview(keyOwners.get(hex))} too (one key, one person)` });
      else keyOwners.set(hex, id);
      keyIds.add(id);
    }
  }
  const admins = v.admins as { members?: unknown; quorum?: unknown } | undefined;
  if (typeof admins !== 'object' || admins === null || Array.isArray(admins)) issues.push({ path: '/admins', message: 'must be an object with members and quorum' });
  else {
    for (const k of Object.keys(admins)) if (!['members', 'quorum'].includes(k)) issues.push({ path: pointer('admins', k), message: 'unknown property' });
    const members = admins.members;
    if (!Array.isArray(members) || members.length === 0 || members.length > 100) issues.push({ path: '/admins/members', message: 'must be 1..100 admin ids' });
    else {
      members.forEach((m: unknown, i) => {
        if (typeof m !== 'string' || !ID_PATTERN.test(m)) issues.push({ path: pointer('admins', 'members', i), message: `${preview(m)} is not a valid id` });
        else if (!keyIds.has(m)) issues.push({ path: pointer('admins', 'members', i), message: `admin ${m} has no key in /keys` });
        if (members.indexOf(m) !== i) issues.push({ path: pointer('admins', 'members', i), message: 'is listed twice' });
      });
    }
    const q = admins.quorum;
    if (typeof q !== 'number' || !Number.isInteger(q) || q < 1) issues.push({ path: '/admins/quorum', message: 'must be a positive integer' });
    else if (Array.isArray(members) && q > members.length) issues.push({ path: '/admins/quorum', message: `quorum ${q} exceeds the ${members.length} admin(s)` });
  }
  let policy: PolicyDocument | undefined;
  try {
    policy = validatePolicy(v.policy);
  } catch (err) {
    if (!(err instanceof PolicyValidationError)) throw err;
    issues.push(...err.issues.map((i) => ({ path: '/policy' + i.path, message: i.message })));
  }
  if (policy !== undefined) {
    for (const [g, group] of Object.entries(policy.approverGroups)) {
      group.members.forEach((m, i) => {
        if (!keyIds.has(m)) issues.push({ path: pointer('policy', 'approverGroups', g, 'members', i), message: `approver ${m} has no key in /keys` });
      });
    }
  }
  if (issues.length > 0) throw new PolicyValidationError(issues);
  return deepFreeze({ ...(structuredClone(value) as BootstrapDocument), policy: policy! });
}

export function parseBootstrap(text: string, format: DocumentFormat): BootstrapDocument {
  return validateBootstrap(parsePolicyText(text, format));
}

/** Lowercase hex SHA-256 of the bootstrap document's canonical JSON. */
export function bootstrapHash(doc: BootstrapDocument): string {
  return bytesToHex(sha256(new TextEncoder().encode(canonicalJson(doc))));
}

function isPoint(hex: string): boolean {
  try {
    // Strict decoding (RFC 8032), and a point of prime order: a small-order key is nobody's.
    const point = ed25519.Point.fromBytes(hexToBytes(hex), false);
    return !point.isSmallOrder() && point.isTorsionFree();
  } catch {
    return false;
  }
}

/** The bootstrap's keys as bytes, for `context.approvers` and the admin check. */
export function registeredKeys(doc: BootstrapDocument): Map<string, { publicKey: Uint8Array }> {
  return new Map(Object.entries(doc.keys).map(([id, hex]) => [id, { publicKey: hexToBytes(hex) }]));
}

export interface Proposal {
  /** 1..128 characters of [A-Za-z0-9._:@-]. */
  readonly id: string;
  readonly kind: 'policy' | 'bootstrap';
  /** The active version (and hash) the proposal was made against. */
  readonly base: { readonly version: number; readonly hash: string };
  /** `policyHash` of the proposed policy, or `bootstrapHash` of the proposed bootstrap. */
  readonly contentHash: string;
}

export const PROPOSAL_DOMAIN = 'custody/policy-proposal/v1';

/** SHA-256 of the proposal's canonical encoding; admins sign `approvalMessage` over it. */
export function proposalDigest(p: Proposal): Uint8Array {
  checkId(p.id, 'proposal.id');
  if (p.kind !== 'policy' && p.kind !== 'bootstrap') throw new PolicyInputError('proposal.kind', 'must be policy or bootstrap');
  if (!Number.isSafeInteger(p.base?.version) || p.base.version < 1) throw new PolicyInputError('proposal.base.version', 'must be a positive integer');
  if (typeof p.base.hash !== 'string' || !HASH_PATTERN.test(p.base.hash)) throw new PolicyInputError('proposal.base.hash', 'must be 64 lowercase hex digits');
  if (typeof p.contentHash !== 'string' || !HASH_PATTERN.test(p.contentHash)) throw new PolicyInputError('proposal.contentHash', 'must be 64 lowercase hex digits');
  return sha256(
    new CanonicalWriter(PROPOSAL_DOMAIN)
      .string('proposal-id', p.id)
      .string('kind', p.kind)
      .u64('base-version', p.base.version)
      .string('base-hash', p.base.hash)
      .string('content-hash', p.contentHash)
      .finish(),
  );
}

/** What an admin signs for a proposal (approve or reject). */
export function proposalSubject(p: Proposal, decision: 'approve' | 'reject'): ApprovalSubject {
  return { requestId: p.id, requestDigest: proposalDigest(p), policyVersion: p.base.version, policyHash: p.base.hash, decision };
}

export interface AdminQuorumResult {
  /** Quorum reached, no admin rejected, and the proposal's base is the active version. */
  readonly approved: boolean;
  readonly reason: 'approved' | 'pending' | 'rejected' | 'stale-base';
  readonly quorum: number;
  readonly approvedBy: readonly string[];
  readonly rejectedBy: string | null;
  readonly ignored: readonly IgnoredApproval[];
}

export interface AdminQuorumInput {
  /** The bootstrap in force (its admins and keys decide, also for a bootstrap change). */
  readonly bootstrap: BootstrapDocument;
  readonly proposal: Proposal;
  /** The version active now: a proposal made against another base cannot take effect. */
  readonly active: { readonly version: number; readonly hash: string };
  readonly approvals: readonly SubmittedApproval[];
  /** Approvals received after this (ms) do not count; omit for no deadline. */
  readonly notAfter?: number;
}

/**
 * Counts valid signatures of distinct current admins (distinct ids and distinct keys) over the proposal (for its base version and
 * hash). A valid rejection by an admin rejects.
 */
export function checkAdminQuorum(input: AdminQuorumInput): AdminQuorumResult {
  const { bootstrap, proposal, active } = input;
  const keys = registeredKeys(bootstrap);
  const admins = new Set(bootstrap.admins.members);
  const quorum = bootstrap.admins.quorum;
  const digest = proposalDigest(proposal);
  const approvedBy: string[] = [];
  const approvedKeys = new Set<string>();
  const ignored: IgnoredApproval[] = [];
  let rejectedBy: string | null = null;
  for (const a of input.approvals) {
    const approverId = typeof a?.approverId === 'string' ? a.approverId.slice(0, 128) : '';
    if (approverId === '' || (a.decision !== 'approve' && a.decision !== 'reject') || !(a.signature instanceof Uint8Array) || !Number.isSafeInteger(a.receivedAt)) {
      ignored.push({ approverId, reason: 'malformed' });
      continue;
    }
    const key = lookup(keys, approverId);
    if (key === undefined || !admins.has(approverId)) {
      ignored.push({ approverId, reason: key === undefined ? 'unknown-approver' : 'not-in-required-group' });
      continue;
    }
    if (a.policyVersion !== proposal.base.version || a.policyHash !== proposal.base.hash) {
      ignored.push({ approverId, reason: 'other-policy-version' });
      continue;
    }
    const subject: ApprovalSubject = { requestId: proposal.id, requestDigest: digest, policyVersion: proposal.base.version, policyHash: proposal.base.hash, decision: a.decision };
    if (!verifyApproval(subject, a.signature, key.publicKey)) {
      ignored.push({ approverId, reason: 'bad-signature' });
      continue;
    }
    if (a.decision === 'reject') {
      rejectedBy ??= approverId;
      continue;
    }
    const keyHex = bytesToHex(key.publicKey);
    if (approvedBy.includes(approverId) || approvedKeys.has(keyHex)) {
      ignored.push({ approverId, reason: 'duplicate' });
      continue;
    }
    if (input.notAfter !== undefined && a.receivedAt > input.notAfter) {
      ignored.push({ approverId, reason: 'expired' });
      continue;
    }
    approvedBy.push(approverId);
    approvedKeys.add(keyHex);
  }
  const stale = active.version !== proposal.base.version || active.hash !== proposal.base.hash;
  const reason = rejectedBy !== null ? 'rejected' : stale ? 'stale-base' : approvedBy.length >= quorum ? 'approved' : 'pending';
  return { approved: reason === 'approved', reason, quorum, approvedBy: approvedBy.sort(), rejectedBy, ignored };
}
