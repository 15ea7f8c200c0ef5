import fc from 'fast-check';
import { InvalidInputError } from '../errors';
import { testOnlyRng } from '../../test/fixtures/deterministic-rng';
import { TEST_ONLY_SAFE_PRIMES_1024 } from '../../test/fixtures/test-only-safe-primes';
import {
  bitLength,
  crtParams,
  gcd,
  isCoprime,
  isPerfectSquare,
  isqrt,
  jacobi,
  millerRabin,
  mod,
  modInv,
  modPow,
  modPowCrt,
  randomCoprime,
} from './modarith';
import { modPowBigInt, modPowDiffieHellmanKeys, modPowFast, modPowOpenSsl, openSslCanModPow } from './modpow';

const [p, q] = TEST_ONLY_SAFE_PRIMES_1024[0];
const N = p * q;
const N2 = N * N;

describe('modarith', () => {
  it('mod, gcd, modInv, bitLength on small values', () => {
    expect(mod(-7n, 5n)).toBe(3n);
    expect(mod(7n, 5n)).toBe(2n);
    expect(gcd(-12n, 18n)).toBe(6n);
    expect(isCoprime(35n, 12n)).toBe(true);
    expect(modInv(3n, 7n)).toBe(5n);
    expect(modInv(-3n, 7n)).toBe(2n);
    expect(bitLength(0n)).toBe(0);
    expect(bitLength(255n)).toBe(8);
    expect(bitLength(-256n)).toBe(9);
    expect(() => modInv(6n, 9n)).toThrow(InvalidInputError);
    expect(() => mod(1n, 0n)).toThrow('invalid m');
  });

  it('modPow handles negative exponents, zero and one exponents, and refuses non-invertible bases', () => {
    expect(modPow(3n, -1n, 7n)).toBe(5n);
    expect(modPow(3n, -2n, 7n)).toBe(4n);
    expect(modPow(5n, 0n, N2)).toBe(1n);
    expect(modPow(5n, 1n, N2)).toBe(5n);
    expect(modPow(0n, 5n, N2)).toBe(0n);
    expect(modPow(1n, 5n, N2)).toBe(1n);
    expect(modPow(-1n, 3n, N2)).toBe(N2 - 1n);
    expect(modPow(7n, 3n, 1n)).toBe(0n);
    expect(modPow(3n, 5n, 16n)).toBe(243n % 16n);
    expect(() => modPow(p, -1n, N)).toThrow('invalid base');
  });

  it('OpenSSL route agrees with BigInt square-and-multiply (odd composite moduli, 2048..6144 bits)', () => {
    const rng = testOnlyRng('modpow-cross-check');
    const moduli = [N, N2, TEST_ONLY_SAFE_PRIMES_1024[1][0] * N2, N * N2]; // 2048, 4096, 5120, 6144 bits
    for (const m of moduli) {
      expect(m & 1n).toBe(1n);
      for (let i = 0; i < 2; i++) {
        const base = randomCoprime(rng, m);
        const exp = randomCoprime(rng, i === 0 ? N : 1n << 64n);
        expect(openSslCanModPow(m)).toBe(true);
        expect(modPowOpenSsl(base, exp, m)).toBe(modPowBigInt(base, exp, m));
      }
    }
  });

  it('the DH-KeyObject route agrees with BigInt on 4096- and 6144-bit moduli (long exponents)', () => {
    const rng = testOnlyRng('modpow-dh');
    for (const m of [N2, N * N2]) {
      const base = randomCoprime(rng, m);
      const exp = randomCoprime(rng, N);
      expect(modPowDiffieHellmanKeys(base, exp, m)).toBe(modPowBigInt(base, exp, m));
    }
    // edges the DH route does not take (base m-1, exponent above m) still come out right
    expect(modPowOpenSsl(N2 - 1n, N, N2)).toBe(modPowBigInt(N2 - 1n, N, N2));
    expect(modPowOpenSsl(3n, N2 * 5n + 1n, N2)).toBe(modPowBigInt(3n, N2 * 5n + 1n, N2));
  });

  it('property: modPowFast equals modPowBigInt for random bases, exponents and odd/even moduli', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 700n) - 1n }),
        fc.bigInt({ min: 0n, max: (1n << 600n) - 1n }),
        fc.bigInt({ min: 1n, max: (1n << 700n) - 1n }),
        (base, exp, m) => modPowFast(base, exp, m) === modPowBigInt(base, exp, m),
      ),
      { numRuns: 60, seed: 42 },
    );
  });

  it('falls back outside OpenSSL limits (even, tiny moduli) and handles base 0/1, exponent 0, chunking', () => {
    expect(openSslCanModPow(N2 + 1n)).toBe(false);
    expect(openSslCanModPow(101n)).toBe(false);
    expect(modPowOpenSsl(1n, 5n, N2)).toBe(1n);
    expect(modPowOpenSsl(0n, 5n, N2)).toBe(0n);
    expect(modPowOpenSsl(7n, 0n, N2)).toBe(1n);
    // exponents at and above the modulus, and chunk boundaries (63-bit chunks above 3072 bits)
    for (const [e, m] of [[N, N], [N2 + 5n, N], [1n << 63n, N2], [(1n << 126n) + 1n, N2], [(1n << 189n) - 1n, N2], [N * N2, p]] as const) {
      expect(modPowOpenSsl(5n, e, m)).toBe(modPowBigInt(5n, e, m));
    }
    expect(modPowFast(3n, 12345n, N2 + 1n)).toBe(modPowBigInt(3n, 12345n, N2 + 1n));
    expect(modPowFast(N2 - 1n, 2n, N2)).toBe(1n);
  });

  it('CRT exponentiation equals the direct one', () => {
    const crt = crtParams(p * p, p * (p - 1n), q * q, q * (q - 1n));
    const rng = testOnlyRng('crt');
    const r = randomCoprime(rng, N);
    expect(modPowCrt(r, N, crt)).toBe(modPowBigInt(r, N, N2));
    expect(modPowCrt(r, -N, crt)).toBe(modInv(modPowBigInt(r, N, N2), N2));
  });

  it('isqrt, perfect squares, Jacobi, Miller-Rabin', () => {
    expect(isqrt(N2)).toBe(N);
    expect(isqrt(N2 - 1n)).toBe(N - 1n);
    expect(isPerfectSquare(N2)).toBe(true);
    expect(isPerfectSquare(N)).toBe(false);
    expect(jacobi(2n, 7n)).toBe(1);
    expect(jacobi(3n, 7n)).toBe(-1);
    expect(jacobi(7n, 21n)).toBe(0);
    expect(jacobi(-1n, N)).toBe(1); // both factors are 3 mod 4
    expect(millerRabin(p, [2n, 3n, 5n])).toBe(true);
    expect(millerRabin(N, [2n, 3n, 5n])).toBe(false);
    expect(millerRabin(561n, [2n, 3n])).toBe(false); // Carmichael
  });

  it('randomCoprime is in Z*_N', () => {
    const rng = testOnlyRng('coprime');
    for (let i = 0; i < 5; i++) {
      const x = randomCoprime(rng, 15n);
      expect(x > 0n && x < 15n && gcd(x, 15n) === 1n).toBe(true);
    }
    expect(() => randomCoprime(rng, 1n)).toThrow('invalid N');
  });
});
