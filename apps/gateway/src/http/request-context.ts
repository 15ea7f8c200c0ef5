import { randomUUID } from 'node:crypto';
import type { ArgumentsHost } from '@nestjs/common';
import type { Request } from 'express';
import type { ParsedSignature } from '@custody/http-signatures';
import type { ApiClient } from '../auth/api-client';

const REQUEST_ID = Symbol('requestId');
const PRINCIPAL = Symbol('principal');
const SIGNATURE = Symbol('signature');

/** What the gateway attaches to a request (REST request or gRPC call) while it handles it. */
interface Carrier {
  [REQUEST_ID]?: string;
  [PRINCIPAL]?: ApiClient;
  [SIGNATURE]?: ParsedSignature;
}

/** The object of the request that carries our state: the express request, or the gRPC call. */
export function carrierOf(host: ArgumentsHost): object {
  if (host.getType() === 'http') return host.switchToHttp().getRequest<Request>();
  return host.getArgByIndex<object>(2);
}

/** The request id, made on first use (never taken from the client). */
export function requestIdOf(host: ArgumentsHost): string {
  const carrier = carrierOf(host) as Carrier;
  carrier[REQUEST_ID] ??= randomUUID();
  return carrier[REQUEST_ID];
}

export function setPrincipal(host: ArgumentsHost, client: ApiClient): void {
  (carrierOf(host) as Carrier)[PRINCIPAL] = client;
}

/** The authenticated API client of the request (set by the auth guard), if any. */
export function principalOf(host: ArgumentsHost): ApiClient | undefined {
  return (carrierOf(host) as Carrier)[PRINCIPAL];
}

/** The authenticated API client of a gRPC call (the call object the handler receives). */
export function principalOfCall(call: object): ApiClient | undefined {
  return (call as Carrier)[PRINCIPAL];
}

/** The verified RFC 9421 signature of the request (set by the auth guard; the audit record carries it). */
export function setSignature(host: ArgumentsHost, signature: ParsedSignature): void {
  (carrierOf(host) as Carrier)[SIGNATURE] = signature;
}

export function signatureOf(host: ArgumentsHost): ParsedSignature | undefined {
  return (carrierOf(host) as Carrier)[SIGNATURE];
}
