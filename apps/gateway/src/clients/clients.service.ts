import { Inject, Injectable } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { POSTGRES } from '@custody/platform';
import { appendAuditRecord } from '@custody/audit-log';
import { apiClientChangeRecord } from '../audit/audit-records';
import { CLIENT_ID_PATTERN, isRole, type ApiClient, type Role } from '../auth/api-client';
import { ApiClientRepository } from '../auth/api-client.repository';
import { ApiError, preview } from '../errors/api-error';

/** An API client as the public API shows it (REST JSON and gRPC `custody.v1.ApiClient`). */
export interface ApiClientView {
  name: string;
  clientId: string;
  publicKey: string;
  roles: string[];
  disabled: boolean;
  createTime: string;
  disableTime: string;
}

export interface ApiClientPage {
  clients: ApiClientView[];
  nextPageToken: string;
}

export interface CreateApiClientInput {
  clientId: string;
  publicKey: string;
  roles: string[];
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 100;

export function toView(client: ApiClient): ApiClientView {
  return {
    name: `clients/${client.clientId}`,
    clientId: client.clientId,
    publicKey: Buffer.from(client.publicKey).toString('hex'),
    roles: [...client.roles],
    disabled: client.disabled,
    createTime: client.createdAt.toISOString(),
    disableTime: client.disabledAt?.toISOString() ?? '',
  };
}

export function checkClientId(value: string, field = 'clientId'): string {
  if (!CLIENT_ID_PATTERN.test(value)) throw new ApiError('invalid-argument', `${field} ${preview(value)} must be 1..128 characters of [A-Za-z0-9._:-]`);
  return value;
}

/** `clients/{client_id}` → the id. */
export function parseClientName(name: string): string {
  if (!name.startsWith('clients/')) throw new ApiError('invalid-argument', `name ${preview(name)} must be clients/{client_id}`);
  return checkClientId(name.slice('clients/'.length), 'name');
}

function checkPageSize(pageSize: number): number {
  if (!Number.isSafeInteger(pageSize) || pageSize < 0 || pageSize > MAX_PAGE_SIZE) throw new ApiError('invalid-argument', `page_size must be an integer 0..${MAX_PAGE_SIZE}`);
  return pageSize === 0 ? DEFAULT_PAGE_SIZE : pageSize;
}

function decodePageToken(token: string): string | undefined {
  if (token === '') return undefined;
  const id = /^[A-Za-z0-9_-]{1,200}$/.test(token) ? Buffer.from(token, 'base64url').toString('utf8') : '';
  if (!CLIENT_ID_PATTERN.test(id)) throw new ApiError('invalid-argument', 'page_token is not a token this API issued');
  return id;
}

/** API clients: create, get, list, disable (admin only, enforced by the controllers' roles). */
@Injectable()
export class ClientsService {
  constructor(
    private readonly clients: ApiClientRepository,
    @Inject(POSTGRES) private readonly db: DataSource,
  ) {}

  async create(input: CreateApiClientInput): Promise<ApiClientView> {
    const clientId = checkClientId(input.clientId);
    // `system:` names the gateway's own initiators (the deposit sweeper): never an API client's id.
    if (clientId.startsWith('system:')) throw new ApiError('invalid-argument', `clientId ${preview(clientId)}: the prefix system: is reserved for the service's own initiators`);
    if (!/^[0-9a-f]{64}$/.test(input.publicKey)) throw new ApiError('invalid-argument', 'publicKey must be the 32-byte Ed25519 public key as 64 lower-case hex characters');
    if (input.roles.length === 0) throw new ApiError('invalid-argument', 'roles must name at least one role');
    const roles: Role[] = [];
    for (const role of input.roles) {
      if (!isRole(role)) throw new ApiError('invalid-argument', `roles: ${preview(role)} is not one of viewer, operator, approver, compliance-admin, auditor, admin`);
      if (roles.includes(role)) throw new ApiError('invalid-argument', `roles: ${role} is named twice`);
      roles.push(role);
    }
    const created = await this.db.transaction(async (tx) => {
      const c = await this.clients.create(clientId, Buffer.from(input.publicKey, 'hex'), roles, tx);
      if (c) await appendAuditRecord(tx, apiClientChangeRecord('create', c));
      return c;
    });
    if (!created) throw new ApiError('already-exists', `an API client ${preview(clientId)} already exists`);
    return toView(created);
  }

  async get(clientId: string): Promise<ApiClientView> {
    const client = await this.clients.find(checkClientId(clientId));
    if (!client) throw new ApiError('not-found', `no API client ${preview(clientId)}`);
    return toView(client);
  }

  async list(pageSize: number, pageToken: string): Promise<ApiClientPage> {
    const size = checkPageSize(pageSize);
    const after = decodePageToken(pageToken);
    const rows = await this.clients.list(after, size + 1);
    const page = rows.slice(0, size);
    const next = rows.length > size ? Buffer.from(page[page.length - 1]!.clientId, 'utf8').toString('base64url') : '';
    return { clients: page.map(toView), nextPageToken: next };
  }

  async disable(clientId: string): Promise<ApiClientView> {
    const client = await this.db.transaction(async (tx) => {
      const c = await this.clients.disable(checkClientId(clientId), tx);
      if (c) await appendAuditRecord(tx, apiClientChangeRecord('disable', c));
      return c;
    });
    if (!client) throw new ApiError('not-found', `no API client ${preview(clientId)}`);
    return toView(client);
  }
}
