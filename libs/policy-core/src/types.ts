/**
 * The policy document (what a compliance officer writes), the request the engine evaluates, the context
 * the service reads for it, and the decision with its trace. Amounts are bigint in the asset's smallest
 * unit in memory and non-negative decimal integer strings in documents and on the wire.
 */

import type { AddressBook } from './address-book';

/** The operations a rule can match. */
export type Operation = 'withdrawal' | 'message-signing' | 'policy-change' | 'address-book-change';
export const OPERATIONS: readonly Operation[] = ['withdrawal', 'message-signing', 'policy-change', 'address-book-change'];

/** The format identifier every policy document carries. */
export const POLICY_FORMAT = 'custody.policy/v1';

// ---------------------------------------------------------------------------------------------------
// The document, as written (JSON or YAML). Field names are the document's; see the README and
// schema/policy.schema.json.
// ---------------------------------------------------------------------------------------------------

export interface PolicyDocument {
  readonly format: typeof POLICY_FORMAT;
  readonly metadata: PolicyMetadata;
  /** Approver group id → its members (approver ids). */
  readonly approverGroups: Readonly<Record<string, ApproverGroup>>;
  /** Ordered: the first rule that matches decides; nothing matches → deny. */
  readonly rules: readonly PolicyRule[];
}

export interface PolicyMetadata {
  readonly name: string;
  readonly description?: string;
}

export interface ApproverGroup {
  readonly members: readonly string[];
  readonly description?: string;
}

export interface PolicyRule {
  readonly id: string;
  readonly description?: string;
  readonly match: RuleMatch;
  /** CEL over `request.*` and `asset.*`; must type-check to bool. Evaluated only when `match` held. */
  readonly condition?: string;
  /** The rule applies only while every window has room for the request's amount. */
  readonly velocity?: readonly VelocityLimit[];
  readonly action: RuleAction;
  readonly hook?: ExternalHook;
}

/** Every present matcher must hold; an absent matcher matches anything. */
export interface RuleMatch {
  readonly operation: readonly Operation[];
  /** Holds when the initiator's id is in `clients` or one of its groups is in `groups`. */
  readonly initiator?: { readonly clients?: readonly string[]; readonly groups?: readonly string[] };
  /** Holds when the source wallet's id is in `wallets` or one of its tags is in `tags`. */
  readonly source?: { readonly wallets?: readonly string[]; readonly tags?: readonly string[] };
  /**
   * `any`: any destination (the request must have one); `whitelisted`: the destination is an entry of
   * the address book; otherwise the resolved entry's id is in `entries` or one of its tags is in `tags`.
   */
  readonly destination?: 'any' | 'whitelisted' | { readonly entries?: readonly string[]; readonly tags?: readonly string[] };
  /** Asset ids, e.g. `ETH`, `USDC-1`. */
  readonly asset?: readonly string[];
  /** Inclusive bounds in the asset's smallest unit, decimal integer strings. */
  readonly amount?: { readonly min?: string; readonly max?: string };
}

export type VelocityScope = 'wallet' | 'initiator' | 'destination';
export const VELOCITY_SCOPES: readonly VelocityScope[] = ['wallet', 'initiator', 'destination'];

export interface VelocityLimit {
  /** A duration: digits and a unit `s`, `m`, `h` or `d`, e.g. `24h`; 1 s .. 366 d. */
  readonly window: string;
  readonly scope: VelocityScope;
  /** The most the window may hold, including this request, in the asset's smallest unit. */
  readonly limit: string;
  readonly asset: string;
}

export type RuleAction =
  | { readonly type: 'allow' }
  | { readonly type: 'deny'; readonly reason?: string }
  | RequireApprovalsAction;

export interface RequireApprovalsAction {
  readonly type: 'require-approvals';
  /** `all-of`: every group reaches its quorum; `any-of`: at least one group does. */
  readonly combinator: 'all-of' | 'any-of';
  readonly groups: readonly { readonly group: string; readonly quorum: number }[];
  /** Approvals count only when received within this duration after the request was created. */
  readonly expiry: string;
  /** May the initiator approve its own request? */
  readonly allowSelfApproval: boolean;
}

export interface ExternalHook {
  /** `https://` (or `http://` on loopback only). */
  readonly url: string;
  /** The hook's Ed25519 public key, 64 hex digits: its answers must verify under it. */
  readonly publicKey: string;
  readonly timeoutMs: number;
  /** When the hook does not answer validly in time: `deny`, or `apply-action` (the rule's action). */
  readonly fallback: 'deny' | 'apply-action';
}

// ---------------------------------------------------------------------------------------------------
// The request and the context.
// ---------------------------------------------------------------------------------------------------

/** The decoded request. The service decodes; the core only reads. */
export interface PolicyRequest {
  /** 1..128 characters of [A-Za-z0-9._:@-]. */
  readonly id: string;
  readonly operation: Operation;
  /** When the request was created (ms since the epoch): approval expiry counts from here. */
  readonly createdAt: number;
  readonly initiator: { readonly id: string; readonly groups: readonly string[] };
  readonly source?: { readonly walletId: string; readonly tags: readonly string[] };
  /** Address as the service normalized it (e.g. lowercase hex for EVM) and its chain. */
  readonly destination?: { readonly address: string; readonly chainId: number };
  readonly asset?: { readonly id: string; readonly decimals: number };
  /** In the asset's smallest unit. */
  readonly amount?: bigint;
  readonly chainId?: number;
  /** Other decoded fields (e.g. `contract`, `method`), strings only; visible to CEL as `request.attributes`. */
  readonly attributes?: Readonly<Record<string, string>>;
}

export interface AddressBookEntry {
  readonly id: string;
  readonly chainId: number;
  /** Normalized the same way as request destinations. */
  readonly address: string;
  readonly tags: readonly string[];
}

/** An approval or rejection as the service stored it; the core verifies the signature itself. */
export interface SubmittedApproval {
  readonly approverId: string;
  readonly decision: 'approve' | 'reject';
  /** The version and hash the approver signed (a mismatch does not count). */
  readonly policyVersion: number;
  readonly policyHash: string;
  /** Ed25519 over `approvalMessage(...)`, 64 bytes. */
  readonly signature: Uint8Array;
  /** When the service received it (ms since the epoch). */
  readonly receivedAt: number;
}

export interface Approver {
  /** Ed25519 public key, 32 bytes. */
  readonly publicKey: Uint8Array;
  /** API client ids that are this same person or system (self-approval). */
  readonly clientIds?: readonly string[];
}

export interface EvaluationContext {
  /** Milliseconds since the epoch. */
  readonly now: number;
  /** Plain entries, or `prepareAddressBook(entries)` (validated and indexed once: faster for a large book). */
  readonly addressBook: readonly AddressBookEntry[] | AddressBook;
  /**
   * Usage per velocity scope key (from `velocityScopesFor`), read under the scope's lock, NOT counting
   * this request's own reservation. Every key `velocityScopesFor` returned must be present.
   */
  readonly velocityUsage: ReadonlyMap<string, bigint> | Readonly<Record<string, bigint>>;
  readonly approvals?: readonly SubmittedApproval[];
  /** Registered approver keys; approvals from anyone else do not count. */
  readonly approvers?: ReadonlyMap<string, Approver> | Readonly<Record<string, Approver>>;
  /**
   * The 32-byte digest approvers signed for this request, when the engine binds approvals to another
   * digest than `policyRequestDigest(request)` (the default), e.g. the sign request's.
   */
  readonly requestDigest?: Uint8Array;
  /** A verified answer of the matched rule's hook, if the service called it. */
  readonly hook?: { readonly ruleId: string; readonly verdict: 'approve' | 'reject' | 'unavailable' };
}

// ---------------------------------------------------------------------------------------------------
// The decision and its trace.
// ---------------------------------------------------------------------------------------------------

export type Outcome = 'allow' | 'deny' | 'needs-approval' | 'needs-hook';

export type DecisionReason =
  | 'rule-allow'
  | 'rule-deny'
  | 'approvals-complete'
  | 'approvals-pending'
  | 'approvals-expired'
  | 'rejected'
  | 'hook-pending'
  | 'hook-rejected'
  | 'hook-unavailable'
  | 'condition-error'
  | 'no-rule-matched';

/** One velocity scope a request can touch. The service locks `key`, then reads its usage. */
export interface VelocityScopeRef {
  /** Stable, unambiguous: `v1|<scope>|<scope id>|<asset>|<window ms>`, scope id URI-encoded. */
  readonly key: string;
  readonly scope: VelocityScope;
  readonly scopeId: string;
  readonly asset: string;
  readonly windowMs: number;
}

/** What the service must record when the decision is allow or needs-approval. */
export interface VelocityReservation extends VelocityScopeRef {
  readonly amount: bigint;
}

export interface MatcherTrace {
  /** `operation`, `initiator`, `source`, `destination`, `asset`, `amount`, `condition`, `velocity`. */
  readonly matcher: string;
  readonly held: boolean;
  readonly detail: string;
}

export interface VelocityWindowTrace extends VelocityScopeRef {
  readonly limit: bigint;
  readonly used: bigint;
  readonly requested: bigint;
  /** `limit - used`, never negative. */
  readonly left: bigint;
  readonly fits: boolean;
}

export interface RuleTrace {
  readonly index: number;
  readonly id: string;
  /** `matched`, `not-matched`, `not-evaluated` (an earlier rule matched), `error`. */
  readonly result: 'matched' | 'not-matched' | 'not-evaluated' | 'error';
  readonly checks: readonly MatcherTrace[];
  readonly velocity: readonly VelocityWindowTrace[];
}

export interface GroupApprovalTrace {
  readonly group: string;
  readonly quorum: number;
  /** Distinct approvers of this group whose valid approvals count. */
  readonly approvedBy: readonly string[];
  readonly satisfied: boolean;
}

export interface IgnoredApproval {
  readonly approverId: string;
  readonly reason:
    | 'unknown-approver'
    | 'bad-signature'
    | 'duplicate'
    | 'not-in-required-group'
    | 'self-approval'
    | 'expired'
    | 'other-policy-version'
    | 'malformed';
}

export interface ApprovalStatus {
  readonly combinator: 'all-of' | 'any-of';
  readonly groups: readonly GroupApprovalTrace[];
  /** Approvals received at or after this (ms) do not count; from then on the request is expired. */
  readonly expiresAt: number;
  readonly allowSelfApproval: boolean;
  /** A valid rejection by a member of a required group (the first, by receipt). */
  readonly rejectedBy: string | null;
  readonly ignored: readonly IgnoredApproval[];
  readonly complete: boolean;
}

export interface Decision {
  readonly outcome: Outcome;
  readonly reason: DecisionReason;
  readonly requestId: string;
  readonly policy: { readonly version: number; readonly hash: string };
  /** The first rule that matched, or null (default deny, or a condition error before any match). */
  readonly matchedRule: { readonly index: number; readonly id: string } | null;
  /** Record these when outcome is allow or needs-approval; empty otherwise. */
  readonly reservations: readonly VelocityReservation[];
  readonly approvals: ApprovalStatus | null;
  /** Set when outcome is needs-hook: the service calls it and evaluates again with `context.hook`. */
  readonly hook: (ExternalHook & { readonly ruleId: string }) | null;
  readonly trace: { readonly rules: readonly RuleTrace[] };
}
