/** A record or export that is malformed (the caller's fault); `field` names what. */
export class AuditInputError extends Error {
  override readonly name = 'AuditInputError';
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(`${field}: ${message}`);
  }
}
