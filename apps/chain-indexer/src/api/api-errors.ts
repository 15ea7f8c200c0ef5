import { Catch, Logger, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import { ChainInputError } from '@custody/chain-core';
import { LedgerInputError } from '@custody/ledger-core';
import { throwError, type Observable } from 'rxjs';
import { LedgerCallError } from '../ledger/ledger.client';
import { WatchConflictError } from '../store/indexer.repository';
import { TrackingConflictError } from '../store/withdrawal-store';

/** A field of the request is wrong: INVALID_ARGUMENT naming it. */
export class ApiInputError extends Error {
  override readonly name = 'ApiInputError';
  constructor(
    readonly field: string,
    reason: string,
  ) {
    super(`invalid ${field}: ${reason}`);
  }
}

/** NOT_FOUND: no such tracked withdrawal. */
export class ApiNotFoundError extends Error {
  override readonly name = 'ApiNotFoundError';
}

/** FAILED_PRECONDITION: the ledger does not have what the request needs (the asset, the withdrawal in a broadcast state). */
export class ApiPreconditionError extends Error {
  override readonly name = 'ApiPreconditionError';
}

const MAX_STATUS_MESSAGE = 512;

/** The gRPC status of an error of the API (internal errors say only "internal error"). */
export function toGrpcError(error: unknown): { code: status; message: string } {
  const message = error instanceof Error ? error.message.slice(0, MAX_STATUS_MESSAGE) : 'internal error';
  if (error instanceof ApiInputError || error instanceof ChainInputError || error instanceof LedgerInputError) return { code: status.INVALID_ARGUMENT, message };
  if (error instanceof WatchConflictError || error instanceof TrackingConflictError) return { code: status.ALREADY_EXISTS, message };
  if (error instanceof ApiNotFoundError) return { code: status.NOT_FOUND, message };
  if (error instanceof ApiPreconditionError) return { code: status.FAILED_PRECONDITION, message };
  if (error instanceof LedgerCallError && error.retryable) return { code: status.UNAVAILABLE, message: 'the ledger is unavailable; try again' };
  return { code: status.INTERNAL, message: 'internal error' };
}

@Catch()
export class ChainApiErrorsFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('ChainIndexerApi');

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    const error = toGrpcError(exception);
    if (error.code === status.INTERNAL) {
      this.logger.error({ err: exception instanceof Error ? { name: exception.name, message: exception.message.slice(0, 2000), stack: exception.stack?.slice(0, 4000) } : String(exception).slice(0, 2000) }, 'request failed');
    }
    return throwError(() => error);
  }
}
