import { spawn, type ChildProcess } from 'node:child_process';
import { grpcHealthStatus, httpStatus } from './health-probe';
import type { ClusterProcessSpec } from './cluster-plan';
import { jsonRpcChainId } from './local-chain';
import type { ProcessExit } from './local-cluster';

/** What to do when a process dies after the cluster was ready. */
export type CrashPolicy = 'restart' | 'stop';

/** Exit code of a service that stopped on its configuration (EX_CONFIG): a restart would not help. */
export const EXIT_CONFIG = 78;

/** Everything the supervisor has to say, for the caller to print. */
export type SupervisorEvent =
  | { readonly kind: 'started'; readonly name: string; readonly pid: number; readonly attempt: number }
  | { readonly kind: 'died'; readonly name: string; readonly pid: number; readonly code: number | null; readonly signal: NodeJS.Signals | null; readonly upMs: number; readonly lastLines: readonly string[] }
  | { readonly kind: 'restarting'; readonly name: string; readonly inMs: number; readonly attempt: number }
  | { readonly kind: 'ready-again'; readonly name: string; readonly pid: number; readonly afterMs: number }
  | { readonly kind: 'giving-up'; readonly name: string; readonly reason: string };

export interface SupervisorOptions {
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  readonly policy: CrashPolicy;
  /** One line a process wrote (without its newline), and on which stream. */
  readonly onLine: (name: string, stream: 'stdout' | 'stderr', line: string) => void;
  readonly onEvent: (event: SupervisorEvent) => void;
  /** First restart delay; doubled per consecutive crash up to {@link maxBackoffMs}. */
  readonly backoffMs?: number;
  readonly maxBackoffMs?: number;
  /** Consecutive crashes of one process (each within {@link stableMs} of its start) before giving up. */
  readonly maxRestarts?: number;
  /** A process that ran this long before dying counts as a fresh crash (its backoff starts over). */
  readonly stableMs?: number;
  /** Lines of each process kept for its death report. */
  readonly keptLines?: number;
}

interface Slot {
  readonly spec: ClusterProcessSpec;
  child?: ChildProcess;
  startedAt: number;
  /** Crashes in a row, for the backoff. */
  crashes: number;
  /** Starts so far (1 = the first). */
  attempt: number;
  lines: string[];
  restartTimer?: NodeJS.Timeout;
  /** Resolves when the current child has exited. */
  exited: Promise<void>;
  lastExit?: { code: number | null; signal: NodeJS.Signals | null; at: number };
}

/**
 * Runs the processes of a local cluster and watches them (`custody up`): each child runs in its
 * own process group with an IPC channel, so a terminal's Ctrl-C reaches only the supervisor, which
 * stops them in order, and a supervisor that dies (even by SIGKILL) closes the channel, which makes
 * every child shut down (libs/platform run-service; anvil through its wrapper, chain-node-main.ts).
 * A child that dies after start-up is reported at once with its exit code or signal and its last
 * lines, then restarted with exponential backoff (`restart`) or the whole cluster stops with a
 * failure (`stop`).
 */
export class ClusterSupervisor {
  private readonly slots: Slot[];
  private stopping = false;
  private failure: string | undefined;
  private readonly failed: Promise<string>;
  private fail!: (reason: string) => void;
  private ready = false;

  constructor(
    specs: readonly ClusterProcessSpec[],
    private readonly options: SupervisorOptions,
  ) {
    this.slots = specs.map((spec) => ({ spec, startedAt: 0, crashes: 0, attempt: 0, lines: [], exited: Promise.resolve() }));
    this.failed = new Promise<string>((resolve) => {
      this.fail = (reason: string) => {
        if (this.failure !== undefined) return;
        this.failure = reason;
        resolve(reason);
      };
    });
  }

  /** Why the cluster failed (a process died before start-up finished, or gave up restarting). */
  get failedBecause(): Promise<string> {
    return this.failed;
  }

  get failureReason(): string | undefined {
    return this.failure;
  }

  start(): void {
    for (const slot of this.slots) this.spawn(slot);
  }

  /** The current PID of each process (a restarted one has a new PID). */
  pids(): Map<string, number> {
    const pids = new Map<string, number>();
    for (const s of this.slots) if (s.child?.pid !== undefined && !s.lastExit) pids.set(s.spec.name, s.child.pid);
    return pids;
  }

  private spawn(slot: Slot): void {
    const args = slot.spec.app === 'anvil' ? slot.spec.args : [];
    const child = spawn(process.execPath, [slot.spec.entry, ...args], {
      env: { ...this.options.baseEnv, ...slot.spec.env },
      // Own process group (Ctrl-C reaches only us); IPC channel so the child notices our death.
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    });
    slot.child = child;
    slot.startedAt = Date.now();
    slot.attempt += 1;
    slot.lastExit = undefined;
    slot.lines = [];
    const kept = this.options.keptLines ?? 20;
    for (const stream of ['stdout', 'stderr'] as const) {
      let partial = '';
      const source = child[stream];
      source?.setEncoding('utf8');
      source?.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) this.line(slot, stream, line, kept);
      });
      source?.on('end', () => {
        if (partial) this.line(slot, stream, partial, kept);
        partial = '';
      });
    }
    slot.exited = new Promise<void>((resolve) => {
      child.once('error', (error) => {
        this.line(slot, 'stderr', `cannot start: ${error.message}`, kept);
      });
      child.once('close', (code, signal) => {
        slot.lastExit = { code, signal, at: Date.now() };
        resolve();
        this.exited(slot, child, code, signal);
      });
    });
    if (child.pid !== undefined) this.options.onEvent({ kind: 'started', name: slot.spec.name, pid: child.pid, attempt: slot.attempt });
  }

  private line(slot: Slot, stream: 'stdout' | 'stderr', line: string, kept: number): void {
    if (line.length === 0) return;
    slot.lines.push(line);
    if (slot.lines.length > kept) slot.lines.splice(0, slot.lines.length - kept);
    this.options.onLine(slot.spec.name, stream, line);
  }

  private exited(slot: Slot, child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.stopping) return;
    const upMs = Date.now() - slot.startedAt;
    this.options.onEvent({ kind: 'died', name: slot.spec.name, pid: child.pid ?? 0, code, signal, upMs, lastLines: [...slot.lines] });
    if (!this.ready) {
      this.fail(`${slot.spec.name} exited with ${describeExit(code, signal)} before the cluster was ready`);
      return;
    }
    if (this.options.policy === 'stop') {
      this.fail(`${slot.spec.name} exited with ${describeExit(code, signal)} (--on-crash stop)`);
      return;
    }
    if (code === EXIT_CONFIG) {
      this.options.onEvent({ kind: 'giving-up', name: slot.spec.name, reason: 'it stopped on its configuration or a start-up check (exit 78); a restart would not help' });
      this.fail(`${slot.spec.name} exited with code ${EXIT_CONFIG}`);
      return;
    }
    const stableMs = this.options.stableMs ?? 60_000;
    slot.crashes = upMs >= stableMs ? 1 : slot.crashes + 1;
    const maxRestarts = this.options.maxRestarts ?? 5;
    if (slot.crashes > maxRestarts) {
      this.options.onEvent({ kind: 'giving-up', name: slot.spec.name, reason: `it died ${slot.crashes} times in a row` });
      this.fail(`${slot.spec.name} kept dying`);
      return;
    }
    const inMs = Math.min((this.options.backoffMs ?? 250) * 2 ** (slot.crashes - 1), this.options.maxBackoffMs ?? 10_000);
    this.options.onEvent({ kind: 'restarting', name: slot.spec.name, inMs, attempt: slot.attempt + 1 });
    slot.restartTimer = setTimeout(() => {
      slot.restartTimer = undefined;
      if (this.stopping) return;
      this.spawn(slot);
      void this.watchReadyAgain(slot, slot.child!);
    }, inMs);
  }

  private async watchReadyAgain(slot: Slot, child: ChildProcess): Promise<void> {
    const started = slot.startedAt;
    while (!this.stopping && slot.child === child && !slot.lastExit) {
      if (await isReady(slot.spec)) {
        if (!this.stopping && slot.child === child && !slot.lastExit) {
          this.options.onEvent({ kind: 'ready-again', name: slot.spec.name, pid: child.pid ?? 0, afterMs: Date.now() - started });
        }
        return;
      }
      await sleep(200);
    }
  }

  /**
   * Resolves when every process is ready (a service: HTTP /readyz 200 and gRPC SERVING; anvil: its
   * `eth_chainId` answers the planned id); rejects naming the first that died, or those not ready in
   * time. Ports were checked free before the start, so what answers is our own child.
   */
  async waitUntilReady(timeoutMs: number, pollMs = 250): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const pending = new Set(this.slots);
    while (pending.size > 0) {
      if (this.failure !== undefined) throw new Error(this.failure);
      for (const slot of [...pending]) if (await isReady(slot.spec)) pending.delete(slot);
      if (this.failure !== undefined) throw new Error(this.failure);
      if (pending.size === 0) break;
      if (Date.now() > deadline) throw new Error(`not ready after ${timeoutMs} ms: ${[...pending].map((s) => s.spec.name).join(', ')}`);
      await Promise.race([sleep(pollMs), this.failed]);
    }
    this.ready = true;
  }

  /**
   * Stops every process: `signal` to each (its process group), SIGKILL to those still running after
   * `killAfterMs`; pending restarts are cancelled. Resolves with how each exited.
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', killAfterMs = 10_000): Promise<ProcessExit[]> {
    this.stopping = true;
    const sentAt = Date.now();
    for (const slot of this.slots) {
      if (slot.restartTimer) clearTimeout(slot.restartTimer);
      slot.restartTimer = undefined;
      if (slot.child && !slot.lastExit) signalGroup(slot.child, signal);
    }
    const killer = setTimeout(() => this.kill(), killAfterMs);
    await Promise.all(this.slots.map((s) => s.exited));
    clearTimeout(killer);
    return this.slots.map((s) => ({
      name: s.spec.name,
      code: s.lastExit?.code ?? null,
      signal: s.lastExit?.signal ?? null,
      afterMs: Math.max(0, (s.lastExit?.at ?? sentAt) - sentAt),
    }));
  }

  /** SIGKILL to every process still running (a second Ctrl-C, or a stop past its deadline). */
  kill(): void {
    this.stopping = true;
    for (const slot of this.slots) if (slot.child && !slot.lastExit) signalGroup(slot.child, 'SIGKILL');
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal); // the child leads its own group: this reaches anything it started
  } catch {
    child.kill(signal);
  }
}

export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  return signal ? `signal ${signal}` : `code ${code ?? '?'}`;
}

async function isReady(spec: ClusterProcessSpec): Promise<boolean> {
  if (spec.app === 'anvil') return (await jsonRpcChainId(spec.rpcUrl, 1000)) === spec.chainId;
  const [http, grpc] = await Promise.all([httpStatus(`http://${spec.host}:${spec.httpPort}/readyz`, 1000), grpcHealthStatus(`${spec.host}:${spec.grpcPort}`, '', 1000)]);
  return http === 200 && grpc === 'SERVING';
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
