import { createHash, verify as nodeVerify } from 'node:crypto';
import { bytesToHex } from '@noble/hashes/utils.js';
import { type PartyId } from '../../errors';
import { derivePublicPath } from '../../derive/bip32';
import { G, modq, mulPublic } from '../curve';
import { encodeWire } from '../protocol';
import { signatureToDer } from '../signature';
import { simulatePresign, simulateSign, type SimulationOptions } from '../simulation';
import { testOnlyDeterministicRng } from '../testing/deterministic-rng';
import { sessionId, testOnlyCommittedKeyShares } from '../testing/fixtures';
import { nodePublicKeyFromCompressed } from '../testing/node-verify';
import { rerandomizer, rhoCommitment } from './rerandomize';
import { abortOf } from '../testing/abort-of';

/**
 * Issue 8, finding 5: presignatures are re-randomized at signing time (Groth and Shoup, ePrint
 * 2021/1330) with a ρ that no signer can predict or steer when the message and tweak are chosen.
 */
const shares = testOnlyCommittedKeyShares('2-of-3');
const signers = [1, 3];

describe('re-randomized presignatures', () => {
  it("the signature's nonce point is ρ·R, not the presignature's R; node:crypto accepts it under a BIP32 child; ρ_i never travels in presigning", () => {
    const seen: string[] = [];
    const record: SimulationOptions['tamper'] = (_round, _from, _to, m) => {
      seen.push(encodeWire(m));
      return m;
    };
    const presigs = simulatePresign(sessionId('rerandomize'), shares, signers, { rng: testOnlyDeterministicRng('rerandomize'), tamper: record });
    const p = presigs.get(1)!;
    for (const j of signers) {
      const own = presigs.get(j)!;
      expect(rhoCommitment(own.id, j, own.rho)).toBe(p.rhoCommitments.get(j));
      expect(seen.some((text) => text.includes(bytesToHex(own.rho)))).toBe(false);
    }
    const root = shares.get(1)!;
    const child = derivePublicPath({ publicKey: root.publicKey, chainCode: root.chainCode }, 'm/44/0/3');
    const message = new TextEncoder().encode('re-randomized');
    const digest = new Uint8Array(createHash('sha256').update(message).digest());
    const sig = simulateSign(shares, presigs, digest, { rng: testOnlyDeterministicRng('rerandomize sign') }, child.tweak);
    expect(nodeVerify('sha256', message, nodePublicKeyFromCompressed(child.publicKey.toBytes(true)), Buffer.from(signatureToDer(sig)))).toBe(true);
    expect(sig.r).not.toBe(modq(p.R.toAffine().x));
    const rhos = new Map(signers.map((j) => [j, presigs.get(j)!.rho] as const));
    const rho = rerandomizer({ presignatureId: p.id, R: p.R, signers, rhos, digest, tweak: child.tweak, publicKey: root.publicKey });
    expect(sig.r).toBe(modq(mulPublic(p.R, rho).toAffine().x));
  });

  it('ρ depends on every ρ_j, the digest, the tweak, R, the signers and the key', () => {
    const base = {
      presignatureId: 'ab'.repeat(32),
      R: mulPublic(G, 5n),
      signers,
      rhos: new Map<PartyId, Uint8Array>([
        [1, new Uint8Array(32).fill(1)],
        [3, new Uint8Array(32).fill(3)],
      ]),
      digest: new Uint8Array(32).fill(9),
      tweak: 0n,
      publicKey: shares.get(1)!.publicKey,
    };
    const rho = rerandomizer(base);
    expect(rho > 0n).toBe(true);
    const variants = [
      { ...base, rhos: new Map([...base.rhos, [3, new Uint8Array(32).fill(4)]]) },
      { ...base, digest: new Uint8Array(32).fill(8) },
      { ...base, tweak: 1n },
      { ...base, R: mulPublic(G, 6n) },
      { ...base, presignatureId: 'cd'.repeat(32) },
      { ...base, publicKey: G },
    ];
    for (const v of variants) expect(rerandomizer(v)).not.toBe(rho);
    expect(rerandomizer({ ...base })).toBe(rho);
  });

  it('a ρ_j that does not open its commitment names its sender (rho-opening)', () => {
    const presigs = simulatePresign(sessionId('rho opening'), shares, signers, { rng: testOnlyDeterministicRng('rho opening') });
    const tamper: SimulationOptions['tamper'] = (r, from, _to, m) => (r === 'ecdsa-sign/round-1' && from === 3 ? { ...(m as object), rho: new Uint8Array(32).fill(5) } : m);
    const e = abortOf(() => simulateSign(shares, presigs, new Uint8Array(32).fill(1), { rng: testOnlyDeterministicRng('x'), tamper }));
    expect(e.round).toBe('ecdsa-sign/round-2');
    expect(e.check).toBe('rho-opening');
    expect(e.culprits).toEqual([3]);
  });

  it('a signer holding other commitments (an inconsistent presign broadcast) is named before any σ is sent (rho-view)', () => {
    const presigs = simulatePresign(sessionId('rho view'), shares, signers, { rng: testOnlyDeterministicRng('rho view') });
    const tamper: SimulationOptions['tamper'] = (r, from, _to, m) => (r === 'ecdsa-sign/round-1' && from === 1 ? { ...(m as object), view: '00'.repeat(32) } : m);
    const e = abortOf(() => simulateSign(shares, presigs, new Uint8Array(32).fill(1), { rng: testOnlyDeterministicRng('y'), tamper }));
    expect(e.round).toBe('ecdsa-sign/round-2');
    expect(e.check).toBe('rho-view');
    expect(e.culprits).toEqual([1]);
  });

  it('the online messages have a pinned wire encoding (sign/1 reveal, sign/2 σ)', () => {
    const presigs = simulatePresign(sessionId('sign wire'), shares, signers, { rng: testOnlyDeterministicRng('sign wire') });
    const texts: string[] = [];
    const record: SimulationOptions['tamper'] = (r, from, _to, m) => {
      if (from === 1) texts.push(`${r}: ${encodeWire(m)}`);
      return m;
    };
    simulateSign(shares, presigs, new Uint8Array(32).fill(2), { rng: testOnlyDeterministicRng('sign wire sign'), tamper: record });
    expect(texts).toMatchSnapshot();
  });
});
