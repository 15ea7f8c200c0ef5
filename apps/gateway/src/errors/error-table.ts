import { status as GrpcCode } from '@grpc/grpc-js';

/**
 * Every error the public API answers, once: its stable `code` (problem+json `code`, and ErrorInfo
 * metadata `code`; ErrorInfo `reason` is the same in UPPER_SNAKE_CASE), HTTP status, gRPC code and
 * title. The README's table is this one (a test checks it).
 */
export const ERROR_TABLE = {
  'signature-missing': { http: 401, grpc: GrpcCode.UNAUTHENTICATED, title: 'The request is not signed' },
  'signature-malformed': { http: 401, grpc: GrpcCode.UNAUTHENTICATED, title: 'The signature headers are malformed' },
  'signature-invalid': { http: 401, grpc: GrpcCode.UNAUTHENTICATED, title: 'The signature does not verify' },
  'signature-stale': { http: 401, grpc: GrpcCode.UNAUTHENTICATED, title: 'The signature is outside the freshness window' },
  'nonce-replayed': { http: 401, grpc: GrpcCode.UNAUTHENTICATED, title: 'The signature nonce was already used' },
  'content-digest-mismatch': { http: 401, grpc: GrpcCode.UNAUTHENTICATED, title: 'The content-digest is missing or does not match the body' },
  'unknown-key': { http: 401, grpc: GrpcCode.UNAUTHENTICATED, title: 'No API client has this key id' },
  'client-disabled': { http: 401, grpc: GrpcCode.UNAUTHENTICATED, title: 'The API client is disabled' },
  'permission-denied': { http: 403, grpc: GrpcCode.PERMISSION_DENIED, title: 'The client has no role that may do this' },
  'malformed-json': { http: 400, grpc: GrpcCode.INVALID_ARGUMENT, title: 'The body is not valid JSON' },
  'unsupported-media-type': { http: 415, grpc: GrpcCode.INVALID_ARGUMENT, title: 'The body must be application/json' },
  'invalid-argument': { http: 400, grpc: GrpcCode.INVALID_ARGUMENT, title: 'An argument is invalid' },
  'unknown-field': { http: 400, grpc: GrpcCode.INVALID_ARGUMENT, title: 'The request has a field the API does not know' },
  'body-too-large': { http: 413, grpc: GrpcCode.RESOURCE_EXHAUSTED, title: 'The request body is too large' },
  'idempotency-key-missing': { http: 400, grpc: GrpcCode.INVALID_ARGUMENT, title: 'An Idempotency-Key is required on every POST' },
  'idempotency-key-reused': { http: 422, grpc: GrpcCode.FAILED_PRECONDITION, title: 'The Idempotency-Key was used with another request' },
  'idempotency-key-in-flight': { http: 409, grpc: GrpcCode.ABORTED, title: 'A request with this Idempotency-Key is still being processed' },
  'rate-limited': { http: 429, grpc: GrpcCode.RESOURCE_EXHAUSTED, title: 'Too many requests' },
  'not-found': { http: 404, grpc: GrpcCode.NOT_FOUND, title: 'No such resource' },
  'route-not-found': { http: 404, grpc: GrpcCode.UNIMPLEMENTED, title: 'No such route' },
  'already-exists': { http: 409, grpc: GrpcCode.ALREADY_EXISTS, title: 'The resource already exists' },
  'failed-precondition': { http: 409, grpc: GrpcCode.FAILED_PRECONDITION, title: 'The resource is in a state that does not allow this' },
  'not-implemented': { http: 501, grpc: GrpcCode.UNIMPLEMENTED, title: 'Not implemented yet' },
  unavailable: { http: 503, grpc: GrpcCode.UNAVAILABLE, title: 'A dependency is unavailable' },
  internal: { http: 500, grpc: GrpcCode.INTERNAL, title: 'Internal error' },
} as const satisfies Record<string, { http: number; grpc: GrpcCode; title: string }>;

export type ErrorCode = keyof typeof ERROR_TABLE;

/** ErrorInfo `reason` of a code: `signature-invalid` → `SIGNATURE_INVALID`. */
export function errorReason(code: ErrorCode): string {
  return code.toUpperCase().replace(/-/g, '_');
}

/** The problem `type` URI of a code. */
export function problemType(code: ErrorCode): string {
  return `urn:custody:problem:${code}`;
}

/** The error table as the README shows it (a test keeps the two the same). */
export function renderGatewayErrorTable(): string {
  const lines = ['| code | HTTP | gRPC | title |', '| --- | --- | --- | --- |'];
  for (const [code, entry] of Object.entries(ERROR_TABLE)) lines.push(`| \`${code}\` | ${entry.http} | \`${GrpcCode[entry.grpc]}\` | ${entry.title} |`);
  return lines.join('\n');
}
