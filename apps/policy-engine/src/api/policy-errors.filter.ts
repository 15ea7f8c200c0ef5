import { Catch, Logger, type ArgumentsHost, type RpcExceptionFilter } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import { PolicyValidationError } from '@custody/policy-core';
import { throwError, type Observable } from 'rxjs';
import { classifyPolicyError } from './policy-error-table';

export const MAX_STATUS_MESSAGE = 1024;

function bounded(message: string): string {
  return message.length <= MAX_STATUS_MESSAGE ? message : `${message.slice(0, MAX_STATUS_MESSAGE - 20)}… (${message.length} chars)`;
}

export function toGrpcError(error: unknown): { code: status; message: string } {
  const row = classifyPolicyError(error);
  if (row.errorClass === 'internal') return { code: row.code, message: 'internal error' };
  if (error instanceof PolicyValidationError) {
    const shown = error.issues.slice(0, 10).map((i) => `${i.path || '/'}: ${i.message}`);
    return { code: row.code, message: bounded(`invalid policy document: ${shown.join('; ')}${error.issues.length > 10 ? ` (and ${error.issues.length - 10} more)` : ''}`) };
  }
  return { code: row.code, message: bounded(error instanceof Error ? error.message : String(error)) };
}

@Catch()
export class PolicyErrorsFilter implements RpcExceptionFilter<unknown> {
  private readonly logger = new Logger('PolicyErrors');

  catch(exception: unknown, _host: ArgumentsHost): Observable<never> {
    const error = toGrpcError(exception);
    if (error.code === status.INTERNAL) {
      this.logger.error({ err: exception instanceof Error ? { name: exception.name, message: exception.message.slice(0, 2000), stack: exception.stack?.slice(0, 4000) } : String(exception).slice(0, 2000) }, 'request failed');
    }
    return throwError(() => error);
  }
}
