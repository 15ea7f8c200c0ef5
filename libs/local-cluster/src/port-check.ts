import * as fs from 'node:fs';
import * as net from 'node:net';
import type { ClusterProcessSpec } from './cluster-plan';

/** A port the cluster needs that another process holds (or that cannot be bound). */
export class PortBusyError extends Error {
  override readonly name = 'PortBusyError';
  constructor(
    readonly port: number,
    readonly host: string,
    readonly usedFor: string,
    reason: string,
  ) {
    super(`port ${port} on ${host} (${usedFor}) is ${reason}`);
  }
}

function tryBind(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const server = net.createServer();
    server.unref();
    server.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'EADDRINUSE' ? 'in use by another process' : `not bindable (${error.code ?? error.message})`));
    server.listen({ host, port, exclusive: true }, () => server.close(() => resolve(undefined)));
  });
}

/**
 * Checks, before anything starts, that every port of the plan is distinct and free on its host
 * (binding each for a moment): the first busy one is named with the process that needs it, so a
 * leftover cluster is reported instead of probed as if it were ours.
 */
export async function assertPortsFree(specs: readonly ClusterProcessSpec[]): Promise<void> {
  const seen = new Map<number, string>();
  for (const spec of specs) {
    const ports = spec.app === 'anvil' ? ([['JSON-RPC', spec.rpcPort]] as const) : ([['HTTP', spec.httpPort], ['gRPC', spec.grpcPort], ['metrics', spec.metricsPort]] as const);
    for (const [kind, port] of ports) {
      const usedFor = `${spec.name} ${kind}`;
      const other = seen.get(port);
      if (other) throw new PortBusyError(port, spec.host, usedFor, `also planned for ${other}`);
      seen.set(port, usedFor);
      const busy = await tryBind(spec.host, port);
      if (busy) throw new PortBusyError(port, spec.host, usedFor, busy);
    }
  }
}

/** The kernel's ephemeral (outgoing) port range on Linux, if it can be read. */
export function ephemeralPortRange(file = '/proc/sys/net/ipv4/ip_local_port_range'): { low: number; high: number } | undefined {
  try {
    const [low, high] = fs.readFileSync(file, 'utf8').trim().split(/\s+/).map(Number);
    return Number.isInteger(low) && Number.isInteger(high) ? { low: low!, high: high! } : undefined;
  } catch {
    return undefined;
  }
}
