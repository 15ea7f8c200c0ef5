/** Why a signed request was refused; `reason` is stable and machine-readable. */
export type SignatureFailure =
  | 'signature-missing'
  | 'signature-malformed'
  | 'signature-components'
  | 'signature-params'
  | 'signature-stale'
  | 'signature-invalid'
  | 'content-digest-missing'
  | 'content-digest-malformed'
  | 'content-digest-mismatch';

export class SignatureError extends Error {
  override readonly name = 'SignatureError';
  constructor(
    readonly reason: SignatureFailure,
    message: string,
  ) {
    super(message);
  }
}
