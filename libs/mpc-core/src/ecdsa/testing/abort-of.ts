import { ProtocolAbortError } from '../../errors';

/** Test support: runs `fn` and returns the ProtocolAbortError it throws (any other outcome fails the test). */
export function abortOf(fn: () => unknown): ProtocolAbortError {
  try {
    fn();
  } catch (e) {
    if (e instanceof ProtocolAbortError) return e;
    throw e;
  }
  throw new Error('expected a ProtocolAbortError');
}
