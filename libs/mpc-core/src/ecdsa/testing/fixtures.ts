import { TEST_ONLY_SAFE_PRIMES_1024 } from '../../../test/fixtures/test-only-safe-primes';
import type { PartyId } from '../../errors';
import { type KeyShare, deserializeKeyShare } from '../key-share';
import committed from './test-only-key-shares.json';
import { simulateKeygen, type SimulationOptions } from '../simulation';
import { testOnlyDeterministicRng } from './deterministic-rng';

/** TEST ONLY: primes for parties 1..n from the public fixtures (offset picks other pairs, e.g. for a refresh). */
export function testOnlyPrimes(partyIds: readonly PartyId[], offset = 0): Map<PartyId, readonly [bigint, bigint]> {
  return new Map(partyIds.map((id, k) => [id, TEST_ONLY_SAFE_PRIMES_1024[(offset + k) % TEST_ONLY_SAFE_PRIMES_1024.length]!] as const));
}

export function sessionId(label: string): Uint8Array {
  return testOnlyDeterministicRng(`sid:${label}`)(32);
}

/** TEST ONLY: key shares of an n-party, threshold-t key with 2048-bit test-only Paillier keys. */
export function testOnlyKeyShares(n: number, t: number, seed: string, tamper?: SimulationOptions['tamper']): Map<PartyId, KeyShare> {
  const partyIds = Array.from({ length: n }, (_, i) => i + 1);
  return simulateKeygen(
    { sessionId: sessionId(seed), partyIds, threshold: t, paillierBits: 2048, primes: testOnlyPrimes(partyIds) },
    { rng: testOnlyDeterministicRng(seed), tamper },
  );
}

/** Adds 1 to the first bigint found (depth first) in a proof object: a proof altered in one field. */
export function tamperFirstBigInt(value: unknown): unknown {
  let done = false;
  const walk = (v: unknown): unknown => {
    if (done) return v;
    if (typeof v === 'bigint') {
      done = true;
      return v + 1n;
    }
    if (Array.isArray(v)) return v.map(walk);
    if (typeof v === 'object' && v !== null) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  const out = walk(value);
  if (!done) throw new Error('no bigint to tamper with');
  return out;
}

/**
 * TEST ONLY: the committed key shares of test-only-key-shares.json (made by
 * `testOnlyKeyShares(n, t, 'fixture-t-of-n')`), so that signing tests need not run keygen again.
 */
export function testOnlyCommittedKeyShares(name: '2-of-3' | '3-of-5'): Map<PartyId, KeyShare> {
  const out = new Map<PartyId, KeyShare>();
  for (const s of committed[name].shares) {
    const ks = deserializeKeyShare(JSON.stringify(s));
    out.set(ks.self, ks);
  }
  return out;
}
