import { Catch, Logger, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import { throwError, type Observable } from 'rxjs';
import { SessionFailed } from '../sessions/session-errors';
import { classifySignerError } from './signer-error-table';

export interface GrpcError {
  readonly code: status;
  readonly message: string;
}

/**
 * The longest status message sent. Messages are built to be short (an echoed input is cut to 32
 * characters); this is the net under that rule: an unbounded message once exceeded HTTP/2's 64 KiB
 * header block (grpc-message is a trailer), so the status never left and the caller's connection
 * hung until its deadline.
 */
export const MAX_STATUS_MESSAGE = 1024;

function bounded(message: string): string {
  return message.length <= MAX_STATUS_MESSAGE ? message : `${message.slice(0, MAX_STATUS_MESSAGE - 20)}… (${message.length} chars)`;
}

/** Maps the signer's errors to gRPC status codes by SIGNER_ERROR_TABLE; the message names parties and checks, never secrets. */
export function toGrpcError(error: unknown): GrpcError {
  const row = classifySignerError(error);
  if (row.errorClass === 'internal') return { code: row.code, message: 'internal error' };
  const text = error instanceof Error ? error.message : String(error);
  if (error instanceof SessionFailed) return { code: row.code, message: bounded(`${error.kind} [signers ${error.parties.join(',')}]: ${text}`) };
  return { code: row.code, message: bounded(text) };
}

@Catch()
export class SignerErrorsFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('SignerErrors');

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    const error = toGrpcError(exception);
    // Our own bug: the message and stack go to the log (our errors never carry secret values); the
    // caller only learns that it was internal.
    if (error.code === status.INTERNAL) {
      this.logger.error({ err: exception instanceof Error ? { name: exception.name, message: exception.message.slice(0, 2000), stack: exception.stack?.slice(0, 4000) } : String(exception).slice(0, 2000) }, 'request failed');
    }
    return throwError(() => error);
  }
}
