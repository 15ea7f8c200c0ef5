import type { ErrorCode } from './error-table';

/** Longest detail an error carries; inputs are never echoed in full. */
const MAX_DETAIL = 512;

/**
 * The one error type of the public API: a stable code from the error table and a detail sentence
 * for people. Thrown by any layer; the error filter renders it for REST and gRPC alike.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly code: ErrorCode,
    detail: string,
    /** Response headers to add (e.g. Retry-After), REST only. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(detail.length > MAX_DETAIL ? `${detail.slice(0, MAX_DETAIL)}…` : detail);
  }
}

/** A value for an error message: at most the first 32 characters, with the length when longer. */
export function preview(value: unknown): string {
  const text = typeof value === 'string' ? value : JSON.stringify(value) ?? String(value);
  return text.length > 32 ? `${JSON.stringify(text.slice(0, 32))}… (${text.length} characters)` : JSON.stringify(text);
}
