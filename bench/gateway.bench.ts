/**
 * Authenticated requests per second and latency of the real gateway on loopback, 32 concurrent
 * clients, each request signed (RFC 9421, fresh nonce) and checked (signature, nonce in Redis,
 * client in Postgres, rate limits in Redis):
 *
 *   npm run bench:gateway            (builds first; needs Postgres and Redis like the tests)
 *   node dist/bench/gateway.bench.js [seconds] [concurrency]
 *
 * Prints, over REST and gRPC, requests per second and p50/p99 latency of: the signed read of the
 * issue's target, a wallet's balances (GET /v1/wallets/{id}/balances; gRPC BalanceService/ListBalances:
 * the gateway reads the wallet in Postgres and the ledger's assets and balance over gRPC), on the
 * cluster libs/testing's startWithdrawalWorld starts (three signers with TEST-ONLY Paillier fixtures
 * for the wallet's key, the ledger, the policy engine, the gateway, a funded hot wallet); then, on a
 * gateway alone, the bare signed read (GET /v1/whoami; IdentityService/WhoAmI: authentication only)
 * and an idempotent write (POST /v1/clients/{id}/disable with a fresh Idempotency-Key; gRPC
 * DisableApiClient).
 */
import { randomUUID } from 'node:crypto';
import { CustodyClient, CustodyGrpcClient, signatureHeaders } from '@custody/client';
import { custody } from '@custody/proto';
import { BOOTSTRAP_FORMAT, POLICY_FORMAT } from '@custody/policy-core';
import { startGateway, startWithdrawalWorld, testKey, testPrincipal } from '@custody/testing';

const seconds = Number(process.argv[2] ?? 5);
const concurrency = Number(process.argv[3] ?? 32);

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

async function run(label: string, once: () => Promise<void>): Promise<void> {
  for (let i = 0; i < 50; i++) await once();
  const latencies: number[] = [];
  let errors = 0;
  const end = performance.now() + seconds * 1000;
  const start = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (performance.now() < end) {
        const t = performance.now();
        try {
          await once();
          latencies.push(performance.now() - t);
        } catch {
          errors++;
        }
      }
    }),
  );
  const elapsed = (performance.now() - start) / 1000;
  console.log(`${label.padEnd(44)} ${(latencies.length / elapsed).toFixed(0).padStart(6)} req/s   p50 ${quantile(latencies, 0.5).toFixed(1).padStart(6)} ms   p99 ${quantile(latencies, 0.99).toFixed(1).padStart(6)} ms   (n=${latencies.length}, errors ${errors}, ${concurrency} concurrent)`);
}

/** GET balances over REST and gRPC, as an operator of the world's funded wallet. */
async function balances(): Promise<void> {
  const admin = testPrincipal('bench-admin');
  const world = await startWithdrawalWorld({
    bootstrap: {
      format: BOOTSTRAP_FORMAT,
      admins: { members: [admin.id], quorum: 1 },
      keys: { [admin.id]: admin.publicKeyHex },
      policy: { format: POLICY_FORMAT, metadata: { name: 'bench:gateway' }, approverGroups: {}, rules: [{ id: 'all', match: { operation: ['withdrawal'] }, action: { type: 'allow' } }] },
    },
    // No presignatures made in the background while the reads are measured.
    signerEnv: { SIGNER_PRESIGN_POOL_SIZE: '0' },
    gatewayEnv: { LOG_LEVEL: 'error', PIPELINE_SWEEP_MS: '0', ...(process.env.BENCH_GATEWAY_NODE_OPTIONS ? { NODE_OPTIONS: process.env.BENCH_GATEWAY_NODE_OPTIONS } : {}) },
  });
  try {
    const gateway = world.gateway!;
    const url = `${gateway.baseUrl}/v1/${world.walletName}/balances`;
    const now = (): number => Math.floor(Date.now() / 1000);
    const first = await fetch(url, { headers: await signatureHeaders('GET', url, Buffer.alloc(0), world.operatorKey, now()) });
    const body = (await first.json()) as { balances: Array<{ asset: string; available: string }> };
    console.log(`balances of ${world.walletName}: ${JSON.stringify(body.balances.map((b) => [b.asset, b.available]))}`);
    await run('REST signed read (GET /v1/wallets/{id}/balances)', async () => {
      const response = await fetch(url, { headers: await signatureHeaders('GET', url, Buffer.alloc(0), world.operatorKey, now()) });
      if (response.status !== 200) throw new Error(String(response.status));
      await response.arrayBuffer();
    });
    const grpcClients = Array.from({ length: 4 }, () => new CustodyGrpcClient(gateway.grpcAddress, world.operatorKey));
    let next = 0;
    const request = Buffer.from(custody.v1.ListBalancesRequest.encode({ parent: world.walletName }).finish());
    try {
      await run('gRPC signed read (BalanceService/ListBalances)', async () => {
        await grpcClients[next++ % grpcClients.length]!.call('/custody.v1.BalanceService/ListBalances', request, (b) => b);
      });
    } finally {
      for (const c of grpcClients) c.close();
    }
  } finally {
    await world.stop();
  }
}

async function main(): Promise<void> {
  await balances();
  const gateway = await startGateway({ GATEWAY_RATE_LIMIT_CLIENT: '1000000', GATEWAY_RATE_LIMIT_IP: '10000000', LOG_LEVEL: 'error' });
  try {
    const admin = new CustodyClient({ baseUrl: gateway.baseUrl, credentials: gateway.admin, attempts: 1 });
    const target = testKey('bench-target');
    await admin.createClient({ clientId: target.clientId, publicKey: target.publicKeyHex, roles: ['viewer'] });
    const url = `${gateway.baseUrl}/v1/whoami`;
    const now = (): number => Math.floor(Date.now() / 1000);

    await run('REST signed read (GET /v1/whoami)', async () => {
      const response = await fetch(url, { headers: await signatureHeaders('GET', url, Buffer.alloc(0), gateway.admin, now()) });
      if (response.status !== 200) throw new Error(String(response.status));
      await response.arrayBuffer();
    });
    await run('REST idempotent write (POST …/disable)', async () => {
      await admin.disableClient(target.clientId, randomUUID());
    });

    const grpcClients = Array.from({ length: 4 }, () => new CustodyGrpcClient(gateway.grpcAddress, gateway.admin));
    let next = 0;
    const pick = (): CustodyGrpcClient => grpcClients[next++ % grpcClients.length]!;
    const empty = Buffer.from(custody.v1.WhoAmIRequest.encode({}).finish());
    const disable = Buffer.from(custody.v1.DisableApiClientRequest.encode({ name: `clients/${target.clientId}` }).finish());
    try {
      await run('gRPC signed read (IdentityService/WhoAmI)', async () => {
        await pick().call('/custody.v1.IdentityService/WhoAmI', empty, (b) => b);
      });
      await run('gRPC idempotent write (DisableApiClient)', async () => {
        await pick().call('/custody.v1.ApiClientService/DisableApiClient', disable, (b) => b, { idempotencyKey: randomUUID() });
      });
    } finally {
      for (const c of grpcClients) c.close();
    }
  } finally {
    await gateway.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
