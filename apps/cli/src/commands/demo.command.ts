import { Command } from 'commander';
import { formatEther } from 'viem';
import { readLocalChainInfo, type LocalChainInfo } from '@custody/local-cluster';
import { CliUsageError } from '../cli-error';
import { readCliEnvironment } from '../cli-config';
import { DEMO_STEPS, DemoStepError, runDemo, type DemoOutcome, type StepReport } from '../demo/journey';
import { parseIntegerOption, parseUrlOption } from '../options';

interface DemoFlags {
  gateway?: string;
  secretsDir?: string;
  chainRpcUrl?: URL;
  timeout: number;
}

const say = (line: string): void => void process.stdout.write(`custody demo: ${line}\n`);

function stepLine(r: StepReport): string {
  const n = `${String(r.index).padStart(String(r.total).length)}/${r.total}`;
  const width = Math.max(...DEMO_STEPS.map((s) => s.length));
  return `[${n}] ${r.title.padEnd(width)}  ${(r.ms / 1000).toFixed(2).padStart(6)} s  ${r.detail}`;
}

/** The final balances, the ledger's and the chain's side by side; whether they agree. */
function printBalances(o: DemoOutcome, chain: LocalChainInfo): boolean {
  const rows: Array<[string, string, string]> = [
    ['', 'ledger (gateway API)', `chain (viem getBalance, ${chain.chain})`],
    [`${o.wallet} at ${o.address}`, `${formatEther(o.ledgerPosted)} ${chain.nativeAsset} (held ${formatEther(o.ledgerHeld)})`, `${formatEther(o.chainBalance)} ${chain.nativeAsset}`],
    [`destination ${o.destination}`, '(not a custody address)', `${formatEther(o.destinationBalance)} ${chain.nativeAsset}`],
  ];
  const widths = [0, 1].map((i) => Math.max(...rows.map((r) => r[i].length)));
  say('final balances:');
  for (const r of rows) say(`  ${r[0].padEnd(widths[0]!)}  ${r[1].padEnd(widths[1]!)}  ${r[2]}`);
  return o.ledgerPosted === o.chainBalance && o.ledgerHeld === 0n;
}

/**
 * `custody demo`: the institution's whole journey against the cluster `custody up` runs, each step
 * printed with its time; exit 0 when it completes and the ledger agrees with the chain, 1 otherwise.
 */
export function registerDemoCommand(program: Command, defaultSecretsDir: string): void {
  program
    .command('demo')
    .description(
      'walk the whole journey against the running `custody up` cluster: a wallet, a deposit address, a deposit from an anvil dev account credited after its confirmations, a withdrawal approved by the two development approvers, signed by the signers, broadcast, confirmed and settled; then the ledger and the chain side by side',
    )
    .option('--gateway <url>', 'the gateway (default: http://127.0.0.1:$CUSTODY_BASE_PORT or 8080)')
    .option('--secrets-dir <dir>', "where `custody up` keeps the development keys and its chain's address (default: $CUSTODY_SECRETS_DIR or .custody/local-secrets)")
    .option('--chain-rpc-url <url>', 'the chain node (default: the one the last `custody up` with these secrets started or followed, from local-chain.json)', parseUrlOption(['http', 'https']))
    .option('--timeout <seconds>', 'the longest any one step may take (the first wallet of a fresh cluster waits for its signers\' primes)', parseIntegerOption(1, 3600), 300)
    .action(async (flags: DemoFlags) => {
      process.exitCode = await demo(flags, defaultSecretsDir);
    });
}

async function demo(flags: DemoFlags, defaultSecretsDir: string): Promise<number> {
  const env = readCliEnvironment();
  const secretsDir = flags.secretsDir ?? env.secretsDir ?? defaultSecretsDir;
  let chain: LocalChainInfo;
  try {
    chain = readLocalChainInfo(secretsDir);
  } catch (error) {
    throw new CliUsageError(error instanceof Error ? error.message : String(error));
  }
  if (flags.chainRpcUrl) chain = { ...chain, rpcUrl: flags.chainRpcUrl.toString() };
  const gatewayUrl = flags.gateway ?? `http://127.0.0.1:${env.basePort}`;
  say(`gateway ${gatewayUrl}, chain ${chain.chain} (id ${chain.chainId}) at ${chain.rpcUrl}, development keys in ${secretsDir}`);
  const started = Date.now();
  let outcome: DemoOutcome;
  try {
    outcome = await runDemo(
      { gatewayUrl, secretsDir, chain, stepTimeoutMs: flags.timeout * 1000 },
      (r) => say(stepLine(r)),
      (line) => say(`  … ${line}`),
    );
  } catch (error) {
    if (error instanceof DemoStepError) {
      process.stderr.write(`custody demo: ${error.message}\n`);
      return 1;
    }
    throw error;
  }
  const agree = printBalances(outcome, chain);
  if (!agree) {
    process.stderr.write(`custody demo: the ledger and the chain disagree: the ledger holds ${outcome.ledgerPosted} wei (${outcome.ledgerHeld} held), the chain ${outcome.chainBalance} wei\n`);
    return 1;
  }
  say(`done in ${((Date.now() - started) / 1000).toFixed(1)} s: the ledger and the chain agree`);
  return 0;
}
