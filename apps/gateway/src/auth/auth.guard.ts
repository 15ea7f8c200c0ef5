import { Inject, Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import { checkContentDigest, checkContentDigestSha256, ed25519PublicKey, parseSignature, SignatureError, verifyParsedSignature, type MessageForSignature } from '@custody/http-signatures';
import type { Request, Response } from 'express';
import { ApiError } from '../errors/api-error';
import type { ErrorCode } from '../errors/error-table';
import { requestDigest, undecodable } from '../grpc/request-bytes';
import { setPrincipal, setSignature } from '../http/request-context';
import { rateLimitHeaders, RateLimiter, type RateDecision } from '../rate-limit/rate-limiter';
import type { GatewayConfig } from '../config';
import { GATEWAY_CONFIG } from '../tokens';
import type { Role } from './api-client';
import { ApiClientRepository } from './api-client.repository';
import { NonceStore } from './nonce-store';
import { PUBLIC_KEY, ROLES_KEY } from './roles.decorator';

/** The metadata keys that carry the signature on gRPC (the HTTP field names, lower case). */
export const GRPC_SIGNATURE_KEYS = ['signature-input', 'signature', 'content-digest'] as const;

/** `@target-uri` of a gRPC call: `grpc://` followed by the method path, e.g. `grpc:///custody.v1.SystemService/WhoAmI`. */
export function grpcTargetUri(methodPath: string): string {
  return `grpc://${methodPath}`;
}

const FAILURE_CODES: Record<SignatureError['reason'], ErrorCode> = {
  'signature-missing': 'signature-missing',
  'signature-malformed': 'signature-malformed',
  'signature-components': 'signature-malformed',
  'signature-params': 'signature-malformed',
  'signature-stale': 'signature-stale',
  'signature-invalid': 'signature-invalid',
  'content-digest-missing': 'content-digest-mismatch',
  'content-digest-malformed': 'content-digest-mismatch',
  'content-digest-mismatch': 'content-digest-mismatch',
};

interface Incoming {
  readonly message: MessageForSignature;
  readonly checkDigest: (header: string | undefined) => void;
  readonly ip: string;
  readonly response: Response | undefined;
  readonly undecodable: string | undefined;
}

function firstHeader(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(', ') : value;
}

function fromHttp(context: ExecutionContext): Incoming | undefined {
  const request = context.switchToHttp().getRequest<Request & { rawBody?: Buffer }>();
  if (!request.path.startsWith('/v1/')) return undefined;
  const headers: Record<string, string | undefined> = {};
  for (const name of ['signature-input', 'signature', 'content-digest']) headers[name] = firstHeader(request.headers[name]);
  const body = request.rawBody ?? Buffer.alloc(0);
  return {
    message: { method: request.method, targetUri: `${request.protocol}://${request.headers.host ?? ''}${request.originalUrl}`, headers },
    checkDigest: (header) => checkContentDigest(header, body),
    ip: request.socket.remoteAddress ?? 'unknown',
    response: context.switchToHttp().getResponse<Response>(),
    undecodable: undefined,
  };
}

function fromGrpc(context: ExecutionContext): Incoming | undefined {
  const data: unknown = context.getArgByIndex(0);
  const metadata = context.getArgByIndex<Metadata>(1);
  const call = context.getArgByIndex<ServerUnaryCall<unknown, unknown>>(2);
  const path = call.getPath();
  if (!path.startsWith('/custody.v1.')) return undefined;
  const headers: Record<string, string | undefined> = {};
  for (const key of GRPC_SIGNATURE_KEYS) {
    const values = metadata.get(key);
    headers[key] = values.length === 1 && typeof values[0] === 'string' ? values[0] : values.length === 0 ? undefined : '';
  }
  const digest = requestDigest(data);
  const peer = call.getPeer();
  return {
    message: { method: 'POST', targetUri: grpcTargetUri(path), headers },
    checkDigest: (header) => {
      if (!digest) throw new ApiError('internal', 'the request bytes were not recorded');
      checkContentDigestSha256(header, digest);
    },
    ip: peer.replace(/^ipv[46]:/, '').replace(/:\d+$/, ''),
    response: undefined,
    undecodable: undecodable(data),
  };
}

/**
 * Authentication, rate limits and roles for REST (`/v1/…`) and gRPC (`custody.v1.…`) alike, in
 * this order: the per-IP limit; the RFC 9421 signature (well-formed, fresh, covering the required
 * components), the content-digest of the body, the client (known, enabled), the signature under its
 * key, the nonce (first use); the per-client limit; the handler's roles. Anything else (health, docs)
 * is not the public API and passes untouched.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly keys = new Map<string, { raw: string; key: ReturnType<typeof ed25519PublicKey> }>();

  constructor(
    private readonly reflector: Reflector,
    private readonly clients: ApiClientRepository,
    private readonly nonces: NonceStore,
    private readonly limiter: RateLimiter,
    @Inject(GATEWAY_CONFIG) private readonly config: GatewayConfig,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const incoming = context.getType() === 'http' ? fromHttp(context) : context.getType() === 'rpc' ? fromGrpc(context) : undefined;
    if (!incoming) return true;
    this.limited(await this.limiter.perIp(incoming.ip), incoming.response);
    if (this.reflector.get<boolean | undefined>(PUBLIC_KEY, context.getHandler())) return true;

    let parsed;
    try {
      parsed = parseSignature(incoming.message, { now: Math.floor(Date.now() / 1000), windowSeconds: this.config.signatureWindowSeconds });
      incoming.checkDigest(incoming.message.headers['content-digest']);
    } catch (error) {
      if (error instanceof SignatureError) throw new ApiError(FAILURE_CODES[error.reason], error.message);
      throw error;
    }
    const client = await this.clients.find(parsed.keyId);
    if (!client) throw new ApiError('unknown-key', 'no API client has this keyid');
    if (!verifyParsedSignature(parsed, this.publicKey(client.clientId, client.publicKey))) throw new ApiError('signature-invalid', 'the signature does not verify under the key of this keyid');
    if (client.disabled) throw new ApiError('client-disabled', 'this API client is disabled');
    if (!(await this.nonces.claim(client.clientId, parsed.nonce!))) throw new ApiError('nonce-replayed', 'this nonce was already used within the freshness window');

    const decision = await this.limiter.perClient(client.clientId);
    this.limited(decision, incoming.response);
    if (incoming.response) for (const [name, value] of Object.entries(rateLimitHeaders(decision))) incoming.response.setHeader(name, value);

    const roles = this.reflector.get<readonly Role[] | undefined>(ROLES_KEY, context.getHandler());
    if (!roles) throw new ApiError('permission-denied', 'this method is not open to any role');
    if (!client.roles.some((role) => roles.includes(role))) throw new ApiError('permission-denied', `this method needs one of the roles ${roles.join(', ')}`);
    if (incoming.undecodable) throw new ApiError('invalid-argument', `request ${incoming.undecodable}`);
    setPrincipal(context, client);
    setSignature(context, parsed);
    return true;
  }

  private limited(decision: RateDecision, response: Response | undefined): void {
    if (decision.allowed) return;
    const headers = { ...rateLimitHeaders(decision), 'Retry-After': String(Math.max(1, decision.resetSeconds)) };
    if (response) for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
    throw new ApiError('rate-limited', `the ${decision.policy} rate limit of ${decision.limit} requests per ${decision.windowSeconds} s is exhausted`, headers);
  }

  /** Key objects cached by client id and key bytes (a changed key is never served from cache). */
  private publicKey(clientId: string, raw: Uint8Array): ReturnType<typeof ed25519PublicKey> {
    const hex = Buffer.from(raw).toString('hex');
    const cached = this.keys.get(clientId);
    if (cached && cached.raw === hex) return cached.key;
    const key = ed25519PublicKey(raw);
    if (this.keys.size > 10_000) this.keys.clear();
    this.keys.set(clientId, { raw: hex, key });
    return key;
  }
}
