import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { consistencyProof, ed25519NoteSigner, ed25519NoteVerifier, formatCheckpoint, hashLeaf, inclusionProof, memoryAccessor, rootHash, signNote } from '@custody/transparency-log';
import { witnessCheck, type SignedGrantRef, type WitnessState } from './index';

const ORIGIN = 'custody.test/audit';
const seed = randomBytes(32);
const logVerifier = ed25519NoteVerifier(ORIGIN, ed25519.getPublicKey(seed));
const leaves = Array.from({ length: 20 }, (_, i) => hashLeaf(Uint8Array.of(i)));
const nodes = memoryAccessor(leaves);
const note = (size: number, ls = leaves) => signNote(formatCheckpoint({ origin: ORIGIN, size, rootHash: rootHash(memoryAccessor(ls), size) }), [ed25519NoteSigner(ORIGIN, seed)]);
const state = (size: number): WitnessState => ({ size, rootHash: rootHash(nodes, size), note: note(size) });
const NOW = 1_800_000_000_000;
const base = { origin: ORIGIN, logVerifier, now: NOW, boundMs: 10_000, pendingGrants: [] as SignedGrantRef[] };

describe('witnessCheck', () => {
  it('cosigns a first checkpoint and a consistent successor', () => {
    expect(witnessCheck({ ...base, state: null, request: { checkpoint: note(5), oldSize: 0, consistencyProof: [], inclusions: new Map() } }).kind).toBe('cosign');
    const d = witnessCheck({ ...base, state: state(5), request: { checkpoint: note(12), oldSize: 5, consistencyProof: consistencyProof(nodes, 5, 12), inclusions: new Map() } });
    expect(d.kind).toBe('cosign');
  });

  it('answers conflict when the log has a stale idea of our size', () => {
    expect(witnessCheck({ ...base, state: state(5), request: { checkpoint: note(12), oldSize: 3, consistencyProof: consistencyProof(nodes, 3, 12), inclusions: new Map() } })).toEqual({ kind: 'conflict', size: 5 });
  });

  it('refuses a fork and returns the evidence', () => {
    const other = [...leaves.slice(0, 4), hashLeaf(Uint8Array.of(99)), ...leaves.slice(5)];
    const d = witnessCheck({ ...base, state: state(5), request: { checkpoint: note(12, other), oldSize: 5, consistencyProof: consistencyProof(memoryAccessor(other), 5, 12), inclusions: new Map() } });
    expect(d.kind).toBe('fork');
    if (d.kind === 'fork') {
      expect(d.evidence.previousNote).toBe(state(5).note);
      expect(d.evidence.presentedNote).toBe(note(12, other));
    }
    const same = witnessCheck({ ...base, state: state(5), request: { checkpoint: note(5, other), oldSize: 5, consistencyProof: [], inclusions: new Map() } });
    expect(same.kind).toBe('fork');
    const smaller = witnessCheck({ ...base, state: state(5), request: { checkpoint: note(4), oldSize: 5, consistencyProof: [], inclusions: new Map() } });
    expect(smaller.kind).toBe('fork');
  });

  it('refuses when a grant signed more than the bound ago is not shown, and not before', () => {
    const g: SignedGrantRef = { requestId: 'wd-7', leafHash: leaves[7]!, signedAt: NOW - 20_000 };
    const young: SignedGrantRef = { requestId: 'wd-19', leafHash: hashLeaf(Uint8Array.of(200)), signedAt: NOW - 1_000 };
    const req = (inclusions: Map<string, { index: number; proof: Uint8Array[] }>, size = 12) => ({ checkpoint: note(size), oldSize: 0, consistencyProof: [], inclusions });
    const ok = witnessCheck({ ...base, state: null, pendingGrants: [g, young], request: req(new Map([['wd-7', { index: 7, proof: inclusionProof(nodes, 7, 12) }]])) });
    expect(ok).toMatchObject({ kind: 'cosign', included: ['wd-7'] });
    const missing = witnessCheck({ ...base, state: null, pendingGrants: [g, young], request: req(new Map()) });
    expect(missing).toMatchObject({ kind: 'missing-grant', requestIds: ['wd-7'] });
    const wrongProof = witnessCheck({ ...base, state: null, pendingGrants: [g], request: req(new Map([['wd-7', { index: 6, proof: inclusionProof(nodes, 6, 12) }]])) });
    expect(wrongProof.kind).toBe('missing-grant');
    const notYet = witnessCheck({ ...base, state: null, pendingGrants: [g], request: req(new Map(), 5) });
    expect(notYet.kind).toBe('missing-grant');
  });

  it('refuses a checkpoint of another log or with a bad signature as invalid', () => {
    const stranger = signNote(formatCheckpoint({ origin: ORIGIN, size: 3, rootHash: rootHash(nodes, 3) }), [ed25519NoteSigner(ORIGIN, randomBytes(32))]);
    expect(witnessCheck({ ...base, state: null, request: { checkpoint: stranger, oldSize: 0, consistencyProof: [], inclusions: new Map() } }).kind).toBe('invalid');
    expect(witnessCheck({ ...base, state: null, request: { checkpoint: 'garbage', oldSize: 0, consistencyProof: [], inclusions: new Map() } }).kind).toBe('invalid');
  });
});
