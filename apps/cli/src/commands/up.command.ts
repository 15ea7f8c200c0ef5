import * as fs from 'node:fs';
import * as path from 'node:path';
import { Command, Option } from 'commander';
import { PROJECT_ROOT, redactUrl } from '@custody/config';
import {
  anvilBinary,
  assertPortsFree,
  chainNodePort,
  ClusterSupervisor,
  describeExit,
  ensureLedgerAsset,
  ephemeralPortRange,
  formatLogBody,
  formatLogLine,
  loadOrCreateLocalSecrets,
  LOCAL_CHAIN_ID,
  LOCAL_CHAIN_NAME,
  LOCAL_CHAIN_STATE_FILE,
  LOCAL_NATIVE_ASSET,
  MIN_SIGNERS,
  planChainNode,
  planCluster,
  PortBusyError,
  portsFromBase,
  portSpan,
  writeLocalChainInfo,
  type ChainNodeSpec,
  type ClusterProcessSpec,
  type CrashPolicy,
  type SupervisorEvent,
} from '@custody/local-cluster';
import { connectRedis, RedisUnavailableError } from '@custody/platform';
import { CliUsageError } from '../cli-error';
import { readCliEnvironment } from '../cli-config';
import { parseIntegerOption, parseUrlOption } from '../options';
import { migrate } from './migrate.command';
import { registerDevClients } from './client.command';
import { loadDevClient } from '@custody/local-cluster';
// PUBLIC test-only primes, used only with --test-only-primes (tests and demonstrations, never a real key).
import { TEST_ONLY_SAFE_PRIMES_1024 } from '../../../../libs/mpc-core/test/fixtures/test-only-safe-primes';

interface UpFlags {
  signers: number;
  host: string;
  readyTimeout: number;
  secretsDir?: string;
  basePort?: number;
  databaseUrl?: URL;
  onCrash: CrashPolicy;
  jsonLogs?: boolean;
  testOnlyPrimes?: boolean;
  chainRpcUrl?: URL;
  chainId: number;
}

/** SIGNER_PRIME_SOURCE=test-only-fixtures for each signer, its PUBLIC pair written under `dir`. */
function testOnlyPrimesEnv(dir: string, signerCount: number): (signerId: number) => Record<string, string> {
  if (signerCount > TEST_ONLY_SAFE_PRIMES_1024.length) throw new CliUsageError(`--test-only-primes has only ${TEST_ONLY_SAFE_PRIMES_1024.length} prime pairs: use fewer --signers`);
  return (signerId) => {
    const [p, q] = TEST_ONLY_SAFE_PRIMES_1024[signerId - 1]!;
    const file = path.join(dir, `signer-${signerId}.test-only-primes.json`);
    fs.writeFileSync(file, JSON.stringify({ p: p.toString(16), q: q.toString(16) }), { mode: 0o600 });
    return { SIGNER_PRIME_SOURCE: 'test-only-fixtures', SIGNER_TEST_ONLY_PRIMES_FILE: file };
  };
}

/** `custody up`'s development keys, unless --secrets-dir or CUSTODY_SECRETS_DIR says otherwise. */
export const DEFAULT_SECRETS_DIR = path.join(PROJECT_ROOT, '.custody', 'local-secrets');
const DEFAULT_SECRETS_DIR_SHOWN = path.join('.custody', 'local-secrets');

/** How often `custody up` checks that the process that started it is still there. */
const PARENT_POLL_MS = 500;

/** `custody up`: migrate, then run and supervise the whole local cluster until Ctrl-C. */
export function registerUpCommand(program: Command): void {
  program
    .command('up')
    .description('migrate, then start and supervise the local cluster (gateway, policy-engine, ledger, chain-indexer, the signers and anvil, the local chain) until Ctrl-C')
    .option('--signers <n>', `number of signer nodes (at least ${MIN_SIGNERS})`, parseIntegerOption(MIN_SIGNERS, 255), MIN_SIGNERS)
    .option('--host <address>', 'address every service binds to', '127.0.0.1')
    .option('--base-port <port>', 'first port of the cluster (default: $CUSTODY_BASE_PORT or 8080); process k listens on HTTP base+3k, gRPC base+3k+1, metrics base+3k+2', parseIntegerOption(1024, 65535))
    .option(
      '--chain-rpc-url <url>',
      'follow this EVM node (JSON-RPC) instead of starting anvil: the chain indexer reads it and the withdrawal pipeline sends on it (the indexer retries until it answers)',
      parseUrlOption(['http', 'https']),
    )
    .option('--chain-id <id>', `the chain's EIP-155 id: anvil's, or the one the --chain-rpc-url node must answer`, parseIntegerOption(1, Number.MAX_SAFE_INTEGER), LOCAL_CHAIN_ID)
    .option('--database-url <url>', 'the services\' database; each signer gets <db>_signer_<id> beside it (default: $DATABASE_URL or the local one)', parseUrlOption(['postgres', 'postgresql']))
    .addOption(new Option('--on-crash <policy>', 'when a process dies: restart it with backoff, or stop the whole cluster (exit 1)').choices(['restart', 'stop']).default('restart'))
    .option('--json-logs', 'print the services\' JSON log lines as they are (default: one readable line each, prefixed by the service)')
    .option('--test-only-primes', 'signers take PUBLIC test-only Paillier primes instead of generating them (tests and demonstrations: their ECDSA keys protect nothing)')
    .option('--ready-timeout <seconds>', 'how long to wait for every service to be ready', parseIntegerOption(1, 3600), 60)
    .option('--secrets-dir <dir>', `where the local cluster keeps its development keys, made on first run (default: $CUSTODY_SECRETS_DIR or ${DEFAULT_SECRETS_DIR_SHOWN})`)
    .action(async (flags: UpFlags) => {
      process.exitCode = await up(flags);
    });
}

async function up(flags: UpFlags): Promise<number> {
  const env = readCliEnvironment();
  const say = (line: string): void => void process.stdout.write(`custody: ${line}\n`);
  const warn = (line: string): void => void process.stderr.write(`custody: ${line}\n`);
  const databaseUrl = flags.databaseUrl ?? env.databaseUrl;
  const basePort = flags.basePort ?? env.basePort;
  const span = portSpan(flags.signers);
  if (basePort + span - 1 > 65535) throw new CliUsageError(`--base-port ${basePort} leaves no room for ${span} ports (the last would be ${basePort + span - 1})`);

  const secretsDir = flags.secretsDir ?? env.secretsDir ?? DEFAULT_SECRETS_DIR;
  const secrets = loadOrCreateLocalSecrets(secretsDir, flags.signers);
  // The local chain: anvil on the port after the signers', unless the operator names a node to follow.
  let chainNode: ChainNodeSpec | undefined;
  if (!flags.chainRpcUrl) {
    let binary: string;
    try {
      binary = anvilBinary();
    } catch (error) {
      throw new CliUsageError(`${error instanceof Error ? error.message : String(error)}; or follow a node of your own with --chain-rpc-url`);
    }
    chainNode = planChainNode({ binary, host: flags.host, port: chainNodePort(basePort, flags.signers), chainId: flags.chainId, stateFile: path.join(secretsDir, LOCAL_CHAIN_STATE_FILE) });
  }
  const chainRpcUrl = flags.chainRpcUrl ?? new URL(chainNode!.rpcUrl);
  const services = planCluster(
    {
      databaseUrl,
      redisUrl: env.redisUrl,
      signerCount: flags.signers,
      host: flags.host,
      logLevel: env.logLevel,
      otlpEndpoint: env.otlpEndpoint,
      secrets,
      signerEnv: env.signerEnv,
      chainRpcUrl,
      chainId: flags.chainId,
      perSignerEnv: flags.testOnlyPrimes ? testOnlyPrimesEnv(secretsDir, flags.signers) : undefined,
    },
    portsFromBase(basePort),
  );
  const specs: ClusterProcessSpec[] = chainNode ? [chainNode, ...services] : services;
  const missing = specs.find((s) => !fs.existsSync(s.entry));
  if (missing) throw new CliUsageError(`${missing.entry} is missing: run \`npm run build\` first`);
  try {
    await assertPortsFree(specs);
  } catch (error) {
    if (error instanceof PortBusyError) {
      throw new CliUsageError(`${error.message}: stop what holds it (an earlier \`custody up\`?) or move the cluster with --base-port or CUSTODY_BASE_PORT (now ${basePort}, ports ${basePort}-${basePort + span - 1})`);
    }
    throw error;
  }
  const ephemeral = ephemeralPortRange();
  if (ephemeral && basePort <= ephemeral.high && basePort + span - 1 >= ephemeral.low) {
    warn(`ports ${basePort}-${basePort + span - 1} overlap the ephemeral port range ${ephemeral.low}-${ephemeral.high}: an outgoing connection may take one (choose a --base-port below ${ephemeral.low - span})`);
  }

  if (flags.testOnlyPrimes) warn('--test-only-primes: the signers use PUBLIC test-only Paillier primes; their ECDSA keys protect nothing');
  say(`postgres ${redactUrl(databaseUrl)}, redis ${redactUrl(env.redisUrl)}`);
  await migrate({ databaseUrl, signers: flags.signers }, (line) => say(`migrate ${line}`));
  try {
    (await connectRedis(env.redisUrl, 'custody-up')).disconnect();
  } catch (error) {
    if (error instanceof RedisUnavailableError) throw new CliUsageError(`${error.message} (set REDIS_URL)`);
    throw error;
  }

  const color = process.stdout.isTTY === true && !flags.jsonLogs;
  const nameWidth = Math.max(...specs.map((s) => s.name.length));
  const supervisor = new ClusterSupervisor(specs, {
    baseEnv: { PATH: process.env.PATH, NODE_ENV: process.env.NODE_ENV },
    policy: flags.onCrash,
    onLine: (name, stream, line) => {
      const out = stream === 'stdout' ? process.stdout : process.stderr;
      out.write((flags.jsonLogs ? line : formatLogLine(name, line, { color: color && (stream === 'stdout' ? true : process.stderr.isTTY === true), nameWidth })) + '\n');
    },
    onEvent: (event) => report(event, say, warn, (line) => (flags.jsonLogs ? line : formatLogBody(line, false))),
  });

  // Stop on SIGINT (Ctrl-C), SIGTERM and SIGHUP, and when the process that started us is gone (a
  // SIGTERM to `npm start` ends its shell, not us); a second signal kills what is left at once.
  let stopRequested: (why: string) => void = () => undefined;
  const interrupted = new Promise<string>((resolve) => (stopRequested = resolve));
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals += 1;
    if (signals > 1) {
      warn(`${signal} again: killing every process now`);
      supervisor.kill();
      return;
    }
    stopRequested(signal);
  };
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, onSignal);
  const parentPid = process.ppid;
  const parentWatch = setInterval(() => {
    if (process.ppid !== parentPid) stopRequested(`its parent process ${parentPid} is gone`);
  }, PARENT_POLL_MS);
  parentWatch.unref();

  say(`supervisor pid ${process.pid}; ports ${basePort}-${basePort + span - 1} on ${flags.host}; on a crash: ${flags.onCrash}`);
  supervisor.start();
  const stopAndReport = async (): Promise<boolean> => {
    say('stopping…');
    const exits = await supervisor.stop('SIGTERM');
    for (const e of exits) say(`  ${e.name.padEnd(nameWidth)} exited with ${describeExit(e.code, e.signal)} after ${e.afterMs} ms`);
    return exits.every((e) => e.code === 0);
  };

  try {
    const early = await Promise.race([supervisor.waitUntilReady(flags.readyTimeout * 1000).then(() => undefined), interrupted]);
    if (early !== undefined) {
      say(`${early} before every service was ready`);
      await stopAndReport();
      return 1;
    }
  } catch (error) {
    warn(error instanceof Error ? error.message : String(error));
    await stopAndReport();
    return 1;
  }
  const pids = supervisor.pids();
  say(`every service is ready (HTTP /readyz 200, gRPC health SERVING${chainNode ? '; anvil answers eth_chainId' : ''}):`);
  for (const s of specs) {
    const pid = String(pids.get(s.name) ?? '?').padEnd(7);
    if (s.app === 'anvil') say(`  ${s.name.padEnd(nameWidth)} pid ${pid} json-rpc ${s.rpcUrl}   chain ${LOCAL_CHAIN_NAME}, id ${s.chainId}   state ${s.stateFile}`);
    else say(`  ${s.name.padEnd(nameWidth)} pid ${pid} http://${s.host}:${s.httpPort} (/livez, /readyz)   metrics http://${s.host}:${s.metricsPort}/metrics   grpc ${s.host}:${s.grpcPort}`);
  }
  if (!chainNode) say(`chain ${LOCAL_CHAIN_NAME}, id ${flags.chainId}: following ${redactUrl(chainRpcUrl)} (--chain-rpc-url)`);
  writeLocalChainInfo(secretsDir, { chain: LOCAL_CHAIN_NAME, chainId: flags.chainId, rpcUrl: chainRpcUrl.toString(), nativeAsset: LOCAL_NATIVE_ASSET.code, startedByUp: chainNode !== undefined });
  const ledger = services.find((s) => s.app === 'ledger');
  if (ledger) {
    const asset = { chain: LOCAL_CHAIN_NAME, code: LOCAL_NATIVE_ASSET.code, decimals: LOCAL_NATIVE_ASSET.decimals, contract: '', confirmations: LOCAL_NATIVE_ASSET.confirmations };
    try {
      const outcome = await ensureLedgerAsset(`${ledger.host}:${ledger.grpcPort}`, asset);
      if (outcome.kind === 'ready') say(`ledger asset ${asset.chain}/${asset.code}: ${asset.decimals} decimals, deposits credited at depth ${asset.confirmations}`);
      else warn(`ledger asset ${asset.chain}/${asset.code} exists with other terms, kept as it is: ${outcome.detail}`);
    } catch (error) {
      warn(`could not make the ledger asset ${asset.chain}/${asset.code}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  say(`development approvers, pinned in every signer's APPROVER_KEYS (their seeds in ${secretsDir}):`);
  for (const a of secrets.approvers) say(`  ${a.id.padEnd(nameWidth)} ${a.publicKey}  ${path.basename(a.seedFile)}`);
  const gateway = services.find((s) => s.app === 'gateway');
  if (gateway && secrets.clients) {
    try {
      await registerDevClients(`http://${gateway.host}:${gateway.httpPort}`, secrets.clients, loadDevClient(secretsDir, 'admin').seed);
      say(`development API clients (their seeds in ${secretsDir}; the CLI signs as one with --as <name>):`);
      for (const c of secrets.clients) say(`  ${c.as.padEnd(nameWidth)} ${c.clientId} [${c.roles.join(',')}] ${c.publicKey}`);
    } catch (error) {
      warn(`could not register the development API clients: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  say('press Ctrl-C to stop');

  const outcome = await Promise.race([interrupted.then((why) => ({ why, failed: false })), supervisor.failedBecause.then((why) => ({ why, failed: true }))]);
  say(outcome.failed ? `the cluster failed: ${outcome.why}` : `${outcome.why}: stopping the cluster`);
  const clean = await stopAndReport();
  clearInterval(parentWatch);
  return !outcome.failed && clean ? 0 : 1;
}

function report(event: SupervisorEvent, say: (line: string) => void, warn: (line: string) => void, pretty: (line: string) => string): void {
  switch (event.kind) {
    case 'started':
      say(`${event.attempt === 1 ? 'started' : 'restarted'} ${event.name} (pid ${event.pid})`);
      break;
    case 'died':
      warn(`${event.name} (pid ${event.pid}) died: ${describeExit(event.code, event.signal)} after ${(event.upMs / 1000).toFixed(1)} s${event.lastLines.length ? '; its last lines:' : ' (it wrote nothing)'}`);
      for (const line of event.lastLines.slice(-8)) warn(`  | ${pretty(line)}`);
      break;
    case 'restarting':
      say(`restarting ${event.name} in ${(event.inMs / 1000).toFixed(2)} s (start ${event.attempt})`);
      break;
    case 'ready-again':
      say(`${event.name} is ready again (pid ${event.pid}, ${(event.afterMs / 1000).toFixed(1)} s after its restart)`);
      break;
    case 'giving-up':
      warn(`giving up on ${event.name}: ${event.reason}`);
      break;
  }
}
