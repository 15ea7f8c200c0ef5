import { spawn } from 'node:child_process';
import * as crypto from 'node:crypto';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { JsonRpcProvider, parseEther } from 'ethers';
import { anvilBinary, freePorts, httpStatus, jsonRpcChainId, planChainNode, portSpan } from '@custody/local-cluster';
import { SignerClient } from '@custody/signer-client';
import {
  approverKeysEnv,
  CUSTODY_BIN,
  CustodyProcess,
  freePortRange,
  makeTestGrant,
  processAlive,
  startAnvil,
  testApprovers,
  testServerUrls,
  uniqueTestDatabase,
  waitUntilGone,
} from '@custody/testing';

const SIGNERS = 3;
const READY = /^custody: press Ctrl-C to stop$/;

function ed25519Verify(publicKey: Uint8Array, message: Uint8Array, signature: Uint8Array): boolean {
  const key = crypto.createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), publicKey]), format: 'der', type: 'spki' });
  return crypto.verify(null, message, key, signature);
}

/** Ports of process k (0 gateway … 3 chain-indexer, 3 + N signer N) from the base, as README says. */
const httpPortOf = (base: number, k: number): number => base + 3 * k;
const grpcPortOf = (base: number, k: number): number => base + 3 * k + 1;
const metricsPortOf = (base: number, k: number): number => base + 3 * k + 2;
const SIGNER_SLOT = (id: number): number => 3 + id;
/** anvil's JSON-RPC port: the last of the span, after the last signer's metrics port. */
const anvilPortOf = (base: number): number => base + portSpan(SIGNERS) - 1;
/** What `custody demo` prints, one line per step, in this order. */
const DEMO_STEPS = [
  'wallet created',
  'deposit address derived',
  'deposit sent',
  'deposit credited',
  'withdrawal requested',
  'approved by dev-approver-1',
  'approved by dev-approver-2',
  'signed',
  'broadcast',
  'confirmed',
  'settled',
];

/**
 * `custody up` as a newcomer runs it: the real `node bin/custody.js up` (built dist/), its own
 * database and a free --base-port. It supervises: anvil starts with the cluster; a signer killed with
 * SIGKILL is reported and restarted and signs again; `custody demo` walks the whole journey against it;
 * Ctrl-C stops everything (anvil too) with exit 0; a SIGTERM to the process group leader (`npm start`'s
 * shell) leaves no process behind; a busy port is named before anything starts.
 */
describe('custody up (e2e)', () => {
  const started: CustodyProcess[] = [];
  const databases: Array<{ drop: () => Promise<void> }> = [];
  const dirs: string[] = [];

  function environment(database: URL, extra: Record<string, string> = {}): Record<string, string | undefined> {
    return { PATH: process.env.PATH, DATABASE_URL: database.toString(), REDIS_URL: testServerUrls().redis.toString(), LOG_LEVEL: 'info', ...extra };
  }

  function secretsDir(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'custody-up-'));
    dirs.push(dir);
    return dir;
  }

  function up(args: string[], env: Record<string, string | undefined>, options: { command?: readonly string[]; detached?: boolean } = {}): CustodyProcess {
    const p = CustodyProcess.start(args, env, options);
    started.push(p);
    return p;
  }

  afterAll(async () => {
    // Whatever a failed test left: every printed PID, then the databases and keys.
    for (const p of started) {
      for (const pid of p.printedPids()) if (processAlive(pid)) process.kill(pid, 'SIGKILL');
      if (processAlive(p.pid)) p.child.kill('SIGKILL');
    }
    for (const d of databases) await d.drop();
    for (const dir of dirs) fs.rmSync(dir, { recursive: true, force: true });
  }, 60_000);

  it('runs for a newcomer: anvil starts with it, REST answers, a SIGKILLed signer is reported, restarted and signs again, custody demo completes the journey, Ctrl-C exits 0 leaving no process (anvil included)', async () => {
    const database = uniqueTestDatabase('custody_up', SIGNERS);
    databases.push(database);
    const base = await freePortRange(portSpan(SIGNERS));
    const approvers = testApprovers(1);
    const dir = secretsDir();
    const custody = up(['up', '--base-port', String(base), '--secrets-dir', dir, '--test-only-primes'], environment(database.url, { APPROVER_KEYS: approverKeysEnv(approvers), SIGNER_MIN_APPROVALS: '1', SIGNER_NONCE_POOL_SIZE: '2' }));
    await custody.waitFor(READY, 90_000);

    // Every PID is printed (anvil's among them), and each process's log lines are readable and prefixed by its name.
    const pids = custody.printedPids();
    expect(pids).toHaveLength(1 + 4 + SIGNERS + 1);
    expect(custody.lines).toContainEqual(expect.stringMatching(/^custody: started anvil \(pid \d+\)$/));
    const anvilUrl = `http://127.0.0.1:${anvilPortOf(base)}`;
    expect(custody.lines.some((l) => l.startsWith('custody:   anvil ') && l.includes(` json-rpc ${anvilUrl}   chain anvil, id 31337 `))).toBe(true);
    expect(await jsonRpcChainId(anvilUrl)).toBe(31337);
    expect(custody.lines).toContain('custody: ledger asset anvil/ETH: 18 decimals, deposits credited at depth 2');
    expect(custody.lines.some((l) => /^gateway +\| \d\d:\d\d:\d\d\.\d{3} INFO +gateway listening http=/.test(l))).toBe(true);
    expect(custody.lines.some((l) => /^signer-2 +\| /.test(l))).toBe(true);
    expect(custody.lines.some((l) => l.startsWith('{'))).toBe(false);

    const info = await fetch(`http://127.0.0.1:${httpPortOf(base, 0)}/v1/system/info`);
    expect(info.status).toBe(200);
    // Each process's metrics port is printed, and /metrics is there, not on the HTTP port.
    for (const [name, k] of [['gateway', 0], ['signer-3', SIGNER_SLOT(3)]] as const) {
      expect(custody.lines.some((l) => l.startsWith(`custody:   ${name} `) && l.includes(` metrics http://127.0.0.1:${metricsPortOf(base, k)}/metrics `))).toBe(true);
      expect(await httpStatus(`http://127.0.0.1:${metricsPortOf(base, k)}/metrics`)).toBe(200);
      expect(await httpStatus(`http://127.0.0.1:${httpPortOf(base, k)}/metrics`)).toBe(404);
    }

    // The whole journey against this cluster, as a newcomer runs it next: `custody demo`. (Before the grant made
    // below outside the policy engine: the signers' witness rightly halts a signer that signed what the audit
    // log does not hold, and a halted signer refuses the demo's withdrawal.)
    const demo = up(['demo', '--secrets-dir', dir, '--timeout', '120'], environment(database.url, { CUSTODY_BASE_PORT: String(base) }));
    const demoExit = await demo.exited;
    if (demoExit.code !== 0) throw new Error(`custody demo exited ${demoExit.code ?? demoExit.signal}:\n${demo.lines.join('\n')}`);
    let at = -1;
    DEMO_STEPS.forEach((title, i) => {
      const line = demo.lines.findIndex((l) => new RegExp(`^custody demo: \\[ ?${i + 1}/11\\] ${title} +\\d+\\.\\d\\d s  \\S`).test(l));
      expect(line).toBeGreaterThan(at);
      at = line;
    });
    expect(demo.lines.find((l) => l.includes('deposit credited'))).toMatch(/after 2 confirmations/);
    expect(demo.lines.find((l) => l.includes('approved by dev-approver-2'))).toMatch(/approval 2 \(rule everything-else needs 2 of dev-approvers\), now allowed/);
    // The balances it prints, checked on the chain with another library (ethers): the ledger's equals the chain's.
    const wallet = demo.lines.map((l) => l.match(/^custody demo: {3}wallets\/\S+ at (0x[0-9a-fA-F]{40}) +(\S+) ETH \(held 0\) +(\S+) ETH$/)).find((m) => m);
    const destination = demo.lines.map((l) => l.match(/^custody demo: {3}destination (0x[0-9a-fA-F]{40}) .* (\S+) ETH$/)).find((m) => m);
    expect(wallet && destination).toBeTruthy();
    const provider = new JsonRpcProvider(anvilUrl, 31337, { staticNetwork: true });
    try {
      expect(await provider.getBalance(destination![1]!)).toBe(parseEther('2'));
      expect(await provider.getBalance(wallet![1]!)).toBe(parseEther(wallet![2]!));
      expect(wallet![2]).toBe(wallet![3]);
    } finally {
      provider.destroy();
    }
    expect(demo.lines.at(-1)).toMatch(/^custody demo: done in [\d.]+ s: the ledger and the chain agree$/);

    const signer = (id: number): SignerClient => new SignerClient(`127.0.0.1:${grpcPortOf(base, SIGNER_SLOT(id))}`);
    const clients = [signer(1), signer(2)];
    try {
      const key = await clients[0]!.createKey('eddsa', 2, [1, 2, 3]);

      const victim = Number(custody.lines.map((l) => l.match(/^custody: started signer-2 \(pid (\d+)\)$/)?.[1]).find((m) => m !== undefined));
      expect(victim).toBeGreaterThan(0);
      process.kill(victim, 'SIGKILL');
      await custody.waitFor(new RegExp(`^custody: signer-2 \\(pid ${victim}\\) died: signal SIGKILL after [\\d.]+ s; its last lines:$`), 5_000);
      const restarted = await custody.waitFor(/^custody: restarted signer-2 \(pid (\d+)\)$/, 10_000);
      await custody.waitFor(/^custody: signer-2 is ready again \(pid \d+/, 30_000);
      expect(Number(restarted[1])).not.toBe(victim);
      expect(await httpStatus(`http://127.0.0.1:${httpPortOf(base, SIGNER_SLOT(2))}/healthz`)).toBe(200);

      const message = crypto.randomBytes(32);
      const grant = makeTestGrant({ engineSeedFile: path.join(dir, 'policy-engine.signing-seed'), approvers, keyId: key.keyId, scheme: 'eddsa', message });
      const result = await clients[1]!.sign(grant.grant, [2, 3], grant.signingInput);
      expect(ed25519Verify(result.publicKey, message, result.signature)).toBe(true);
    } finally {
      for (const c of clients) c.close();
    }

    process.kill(custody.pid, 'SIGINT');
    const exit = await custody.exited;
    const exits = custody.lines.filter((l) => / exited with /.test(l));
    expect(exits).toHaveLength(4 + SIGNERS + 1);
    for (const line of exits) expect(line).toMatch(/exited with code 0 after/);
    expect(exit).toEqual({ code: 0, signal: null });
    expect(await waitUntilGone(custody.printedPids(), 5_000)).toEqual([]);
    for (const k of [0, SIGNER_SLOT(2)]) expect(await httpStatus(`http://127.0.0.1:${httpPortOf(base, k)}/healthz`, 500)).toBe(0);
    // anvil stopped with the cluster, its chain written to the secrets directory for the next run.
    expect(await jsonRpcChainId(anvilUrl, 500)).toBeUndefined();
    expect(fs.statSync(path.join(dir, 'anvil-state.json')).size).toBeGreaterThan(0);
  }, 300_000);

  it('leaves no process behind when the process group leader (npm start\'s shell) gets SIGTERM; --json-logs keeps JSON; --chain-rpc-url is followed instead of starting anvil', async () => {
    const database = uniqueTestDatabase('custody_up_term', SIGNERS);
    databases.push(database);
    const base = await freePortRange(portSpan(SIGNERS));
    const own = await startAnvil();
    const dir = secretsDir();
    const args = ['up', '--base-port', String(base), '--secrets-dir', dir, '--test-only-primes', '--json-logs', '--chain-rpc-url', own.url];
    // As `npm start` runs it: a shell that stays the parent (and leads the group), custody its child.
    const quoted = [process.execPath, CUSTODY_BIN, ...args].map((a) => `'${a}'`).join(' ');
    const shell = up([], environment(database.url), { command: ['/bin/sh', '-c', `${quoted}; exit $?`], detached: true });
    try {
      await shell.waitFor(READY, 90_000);
      const pids = shell.printedPids();
      expect(pids).toHaveLength(1 + 4 + SIGNERS);
      expect(shell.lines.some((l) => l.startsWith('custody: started anvil'))).toBe(false);
      expect(shell.lines).toContain(`custody: chain anvil, id 31337: following ${own.url}/ (--chain-rpc-url)`);
      expect(JSON.parse(fs.readFileSync(path.join(dir, 'local-chain.json'), 'utf8'))).toEqual({ chain: 'anvil', chainId: 31337, rpcUrl: `${own.url}/`, nativeAsset: 'ETH', startedByUp: false });
      expect(await jsonRpcChainId(`http://127.0.0.1:${anvilPortOf(base)}`, 500)).toBeUndefined();
      const json = shell.lines.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l) as { service?: string; msg?: string });
      expect(json.some((r) => r.service === 'gateway' && r.msg === 'gateway listening')).toBe(true);

      process.kill(shell.pid, 'SIGTERM'); // the leader only, as npm forwards it to its script's shell
      await shell.exited;
      expect(await waitUntilGone(pids, 20_000)).toEqual([]);
    } finally {
      await own.stop();
    }
  }, 240_000);

  it("anvil's wrapper stops anvil when the supervisor is gone (its IPC channel closes), and anvil writes its state on the way out", async () => {
    const [port] = await freePorts(1);
    const stateFile = path.join(secretsDir(), 'anvil-state.json');
    const node = planChainNode({ binary: anvilBinary(), host: '127.0.0.1', port: port!, chainId: 31337, stateFile });
    // As the supervisor starts it: its own process group, an IPC channel.
    const wrapper = spawn(process.execPath, [node.entry, ...node.args], { stdio: ['ignore', 'ignore', 'pipe', 'ipc'], detached: true });
    const exited = once(wrapper, 'exit') as Promise<[number | null, NodeJS.Signals | null]>;
    try {
      for (let i = 0; (await jsonRpcChainId(node.rpcUrl, 500)) !== 31337; i++) {
        if (i > 100) throw new Error('anvil did not answer');
        await new Promise((r) => setTimeout(r, 100));
      }
      const anvilPid = Number(fs.readFileSync(`/proc/${wrapper.pid}/task/${wrapper.pid}/children`, 'utf8').trim());
      expect(processAlive(anvilPid)).toBe(true);
      wrapper.disconnect(); // what a supervisor's death (even by SIGKILL) does to its children
      expect(await exited).toEqual([0, null]);
      expect(await waitUntilGone([anvilPid], 5_000)).toEqual([]);
      expect(await jsonRpcChainId(node.rpcUrl, 500)).toBeUndefined();
      expect(fs.statSync(stateFile).size).toBeGreaterThan(0);
    } finally {
      if (wrapper.exitCode === null && wrapper.pid !== undefined) process.kill(-wrapper.pid, 'SIGKILL');
    }
  }, 60_000);

  it('names a busy port before anything starts, and exits non-zero', async () => {
    const base = await freePortRange(portSpan(SIGNERS));
    const busyPort = grpcPortOf(base, SIGNER_SLOT(1));
    const holder = net.createServer();
    await new Promise<void>((resolve) => holder.listen(busyPort, '127.0.0.1', resolve));
    try {
      const database = uniqueTestDatabase('custody_up_busy', SIGNERS);
      databases.push(database);
      const custody = up(['up', '--base-port', String(base), '--secrets-dir', secretsDir(), '--test-only-primes'], environment(database.url));
      const exit = await custody.exited;
      expect(exit.code).not.toBe(0);
      expect(exit.code).not.toBeNull();
      const output = custody.lines.join('\n');
      expect(output).toContain(`custody: port ${busyPort} on 127.0.0.1 (signer-1 gRPC) is in use by another process`);
      expect(output).toContain('--base-port');
      expect(output).not.toMatch(/started \S+ \(pid/);
      expect(output).not.toMatch(/^\s+at /m);
    } finally {
      holder.close();
    }
  }, 60_000);

  it('accepts the --database-url it suggests, and names the target database when Postgres is unreachable', async () => {
    const base = await freePortRange(portSpan(SIGNERS));
    const custody = up(['up', '--base-port', String(base), '--secrets-dir', secretsDir(), '--database-url', 'postgres://postgres@127.0.0.1:1/custody_nowhere'], environment(new URL('postgres://postgres@127.0.0.1:5432/unused')));
    const exit = await custody.exited;
    expect(exit.code).toBe(2);
    const output = custody.lines.join('\n');
    expect(output).not.toContain('unknown option');
    expect(output).toContain('Postgres at 127.0.0.1:1/custody_nowhere is unreachable');
    expect(output).not.toMatch(/^\s+at /m);
  }, 60_000);

  it("refuses DATABASE_URL='' instead of falling back to the shared database", async () => {
    const base = await freePortRange(portSpan(SIGNERS));
    const custody = up(['up', '--base-port', String(base), '--secrets-dir', secretsDir()], { ...environment(new URL('postgres://x/unused')), DATABASE_URL: '' });
    const exit = await custody.exited;
    expect(exit.code).toBe(78);
    expect(custody.lines.join('\n')).toContain('custody: configuration error: DATABASE_URL is set but empty');
    expect(custody.lines.join('\n')).not.toContain('migrate');
  }, 60_000);
});
