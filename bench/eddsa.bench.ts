/**
 * FROST bench: DKG, preprocessing and signing times for 2-of-3 and 3-of-5 (Ed25519 and BIP340), the
 * bytes exchanged (wire encodings), and a single-key Ed25519 signature with noble in the same run.
 *
 *   npm run bench:eddsa            (builds first, then runs dist/bench/eddsa.bench.js)
 *   node dist/bench/eddsa.bench.js [iterations] [--wall]
 *
 * "signing, total work" is what one signing costs across the system with preprocessed nonces when one
 * node aggregates: every signer's round 1 and round 2 (checks of the other signers' commitments, nonce
 * consumption, signature share) plus ONE round 3 (every other share checked, aggregation with noble's
 * verification of the final signature). "critical path" is the latency with nodes in parallel: round 1
 * + the slowest round 2 + round 3. The full simulation line runs round 3 at every signer, with fresh
 * nonces made during the session and one shared point memo.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import {
  InMemoryNonceStore,
  newWireStats,
  preprocess,
  route,
  runDkg,
  runSign,
  signRound1,
  signRound2,
  signRound3,
  clearValidatedPointCache,
  getSuite,
  type KeyShare,
  type PublishedCommitment,
  type SuiteName,
} from '@custody/mpc-core/frost';
import { systemRng, type PartyId } from '@custody/mpc-core';

function time<T>(iterations: number, f: () => T): number {
  for (let i = 0; i < Math.min(5, iterations); i++) f(); // warm-up
  const start = performance.now();
  for (let i = 0; i < iterations; i++) f();
  return (performance.now() - start) / iterations;
}

/**
 * The clock: this process's CPU time (user + system) by default, which a loaded shared machine
 * disturbs far less than wall time; `--wall` for wall-clock time.
 */
const WALL = process.argv.includes('--wall');
const performance = {
  now: (): number => {
    if (WALL) return Number(process.hrtime.bigint()) / 1e6;
    const u = process.cpuUsage();
    return (u.user + u.system) / 1000;
  },
};
const ms = (x: number) => `${x.toFixed(3)} ms`;
const median = (xs: readonly number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const sid = () => systemRng(32);
const message = new TextEncoder().encode('bench: transfer 1 BTC to bc1q...');

/**
 * One signing among `keyShares` with preprocessed nonces, timed as separate nodes would run it: before
 * each node's round 2 the point-validation memo is reset to what that node's own process would hold
 * (its key's public points, checked when it loaded the share, and its own commitments, remembered at
 * preprocessing), so every node pays for checking every other signer's commitments.
 * Returns [total work across nodes, critical path with nodes in parallel].
 */
function signOnce(keyShares: readonly KeyShare[], stores: Map<PartyId, InMemoryNonceStore>): [number, number] {
  const suite = getSuite(keyShares[0]!.publicPackage.suite);
  const signers = keyShares.map((k) => k.partyId);
  const sessionId = sid();
  const stats = newWireStats();
  const commitments = new Map<PartyId, PublishedCommitment>(keyShares.map((k) => [k.partyId, preprocess(k, 1, stores.get(k.partyId)!, systemRng)[0]!]));
  let total = 0;
  let t0 = performance.now();
  const r1 = keyShares.map((keyShare) => signRound1({ keyShare, sessionId, signers, message, commitment: commitments.get(keyShare.partyId)! }, stores.get(keyShare.partyId)!, systemRng));
  const round1 = (performance.now() - t0) / signers.length;
  total += performance.now() - t0;
  const in1 = route(signers, new Map(signers.map((p, i) => [p, r1[i]!.outgoing])), stats);
  const round2: number[] = [];
  const order = [...signers.keys()].reverse(); // the aggregator (first signer) last, so its memo is its own
  const r2 = new Array<ReturnType<typeof signRound2>>(signers.length);
  for (const i of order) {
    // this node's memo: its key's public points (checked when it loaded its share) and its own
    // commitments (remembered at preprocessing); every other signer's commitments are new to it
    clearValidatedPointCache();
    const own = commitments.get(signers[i]!)!;
    suite.parsePoint(own.hiding, 'own hiding');
    suite.parsePoint(own.binding, 'own binding');
    const pub = keyShares[i]!.publicPackage;
    [...pub.groupCommitment, ...pub.verifyingShares].forEach((p, k) => suite.parsePoint(p, `key point ${k}`));
    t0 = performance.now();
    r2[i] = signRound2(r1[i]!.state, in1.get(signers[i]!)!, stores.get(signers[i]!)!);
    round2[i] = performance.now() - t0;
    total += round2[i]!;
  }
  const in2 = route(signers, new Map(signers.map((p, i) => [p, r2[i]!.outgoing])), stats);
  t0 = performance.now();
  signRound3(r2[0]!.state, in2.get(signers[0]!)!);
  const round3 = performance.now() - t0;
  total += round3;
  return [total, round1 + Math.max(...round2) + round3];
}

function main(): void {
  const iterations = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 50);
  const sk = ed25519.utils.randomSecretKey();
  const single = time(iterations * 4, () => ed25519.sign(message, sk));
  const singleVerify = time(iterations * 4, () => ed25519.verify(ed25519.sign(message, sk), message, ed25519.getPublicKey(sk)));
  console.log(`FROST bench (node ${process.version}, ${WALL ? 'wall-clock' : 'process CPU'} time, ${iterations} iterations per figure; signing figures are medians, others means)`);
  console.log(`single-key Ed25519 sign (noble ed25519.sign): ${ms(single)}`);
  console.log(`single-key Ed25519 sign + verify (noble): ${ms(singleVerify)}`);
  const rows: string[] = [];
  for (const suite of ['ed25519', 'bip340'] as SuiteName[]) {
    for (const [t, n] of [
      [2, 3],
      [3, 5],
    ] as const) {
      const partyIds = Array.from({ length: n }, (_, i) => i + 1);
      const dkgStats = newWireStats();
      runDkg({ suite, partyIds, threshold: t, sessionId: sid(), rng: systemRng, stats: dkgStats });
      const dkgIterations = Math.max(3, Math.floor(iterations / 5));
      let shares: KeyShare[] = [];
      const dkg = time(dkgIterations, () => {
        shares = runDkg({ suite, partyIds, threshold: t, sessionId: sid(), rng: systemRng });
      });
      const store = new InMemoryNonceStore();
      const batch = 100;
      const pre = time(Math.max(2, Math.floor(iterations / 10)), () => preprocess(shares[0]!, batch, store, systemRng)) / batch;
      const signers = shares.slice(0, t);
      const stores = new Map<PartyId, InMemoryNonceStore>(signers.map((k) => [k.partyId, new InMemoryNonceStore()]));
      for (let i = 0; i < 5; i++) signOnce(signers, stores);
      // Interleaved with single-key signatures so that both see the same machine load; medians.
      const totals: number[] = [];
      const criticals: number[] = [];
      const singles: number[] = [];
      for (let i = 0; i < iterations; i++) {
        const s0 = performance.now();
        for (let j = 0; j < 4; j++) ed25519.sign(message, sk);
        singles.push((performance.now() - s0) / 4);
        const [a, b] = signOnce(signers, stores);
        totals.push(a);
        criticals.push(b);
      }
      const signTime = median(totals);
      const critical = median(criticals);
      const single = median(singles);
      const signStats = newWireStats();
      runSign({ keyShares: signers, message, sessionId: sid(), rng: systemRng, stats: signStats });
      const full = time(iterations, () => runSign({ keyShares: signers, message, sessionId: sid(), rng: systemRng }));
      rows.push(
        `${suite} ${t}-of-${n}: DKG (all ${n} parties, 3 rounds) ${ms(dkg)}, ${dkgStats.bytes} bytes in ${dkgStats.messages} messages; ` +
          `preprocessing ${ms(pre)} per commitment (batch of ${batch}); ` +
          `signing, total work of all nodes (${t} shares + share checks + aggregation + final verification) ${ms(signTime)} = ${(signTime / single).toFixed(1)}x the single-key sign measured alongside (${ms(single)}); ` +
          `critical path with nodes in parallel ${ms(critical)} = ${(critical / single).toFixed(1)}x; ` +
          `full simulation incl. fresh nonces, round 3 at every signer ${ms(full)}; signing ${signStats.bytes} bytes in ${signStats.messages} messages`,
      );
    }
  }
  for (const r of rows) console.log(r);
}

main();
