import fc from 'fast-check';
import { alwaysMatchesWhen, compilePolicy, evaluate, mayOverlap, policyRequestDigest, type PolicyRequest, type PolicyRule, type RuleMatch } from './index';
import { ADDRESS_BOOK, context, doc } from '../test/builders';

// Small vocabularies so that random rules and requests collide often.
const ids = (pool: string[]) => fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: 2 });
const CLIENTS = ['c1', 'c2', 'c3'];
const GROUPS = ['g1', 'g2'];
const WALLETS = ['w1', 'w2'];
const TAGS = ['t1', 't2'];
const ENTRIES = ['cold-1', 'exchange-1'];
const ENTRY_TAGS = ['cold', 'exchange', 'internal'];
const ASSETS = ['ETH', 'USDC'];
const AMOUNTS = ['0', '5', '10', '20'];

const setPair = (a: string[], b: string[]) =>
  fc.oneof(
    fc.record({ [0]: ids(a) }).map((r) => ({ first: r[0], second: undefined })),
    fc.record({ [0]: ids(b) }).map((r) => ({ first: undefined, second: r[0] })),
    fc.record({ [0]: ids(a), [1]: ids(b) }).map((r) => ({ first: r[0], second: r[1] })),
  );

const matchArb: fc.Arbitrary<RuleMatch> = fc
  .record(
    {
      operation: fc.uniqueArray(fc.constantFrom('withdrawal' as const, 'message-signing' as const), { minLength: 1, maxLength: 2 }),
      initiator: fc.option(setPair(CLIENTS, GROUPS), { nil: undefined }),
      source: fc.option(setPair(WALLETS, TAGS), { nil: undefined }),
      destination: fc.option(fc.oneof(fc.constant('any' as const), fc.constant('whitelisted' as const), setPair(ENTRIES, ENTRY_TAGS)), { nil: undefined }),
      asset: fc.option(ids(ASSETS), { nil: undefined }),
      amount: fc.option(
        fc.tuple(fc.option(fc.constantFrom(...AMOUNTS), { nil: undefined }), fc.option(fc.constantFrom(...AMOUNTS), { nil: undefined })).filter(([a, b]) => (a !== undefined || b !== undefined) && (a === undefined || b === undefined || BigInt(a) <= BigInt(b))),
        { nil: undefined },
      ),
    },
    { requiredKeys: ['operation'] },
  )
  .map((r) => {
    const m: { -readonly [K in keyof RuleMatch]: RuleMatch[K] } = { operation: r.operation };
    if (r.initiator) m.initiator = strip({ clients: r.initiator.first, groups: r.initiator.second });
    if (r.source) m.source = strip({ wallets: r.source.first, tags: r.source.second });
    if (r.destination) m.destination = typeof r.destination === 'string' ? r.destination : strip({ entries: r.destination.first, tags: r.destination.second });
    if (r.asset) m.asset = r.asset;
    if (r.amount) m.amount = strip({ min: r.amount[0], max: r.amount[1] });
    return m;
  });

function strip<T extends object>(o: T): T {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
}

const requestArb: fc.Arbitrary<PolicyRequest> = fc.oneof(
  fc.record({
    client: fc.constantFrom(...CLIENTS, 'c9'),
    groups: fc.subarray(GROUPS),
    wallet: fc.constantFrom(...WALLETS, 'w9'),
    tags: fc.subarray(TAGS),
    to: fc.constantFrom(ADDRESS_BOOK[0]!.address, ADDRESS_BOOK[1]!.address, '0x0000000000000000000000000000000000000999'),
    asset: fc.constantFrom(...ASSETS, 'DAI'),
    amount: fc.constantFrom(0n, 4n, 5n, 6n, 10n, 15n, 20n, 21n),
  }).map((r): PolicyRequest => ({
    id: 'r',
    operation: 'withdrawal',
    createdAt: 1,
    initiator: { id: r.client, groups: r.groups },
    source: { walletId: r.wallet, tags: r.tags },
    destination: { address: r.to, chainId: 1 },
    asset: { id: r.asset, decimals: 6 },
    amount: r.amount,
  })),
  fc.record({ client: fc.constantFrom(...CLIENTS, 'c9'), groups: fc.subarray(GROUPS) }).map((r): PolicyRequest => ({ id: 'm', operation: 'message-signing', createdAt: 1, initiator: { id: r.client, groups: r.groups } })),
);

/** Pairs (earlier, later): independent, or earlier = later with some matchers dropped (often shadowing). */
const pairArb: fc.Arbitrary<[RuleMatch, RuleMatch]> = fc.oneof(
  fc.tuple(matchArb, matchArb),
  fc.tuple(matchArb, fc.subarray(['initiator', 'source', 'destination', 'asset', 'amount'] as const)).map(([l, drop]): [RuleMatch, RuleMatch] => {
    const e: Record<string, unknown> = { ...l };
    for (const k of drop) delete e[k];
    return [e as unknown as RuleMatch, l];
  }),
);

const asRule = (id: string, match: RuleMatch): PolicyRule => ({ id, match, action: { type: 'allow' } });
const matches = (match: RuleMatch, request: PolicyRequest) => evaluate(compilePolicy(doc([asRule('x', match)]), 1), request, context()).outcome === 'allow';

describe('lint agrees with evaluation (property)', () => {
  it('shadowing is sound: when alwaysMatchesWhen(earlier, later), every request matching later matches earlier', () => {
    let exercised = 0;
    fc.assert(
      fc.property(pairArb, fc.array(requestArb, { minLength: 10, maxLength: 10 }), ([e, l], requests) => {
        if (!alwaysMatchesWhen(asRule('e', e), asRule('l', l))) return;
        for (const r of requests) {
          if (!matches(l, r)) continue;
          exercised++;
          expect(matches(e, r)).toBe(true);
        }
      }),
      { numRuns: 300 },
    );
    expect(exercised).toBeGreaterThan(20);
  });

  it('no-overlap is sound: when mayOverlap is false, no request matches both', () => {
    let exercised = 0;
    fc.assert(
      fc.property(matchArb, matchArb, fc.array(requestArb, { minLength: 10, maxLength: 10 }), (a, b, requests) => {
        if (mayOverlap(a, b)) return;
        for (const r of requests) {
          if (matches(a, r) || matches(b, r)) exercised++;
          expect(matches(a, r) && matches(b, r)).toBe(false);
        }
      }),
      { numRuns: 300 },
    );
    expect(exercised).toBeGreaterThan(20);
  });

  it('a rule always shadows itself (the check is not vacuous)', () => {
    fc.assert(fc.property(matchArb, (m) => alwaysMatchesWhen(asRule('a', m), asRule('b', m))), { numRuns: 100 });
  });
});

describe('request digest (property)', () => {
  it('differs when any field differs', () => {
    fc.assert(
      fc.property(requestArb, requestArb, (a, b) => {
        const same = JSON.stringify(a, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v)) === JSON.stringify(b, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v));
        const sortedEqual = same || JSON.stringify(normalize(a)) === JSON.stringify(normalize(b));
        expect(Buffer.from(policyRequestDigest(a)).equals(Buffer.from(policyRequestDigest(b)))).toBe(sortedEqual);
      }),
      { numRuns: 300 },
    );
  });
});

/** Tags and groups are sets: their order does not change the digest. */
function normalize(r: PolicyRequest): unknown {
  return JSON.parse(
    JSON.stringify({ ...r, initiator: { ...r.initiator, groups: [...r.initiator.groups].sort() }, source: r.source && { ...r.source, tags: [...r.source.tags].sort() } }, (_k, v: unknown) =>
      typeof v === 'bigint' ? `${v}n` : v,
    ),
  ) as unknown;
}
