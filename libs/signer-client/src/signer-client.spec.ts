import { status } from '@grpc/grpc-js';
import { SignerCallError } from './signer-client';

describe('SignerCallError', () => {
  it('is retryable for UNAVAILABLE and DEADLINE_EXCEEDED only', () => {
    const retryable = Object.values(status)
      .filter((c): c is status => typeof c === 'number')
      .filter((c) => new SignerCallError(c, 'x').retryable);
    expect(retryable.map((c) => status[c]).sort()).toEqual(['DEADLINE_EXCEEDED', 'UNAVAILABLE']);
  });

  it('keeps the code and the signer’s message', () => {
    const error = new SignerCallError(status.FAILED_PRECONDITION, 'invitation-refused [signers 1]: …');
    expect(error.message).toBe('FAILED_PRECONDITION: invitation-refused [signers 1]: …');
    expect(error.retryable).toBe(false);
  });
});
