import { Command } from 'commander';
import { ed25519PrivateKey } from '@custody/http-signatures';
import { ConflictError, CustodyApiError, CustodyClient, type ApiClientResource } from '@custody/client';
import { DEV_CLIENTS, loadDevClient, type LocalApiClient } from '@custody/local-cluster';
import { CliUsageError } from '../cli-error';
import { readCliEnvironment } from '../cli-config';

interface ClientFlags {
  as: string;
  gateway?: string;
  secretsDir?: string;
  json?: boolean;
}

/** A client of the running cluster's gateway, signing as development client `--as`. */
export function apiClientFor(flags: ClientFlags, defaultSecretsDir: string): CustodyClient {
  const env = readCliEnvironment();
  const dir = flags.secretsDir ?? env.secretsDir ?? defaultSecretsDir;
  let dev;
  try {
    dev = loadDevClient(dir, flags.as);
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error));
  }
  const baseUrl = flags.gateway ?? `http://127.0.0.1:${env.basePort}`;
  return new CustodyClient({ baseUrl, credentials: { clientId: dev.clientId, privateKey: ed25519PrivateKey(dev.seed) } });
}

function table(rows: ApiClientResource[]): string {
  const header = ['CLIENT', 'ROLES', 'STATE', 'CREATED'];
  const body = rows.map((c) => [c.clientId, c.roles.join(','), c.disabled ? 'disabled' : 'enabled', c.createTime]);
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  return [header, ...body].map((r) => r.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()).join('\n') + '\n';
}

function print(flags: ClientFlags, value: ApiClientResource | ApiClientResource[]): void {
  if (flags.json) process.stdout.write(JSON.stringify(value) + '\n');
  else process.stdout.write(table(Array.isArray(value) ? value : [value]));
}

async function run(action: () => Promise<void>): Promise<void> {
  try {
    await action();
  } catch (error) {
    if (error instanceof CustodyApiError) {
      process.stderr.write(`custody: ${error.status} ${error.code}: ${error.detail}\n`);
      process.exitCode = 1;
      return;
    }
    throw error;
  }
}

/**
 * Registers the development clients of `custody up` (other than the bootstrap admin) through the
 * API as `dev-admin`; those already there are left as they are.
 */
export async function registerDevClients(baseUrl: string, clients: readonly LocalApiClient[], adminSeed: Uint8Array): Promise<void> {
  const admin = new CustodyClient({ baseUrl, credentials: { clientId: 'dev-admin', privateKey: ed25519PrivateKey(adminSeed) } });
  for (const c of clients.filter((x) => x.as !== 'admin')) {
    try {
      await admin.createClient({ clientId: c.clientId, publicKey: c.publicKey, roles: [...c.roles] });
    } catch (error) {
      if (!(error instanceof ConflictError)) throw error;
    }
  }
}

/** `custody client list|get|create|disable --as <name>`: API clients, through the gateway (libs/client). */
export function registerClientCommands(program: Command, defaultSecretsDir: string): void {
  const client = program.command('client').description('API clients of the running cluster (admin only), through the gateway');
  const common = (c: Command): Command =>
    c
      .option('--as <name>', `development client to sign as: ${Object.keys(DEV_CLIENTS).join(', ')}`, 'admin')
      .option('--gateway <url>', 'the gateway (default: http://127.0.0.1:$CUSTODY_BASE_PORT or 8080)')
      .option('--secrets-dir <dir>', 'where `custody up` keeps the development keys')
      .option('--json', 'print JSON instead of a table');
  common(client.command('list').description('list every API client')).action((flags: ClientFlags) =>
    run(async () => {
      const all: ApiClientResource[] = [];
      for await (const c of apiClientFor(flags, defaultSecretsDir).allClients()) all.push(c);
      print(flags, all);
    }),
  );
  common(client.command('get <clientId>').description('show one API client')).action((clientId: string, flags: ClientFlags) => run(async () => print(flags, await apiClientFor(flags, defaultSecretsDir).getClient(clientId))));
  common(client.command('create <clientId> <publicKeyHex>').description('register an API client').requiredOption('--roles <roles>', 'comma-separated: viewer, operator, approver, compliance-admin, auditor, admin')).action(
    (clientId: string, publicKey: string, flags: ClientFlags & { roles: string }) =>
      run(async () => print(flags, await apiClientFor(flags, defaultSecretsDir).createClient({ clientId, publicKey, roles: flags.roles.split(',').map((r) => r.trim()) }))),
  );
  common(client.command('disable <clientId>').description('disable an API client')).action((clientId: string, flags: ClientFlags) => run(async () => print(flags, await apiClientFor(flags, defaultSecretsDir).disableClient(clientId))));
}
