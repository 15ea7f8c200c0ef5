import { hedgedRng, type HedgeBinding } from './hedged-rng';
import { testOnlyDeterministicRng } from './testing/deterministic-rng';

describe('hedgedRng: fresh randomness bound to the party secret, session, parties, step and inputs', () => {
  const base: HedgeBinding = { secrets: [5n], sessionId: new Uint8Array(32).fill(1), self: 1, parties: [1, 2], label: 'presign/round-1', inputs: [7n] };
  const first = (b: HedgeBinding, seed = 'same') => hedgedRng(testOnlyDeterministicRng(seed), b)(64);
  const hex = (u: Uint8Array) => Buffer.from(u).toString('hex');

  it('is reproducible for the same fresh bytes and binding (the replay of an identical step)', () => {
    expect(hex(first(base))).toBe(hex(first(base)));
  });

  it.each<[string, Partial<HedgeBinding>]>([
    ['session id', { sessionId: new Uint8Array(32).fill(2) }],
    ['secret', { secrets: [6n] }],
    ['party', { self: 2 }],
    ['parties', { parties: [1, 3] }],
    ['label', { label: 'presign/round-2' }],
    ['inputs', { inputs: [8n] }],
  ])('differs when the %s differs, although the rng repeats', (_name, change) => {
    expect(hex(first({ ...base, ...change }))).not.toBe(hex(first(base)));
  });

  it('differs when the fresh bytes differ, and successive draws differ', () => {
    expect(hex(first(base, 'other'))).not.toBe(hex(first(base)));
    const r = hedgedRng(testOnlyDeterministicRng('same'), base);
    expect(hex(r(32))).not.toBe(hex(r(32)));
  });
});
