import { CelCheckError, compileCondition, MAX_CONDITION_LENGTH } from './index';

function refusal(source: string): { line: number; column: number; reason: string } {
  try {
    compileCondition(source);
  } catch (err) {
    if (err instanceof CelCheckError) return { line: err.line, column: err.column, reason: err.reason };
    throw err;
  }
  throw new Error(`accepted: ${source}`);
}

describe('conditions refused at validation, with the position', () => {
  it.each([
    ['request.amount >', 1, 16, /syntax error/],
    ['request.amount > > 1', 1, 16, /syntax error/],
    ['(request.amount > 1', 1, 20, /syntax error/],
    ['request.amount\n  > 1 &&\n  request.chainId ==', 3, 19, /syntax error/],
    ['request.amount', 1, 8, /must be bool, this one is int/],
    ['request.destination.address', 1, 20, /must be bool, this one is string/],
    ['request.initiator.groups', 1, 18, /must be bool, this one is list\(string\)/],
    ['1 + 2', 1, 2, /must be bool, this one is int/],
    ['request.amout > 1', 1, 8, /no field "amout" on request/],
    ['request.chainId == 1 && asset.units > 0', 1, 30, /no field "units" on asset/],
    ['request.source.tags.exists(t, t.foo)', 1, 32, /no field "foo" on string/],
    ['now > 1', 1, 1, /unknown variable "now"/],
    ['request.amount > "5"', 1, 16, /cannot order int and string/],
    ['request.asset == 5', 1, 15, /cannot compare string with int/],
    ['request.amount + 1.5 > 0', 1, 16, /"\+" is not defined for int and double/],
    ['request.amount > 1 && request.chainId', 1, 30, /"&&" needs bool, not int/],
    ['!request.amount', 1, 9, /"!" needs bool, not int/],
    ['size(request.amount) > 0', 1, 13, /size\(\) is not defined for int/],
    ['request.asset.startsWith(1)', 1, 26, /needs a string argument/],
    ['request.amount.startsWith("1")', 1, 8, /method of string, not int/],
    ['lowerAscii(request.asset) == "eth"', 1, 1, /unknown function "lowerAscii\(\)"/],
    ['request.asset.lowerAscii() == "eth"', 1, 14, /unknown method "lowerAscii"/],
    ['1 in request.source.tags', 1, 2, /cannot look for int in list\(string\)/],
    ['request.attributes[1] == "x"', 1, 20, /a key of map\(string, string\) must be string, not int/],
    ['request.chainId == 1 ? "a" : 2', 1, 1, /branches have different types/],
    ['[1, "a"].size() > 0', 1, 5, /list elements of different types/],
    ['google.protobuf.Timestamp{} == null', 1, 1, /message construction|unknown variable/],
  ] as [string, number, number, RegExp][])('%s', (source, line, column, reason) => {
    const r = refusal(source);
    expect(r.reason).toMatch(reason);
    expect({ line: r.line, column: r.column }).toEqual({ line, column });
  });

  it('macros nested three deep are refused (their cost multiplies), two deep are fine', () => {
    const r = refusal('request.source.tags.exists(a, request.source.tags.exists(b, request.source.tags.exists(c, a == b && b == c)))');
    expect(r.reason).toMatch(/nested deeper than 2/);
    expect(compileCondition('request.source.tags.exists(a, request.source.tags.exists(b, a != b))').source).toMatch(/exists/);
  });

  it('an expression nested too deeply is refused, not a crash', () => {
    expect(refusal('('.repeat(2000) + 'true' + ')'.repeat(2000)).reason).toMatch(/nested too deeply/);
  });

  it('empty and over-long conditions', () => {
    expect(refusal('').reason).toMatch(/empty/);
    expect(refusal('true || '.repeat(600) + 'true').reason).toMatch(new RegExp(`longer than ${MAX_CONDITION_LENGTH}`));
  });
});

describe('conditions accepted', () => {
  it.each([
    'request.chainId == 1 && request.amount < 10 * asset.unit',
    'request.amount / asset.unit < 10',
    'request.amount % 2 == 0 || -request.amount < 0',
    'request.operation == "withdrawal"',
    'request.amount > 5u || request.amount > 4.5',
    '"ops" in request.initiator.groups',
    'request.destination.tags.exists(t, t == "exchange") && !request.destination.whitelisted',
    'request.source.tags.all(t, t != "frozen")',
    'request.source.tags.exists_one(t, t == "hot")',
    'request.source.tags.filter(t, t.startsWith("h")).size() == 1',
    'request.source.tags.map(t, size(t)).exists(n, n > 2)',
    'has(request.amount) && has(request.attributes.memo)',
    'request.attributes["memo"].matches("^inv-[0-9]+$")',
    'request.asset in ["ETH", "USDC"]',
    '{"a": 1}["a"] == 1',
    'int(request.attributes["n"]) > 3',
    'string(request.chainId) == "1"',
    'request.createdAt > 0 && asset.decimals <= 18',
    'dyn(request.amount) > 1',
  ])('%s', (source) => {
    expect(compileCondition(source).source).toBe(source);
  });
});

describe('evaluation', () => {
  const req = (fields: [string, unknown][]) => new Map<string, unknown>(fields);
  it('int arithmetic is arbitrary precision (amounts exceed 64 bits), bounded at 2^256', () => {
    const c = compileCondition('request.amount < 10 * asset.unit');
    const unit = 10n ** 18n;
    expect(c.evaluate(req([['amount', 10n * unit - 1n]]), req([['unit', unit]]))).toBe(true);
    expect(c.evaluate(req([['amount', 10n * unit]]), req([['unit', unit]]))).toBe(false);
    const huge = compileCondition('request.amount * request.amount > 0');
    expect(huge.evaluate(req([['amount', 1n << 200n]]), req([]))).toEqual({ error: expect.stringMatching(/out of range/) as unknown });
  });
  it('a missing field is an error, not false', () => {
    const c = compileCondition('request.amount > 1');
    expect(c.evaluate(req([]), req([]))).toEqual({ error: expect.any(String) as unknown });
  });
  it('division by zero is an error', () => {
    expect(compileCondition('request.amount / 0 == 1').evaluate(req([['amount', 1n]]), req([]))).toEqual({ error: expect.stringMatching(/divide by zero/) as unknown });
  });
  it('compiled once, evaluated many times with different inputs', () => {
    const c = compileCondition('request.chainId == 1');
    expect([1n, 2n, 1n].map((chainId) => c.evaluate(req([['chainId', chainId]]), req([])))).toEqual([true, false, true]);
  });
});
