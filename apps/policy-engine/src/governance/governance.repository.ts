import { Inject, Injectable } from '@nestjs/common';
import { POSTGRES } from '@custody/platform';
import type { BootstrapDocument, PolicyDocument } from '@custody/policy-core';
import type { DataSource } from 'typeorm';
import { autocommit, type Sql } from '../storage/transaction';

export interface PolicyVersionRecord {
  readonly version: number;
  readonly contentHash: string;
  readonly document: PolicyDocument;
  readonly proposalId: string | null;
  readonly createdAt: number;
}

/** The governance document in force: admins, their quorum, every principal's registered key. */
export interface GovernanceRecord {
  readonly seq: number;
  readonly document: BootstrapDocument;
  readonly contentHash: string;
}

export type ProposalKind = 'policy' | 'bootstrap';
export type ProposalStatus = 'open' | 'activated';

export interface ProposalRecord {
  readonly proposalId: string;
  readonly kind: ProposalKind;
  /** `policy`: the document; `bootstrap`: the new bootstrap (governance) document. */
  readonly body: unknown;
  readonly contentHash: string;
  readonly base: { readonly version: number; readonly hash: string };
  readonly proposedBy: string;
  readonly status: ProposalStatus;
  readonly createdAt: number;
  readonly activatedVersion: number | null;
}

export interface ProposalApprovalRecord {
  readonly adminId: string;
  readonly decision: 'approve' | 'reject';
  readonly signature: Uint8Array;
  readonly receivedAt: number;
}

interface VersionRow {
  version: number;
  content_hash: string;
  document: PolicyDocument;
  proposal_id: string | null;
  created_at: Date;
}

interface ProposalRow {
  proposal_id: string;
  kind: ProposalKind;
  body: unknown;
  content_hash: string;
  base_version: number;
  base_hash: string;
  proposed_by: string;
  status: ProposalStatus;
  created_at: Date;
  activated_version: number | null;
}

function version(row: VersionRow): PolicyVersionRecord {
  return { version: row.version, contentHash: row.content_hash, document: row.document, proposalId: row.proposal_id, createdAt: row.created_at.getTime() };
}

function proposal(row: ProposalRow): ProposalRecord {
  return {
    proposalId: row.proposal_id,
    kind: row.kind,
    body: row.body,
    contentHash: row.content_hash,
    base: { version: row.base_version, hash: row.base_hash },
    proposedBy: row.proposed_by,
    status: row.status,
    createdAt: row.created_at.getTime(),
    activatedVersion: row.activated_version,
  };
}

/** SQL of governance: bootstrap, policy versions, the active pointer, the governance document, proposals. */
@Injectable()
export class GovernanceRepository {
  private readonly sql: Sql;

  constructor(@Inject(POSTGRES) dataSource: DataSource) {
    this.sql = autocommit(dataSource);
  }

  async isBootstrapped(sql: Sql = this.sql): Promise<boolean> {
    return (await sql('SELECT 1 FROM policy.bootstrap')).length > 0;
  }

  /**
   * Writes the bootstrap (governance document 1, policy version 1, the active pointer) in the
   * caller's transaction. Returns false when another process bootstrapped first (nothing written).
   */
  async insertBootstrap(sql: Sql, b: { fileHash: string; document: BootstrapDocument; contentHash: string; policyHash: string }): Promise<boolean> {
    await sql('LOCK TABLE policy.bootstrap IN EXCLUSIVE MODE');
    if (await this.isBootstrapped(sql)) return false;
    await sql('INSERT INTO policy.bootstrap (file_hash, content_hash) VALUES ($1, $2)', [b.fileHash, b.contentHash]);
    await sql('INSERT INTO policy.governance (seq, document, content_hash) VALUES (1, $1, $2)', [JSON.stringify(b.document), b.contentHash]);
    await sql('INSERT INTO policy.versions (version, content_hash, document) VALUES (1, $1, $2)', [b.policyHash, JSON.stringify(b.document.policy)]);
    await sql('INSERT INTO policy.active_version (version) VALUES (1)');
    return true;
  }

  async activeVersion(sql: Sql = this.sql): Promise<{ version: number; hash: string }> {
    const rows = await sql<{ version: number; content_hash: string }>('SELECT a.version, v.content_hash FROM policy.active_version a JOIN policy.versions v USING (version)');
    if (rows.length === 0) throw new Error('the policy engine is not bootstrapped');
    return { version: rows[0]!.version, hash: rows[0]!.content_hash };
  }

  async activeVersionNumber(sql: Sql = this.sql): Promise<number> {
    const rows = await sql<{ version: number }>('SELECT version FROM policy.active_version');
    if (rows.length === 0) throw new Error('the policy engine is not bootstrapped');
    return rows[0]!.version;
  }

  async version(n: number, sql: Sql = this.sql): Promise<PolicyVersionRecord | undefined> {
    const rows = await sql<VersionRow>('SELECT version, content_hash, document, proposal_id, created_at FROM policy.versions WHERE version = $1', [n]);
    return rows[0] ? version(rows[0]) : undefined;
  }

  async listVersions(): Promise<PolicyVersionRecord[]> {
    const rows = await this.sql<VersionRow>('SELECT version, content_hash, document, proposal_id, created_at FROM policy.versions ORDER BY version');
    return rows.map(version);
  }

  async governance(sql: Sql = this.sql): Promise<GovernanceRecord> {
    const rows = await sql<{ seq: number; document: BootstrapDocument; content_hash: string }>('SELECT seq, document, content_hash FROM policy.governance ORDER BY seq DESC LIMIT 1');
    if (rows.length === 0) throw new Error('the policy engine is not bootstrapped');
    return { seq: rows[0]!.seq, document: rows[0]!.document, contentHash: rows[0]!.content_hash };
  }

  /** Governance document `seq` (rows are immutable). */
  async governanceAt(seq: number, sql: Sql = this.sql): Promise<GovernanceRecord | undefined> {
    const rows = await sql<{ seq: number; document: BootstrapDocument; content_hash: string }>('SELECT seq, document, content_hash FROM policy.governance WHERE seq = $1', [seq]);
    return rows[0] ? { seq: rows[0].seq, document: rows[0].document, contentHash: rows[0].content_hash } : undefined;
  }

  /** Inserts a proposal; false when the id exists already. */
  async insertProposal(p: Omit<ProposalRecord, 'status' | 'createdAt' | 'activatedVersion'>, sql: Sql = this.sql): Promise<boolean> {
    const rows = await sql(
      `INSERT INTO policy.proposals (proposal_id, kind, body, content_hash, base_version, base_hash, proposed_by, status)
       VALUES ($1, $2, $3, $4, $5, $6, $7, 'open') ON CONFLICT (proposal_id) DO NOTHING RETURNING proposal_id`,
      [p.proposalId, p.kind, JSON.stringify(p.body), p.contentHash, p.base.version, p.base.hash, p.proposedBy],
    );
    return rows.length === 1;
  }

  async proposal(id: string, sql: Sql = this.sql, forUpdate = false): Promise<ProposalRecord | undefined> {
    const rows = await sql<ProposalRow>(
      `SELECT proposal_id, kind, body, content_hash, base_version, base_hash, proposed_by, status, created_at, activated_version
       FROM policy.proposals WHERE proposal_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ? proposal(rows[0]) : undefined;
  }

  async proposalApprovals(id: string, sql: Sql = this.sql): Promise<ProposalApprovalRecord[]> {
    const rows = await sql<{ admin_id: string; decision: 'approve' | 'reject'; signature: Buffer; received_at_ms: string }>(
      'SELECT admin_id, decision, signature, received_at_ms FROM policy.proposal_approvals WHERE proposal_id = $1 ORDER BY received_at_ms, admin_id',
      [id],
    );
    return rows.map((r) => ({ adminId: r.admin_id, decision: r.decision, signature: Uint8Array.from(r.signature), receivedAt: Number(r.received_at_ms) }));
  }

  /** Records an admin's decision; returns the stored one when that admin decided already (the first one stands). */
  async insertProposalApproval(sql: Sql, proposalId: string, a: ProposalApprovalRecord): Promise<ProposalApprovalRecord | undefined> {
    const inserted = await sql(
      `INSERT INTO policy.proposal_approvals (proposal_id, admin_id, decision, signature, received_at_ms) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (proposal_id, admin_id) DO NOTHING RETURNING admin_id`,
      [proposalId, a.adminId, a.decision, Buffer.from(a.signature), a.receivedAt],
    );
    if (inserted.length === 1) return undefined;
    return (await this.proposalApprovals(proposalId, sql)).find((x) => x.adminId === a.adminId);
  }

  /** Locks the active pointer (serializes activations; evaluations only read it). */
  async lockActive(sql: Sql): Promise<void> {
    await sql('SELECT version FROM policy.active_version FOR UPDATE');
  }

  /** Creates the next version from a policy proposal and points `active` at it (caller's transaction). */
  async activatePolicy(sql: Sql, p: ProposalRecord, document: PolicyDocument, contentHash: string): Promise<number> {
    const next = (await sql<{ next: number }>('SELECT COALESCE(max(version), 0) + 1 AS next FROM policy.versions'))[0]!.next;
    await sql('INSERT INTO policy.versions (version, content_hash, document, proposal_id) VALUES ($1, $2, $3, $4)', [next, contentHash, JSON.stringify(document), p.proposalId]);
    await sql('UPDATE policy.active_version SET version = $1, activated_at = now()', [next]);
    await sql("UPDATE policy.proposals SET status = 'activated', activated_at = now(), activated_version = $2 WHERE proposal_id = $1", [p.proposalId, next]);
    return next;
  }

  /** Puts a new governance document in force from a bootstrap proposal (caller's transaction). */
  async activateGovernance(sql: Sql, p: ProposalRecord, document: BootstrapDocument, contentHash: string): Promise<void> {
    const next = (await sql<{ next: number }>('SELECT COALESCE(max(seq), 0) + 1 AS next FROM policy.governance'))[0]!.next;
    await sql('INSERT INTO policy.governance (seq, document, content_hash, proposal_id) VALUES ($1, $2, $3, $4)', [next, JSON.stringify(document), contentHash, p.proposalId]);
    await sql("UPDATE policy.proposals SET status = 'activated', activated_at = now() WHERE proposal_id = $1", [p.proposalId]);
  }
}
