import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { Pool } from 'pg';
import { appendAuditRecord } from '@custody/audit-log';
import type { AuditRecord, AuditValue } from '@custody/audit-core';
import type { SignerConfig } from '../config';
import { SIGNER_CONFIG } from '../storage/signer.tokens';

/** The audit record of an action could not be written: the action's result is withheld. */
export class AuditWriteFailed extends Error {
  override readonly name = 'AuditWriteFailed';
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/**
 * This signer's audit records (signing sessions, key generation and refresh), written straight to the
 * audit log in the services' database (AUDIT_DATABASE_URL) by the node that coordinated the session,
 * before it answers: a signature or a key is released only once its record is committed. A failed
 * write withholds the result (Sign / CreateKey / RefreshKey answer INTERNAL; the request id is spent,
 * so a signature needs a new request). Unset AUDIT_DATABASE_URL: this node writes no records (the
 * witness check still catches a log that hides a grant this node signed).
 */
@Injectable()
export class AuditWriter implements OnApplicationShutdown {
  private readonly logger = new Logger('AuditWriter');
  private readonly pool: Pool | undefined;
  private readonly actor: string;

  constructor(@Inject(SIGNER_CONFIG) config: SignerConfig) {
    this.actor = `service:signer-${config.signerId}`;
    if (config.auditDatabaseUrl === undefined) {
      this.logger.warn('AUDIT_DATABASE_URL is unset: this signer writes no audit records');
      return;
    }
    this.pool = new Pool({ connectionString: config.auditDatabaseUrl, max: 4, connectionTimeoutMillis: 5_000, statement_timeout: 5_000 });
    this.pool.on('error', (error) => this.logger.warn({ reason: error.message }, 'audit database connection error'));
  }

  get enabled(): boolean {
    return this.pool !== undefined;
  }

  /** A signing session this node coordinated: written before the signature leaves the node. */
  async signed(s: { requestId: string; scheme: string; keyId: string; participants: readonly number[]; signature: Uint8Array; publicKey: Uint8Array }): Promise<void> {
    await this.write('signing-session', s.requestId, s.keyId, { outcome: 'signed', scheme: s.scheme, keyId: s.keyId, participants: [...s.participants], signature: hex(s.signature), publicKey: hex(s.publicKey) });
  }

  /** A signing session that failed (nothing to withhold: best effort). */
  async failed(s: { requestId: string; scheme: string; keyId: string; participants: readonly number[]; reason: string }): Promise<void> {
    await this.write('signing-session', s.requestId, s.keyId, { outcome: 'failed', scheme: s.scheme, keyId: s.keyId, participants: [...s.participants], reason: s.reason.slice(0, 300) }).catch((error: unknown) => {
      this.logger.warn({ reason: error instanceof Error ? error.message : String(error) }, 'audit record of a failed signing session not written');
    });
  }

  /** A key generated or refreshed (public material only). */
  async key(kind: 'key-generation' | 'key-refresh', k: { keyId: string; scheme: string; threshold: number; participants: readonly number[]; publicKey: Uint8Array; generation: number }): Promise<void> {
    await this.write(kind, null, k.keyId, { scheme: k.scheme, keyId: k.keyId, threshold: k.threshold, participants: [...k.participants], publicKey: hex(k.publicKey), generation: k.generation });
  }

  private async write(type: AuditRecord['type'], requestId: string | null, wallet: string, body: Record<string, AuditValue>): Promise<void> {
    if (this.pool === undefined) return;
    try {
      await appendAuditRecord(this.pool, { version: 1, type, occurredAt: Date.now(), actor: this.actor, requestId, wallet, body });
    } catch (error) {
      this.logger.error({ type, requestId, reason: error instanceof Error ? error.message : String(error) }, 'audit record not written: result withheld');
      throw new AuditWriteFailed(`the audit record (${type}) could not be written; the result is withheld`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool?.end();
  }
}
