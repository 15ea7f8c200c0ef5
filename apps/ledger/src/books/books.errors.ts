import { clip } from '@custody/ledger-core';

/** An asset named in a request is not in the ledger. INVALID_ARGUMENT naming the field. */
export class UnknownAssetError extends Error {
  override readonly name = 'UnknownAssetError';
  constructor(
    readonly asset: string,
    readonly field: string,
  ) {
    super(`invalid ${field}: unknown asset ${clip(asset)}`);
  }
}

/** A hold, deposit or withdrawal id that the ledger does not know. NOT_FOUND. */
export class NotFoundError extends Error {
  override readonly name = 'NotFoundError';
  constructor(
    readonly what: 'hold' | 'deposit' | 'withdrawal' | 'account',
    readonly id: string,
  ) {
    super(`${what} ${clip(id)} not found`);
  }
}

/** A create that names an existing resource with different attributes (an asset, a hold id, a withdrawal id). ALREADY_EXISTS. */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/** The refusals that are final for a request and are stored with its idempotency key. */
export type StoredRefusalKind = 'illegal-transition' | 'insufficient-funds';

/**
 * A refusal stored with its idempotency key, answered again to a retry: the same class (so the same
 * gRPC code) and the same message as the first answer.
 */
export class StoredRefusal extends Error {
  override readonly name = 'StoredRefusal';
  constructor(
    readonly kind: StoredRefusalKind,
    message: string,
  ) {
    super(message);
  }
}

/** Waiting for a lock (a concurrent request with the same key, or on the same account) took too long. ABORTED, retryable. */
export class LockTimeoutError extends Error {
  override readonly name = 'LockTimeoutError';
}
