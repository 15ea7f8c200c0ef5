/**
 * Errors of @custody/transparency-log. Two kinds: the caller handed us something malformed
 * (`TlogInputError`, naming the field), or a well-formed object failed a cryptographic check
 * (`TlogVerificationError`). Messages never echo a long input in full.
 */
export class TlogInputError extends Error {
  override readonly name = 'TlogInputError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}

export class TlogVerificationError extends Error {
  override readonly name = 'TlogVerificationError';
  constructor(
    readonly check: string,
    message: string,
  ) {
    super(`${check}: ${message}`);
  }
}

/** At most this many characters of an untrusted value appear in an error message. */
export function excerpt(value: string, max = 40): string {
  const s = JSON.stringify(value.length > max ? value.slice(0, max) : value);
  return value.length > max ? `${s}… (${value.length} chars)` : s;
}
