/**
 * The program `custody up` runs as its `anvil` process: `node chain-node-main.js <binary> <args…>`.
 * anvil cannot notice that its supervisor is gone; this thin parent can. The supervisor starts it
 * like every service (own process group, IPC channel): its stop signal reaches anvil through the
 * group, and when the channel closes (the supervisor died, even by SIGKILL) it stops anvil itself,
 * so no node outlives the cluster. It exits with anvil's code, 0 after a requested stop (anvil
 * writes its state file on SIGTERM and exits 0).
 */
import { spawn } from 'node:child_process';

const [binary, ...args] = process.argv.slice(2);
if (!binary) {
  process.stderr.write('chain-node-main: usage: chain-node-main <binary> [args…]\n');
  process.exit(2);
}

const child = spawn(binary, args, { stdio: ['ignore', 'inherit', 'inherit'] });
let stopping = false;

function stop(signal: NodeJS.Signals): void {
  if (stopping) return;
  stopping = true;
  // The supervisor signals the whole group, anvil included; forwarding covers a signal sent to us alone.
  if (child.exitCode === null && child.signalCode === null) child.kill(signal);
  // anvil writes its state on the way out; past this it is killed (and its state not written).
  setTimeout(() => child.kill('SIGKILL'), 8_000).unref();
}

for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, () => stop(signal));
process.once('disconnect', () => stop('SIGTERM'));

child.once('error', (error) => {
  process.stderr.write(`chain-node-main: cannot start ${binary}: ${error.message}\n`);
  process.exit(1);
});
child.once('exit', (code, signal) => {
  if (code !== null) process.exit(code);
  process.exit(stopping && (signal === 'SIGTERM' || signal === 'SIGINT') ? 0 : 1);
});
