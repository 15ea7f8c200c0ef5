import * as fs from 'node:fs';
import * as path from 'node:path';
import { compilePolicy, diffPolicies, evaluate, parsePolicy, PolicyValidationError, replay, velocityScopesFor, type EvaluationContext, type HistoricalRequest, type PolicyRequest } from './index';
import { ADDRESS_BOOK, approval, approversFor, doc, rule, withdrawal } from '../test/builders';

const read = (name: string) => parsePolicy(fs.readFileSync(path.join(__dirname, '..', 'test', 'fixtures', name), 'utf8'), 'yaml');
const V1 = compilePolicy(read('ok/treasury.yaml'), 1);
const V2 = compilePolicy(read('replay/v2.yaml'), 2);

const BOOK = [
  ...ADDRESS_BOOK,
  { id: 'sanctioned-1', chainId: 1, address: '0x00000000000000000000000000000000000000bad', tags: ['sanctioned'] },
];
const APPROVERS = approversFor(['alice', 'bob', 'carol', 'dave', 'erin']);
const ETH = 10n ** 18n;
const treasuryWithdrawal = (id: string, amount: bigint, to: string): PolicyRequest =>
  withdrawal({ id, amount, source: { walletId: 'treasury-1', tags: ['treasury'] }, destination: { address: to, chainId: 1 } });

/** The context as the service would have read it: zero usage on every scope of both versions. */
function contextFor(request: PolicyRequest, extra: Partial<EvaluationContext> = {}): EvaluationContext {
  const usage = new Map<string, bigint>();
  for (const p of [V1, V2]) for (const s of velocityScopesFor(p, request, BOOK)) usage.set(s.key, 0n);
  return { now: request.createdAt + 1000, addressBook: BOOK, velocityUsage: usage, approvers: APPROVERS, ...extra };
}

const cold = ADDRESS_BOOK[0]!.address;
const exchange = ADDRESS_BOOK[1]!.address;
const REQUESTS: PolicyRequest[] = [
  treasuryWithdrawal('a-3-eth-cold', 3n * ETH, cold),
  treasuryWithdrawal('b-7-eth-cold', 7n * ETH, cold),
  treasuryWithdrawal('c-12-eth-cold', 12n * ETH, cold),
  treasuryWithdrawal('d-1-eth-exchange', 1n * ETH, exchange),
  treasuryWithdrawal('e-1-eth-sanctioned', 1n * ETH, BOOK[2]!.address),
  treasuryWithdrawal('f-1-eth-unknown', 1n * ETH, '0x0000000000000000000000000000000000000123'),
  { id: 'g-sign', operation: 'message-signing', createdAt: 1_000_000, initiator: { id: 'client-ops', groups: ['ops'] } },
];

function history(): HistoricalRequest[] {
  const items = REQUESTS.map((request) => {
    const context = contextFor(request);
    return { request, context, decision: evaluate(V1, request, context) };
  });
  // h: approved and allowed under v1 (its approvals were for v1 and do not carry over; the verdict does).
  const h = treasuryWithdrawal('h-2-eth-approved', 2n * ETH, cold);
  const approved = contextFor(h, { approvals: [approval(V1, h, 'alice')] });
  items.push({ request: h, context: approved, decision: evaluate(V1, h, approved) });
  return items;
}

describe('replay', () => {
  it('the history decided as expected under v1', () => {
    expect(history().map((i) => [i.request.id, i.decision.outcome, i.decision.matchedRule?.id ?? null])).toEqual([
      ['a-3-eth-cold', 'needs-approval', 'small-to-whitelisted'],
      ['b-7-eth-cold', 'needs-approval', 'small-to-whitelisted'],
      ['c-12-eth-cold', 'needs-approval', 'large-to-whitelisted'],
      ['d-1-eth-exchange', 'needs-approval', 'small-to-whitelisted'],
      ['e-1-eth-sanctioned', 'deny', 'block-sanctioned'],
      ['f-1-eth-unknown', 'deny', null],
      ['g-sign', 'needs-approval', 'sign-messages'],
      ['h-2-eth-approved', 'allow', 'small-to-whitelisted'],
    ]);
  });

  it('reports exactly the requests the fixture change flips', () => {
    const report = replay(V2, history());
    expect(report.errors).toEqual([]);
    expect(report.replayed).toBe(8);
    expect(report.flips.map((f) => [f.requestId, f.before.matchedRule?.id, f.after.matchedRule?.id, f.after.outcome])).toEqual([
      ['b-7-eth-cold', 'small-to-whitelisted', 'large-to-whitelisted', 'needs-approval'],
      ['d-1-eth-exchange', 'small-to-whitelisted', 'block-sanctioned', 'deny'],
    ]);
    expect(report.flips[0]!.before.verdict).not.toBe(report.flips[0]!.afterVerdict);
  });

  it('replaying the same version flips nothing', () => {
    expect(replay(compilePolicy(read('ok/treasury.yaml'), 9), history()).flips).toEqual([]);
  });

  it('an item the draft cannot evaluate is reported by index, the others are replayed', () => {
    const items = history();
    const broken = { ...items[0]!, context: { ...items[0]!.context, velocityUsage: new Map<string, bigint>() } };
    const report = replay(V2, [broken, ...items.slice(1)]);
    expect(report.errors).toEqual([{ index: 0, requestId: 'a-3-eth-cold', error: expect.stringMatching(/no usage for scope/) as unknown }]);
    expect(report.replayed).toBe(7);
    expect(report.flips.map((f) => f.requestId)).toEqual(['b-7-eth-cold', 'd-1-eth-exchange']);
  });

  it('refuses a draft that was not compiled', () => {
    expect(() => replay({ ...V2 }, [])).toThrow(/invalid draft/);
  });
});

describe('diff', () => {
  it('names the changed rules and fields of the fixture change', () => {
    const d = diffPolicies(read('ok/treasury.yaml'), read('replay/v2.yaml'));
    expect(d).toMatchObject({ identical: false, metadataChanged: false, rulesAdded: [], rulesRemoved: [], rulesMoved: [], groupsAdded: [], groupsRemoved: [], groupsChanged: [] });
    expect(d.rulesChanged).toEqual([
      { id: 'block-sanctioned', fromIndex: 0, toIndex: 0, fields: ['match', 'action'] },
      { id: 'small-to-whitelisted', fromIndex: 1, toIndex: 1, fields: ['description', 'condition'] },
    ]);
  });

  it('added, removed, moved rules and group membership', () => {
    const a = doc([rule('one'), rule('two', { action: { type: 'deny' } }), rule('three')], { g: { members: ['x', 'y'] }, old: { members: ['z'] } });
    const b = doc([rule('two', { action: { type: 'deny' } }), rule('one'), rule('four')], { g: { members: ['y', 'w'] }, fresh: { members: ['z'] } });
    const d = diffPolicies(a, b);
    expect(d.rulesAdded).toEqual([{ index: 2, id: 'four' }]);
    expect(d.rulesRemoved).toEqual([{ index: 2, id: 'three' }]);
    expect(d.rulesMoved).toEqual([
      { id: 'one', fromIndex: 0, toIndex: 1 },
      { id: 'two', fromIndex: 1, toIndex: 0 },
    ]);
    expect(d.groupsAdded).toEqual(['fresh']);
    expect(d.groupsRemoved).toEqual(['old']);
    expect(d.groupsChanged).toEqual([{ id: 'g', membersAdded: ['w'], membersRemoved: ['x'], descriptionChanged: false }]);
    expect(diffPolicies(a, a).identical).toBe(true);
  });

  it('an invalid side is refused with the side in the path', () => {
    try {
      diffPolicies(doc([]), { format: 'nope' });
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(PolicyValidationError);
      expect((err as PolicyValidationError).issues[0]!.path).toMatch(/^\/to/);
    }
  });
});
