import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { approvalMessage, policyRequestDigest, type PolicyRequest } from '@custody/policy-core';
import { requestDigest, signRequestFromJson } from '@custody/sign-grant';

/** An approval as the gateway's `/v1/approvals` shows it (the fields an approver signs from). */
export interface ApprovalView {
  name: string;
  state: string;
  operation: string;
  initiator: string;
  requestDigest: string;
  policyVersion: number;
  policyHash: string;
  approveMessage: string;
  signRequest: string;
  grantDigest: string;
  trace: string;
  decisions: { approver: string; decision: string; reason: string; decideTime: string }[];
  requestBody: string;
}

/** The body of `POST /v1/approvals/{id}/approve`: hex Ed25519 signatures. */
export interface ApproveBody {
  signature: string;
  grantSignature?: string;
}

function requestOf(json: string): PolicyRequest {
  const body = JSON.parse(json) as Record<string, unknown>;
  const amount = body['amount'];
  return { ...body, ...(typeof amount === 'string' ? { amount: BigInt(amount) } : {}) } as unknown as PolicyRequest;
}

/**
 * An approver's two signatures for `view`, each over bytes recomputed here from what the view shows
 * (as the console does): `signature` over the policy's approval message (request id, the digest of
 * the request body, policy version and hash, `approve`) and, for a request that will be signed,
 * `grantSignature` over the sign request's digest, which every signer checks against the approver
 * keys it pins. Refuses when the server's bytes differ from the recomputed ones: an approver never
 * signs what it did not derive from the request it was shown.
 */
export function approvalSignatures(view: ApprovalView, approverSeed: Uint8Array): ApproveBody {
  const requestId = view.name.replace(/^approvals\//, '');
  const digest = policyRequestDigest(requestOf(view.requestBody));
  if (bytesToHex(digest) !== view.requestDigest) throw new Error(`${view.name}: the request digest the gateway gave is not the digest of the request it shows`);
  const message = approvalMessage({ requestId, requestDigest: digest, policyVersion: view.policyVersion, policyHash: view.policyHash, decision: 'approve' });
  if (bytesToHex(message) !== view.approveMessage) throw new Error(`${view.name}: the approval message the gateway gave is not the one for this request`);
  const body: ApproveBody = { signature: bytesToHex(ed25519.sign(message, approverSeed)) };
  if (view.signRequest === '') return body;
  const grantDigest = requestDigest(signRequestFromJson(JSON.parse(view.signRequest)));
  if (bytesToHex(grantDigest) !== view.grantDigest) throw new Error(`${view.name}: the grant digest the gateway gave is not the digest of the signing request it shows`);
  return { ...body, grantSignature: bytesToHex(ed25519.sign(grantDigest, approverSeed)) };
}
