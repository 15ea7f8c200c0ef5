/**
 * custody.policy.v1 messages as the gateway's client receives them (proto-loader: camelCase,
 * 64-bit integers as decimal strings, defaults filled in).
 */
export interface EngineProposal {
  proposalId: string;
  kind: string;
  status: string;
  contentHash: string;
  proposedBy: string;
  approvals: { adminId: string; decision: string; receivedAt: string }[];
  quorum: number;
  quorumState: string;
  activatedVersion: number;
  approveMessageHex: string;
  rejectMessageHex: string;
  lintJson: string;
  approvedBy: string[];
  baseVersion: number;
  baseHash: string;
  documentJson: string;
  createdAt: string;
}

export interface EngineVersion {
  version: number;
  contentHash: string;
  documentJson: string;
  active: boolean;
  createdAt: string;
}

export interface EngineDecision {
  requestId: string;
  outcome: string;
  reason: string;
  status: string;
  policyVersion: number;
  policyHash: string;
  matchedRule: string;
  decisionJson: string;
  grantJson: string;
  requestDigestHex: string;
  approveMessageHex: string;
  rejectMessageHex: string;
}

export interface EngineApprovalRequest {
  requestId: string;
  operation: string;
  initiatorId: string;
  status: string;
  policyVersion: number;
  policyHash: string;
  requestDigestHex: string;
  approveMessageHex: string;
  rejectMessageHex: string;
  signRequestJson: string;
  grantDigestHex: string;
  decisionJson: string;
  approvals: { approverId: string; decision: string; reason: string; receivedAt: string }[];
  createdAt: string;
  expiresAt: string;
  requestJson: string;
}

export interface EngineAddressBookEntry {
  entryId: string;
  chainId: number;
  address: string;
  tags: string[];
  label: string;
}

/** Milliseconds (decimal string) as RFC 3339; 0 or empty: empty. */
export function isoTime(ms: string | number | undefined): string {
  const n = Number(ms ?? 0);
  return n > 0 ? new Date(n).toISOString() : '';
}
