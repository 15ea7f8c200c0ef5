import type { ServerUnaryCall } from '@grpc/grpc-js';
import type { ApiClient } from '../auth/api-client';
import { ApiError } from '../errors/api-error';
import { principalOfCall } from '../http/request-context';

/** The authenticated API client of a gRPC call (the guard ran before any handler). */
export function callerOf(call: ServerUnaryCall<unknown, unknown>): ApiClient {
  const client = principalOfCall(call);
  if (!client) throw new ApiError('internal', 'no authenticated client on an authenticated method');
  return client;
}

/** REST: the client the CurrentClient decorator gave, which the guard always sets. */
export function required(client: ApiClient | undefined): ApiClient {
  if (!client) throw new ApiError('internal', 'no authenticated client on an authenticated method');
  return client;
}
