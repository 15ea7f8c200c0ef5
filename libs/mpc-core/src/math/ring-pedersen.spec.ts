import { testOnlyRng } from '../../test/fixtures/deterministic-rng';
import { TEST_ONLY_SAFE_PRIMES_1024 } from '../../test/fixtures/test-only-safe-primes';
import { modPow } from './modarith';
import { assertValidRingPedersenParams, isValidRingPedersenParams, ringPedersenCommit, ringPedersenFromPrimes } from './ring-pedersen';

const [p, q] = TEST_ONLY_SAFE_PRIMES_1024[1];

describe('ring-Pedersen', () => {
  const { params, secret } = ringPedersenFromPrimes(p, q, testOnlyRng('rp'));

  it('makes s = t^lambda with t a square', () => {
    expect(params.N).toBe(p * q);
    expect(modPow(params.t, secret.lambda, params.N)).toBe(params.s);
    expect(secret.phi).toBe((p - 1n) * (q - 1n));
    assertValidRingPedersenParams(params, 2048, 2048, 'rp');
  });

  it('commits with negative exponents', () => {
    const c = ringPedersenCommit(params, -5n, 7n);
    expect((c * modPow(params.s, 5n, params.N)) % params.N).toBe(modPow(params.t, 7n, params.N));
  });

  it('rejects bad parameters naming them', () => {
    expect(() => assertValidRingPedersenParams({ ...params, s: 1n }, 2048, 2048, 'peer.rp')).toThrow('invalid peer.rp');
    expect(() => assertValidRingPedersenParams({ ...params, t: p }, 2048, 2048, 'peer.rp')).toThrow('not coprime');
    expect(() => assertValidRingPedersenParams({ ...params, s: params.t }, 2048, 2048, 'peer.rp')).toThrow('differ');
    expect(() => assertValidRingPedersenParams(params, 3072, 3072, 'peer.rp')).toThrow('fewer than 3072');
    expect(isValidRingPedersenParams({ ...params, N: params.N + 1n }, 2048)).toBe(false);
    expect(() => ringPedersenFromPrimes(p, p, testOnlyRng('x'))).toThrow('invalid q');
  });

  it('refuses a modulus above maxBits before anything else', () => {
    const big = { N: params.N * params.N * params.N, s: 0n, t: 0n };
    expect(() => assertValidRingPedersenParams(big, 2048, 4096, 'peer.rp')).toThrow(/invalid peer.rp: modulus has 614\d bits, more than the 4096 accepted/);
    expect(() => assertValidRingPedersenParams(params, 2048, 1024, 'peer.rp')).toThrow('invalid maxBits');
    expect(isValidRingPedersenParams({ ...params, N: params.N << 7000n }, 2048)).toBe(false);
  });
});
