/**
 * Errors of the policy core. Messages name the JSON path or the argument and never echo a long input.
 */

/** One problem of a document: a JSON Pointer (RFC 6901) into it and the reason. */
export interface ValidationIssue {
  /** e.g. `/rules/3/condition`; `` (empty) for the document itself. */
  readonly path: string;
  readonly message: string;
}

/** The document was refused: nothing of it applies. */
export class PolicyValidationError extends Error {
  override readonly name = 'PolicyValidationError';
  constructor(readonly issues: readonly ValidationIssue[]) {
    super(summarize(issues));
  }
}

/** An argument to a core function was wrong (the caller's fault, e.g. the service's context). */
export class PolicyInputError extends Error {
  override readonly name = 'PolicyInputError';
  constructor(
    /** The argument or field, e.g. `context.velocityUsage`. */
    readonly argument: string,
    reason: string,
  ) {
    super(`invalid ${argument}: ${reason}`);
  }
}

function summarize(issues: readonly ValidationIssue[]): string {
  const shown = issues.slice(0, 5).map((i) => `${i.path || '/'}: ${i.message}`);
  const more = issues.length > 5 ? ` (and ${issues.length - 5} more)` : '';
  return `invalid policy document: ${shown.join('; ')}${more}`;
}

/** A short, printable rendering of a value for an error message (never the whole of a long input). */
export function preview(value: unknown, max = 40): string {
  let s: string;
  if (typeof value === 'string') s = JSON.stringify(value);
  else if (typeof value === 'bigint') s = `${value}`;
  else if (value === undefined) s = 'undefined';
  else {
    try {
      s = JSON.stringify(value) ?? typeof value;
    } catch {
      s = Object.prototype.toString.call(value);
    }
  }
  return s.length > max ? `${s.slice(0, max)}…(${s.length} chars)` : s;
}

/** RFC 6901 escaping of one reference token. */
export function pointer(...tokens: readonly (string | number)[]): string {
  return tokens.map((t) => '/' + String(t).replace(/~/g, '~0').replace(/\//g, '~1')).join('');
}
