import fc from 'fast-check';
import { InvalidInputError } from '../errors';
import { testOnlyRng } from '../../test/fixtures/deterministic-rng';
import { TEST_ONLY_SAFE_PRIMES_1024 } from '../../test/fixtures/test-only-safe-primes';
import { modPowBigInt } from './modpow';
import {
  addCiphertexts,
  assertValidCiphertext,
  decrypt,
  encrypt,
  encryptCrt,
  encryptWithNonce,
  encryptWithNonceCrt,
  MIN_PAILLIER_BITS,
  mulCiphertext,
  mulCiphertextCrt,
  paillierPublicKey,
  paillierSecretKeyFromPrimes,
} from './paillier';

const [p, q] = TEST_ONLY_SAFE_PRIMES_1024[0];
const sk = paillierSecretKeyFromPrimes(p, q);
const pk = sk.publicKey;

describe('Paillier', () => {
  it('round-trips signed plaintexts, with and without CRT encryption', () => {
    const rng = testOnlyRng('paillier');
    const half = (pk.N - 1n) / 2n;
    for (const m of [0n, 1n, -1n, 123456789n, -(1n << 1000n), half, -half]) {
      const { ciphertext, nonce } = encrypt(pk, m, rng);
      expect(decrypt(sk, ciphertext)).toBe(m);
      expect(encryptWithNonceCrt(sk, m, nonce)).toBe(ciphertext);
      expect(decrypt(sk, encryptCrt(sk, m, rng).ciphertext)).toBe(m);
    }
  });

  it('matches the textbook definition (1+N)^m r^N mod N^2', () => {
    const r = 987654321n;
    expect(encryptWithNonce(pk, 42n, r)).toBe((modPowBigInt(1n + pk.N, 42n, pk.N2) * modPowBigInt(r, pk.N, pk.N2)) % pk.N2);
  });

  it('is additively homomorphic, with negative scalars', () => {
    const rng = testOnlyRng('homomorphic');
    const a = encrypt(pk, 1000n, rng).ciphertext;
    const b = encrypt(pk, -58n, rng).ciphertext;
    expect(decrypt(sk, addCiphertexts(pk, a, b))).toBe(942n);
    expect(decrypt(sk, mulCiphertext(pk, a, -7n))).toBe(-7000n);
    expect(decrypt(sk, mulCiphertext(pk, b, 3n))).toBe(-174n);
    expect(mulCiphertextCrt(sk, a, -7n)).toBe(mulCiphertext(pk, a, -7n));
    expect(mulCiphertextCrt(sk, b, 1n << 300n)).toBe(mulCiphertext(pk, b, 1n << 300n));
  });

  it('validates moduli', () => {
    expect(MIN_PAILLIER_BITS).toBe(2048);
    expect(paillierPublicKey(pk.N, MIN_PAILLIER_BITS, 2048).N2).toBe(pk.N2);
    expect(() => paillierPublicKey(pk.N, 3072, 3072)).toThrow(InvalidInputError);
    expect(() => paillierPublicKey(pk.N + 1n, 2048, 2048)).toThrow('invalid N: must be odd');
    expect(() => paillierPublicKey(p * p, 2048, 2048)).toThrow('perfect square');
    expect(() => paillierPublicKey(3n * ((1n << 2047n) + 1n), 2048, 4096)).toThrow('small factor');
    expect(() => paillierPublicKey(-pk.N, 2048, 2048)).toThrow('invalid N');
  });

  it('refuses a modulus above maxBits first, whatever else is wrong with it', () => {
    const big = pk.N * pk.N * pk.N; // about 6144 bits, odd, no small factor, not a square
    expect(paillierPublicKey(big, 2048, 6144).N).toBe(big);
    expect(() => paillierPublicKey(big, 2048, 4096)).toThrow(/invalid N: modulus has 614\d bits, more than the 4096 accepted/);
    expect(() => paillierPublicKey(pk.N * 2n, 2048, 2048)).toThrow('more than the 2048 accepted');
    expect(() => paillierPublicKey(1n << 16383n, 2048, 8192)).toThrow('16384 bits, more than the 8192');
    expect(() => paillierPublicKey(pk.N, 2048, 2047)).toThrow('invalid maxBits');
    expect(() => paillierPublicKey(pk.N, 2048, 16384)).toThrow('invalid maxBits');
  });

  it('validates primes', () => {
    expect(() => paillierSecretKeyFromPrimes(p, p)).toThrow('invalid q');
    expect(() => paillierSecretKeyFromPrimes(p + 2n, q)).toThrow('invalid p: is not a safe prime');
    expect(() => paillierSecretKeyFromPrimes(p, TEST_ONLY_SAFE_PRIMES_1024[0][1] >> 1n)).toThrow('invalid q');
  });

  it('validates ciphertexts, plaintexts and nonces, naming the argument', () => {
    expect(() => assertValidCiphertext(pk, 0n, 'K')).toThrow('invalid K');
    expect(() => assertValidCiphertext(pk, pk.N2, 'K')).toThrow('invalid K');
    expect(() => assertValidCiphertext(pk, p * 5n, 'K')).toThrow('invalid K: ciphertext not coprime to N');
    expect(() => decrypt(sk, pk.N)).toThrow('invalid c');
    expect(() => encryptWithNonce(pk, pk.N, 5n)).toThrow('invalid m');
    expect(() => encryptWithNonce(pk, 1n, q)).toThrow('invalid nonce');
    expect(() => mulCiphertext(pk, 0n, 2n)).toThrow('invalid c');
  });
});

describe('Paillier properties', () => {
  it('decrypt(encrypt(a) ⊕ encrypt(b) ⊗ k) = a + b·k for random signed values', () => {
    const rng = testOnlyRng('paillier-property');
    fc.assert(
      fc.property(
        fc.bigInt({ min: -(1n << 900n), max: 1n << 900n }),
        fc.bigInt({ min: -(1n << 700n), max: 1n << 700n }),
        fc.bigInt({ min: -(1n << 256n), max: 1n << 256n }),
        (a, b, k) => {
          const ca = encrypt(pk, a, rng).ciphertext;
          const cb = encryptCrt(sk, b, rng).ciphertext;
          return decrypt(sk, addCiphertexts(pk, ca, mulCiphertext(pk, cb, k))) === a + b * k;
        },
      ),
      { numRuns: 12, seed: 7 },
    );
  });
});
