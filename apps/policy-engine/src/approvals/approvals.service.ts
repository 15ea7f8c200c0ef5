import { Injectable } from '@nestjs/common';
import { bytesToHex } from '@noble/hashes/utils.js';
import { requestDigest, signRequestFromJson } from '@custody/sign-grant';
import { InvalidArgument } from '../errors';
import { EvaluationService, type DecisionView } from '../evaluation/evaluation.service';
import { checkId, checkRequestId } from '../evaluation/request-input';
import { RequestsRepository, type StoredRequest } from '../evaluation/requests.repository';
import { ApprovalsRepository, type PendingCursor, type RequestDecisionRecord } from './approvals.repository';

/** A request as an approver sees it (custody.policy.v1.ApprovalRequestView). */
export interface ApprovalRequestState {
  readonly request: StoredRequest;
  readonly decision: DecisionView;
  readonly decisions: readonly RequestDecisionRecord[];
  /** libs/sign-grant requestDigest of the sign request, when the request has one. */
  readonly grantDigest: Uint8Array | null;
  /** Approvals received after this (ms) do not count; 0 when none are required. */
  readonly expiresAtMs: number;
}

export interface ApprovalPage {
  readonly requests: readonly ApprovalRequestState[];
  readonly nextPageToken: string;
}

export const MAX_REASON = 512;
const DEFAULT_PAGE = 50;
const MAX_PAGE = 100;

function encodeCursor(c: PendingCursor): string {
  return Buffer.from(JSON.stringify([c.createdAtMs, c.requestId]), 'utf8').toString('base64url');
}

function decodeCursor(token: unknown): PendingCursor | undefined {
  if (token === undefined || token === '') return undefined;
  if (typeof token !== 'string' || !/^[A-Za-z0-9_-]{1,400}$/.test(token)) throw new InvalidArgument('page_token', 'is not a token this engine issued');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidArgument('page_token', 'is not a token this engine issued');
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || !Number.isSafeInteger(parsed[0]) || typeof parsed[1] !== 'string') throw new InvalidArgument('page_token', 'is not a token this engine issued');
  return { createdAtMs: parsed[0] as number, requestId: checkRequestId(parsed[1], 'page_token') };
}

/** The reason of a decision: at most {@link MAX_REASON} characters, no control characters but newline and tab. */
export function checkReason(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string' || value.length > MAX_REASON || [...value].some((c) => (c < ' ' && c !== '\n' && c !== '\t') || c === '\u007f')) throw new InvalidArgument('reason', `must be at most ${MAX_REASON} characters of text`);
  return value;
}

/**
 * The approvers' side of evaluation: the requests waiting for one approver, one request's approval
 * state (what to sign, the trace, the decisions so far), and a decision (EvaluationService's
 * SubmitApproval: the engine verifies the approver's signature with its registered key) with its
 * reason, stored beside the signed decision once it is recorded.
 */
@Injectable()
export class ApprovalsService {
  constructor(
    private readonly evaluation: EvaluationService,
    private readonly requests: RequestsRepository,
    private readonly approvals: ApprovalsRepository,
  ) {}

  async pending(approverId: unknown, pageSize: unknown, pageToken: unknown): Promise<ApprovalPage> {
    const approver = checkId(approverId, 'approver_id');
    const size = Number(pageSize ?? 0);
    if (!Number.isSafeInteger(size) || size < 0 || size > MAX_PAGE) throw new InvalidArgument('page_size', `must be 0..${MAX_PAGE}`);
    const limit = size === 0 ? DEFAULT_PAGE : size;
    const ids = await this.approvals.pendingFor(approver, Date.now(), decodeCursor(pageToken), limit + 1);
    const page: ApprovalRequestState[] = [];
    for (const id of ids.slice(0, limit)) page.push(await this.state(id));
    const last = page[page.length - 1];
    const next = ids.length > limit && last ? encodeCursor({ createdAtMs: last.request.createdAtMs, requestId: last.request.requestId }) : '';
    return { requests: page, nextPageToken: next };
  }

  async get(requestId: unknown): Promise<ApprovalRequestState> {
    return this.state(checkRequestId(requestId, 'request_id'));
  }

  async decide(input: { requestId?: unknown; approverId?: unknown; decision?: unknown; signature?: unknown; grantSignature?: unknown; reason?: unknown }): Promise<ApprovalRequestState> {
    const reason = checkReason(input.reason);
    const view = await this.evaluation.submitApproval(input.requestId, input.approverId, input.decision, input.signature, input.grantSignature);
    if (reason !== '') await this.approvals.setReason(view.requestId, input.approverId as string, reason);
    return this.state(view.requestId);
  }

  private async state(id: string): Promise<ApprovalRequestState> {
    const decision = await this.evaluation.view(id);
    const request = (await this.requests.request(id))!;
    const grantDigest = request.signRequestJson === null ? null : requestDigest(signRequestFromJson(request.signRequestJson));
    return { request, decision, decisions: await this.approvals.decisions(id), grantDigest, expiresAtMs: decision.decision.approvals?.expiresAt ?? 0 };
  }
}

/** custody.policy.v1.ApprovalRequestView of a state. */
export function approvalRequestMessage(s: ApprovalRequestState) {
  const json = (value: unknown) => JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  const body = { ...s.request.body };
  delete body.addressBookChange;
  return {
    requestId: s.request.requestId,
    operation: s.request.operation,
    initiatorId: s.request.initiatorId,
    status: s.request.status,
    policyVersion: s.request.policyVersion,
    policyHash: s.request.policyHash,
    requestDigestHex: bytesToHex(s.decision.requestDigest),
    approveMessageHex: bytesToHex(s.decision.approveMessage),
    rejectMessageHex: bytesToHex(s.decision.rejectMessage),
    signRequestJson: s.request.signRequestJson === null ? '' : json(s.request.signRequestJson),
    grantDigestHex: s.grantDigest === null ? '' : bytesToHex(s.grantDigest),
    decisionJson: s.decision.decisionText ?? json(s.decision.decision),
    approvals: s.decisions.map((d) => ({ approverId: d.approverId, decision: d.decision, reason: d.reason, receivedAt: String(d.receivedAtMs) })),
    createdAt: String(s.request.createdAtMs),
    expiresAt: String(s.expiresAtMs),
    requestJson: json(body),
  };
}
