import { createPrivateKey, sign as nodeSign, type KeyObject } from 'node:crypto';
import type { CustodyClient, Page } from './client';

/** `custody.v1.Policy` (REST JSON). */
export interface PolicyResource {
  name: string;
  state: string;
  document: string;
  contentHash: string;
  kind: 'proposal' | 'version';
  version: number;
  baseVersion: number;
  quorum: number;
  quorumState: string;
  approvedBy: string[];
  approveMessage: string;
  rejectMessage: string;
  lint: string;
  proposedBy: string;
  createTime: string;
  decisions: DecisionResource[];
}

export interface DecisionResource {
  approver: string;
  decision: string;
  reason: string;
  decideTime: string;
}

/** `custody.v1.Approval` (REST JSON): a request waiting for approvers. */
export interface ApprovalResource {
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
  decisions: DecisionResource[];
  createTime: string;
  expireTime: string;
  requestBody: string;
}

export interface AddressBookEntryResource {
  name: string;
  label: string;
  chain: string;
  address: string;
  tags: string[];
  state: string;
  request: string;
}

export interface AuditRecordResource {
  name: string;
  index: string;
  type: string;
  occurTime: string;
  actor: string;
  requestId: string;
  wallet: string;
  body: string;
  canonical: string;
  leafHash: string;
}

export interface AuditCheckpointResource {
  size: string;
  rootHash: string;
  note: string;
}

export interface AuditRecordProofResource {
  record: AuditRecordResource;
  inclusionProof: string[];
  checkpoint: AuditCheckpointResource;
  tlogProof: string;
}

export interface AuditFilter {
  type?: string;
  wallet?: string;
  client?: string;
  requestId?: string;
  startTime?: string;
  endTime?: string;
  /** Records with startIndex <= index < endIndex. */
  startIndex?: number;
  endIndex?: number;
}

/** A record as ListAuditRecords' view `full` answers it: with its inclusion proof in the tree of the page's checkpoint. */
export interface AuditRecordWithProofResource extends AuditRecordResource {
  /** Base64 hashes (RFC 9162); empty for a record at or beyond the checkpoint's size. */
  inclusionProof: string[];
}

export interface AuditRecordProofPage extends Page<AuditRecordWithProofResource> {
  /** The checkpoint every proof of the page is against. */
  checkpoint: AuditCheckpointResource;
}

function filterQuery(f: AuditFilter): Record<string, string | number | undefined> {
  return { type: f.type, wallet: f.wallet, client: f.client, request_id: f.requestId, start_time: f.startTime, end_time: f.endTime, start_index: f.startIndex, end_index: f.endIndex };
}

function query(params: Record<string, string | number | undefined>): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== '' && v !== 0) q.set(k, String(v));
  return q.size ? `?${q.toString()}` : '';
}

const seg = (s: string): string => encodeURIComponent(s);

/**
 * An Ed25519 approval key (the approver's or admin's key registered with the policy engine, which
 * is not the API client's request-signing key) from its 32-byte seed.
 */
export function approvalKeyFromSeed(seed: Uint8Array): KeyObject {
  if (seed.length !== 32) throw new RangeError('approval key seed must be 32 bytes');
  const der = Buffer.concat([Buffer.from('302e020100300506032b657004220420', 'hex'), Buffer.from(seed)]);
  return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
}

/** The approver's Ed25519 signature (128 hex) over a message the engine gave (hex): approve/reject messages, grant digests. */
export function signApprovalMessage(messageHex: string, key: KeyObject): string {
  if (!/^([0-9a-f]{2})+$/.test(messageHex)) throw new RangeError('message must be hex');
  return nodeSign(null, Buffer.from(messageHex, 'hex'), key).toString('hex');
}

/** `/v1/policies`: proposals (admin quorum), versions, diff, lint, dry run, replay. `id`: `v<n>`, `active`, `-` (draft) or a proposal id. */
export class PoliciesApi {
  constructor(private readonly client: CustodyClient) {}

  propose(document: string, policyId?: string, idempotencyKey?: string): Promise<PolicyResource> {
    return this.client.request('POST', '/v1/policies', { document, ...(policyId ? { policyId } : {}) }, idempotencyKey);
  }

  /** Signs the proposal's approve (or reject) message with `key` and submits it. */
  async approve(id: string, key: KeyObject, decision: 'approve' | 'reject' = 'approve'): Promise<PolicyResource> {
    const p = await this.get(id);
    const signature = signApprovalMessage(decision === 'approve' ? p.approveMessage : p.rejectMessage, key);
    return this.client.request('POST', `/v1/policies/${seg(id)}/approve`, { decision, signature });
  }

  activate(id: string): Promise<PolicyResource> {
    return this.client.request('POST', `/v1/policies/${seg(id)}/activate`);
  }

  get(id: string): Promise<PolicyResource> {
    return this.client.request('GET', `/v1/policies/${seg(id)}`);
  }

  /** Versions, newest first; `filter.kind` "proposal": proposals (`filter.state` open / activated). */
  async list(pageSize = 0, pageToken = '', filter: { kind?: 'version' | 'proposal'; state?: 'open' | 'activated' } = {}): Promise<Page<PolicyResource>> {
    const page = await this.client.request<{ policies: PolicyResource[]; nextPageToken: string }>('GET', `/v1/policies${query({ page_size: pageSize, page_token: pageToken, kind: filter.kind, state: filter.state })}`);
    return { items: page.policies, nextPageToken: page.nextPageToken };
  }

  async diff(id: string, other?: string): Promise<unknown> {
    return JSON.parse((await this.client.request<{ report: string }>('POST', `/v1/policies/${seg(id)}/diff`, other ? { other } : {})).report) as unknown;
  }

  async lint(id: string, document?: string): Promise<unknown> {
    return JSON.parse((await this.client.request<{ report: string }>('POST', `/v1/policies/${seg(id)}/lint`, document ? { document } : {})).report) as unknown;
  }

  async dryRun(id: string, request: Record<string, unknown>, document?: string): Promise<unknown> {
    return JSON.parse((await this.client.request<{ report: string }>('POST', `/v1/policies/${seg(id)}/dry-run`, { request: JSON.stringify(request), ...(document ? { document } : {}) })).report) as unknown;
  }

  async replay(id: string, options: { startTime?: string; endTime?: string; limit?: number; document?: string } = {}): Promise<unknown> {
    return JSON.parse((await this.client.request<{ report: string }>('POST', `/v1/policies/${seg(id)}/replay`, options)).report) as unknown;
  }
}

/** `/v1/approvals`: what waits for me; approve or reject with my approval key (the gateway never signs). */
export class ApprovalsApi {
  constructor(private readonly client: CustodyClient) {}

  async list(pageSize = 0, pageToken = ''): Promise<Page<ApprovalResource>> {
    const page = await this.client.request<{ approvals: ApprovalResource[]; nextPageToken: string }>('GET', `/v1/approvals${query({ page_size: pageSize, page_token: pageToken })}`);
    return { items: page.approvals, nextPageToken: page.nextPageToken };
  }

  /** Every approval waiting for me, page after page. */
  async *all(pageSize = 0): AsyncGenerator<ApprovalResource> {
    let token = '';
    do {
      const page = await this.list(pageSize, token);
      yield* page.items;
      token = page.nextPageToken;
    } while (token !== '');
  }

  /**
   * Signs `approval`'s approve or reject message (and, approving a request that will be signed, its
   * grant digest) with the approval key, and submits the decision with a reason.
   */
  decide(approval: ApprovalResource, decision: 'approve' | 'reject', key: KeyObject, reason = ''): Promise<ApprovalResource> {
    const id = approval.name.replace(/^approvals\//, '');
    const signature = signApprovalMessage(decision === 'approve' ? approval.approveMessage : approval.rejectMessage, key);
    const grantSignature = decision === 'approve' && approval.grantDigest ? signApprovalMessage(approval.grantDigest, key) : undefined;
    return this.client.request('POST', `/v1/approvals/${seg(id)}/${decision}`, { signature, ...(grantSignature ? { grantSignature } : {}), ...(reason ? { reason } : {}) });
  }
}

/** `/v1/address-book`: changes go through policy (`state` applied or pending-approval). */
export class AddressBookApi {
  constructor(private readonly client: CustodyClient) {}

  create(input: { label: string; chain: string; address: string; entryId?: string; tags?: string[] }, idempotencyKey?: string): Promise<AddressBookEntryResource> {
    return this.client.request('POST', '/v1/address-book', input, idempotencyKey);
  }

  async list(pageSize = 0, pageToken = '', filter: { tag?: string; chain?: string } = {}): Promise<Page<AddressBookEntryResource>> {
    const page = await this.client.request<{ entries: AddressBookEntryResource[]; nextPageToken: string }>('GET', `/v1/address-book${query({ page_size: pageSize, page_token: pageToken, ...filter })}`);
    return { items: page.entries, nextPageToken: page.nextPageToken };
  }

  delete(entryId: string): Promise<{ state: string; request: string }> {
    return this.client.request('DELETE', `/v1/address-book/${seg(entryId)}`);
  }
}

/** `/v1/audit/…`: the auditor's API (role auditor). */
export class AuditApi {
  constructor(private readonly client: CustodyClient) {}

  async list(filter: AuditFilter = {}, pageSize = 0, pageToken = ''): Promise<Page<AuditRecordResource>> {
    const page = await this.client.request<{ records: AuditRecordResource[]; nextPageToken: string }>('GET', `/v1/audit/records${query({ ...filterQuery(filter), page_size: pageSize, page_token: pageToken })}`);
    return { items: page.records, nextPageToken: page.nextPageToken };
  }

  /** ListAuditRecords with view `full`: a page of records, each with its inclusion proof against one checkpoint (`treeSize`, default the latest). */
  async listWithProofs(filter: AuditFilter = {}, pageSize = 0, pageToken = '', treeSize = 0): Promise<AuditRecordProofPage> {
    const page = await this.client.request<{ records: AuditRecordWithProofResource[]; nextPageToken: string; checkpoint: AuditCheckpointResource }>(
      'GET',
      `/v1/audit/records${query({ ...filterQuery(filter), view: 'full', tree_size: treeSize, page_size: pageSize, page_token: pageToken })}`,
    );
    return { items: page.records, nextPageToken: page.nextPageToken, checkpoint: page.checkpoint };
  }

  get(index: number | string): Promise<AuditRecordProofResource> {
    return this.client.request('GET', `/v1/audit/records/${seg(String(index))}`);
  }

  checkpoint(): Promise<AuditCheckpointResource> {
    return this.client.request('GET', '/v1/audit/checkpoint');
  }

  consistency(firstSize: number, secondSize = 0): Promise<{ firstSize: string; secondSize: string; proof: string[]; checkpoint: AuditCheckpointResource }> {
    return this.client.request('GET', `/v1/audit/consistency-proof${query({ first_size: firstSize, second_size: secondSize })}`);
  }

  /** The export file (custody-audit-export/v1) `custody audit verify` checks. */
  export(size = 0): Promise<string> {
    return this.client.requestText(`/v1/audit/export${query({ size })}`);
  }

  bundle(subject: string): Promise<{ subject: string; proofs: AuditRecordProofResource[] }> {
    return this.client.request('GET', `/v1/audit/proof-bundle${query({ subject })}`);
  }
}
