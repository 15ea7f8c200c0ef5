/** An RFC 9457 problem document as the gateway sends it. */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly code: string;
  readonly requestId: string;
}

/** Any error answer of the public API, with its stable `code`. */
export class CustodyApiError extends Error {
  override readonly name: string = 'CustodyApiError';
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail: string,
    readonly requestId: string,
  ) {
    super(`${status} ${code}: ${detail}`);
  }

  /** Whether the same request may succeed when sent again (with the same Idempotency-Key). */
  get retryable(): boolean {
    return this.code === 'idempotency-key-in-flight' || this.code === 'rate-limited' || this.code === 'unavailable';
  }
}
export class AuthenticationError extends CustodyApiError {
  override readonly name = 'AuthenticationError';
}
export class PermissionDeniedError extends CustodyApiError {
  override readonly name = 'PermissionDeniedError';
}
export class InvalidRequestError extends CustodyApiError {
  override readonly name = 'InvalidRequestError';
}
export class NotFoundError extends CustodyApiError {
  override readonly name = 'NotFoundError';
}
export class ConflictError extends CustodyApiError {
  override readonly name = 'ConflictError';
}
export class RateLimitedError extends CustodyApiError {
  override readonly name = 'RateLimitedError';
}

function isProblem(value: unknown): value is Problem {
  if (typeof value !== 'object' || value === null) return false;
  const p = value as Record<string, unknown>;
  return typeof p['code'] === 'string' && typeof p['status'] === 'number' && typeof p['title'] === 'string';
}

/** The typed error of a problem+json answer (or of any non-2xx answer that is not one). */
export function errorFromResponse(status: number, body: unknown): CustodyApiError {
  if (!isProblem(body)) return new CustodyApiError(status, 'unexpected-response', 'Unexpected response', `HTTP ${status} without a problem document`, '');
  const args = [status, body.code, body.title, String(body.detail ?? ''), String(body.requestId ?? '')] as const;
  if (status === 401) return new AuthenticationError(...args);
  if (status === 403) return new PermissionDeniedError(...args);
  if (status === 404) return new NotFoundError(...args);
  if (status === 409 || status === 422) return new ConflictError(...args);
  if (status === 429) return new RateLimitedError(...args);
  if (status >= 400 && status < 500) return new InvalidRequestError(...args);
  return new CustodyApiError(...args);
}
