import * as fs from 'node:fs';
import * as path from 'node:path';
import { PROJECT_ROOT } from '@custody/config';

/**
 * The local chain of `custody up`: anvil, which it runs and supervises like its services (or a node
 * it is pointed at with --chain-rpc-url), named `anvil` in the ledger, the indexer and the pipeline.
 */

/** The chain's name in the ledger, the chain indexer (CHAIN_NAME) and the pipeline (PIPELINE_CHAINS). */
export const LOCAL_CHAIN_NAME = 'anvil';

/** anvil's own default chain id, and the chain indexer's. */
export const LOCAL_CHAIN_ID = 31337;

/**
 * The local chain's native coin as the ledger books it: 18 decimals, credited at depth 2 (the block
 * of the deposit and one on top), so a deposit visibly waits for a confirmation.
 */
export const LOCAL_NATIVE_ASSET = { code: 'ETH', decimals: 18, confirmations: 2 } as const;

/**
 * anvil mines each transaction at once and an empty block every this many seconds besides (its mixed
 * mining), so confirmations accrue without traffic; 2 s keeps a deposit's wait short and the chain's
 * state small (about 1.7 kB a block: some 75 MB a day left running).
 */
export const LOCAL_BLOCK_TIME_SECONDS = 2;

/** Deposit addresses holding at least this much ETH after the sweep's fee are swept to the wallet's sending address (PIPELINE_CHAINS sweepMinWei): 0.01 ETH. */
export const LOCAL_SWEEP_MIN_WEI = 10n ** 16n;

/** The most a local withdrawal offers per gas (PIPELINE_CHAINS maxFeePerGasCap): 100 gwei, far above anvil's base fee. */
export const LOCAL_MAX_FEE_PER_GAS_CAP = 100_000_000_000n;

/** anvil's state (accounts and every block) in the secrets directory: a later `custody up` goes on with the same chain. */
export const LOCAL_CHAIN_STATE_FILE = 'anvil-state.json';

/** The process `custody up` runs for anvil: the wrapper program with the binary and its arguments. */
export interface ChainNodeSpec {
  readonly name: 'anvil';
  readonly app: 'anvil';
  /** dist/…/chain-node-main.js, which runs the binary (args[0]) and stops it when the supervisor is gone. */
  readonly entry: string;
  readonly args: readonly string[];
  readonly host: string;
  /** Its JSON-RPC port (HTTP). */
  readonly rpcPort: number;
  readonly rpcUrl: string;
  /** Its readiness: `eth_chainId` answers this id. */
  readonly chainId: number;
  readonly stateFile: string;
  readonly env: Readonly<Record<string, string>>;
}

export interface ChainNodeOptions {
  readonly binary: string;
  readonly host: string;
  readonly port: number;
  readonly chainId: number;
  readonly stateFile: string;
}

export function chainNodeEntry(): string {
  return path.join(PROJECT_ROOT, 'dist', 'libs', 'local-cluster', 'src', 'chain-node-main.js');
}

/**
 * The anvil process of a local cluster: on `host:port`, chain id `chainId`, mixed mining every
 * {@link LOCAL_BLOCK_TIME_SECONDS} s, its state loaded from and written back to `stateFile` (on
 * SIGTERM), quiet (anvil logs every request and block; its start-up errors still reach stderr).
 */
export function planChainNode(options: ChainNodeOptions): ChainNodeSpec {
  return {
    name: 'anvil',
    app: 'anvil',
    entry: chainNodeEntry(),
    args: [
      options.binary,
      '--host',
      options.host,
      '--port',
      String(options.port),
      '--chain-id',
      String(options.chainId),
      '--mixed-mining',
      '--block-time',
      String(LOCAL_BLOCK_TIME_SECONDS),
      '--state',
      options.stateFile,
      '--quiet',
    ],
    host: options.host,
    rpcPort: options.port,
    rpcUrl: `http://${options.host}:${options.port}`,
    chainId: options.chainId,
    stateFile: options.stateFile,
    env: {},
  };
}

/** The chain id the node at `url` answers to `eth_chainId`, or undefined when it does not answer (in time, or well). */
export async function jsonRpcChainId(url: string, timeoutMs = 1000): Promise<number | undefined> {
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const body = (await response.json()) as { result?: unknown };
    if (typeof body.result !== 'string' || !/^0x[0-9a-f]{1,13}$/i.test(body.result)) return undefined;
    return Number.parseInt(body.result, 16);
  } catch {
    return undefined;
  }
}

/** What `custody up` tells `custody demo` about its chain (`local-chain.json` in the secrets directory). */
export interface LocalChainInfo {
  readonly chain: string;
  readonly chainId: number;
  readonly rpcUrl: string;
  readonly nativeAsset: string;
  /** Whether `custody up` runs this node (anvil) or follows one it was given (--chain-rpc-url). */
  readonly startedByUp: boolean;
}

export const LOCAL_CHAIN_INFO_FILE = 'local-chain.json';

export function writeLocalChainInfo(dir: string, info: LocalChainInfo): void {
  fs.writeFileSync(path.join(dir, LOCAL_CHAIN_INFO_FILE), JSON.stringify(info, null, 2) + '\n', { mode: 0o600 });
}

/** The chain the last `custody up` with this secrets directory ran or followed; an error saying to run it when there is none. */
export function readLocalChainInfo(dir: string): LocalChainInfo {
  const file = path.join(dir, LOCAL_CHAIN_INFO_FILE);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`no ${file}: \`custody up\` writes it when it starts (or pass its --secrets-dir)`, { cause: error });
    throw new Error(`${file} is not valid JSON; \`custody up\` writes it again when it starts`, { cause: error });
  }
  const o = (parsed ?? {}) as Record<string, unknown>;
  if (typeof o.chain !== 'string' || typeof o.chainId !== 'number' || typeof o.rpcUrl !== 'string' || typeof o.nativeAsset !== 'string' || typeof o.startedByUp !== 'boolean') {
    throw new Error(`${file} does not describe a chain; \`custody up\` writes it again when it starts`);
  }
  return { chain: o.chain, chainId: o.chainId, rpcUrl: o.rpcUrl, nativeAsset: o.nativeAsset, startedByUp: o.startedByUp };
}
