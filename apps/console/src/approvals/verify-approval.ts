import { approvalMessage } from '@custody/policy-core/approvals';
import { policyRequestDigest } from '@custody/policy-core/request';
import type { PolicyRequest } from '@custody/policy-core/types';
import { signRequestFromJson } from '@custody/sign-grant/codec';
import { requestDigest } from '@custody/sign-grant/encoding';
import { bytesToHex } from '../keys/key-pair';

/** An approval as the public API shows it. */
export interface ApprovalView {
  name: string;
  request: string;
  requestDigest: string;
  state: string;
  operation: string;
  initiator: string;
  policyVersion: number;
  policyHash: string;
  approveMessage: string;
  rejectMessage: string;
  signRequest: string;
  grantDigest: string;
  trace: string;
  decisions: { approver: string; decision: string; reason: string; decideTime: string }[];
  createTime: string;
  expireTime: string;
  requestBody: string;
}

/** What the page will sign for one decision, each byte recomputed here from the request it shows. */
export interface ApprovalBytes {
  readonly message: Uint8Array;
  /** For an approval of a signing request: the sign grant's request digest (the signers check this signature too). */
  readonly grantDigest: Uint8Array | undefined;
}

function requestOf(json: string): PolicyRequest {
  const body = JSON.parse(json) as Record<string, unknown>;
  const amount = body['amount'];
  return { ...body, ...(typeof amount === 'string' ? { amount: BigInt(amount) } : {}) } as unknown as PolicyRequest;
}

/**
 * Recomputes, from the request body the page displays, the request digest, the approval message and
 * (for a signing request) the grant digest, and refuses if the server's differ: an approver never signs
 * bytes the page did not derive from what it showed.
 */
export function approvalBytes(view: ApprovalView, decision: 'approve' | 'reject'): ApprovalBytes {
  const requestId = view.name.replace(/^approvals\//, '');
  const digest = policyRequestDigest(requestOf(view.requestBody));
  if (bytesToHex(digest) !== view.requestDigest) throw new Error('the request digest the server gave is not the digest of the request shown');
  const message = approvalMessage({ requestId, requestDigest: digest, policyVersion: view.policyVersion, policyHash: view.policyHash, decision });
  const expected = decision === 'approve' ? view.approveMessage : view.rejectMessage;
  if (bytesToHex(message) !== expected) throw new Error('the approval message the server gave is not the one for this request');
  let grantDigest: Uint8Array | undefined;
  if (decision === 'approve' && view.signRequest) {
    grantDigest = requestDigest(signRequestFromJson(JSON.parse(view.signRequest)));
    if (bytesToHex(grantDigest) !== view.grantDigest) throw new Error('the grant digest the server gave is not the digest of the signing request shown');
  }
  return { message, grantDigest };
}
