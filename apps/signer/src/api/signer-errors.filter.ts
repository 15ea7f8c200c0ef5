import { Catch, Logger, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import { InvalidInputError, ProtocolAbortError } from '@custody/mpc-core';
import { throwError, type Observable } from 'rxjs';
import { KeyNotFound } from '../keys/keys.service';
import { InvitationRefused } from '../node/protocol-handler';
import { SessionFailed } from '../sessions/session-errors';

export interface GrpcError {
  readonly code: status;
  readonly message: string;
}

/** Maps the signer's errors to gRPC status codes; the message names parties and checks, never secrets. */
export function toGrpcError(error: unknown): GrpcError {
  if (error instanceof InvalidInputError) return { code: status.INVALID_ARGUMENT, message: error.message };
  if (error instanceof KeyNotFound) return { code: status.NOT_FOUND, message: error.message };
  if (error instanceof InvitationRefused) return { code: status.FAILED_PRECONDITION, message: error.message };
  if (error instanceof SessionFailed) {
    const code = error.kind === 'timeout' || error.kind === 'invitation-refused' ? status.UNAVAILABLE : status.ABORTED;
    return { code, message: `${error.kind} [signers ${error.parties.join(',')}]: ${error.message}` };
  }
  if (error instanceof ProtocolAbortError) return { code: status.ABORTED, message: error.message };
  return { code: status.INTERNAL, message: 'internal error' };
}

@Catch()
export class SignerErrorsFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('SignerErrors');

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    const error = toGrpcError(exception);
    // Our own bug: the message and stack go to the log (our errors never carry secret values); the
    // caller only learns that it was internal.
    if (error.code === status.INTERNAL) {
      this.logger.error({ err: exception instanceof Error ? { name: exception.name, message: exception.message, stack: exception.stack } : String(exception) }, 'request failed');
    }
    return throwError(() => error);
  }
}
