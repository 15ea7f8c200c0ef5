import { Inject, Injectable } from '@nestjs/common';
import { POSTGRES } from '@custody/platform';
import type { PolicyDocument } from '@custody/policy-core';
import type { DataSource } from 'typeorm';
import { autocommit, type Sql } from '../storage/transaction';

export interface PolicyVersionRecord {
  readonly version: number;
  readonly contentHash: string;
  readonly document: PolicyDocument;
  readonly proposalId: string | null;
  readonly createdAt: number;
}

export interface KeyHolder {
  readonly id: string;
  readonly publicKey: Uint8Array;
}

export interface ApproverRecord extends KeyHolder {
  readonly clientIds: readonly string[];
}

export type ProposalKind = 'policy' | 'admins';
export type ProposalStatus = 'open' | 'activated' | 'superseded';

/** The body of an `admins` proposal: the new admin set and quorum, and optionally a new approver registry. */
export interface AdminsProposalBody {
  readonly admins: readonly { readonly id: string; readonly publicKey: string }[];
  readonly quorum: number;
}

export interface ProposalRecord {
  readonly proposalId: string;
  readonly kind: ProposalKind;
  /** `policy`: the document; `admins`: {@link AdminsProposalBody}. */
  readonly body: unknown;
  readonly contentHash: string;
  readonly baseVersion: number | null;
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

export interface BootstrapInsert {
  readonly fileHash: string;
  readonly adminQuorum: number;
  readonly admins: readonly KeyHolder[];
  readonly approvers: readonly ApproverRecord[];
  readonly document: PolicyDocument;
  readonly contentHash: string;
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
  base_version: number | null;
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
    baseVersion: row.base_version,
    proposedBy: row.proposed_by,
    status: row.status,
    createdAt: row.created_at.getTime(),
    activatedVersion: row.activated_version,
  };
}

/** SQL of governance: bootstrap, versions, the active pointer, admins, approvers, proposals. */
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
   * Writes the bootstrap (admins, quorum, approvers, version 1, the active pointer) in the caller's
   * transaction. Returns false when another process bootstrapped first (nothing written).
   */
  async insertBootstrap(sql: Sql, b: BootstrapInsert): Promise<boolean> {
    await sql('LOCK TABLE policy.bootstrap IN EXCLUSIVE MODE');
    if (await this.isBootstrapped(sql)) return false;
    await sql('INSERT INTO policy.bootstrap (file_hash, admin_quorum) VALUES ($1, $2)', [b.fileHash, b.adminQuorum]);
    await sql('INSERT INTO policy.admin_quorum (quorum) VALUES ($1)', [b.adminQuorum]);
    for (const a of b.admins) await sql('INSERT INTO policy.admins (admin_id, public_key) VALUES ($1, $2)', [a.id, Buffer.from(a.publicKey)]);
    for (const a of b.approvers) await sql('INSERT INTO policy.approvers (approver_id, public_key, client_ids) VALUES ($1, $2, $3)', [a.id, Buffer.from(a.publicKey), [...a.clientIds]]);
    await sql('INSERT INTO policy.versions (version, content_hash, document) VALUES (1, $1, $2)', [b.contentHash, JSON.stringify(b.document)]);
    await sql('INSERT INTO policy.active_version (version) VALUES (1)');
    return true;
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

  async admins(sql: Sql = this.sql): Promise<{ admins: KeyHolder[]; quorum: number }> {
    const admins = await sql<{ admin_id: string; public_key: Buffer }>('SELECT admin_id, public_key FROM policy.admins WHERE removed_at IS NULL ORDER BY admin_id');
    const quorum = await sql<{ quorum: number }>('SELECT quorum FROM policy.admin_quorum');
    return { admins: admins.map((r) => ({ id: r.admin_id, publicKey: Uint8Array.from(r.public_key) })), quorum: quorum[0]?.quorum ?? 0 };
  }

  async approvers(sql: Sql = this.sql): Promise<ApproverRecord[]> {
    const rows = await sql<{ approver_id: string; public_key: Buffer; client_ids: string[] }>('SELECT approver_id, public_key, client_ids FROM policy.approvers ORDER BY approver_id');
    return rows.map((r) => ({ id: r.approver_id, publicKey: Uint8Array.from(r.public_key), clientIds: r.client_ids }));
  }

  /** Inserts a proposal; false when the id exists already. */
  async insertProposal(p: Omit<ProposalRecord, 'status' | 'createdAt' | 'activatedVersion'>): Promise<boolean> {
    const rows = await this.sql(
      `INSERT INTO policy.proposals (proposal_id, kind, body, content_hash, base_version, proposed_by, status)
       VALUES ($1, $2, $3, $4, $5, $6, 'open') ON CONFLICT (proposal_id) DO NOTHING RETURNING proposal_id`,
      [p.proposalId, p.kind, JSON.stringify(p.body), p.contentHash, p.baseVersion, p.proposedBy],
    );
    return rows.length === 1;
  }

  async proposal(id: string, sql: Sql = this.sql, forUpdate = false): Promise<ProposalRecord | undefined> {
    const rows = await sql<ProposalRow>(
      `SELECT proposal_id, kind, body, content_hash, base_version, proposed_by, status, created_at, activated_version
       FROM policy.proposals WHERE proposal_id = $1${forUpdate ? ' FOR UPDATE' : ''}`,
      [id],
    );
    return rows[0] ? proposal(rows[0]) : undefined;
  }

  async proposalApprovals(id: string, sql: Sql = this.sql): Promise<ProposalApprovalRecord[]> {
    const rows = await sql<{ admin_id: string; decision: 'approve' | 'reject'; signature: Buffer; received_at: Date }>(
      'SELECT admin_id, decision, signature, received_at FROM policy.proposal_approvals WHERE proposal_id = $1 ORDER BY received_at, admin_id',
      [id],
    );
    return rows.map((r) => ({ adminId: r.admin_id, decision: r.decision, signature: Uint8Array.from(r.signature), receivedAt: r.received_at.getTime() }));
  }

  /** Records an admin's decision; returns the stored one when that admin decided already (first one wins). */
  async insertProposalApproval(sql: Sql, proposalId: string, a: Omit<ProposalApprovalRecord, 'receivedAt'>): Promise<ProposalApprovalRecord | undefined> {
    const inserted = await sql(
      `INSERT INTO policy.proposal_approvals (proposal_id, admin_id, decision, signature) VALUES ($1, $2, $3, $4)
       ON CONFLICT (proposal_id, admin_id) DO NOTHING RETURNING admin_id`,
      [proposalId, a.adminId, a.decision, Buffer.from(a.signature)],
    );
    if (inserted.length === 1) return undefined;
    return (await this.proposalApprovals(proposalId, sql)).find((x) => x.adminId === a.adminId);
  }

  /** Creates the next version from a policy proposal and points `active` at it (caller's transaction). */
  async activatePolicy(sql: Sql, p: ProposalRecord, document: PolicyDocument, contentHash: string): Promise<number> {
    await sql('SELECT version FROM policy.active_version FOR UPDATE');
    const next = (await sql<{ next: number }>('SELECT COALESCE(max(version), 0) + 1 AS next FROM policy.versions'))[0]!.next;
    await sql('INSERT INTO policy.versions (version, content_hash, document, proposal_id) VALUES ($1, $2, $3, $4)', [next, contentHash, JSON.stringify(document), p.proposalId]);
    await sql('UPDATE policy.active_version SET version = $1, activated_at = now()', [next]);
    await sql("UPDATE policy.proposals SET status = 'activated', activated_at = now(), activated_version = $2 WHERE proposal_id = $1", [p.proposalId, next]);
    return next;
  }

  /** Replaces the admin set and quorum from an admins proposal (caller's transaction). */
  async activateAdmins(sql: Sql, p: ProposalRecord, admins: readonly KeyHolder[], quorum: number): Promise<void> {
    await sql('UPDATE policy.admins SET removed_at = now() WHERE removed_at IS NULL AND NOT (admin_id = ANY($1::text[]))', [admins.map((a) => a.id)]);
    for (const a of admins) {
      await sql(
        `INSERT INTO policy.admins (admin_id, public_key) VALUES ($1, $2)
         ON CONFLICT (admin_id) DO UPDATE SET public_key = EXCLUDED.public_key, removed_at = NULL, added_at = now()`,
        [a.id, Buffer.from(a.publicKey)],
      );
    }
    await sql('UPDATE policy.admin_quorum SET quorum = $1, proposal_id = $2, updated_at = now()', [quorum, p.proposalId]);
    await sql("UPDATE policy.proposals SET status = 'activated', activated_at = now() WHERE proposal_id = $1", [p.proposalId]);
  }
}
