import fc from 'fast-check';
import { createHash } from 'node:crypto';
import { canonicalJson, IdempotencyConflictError, idempotencyDecision, LedgerInputError, requestHash, validateIdempotencyKey } from './index';

describe('canonicalJson', () => {
  it('sorts keys at every depth, drops undefined members, writes bigints as digits', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, 'x', null, true], c: 2n }, e: undefined })).toBe('{"a":{"c":2,"d":[1,"x",null,true]},"b":1}');
    expect(canonicalJson({ amount: '1.5', note: 'é"\\\n' })).toBe(JSON.stringify({ amount: '1.5', note: 'é"\\\n' }));
  });

  it.each<[string, unknown, string]>([
    ['a function', { f: () => 1 }, 'body.f'],
    ['a symbol', { s: Symbol('x') }, 'body.s'],
    ['NaN', { n: Number.NaN }, 'body.n'],
    ['Infinity', [Infinity], 'body[0]'],
    ['a Date', { d: new Date(0) }, 'body.d'],
    ['bytes', { b: new Uint8Array(2) }, 'body.b'],
    ['a Map', new Map(), 'body'],
    ['undefined in an array', [undefined], 'body[0]'],
  ])('refuses %s naming the path', (_n, value, field) => {
    try {
      canonicalJson(value);
      throw new Error('not refused');
    } catch (e) {
      expect(e).toBeInstanceOf(LedgerInputError);
      expect((e as LedgerInputError).field).toBe(field);
    }
  });

  it('refuses cycles and deep nesting, but not a shared (acyclic) object', () => {
    const a: Record<string, unknown> = {};
    a.self = a;
    expect(() => canonicalJson(a)).toThrow(LedgerInputError);
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    expect(() => canonicalJson(deep)).toThrow(LedgerInputError);
    const shared = { x: 1 };
    expect(canonicalJson({ a: shared, b: shared })).toBe('{"a":{"x":1},"b":{"x":1}}');
  });

  const json = fc.jsonValue();
  it('is stable under key order and equals JSON.parse∘canonical for plain JSON', () => {
    fc.assert(
      fc.property(json, (v) => {
        const text = canonicalJson(v);
        expect(canonicalJson(JSON.parse(text))).toBe(text);
        const shuffled = JSON.parse(JSON.stringify(v, (_k, x: unknown) => (x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).reverse()) : x))) as unknown;
        expect(canonicalJson(shuffled)).toBe(text);
      }),
    );
  });
});

describe('requestHash', () => {
  const body = { wallet: 'w1', asset: 'eth/ETH', amount: '1.5', destination: '0xabc' };

  it('is SHA-256 (cross-checked with node:crypto) over the framed domain, operation and canonical body', () => {
    const frame = (s: string): Buffer => {
      const b = Buffer.from(s, 'utf8');
      const len = Buffer.alloc(4);
      len.writeUInt32BE(b.length);
      return Buffer.concat([len, b]);
    };
    const want = createHash('sha256').update(Buffer.concat([frame('custody/ledger/request/v1'), frame('CreateWithdrawal'), frame(canonicalJson(body))])).digest('hex');
    expect(requestHash('CreateWithdrawal', body)).toBe(want);
    expect(requestHash('CreateWithdrawal', body)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('is pinned: stored hashes must stay valid across releases (a change here needs a new domain version)', () => {
    // computed independently with node:crypto over the framing written out by hand
    const pinned = { wallet: 'w1', feeEstimate: '21000', destination: '0xabc', asset: 'eth/ETH', amount: '1.5' };
    expect(canonicalJson(pinned)).toBe('{"amount":"1.5","asset":"eth/ETH","destination":"0xabc","feeEstimate":"21000","wallet":"w1"}');
    expect(requestHash('CreateWithdrawal', pinned)).toBe('9c17b94fe778730f9a5a5f7a733d5a2a367ed2ce850a35a2c929a573ab4b1fba');
  });

  it('same body (any key order) ⇒ same hash; another body or operation ⇒ another hash', () => {
    const h = requestHash('CreateWithdrawal', body);
    expect(requestHash('CreateWithdrawal', { destination: '0xabc', amount: '1.5', asset: 'eth/ETH', wallet: 'w1' })).toBe(h);
    expect(requestHash('CreateWithdrawal', { ...body, amount: '1.50' })).not.toBe(h);
    expect(requestHash('CreateHold', body)).not.toBe(h);
    expect(() => requestHash('bad op!', body)).toThrow(LedgerInputError);
  });

  it('distinct canonical bodies never collide in practice (property)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), fc.jsonValue(), (a, b) => {
        expect(requestHash('Op', a) === requestHash('Op', b)).toBe(canonicalJson(a) === canonicalJson(b));
      }),
    );
  });
});

describe('idempotencyDecision', () => {
  it('executes a new key, replays the same body, refuses another body', () => {
    const h1 = requestHash('Op', { a: 1 });
    const h2 = requestHash('Op', { a: 2 });
    expect(idempotencyDecision('k1', null, h1)).toBe('execute');
    expect(idempotencyDecision('k1', h1, h1)).toBe('replay');
    expect(() => idempotencyDecision('k1', h1, h2)).toThrow(IdempotencyConflictError);
    try {
      idempotencyDecision('k'.repeat(120), h1, h2);
    } catch (e) {
      expect((e as IdempotencyConflictError).key).toBe('k'.repeat(120));
      expect((e as Error).message.length).toBeLessThan(200);
    }
  });

  it('validates keys with the identifier grammar', () => {
    expect(validateIdempotencyKey('0b7f3c1e-9d2a-4c1e-8f00-1234567890ab')).toBe('0b7f3c1e-9d2a-4c1e-8f00-1234567890ab');
    for (const bad of ['', 'a b', 'x'.repeat(129), 7, null]) expect(() => validateIdempotencyKey(bad)).toThrow(LedgerInputError);
  });
});
