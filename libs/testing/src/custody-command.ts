import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import { randomInt } from 'node:crypto';
import { PROJECT_ROOT } from '@custody/config';

/** The operator's entry point, as a newcomer runs it (`node bin/custody.js`, the built dist/). */
export const CUSTODY_BIN = path.join(PROJECT_ROOT, 'bin', 'custody.js');

/** The lowest port of Linux's default ephemeral range; ranges picked here stay below it. */
const EPHEMERAL_LOW = 32768;

function bindable(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', () => resolve(false));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(true)));
  });
}

/**
 * A base port with `count` consecutive free ports on `host`, below the ephemeral range (where the
 * OS hands out ports to outgoing connections and to `listen(0)`), picked at random so parallel test
 * files rarely collide; a collision is detected by `custody up` itself before anything starts.
 */
export async function freePortRange(count: number, host = '127.0.0.1'): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const base = randomInt(20_000, EPHEMERAL_LOW - count);
    let free = true;
    for (let p = base; p < base + count && free; p++) free = await bindable(p, host);
    if (free) return base;
  }
  throw new Error(`no ${count} consecutive free ports found below ${EPHEMERAL_LOW}`);
}

/** A running `custody` command whose output lines are kept and can be waited for. */
export class CustodyProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private waiters: Array<{ pattern: RegExp; resolve: (m: RegExpMatchArray) => void }> = [];

  private constructor(readonly child: ChildProcess) {
    for (const stream of [child.stdout, child.stderr]) {
      let partial = '';
      stream?.setEncoding('utf8');
      stream?.on('data', (chunk: string) => {
        const parts = (partial + chunk).split('\n');
        partial = parts.pop() ?? '';
        for (const line of parts) this.add(line);
      });
    }
    this.exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  }

  /**
   * Starts `command` (a program and its arguments; `node bin/custody.js …` by default) with exactly
   * `env`. `detached` makes it the leader of its own process group, as `npm start` is in a terminal.
   */
  static start(args: readonly string[], env: Record<string, string | undefined>, options: { command?: readonly string[]; detached?: boolean } = {}): CustodyProcess {
    const [program, ...rest] = options.command ?? [process.execPath, CUSTODY_BIN];
    const child = spawn(program!, [...rest, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'], detached: options.detached ?? false });
    return new CustodyProcess(child);
  }

  get pid(): number {
    return this.child.pid!;
  }

  private add(line: string): void {
    this.lines.push(line);
    if (process.env.CUSTODY_TEST_LOGS === '1') process.stderr.write(`[custody] ${line}\n`);
    this.waiters = this.waiters.filter((w) => {
      const m = line.match(w.pattern);
      if (m) w.resolve(m);
      return !m;
    });
  }

  /** The first line (already printed or still to come) matching `pattern`; rejects after `timeoutMs` or at exit. */
  waitFor(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    for (const line of this.lines) {
      const m = line.match(pattern);
      if (m) return Promise.resolve(m);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w.resolve !== done);
        reject(new Error(`no line matching ${pattern} within ${timeoutMs} ms; last lines:\n${this.lines.slice(-15).join('\n')}`));
      }, timeoutMs);
      const done = (m: RegExpMatchArray): void => {
        clearTimeout(timer);
        resolve(m);
      };
      this.waiters.push({ pattern, resolve: done });
      void this.exited.then(({ code, signal }) => {
        if (this.waiters.some((w) => w.resolve === done)) {
          clearTimeout(timer);
          reject(new Error(`exited (${code ?? signal}) before a line matching ${pattern}; last lines:\n${this.lines.slice(-15).join('\n')}`));
        }
      });
    });
  }

  /** Every PID `custody up` printed: its own and each child's, restarted ones included. */
  printedPids(): number[] {
    const pids = new Set<number>();
    for (const line of this.lines) {
      for (const m of line.matchAll(/^custody: (?:supervisor pid (\d+)|(?:started|restarted) \S+ \(pid (\d+)\))/g)) pids.add(Number(m[1] ?? m[2]));
    }
    return [...pids];
  }
}

/** Whether a process with this PID still exists (a zombie counts as gone). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    // Linux: a zombie has exited; it only waits for its parent to reap it.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true;
  }
}

/** Waits until none of `pids` exists; returns those still alive after `timeoutMs`. */
export async function waitUntilGone(pids: readonly number[], timeoutMs: number): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  let alive = pids.filter(processAlive);
  while (alive.length > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    alive = alive.filter(processAlive);
  }
  return alive;
}
