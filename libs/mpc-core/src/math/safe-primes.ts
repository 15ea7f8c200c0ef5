import { generatePrime } from 'node:crypto';
import { InvalidInputError } from '../errors';

/**
 * Safe-prime generation (p and (p-1)/2 both prime), the slow part of the auxiliary-information
 * phase. It calls OpenSSL through `crypto.generatePrime(bits, { safe: true, bigint: true })`, which
 * draws from the operating system's CSPRNG and runs on libuv's thread pool (so it does not block the
 * event loop). This file and math/modpow.ts are the only uses of node:crypto in mpc-core: it is
 * computation, not I/O, and it is the one place where randomness does not come from the injected
 * Rng (OpenSSL's prime search cannot take one). Tests use the committed TEST-ONLY fixtures instead.
 */

/** Smallest safe-prime size we generate: a 2048-bit Paillier modulus needs two 1024-bit primes. */
export const MIN_SAFE_PRIME_BITS = 16;

/** One safe prime of exactly `bits` bits. */
export function generateSafePrime(bits: number): Promise<bigint> {
  if (!Number.isInteger(bits) || bits < MIN_SAFE_PRIME_BITS || bits > 8192) {
    return Promise.reject(new InvalidInputError('bits', `must be an integer in [${MIN_SAFE_PRIME_BITS}, 8192]`));
  }
  return new Promise<bigint>((resolve, reject) => {
    generatePrime(bits, { safe: true, bigint: true }, (err, prime) => {
      if (err) reject(err);
      else resolve(prime);
    });
  });
}

/**
 * A pool of safe primes of one size, filled ahead of time so that key generation does not wait:
 * `await pool.fill(4)` then `pool.take()` twice per Paillier modulus. take() hands out each prime
 * once and removes it from the pool.
 */
export class SafePrimePool {
  private readonly primes: bigint[] = [];

  constructor(readonly bits: number) {
    if (!Number.isInteger(bits) || bits < MIN_SAFE_PRIME_BITS || bits > 8192) {
      throw new InvalidInputError('bits', `must be an integer in [${MIN_SAFE_PRIME_BITS}, 8192]`);
    }
  }

  /** Number of primes ready. */
  get size(): number {
    return this.primes.length;
  }

  /** Generates `count` more primes (one after another: each already uses a pool thread). */
  async fill(count: number): Promise<void> {
    if (!Number.isInteger(count) || count < 0) throw new InvalidInputError('count', 'must be a non-negative integer');
    for (let i = 0; i < count; i++) this.primes.push(await generateSafePrime(this.bits));
  }

  /** Removes and returns one prime; throws InvalidInputError('pool') when empty. */
  take(): bigint {
    const p = this.primes.shift();
    if (p === undefined) throw new InvalidInputError('pool', 'no safe prime left: fill() first');
    return p;
  }
}
