import { spawn, type ChildProcess } from 'node:child_process';
import { grpcHealthStatus, httpStatus } from './health-probe';
import type { ServiceProcessSpec } from './cluster-plan';

export interface ProcessExit {
  readonly name: string;
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  /** Milliseconds from the stop signal to the exit (0 when it had exited before). */
  readonly afterMs: number;
}

export interface StartOptions {
  /** Environment every process starts from (PATH and the like); each spec's own variables override it. */
  readonly baseEnv: Readonly<Record<string, string | undefined>>;
  /** `inherit`: children write to our stdout/stderr (custody up); `capture`: kept for diagnostics (tests). */
  readonly output: 'inherit' | 'capture';
}

interface RunningProcess {
  readonly spec: ServiceProcessSpec;
  readonly child: ChildProcess;
  readonly output: string[];
  exit?: { code: number | null; signal: NodeJS.Signals | null; at: number };
  readonly exited: Promise<void>;
}

const KEPT_OUTPUT_LINES = 200;

/**
 * A supervisor for the processes of a local cluster: starts them, waits until every one is ready
 * (HTTP `/readyz` 200 and gRPC health SERVING), and stops them with SIGTERM, reporting how each
 * exited. Used by `custody up` and by the end-to-end tests alike.
 */
export class LocalCluster {
  private constructor(private readonly processes: RunningProcess[]) {}

  static start(specs: readonly ServiceProcessSpec[], options: StartOptions): LocalCluster {
    const processes = specs.map((spec) => {
      const child = spawn(process.execPath, [spec.entry], {
        env: { ...options.baseEnv, ...spec.env },
        stdio: options.output === 'inherit' ? ['ignore', 'inherit', 'inherit'] : ['ignore', 'pipe', 'pipe'],
      });
      const output: string[] = [];
      const keep = (chunk: Buffer): void => {
        output.push(...chunk.toString('utf8').split('\n').filter((line) => line.length > 0));
        if (output.length > KEPT_OUTPUT_LINES) output.splice(0, output.length - KEPT_OUTPUT_LINES);
      };
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      const running: RunningProcess = {
        spec,
        child,
        output,
        exited: new Promise<void>((resolve) => {
          child.once('exit', (code, signal) => {
            running.exit = { code, signal, at: Date.now() };
            resolve();
          });
        }),
      };
      return running;
    });
    return new LocalCluster(processes);
  }

  get specs(): ServiceProcessSpec[] {
    return this.processes.map((p) => p.spec);
  }

  pid(name: string): number | undefined {
    return this.processes.find((p) => p.spec.name === name)?.child.pid;
  }

  /** The last lines a process wrote (in `capture` mode). */
  output(name: string): readonly string[] {
    return this.processes.find((p) => p.spec.name === name)?.output ?? [];
  }

  /** Resolves when every process is ready; rejects naming the first that exited or is not ready in time. */
  async waitUntilReady(timeoutMs: number, pollMs = 250): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const pending = new Set(this.processes);
    while (pending.size > 0) {
      for (const p of [...pending]) {
        if (p.exit) {
          const tail = p.output.slice(-5).join('\n');
          throw new Error(`${p.spec.name} exited with code ${p.exit.code ?? p.exit.signal} before it was ready${tail ? `:\n${tail}` : ''}`);
        }
        if (await this.isReady(p.spec)) pending.delete(p);
      }
      if (pending.size === 0) return;
      if (Date.now() > deadline) {
        throw new Error(`not ready after ${timeoutMs} ms: ${[...pending].map((p) => p.spec.name).join(', ')}`);
      }
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
  }

  async isReady(spec: ServiceProcessSpec): Promise<boolean> {
    const [http, grpc] = await Promise.all([
      httpStatus(`http://${spec.host}:${spec.httpPort}/readyz`),
      grpcHealthStatus(`${spec.host}:${spec.grpcPort}`),
    ]);
    return http === 200 && grpc === 'SERVING';
  }

  /**
   * Sends `signal` to every running process and waits for all to exit. A process still running
   * after `killAfterMs` gets SIGKILL (and its exit shows it).
   */
  async stop(signal: NodeJS.Signals = 'SIGTERM', killAfterMs = 10_000): Promise<ProcessExit[]> {
    const sentAt = Date.now();
    for (const p of this.processes) if (!p.exit) p.child.kill(signal);
    const killer = setTimeout(() => {
      for (const p of this.processes) if (!p.exit) p.child.kill('SIGKILL');
    }, killAfterMs);
    await Promise.all(this.processes.map((p) => p.exited));
    clearTimeout(killer);
    return this.processes.map((p) => ({
      name: p.spec.name,
      code: p.exit?.code ?? null,
      signal: p.exit?.signal ?? null,
      afterMs: Math.max(0, (p.exit?.at ?? sentAt) - sentAt),
    }));
  }
}
