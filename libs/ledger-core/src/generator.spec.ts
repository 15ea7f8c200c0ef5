import { seededRandom } from './index';

describe('seededRandom (test data only)', () => {
  it('is reproducible per seed and differs between seeds', () => {
    const a = seededRandom(123);
    const b = seededRandom(123);
    const c = seededRandom(124);
    const xs = Array.from({ length: 50 }, () => a.u32());
    expect(Array.from({ length: 50 }, () => b.u32())).toEqual(xs);
    expect(Array.from({ length: 50 }, () => c.u32())).not.toEqual(xs);
  });

  it('draws integers inside the bounds and reaches both ends', () => {
    const r = seededRandom(9);
    const seen = new Set<number>();
    for (let i = 0; i < 2000; i++) {
      const x = r.int(-3, 3);
      expect(x >= -3 && x <= 3 && Number.isInteger(x)).toBe(true);
      seen.add(x);
    }
    expect([...seen].sort((p, q) => p - q)).toEqual([-3, -2, -1, 0, 1, 2, 3]);
    expect(r.int(5, 5)).toBe(5);
    expect(() => r.int(2, 1)).toThrow(RangeError);
    expect(() => r.pick([])).toThrow(RangeError);
  });

  it('refuses a seed that is not a u32', () => {
    for (const s of [-1, 2 ** 32, 1.5, Number.NaN]) expect(() => seededRandom(s)).toThrow(RangeError);
  });
});
