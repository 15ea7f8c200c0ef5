import { createHash } from 'node:crypto';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import { Inject, Injectable, SetMetadata, type CallHandler, type ExecutionContext, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import type { Response } from 'express';
import { from, of, type Observable } from 'rxjs';
import { catchError, mergeMap } from 'rxjs/operators';
import { ApiError, preview } from '../errors/api-error';
import { requestDigest } from '../grpc/request-bytes';
import type { RequestWithBody } from '../http/body.middleware';
import { principalOf, requestIdOf, signatureOf } from '../http/request-context';
import { apiRequestRecord } from '../audit/audit-records';
import type { GatewayConfig } from '../config';
import { GATEWAY_CONFIG } from '../tokens';
import { IdempotencyRepository } from './idempotency.repository';

export const IDEMPOTENT_KEY = 'custody:idempotent';
/** Marks a gRPC method as a write that takes an `idempotency-key` (every REST POST does). */
export const Idempotent = (): MethodDecorator => SetMetadata(IDEMPOTENT_KEY, true);

const TOKEN = /^[A-Za-z0-9._:-]{1,255}$/;
const SF_STRING = /^"([\x20-\x21\x23-\x5b\x5d-\x7e]{1,255})"$/;

/**
 * The `Idempotency-Key` value: a structured-field string (`"…"`, draft-ietf-httpapi-idempotency-key-header)
 * of 1..255 printable characters, or the same as a bare token of `[A-Za-z0-9._:-]`.
 */
export function parseIdempotencyKey(value: string | undefined): string {
  if (value === undefined || value === '') throw new ApiError('idempotency-key-missing', 'the Idempotency-Key header is required on every POST');
  const quoted = SF_STRING.exec(value);
  if (quoted) return quoted[1]!;
  if (TOKEN.test(value)) return value;
  throw new ApiError('invalid-argument', `Idempotency-Key ${preview(value)} must be a quoted string of 1..255 printable characters or a token of [A-Za-z0-9._:-]`);
}

/**
 * Idempotent writes (draft-ietf-httpapi-idempotency-key-header): the first request with a key runs
 * and its response is stored (at least 24 h); the same key with the same request answers the stored
 * response; with another request 422; while the first still runs 409. A request that fails gives the
 * key back, so a retry runs it again.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor {
  constructor(
    private readonly reflector: Reflector,
    private readonly keys: IdempotencyRepository,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const target = this.target(context);
    if (!target) return next.handle();
    const client = principalOf(context);
    if (!client) throw new ApiError('internal', 'an idempotent write reached the handler unauthenticated');
    const { key, hash, status, response } = target;
    const signature = signatureOf(context);
    if (!signature) throw new ApiError('internal', 'an idempotent write reached the handler without its verified signature');
    // The request's audit record commits with the claim, before the handler acts: nothing happens unlogged.
    const audit = apiRequestRecord(requestIdOf(context), client, { transport: target.transport, target: target.target, requestHash: hash.toString('hex'), idempotencyKey: key, signature });
    return from(this.keys.claim(client.clientId, key, hash, this.config.idempotencyTtlHours, audit)).pipe(
      mergeMap((claim) => {
        if (claim.kind === 'other-request') throw new ApiError('idempotency-key-reused', 'this Idempotency-Key was used with another request');
        if (claim.kind === 'in-flight') throw new ApiError('idempotency-key-in-flight', 'a request with this Idempotency-Key is still being processed; retry later');
        if (claim.kind === 'completed') {
          response?.setHeader('Idempotent-Replayed', 'true');
          return of(claim.body);
        }
        return next.handle().pipe(
          mergeMap((body: unknown) => from(this.keys.complete(client.clientId, key, status, body).then(() => body))),
          catchError((error: unknown) => from(this.keys.release(client.clientId, key).then(() => Promise.reject(error as Error)))),
        );
      }),
    );
  }

  private target(context: ExecutionContext): { key: string; hash: Buffer; status: number; response: Response | undefined; transport: 'http' | 'grpc'; target: string } | undefined {
    if (context.getType() === 'http') {
      const request = context.switchToHttp().getRequest<RequestWithBody>();
      if (request.method !== 'POST' || !request.path.startsWith('/v1/')) return undefined;
      const header = request.headers['idempotency-key'];
      const key = parseIdempotencyKey(Array.isArray(header) ? header.join(', ') : header);
      const hash = createHash('sha256').update(`POST ${request.originalUrl}\n`).update(request.rawBody ?? Buffer.alloc(0)).digest();
      const status = this.reflector.get<number | undefined>(HTTP_CODE_METADATA, context.getHandler()) ?? 201;
      return { key, hash, status, response: context.switchToHttp().getResponse<Response>(), transport: 'http', target: `POST ${request.originalUrl}` };
    }
    if (context.getType() !== 'rpc' || !this.reflector.get<boolean | undefined>(IDEMPOTENT_KEY, context.getHandler())) return undefined;
    const metadata = context.getArgByIndex<Metadata>(1);
    const call = context.getArgByIndex<ServerUnaryCall<unknown, unknown>>(2);
    const values = metadata.get('idempotency-key');
    const key = parseIdempotencyKey(values.length === 1 && typeof values[0] === 'string' ? values[0] : values.length === 0 ? undefined : '\u0000');
    const digest = requestDigest(context.getArgByIndex(0)) ?? Buffer.alloc(32);
    const hash = createHash('sha256').update(`grpc ${call.getPath()}\n`).update(digest).digest();
    return { key, hash, status: 0, response: undefined, transport: 'grpc', target: call.getPath() };
  }
}
