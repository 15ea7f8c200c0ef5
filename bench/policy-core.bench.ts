/**
 * Pure policy evaluation benchmark (no Postgres: the service's `bench:policy` measures that). Prints
 * its figures; asserts nothing.
 *
 *   npm run bench:policy-core
 *
 * A 200-rule policy where every rule has structured matchers, a CEL condition and a velocity limit;
 * the request falls through to the last rule (the worst case: every condition before it evaluated).
 * Figures: compile time, evaluations per second on one core, p50 / p99 latency of one evaluation.
 */
import { performance } from 'node:perf_hooks';
import {
  compilePolicy,
  evaluate,
  POLICY_FORMAT,
  prepareAddressBook,
  velocityScopesFor,
  type AddressBookEntry,
  type PolicyDocument,
  type PolicyRequest,
  type PolicyRule,
} from '../libs/policy-core/src';

const RULES = 200;

function policy(): PolicyDocument {
  const rules: PolicyRule[] = [];
  for (let i = 0; i < RULES - 1; i++) {
    rules.push({
      id: `rule-${i}`,
      match: { operation: ['withdrawal'], source: { tags: ['hot', `tag-${i}`] }, asset: ['ETH', 'USDC'], amount: { max: `${(i + 1) * 1000}000000000000000000` } },
      // True for the structured matchers' survivors except the chain check, so every condition runs.
      condition: `request.chainId == ${1000 + i} && request.amount < ${i + 5} * asset.unit && "treasury" in request.initiator.groups`,
      velocity: [{ window: '24h', scope: 'wallet', limit: `${(i + 1) * 100}000000000000000000`, asset: 'ETH' }],
      action: { type: 'require-approvals', combinator: 'all-of', groups: [{ group: 'ops', quorum: 1 }], expiry: '24h', allowSelfApproval: false },
    });
  }
  rules.push({ id: 'fallback', match: { operation: ['withdrawal'] }, condition: 'request.amount > 0', velocity: [{ window: '1h', scope: 'initiator', limit: '100000000000000000000000', asset: 'ETH' }], action: { type: 'allow' } });
  return { format: POLICY_FORMAT, metadata: { name: 'bench' }, approverGroups: { ops: { members: ['a1', 'a2'] } }, rules };
}

function measure(label: string, compiled: ReturnType<typeof compilePolicy>, request: PolicyRequest, addressBook: AddressBookEntry[]): void {
  const scopes = velocityScopesFor(compiled, request, addressBook);
  const velocityUsage = new Map(scopes.map((s) => [s.key, 10n ** 18n]));
  const context = { now: request.createdAt + 1000, addressBook: prepareAddressBook(addressBook), velocityUsage };
  const first = evaluate(compiled, request, context);
  if (first.matchedRule?.id !== 'fallback') throw new Error(`bench policy is wrong: matched ${first.matchedRule?.id ?? 'nothing'}`);
  const conditions = first.trace.rules.filter((r) => r.checks.some((c) => c.matcher === 'condition' && !c.detail.startsWith('not evaluated'))).length;
  for (let i = 0; i < 200; i++) evaluate(compiled, request, context); // warm-up
  const n = 3000;
  const latencies = new Float64Array(n);
  const start = performance.now();
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    evaluate(compiled, request, context);
    latencies[i] = performance.now() - t;
  }
  const total = performance.now() - start;
  latencies.sort();
  const q = (p: number) => latencies[Math.min(n - 1, Math.floor(p * n))]!;
  console.log(`  ${label}: falls through to rule ${first.matchedRule.index}, ${conditions} CEL conditions evaluated, ${scopes.length} velocity scopes`);
  console.log(`    ${Math.round((n / total) * 1000)} evaluations/s on one core (${n} runs); latency p50 ${q(0.5).toFixed(3)} ms, p99 ${q(0.99).toFixed(3)} ms`);
}

function main(): void {
  const t = performance.now();
  const compiled = compilePolicy(policy(), 1);
  const compileMs = performance.now() - t;
  const addressBook: AddressBookEntry[] = Array.from({ length: 500 }, (_, i) => ({ id: `entry-${i}`, chainId: 1, address: `0x${i.toString(16).padStart(40, '0')}`, tags: ['exchange'] }));
  const base: PolicyRequest = {
    id: 'bench-1',
    operation: 'withdrawal',
    createdAt: 1_700_000_000_000,
    initiator: { id: 'client-1', groups: ['treasury'] },
    source: { walletId: 'wallet-1', tags: ['hot'] },
    destination: { address: addressBook[250]!.address, chainId: 1 },
    asset: { id: 'ETH', decimals: 18 },
    amount: 2n * 10n ** 18n,
    chainId: 1,
  };
  console.log(`policy-core: ${RULES} rules, each with a CEL condition and a velocity window; compile ${compileMs.toFixed(1)} ms`);
  measure('worst case (every structured matcher holds, so every condition runs)', compiled, base, addressBook);
  measure('typical (the source tag filters: conditions of other rules never run)', compiled, { ...base, source: { walletId: 'wallet-1', tags: ['cold'] } }, addressBook);
}

main();
