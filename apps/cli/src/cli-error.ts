/**
 * An error the operator caused (bad arguments, a missing dependency): printed as one line,
 * exit code 2, no stack trace.
 */
export class CliUsageError extends Error {
  override readonly name = 'CliUsageError';
}
