import type { AuditRecord } from '@custody/audit-core';
import type { ParsedSignature } from '@custody/http-signatures';
import type { ApiClient } from '../auth/api-client';

/**
 * The gateway's audit records (README, "The audit log"): every state-changing API request with the
 * client id, its RFC 9421 signature and the signature base it covers (written with the idempotency
 * claim, before the request is acted on), and every API-client change (in the change's transaction).
 */
export interface SignedRequest {
  readonly transport: 'http' | 'grpc';
  /** `POST /v1/...` or the gRPC method path. */
  readonly target: string;
  /** SHA-256 of the request as the idempotency check hashes it (hex). */
  readonly requestHash: string;
  readonly idempotencyKey: string;
  readonly signature: ParsedSignature;
}

export function apiRequestRecord(requestId: string, client: ApiClient, r: SignedRequest, at = Date.now()): AuditRecord {
  return {
    version: 1,
    type: 'api-request',
    occurredAt: at,
    actor: client.clientId,
    requestId,
    wallet: null,
    body: {
      transport: r.transport,
      target: r.target.slice(0, 2048),
      requestHash: r.requestHash,
      idempotencyKey: r.idempotencyKey,
      keyId: r.signature.keyId,
      label: r.signature.label,
      created: r.signature.created,
      components: [...r.signature.components],
      signatureBase: r.signature.base.toString('utf8'),
      signature: r.signature.signature.toString('hex'),
      clientPublicKey: Buffer.from(client.publicKey).toString('hex'),
    },
  };
}

export function apiClientChangeRecord(change: 'create' | 'disable', client: ApiClient, at = Date.now()): AuditRecord {
  return {
    version: 1,
    type: 'api-client-change',
    occurredAt: at,
    actor: 'service:gateway',
    requestId: null,
    wallet: null,
    body: { change, clientId: client.clientId, publicKey: Buffer.from(client.publicKey).toString('hex'), roles: [...client.roles], disabled: client.disabled },
  };
}
