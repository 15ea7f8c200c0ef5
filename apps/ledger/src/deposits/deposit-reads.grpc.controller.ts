import { Controller, UseFilters } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { LedgerInputError, validateIdentifier } from '@custody/ledger-core';
import { LedgerErrorsFilter } from '../api/ledger-errors.filter';
import { decoded } from '../api/request-decoding';
import type { DepositView } from '../api/views';
import { NotFoundError } from '../books/books.errors';
import { DepositReadsRepository } from './deposit-reads.repository';

const DEPOSIT_ID = /^deposit\/[A-Za-z0-9._:-]{1,128}\/[A-Za-z0-9]{1,128}\/\d{1,10}$/;
const DEFAULT_PAGE = 100;
const MAX_PAGE = 500;

function pageSize(value: unknown): number {
  const v = value ?? 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > MAX_PAGE) throw new LedgerInputError('page_size', `must be an integer in 0..${MAX_PAGE}`);
  return v === 0 ? DEFAULT_PAGE : v;
}

function pageToken(value: unknown): string | undefined {
  if (value === undefined || value === '') return undefined;
  const id = typeof value === 'string' && /^[A-Za-z0-9_-]{1,400}$/.test(value) ? Buffer.from(value, 'base64url').toString('utf8') : '';
  if (!DEPOSIT_ID.test(id)) throw new LedgerInputError('page_token', 'is not a token this ledger issued');
  return id;
}

/**
 * custody.ledger.v1.LedgerService GetDeposit / ListDeposits: the public API's reads of deposits
 * (apart from the write path, which it never touches).
 */
@Controller()
@UseFilters(LedgerErrorsFilter)
export class DepositReadsGrpcController {
  constructor(private readonly reads: DepositReadsRepository) {}

  @GrpcMethod('LedgerService', 'GetDeposit')
  async getDeposit(r: Record<string, unknown>): Promise<DepositView> {
    const { id } = decoded(r) as { id?: unknown };
    if (typeof id !== 'string' || !DEPOSIT_ID.test(id)) throw new LedgerInputError('id', 'must be deposit/<chain>/<tx hash>/<log index>');
    const deposit = await this.reads.find(id);
    if (!deposit) throw new NotFoundError('deposit', id);
    return deposit;
  }

  @GrpcMethod('LedgerService', 'ListDeposits')
  async listDeposits(r: Record<string, unknown>): Promise<{ deposits: DepositView[]; nextPageToken: string }> {
    const request = decoded(r) as { wallet?: unknown; pageSize?: unknown; pageToken?: unknown };
    const wallet = validateIdentifier(request.wallet, 'wallet');
    const size = pageSize(request.pageSize);
    const rows = await this.reads.list(wallet, pageToken(request.pageToken), size + 1);
    const page = rows.slice(0, size);
    return { deposits: page, nextPageToken: rows.length > size ? Buffer.from(page[page.length - 1]!.id, 'utf8').toString('base64url') : '' };
  }
}
