/**
 * The one error of libs/chain-core: the caller's input is malformed or out of range. It names the
 * argument and never repeats a long input in full (at most its first 32 characters and its length).
 */
export class ChainInputError extends Error {
  override readonly name = 'ChainInputError';
  constructor(
    /** The argument or field that was wrong, e.g. `transaction.maxFeePerGas`. */
    readonly argument: string,
    reason: string,
  ) {
    super(`invalid ${argument}: ${reason}`);
  }
}

export function fail(argument: string, reason: string): never {
  throw new ChainInputError(argument, reason);
}

/** A short, safe rendering of an untrusted value for an error message. */
export function preview(value: unknown): string {
  if (typeof value === 'string') return value.length <= 32 ? JSON.stringify(value) : `${JSON.stringify(value.slice(0, 32))}… (${value.length} characters)`;
  if (typeof value === 'bigint') return value.toString().length <= 32 ? `${value}n` : `a ${value.toString().length}-digit bigint`;
  if (typeof value === 'number') return String(value);
  if (value instanceof Uint8Array) return `${value.length} bytes`;
  return value === null ? 'null' : typeof value;
}
