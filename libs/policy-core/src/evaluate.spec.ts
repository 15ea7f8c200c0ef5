import { compilePolicy, evaluate, isAddressBook, prepareAddressBook, PolicyInputError, velocityScopeKey, velocityScopesFor, type PolicyRequest, type RuleMatch } from './index';
import { context, doc, rule, withdrawal, ADDRESS_BOOK } from '../test/builders';

const allow = (match: RuleMatch, extra = {}) => compilePolicy(doc([rule('r', { match, ...extra })]), 1);

describe('every structured matcher, held and failed', () => {
  const cases: { name: string; match: RuleMatch; request: Partial<PolicyRequest>; held: boolean; matcher: string; detail: RegExp }[] = [
    { name: 'operation listed', match: { operation: ['withdrawal'] }, request: {}, held: true, matcher: 'operation', detail: /withdrawal is in/ },
    { name: 'operation not listed', match: { operation: ['message-signing'] }, request: {}, held: false, matcher: 'operation', detail: /withdrawal is not in \[message-signing\]/ },
    { name: 'initiator client listed', match: { operation: ['withdrawal'], initiator: { clients: ['client-a'] } }, request: {}, held: true, matcher: 'initiator', detail: /client client-a is listed/ },
    { name: 'initiator group listed', match: { operation: ['withdrawal'], initiator: { groups: ['traders'] } }, request: {}, held: true, matcher: 'initiator', detail: /group traders/ },
    { name: 'initiator neither', match: { operation: ['withdrawal'], initiator: { clients: ['client-b'], groups: ['ops'] } }, request: {}, held: false, matcher: 'initiator', detail: /not in clients \[client-b\]/ },
    { name: 'source wallet listed', match: { operation: ['withdrawal'], source: { wallets: ['wallet-hot'] } }, request: {}, held: true, matcher: 'source', detail: /wallet wallet-hot is listed/ },
    { name: 'source tag listed', match: { operation: ['withdrawal'], source: { tags: ['hot'] } }, request: {}, held: true, matcher: 'source', detail: /tag hot/ },
    { name: 'source neither', match: { operation: ['withdrawal'], source: { wallets: ['wallet-cold'], tags: ['cold'] } }, request: {}, held: false, matcher: 'source', detail: /not in wallets/ },
    { name: 'destination any', match: { operation: ['withdrawal'], destination: 'any' }, request: { destination: { address: '0xunknown', chainId: 1 } }, held: true, matcher: 'destination', detail: /any/ },
    { name: 'destination whitelisted', match: { operation: ['withdrawal'], destination: 'whitelisted' }, request: {}, held: true, matcher: 'destination', detail: /entry cold-1/ },
    { name: 'destination not whitelisted', match: { operation: ['withdrawal'], destination: 'whitelisted' }, request: { destination: { address: '0xunknown', chainId: 1 } }, held: false, matcher: 'destination', detail: /not in the address book/ },
    { name: 'destination same address other chain is not whitelisted', match: { operation: ['withdrawal'], destination: 'whitelisted' }, request: { destination: { address: ADDRESS_BOOK[0]!.address, chainId: 10 } }, held: false, matcher: 'destination', detail: /not in the address book/ },
    { name: 'destination entry listed', match: { operation: ['withdrawal'], destination: { entries: ['cold-1'] } }, request: {}, held: true, matcher: 'destination', detail: /entry cold-1 is listed/ },
    { name: 'destination entry tag listed', match: { operation: ['withdrawal'], destination: { tags: ['exchange'] } }, request: { destination: { address: ADDRESS_BOOK[1]!.address, chainId: 1 } }, held: true, matcher: 'destination', detail: /tag exchange/ },
    { name: 'destination entry not listed', match: { operation: ['withdrawal'], destination: { entries: ['exchange-1'], tags: ['exchange'] } }, request: {}, held: false, matcher: 'destination', detail: /not in entries/ },
    { name: 'asset listed', match: { operation: ['withdrawal'], asset: ['ETH', 'USDC'] }, request: {}, held: true, matcher: 'asset', detail: /ETH is in/ },
    { name: 'asset not listed', match: { operation: ['withdrawal'], asset: ['USDC'] }, request: {}, held: false, matcher: 'asset', detail: /ETH is not in/ },
    { name: 'amount at min (inclusive)', match: { operation: ['withdrawal'], amount: { min: '1000000000000000000' } }, request: {}, held: true, matcher: 'amount', detail: /is in/ },
    { name: 'amount at max (inclusive)', match: { operation: ['withdrawal'], amount: { max: '1000000000000000000' } }, request: {}, held: true, matcher: 'amount', detail: /is in/ },
    { name: 'amount one above max', match: { operation: ['withdrawal'], amount: { max: '999999999999999999' } }, request: {}, held: false, matcher: 'amount', detail: /is not in \[0, 999999999999999999\]/ },
    { name: 'amount one below min', match: { operation: ['withdrawal'], amount: { min: '1000000000000000001' } }, request: {}, held: false, matcher: 'amount', detail: /is not in/ },
    { name: 'amount beyond 2^64', match: { operation: ['withdrawal'], amount: { min: '18446744073709551616' } }, request: { amount: 18446744073709551617n }, held: true, matcher: 'amount', detail: /is in/ },
  ];
  it.each(cases)('$name', ({ match, request, held, matcher, detail }) => {
    const d = evaluate(allow(match), withdrawal(request), context());
    const check = d.trace.rules[0]!.checks.find((c) => c.matcher === matcher)!;
    expect(check.held).toBe(held);
    expect(check.detail).toMatch(detail);
    expect(d.outcome).toBe(held ? 'allow' : 'deny');
    expect(d.reason).toBe(held ? 'rule-allow' : 'no-rule-matched');
  });

  it('a message-signing request has no destination, asset or amount: those matchers fail', () => {
    const msg: PolicyRequest = { id: 'm1', operation: 'message-signing', createdAt: 1, initiator: { id: 'client-a', groups: [] } };
    for (const match of [
      { operation: ['message-signing'], destination: 'any' },
      { operation: ['message-signing'], asset: ['ETH'] },
      { operation: ['message-signing'], amount: { max: '5' } },
      { operation: ['message-signing'], source: { tags: ['hot'] } },
    ] as RuleMatch[]) {
      expect(evaluate(allow(match), msg, context()).outcome).toBe('deny');
    }
    expect(evaluate(allow({ operation: ['message-signing'] }), msg, context()).outcome).toBe('allow');
  });
});

describe('order and defaults', () => {
  const policy = compilePolicy(
    doc([
      rule('deny-exchange', { match: { operation: ['withdrawal'], destination: { tags: ['exchange'] } }, action: { type: 'deny', reason: 'no exchanges' } }),
      rule('allow-small', { match: { operation: ['withdrawal'], amount: { max: '100' } } }),
      rule('deny-all-withdrawals', { match: { operation: ['withdrawal'] }, action: { type: 'deny' } }),
    ]),
    7,
  );

  it('first match wins; later rules are not evaluated', () => {
    const d = evaluate(policy, withdrawal({ amount: 50n, destination: { address: ADDRESS_BOOK[1]!.address, chainId: 1 } }), context());
    expect(d).toMatchObject({ outcome: 'deny', reason: 'rule-deny', matchedRule: { index: 0, id: 'deny-exchange' }, policy: { version: 7, hash: policy.hash } });
    expect(d.trace.rules.map((r) => r.result)).toEqual(['matched', 'not-evaluated', 'not-evaluated']);
  });

  it('a later rule decides when earlier ones fail, and the trace says why each failed', () => {
    const d = evaluate(policy, withdrawal({ amount: 50n }), context());
    expect(d).toMatchObject({ outcome: 'allow', matchedRule: { index: 1, id: 'allow-small' } });
    expect(d.trace.rules[0]!.result).toBe('not-matched');
    expect(d.trace.rules[0]!.checks.find((c) => !c.held)!.matcher).toBe('destination');
    const big = evaluate(policy, withdrawal({ amount: 101n }), context());
    expect(big).toMatchObject({ outcome: 'deny', reason: 'rule-deny', matchedRule: { index: 2 } });
  });

  it('nothing matches: deny by default, no matched rule, every rule traced', () => {
    const d = evaluate(policy, { id: 'p1', operation: 'policy-change', createdAt: 1, initiator: { id: 'admin', groups: [] } }, context());
    expect(d).toMatchObject({ outcome: 'deny', reason: 'no-rule-matched', matchedRule: null, reservations: [] });
    expect(d.trace.rules).toHaveLength(3);
    expect(d.trace.rules.every((r) => r.result === 'not-matched')).toBe(true);
  });

  it('an empty policy denies everything', () => {
    expect(evaluate(compilePolicy(doc([]), 1), withdrawal(), context())).toMatchObject({ outcome: 'deny', reason: 'no-rule-matched' });
  });
});

describe('CEL conditions at evaluation', () => {
  const withCondition = (condition: string) => compilePolicy(doc([rule('c', { condition })]), 1);

  it.each([
    ['request.chainId == 1 && request.amount < 10 * asset.unit', {}, true],
    ['request.chainId == 1 && request.amount < 10 * asset.unit', { amount: 10n * 10n ** 18n }, false],
    ['request.amount / asset.unit >= 1', {}, true],
    ['"hot" in request.source.tags', {}, true],
    ['request.destination.whitelisted && request.destination.entry == "cold-1"', {}, true],
    ['request.destination.tags.exists(t, t == "internal")', {}, true],
    ['request.initiator.groups.all(g, g.startsWith("trad"))', {}, true],
    ['has(request.attributes.memo) && request.attributes.memo == "payroll"', { attributes: { memo: 'payroll' } }, true],
    ['has(request.attributes.memo)', {}, false],
    ['asset.decimals == 18 && asset.id == "ETH"', {}, true],
  ] as [string, Partial<PolicyRequest>, boolean][])('%s', (condition, request, expected) => {
    const d = evaluate(withCondition(condition), withdrawal(request), context());
    expect(d.outcome).toBe(expected ? 'allow' : 'deny');
    expect(d.trace.rules[0]!.checks.find((c) => c.matcher === 'condition')).toMatchObject({ held: expected });
  });

  it('is not evaluated when a structured matcher failed', () => {
    const c = compilePolicy(doc([rule('c', { match: { operation: ['withdrawal'], asset: ['USDC'] }, condition: 'request.amount > 0' })]), 1);
    const d = evaluate(c, withdrawal(), context());
    expect(d.trace.rules[0]!.checks.find((x) => x.matcher === 'condition')!.detail).toMatch(/not evaluated/);
  });

  it('a runtime error denies (fail closed) and names the rule, even when a later rule would allow', () => {
    const c = compilePolicy(doc([rule('needs-memo', { condition: 'request.attributes["memo"] == "x"', action: { type: 'deny' } }), rule('allow-all')]), 1);
    const d = evaluate(c, withdrawal(), context());
    expect(d).toMatchObject({ outcome: 'deny', reason: 'condition-error', matchedRule: null, reservations: [] });
    expect(d.trace.rules[0]).toMatchObject({ id: 'needs-memo', result: 'error' });
    expect(d.trace.rules[1]!.result).toBe('not-evaluated');
  });
});

describe('velocity limits', () => {
  const KEY = velocityScopeKey('wallet', 'wallet-hot', 'ETH', 86_400_000);
  const policy = compilePolicy(
    doc([
      rule('within-daily-limit', { velocity: [{ window: '24h', scope: 'wallet', limit: '5000000000000000000', asset: 'ETH' }] }),
      rule('over-limit', { action: { type: 'deny', reason: 'daily limit' } }),
    ]),
    3,
  );

  it('velocityScopesFor names every scope a request can touch, sorted, one per key', () => {
    const p = compilePolicy(
      doc([
        rule('a', { velocity: [{ window: '24h', scope: 'wallet', limit: '10', asset: 'ETH' }, { window: '1h', scope: 'destination', limit: '10', asset: 'ETH' }] }),
        rule('b', { velocity: [{ window: '24h', scope: 'wallet', limit: '20', asset: 'ETH' }, { window: '7d', scope: 'initiator', limit: '10', asset: 'USDC' }] }),
        rule('c', { match: { operation: ['withdrawal'] }, velocity: [{ window: '1d', scope: 'initiator', limit: '1', asset: 'ETH' }] }),
      ]),
      1,
    );
    const scopes = velocityScopesFor(p, withdrawal(), ADDRESS_BOOK);
    expect(scopes.map((s) => s.key)).toEqual([
      velocityScopeKey('destination', 'entry:cold-1', 'ETH', 3_600_000),
      velocityScopeKey('initiator', 'client-a', 'ETH', 86_400_000),
      velocityScopeKey('wallet', 'wallet-hot', 'ETH', 86_400_000),
    ]);
    // Without the address book the destination is its chain and address.
    expect(velocityScopesFor(p, withdrawal(), []).map((s) => s.scopeId)).toContain(`address:1:${ADDRESS_BOOK[0]!.address}`);
  });

  it('within the window: allowed, with the reservation and the window in the trace', () => {
    const d = evaluate(policy, withdrawal({ amount: 2n * 10n ** 18n }), context({ velocityUsage: new Map([[KEY, 3n * 10n ** 18n]]) }));
    expect(d).toMatchObject({ outcome: 'allow', matchedRule: { id: 'within-daily-limit' } });
    expect(d.reservations).toEqual([{ key: KEY, scope: 'wallet', scopeId: 'wallet-hot', asset: 'ETH', windowMs: 86_400_000, amount: 2n * 10n ** 18n }]);
    expect(d.trace.rules[0]!.velocity[0]).toMatchObject({ used: 3n * 10n ** 18n, requested: 2n * 10n ** 18n, limit: 5n * 10n ** 18n, left: 2n * 10n ** 18n, fits: true });
  });

  it('one unit over the limit: the rule does not match and the next rule decides; nothing reserved on deny', () => {
    const d = evaluate(policy, withdrawal({ amount: 2n * 10n ** 18n + 1n }), context({ velocityUsage: { [KEY]: 3n * 10n ** 18n } }));
    expect(d).toMatchObject({ outcome: 'deny', matchedRule: { id: 'over-limit' }, reservations: [] });
    expect(d.trace.rules[0]!.checks.find((c) => c.matcher === 'velocity')).toMatchObject({ held: false });
    expect(d.trace.rules[0]!.velocity[0]).toMatchObject({ fits: false, left: 2n * 10n ** 18n });
  });

  it('another asset does not count against the limit', () => {
    const d = evaluate(policy, withdrawal({ asset: { id: 'USDC', decimals: 6 }, amount: 10n ** 30n }), context());
    expect(d).toMatchObject({ outcome: 'allow', reservations: [] });
  });

  it('usage missing for a scope is the caller\'s bug: refused naming the scope', () => {
    expect(() => evaluate(policy, withdrawal(), context())).toThrow(PolicyInputError);
    expect(() => evaluate(policy, withdrawal(), context())).toThrow(/no usage for scope v1\|wallet\|wallet-hot/);
  });
});

describe('each action', () => {
  it('allow, deny, require-approvals (pending), hook', () => {
    const groups = { ops: { members: ['ap-1', 'ap-2'] } };
    const p = compilePolicy(
      doc(
        [
          rule('deny', { match: { operation: ['withdrawal'], asset: ['BTC'] }, action: { type: 'deny' } }),
          rule('approve', { match: { operation: ['withdrawal'], asset: ['USDC'] }, action: { type: 'require-approvals', combinator: 'all-of', groups: [{ group: 'ops', quorum: 2 }], expiry: '1h', allowSelfApproval: false } }),
          rule('hooked', {
            match: { operation: ['withdrawal'], asset: ['DAI'] },
            hook: { url: 'https://hook.example/decide', publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c', timeoutMs: 2000, fallback: 'deny' },
          }),
          rule('allow'),
        ],
        groups,
      ),
      1,
    );
    expect(evaluate(p, withdrawal({ asset: { id: 'BTC', decimals: 8 } }), context())).toMatchObject({ outcome: 'deny', reason: 'rule-deny' });
    const pending = evaluate(p, withdrawal({ asset: { id: 'USDC', decimals: 6 } }), context());
    expect(pending).toMatchObject({ outcome: 'needs-approval', reason: 'approvals-pending', approvals: { complete: false, expiresAt: 1_000_000 + 3_600_000, groups: [{ group: 'ops', quorum: 2, approvedBy: [] }] } });
    expect(evaluate(p, withdrawal({ asset: { id: 'USDC', decimals: 6 } }), context({ now: 1_000_000 + 3_600_001 }))).toMatchObject({ outcome: 'deny', reason: 'approvals-expired' });
    // Expiring at T means expired at T; one millisecond before, still pending.
    expect(evaluate(p, withdrawal({ asset: { id: 'USDC', decimals: 6 } }), context({ now: 1_000_000 + 3_600_000 }))).toMatchObject({ outcome: 'deny', reason: 'approvals-expired' });
    expect(evaluate(p, withdrawal({ asset: { id: 'USDC', decimals: 6 } }), context({ now: 1_000_000 + 3_599_999 }))).toMatchObject({ outcome: 'needs-approval', reason: 'approvals-pending' });
    const hooked = evaluate(p, withdrawal({ asset: { id: 'DAI', decimals: 18 } }), context());
    expect(hooked).toMatchObject({ outcome: 'needs-hook', reason: 'hook-pending', hook: { ruleId: 'hooked', url: 'https://hook.example/decide', fallback: 'deny' } });
    const dai = withdrawal({ asset: { id: 'DAI', decimals: 18 } });
    expect(evaluate(p, dai, context({ hook: { ruleId: 'hooked', verdict: 'approve' } }))).toMatchObject({ outcome: 'allow', reason: 'rule-allow' });
    expect(evaluate(p, dai, context({ hook: { ruleId: 'hooked', verdict: 'reject' } }))).toMatchObject({ outcome: 'deny', reason: 'hook-rejected' });
    expect(evaluate(p, dai, context({ hook: { ruleId: 'hooked', verdict: 'unavailable' } }))).toMatchObject({ outcome: 'deny', reason: 'hook-unavailable' });
    // A verdict for another rule is not this rule's answer.
    expect(evaluate(p, dai, context({ hook: { ruleId: 'approve', verdict: 'approve' } }))).toMatchObject({ outcome: 'needs-hook' });
    expect(evaluate(p, withdrawal(), context())).toMatchObject({ outcome: 'allow', matchedRule: { id: 'allow' } });
  });

  it('hook fallback apply-action applies the rule\'s own action when the hook is unavailable', () => {
    const p = compilePolicy(
      doc([rule('h', { hook: { url: 'http://127.0.0.1:9/x', publicKey: '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c', timeoutMs: 100, fallback: 'apply-action' } })]),
      1,
    );
    expect(evaluate(p, withdrawal(), context({ hook: { ruleId: 'h', verdict: 'unavailable' } }))).toMatchObject({ outcome: 'allow' });
  });
});

describe('inputs are checked at the boundary', () => {
  const p = compilePolicy(doc([rule('a')]), 1);
  it.each([
    ['request.id', withdrawal({ id: 'has space' })],
    ['request.operation', withdrawal({ operation: 'transfer' as never })],
    ['request.amount', withdrawal({ amount: -1n })],
    ['request.amount', withdrawal({ amount: 1 as never })],
    ['request.amount', withdrawal({ amount: undefined })],
    ['request.createdAt', withdrawal({ createdAt: 1.5 })],
    ['request.initiator.groups', withdrawal({ initiator: { id: 'c', groups: 'g' as never } })],
    ['request.destination.address', withdrawal({ destination: { address: 'a b', chainId: 1 } })],
    ['request.asset.decimals', withdrawal({ asset: { id: 'ETH', decimals: 78 } })],
  ])('%s', (field, request) => {
    expect(() => evaluate(p, request, context())).toThrow(new RegExp(`invalid ${field.replace(/\./g, '\\.')}`));
  });
  it('context fields', () => {
    expect(() => evaluate(p, withdrawal(), context({ now: -1 }))).toThrow(/invalid context\.now/);
    expect(() => evaluate(p, withdrawal(), context({ velocityUsage: { k: 1 as never } }))).toThrow(/invalid context\.velocityUsage/);
    expect(() => evaluate(p, withdrawal(), { ...context(), addressBook: undefined as never })).toThrow(/invalid context\.addressBook/);
  });
  it('a look-alike of a compiled policy is refused', () => {
    expect(() => evaluate({ ...p }, withdrawal(), context())).toThrow(/invalid compiled/);
  });
  it('an error never echoes a long input in full', () => {
    const long = 'x'.repeat(10_000);
    try {
      evaluate(p, withdrawal({ id: long }), context());
      throw new Error('not refused');
    } catch (err) {
      expect((err as Error).message.length).toBeLessThan(200);
    }
  });
});

describe('prepared address book', () => {
  const p = compilePolicy(doc([rule('w', { match: { operation: ['withdrawal'], destination: 'whitelisted' } })]), 1);
  it('evaluates the same as the plain array', () => {
    const book = prepareAddressBook(ADDRESS_BOOK);
    expect(evaluate(p, withdrawal(), context({ addressBook: book }))).toEqual(evaluate(p, withdrawal(), context()));
    expect(isAddressBook(book)).toBe(true);
    expect(isAddressBook({ ...book })).toBe(false);
  });
  it('refuses malformed entries, a duplicate id, two entries for one destination', () => {
    expect(() => prepareAddressBook([{ ...ADDRESS_BOOK[0]!, tags: 'x' as never }])).toThrow(/invalid addressBook\[0\]\.tags/);
    expect(() => prepareAddressBook([ADDRESS_BOOK[0]!, { ...ADDRESS_BOOK[1]!, id: 'cold-1' }])).toThrow(/invalid addressBook\[1\]\.id: duplicate/);
    expect(() => prepareAddressBook([ADDRESS_BOOK[0]!, { ...ADDRESS_BOOK[0]!, id: 'cold-2' }])).toThrow(/invalid addressBook\[1\]: a second entry/);
    expect(() => evaluate(p, withdrawal(), context({ addressBook: [ADDRESS_BOOK[0]!, { ...ADDRESS_BOOK[0]!, id: 'cold-2' }] }))).toThrow(/invalid context\.addressBook\[1\]/);
  });
});
