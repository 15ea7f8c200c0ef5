import { spawn, type ChildProcess } from 'node:child_process';
import { connect } from 'node:net';
import { freePorts } from '@custody/local-cluster';

/**
 * Test support: a private, real `redis-server` (the machine's Debian binary) on a free loopback port,
 * without persistence, for tests that stop or restart Redis under a running service. The shared
 * Redis on 6379 serves every other test file in parallel, so it is never the one restarted.
 */
export interface PrivateRedis {
  readonly url: string;
  readonly port: number;
  /** SIGKILL and start again on the same port: every key is gone (no persistence), as after a crash. */
  restart(): Promise<void>;
  /** SIGKILL, leaving it down until `start()`. */
  kill(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

const BINARY = process.env.REDIS_SERVER_BIN ?? 'redis-server';

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port }, () => socket.write('PING\r\n'));
    socket.setTimeout(500, () => {
      socket.destroy();
      resolve(false);
    });
    socket.once('data', (d) => {
      socket.destroy();
      resolve(d.toString('utf8').startsWith('+PONG'));
    });
    socket.once('error', () => resolve(false));
  });
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const [port] = await freePorts(1);
  let child: ChildProcess | undefined;
  let output = '';

  const start = async (): Promise<void> => {
    const c = spawn(BINARY, ['--bind', '127.0.0.1', '--port', String(port), '--save', '', '--appendonly', 'no'], { stdio: ['ignore', 'pipe', 'pipe'] });
    child = c;
    c.stdout!.on('data', (d: Buffer) => (output += d.toString('utf8')));
    c.stderr!.on('data', (d: Buffer) => (output += d.toString('utf8')));
    const spawnError = new Promise<Error>((resolve) => c.once('error', resolve));
    for (let i = 0; ; i++) {
      if (c.exitCode !== null) throw new Error(`redis-server exited ${c.exitCode}: ${output.slice(-2000)}`);
      const ready = await Promise.race([ping(port!), spawnError.then((e) => Promise.reject(new Error(`cannot start ${BINARY} (apt-get install redis-server): ${e.message}`)))]);
      if (ready) return;
      if (i > 100) throw new Error(`redis-server not answering on ${port}: ${output.slice(-2000)}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const kill = async (): Promise<void> => {
    const c = child;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    const exited = new Promise((r) => c.once('exit', r));
    c.kill('SIGKILL');
    await exited;
  };

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port: port!,
    start,
    kill,
    async restart() {
      await kill();
      await start();
    },
    stop: kill,
  };
}
