import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command } from 'commander';
import { PROJECT_ROOT, redactUrl } from '@custody/config';
import { DEFAULT_PORTS, loadOrCreateLocalSecrets, LocalCluster, MIN_SIGNERS, planCluster, type ProcessExit } from '@custody/local-cluster';
import { connectRedis, RedisUnavailableError } from '@custody/platform';
import { CliUsageError } from '../cli-error';
import { readCliEnvironment } from '../cli-config';
import { parseIntegerOption } from '../options';
import { migrate } from './migrate.command';

interface UpFlags {
  signers: number;
  host: string;
  readyTimeout: number;
  secretsDir: string;
}

/** `custody up`: migrate, then run the whole local cluster until Ctrl-C. */
export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description('migrate, then start the local cluster (gateway, policy-engine, ledger, chain-indexer and the signers) until Ctrl-C')
    .option('--signers <n>', `number of signer nodes (at least ${MIN_SIGNERS})`, parseIntegerOption(MIN_SIGNERS, 255), MIN_SIGNERS)
    .option('--host <address>', 'address every service binds to', '127.0.0.1')
    .option('--ready-timeout <seconds>', 'how long to wait for every service to be ready', parseIntegerOption(1, 3600), 60)
    .option('--secrets-dir <dir>', 'where the local cluster keeps its development keys (made on first run)', path.join(PROJECT_ROOT, '.custody', 'local-secrets'))
    .action(async (flags: UpFlags) => {
      process.exitCode = await up(flags);
    });
}

async function up(flags: UpFlags): Promise<number> {
  const env = readCliEnvironment();
  const say = (line: string): void => void process.stdout.write(`custody: ${line}\n`);

  const secrets = loadOrCreateLocalSecrets(flags.secretsDir, flags.signers);
  const specs = planCluster(
    { databaseUrl: env.databaseUrl, redisUrl: env.redisUrl, signerCount: flags.signers, host: flags.host, logLevel: env.logLevel, otlpEndpoint: env.otlpEndpoint, secrets },
    DEFAULT_PORTS,
  );
  const missing = specs.find((s) => !fs.existsSync(s.entry));
  if (missing) throw new CliUsageError(`${missing.entry} is missing: run \`npm run build\` first`);

  say(`postgres ${redactUrl(env.databaseUrl)}, redis ${redactUrl(env.redisUrl)}`);
  await migrate({ databaseUrl: env.databaseUrl, signers: flags.signers }, (line) => say(`migrate ${line}`));
  try {
    (await connectRedis(env.redisUrl, 'custody-up')).disconnect();
  } catch (error) {
    if (error instanceof RedisUnavailableError) throw new CliUsageError(`${error.message} (set REDIS_URL)`);
    throw error;
  }

  const cluster = LocalCluster.start(specs, { baseEnv: { PATH: process.env.PATH, NODE_ENV: process.env.NODE_ENV }, output: 'inherit' });
  let stopping: Promise<ProcessExit[]> | undefined;
  const stop = (): Promise<ProcessExit[]> => (stopping ??= cluster.stop('SIGTERM'));
  const interrupted = new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });

  try {
    await cluster.waitUntilReady(flags.readyTimeout * 1000);
  } catch (error) {
    await stop();
    throw new CliUsageError(error instanceof Error ? error.message : String(error));
  }
  say('every service is ready (HTTP /healthz 200, gRPC health SERVING):');
  for (const s of specs) {
    say(`  ${s.name.padEnd(14)} http://${s.host}:${s.httpPort}  (/healthz, /metrics)   grpc ${s.host}:${s.grpcPort}`);
  }
  say('press Ctrl-C to stop');

  await interrupted;
  say('stopping…');
  const exits = await stop();
  for (const e of exits) say(`  ${e.name.padEnd(14)} exited ${e.code ?? e.signal} after ${e.afterMs} ms`);
  return exits.every((e) => e.code === 0) ? 0 : 1;
}
