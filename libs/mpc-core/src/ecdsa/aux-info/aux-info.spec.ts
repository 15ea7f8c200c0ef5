import { InvalidInputError } from '../../errors';
import { modPow, randomCoprime } from '../../math/modarith';
import { randomBelow } from '../../rng';
import { proveNoSmallFactor } from '../../zk/pi-fac';
import { proveModulus } from '../../zk/pi-mod';
import { proveRingPedersenParams } from '../../zk/pi-prm';
import { simulateAuxInfo, type SimulationOptions } from '../simulation';
import { testOnlyDeterministicRng } from '../testing/deterministic-rng';
import { TEST_ONLY_SAFE_PRIMES_1024, TEST_ONLY_SAFE_PRIMES_1536 } from '../../../test/fixtures/test-only-safe-primes';
import { sessionId, tamperFirstBigInt, testOnlyPrimes } from '../testing/fixtures';
import type { AuxInfoRound1Message } from './messages';
import { AUX_ROUND_1, auxContext, auxInfoRound1 } from './round-1';
import { AUX_ROUND_2 } from './round-2';
import { abortOf } from '../testing/abort-of';

/**
 * TEST ONLY cheating moduli (public, generated with node:crypto generatePrimeSync for these tests):
 * SMALL_P (160 bits) · BIG_Q (1889 bits) is a 2048-bit Blum integer with a small factor (passes
 * trial division, Πmod and Πprm can be made for it, Πfac cannot); NON_BLUM_P ≡ 1 (mod 4), so
 * NON_BLUM_P · NON_BLUM_Q is not a Paillier-Blum modulus (Πmod cannot be made).
 */
const SMALL_P = 0xcec7b4cecdb239dbc4ea4cfa1ffc260ce05bbb0fn;
const BIG_Q = 0x111828c524ff09d70981d492d86785ad334af996e243b542fe932cf1bffca0654927b43aba389da89edab5f6042c78b8e375e564579689ebefe85acd50b4531f697708853321dfa6ff4f7334045a3181c828636587b0bf2dc5db8e782598d227596942065a3c59f9b0276c97df3d34f57363c3b81cf3c5ed7358442d6f380d9347c30b3affe9dc37a00f8fb0b0028b71e57a6ca45a2930afed6158ab8f0b169c1d01acd40213523b42bef4458ba8125d124f13403275cd783f3de502d97bd2e5c8da21a98fa20a6227ff0d48804ce8ccea038599fabe6109723a9aed663219b8d34161187184c1960da7fc91bn;
const NON_BLUM_P = 0xaaced774a5a84b91e2bfb019a107dc6670e149c1ad5c42634cb63cd6b2f36ed30656778437e4b3e24808fb1e4a4cdd1de106cac89fc6a9b12a5b2718d9b350d4c03a0448f6d5b99253737a9c7506b82299f2c6cfedb8e15113c091083a3cda6581e599e50849770d60ac6acd13b28b2d30fedb6e4af04c84521351a328d8e93dn;
const NON_BLUM_Q = 0xe6a9e1335e1a355ae8f6055ad543b182e0cafda36fae3887ced4de1fbbf975e9ea1d7e38cd1cbb4daccadbac5b058562a7c959befe6d48b14534c1925bd74f3d0a999bdc45443439daadf684cc1f37f781f548bc334fc284a14a5d7a5c0e4e2cd6b76a39815aa53604918a442b32d91026dfb65478f573963767a418c9ed1df3n;

const parties = [1, 2];
const sid = sessionId('aux-cheat');

function run(tamper?: SimulationOptions['tamper']) {
  return simulateAuxInfo({ sessionId: sid, partyIds: parties, paillierBits: 2048, primes: testOnlyPrimes(parties) }, { rng: testOnlyDeterministicRng('aux'), tamper });
}

/** A cheater's round-1 message for a modulus p·q of its choosing, with proofs made as well as it can. */
function cheaterRound1(p: bigint, q: bigint): AuxInfoRound1Message {
  const rng = testOnlyDeterministicRng('cheater');
  const N = p * q;
  const phi = (p - 1n) * (q - 1n);
  const t = modPow(randomCoprime(rng, N), 2n, N);
  const lambda = randomBelow(rng, phi);
  const rp = { N, s: modPow(t, lambda, N), t };
  let psiMod: unknown;
  try {
    psiMod = proveModulus(auxContext(sid, 'pi-mod', parties, 2), { N }, { p, q }, rng);
  } catch {
    psiMod = { w: 1n, x: [], a: [], b: [], z: [] };
  }
  const psiPrm = proveRingPedersenParams(auxContext(sid, 'pi-prm', parties, 2), rp, { lambda, phi }, rng);
  return { kind: 'aux-info/1', N, s: rp.s, t: rp.t, psiMod, psiPrm };
}

describe('auxiliary information: Paillier keys and ring-Pedersen parameters with Πmod, Πprm, Πfac', () => {
  it('honest run: each party keeps every verified key', () => {
    const out = run();
    expect(out.get(1)!.parties.get(2)!.paillier.N).toBe(out.get(2)!.paillierSecret.publicKey.N);
    expect(out.get(2)!.parties.get(1)!.ringPedersen.N).toBe(out.get(1)!.paillierSecret.publicKey.N);
  });

  const cases: [string, string, (m: Record<string, unknown>) => unknown, string][] = [
    ['bad Πmod', AUX_ROUND_1, (m) => ({ ...m, psiMod: tamperFirstBigInt(m.psiMod) }), 'pi-mod'],
    ['bad Πprm', AUX_ROUND_1, (m) => ({ ...m, psiPrm: tamperFirstBigInt(m.psiPrm) }), 'pi-prm'],
    ['bad Πfac', AUX_ROUND_2, (m) => ({ ...m, psiFac: tamperFirstBigInt(m.psiFac) }), 'pi-fac'],
    ['modulus below 2048 bits', AUX_ROUND_1, (m) => ({ ...m, N: ((m.N as bigint) >> 1100n) | 1n }), 'paillier-modulus'],
    ['modulus with a factor below 2000', AUX_ROUND_1, (m) => ({ ...m, N: (m.N as bigint) * 1999n }), 'paillier-modulus'],
    ['s not coprime to N', AUX_ROUND_1, (m) => ({ ...m, s: 0n }), 'ring-pedersen-params'],
    ['non-Blum modulus (Πmod)', AUX_ROUND_1, () => cheaterRound1(NON_BLUM_P, NON_BLUM_Q), 'pi-mod'],
  ];
  it.each(cases)('%s: the sender is named', (_name, round, change, check) => {
    const e = abortOf(() => run((r, from, _to, m) => (r === round && from === 2 ? change(m as Record<string, unknown>) : m)));
    expect(e.culprits).toEqual([2]);
    expect(e.check).toBe(check);
  });

  it('a 16,384-bit modulus is refused by its size (paillier-modulus) before any proof is looked at: the proofs are garbage', () => {
    // 16 public test-only 1024-bit primes: odd, no small factor, not a square; s and t of the sender stay valid units.
    const N = TEST_ONLY_SAFE_PRIMES_1024.slice(4, 12).reduce((acc, [p, q]) => acc * p * q, 1n);
    expect(N.toString(2).length).toBeGreaterThan(16_000);
    const e = abortOf(() => run((r, from, _to, m) => (r === AUX_ROUND_1 && from === 2 ? { ...(m as object), N, psiMod: { garbage: 1n }, psiPrm: { garbage: 1n } } : m)));
    expect(e.culprits).toEqual([2]);
    expect(e.check).toBe('paillier-modulus');
    expect(e.message).toMatch(/more than the 2048 accepted/);
  });

  it('a genuine 3072-bit Paillier-Blum modulus with valid Πmod and Πprm is refused when the maximum is 2048 bits', () => {
    const [p, q] = TEST_ONLY_SAFE_PRIMES_1536[0]!;
    const cheat = cheaterRound1(p, q);
    const e = abortOf(() => run((r, from, _to, m) => (r === AUX_ROUND_1 && from === 2 ? cheat : m)));
    expect(e.culprits).toEqual([2]);
    expect(e.check).toBe('paillier-modulus');
  });

  it('refuses a maximum below paillierBits or above 8192', () => {
    const primes = testOnlyPrimes([1]).get(1)!;
    const rng = testOnlyDeterministicRng('max-bits');
    expect(() => auxInfoRound1({ sessionId: sid, self: 1, partyIds: parties, paillierBits: 2048, maxPaillierBits: 2047, primes }, rng)).toThrow(/maxPaillierBits/);
    expect(() => auxInfoRound1({ sessionId: sid, self: 1, partyIds: parties, paillierBits: 2048, maxPaillierBits: 16384, primes }, rng)).toThrow(/maxPaillierBits/);
    expect(auxInfoRound1({ sessionId: sid, self: 1, partyIds: parties, paillierBits: 2048, maxPaillierBits: 3072, primes }, rng).state.maxPaillierBits).toBe(3072);
  });

  it('a modulus with a small factor (160 bits) passes Πmod and Πprm but not Πfac', () => {
    let verifierRp: { N: bigint; s: bigint; t: bigint } | undefined;
    const e = abortOf(() =>
      run((r, from, _to, m) => {
        const msg = m as Record<string, unknown>;
        if (r === AUX_ROUND_1 && from === 1) verifierRp = { N: msg.N as bigint, s: msg.s as bigint, t: msg.t as bigint };
        if (r === AUX_ROUND_1 && from === 2) return cheaterRound1(SMALL_P, BIG_Q);
        if (r === AUX_ROUND_2 && from === 2) {
          const ctx = auxContext(sid, 'pi-fac', parties, 2);
          return { kind: 'aux-info/2', psiFac: proveNoSmallFactor(ctx, { N0: SMALL_P * BIG_Q, rp: verifierRp! }, { p: SMALL_P, q: BIG_Q }, testOnlyDeterministicRng('fac')) };
        }
        return m;
      }),
    );
    expect(e.culprits).toEqual([2]);
    expect(e.check).toBe('pi-fac');
  });

  it("a party reusing another party's modulus is named", () => {
    let firstN: bigint | undefined;
    const e = abortOf(() =>
      run((r, from, _to, m) => {
        const msg = m as Record<string, unknown>;
        if (r === AUX_ROUND_1 && from === 1) firstN = msg.N as bigint;
        return r === AUX_ROUND_1 && from === 2 ? { ...msg, N: firstN } : m;
      }),
    );
    expect(e.culprits).toEqual([2]);
    expect(e.check).toBe('duplicate-modulus');
  });

  it('hedged: the same primes and random stream in another session give other ring-Pedersen parameters (λ is not reused)', () => {
    const primes = testOnlyPrimes([1]).get(1)!;
    const a = auxInfoRound1({ sessionId: sessionId('hedge-a'), self: 1, partyIds: parties, paillierBits: 2048, primes }, testOnlyDeterministicRng('snapshot'));
    const b = auxInfoRound1({ sessionId: sessionId('hedge-b'), self: 1, partyIds: parties, paillierBits: 2048, primes }, testOnlyDeterministicRng('snapshot'));
    expect(b.state.ringPedersen.t).not.toBe(a.state.ringPedersen.t);
    expect(b.state.ringPedersenSecret.lambda).not.toBe(a.state.ringPedersenSecret.lambda);
  });

  it('refuses Paillier moduli below 2048 bits and primes that do not reach the requested size', () => {
    const primes = testOnlyPrimes([1]).get(1)!;
    const rng = testOnlyDeterministicRng('bits');
    expect(() => auxInfoRound1({ sessionId: sid, self: 1, partyIds: parties, paillierBits: 1024, primes }, rng)).toThrow(InvalidInputError);
    expect(() => auxInfoRound1({ sessionId: sid, self: 1, partyIds: parties, paillierBits: 3072, primes }, rng)).toThrow(/primes/);
    expect(() => auxInfoRound1({ sessionId: sid, self: 1, partyIds: parties, paillierBits: 2048, primes: [primes[0], primes[0]] }, rng)).toThrow(InvalidInputError);
  });
});
