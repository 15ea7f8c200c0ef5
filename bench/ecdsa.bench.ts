/**
 * Threshold ECDSA bench (CGGMP21-style): for 2-of-3 and 3-of-5 with 2048- and 3072-bit Paillier,
 * prints keygen time with and without prime generation, presign CPU per party, online signing time
 * (including verification of the combined signature; two rounds: reveal ρ_i, then σ_i) and bytes sent
 * per party (JSON wire encoding), and the CPU cost of the re-randomization alone.
 *
 *   npm run bench:ecdsa            (builds first, then runs dist/bench/ecdsa.bench.js)
 *   node dist/bench/ecdsa.bench.js --quick      (2048 bits only, one prime sample)
 *
 * CPU times are process.cpuUsage() deltas around each party's own round functions (the in-memory
 * transport and codec are not counted). Safe-prime generation is measured on a few primes and
 * extrapolated (2 primes per party; nodes generate theirs in parallel, or ahead of time in a pool).
 * Primes for the protocol runs are the TEST-ONLY fixtures.
 */
import { generateSafePrime } from '@custody/mpc-core/math/safe-primes';
import { simulateKeygen, simulatePresign, simulateSign, type SimulationOptions } from '@custody/mpc-core/ecdsa/simulation';
import { commitmentView, rerandomizer, rhoCommitment } from '@custody/mpc-core/ecdsa/sign/rerandomize';
import { mulPublic } from '@custody/mpc-core/ecdsa/curve';
import { systemRng, type PartyId } from '@custody/mpc-core';
import { TEST_ONLY_SAFE_PRIMES_1024, TEST_ONLY_SAFE_PRIMES_1536 } from '../libs/mpc-core/test/fixtures/test-only-safe-primes';

const quick = process.argv.includes('--quick');

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function meterInto(perParty: Map<PartyId, number>): SimulationOptions['meter'] {
  return <T>(party: PartyId, _round: string, work: () => T): T => {
    const t0 = cpuMs();
    try {
      return work();
    } finally {
      perParty.set(party, (perParty.get(party) ?? 0) + cpuMs() - t0);
    }
  };
}

const fmt = (ms: number): string => (ms >= 10000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(1)} ms`);
const stats = (m: Map<PartyId, number>): { max: number; mean: number } => {
  const v = [...m.values()];
  return { max: Math.max(...v), mean: v.reduce((a, b) => a + b, 0) / v.length };
};

async function primeTime(bits: number, samples: number): Promise<number> {
  const t0 = performance.now();
  for (let i = 0; i < samples; i++) await generateSafePrime(bits);
  return (performance.now() - t0) / samples;
}

async function main(): Promise<void> {
  const sizes = quick ? [2048] : [2048, 3072];
  const primeMs = new Map<number, number>();
  for (const bits of sizes) {
    const samples = bits === 2048 ? (quick ? 1 : 3) : 1;
    const ms = await primeTime(bits / 2, samples);
    primeMs.set(bits, ms);
    console.log(`safe prime ${bits / 2} bits (crypto.generatePrime safe: true): ${fmt(ms)} average over ${samples} (wall; random, varies a lot)`);
  }
  for (const bits of sizes) {
    for (const [n, t] of [
      [3, 2],
      [5, 3],
    ] as const) {
      const fixtures = bits === 2048 ? TEST_ONLY_SAFE_PRIMES_1024 : TEST_ONLY_SAFE_PRIMES_1536;
      const partyIds = Array.from({ length: n }, (_, i) => i + 1);
      const primes = new Map(partyIds.map((id) => [id, fixtures[id - 1]!] as const));
      const signers = partyIds.slice(0, t);
      console.log(`\n== ${t}-of-${n}, Paillier ${bits} bits ==`);

      const kgCpu = new Map<PartyId, number>();
      const kgBytes = new Map<PartyId, number>();
      const shares = simulateKeygen({ sessionId: systemRng(32), partyIds, threshold: t, paillierBits: bits, primes }, { rng: systemRng, meter: meterInto(kgCpu), traffic: kgBytes });
      const kg = stats(kgCpu);
      const pm = primeMs.get(bits)!;
      console.log(`keygen + aux-info, primes at hand: CPU per party max ${fmt(kg.max)}, mean ${fmt(kg.mean)}; bytes sent per party max ${stats(kgBytes).max}`);
      console.log(`keygen including prime generation (2 safe primes per party, extrapolated from the sample): about ${fmt(kg.max + 2 * pm)} per party`);

      const iterations = n === 5 || bits === 3072 ? 1 : 3;
      const psCpu = new Map<PartyId, number>();
      const psBytes = new Map<PartyId, number>();
      const signCpu = new Map<PartyId, number>();
      const signBytes = new Map<PartyId, number>();
      let rerandomizeMs = 0;
      for (let i = 0; i < iterations; i++) {
        const presigs = simulatePresign(systemRng(32), shares, signers, { rng: systemRng, meter: meterInto(psCpu), traffic: psBytes });
        const digest = systemRng(32);
        // What re-randomization adds per party: the commitment digest, every opening, ρ and ρ·R.
        const p = presigs.get(signers[0]!)!;
        const rhos = new Map(signers.map((j) => [j, presigs.get(j)!.rho] as const));
        const t0 = cpuMs();
        const reps = 50;
        for (let k = 0; k < reps; k++) {
          commitmentView(p.id, p.signers, p.rhoCommitments);
          for (const j of signers) rhoCommitment(p.id, j, rhos.get(j)!);
          mulPublic(p.R, rerandomizer({ presignatureId: p.id, R: p.R, signers, rhos, digest, tweak: 0n, publicKey: p.publicKey }));
        }
        rerandomizeMs += (cpuMs() - t0) / reps;
        simulateSign(shares, presigs, digest, { rng: systemRng, meter: meterInto(signCpu), traffic: signBytes });
      }
      const per = (m: Map<PartyId, number>) => new Map([...m].map(([k, v]) => [k, v / iterations]));
      const ps = stats(per(psCpu));
      const sg = stats(per(signCpu));
      console.log(`presign (3 rounds, every proof): CPU per party max ${fmt(ps.max)}, mean ${fmt(ps.mean)} (${iterations} run(s)); bytes sent per party max ${stats(per(psBytes)).max.toFixed(0)}`);
      console.log(`online sign (2 rounds: reveal ρ_i; check openings, ρ·R, σ_i; combine, verify): CPU per party max ${fmt(sg.max)}, mean ${fmt(sg.mean)}; bytes sent per party max ${stats(per(signBytes)).max.toFixed(0)}`);
      console.log(`  of which re-randomization (commitment digest, ${signers.length} openings, ρ, ρ·R): ${fmt(rerandomizeMs / iterations)} per party`);
    }
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
