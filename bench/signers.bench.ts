/**
 * Signing latency and throughput of three real signer processes on loopback (2-of-3).
 *
 *   npm run bench:signers            (builds first; needs Postgres and Redis like the tests)
 *   node dist/bench/signers.bench.js [samples] [seconds]
 *
 * Prints, for ECDSA and EdDSA: online signing latency (p50, p99) with a presignature / preprocessed
 * nonces in the pool, the full ECDSA latency without a presignature (presigning inside the session),
 * and the sustained signatures per second with 4 requests in flight. Uses the TEST-ONLY primes.
 */
import { randomBytes } from 'node:crypto';
import type { KeyInfo } from '@custody/signer-client';
import { approverKeysEnv, makeTestGrant, startSignerCluster, testApprovers, type SignerCluster } from '@custody/testing';

const samples = Number(process.argv[2] ?? 40);
const seconds = Number(process.argv[3] ?? 10);

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

function report(label: string, ms: number[]): void {
  console.log(`${label.padEnd(52)} p50 ${quantile(ms, 0.5).toFixed(1).padStart(7)} ms   p99 ${quantile(ms, 0.99).toFixed(1).padStart(7)} ms   (n=${ms.length})`);
}

async function main(): Promise<void> {
  const approvers = testApprovers(1);
  const signers: SignerCluster = await startSignerCluster(3, {
    APPROVER_KEYS: approverKeysEnv(approvers),
    SIGNER_PRESIGN_POOL_SIZE: '0',
    SIGNER_NONCE_POOL_SIZE: String(samples + 8),
    SIGNER_SESSION_TIMEOUT_MS: '120000',
    LOG_LEVEL: 'error',
  });
  try {
    const ec = await signers.client(1).createKey('ecdsa', 2, [1, 2, 3], 120_000);
    const ed = await signers.client(1).createKey('eddsa', 2, [1, 2, 3]);
    const sign = async (key: KeyInfo): Promise<number> => {
      const g = makeTestGrant({ engineSeedFile: signers.secrets.policyEngine.seedFile, approvers, keyId: key.keyId, scheme: key.scheme, message: randomBytes(32) });
      const started = performance.now();
      await signers.client(1).sign(g.grant, [1, 2], g.signingInput, 120_000);
      return performance.now() - started;
    };

    // Warm up connections and code paths.
    for (let i = 0; i < 3; i++) await sign(ed);
    await new Promise((resolve) => setTimeout(resolve, 6000)); // let the nonce pools fill

    const edLatency: number[] = [];
    for (let i = 0; i < samples; i++) edLatency.push(await sign(ed));

    const presignStarted = performance.now();
    await signers.client(1).presign(ec.keyId, [1, 2], samples, 600_000);
    const presignMs = (performance.now() - presignStarted) / samples;
    const ecOnline: number[] = [];
    for (let i = 0; i < samples; i++) ecOnline.push(await sign(ec));
    const ecFull: number[] = [];
    for (let i = 0; i < Math.max(5, Math.floor(samples / 4)); i++) ecFull.push(await sign(ec));

    const sustained = async (key: KeyInfo, inFlight: number): Promise<number> => {
      const end = performance.now() + seconds * 1000;
      let done = 0;
      await Promise.all(
        Array.from({ length: inFlight }, async () => {
          while (performance.now() < end) {
            await sign(key);
            done += 1;
          }
        }),
      );
      return done / seconds;
    };

    console.log(`three signers on loopback, 2-of-3, ${samples} samples each; Paillier 2048 bits (TEST-ONLY primes)`);
    report('EdDSA (Ed25519) signing, preprocessed nonces', edLatency);
    report('ECDSA online signing, presignature in the pool', ecOnline);
    report('ECDSA full signing, presigning in the session', ecFull);
    console.log(`${'ECDSA presigning session (wall time per presignature)'.padEnd(52)} ${presignMs.toFixed(1)} ms`);
    console.log(`${'EdDSA sustained, 4 in flight'.padEnd(52)} ${(await sustained(ed, 4)).toFixed(1)} signatures/s`);
    console.log(`${'ECDSA sustained without pool, 4 in flight'.padEnd(52)} ${(await sustained(ec, 4)).toFixed(1)} signatures/s`);
  } finally {
    await signers.destroy();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
