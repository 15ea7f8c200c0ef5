/**
 * The lifecycle rows (deposits, withdrawals) keep the core's object as a jsonb document, so the
 * next transition starts from exactly what the last one returned. Bigints are written as
 * `{"$bigint": "<digits>"}` and read back as bigints.
 */
export function toDocument(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? { $bigint: v.toString() } : v));
}

export function fromDocument<T>(document: unknown): T {
  const text = typeof document === 'string' ? document : JSON.stringify(document);
  return JSON.parse(text, (_key, v: unknown) => {
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      const keys = Object.keys(v);
      const big = (v as { $bigint?: unknown }).$bigint;
      if (keys.length === 1 && typeof big === 'string' && /^-?[0-9]+$/.test(big)) return BigInt(big);
    }
    return v;
  }) as T;
}
