import * as fs from 'node:fs';
import * as path from 'node:path';
import { TEST_ONLY_SAFE_PRIMES_1024 } from '../../mpc-core/test/fixtures/test-only-safe-primes';

/**
 * Writes one pair of the committed TEST-ONLY safe primes per signer into `dir` and returns the
 * environment that points each signer at its own (SIGNER_PRIME_SOURCE=test-only-fixtures), so that
 * tests do not wait minutes for safe-prime generation. Keys made from them protect nothing.
 */
export function testOnlyPrimeEnv(dir: string, signerCount: number): (signerId: number) => Record<string, string> {
  if (signerCount > TEST_ONLY_SAFE_PRIMES_1024.length) throw new Error(`only ${TEST_ONLY_SAFE_PRIMES_1024.length} test-only prime pairs`);
  return (signerId: number) => {
    const [p, q] = TEST_ONLY_SAFE_PRIMES_1024[signerId - 1]!;
    const file = path.join(dir, `signer-${signerId}.test-only-primes.json`);
    if (!fs.existsSync(file)) fs.writeFileSync(file, JSON.stringify({ p: p.toString(16), q: q.toString(16) }), { mode: 0o600 });
    return { SIGNER_PRIME_SOURCE: 'test-only-fixtures', SIGNER_TEST_ONLY_PRIMES_FILE: file };
  };
}
