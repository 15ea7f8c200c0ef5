import { InvalidInputError } from '../errors';
import { TEST_ONLY_SAFE_PRIMES_1024, TEST_ONLY_SAFE_PRIMES_1536 } from '../../test/fixtures/test-only-safe-primes';
import { isSafePrime } from './paillier';
import { generateSafePrime, SafePrimePool } from './safe-primes';

describe('safe primes', () => {
  it('generates a real safe prime (256 bits) with node:crypto', async () => {
    const p = await generateSafePrime(256);
    expect(p.toString(2)).toHaveLength(256);
    expect(isSafePrime(p)).toBe(true);
  }, 120_000);

  it('pools primes and hands each out once', async () => {
    const pool = new SafePrimePool(64);
    await pool.fill(2);
    expect(pool.size).toBe(2);
    const a = pool.take();
    const b = pool.take();
    expect(a).not.toBe(b);
    expect(isSafePrime(a) && isSafePrime(b)).toBe(true);
    expect(() => pool.take()).toThrow(InvalidInputError);
  }, 120_000);

  it('refuses bad sizes', async () => {
    await expect(generateSafePrime(8)).rejects.toThrow('invalid bits');
    expect(() => new SafePrimePool(1.5)).toThrow('invalid bits');
  });

  it('the committed TEST-ONLY fixtures are distinct safe primes of the stated sizes', () => {
    expect(TEST_ONLY_SAFE_PRIMES_1024.length).toBeGreaterThanOrEqual(10);
    expect(TEST_ONLY_SAFE_PRIMES_1536.length).toBeGreaterThanOrEqual(10);
    const all = [...TEST_ONLY_SAFE_PRIMES_1024, ...TEST_ONLY_SAFE_PRIMES_1536].flat();
    expect(new Set(all).size).toBe(all.length);
    for (const [bits, pairs] of [
      [1024, TEST_ONLY_SAFE_PRIMES_1024],
      [1536, TEST_ONLY_SAFE_PRIMES_1536],
    ] as const) {
      for (const [p, q] of pairs) {
        expect(p.toString(2)).toHaveLength(bits);
        expect(q.toString(2)).toHaveLength(bits);
        expect((p & 3n) === 3n && (q & 3n) === 3n).toBe(true);
      }
    }
    // Full safe-prime check on a few (all of them would slow the suite; the generator checked every one).
    expect(isSafePrime(TEST_ONLY_SAFE_PRIMES_1024[5][1])).toBe(true);
    expect(isSafePrime(TEST_ONLY_SAFE_PRIMES_1536[5][0])).toBe(true);
  });
});
