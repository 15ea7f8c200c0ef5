import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { Metadata, status as GrpcStatus } from '@grpc/grpc-js';
import { RpcException } from '@nestjs/microservices';
import { google } from '@custody/proto';
import type { Response } from 'express';
import { throwError, type Observable } from 'rxjs';
import { requestIdOf } from '../http/request-context';
import { ApiError } from './api-error';
import { ERROR_TABLE, errorReason, problemType, type ErrorCode } from './error-table';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const ERROR_DOMAIN = 'custody.v1';

/** What a Nest HTTP exception (thrown by the framework, e.g. an unknown route) means to us. */
function fromHttpException(error: HttpException): ApiError {
  const status = error.getStatus();
  if (status === 404) return new ApiError('route-not-found', 'no route matches this method and path');
  if (status === 413) return new ApiError('body-too-large', 'the request body is too large');
  if (status >= 400 && status < 500) return new ApiError('invalid-argument', 'the request is invalid');
  return new ApiError('internal', 'internal error');
}

/**
 * What a shared platform handler's RpcException means to us: the gRPC health service answers
 * NOT_FOUND for a service it does not serve (the gRPC health protocol); anything else is a bug.
 */
function fromRpcException(error: RpcException): ApiError {
  const body = error.getError();
  if (typeof body === 'object' && body !== null && (body as { code?: unknown }).code === GrpcStatus.NOT_FOUND) {
    const message = (body as { message?: unknown }).message;
    return new ApiError('not-found', typeof message === 'string' ? message.slice(0, 200) : 'not found');
  }
  return new ApiError('internal', 'internal error');
}

/** The RFC 9457 problem document of an error. */
export function problemOf(error: ApiError, requestId: string): Record<string, unknown> {
  const entry = ERROR_TABLE[error.code];
  return { type: problemType(error.code), title: entry.title, status: entry.http, detail: error.message, code: error.code, requestId };
}

/** `google.rpc.Status` with one `google.rpc.ErrorInfo`, encoded for `grpc-status-details-bin`. */
export function grpcStatusDetails(code: ErrorCode, message: string, requestId: string): Buffer {
  const info = google.rpc.ErrorInfo.encode({ reason: errorReason(code), domain: ERROR_DOMAIN, metadata: { code, requestId } }).finish();
  const status = google.rpc.Status.encode({
    code: ERROR_TABLE[code].grpc,
    message,
    details: [{ type_url: 'type.googleapis.com/google.rpc.ErrorInfo', value: info }],
  }).finish();
  return Buffer.from(status);
}

/**
 * The one error filter of the gateway: every error, from any layer, is answered from the error
 * table, as problem+json over REST and as a gRPC status with ErrorInfo details. Anything that is not
 * an {@link ApiError} is a bug: logged with its stack, answered as `internal` without it.
 */
@Catch()
export class ErrorFilter implements ExceptionFilter {
  private readonly logger = new Logger('ErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): Observable<never> | void {
    const requestId = requestIdOf(host);
    let error: ApiError;
    if (exception instanceof ApiError) error = exception;
    else if (exception instanceof HttpException) error = fromHttpException(exception);
    else if (exception instanceof RpcException && fromRpcException(exception).code !== 'internal') error = fromRpcException(exception);
    else {
      this.logger.error({ err: exception, requestId }, 'unexpected error');
      error = new ApiError('internal', 'internal error');
    }
    if (error.code === 'internal' && exception instanceof ApiError) this.logger.error({ requestId, detail: error.message }, 'internal error');

    if (host.getType() === 'http') {
      const response = host.switchToHttp().getResponse<Response>();
      if (response.headersSent) return;
      for (const [name, value] of Object.entries(error.headers)) response.setHeader(name, value);
      response.setHeader('x-request-id', requestId);
      response.status(ERROR_TABLE[error.code].http).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(problemOf(error, requestId)));
      return;
    }
    const metadata = new Metadata();
    metadata.set('grpc-status-details-bin', grpcStatusDetails(error.code, error.message, requestId));
    metadata.set('x-request-id', requestId);
    return throwError(() => ({ code: ERROR_TABLE[error.code].grpc, details: error.message, message: error.message, metadata }));
  }
}
