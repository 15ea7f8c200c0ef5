import fc from 'fast-check';
import { assertAmount, formatAmount, formatBaseUnits, LedgerInputError, MAX_AMOUNT, parseAmount, parseBaseUnits } from './index';

function refusal(fn: () => unknown): LedgerInputError {
  try {
    fn();
  } catch (e) {
    if (e instanceof LedgerInputError) return e;
    throw e;
  }
  throw new Error('expected a LedgerInputError');
}

describe('parseAmount', () => {
  it.each([
    ['0', 18, 0n],
    ['1', 0, 1n],
    ['1.5', 18, 1_500_000_000_000_000_000n],
    ['1.50', 2, 150n],
    ['0.000001', 6, 1n],
    ['123456.789', 3, 123456789n],
    ['10', 6, 10_000_000n],
    ['9'.repeat(78), 0, MAX_AMOUNT],
    ['9'.repeat(42) + '.' + '9'.repeat(36), 36, MAX_AMOUNT],
  ])('parses %s with %i decimals', (text, decimals, want) => {
    expect(parseAmount(text, decimals, 'amount')).toBe(want);
  });

  it.each([
    ['', 'must not be empty'],
    [' 1', 'non-negative decimal'],
    ['1 ', 'non-negative decimal'],
    ['-1', 'non-negative decimal'],
    ['+1', 'non-negative decimal'],
    ['-0', 'non-negative decimal'],
    ['1e3', 'non-negative decimal'],
    ['1E3', 'non-negative decimal'],
    ['0x10', 'non-negative decimal'],
    ['01', 'non-negative decimal'],
    ['00.5', 'non-negative decimal'],
    ['.5', 'non-negative decimal'],
    ['1.', 'non-negative decimal'],
    ['1..2', 'non-negative decimal'],
    ['1,5', 'non-negative decimal'],
    ['1_000', 'non-negative decimal'],
    ['Infinity', 'non-negative decimal'],
    ['NaN', 'non-negative decimal'],
    ['١', 'non-negative decimal'],
    ['1.1234567', 'at most 6 fraction digits'],
    ['1' + '0'.repeat(78), 'at most 78 digits'],
    ['1'.repeat(73) + '.5', 'at most 78 digits'],
  ])('refuses %j naming the field', (text, reason) => {
    const e = refusal(() => parseAmount(text, 6, 'withdrawal.amount'));
    expect(e.field).toBe('withdrawal.amount');
    expect(e.reason).toContain(reason);
  });

  it('refuses fractions for an asset without decimals, and non-strings', () => {
    expect(refusal(() => parseAmount('1.0', 0)).reason).toContain('whole number');
    for (const v of [1, 1n, null, undefined, {}, ['1']]) expect(refusal(() => parseAmount(v, 6, 'x')).field).toBe('x');
  });

  it('refuses zero when a positive amount is required', () => {
    expect(parseAmount('0', 6, 'a')).toBe(0n);
    expect(refusal(() => parseAmount('0.000', 6, 'a', { positive: true })).reason).toContain('greater than zero');
    expect(parseAmount('0.001', 6, 'a', { positive: true })).toBe(1000n);
  });

  it('refuses bad decimals and does not echo a long input', () => {
    expect(refusal(() => parseAmount('1', 37)).field).toBe('decimals');
    expect(refusal(() => parseAmount('1', -1)).field).toBe('decimals');
    expect(refusal(() => parseAmount('1', 1.5)).field).toBe('decimals');
    const long = '1'.repeat(10_000);
    const e = refusal(() => parseAmount(long, 6));
    expect(e.message.length).toBeLessThan(200);
  });
});

describe('parseBaseUnits and assertAmount', () => {
  it.each([['0', 0n], ['1', 1n], ['1500', 1500n], ['9'.repeat(78), MAX_AMOUNT]])('parses %s', (text, want) => {
    expect(parseBaseUnits(text)).toBe(want);
  });
  it.each(['', '-1', '+1', '1.0', '1e2', '0x1', '01', ' 1', '1 ', '1'.repeat(79)])('refuses %j', (text) => {
    expect(refusal(() => parseBaseUnits(text, 'fee')).field).toBe('fee');
  });
  it('checks bigints', () => {
    expect(assertAmount(5n)).toBe(5n);
    expect(refusal(() => assertAmount(-1n, 'a')).reason).toContain('negative');
    expect(refusal(() => assertAmount(MAX_AMOUNT + 1n, 'a')).reason).toContain('78 digits');
    expect(refusal(() => assertAmount(0n, 'a', { positive: true })).reason).toContain('greater than zero');
    expect(refusal(() => assertAmount(1, 'a')).reason).toContain('bigint');
    expect(refusal(() => parseBaseUnits('0', 'a', { positive: true })).field).toBe('a');
  });
});

describe('formatAmount', () => {
  it.each([
    [0n, 18, '0'],
    [1n, 0, '1'],
    [1n, 6, '0.000001'],
    [1_500_000n, 6, '1.5'],
    [10_000_000n, 6, '10'],
    [MAX_AMOUNT, 36, '9'.repeat(42) + '.' + '9'.repeat(36)],
  ])('formats %s with %i decimals', (base, decimals, want) => {
    expect(formatAmount(base, decimals)).toBe(want);
  });
  it('refuses negative or oversized values', () => {
    expect(() => formatAmount(-1n, 6)).toThrow(LedgerInputError);
    expect(() => formatAmount(MAX_AMOUNT + 1n, 6)).toThrow(LedgerInputError);
    expect(formatBaseUnits(12n)).toBe('12');
  });
});

describe('amount properties', () => {
  const base = fc.bigInt({ min: 0n, max: MAX_AMOUNT });
  const decimals = fc.integer({ min: 0, max: 36 });

  it('parseAmount(formatAmount(x)) = x, and the formatted text is canonical', () => {
    fc.assert(
      fc.property(base, decimals, (x, d) => {
        const text = formatAmount(x, d);
        expect(parseAmount(text, d)).toBe(x);
        expect(text).toMatch(/^(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$/);
      }),
    );
  });

  it('formatAmount(parseAmount(s)) = s for canonical text, and trailing zeros parse to the same value', () => {
    const canonical = fc.tuple(decimals, base).map(([d, x]) => [formatAmount(x, d), d] as const);
    fc.assert(
      fc.property(canonical, fc.integer({ min: 0, max: 5 }), ([text, d], zeros) => {
        expect(formatAmount(parseAmount(text, d), d)).toBe(text);
        const padded = text.includes('.') ? text + '0'.repeat(zeros) : text;
        const frac = padded.split('.')[1] ?? '';
        if (frac.length <= d) expect(parseAmount(padded, d)).toBe(parseAmount(text, d));
      }),
    );
  });

  it('base units round-trip', () => {
    fc.assert(fc.property(base, (x) => expect(parseBaseUnits(formatBaseUnits(x))).toBe(x)));
  });

  it('never crashes: any string is parsed or refused with a LedgerInputError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), decimals, (s, d) => {
        try {
          const v = parseAmount(s, d);
          expect(v >= 0n && v <= MAX_AMOUNT).toBe(true);
        } catch (e) {
          expect(e).toBeInstanceOf(LedgerInputError);
        }
      }),
    );
  });
});
