/**
 * The withdrawal pipeline end to end under load: the cluster of test/e2e/withdrawals.e2e-spec.ts
 * (libs/testing `startWithdrawalWorld`: three signers with TEST-ONLY Paillier fixtures, policy engine,
 * ledger, chain indexer, gateway on a Redis of its own, Postgres, anvil), with an auto-approving
 * policy, anvil mining a block every second (`--block-time 1`) and the signers' presignature pool
 * filled before the clock starts.
 *
 *   npm run bench:e2e             (builds first; needs Postgres and Redis like the tests)
 *   node dist/bench/e2e.bench.js [--count 200] [--rate 20] [--concurrency 8] [--poll-ms 250]
 *                                [--fill pool|presign] [--max-signs 4] [--observe-ms 100]
 *
 * `--rate` withdrawals are submitted per second, evenly spaced (0: all at once). `--fill pool` (the
 * default) sets SIGNER_PRESIGN_POOL_SIZE to count + 10 and waits until the pool of the signer set the
 * gateway uses (coordinator 1, signers 1 and 2) holds that many: the signers expose no gauge of it, so
 * the bench counts the ready presignatures in signer 1's database, the query the pool itself runs.
 * The pool refills in the background while the run consumes it. `--fill presign` makes the same
 * number through the signers' Presign API with SIGNER_PRESIGN_POOL_SIZE=4, so that no refill runs
 * during the run (what the refill costs the pipeline).
 *
 * Measured per withdrawal: request → broadcast and request → confirmed as the API shows them (a
 * ListWithdrawals page poll every `--observe-ms`: a state is counted when the poll that first shows it
 * returns), and the same from the gateway's and the ledger's own timestamps (gateway.withdrawals,
 * withdrawal_attempts.broadcast_at, the ledger's outbox: when each step committed), which say where
 * the time goes, and the CPU each process used during the run (/proc). Prints withdrawals/s sustained
 * (settled per second, first request to last settled), p50/p99 of both latencies, the load average,
 * and the targets beside; for any withdrawal not confirmed its nonce, transactions and the indexer's
 * tracking, and whether the wallet's posted balance equals the sender's on-chain balance; and a
 * single signature's cost with a full pool and with none. Everything it starts it stops (also on
 * Ctrl-C).
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { parseArgs } from 'node:util';
import { Client as PgClient } from 'pg';
import { signerDatabaseUrl } from '@custody/persistence';
import { BOOTSTRAP_FORMAT, POLICY_FORMAT } from '@custody/policy-core';
import { makeTestGrant, startWithdrawalWorld, testPrincipal, WithdrawalWorld, type WithdrawalView } from '@custody/testing';

const { values: args } = parseArgs({
  options: {
    count: { type: 'string', default: '200' },
    rate: { type: 'string', default: '20' },
    concurrency: { type: 'string', default: '8' },
    'poll-ms': { type: 'string', default: '250' },
    fill: { type: 'string', default: 'pool' },
    'max-signs': { type: 'string', default: '4' },
    'observe-ms': { type: 'string', default: '100' },
  },
});
const COUNT = Number(args.count);
const RATE = Number(args.rate);
const CONCURRENCY = Number(args.concurrency);
const POLL_MS = Number(args['poll-ms']);
const FILL = args.fill === 'presign' ? 'presign' : 'pool';
const MAX_SIGNS = Number(args['max-signs']);
const OBSERVE_MS = Number(args['observe-ms']);
const POOL = COUNT + 10;
/** Presignatures taken before the run: 5 signatures with the pool full, 2 withdrawals warming the pipeline up. */
const WARM_UP = 7;
const TARGET_P50_BROADCAST_MS = 250;
const TARGET_RATE = 20;
/** The quorum the gateway signs with while every signer answers (its first), and its coordinator. */
const QUORUM = [1, 2];

const admin = testPrincipal('policy-admin');
const bootstrap = {
  format: BOOTSTRAP_FORMAT,
  admins: { members: [admin.id], quorum: 1 },
  keys: { [admin.id]: admin.publicKeyHex },
  policy: { format: POLICY_FORMAT, metadata: { name: 'bench e2e: every withdrawal allowed' }, approverGroups: {}, rules: [{ id: 'auto', match: { operation: ['withdrawal'] }, action: { type: 'allow' } }] },
};

const loadavg = (): string => fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const ms = (v: number): string => (Number.isNaN(v) ? '—' : `${v.toFixed(0)} ms`);
const row = (label: string, values: readonly number[]): string => `  ${label.padEnd(58)} p50 ${ms(quantile(values, 0.5)).padStart(9)}   p99 ${ms(quantile(values, 0.99)).padStart(9)}   (n=${values.length})`;

async function query<T>(url: URL, sql: string, params: unknown[] = []): Promise<T[]> {
  const pg = new PgClient({ connectionString: url.toString() });
  await pg.connect();
  try {
    return (await pg.query(sql, params)).rows as T[];
  } finally {
    await pg.end();
  }
}

/** Ready presignatures of signer 1 for the quorum, the query PresignaturePool.refill counts with. */
async function poolFill(world: WithdrawalWorld, keyId: string): Promise<number> {
  const rows = await query<{ n: string }>(
    signerDatabaseUrl(world.signers.databaseUrl, QUORUM[0]!),
    `SELECT count(*) AS n FROM signer.one_time_values WHERE key_id = $1 AND kind = 'ecdsa-presignature' AND owner = $2 AND signers = $3::integer[]
       AND ready_at IS NOT NULL AND reserved_at IS NULL AND consumed_at IS NULL`,
    [keyId, QUORUM[0], QUORUM],
  );
  return Number(rows[0]!.n);
}

/** Presignatures of the quorum signer 1 made since `since` (the background refill's work during the run). */
async function presignedSince(world: WithdrawalWorld, keyId: string, since: Date): Promise<number> {
  const rows = await query<{ n: string }>(signerDatabaseUrl(world.signers.databaseUrl, QUORUM[0]!), `SELECT count(*) AS n FROM signer.one_time_values WHERE key_id = $1 AND kind = 'ecdsa-presignature' AND owner = $2 AND created_at >= $3`, [keyId, QUORUM[0], since]);
  return Number(rows[0]!.n);
}

async function waitForPool(world: WithdrawalWorld, keyId: string, want: number): Promise<number> {
  const started = Date.now();
  let last = -1;
  for (;;) {
    const have = await poolFill(world, keyId);
    if (have >= want) return (Date.now() - started) / 1000;
    if (have !== last && (have % 20 === 0 || have < last)) process.stdout.write(`  pool ${have}/${want} after ${((Date.now() - started) / 1000).toFixed(0)} s\n`);
    last = have;
    if (Date.now() - started > 45 * 60_000) throw new Error(`the presignature pool holds ${have} of ${want} after 45 min`);
    await sleep(1000);
  }
}

/** One signature by the signers' API directly (a message grant), the wall time of the Sign call. */
async function signOnce(world: WithdrawalWorld, keyId: string, signers: number[]): Promise<number> {
  const g = makeTestGrant({ engineSeedFile: world.signers.secrets.policyEngine.seedFile, approvers: [], requiredApprovals: 0, keyId, scheme: 'ecdsa', message: randomBytes(32) });
  const started = performance.now();
  await world.signers.client(signers[0]!).sign(g.grant, signers, g.signingInput, 120_000);
  return performance.now() - started;
}

/** CPU seconds so far (user + system) of this process and every process below it, by service; and of Postgres (every backend: shared with others on the machine). */
function cpuSeconds(): Map<string, number> {
  const tick = 100; // Linux USER_HZ
  const procs: Array<{ pid: number; ppid: number; cpu: number; label: string }> = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ');
      const app = /dist\/apps\/([a-z-]+)\//.exec(cmd)?.[1];
      const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const label = app ?? (cmd.includes('e2e.bench') ? 'bench (clients, polls)' : /anvil/.test(cmd) ? 'anvil' : comm === 'postgres' ? 'postgres (all backends)' : comm);
      procs.push({ pid: Number(entry), ppid: Number(fields[1]), cpu: (Number(fields[11]) + Number(fields[12])) / tick, label });
    } catch {
      // gone meanwhile
    }
  }
  const mine = new Set<number>([process.pid]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs) {
      if (!mine.has(p.pid) && mine.has(p.ppid)) {
        mine.add(p.pid);
        grew = true;
      }
    }
  }
  const out = new Map<string, number>();
  for (const p of procs) if (mine.has(p.pid) || p.label.startsWith('postgres')) out.set(p.label, (out.get(p.label) ?? 0) + p.cpu);
  return out;
}

interface Observed {
  name: string;
  /** Date.now() just before the POST, and when it answered. */
  sent: number;
  answered: number;
  broadcastSeen?: number;
  confirmedSeen?: number;
  state?: string;
  reason?: string;
}

/**
 * Polls ListWithdrawals of the wallet (pages of 100, from the first page still holding one not
 * settled) every OBSERVE_MS until every withdrawal of `byName` is confirmed or failed.
 */
async function observe(world: WithdrawalWorld, byName: Map<string, Observed>, submitted: () => boolean, deadline: number): Promise<{ polls: number; pollMs: number[] }> {
  const tokens: string[] = [''];
  let first = 0;
  const pollMs: number[] = [];
  for (;;) {
    const started = Date.now();
    const settled: boolean[] = [];
    for (let p = first; p < tokens.length; p++) {
      const page = await world.api.request<{ withdrawals: WithdrawalView[]; nextPageToken: string }>('GET', `/v1/withdrawals?wallet=${encodeURIComponent(world.walletName)}&page_size=100${tokens[p] ? `&page_token=${tokens[p]}` : ''}`);
      const now = Date.now();
      for (const w of page.withdrawals) {
        const o = byName.get(w.name);
        if (!o) continue;
        o.state = w.state;
        o.reason = w.reason;
        if (o.broadcastSeen === undefined && (w.state === 'broadcast' || w.state === 'confirmed')) o.broadcastSeen = now;
        if (o.confirmedSeen === undefined && w.state === 'confirmed') o.confirmedSeen = now;
      }
      if (page.nextPageToken && p === tokens.length - 1) tokens.push(page.nextPageToken);
      settled[p] = page.withdrawals.length === 100 && page.withdrawals.every((w) => w.state === 'confirmed' || w.state === 'failed');
    }
    // a full page whose withdrawals are all settled is not read again
    while (first < tokens.length - 1 && settled[first]) first += 1;
    pollMs.push(Date.now() - started);
    const waiting = [...byName.values()].filter((o) => o.state !== 'confirmed' && o.state !== 'failed');
    if (submitted() && byName.size === COUNT && waiting.length === 0) return { polls: pollMs.length, pollMs };
    if (Date.now() > deadline) throw new Error(`${waiting.length} of ${COUNT} not settled in time: ${JSON.stringify(waiting.slice(0, 5))}`);
    await sleep(Math.max(0, OBSERVE_MS - (Date.now() - started)));
  }
}

async function main(): Promise<void> {
  console.log(`bench:e2e — ${COUNT} withdrawals, ${RATE > 0 ? `${RATE}/s evenly spaced` : 'all at once'}; PIPELINE_CONCURRENCY=${CONCURRENCY}, PIPELINE_POLL_MS=${POLL_MS}, SIGNER_MAX_CONCURRENT_SIGNS=${MAX_SIGNS}; pool filled by ${FILL === 'pool' ? `SIGNER_PRESIGN_POOL_SIZE=${POOL}` : `Presign API (${POOL}), SIGNER_PRESIGN_POOL_SIZE=4`}`);
  console.log(`load average before start-up: ${loadavg()} (${os.cpus().length} CPUs)`);
  const startup = Date.now();
  const world = await startWithdrawalWorld({
    bootstrap,
    signerEnv: { SIGNER_PRESIGN_POOL_SIZE: FILL === 'pool' ? String(POOL) : '4', SIGNER_MAX_CONCURRENT_SIGNS: String(MAX_SIGNS), LOG_LEVEL: 'error' },
    anvil: { blockTime: 1 },
    // a block a second: polling the head 5 times a second adds at most 200 ms to a settlement
    indexerEnv: { INDEXER_POLL_MS: '200' },
    gatewayEnv: { PIPELINE_CONCURRENCY: String(CONCURRENCY), PIPELINE_POLL_MS: String(POLL_MS), PIPELINE_STUCK_AFTER_MS: '120000', LOG_LEVEL: 'warn' },
    fundEther: 1000,
    clientTimeoutMs: 60_000,
  });
  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => (stopping ??= world.stop());
  const onSignal = (): void => {
    console.error('interrupted: stopping the cluster');
    void stop().finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    console.log(`cluster up in ${((Date.now() - startup) / 1000).toFixed(0)} s (anvil --block-time 1)`);
    const [{ key_id: keyId }] = await query<{ key_id: string }>(world.gateway!.databaseUrl, 'SELECT key_id FROM gateway.wallets WHERE wallet_id = $1', [world.walletId]);
    const amount = 10n ** 15n; // 0.001 ETH each

    // 1. A signature with no presignature ready (the set is not pooled before its first signature).
    const emptyMs = await signOnce(world, keyId!, QUORUM);
    // 2. The pool filled.
    if (FILL === 'presign') {
      // the run's, and the 5 signatures and 2 withdrawals before it
      for (let left = POOL + WARM_UP; left > 0; left -= 100) await world.signers.client(QUORUM[0]!).presign(keyId!, QUORUM, Math.min(100, left), 600_000);
    }
    const fillStarted = Date.now();
    const fillCpu = cpuSeconds();
    const fillSeconds = await waitForPool(world, keyId!, FILL === 'pool' ? POOL : POOL + WARM_UP);
    const fillRate = POOL / Math.max(1, fillSeconds);
    const signerCpu = ((cpuSeconds().get('signer') ?? 0) - (fillCpu.get('signer') ?? 0)) / POOL;
    console.log(`presignature pool of signers ${QUORUM.join(',')} (coordinator ${QUORUM[0]}): ${POOL} ready after ${((Date.now() - fillStarted) / 1000).toFixed(0)} s waiting${FILL === 'pool' ? ` (${(1000 / fillRate).toFixed(0)} ms and ${(1000 * signerCpu).toFixed(0)} ms of signer CPU per presignature, one session after the other)` : ''}`);
    // 3. Signatures with the pool full, then two withdrawals through the pipeline to warm it up.
    const fullMs: number[] = [];
    // each with the pool full again and no refill session running (one consumed starts a refill)
    for (let i = 0; i < 5; i++) {
      await waitForPool(world, keyId!, FILL === 'pool' ? POOL : POOL + WARM_UP - i);
      await sleep(300);
      fullMs.push(await signOnce(world, keyId!, QUORUM));
    }
    for (let i = 0; i < 2; i++) await world.until((await world.create(amount, world.newDestination())).name, (w) => w.state === 'confirmed', 120_000);
    await waitForPool(world, keyId!, POOL);
    await sleep(2000);

    // 4. What the idle cluster costs (the relay, the indexer's head polling, the re-drive), 5 s.
    const idleBefore = cpuSeconds();
    await sleep(5000);
    const idleAfter = cpuSeconds();

    // 5. The run.
    const loadBefore = loadavg();
    const cpuBefore = cpuSeconds();
    const runStarted = new Date();
    const byName = new Map<string, Observed>();
    const all: Observed[] = [];
    let submittedAll = false;
    const t0 = Date.now();
    const submit = async (i: number): Promise<void> => {
      if (RATE > 0) await sleep(Math.max(0, t0 + (i * 1000) / RATE - Date.now()));
      const sent = Date.now();
      const w = await world.create(amount, world.newDestination());
      const o: Observed = { name: w.name, sent, answered: Date.now(), state: w.state };
      all.push(o);
      byName.set(w.name, o);
    };
    const submitting = Promise.all(Array.from({ length: COUNT }, (_, i) => submit(i))).then(() => {
      submittedAll = true;
    });
    const watched = observe(world, byName, () => submittedAll, t0 + 30 * 60_000);
    await submitting;
    const { polls, pollMs } = await watched;
    const loadAfter = loadavg();
    const cpuAfter = cpuSeconds();
    const failed = all.filter((o) => o.state !== 'confirmed');
    const firstSent = Math.min(...all.map((o) => o.sent));
    const lastSent = Math.max(...all.map((o) => o.sent));
    const lastConfirmed = Math.max(...all.map((o) => o.confirmedSeen ?? 0));
    const lastBroadcast = Math.max(...all.map((o) => o.broadcastSeen ?? 0));
    const sustained = (all.length - failed.length) / ((lastConfirmed - firstSent) / 1000);
    const toBroadcast = all.filter((o) => o.broadcastSeen !== undefined).map((o) => o.broadcastSeen! - o.sent);
    const toConfirmed = all.filter((o) => o.confirmedSeen !== undefined).map((o) => o.confirmedSeen! - o.sent);
    const refilled = await presignedSince(world, keyId!, runStarted);
    const left = await poolFill(world, keyId!);

    // Integrity: what became of any withdrawal not confirmed, and whether the books equal the chain.
    const notes: string[] = [];
    for (const o of failed) {
      const id = o.name.replace('withdrawals/', '');
      const attempts = await query<{ attempt: number; nonce: string; tx_hash: string | null; broadcast_at: Date | null }>(world.gateway!.databaseUrl, 'SELECT attempt, nonce, tx_hash, broadcast_at FROM gateway.withdrawal_attempts WHERE withdrawal_id = $1 ORDER BY attempt', [id]);
      const nonce = attempts[0]?.nonce;
      const sharing = nonce === undefined ? [] : await query<{ withdrawal_id: string }>(world.gateway!.databaseUrl, 'SELECT DISTINCT withdrawal_id FROM gateway.withdrawal_attempts WHERE nonce = $1 AND withdrawal_id <> $2', [nonce, id]);
      const mined: string[] = [];
      for (const a of attempts) {
        const receipt = a.tx_hash ? await world.anvil.rpc<{ blockNumber: string } | null>('eth_getTransactionReceipt', [a.tx_hash]) : null;
        mined.push(`${a.tx_hash ?? 'unsigned'}: ${receipt ? `mined in block ${Number(BigInt(receipt.blockNumber))}` : 'not mined'}`);
      }
      const tracked = await query<{ status: string; replaced_by: string | null; block_number: string | null; updated_at: Date }>(world.ledger.databaseUrl, 'SELECT status, replaced_by, block_number, updated_at FROM chain_indexer.withdrawals WHERE withdrawal_id = $1', [id]).catch(() => []);
      const t = tracked[0];
      notes.push(
        `  not confirmed: ${o.name} ${o.state ?? '?'} (${o.reason ?? ''}); nonce ${nonce ?? '—'}${sharing.length ? ` also held by ${sharing.map((x) => x.withdrawal_id).join(', ')}` : ''}; ${mined.join('; ')}; indexer: ${t ? `${t.status}${t.replaced_by ? ` by ${t.replaced_by}` : ''} at block ${t.block_number ?? '—'} (${t.updated_at.toISOString()})` : 'not tracked'}`,
      );
    }
    await sleep(3000); // holds of failed ones released
    const posted = (await world.ledger.call<{ posted: string }>('GetBalance', { account: `customer/${world.walletId}/${WithdrawalWorld.CHAIN}/ETH` })).posted;
    const onChain = await world.chain.getBalance({ address: world.sender });
    const postedWei = BigInt(posted.split('.')[0]!) * 10n ** 18n + BigInt((posted.split('.')[1] ?? '').padEnd(18, '0') || '0');
    const books = postedWei === onChain ? 'the wallet\'s posted balance equals the sender\'s on-chain balance' : `the books and the chain DIFFER: posted ${posted} ETH, on chain ${onChain} wei (${postedWei - onChain} wei)`;

    // 6. Where the time went: the services' own timestamps.
    const ids = all.map((o) => o.name.replace('withdrawals/', ''));
    const gw = await query<{ id: string; created: Date; built: Date; broadcast_at: Date | null; updated: Date; attempts: string }>(
      world.gateway!.databaseUrl,
      `SELECT w.withdrawal_id AS id, w.created_at AS created, a.created_at AS built, a.broadcast_at, w.updated_at AS updated, (SELECT count(*) FROM gateway.withdrawal_attempts x WHERE x.withdrawal_id = w.withdrawal_id) AS attempts
         FROM gateway.withdrawals w JOIN gateway.withdrawal_attempts a ON a.withdrawal_id = w.withdrawal_id AND a.attempt = 1 WHERE w.withdrawal_id = ANY($1)`,
      [ids],
    );
    const booked = await query<{ id: string; state: string; at: Date }>(
      world.ledger.databaseUrl,
      `SELECT substr(subject, 12) AS id, data->>'to' AS state, min(created_at) AS at FROM ledger.outbox WHERE event_type = 'withdrawal.state_changed' AND subject = ANY($1) GROUP BY 1, 2`,
      [ids.map((id) => `withdrawal/${id}`)],
    );
    const ledgerAt = new Map(booked.map((b) => [`${b.id}/${b.state}`, b.at.getTime()]));
    const sentOf = new Map(all.map((o) => [o.name.replace('withdrawals/', ''), o]));
    const steps: Record<string, number[]> = {};
    const add = (label: string, from: number | undefined, to: number | undefined): void => {
      if (from !== undefined && to !== undefined) (steps[label] ??= []).push(to - from);
    };
    for (const g of gw) {
      const o = sentOf.get(g.id)!;
      const at = (s: string): number | undefined => ledgerAt.get(`${g.id}/${s}`);
      add('POST sent → answered (row committed, job queued)', o.sent, o.answered);
      add('request → row created (gateway.withdrawals.created_at)', o.sent, g.created.getTime());
      add('hold: created → ledger requested', g.created.getTime(), at('requested'));
      add('build: ledger requested → attempt stored (nonce, fees)', at('requested'), g.built.getTime());
      add('evaluate: attempt stored → ledger approved (policy engine)', g.built.getTime(), at('approved'));
      add('sign: ledger approved → ledger signed (signers)', at('approved'), at('signed'));
      add('broadcast: ledger signed → node accepted (broadcast_at)', at('signed'), g.broadcast_at?.getTime());
      add('node accepted → API shows broadcast (ledger, indexer, row, poll)', g.broadcast_at?.getTime(), o.broadcastSeen);
      add('request → node accepted (broadcast_at; no poll)', o.sent, g.broadcast_at?.getTime());
      add('node accepted → ledger confirmed (1 s blocks, indexer)', g.broadcast_at?.getTime(), at('confirmed'));
      add('ledger confirmed → API shows confirmed (confirm poll, poll)', at('confirmed'), o.confirmedSeen);
    }
    const replaced = gw.filter((g) => Number(g.attempts) > 1).length;

    console.log('');
    console.log(`run: ${all.length} withdrawals submitted in ${((lastSent - firstSent) / 1000).toFixed(1)} s; all broadcast after ${((lastBroadcast - firstSent) / 1000).toFixed(1)} s, all settled after ${((lastConfirmed - firstSent) / 1000).toFixed(1)} s; ${failed.length} not confirmed, ${replaced} with a replacement`);
    for (const n of notes) console.log(n);
    console.log(`books against the chain: ${books}`);
    console.log(`load average: ${loadBefore} before the run, ${loadAfter} after it (1, 5, 15 min; ${os.cpus().length} CPUs)`);
    console.log(`API observed by ${polls} ListWithdrawals polls (every ${OBSERVE_MS} ms; a poll took p50 ${quantile(pollMs, 0.5)} ms): a state counts when the poll that shows it returns`);
    console.log(`presignatures made by the pool's refill during the run: ${refilled}; ready after it: ${left}`);
    console.log('');
    console.log(`  ${'figure'.padEnd(58)} ${'measured'.padEnd(36)} target`);
    console.log(`  ${'withdrawals/s sustained (settled, first request → last settled)'.padEnd(58)} ${sustained.toFixed(1).padEnd(36)} ≥ ${TARGET_RATE}`);
    console.log(`${row('request → broadcast (API)', toBroadcast)}   p50 ≤ ${TARGET_P50_BROADCAST_MS} ms`);
    console.log(`${row('request → confirmed, settled (API)', toConfirmed)}   —`);
    console.log('');
    console.log('where the time goes (the services\' own timestamps):');
    for (const [label, values] of Object.entries(steps)) console.log(row(label, values));
    const wall = (lastConfirmed - firstSent) / 1000;
    console.log('');
    console.log(`CPU during the run (${wall.toFixed(1)} s wall, ${os.cpus().length} CPUs = ${(wall * os.cpus().length).toFixed(0)} CPU-seconds at most):`);
    for (const [label, after] of [...cpuAfter].sort((a, b) => b[1] - (cpuBefore.get(b[0]) ?? 0) - (a[1] - (cpuBefore.get(a[0]) ?? 0)))) {
      const used = after - (cpuBefore.get(label) ?? 0);
      const idle = (idleAfter.get(label) ?? 0) - (idleBefore.get(label) ?? 0);
      if (used >= 0.05) console.log(`  ${label.padEnd(30)} ${used.toFixed(1).padStart(6)} s  (${((100 * used) / wall).toFixed(0).padStart(3)} % of one CPU; idle before the run ${((100 * idle) / 5).toFixed(0).padStart(2)} %)`);
    }
    console.log('');
    console.log('one ECDSA signature by the signers\' API (2 of 3, Sign call wall time):');
    console.log(row('pool full: presignature reserved, online rounds only', fullMs));
    console.log(row('no presignature ready: presigning in the session (first)', [emptyMs]));
  } finally {
    await stop();
    process.removeListener('SIGINT', onSignal);
    process.removeListener('SIGTERM', onSignal);
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
