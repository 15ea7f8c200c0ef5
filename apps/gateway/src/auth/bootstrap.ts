import * as fs from 'node:fs';
import { Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { POSTGRES, StartupCheckFailed } from '@custody/platform';
import { appendAuditRecord } from '@custody/audit-log';
import { apiClientChangeRecord } from '../audit/audit-records';
import { CLIENT_ID_PATTERN } from './api-client';
import { ApiClientRepository } from './api-client.repository';
import type { GatewayConfig } from '../config';
import { GATEWAY_CONFIG } from '../tokens';

/** The bootstrap file's content: the first admin client. */
export interface BootstrapClient {
  readonly clientId: string;
  readonly publicKey: string;
}

/** Parses the bootstrap file (`{"clientId": "...", "publicKey": "<64 hex>"}`), or says what is wrong. */
export function parseBootstrapFile(text: string): BootstrapClient {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new StartupCheckFailed('GATEWAY_BOOTSTRAP_FILE is not valid JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new StartupCheckFailed('GATEWAY_BOOTSTRAP_FILE must hold a JSON object');
  const record = value as Record<string, unknown>;
  for (const key of Object.keys(record)) if (key !== 'clientId' && key !== 'publicKey') throw new StartupCheckFailed(`GATEWAY_BOOTSTRAP_FILE: unknown field ${JSON.stringify(key.slice(0, 32))}`);
  const { clientId, publicKey } = record;
  if (typeof clientId !== 'string' || !CLIENT_ID_PATTERN.test(clientId)) throw new StartupCheckFailed('GATEWAY_BOOTSTRAP_FILE: clientId must be 1..128 characters of [A-Za-z0-9._:-]');
  if (typeof publicKey !== 'string' || !/^[0-9a-f]{64}$/.test(publicKey)) throw new StartupCheckFailed('GATEWAY_BOOTSTRAP_FILE: publicKey must be 64 lower-case hex characters (Ed25519)');
  return { clientId, publicKey };
}

/**
 * The first admin: at start-up, the client of GATEWAY_BOOTSTRAP_FILE is registered with the role
 * admin unless a client of that id exists (then nothing changes, whatever its key or roles).
 */
@Injectable()
export class BootstrapAdmin implements OnApplicationBootstrap {
  private readonly logger = new Logger('BootstrapAdmin');

  constructor(
    private readonly clients: ApiClientRepository,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
    @Inject(POSTGRES) private readonly db: DataSource,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const file = this.config.bootstrapFile;
    if (!file) return;
    let text: string;
    try {
      text = fs.readFileSync(file, 'utf8');
    } catch (error) {
      throw new StartupCheckFailed(`GATEWAY_BOOTSTRAP_FILE cannot be read (${file}: ${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const admin = parseBootstrapFile(text);
    const created = await this.db.transaction(async (tx) => {
      const c = await this.clients.create(admin.clientId, Buffer.from(admin.publicKey, 'hex'), ['admin'], tx);
      if (c) await appendAuditRecord(tx, apiClientChangeRecord('create', c));
      return c;
    });
    this.logger.log({ clientId: admin.clientId, created: created !== undefined }, created ? 'bootstrap admin client registered' : 'bootstrap admin client already present');
  }
}
