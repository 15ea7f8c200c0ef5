import { Catch, Logger, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import { UnknownAccountError } from '@custody/ledger-core';
import { throwError, type Observable } from 'rxjs';
import { classifyLedgerError } from './ledger-error-table';

/** The longest status message sent (messages are short by construction; this is the net under it). */
export const MAX_STATUS_MESSAGE = 512;

function bounded(message: string): string {
  return message.length <= MAX_STATUS_MESSAGE ? message : `${message.slice(0, MAX_STATUS_MESSAGE - 20)}… (${message.length} chars)`;
}

export function toGrpcError(error: unknown): { code: status; message: string } {
  const row = classifyLedgerError(error);
  if (row.errorClass === 'internal') return { code: row.code, message: 'internal error' };
  // UnknownAccountError's own message is "unknown account at <field>": say it the way every other
  // invalid argument is said, field first.
  if (error instanceof UnknownAccountError) return { code: row.code, message: bounded(`invalid ${error.field}: unknown account ${error.account.slice(0, 80)}`) };
  return { code: row.code, message: bounded(error instanceof Error ? error.message : String(error)) };
}

@Catch()
export class LedgerErrorsFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('LedgerErrors');

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    const error = this.answer(exception);
    return throwError(() => error);
  }

  /** One refused event of a batch (ApplyDepositEvents), as its single call's status would say it. */
  eventError(exception: unknown): { code: number; errorClass: string; message: string } {
    const error = this.answer(exception);
    return { code: error.code, errorClass: classifyLedgerError(exception).errorClass, message: error.message };
  }

  private answer(exception: unknown): { code: status; message: string } {
    const error = toGrpcError(exception);
    if (error.code === status.INTERNAL) {
      this.logger.error(
        { err: exception instanceof Error ? { name: exception.name, message: exception.message.slice(0, 2000), stack: exception.stack?.slice(0, 4000) } : String(exception).slice(0, 2000) },
        'request failed',
      );
    }
    return error;
  }
}
