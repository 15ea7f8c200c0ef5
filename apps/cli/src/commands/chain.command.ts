import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { Command, InvalidArgumentError } from 'commander';
import { Client } from 'pg';
import { parseAddress, parseQuantity, reconcileHoldings, type Holding } from '@custody/chain-core';
import { redactUrl } from '@custody/config';
import { formatAmount, parseAmount } from '@custody/ledger-core';
import { PROTO_ROOT, protoPath } from '@custody/proto';
import { CliUsageError } from '../cli-error';
import { readCliEnvironment } from '../cli-config';
import { parseUrlOption } from '../options';

interface ReconcileFlags {
  databaseUrl?: URL;
  rpcUrl: URL;
  ledger: string;
  chain: string;
}

/** Exit code of `custody chain reconcile` when a holding differs. */
export const EXIT_RECONCILE_DIFFERENCES = 1;

function hostPort(value: string): string {
  if (!/^[A-Za-z0-9.-]{1,253}:[0-9]{1,5}$/.test(value)) throw new InvalidArgumentError('expected host:port');
  return value;
}

function chainName(value: string): string {
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(value)) throw new InvalidArgumentError('expected 1..64 characters of [a-z0-9-]');
  return value;
}

/** `custody chain reconcile`: per custody address and asset, the ledger's on-chain holdings against the node's balance at the same block. */
export function registerChainCommands(program: Command): void {
  const chain = program.command('chain').description('operate on the chain indexer');
  chain
    .command('reconcile')
    .description("compare, per custody address and asset, what the ledger says is held on chain with the node's balance at the block the ledger is as of; print every difference, exit 1 if any")
    .requiredOption('--rpc-url <url>', "the chain node's JSON-RPC endpoint", parseUrlOption(['http', 'https']))
    .requiredOption('--ledger <host:port>', "the ledger's gRPC address", hostPort)
    .option('--chain <name>', "the chain's name in the ledger", chainName, 'anvil')
    .option('--database-url <url>', "the services' database with the indexer's schema (default: $DATABASE_URL or the local one)", parseUrlOption(['postgres', 'postgresql']))
    .action(async (flags: ReconcileFlags) => {
      process.exitCode = await chainReconcile(flags);
    });
}

type Unary = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response: unknown) => void) => void;

async function ledgerCalls(address: string): Promise<{ assets: Array<{ chain: string; code: string; decimals: number; confirmations: number; contract: string }>; rows: Array<{ chain: string; asset: string; address: string; amount: string }> }> {
  const definition = protoLoader.loadSync(protoPath('ledger'), { includeDirs: [PROTO_ROOT], keepCase: false, longs: String, enums: Number, defaults: true });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as { custody: { ledger: { v1: { LedgerService: grpc.ServiceClientConstructor } } } };
  const client = new pkg.custody.ledger.v1.LedgerService(address, grpc.credentials.createInsecure());
  const call = <T>(name: string, request: object): Promise<T> =>
    new Promise((resolve, reject) => {
      const fn = (client as unknown as Record<string, Unary>)[name]!;
      fn.call(client, request, new grpc.Metadata(), { deadline: Date.now() + 30_000 }, (error, response) =>
        error ? reject(new CliUsageError(`the ledger at ${address} answered ${grpc.status[error.code]}: ${error.details.slice(0, 200)}`)) : resolve(response as T),
      );
    });
  try {
    const assets = (await call<{ assets: Array<{ chain: string; code: string; decimals: number; confirmations: number; contract: string }> }>('listAssets', {})).assets;
    const rows = (await call<{ rows: Array<{ chain: string; asset: string; address: string; amount: string }> }>('getReconciliation', {})).rows;
    return { assets, rows };
  } finally {
    client.close();
  }
}

async function rpc(url: URL, calls: ReadonlyArray<{ method: string; params: unknown[] }>): Promise<unknown[]> {
  let response: Response;
  try {
    response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(calls.map((c, i) => ({ jsonrpc: '2.0', id: i, ...c }))), signal: AbortSignal.timeout(30_000) });
  } catch (error) {
    throw new CliUsageError(`the node at ${url.origin} is unreachable: ${error instanceof Error ? error.message : String(error)}`);
  }
  const body = (await response.json().catch(() => null)) as Array<{ id: number; result?: unknown; error?: { message?: string } }> | null;
  if (!Array.isArray(body)) throw new CliUsageError(`the node at ${url.origin} answered HTTP ${response.status} without a JSON-RPC batch`);
  return calls.map((c, i) => {
    const a = body.find((x) => x.id === i);
    if (!a || a.error || !('result' in a)) throw new CliUsageError(`the node refused ${c.method}: ${String(a?.error?.message ?? 'no answer').slice(0, 200)}`);
    return a.result;
  });
}

/** A ledger amount (decimal string, negative when more left than came in). */
function signedAmount(text: string, decimals: number): bigint {
  return text.startsWith('-') ? -parseAmount(text.slice(1), decimals, 'ledger amount') : parseAmount(text, decimals, 'ledger amount');
}

/** An eth_call answer of balanceOf: one 32-byte word. */
function uint256Word(value: unknown): bigint {
  if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{64}$/.test(value)) throw new CliUsageError(`the node answered balanceOf with ${typeof value === 'string' ? `${value.slice(0, 20)}…` : typeof value}, not one 32-byte word`);
  return BigInt(value);
}

/** balanceOf(address) calldata: the selector and the address as one 32-byte word. */
function balanceOfData(address: string): string {
  return `0x70a08231${'0'.repeat(24)}${address.slice(2).toLowerCase()}`;
}

export async function chainReconcile(flags: ReconcileFlags, print: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<number> {
  const url = flags.databaseUrl ?? readCliEnvironment().databaseUrl;
  const db = new Client({ connectionString: url.toString() });
  let tip: number;
  let watched: Array<{ address: string }>;
  let tokens: Map<string, string>;
  let undelivered: number;
  try {
    await db.connect();
    const t = await db.query<{ number: string }>('SELECT max(number) AS number FROM chain_indexer.blocks WHERE chain = $1', [flags.chain]);
    if (t.rows[0]?.number === null || t.rows[0]?.number === undefined) throw new CliUsageError(`the indexer has read no block of chain ${flags.chain} yet`);
    tip = Number(t.rows[0].number);
    watched = (await db.query<{ address: string }>('SELECT address FROM chain_indexer.watched_addresses WHERE chain = $1 ORDER BY address', [flags.chain])).rows;
    tokens = new Map((await db.query<{ asset: string; contract: string }>('SELECT asset, contract FROM chain_indexer.tokens WHERE chain = $1', [flags.chain])).rows.map((r) => [r.asset, r.contract]));
    undelivered = Number((await db.query<{ n: string }>('SELECT count(*) AS n FROM chain_indexer.ledger_commands WHERE chain = $1 AND delivered_at IS NULL', [flags.chain])).rows[0]!.n);
  } catch (error) {
    if (error instanceof CliUsageError) throw error;
    const code = (error as { code?: unknown }).code;
    if (code === '42P01' || code === '3F000') throw new CliUsageError(`the indexer's tables are not in ${redactUrl(url)}: run \`custody migrate\` first`);
    throw new CliUsageError(`Postgres at ${redactUrl(url)}: ${error instanceof Error ? error.message.split('\n')[0]!.slice(0, 200) : String(error)}`);
  } finally {
    await db.end().catch(() => undefined);
  }
  const { assets, rows } = await ledgerCalls(flags.ledger);
  const chainAssets = assets.filter((a) => a.chain === flags.chain);
  if (undelivered > 0) print(`chain reconcile: warning: ${undelivered} indexer command(s) not yet delivered to the ledger; differences may be transient`);
  let differences = 0;
  for (const asset of chainAssets) {
    // The native coin has no contract in the ledger; a token is compared only if the indexer watches it.
    const contract = tokens.get(asset.code);
    if (contract === undefined && asset.contract !== '') continue;
    // The block the ledger is as of for this asset: deposits at or below it are credited, above it pending.
    const block = tip - asset.confirmations + 1;
    if (block < 0) continue;
    const at = `0x${block.toString(16)}`;
    const ledgerRows: Holding[] = rows.filter((r) => r.chain === flags.chain && r.asset === asset.code && r.address !== '').map((r) => ({ asset: asset.code, address: parseAddress(r.address, 'ledger address'), amount: signedAmount(r.amount, asset.decimals) }));
    const addresses = [...new Set([...watched.map((w) => parseAddress(w.address)), ...ledgerRows.map((r) => r.address)])];
    const answers = await rpc(
      flags.rpcUrl,
      addresses.map((a) => (contract === undefined ? { method: 'eth_getBalance', params: [a, at] } : { method: 'eth_call', params: [{ to: contract, data: balanceOfData(a) }, at] })),
    );
    const nodeRows: Holding[] = addresses.map((a, i) => ({ asset: asset.code, address: a, amount: contract === undefined ? parseQuantity(answers[i], 'eth_getBalance') : uint256Word(answers[i]) }));
    for (const d of reconcileHoldings(ledgerRows, nodeRows)) {
      differences++;
      print(`chain reconcile: ${flags.chain} ${d.asset} ${d.address} at block ${block}: ledger ${formatAmount(d.ledger, asset.decimals)}, node ${formatAmount(d.node, asset.decimals)}, difference ${d.difference < 0n ? '-' : ''}${formatAmount(d.difference < 0n ? -d.difference : d.difference, asset.decimals)}`);
    }
  }
  if (differences === 0) {
    print(`chain reconcile: ok (${flags.chain}, ${watched.length} addresses, ${chainAssets.length} assets, indexed tip ${tip})`);
    return 0;
  }
  print(`chain reconcile: ${differences} difference${differences === 1 ? '' : 's'}`);
  return EXIT_RECONCILE_DIFFERENCES;
}
