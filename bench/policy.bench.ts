/**
 * Policy evaluation throughput and latency: one real policy-engine process on loopback, real
 * Postgres, a 200-rule policy whose rules carry CEL conditions and velocity limits, 32 concurrent
 * gRPC clients each sending Evaluate calls back to back.
 *
 *   npm run bench:policy             (builds first; needs Postgres and Redis like the tests)
 *   node dist/bench/policy.bench.js [seconds] [clients]
 *
 * Every evaluation is the full path: decode and check the request, one transaction that reads the
 * active version, locks every velocity scope the request could touch, reads their usage, evaluates
 * the rules in order with a trace of all 200 (the wallet's own rule matches: its CEL condition and
 * velocity windows are evaluated), stores the request, its evaluation and trace and its
 * reservations, and commits; the answer carries the whole decision with its trace.
 */
import { BOOTSTRAP_FORMAT, POLICY_FORMAT } from '@custody/policy-core';
import { startPolicyEngine, testPrincipal } from '@custody/testing';

const seconds = Number(process.argv[2] ?? 15);
const clients = Number(process.argv[3] ?? 32);
const RULES = Number(process.env.BENCH_RULES ?? 200);
const WALLETS = RULES - 1;

function quantile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const windows = ['1h', '24h', '7d'];
const scopes = ['wallet', 'initiator', 'destination'] as const;

/**
 * 200 rules as a treasury would write them: one per wallet (its structured matchers decide at once
 * for the other wallets), each with a CEL condition and a velocity limit, then a catch-all.
 */
function policy(): unknown {
  const rules: unknown[] = [];
  for (let i = 0; i < RULES - 1; i++) {
    rules.push({
      id: `wallet-${i}`,
      match: { operation: ['withdrawal'], source: { wallets: [`wallet-${i}`] }, asset: ['ETH'] },
      condition: `request.amount <= ${1 + (i % 5)} * asset.unit && request.chainId == 1`,
      velocity: [
        { window: windows[i % 3], scope: 'wallet', limit: '1000000000000000000000000', asset: 'ETH' },
        { window: '24h', scope: scopes[i % 3], limit: '1000000000000000000000000', asset: 'ETH' },
      ],
      action: { type: 'allow' },
    });
  }
  rules.push({ id: 'deny-rest', match: { operation: ['withdrawal'] }, action: { type: 'deny' } });
  return { format: POLICY_FORMAT, metadata: { name: 'bench: 200 rules' }, approverGroups: {}, rules };
}

async function main(): Promise<void> {
  const admin = testPrincipal('adm-1');
  const engine = await startPolicyEngine({
    bootstrap: { format: BOOTSTRAP_FORMAT, admins: { members: ['adm-1'], quorum: 1 }, keys: { 'adm-1': admin.publicKeyHex }, policy: policy() },
    env: { LOG_LEVEL: 'error', ...(process.env.BENCH_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_NODE_OPTIONS } : {}) },
  });
  try {
    let seq = 0;
    const request = (client: number) => {
      const n = seq++;
      return {
        request: {
          requestId: `bench-${client}-${n}`,
          operation: 'withdrawal',
          initiatorId: `client-${client}`,
          sourceWalletId: `wallet-${n % WALLETS}`,
          destinationAddress: '0x' + (n % WALLETS).toString(16).padStart(40, '0'),
          destinationChainId: 1,
          chainId: 1,
          assetId: 'ETH',
          assetDecimals: 18,
          amount: String(1_000_000_000 + (n % 1000)),
        },
      };
    };
    // Warm-up: connections, CEL, the JIT.
    for (let i = 0; i < 200; i++) await engine.call('Evaluate', request(0));

    const latencies: number[] = [];
    const outcomes = new Map<string, number>();
    const deadline = Date.now() + seconds * 1000;
    const started = process.hrtime.bigint();
    await Promise.all(
      Array.from({ length: clients }, async (_, c) => {
        while (Date.now() < deadline) {
          const t0 = process.hrtime.bigint();
          const d = await engine.call<{ outcome: string }>('Evaluate', request(c + 1));
          latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
          outcomes.set(d.outcome, (outcomes.get(d.outcome) ?? 0) + 1);
        }
      }),
    );
    const elapsed = Number(process.hrtime.bigint() - started) / 1e9;
    latencies.sort((a, b) => a - b);
    console.log(`policy evaluation: 200 rules (199 with a CEL condition and velocity limits), real Postgres, ${clients} concurrent clients, ${seconds} s`);
    console.log(`  evaluations/s   ${(latencies.length / elapsed).toFixed(0)}   (n=${latencies.length}; outcomes ${JSON.stringify(Object.fromEntries(outcomes))})`);
    console.log(`  latency         p50 ${quantile(latencies, 0.5).toFixed(2)} ms   p99 ${quantile(latencies, 0.99).toFixed(2)} ms   max ${latencies[latencies.length - 1]!.toFixed(2)} ms`);
  } finally {
    await engine.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
