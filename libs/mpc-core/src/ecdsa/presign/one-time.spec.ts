import { createHash, verify as nodeVerify } from 'node:crypto';
import type { PartyId } from '../../errors';
import type { KeyShare } from '../key-share';
import { signatureToDer, type EcdsaSignature } from '../signature';
import { signRound1 } from '../sign/round-1';
import { deliver, forEachParty, simulatePresign, simulateSign, step, type SimulationOptions } from '../simulation';
import { testOnlyDeterministicRng } from '../testing/deterministic-rng';
import { sessionId, testOnlyCommittedKeyShares } from '../testing/fixtures';
import { nodePublicKeyFromCompressed } from '../testing/node-verify';
import { presignBlameRound } from './blame';
import { PresignaturePool, presignOutput } from './output';
import { InMemoryPresignatureStore, serializePresignature, takePresignature } from './presignature';
import { PRESIGN_ROUND_1, presignRound1 } from './round-1';
import { PRESIGN_ROUND_2, presignRound2 } from './round-2';
import { PRESIGN_ROUND_3, presignRound3 } from './round-3';
import type { Presignature } from './state';

/**
 * Issue 8, finding 1: two signatures with one presignature reveal the key, so the library refuses
 * every second use itself. Each test asserts that the second use is REFUSED (on the code before the
 * fix, every one of these second uses produced a valid signature).
 */
const shares = testOnlyCommittedKeyShares('2-of-3');
const signers = [1, 2];
const message = new TextEncoder().encode('one presignature, one signature');
const digest = new Uint8Array(createHash('sha256').update(message).digest());

function presign(seed: string): Map<PartyId, Presignature> {
  return simulatePresign(sessionId(seed), shares, signers, { rng: testOnlyDeterministicRng(seed) });
}

function verifiesWithNode(sig: EcdsaSignature, keyShares: ReadonlyMap<PartyId, KeyShare> = shares): boolean {
  return nodeVerify('sha256', message, nodePublicKeyFromCompressed(keyShares.get(1)!.publicKey.toBytes(true)), Buffer.from(signatureToDer(sig)));
}

describe('ECDSA presignatures are one-time by construction', () => {
  it('the same Presignature object signs once; a second use, or a copy of it, is refused before anything is computed', () => {
    const presigs = presign('one-time object');
    expect(verifiesWithNode(simulateSign(shares, presigs, digest, { rng: testOnlyDeterministicRng('s') }))).toBe(true);
    const p = presigs.get(1)!;
    expect(() => signRound1({ presignature: p, keyShare: shares.get(1)!, digest })).toThrow(/already used/);
    expect(() => signRound1({ presignature: { ...p }, keyShare: shares.get(1)!, digest })).toThrow(/copies are refused/);
    expect(() => simulateSign(shares, presigs, digest.map((b) => b ^ 1), { rng: testOnlyDeterministicRng('s2') })).toThrow(/already used/);
  });

  it('a serialized presignature comes back only through its store, once per process; serializing consumes the object', async () => {
    const presigs = presign('one-time record');
    const records = new Map([...presigs].map(([id, p]) => [id, serializePresignature(p)] as const));
    // Serializing moved the presignature into its record: the object no longer signs or serializes.
    expect(() => signRound1({ presignature: presigs.get(1)!, keyShare: shares.get(1)!, digest })).toThrow(/already used/);
    expect(() => serializePresignature(presigs.get(1)!)).toThrow(/already used/);
    const id = presigs.get(1)!.id;
    const taken = new Map<PartyId, Presignature>();
    for (const [party, text] of records) taken.set(party, await takePresignature({ consume: () => text }, id));
    // The same record from a second store (a copy) in the same process is refused.
    await expect(takePresignature({ consume: () => records.get(1)! }, id)).rejects.toThrow(/already taken from a store/);
    expect(verifiesWithNode(simulateSign(shares, taken, digest, { rng: testOnlyDeterministicRng('t') }))).toBe(true);
    await expect(takePresignature({ consume: () => records.get(2)! }, id)).rejects.toThrow(/already used/);
    expect(() => serializePresignature(taken.get(1)!)).toThrow(/already used/);
  });

  it('the in-memory store hands a record out once and never takes the same id back', async () => {
    const presigs = presign('one-time store');
    const store = new InMemoryPresignatureStore();
    const p = presigs.get(1)!;
    expect(store.put(p)).toBe(p.id);
    expect(() => store.put(p)).toThrow(/already stored once/);
    const back = await takePresignature(store, p.id);
    await expect(takePresignature(store, p.id)).rejects.toThrow(/not in the store/);
    expect(() => store.put(back)).toThrow(/already stored once/);
  });

  it('a presignature enters one pool, once; a used one enters none', () => {
    const presigs = presign('one-time pool');
    const first = new PresignaturePool();
    first.add(presigs.get(1)!);
    expect(() => first.add(presigs.get(1)!)).toThrow(/already added/);
    expect(() => new PresignaturePool().add(presigs.get(1)!)).toThrow(/already added to a pool/);
    serializePresignature(presigs.get(2)!);
    expect(() => new PresignaturePool().add(presigs.get(2)!)).toThrow(/already used/);
    // The pooled object signs once, however it is reached.
    const p = first.consume(presigs.get(1)!.id);
    signRound1({ presignature: p, keyShare: shares.get(1)!, digest });
    expect(() => signRound1({ presignature: presigs.get(1)!, keyShare: shares.get(1)!, digest })).toThrow(/already used/);
  });

  it('presign rounds 2, 3 and the output refuse a state they consumed, or a copy of it (no second R from the same k_i, γ_i)', () => {
    const seed = 'one-time rounds';
    const opts: SimulationOptions = { rng: testOnlyDeterministicRng(seed) };
    const r1 = forEachParty(signers, PRESIGN_ROUND_1, opts, (self) => presignRound1({ sessionId: sessionId(seed), keyShare: shares.get(self)!, signers }, opts.rng));
    const s1 = new Map([...r1].map(([id, r]) => [id, r.state]));
    const i1 = deliver(PRESIGN_ROUND_1, r1, opts);
    const r2 = step(PRESIGN_ROUND_2, s1, i1, presignRound2, opts);
    expect(() => presignRound2(s1.get(1)!, i1.get(1)!, opts.rng)).toThrow(/already given to ecdsa-presign\/round-2/);
    expect(() => presignRound2({ ...s1.get(1)! }, i1.get(1)!, opts.rng)).toThrow(/already given to ecdsa-presign\/round-2/);
    const r3 = step(PRESIGN_ROUND_3, r2.states, r2.inboxes, presignRound3, opts);
    expect(() => presignRound3({ ...r2.states.get(2)! }, r2.inboxes.get(2)!, opts.rng)).toThrow(/already given to ecdsa-presign\/round-3/);
    const s3 = r3.states.get(1)!;
    const p = presignOutput(s3, r3.inboxes.get(1)!);
    expect(p.signers).toEqual(signers);
    expect(() => presignOutput(s3, r3.inboxes.get(1)!)).toThrow(/already given to ecdsa-presign\/output/);
    expect(() => presignOutput({ ...s3 }, r3.inboxes.get(1)!)).toThrow(/already given to ecdsa-presign\/output/);
    // The blame round opens k_i, γ_i only after the output aborted on δ for this very state.
    expect(() => presignBlameRound(s3, r3.inboxes.get(1)!)).toThrow(/only after presignOutput aborted on delta-consistency/);
  });
});
