import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv2020 from 'ajv/dist/2020';
import { compilePolicy, parsePolicy, parsePolicyText, policyHash, POLICY_SCHEMA, PolicyValidationError, validatePolicy, MAX_DOCUMENT_LENGTH } from './index';
import { doc, rule } from '../test/builders';

const FIXTURES = path.join(__dirname, '..', 'test', 'fixtures');
const read = (...p: string[]) => fs.readFileSync(path.join(FIXTURES, ...p), 'utf8');
const formatOf = (f: string) => (f.endsWith('.json') ? 'json' : 'yaml');

function issuesOf(fn: () => unknown): { path: string; message: string }[] {
  try {
    fn();
  } catch (err) {
    if (err instanceof PolicyValidationError) return [...err.issues];
    throw err;
  }
  throw new Error('the document was accepted');
}

describe('not-ok fixtures: refused with the JSON path and the reason', () => {
  const expected = JSON.parse(read('not-ok', 'expected.json')) as Record<string, [string, string][]>;
  const files = fs.readdirSync(path.join(FIXTURES, 'not-ok')).filter((f) => f !== 'expected.json').sort();

  it('every fixture has its expectation and every expectation its fixture', () => {
    expect(files).toEqual(Object.keys(expected).sort());
  });

  it.each(files)('%s', (file) => {
    const issues = issuesOf(() => parsePolicy(read('not-ok', file), formatOf(file)));
    expect(issues.map((i) => i.path)).toEqual(expected[file]!.map(([p]) => p));
    expected[file]!.forEach(([, message], i) => expect(issues[i]!.message).toContain(message));
  });
});

describe('ok fixtures', () => {
  it('the YAML and JSON renderings are the same document with the same hash', () => {
    const y = parsePolicy(read('ok', 'treasury.yaml'), 'yaml');
    const j = parsePolicy(read('ok', 'treasury.json'), 'json');
    expect(j).toEqual(y);
    expect(policyHash(j)).toBe(policyHash(y));
    expect(policyHash(y)).toMatch(/^[0-9a-f]{64}$/);
  });

  it('the hash ignores key order and formatting, and changes with any content', () => {
    const a = parsePolicy(read('ok', 'treasury.json'), 'json');
    const reverse = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(reverse) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).reverse().map(([k, x]) => [k, reverse(x)])) : v;
    const reordered = reverse(a);
    expect(Object.keys(reordered as object)[0]).toBe('rules');
    expect(policyHash(validatePolicy(reordered))).toBe(policyHash(a));
    const changed = structuredClone(a) as unknown as { rules: { id: string }[] };
    changed.rules[1]!.id = 'small-to-whitelisted-2';
    expect(policyHash(validatePolicy(changed))).not.toBe(policyHash(a));
  });

  it('the published schema (draft 2020-12) accepts the ok fixture and is itself valid', () => {
    const ajv = new Ajv2020({ strict: true, strictTypes: false });
    const validate = ajv.compile(POLICY_SCHEMA);
    expect(validate(JSON.parse(read('ok', 'treasury.json')))).toBe(true);
    expect(POLICY_SCHEMA.$schema).toBe('https://json-schema.org/draft/2020-12/schema');
  });

  it('a validated document is frozen and detached from its input', () => {
    const input = doc([rule('a')]) as unknown as { rules: { id: string }[] };
    const out = validatePolicy(input);
    input.rules[0]!.id = 'changed';
    expect(out.rules[0]!.id).toBe('a');
    expect(Object.isFrozen(out.rules[0])).toBe(true);
  });
});

describe('more refusals', () => {
  it('reports every problem of a document at once, each with its path', () => {
    const bad = {
      format: 'custody.policy/v1',
      metadata: { name: 'x' },
      approverGroups: { g: { members: ['a'] } },
      rules: [
        { id: 'a', match: { operation: ['withdrawal'] }, condition: 'request.amount', action: { type: 'allow' } },
        { id: 'a', match: { operation: ['withdrawal'], amount: { min: '5', max: '1' } }, action: { type: 'require-approvals', combinator: 'all-of', groups: [{ group: 'g', quorum: 2 }, { group: 'g', quorum: 1 }], expiry: '1h', allowSelfApproval: true } },
      ],
    };
    expect(issuesOf(() => validatePolicy(bad)).map((i) => i.path)).toEqual([
      '/rules/0/condition',
      '/rules/1/id',
      '/rules/1/match/amount',
      '/rules/1/action/groups/0/quorum',
      '/rules/1/action/groups/1/group',
    ]);
  });

  it('amounts beyond numeric(78,0) are refused', () => {
    const issues = issuesOf(() => validatePolicy(doc([rule('a', { match: { operation: ['withdrawal'], amount: { max: '1'.repeat(79) } } })])));
    expect(issues[0]!.path).toBe('/rules/0/match/amount/max');
  });

  it('an error never echoes a long input in full', () => {
    const long = 'x'.repeat(5000);
    const issues = issuesOf(() => validatePolicy(doc([rule(long)])));
    expect(issues[0]!.path).toBe('/rules/0/id');
    expect(issues[0]!.message.length).toBeLessThan(300);
    const cel = issuesOf(() => validatePolicy(doc([rule('a', { condition: `request.${'y'.repeat(3000)} == 1` })])));
    expect(cel[0]!.message.length).toBeLessThan(300);
  });

  it('refuses a document longer than the limit before parsing, and non-text', () => {
    expect(issuesOf(() => parsePolicyText(' '.repeat(MAX_DOCUMENT_LENGTH + 1), 'json'))[0]!.message).toMatch(/longer than/);
    expect(issuesOf(() => parsePolicyText(42 as never, 'json'))[0]!.message).toMatch(/must be text/);
    expect(issuesOf(() => parsePolicyText('{}', 'toml' as never))[0]!.message).toMatch(/unknown format/);
  });

  it('YAML custom tags and JSON-incompatible YAML values are refused, not coerced', () => {
    expect(() => parsePolicy('format: !!binary aGk=\n', 'yaml')).toThrow(PolicyValidationError);
    const yes = issuesOf(() => parsePolicy(read('ok', 'treasury.yaml').replace('allowSelfApproval: false', 'allowSelfApproval: "no"'), 'yaml'));
    expect(yes[0]).toEqual({ path: '/rules/1/action/allowSelfApproval', message: 'must be a boolean' });
  });

  it('compilePolicy refuses an invalid document and a bad version', () => {
    expect(() => compilePolicy({ format: 'x' }, 1)).toThrow(PolicyValidationError);
    expect(() => compilePolicy(doc([]), 0)).toThrow(/invalid version/);
    expect(() => compilePolicy(doc([]), 1.5)).toThrow(/invalid version/);
  });
});
