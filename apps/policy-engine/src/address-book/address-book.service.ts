import { Injectable, type OnModuleInit } from '@nestjs/common';
import { EvaluationService, type DecisionView } from '../evaluation/evaluation.service';
import { checkChainId, checkId, checkIds, checkRequestId, normalizeAddress } from '../evaluation/request-input';
import { AlreadyExists, InvalidArgument, NotFound } from '../errors';
import type { Sql } from '../storage/transaction';
import { recordAddressBookChange } from '../audit/audit-records';
import type { StoredRequest } from '../evaluation/requests.repository';
import { AddressBookRepository, type AddressBookRecord } from './address-book.repository';

export interface AddressBookChangeInput {
  readonly requestId?: unknown;
  readonly initiatorId?: unknown;
  readonly initiatorGroups?: unknown;
  readonly change?: unknown;
  readonly entry?: { entryId?: unknown; chainId?: unknown; address?: unknown; tags?: unknown; label?: unknown };
}

interface PendingChange {
  readonly change: 'upsert' | 'delete';
  readonly entry: AddressBookRecord;
}

const LABEL_MAX = 256;

/**
 * The address book. Every change is a request under policy (operation `address-book-change`, the
 * change's fields as CEL-visible attributes `change`, `entryId`, `chainId`, `address`, `tags`): it is
 * applied in the transaction that allows it — at once, or when its approvals complete.
 */
@Injectable()
export class AddressBookService implements OnModuleInit {
  constructor(
    private readonly repository: AddressBookRepository,
    private readonly evaluation: EvaluationService,
  ) {}

  onModuleInit(): void {
    this.evaluation.registerOnAllowed('address-book-change', (sql, request) => this.apply(sql, request));
  }

  async propose(input: AddressBookChangeInput): Promise<DecisionView> {
    const requestId = checkRequestId(input.requestId, 'request_id');
    const initiator = { id: checkId(input.initiatorId, 'initiator_id'), groups: checkIds(input.initiatorGroups, 'initiator_groups') };
    if (input.change !== 'upsert' && input.change !== 'delete') throw new InvalidArgument('change', 'must be "upsert" or "delete"');
    const change = input.change;
    const e = input.entry;
    if (!e) throw new InvalidArgument('entry', 'is required');
    const id = checkId(e.entryId, 'entry.entry_id');
    let entry: AddressBookRecord;
    if (change === 'delete') {
      const existing = await this.repository.get(id);
      if (!existing) throw new NotFound('address book entry', id);
      entry = existing;
    } else {
      const label = e.label ?? '';
      if (typeof label !== 'string' || label.length > LABEL_MAX || [...label].some((c) => c.charCodeAt(0) < 0x20)) throw new InvalidArgument('entry.label', `must be at most ${LABEL_MAX} printable characters`);
      entry = { id, chainId: checkChainId(e.chainId, 'entry.chain_id'), address: normalizeAddress(e.address, 'entry.address'), tags: checkIds(e.tags, 'entry.tags'), label };
      const taken = (await this.repository.entriesFor(entry.chainId, entry.address)).find((x) => x.id !== id);
      if (taken) throw new AlreadyExists('address', entry.address, `on chain ${entry.chainId} is entry ${taken.id} already`);
    }
    const pending: PendingChange = { change, entry };
    return this.evaluation.evaluate(
      {
        request: {
          id: requestId,
          operation: 'address-book-change',
          initiator,
          attributes: { change, entryId: entry.id, chainId: String(entry.chainId), address: entry.address, tags: entry.tags.join(',') },
        },
        signRequest: null,
      },
      { addressBookChange: pending },
    );
  }

  async get(id: unknown): Promise<AddressBookRecord> {
    const entryId = checkId(id, 'entry_id');
    const entry = await this.repository.get(entryId);
    if (!entry) throw new NotFound('address book entry', entryId);
    return entry;
  }

  async list(chainId: unknown, tag: unknown): Promise<AddressBookRecord[]> {
    return this.repository.list({
      ...(chainId ? { chainId: checkChainId(chainId, 'chain_id') } : {}),
      ...(tag ? { tag: checkId(tag, 'tag') } : {}),
    });
  }

  private async apply(sql: Sql, request: StoredRequest): Promise<void> {
    const pending = request.body.addressBookChange as PendingChange | undefined;
    if (!pending) throw new Error(`request ${request.requestId} carries no address-book change`);
    await recordAddressBookChange(sql, { requestId: request.requestId, change: pending.change, entryId: pending.entry.id, chainId: pending.entry.chainId, address: pending.entry.address, tags: pending.entry.tags, label: pending.entry.label });
    if (pending.change === 'delete') return this.repository.delete(sql, pending.entry.id);
    try {
      await this.repository.upsert(sql, pending.entry);
    } catch (error) {
      // Another entry took the address between the proposal and its approval: nothing is applied.
      if ((error as { code?: string }).code === '23505') throw new AlreadyExists('address', pending.entry.address, `on chain ${pending.entry.chainId} belongs to another entry now`);
      throw error;
    }
  }
}
