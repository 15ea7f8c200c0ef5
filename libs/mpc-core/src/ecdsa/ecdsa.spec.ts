import { createHash, verify as nodeVerify } from 'node:crypto';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { keccak_256 } from '@noble/hashes/sha3.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { computeAddress, recoverAddress, Signature as EthersSignature } from 'ethers';
import { type PartyId } from '../errors';
import { serializePresignature, takePresignature } from './presign/presignature';
import { derivePublicPath } from '../derive/bip32';
import { PresignaturePool } from './presign/output';
import { simulatePresign, simulateSign, type SimulationOptions } from './simulation';
import { type EcdsaSignature, signatureToCompact, signatureToDer } from './signature';
import { testOnlyDeterministicRng } from './testing/deterministic-rng';
import { sessionId, tamperFirstBigInt, testOnlyCommittedKeyShares } from './testing/fixtures';
import { nodePublicKeyFromCompressed } from './testing/node-verify';
import type { KeyShare } from './key-share';
import type { Point } from './curve';
import { abortOf } from './testing/abort-of';

function checkEverywhere(sig: EcdsaSignature, message: Uint8Array, publicKey: Point): void {
  const digest = createHash('sha256').update(message).digest();
  expect(nodeVerify('sha256', message, nodePublicKeyFromCompressed(publicKey.toBytes(true)), Buffer.from(signatureToDer(sig)))).toBe(true);
  expect(secp256k1.verify(signatureToCompact(sig), digest, publicKey.toBytes(true), { prehash: false })).toBe(true);
  const recovered = new secp256k1.Signature(sig.r, sig.s, sig.recovery).recoverPublicKey(digest);
  expect(recovered.equals(publicKey)).toBe(true);
}

function signWith(shares: ReadonlyMap<PartyId, KeyShare>, signers: PartyId[], message: Uint8Array, seed: string, opts: Partial<SimulationOptions> = {}, tweak?: bigint): EcdsaSignature {
  const rng = testOnlyDeterministicRng(seed);
  const presigs = simulatePresign(sessionId(seed), shares, signers, { rng, ...opts });
  const digest = new Uint8Array(createHash('sha256').update(message).digest());
  return simulateSign(shares, presigs, digest, { rng, ...opts }, tweak);
}

describe('threshold ECDSA (CGGMP21-style) end to end', () => {
  let shares3: Map<PartyId, KeyShare>;
  beforeAll(() => {
    shares3 = testOnlyCommittedKeyShares('2-of-3');
  });

  it('2-of-3: every pair of signers produces a signature that node:crypto, noble and recovery accept', () => {
    const message = new TextEncoder().encode('withdraw 1 BTC');
    const publicKey = shares3.get(1)!.publicKey;
    for (const signers of [
      [1, 2],
      [1, 3],
      [2, 3],
    ]) {
      checkEverywhere(signWith(shares3, signers, message, `s-${signers.join('')}`), message, publicKey);
    }
  });

  it('keccak256: ethers recovers the Ethereum address of the threshold key', () => {
    const message = new TextEncoder().encode('eth transfer');
    const digest = keccak_256(message);
    const rng = testOnlyDeterministicRng('keccak');
    const presigs = simulatePresign(sessionId('keccak'), shares3, [2, 3], { rng });
    const sig = simulateSign(shares3, presigs, digest, { rng });
    const publicKey = shares3.get(2)!.publicKey;
    const ethSig = EthersSignature.from({ r: '0x' + sig.r.toString(16).padStart(64, '0'), s: '0x' + sig.s.toString(16).padStart(64, '0'), v: 27 + sig.recovery });
    expect(recoverAddress('0x' + bytesToHex(digest), ethSig)).toBe(computeAddress('0x' + bytesToHex(publicKey.toBytes(true))));
  });

  it('3-of-5: a random subset of 3 signs (the n = 5 runs are kept few: each costs seconds)', () => {
    const shares5 = testOnlyCommittedKeyShares('3-of-5');
    const rng = testOnlyDeterministicRng('subsets');
    const message = new TextEncoder().encode('3-of-5');
    // A seeded Fisher-Yates shuffle (deterministic test; change the seed to draw another subset).
    const ids = [1, 2, 3, 4, 5];
    for (let k = ids.length - 1; k > 0; k--) {
      const j = rng(1)[0]! % (k + 1);
      [ids[k], ids[j]] = [ids[j]!, ids[k]!];
    }
    const signers = ids.slice(0, 3).sort((a, b) => a - b);
    checkEverywhere(signWith(shares5, signers, message, 's5-random'), message, shares5.get(1)!.publicKey);
  });

  it('3-of-5 key, 4 signers (more than the threshold): Lagrange over the larger set still signs', () => {
    const shares5 = testOnlyCommittedKeyShares('3-of-5');
    const message = new TextEncoder().encode('four signers');
    checkEverywhere(signWith(shares5, [1, 2, 4, 5], message, 's5-four'), message, shares5.get(1)!.publicKey);
  });

  it('BIP32: a child key derived from the group key and chain code signs with the public tweak', () => {
    const ks = shares3.get(1)!;
    const child = derivePublicPath({ publicKey: ks.publicKey, chainCode: ks.chainCode }, 'm/0/7/1000');
    const message = new TextEncoder().encode('deposit address 1000');
    const sig = signWith(shares3, [1, 3], message, 'bip32', {}, child.tweak);
    checkEverywhere(sig, message, child.publicKey);
    const digest = createHash('sha256').update(message).digest();
    expect(secp256k1.verify(signatureToCompact(sig), digest, ks.publicKey.toBytes(true), { prehash: false })).toBe(false);
  });

  it('a presignature is used once: the pool refuses a second consume; it round-trips through its serialization', async () => {
    const presigs = simulatePresign(sessionId('pool'), shares3, [1, 2], { rng: testOnlyDeterministicRng('pool') });
    const p2 = presigs.get(2)!;
    const text = serializePresignature(p2);
    const o = JSON.parse(text) as Record<string, unknown>;
    const once = (t: string) => ({ consume: () => t });
    for (const [change, reason] of [
      [{ k: 'ff' }, /presignature\.k/],
      [{ version: 9 }, /presignature\.version/],
      [{ version: 1 }, /version 1 records predate/],
      [{ R: o.Gamma }, /presignature\.R/],
      [{ rho: 'ab'.repeat(32) }, /presignature\.rho/],
      [{ keyGeneration: 'x' }, /presignature\.keyGeneration/],
      [{ rhoCommitments: [] }, /presignature\.rhoCommitments/],
    ] as const) {
      await expect(takePresignature(once(JSON.stringify({ ...o, ...change })), p2.id)).rejects.toThrow(reason);
    }
    await expect(takePresignature(once(text), 'ab'.repeat(32))).rejects.toThrow(/not ab/);
    const back = await takePresignature(once(text), p2.id);
    expect(serializePresignature(back)).toBe(text);
    const pool = new PresignaturePool();
    const id = pool.add(presigs.get(1)!);
    expect(pool.size).toBe(1);
    expect(pool.consume(id).id).toBe(id);
    expect(pool.size).toBe(0);
    expect(() => pool.consume(id)).toThrow(/already used/);
    expect(() => pool.add(presigs.get(1)!)).toThrow(/already added/);
  });

  describe('a cheating party is named with the failed check', () => {
    const cases: [string, string, PartyId, (m: Record<string, unknown>) => unknown, string][] = [
      ['bad Πenc', 'ecdsa-presign/round-1', 2, (m) => ({ ...m, psiEnc: tamperFirstBigInt(m.psiEnc) }), 'pi-enc'],
      ['K not coprime to N', 'ecdsa-presign/round-1', 2, (m) => ({ ...m, K: 0n }), 'invalid-ciphertext'],
      ['wrong MtA response D (Πaff-g)', 'ecdsa-presign/round-2', 1, (m) => ({ ...m, deltaMta: (m.deltaMta as { D: bigint }[]).map((e) => ({ ...e, D: e.D + 1n })) }), 'pi-aff-g'],
      ['wrong MtA response D̂ (Πaff-g)', 'ecdsa-presign/round-2', 1, (m) => ({ ...m, psiAffHat: tamperFirstBigInt(m.psiAffHat) }), 'pi-aff-g'],
      ['bad Πlog* for Γ', 'ecdsa-presign/round-2', 2, (m) => ({ ...m, psiLog: tamperFirstBigInt(m.psiLog) }), 'pi-log-star'],
      ['bad Πlog* for Δ', 'ecdsa-presign/round-3', 1, (m) => ({ ...m, psiLog: tamperFirstBigInt(m.psiLog) }), 'pi-log-star'],
      ['malformed Γ (not on the curve)', 'ecdsa-presign/round-2', 2, (m) => ({ ...m, Gamma: '02' + '00'.repeat(31) + '05' }), 'malformed-message'],
    ];
    it.each(cases)('%s', (name, round, cheater, change, check) => {
      const tamper: SimulationOptions['tamper'] = (r, from, _to, m) => (r === round && from === cheater ? change(m as Record<string, unknown>) : m);
      // One seed per case: replaying a seed replays k_i, γ_i, which the library now refuses (presign/one-time.ts).
      const e = abortOf(() => simulatePresign(sessionId(`cheat ${name}`), shares3, [1, 2], { rng: testOnlyDeterministicRng(`cheat ${name}`), tamper }));
      expect(e.culprits).toEqual([cheater]);
      expect(e.check).toBe(check);
    });

    it('a bad σ_i', () => {
      const rng = testOnlyDeterministicRng('sigma');
      const presigs = simulatePresign(sessionId('sigma'), shares3, [1, 3], { rng });
      const tamper: SimulationOptions['tamper'] = (r, from, _to, m) => (r === 'ecdsa-sign/round-2' && from === 3 ? { ...(m as object), sigma: 5n } : m);
      const e = abortOf(() => simulateSign(shares3, presigs, new Uint8Array(32).fill(1), { rng, tamper }));
      expect(e.culprits).toEqual([3]);
      expect(e.check).toBe('sigma-share');
    });

    it('a wrong δ_i that no proof covers: the honest party opens the δ side; the cheater, refusing, is named', () => {
      const tamper: SimulationOptions['tamper'] = (r, from, _to, m) => (r === 'ecdsa-presign/round-3' && from === 2 ? { ...(m as object), delta: 1n } : m);
      const e = abortOf(() => simulatePresign(sessionId('delta'), shares3, [1, 2], { rng: testOnlyDeterministicRng('delta'), tamper }));
      expect(e.round).toBe('ecdsa-presign/blame-output');
      expect(e.check).toBe('missing-message');
      expect(e.culprits).toEqual([2]);
    });
  });
});
