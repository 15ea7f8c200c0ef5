import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import type { ApiClient } from '../auth/api-client';
import { ApiError, preview } from '../errors/api-error';
import { pageSizeOf } from '../http/query';
import type { EngineAddressBookEntry, EngineDecision } from '../policy-engine/engine-messages';
import { PolicyEngineClient } from '../policy-engine/policy-engine.client';

/** An address-book entry as the public API shows it (REST JSON and gRPC `custody.v1.AddressBookEntry`). */
export interface AddressBookEntryView {
  name: string;
  label: string;
  chain: string;
  address: string;
  tags: string[];
  state: string;
  request: string;
}

export interface AddressBookPage {
  entries: AddressBookEntryView[];
  nextPageToken: string;
}

export interface CreateEntryInput {
  label: string;
  chain: string;
  address: string;
  entryId?: string;
  tags?: string[];
}

const ID = /^[A-Za-z0-9][A-Za-z0-9._:@-]{0,127}$/;
const DEFAULT_PAGE = 50;

export function checkEntryId(value: string, field = 'entryId'): string {
  if (!ID.test(value)) throw new ApiError('invalid-argument', `${field} ${preview(value)} must be an id (1..128 of [A-Za-z0-9._:@-], starting with a letter or digit)`);
  return value;
}

/** `addressBookEntries/{entry_id}` → the id. */
export function parseEntryName(name: string): string {
  if (!name.startsWith('addressBookEntries/')) throw new ApiError('invalid-argument', `name ${preview(name)} must be addressBookEntries/{entry_id}`);
  return checkEntryId(name.slice('addressBookEntries/'.length), 'name');
}

/** A decimal EVM chain id 1..2^31-1 (field named). */
export function chainIdOf(value: string, field = 'chain'): number {
  const n = /^[1-9]\d{0,9}$/.test(value) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n) || n > 2 ** 31 - 1) throw new ApiError('invalid-argument', `${field} ${preview(value)} must be an EVM chain id, decimal (e.g. "1", "31337")`);
  return n;
}

function entryView(e: EngineAddressBookEntry, state: string, request: string): AddressBookEntryView {
  return { name: `addressBookEntries/${e.entryId}`, label: e.label, chain: String(e.chainId), address: e.address, tags: e.tags, state, request };
}

/**
 * The address book over the policy engine. Every change is itself a request under policy
 * (operation `address-book-change`, initiator the calling client, its roles as initiator groups):
 * applied at once, or pending the approvals the policy asks for (the answer names the approval), or
 * refused (`policy-denied`).
 */
@Injectable()
export class AddressBookService {
  constructor(private readonly engine: PolicyEngineClient) {}

  async create(client: ApiClient, input: CreateEntryInput): Promise<AddressBookEntryView> {
    const entryId = checkEntryId(input.entryId || `e-${randomUUID()}`);
    const entry = { entryId, chainId: chainIdOf(input.chain), address: input.address, tags: input.tags ?? [], label: input.label };
    const decision = await this.propose(client, 'upsert', entry);
    const state = this.stateOf(decision);
    const stored = state === 'applied' ? await this.engine.call<EngineAddressBookEntry>('GetAddressBookEntry', { entryId }) : { ...entry, address: /^0x[0-9a-fA-F]{40}$/.test(entry.address) ? entry.address.toLowerCase() : entry.address };
    return entryView(stored, state, `approvals/${decision.requestId}`);
  }

  async delete(client: ApiClient, entryId: string): Promise<{ state: string; request: string }> {
    const decision = await this.propose(client, 'delete', { entryId: checkEntryId(entryId) });
    return { state: this.stateOf(decision), request: `approvals/${decision.requestId}` };
  }

  /** Live entries by id; the page token is the last id shown. */
  async list(pageSize: number, pageToken: string, filter: { tag?: string; chain?: string }): Promise<AddressBookPage> {
    const size = pageSizeOf(pageSize) || DEFAULT_PAGE;
    let after = '';
    if (pageToken !== '') {
      after = /^[A-Za-z0-9_-]{1,200}$/.test(pageToken) ? Buffer.from(pageToken, 'base64url').toString('utf8') : '';
      if (!ID.test(after)) throw new ApiError('invalid-argument', 'page_token is not a token this API issued');
    }
    const chainId = filter.chain ? chainIdOf(filter.chain) : 0;
    const tag = filter.tag ?? '';
    if (tag !== '') checkEntryId(tag, 'tag');
    const { entries } = await this.engine.call<{ entries: EngineAddressBookEntry[] }>('ListAddressBook', { chainId, tag });
    const sorted = entries.filter((e) => e.entryId > after).sort((a, b) => (a.entryId < b.entryId ? -1 : 1));
    const page = sorted.slice(0, size);
    const next = sorted.length > size ? Buffer.from(page[page.length - 1]!.entryId, 'utf8').toString('base64url') : '';
    return { entries: page.map((e) => entryView(e, 'applied', '')), nextPageToken: next };
  }

  private propose(client: ApiClient, change: 'upsert' | 'delete', entry: Record<string, unknown>): Promise<EngineDecision> {
    return this.engine.call<EngineDecision>('ProposeAddressBookChange', { requestId: `ab-${randomUUID()}`, initiatorId: client.clientId, initiatorGroups: [...client.roles], change, entry });
  }

  private stateOf(d: EngineDecision): string {
    if (d.status === 'allowed') return 'applied';
    if (d.status === 'pending-approval') return 'pending-approval';
    throw new ApiError('policy-denied', `the policy denies this address-book change (${d.reason}${d.matchedRule ? `, rule ${d.matchedRule}` : ''}; request ${d.requestId})`);
  }
}
