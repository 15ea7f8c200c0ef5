import { randomBytes } from 'node:crypto';
import erc20Artifact from '@openzeppelin/contracts/build/contracts/ERC20PresetFixedSupply.json';
import { Pool } from 'pg';
import { encodeDeployData, toHex, type Hex } from 'viem';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { depositAddress, erc20TransferData, parseAddress, type Address } from '@custody/chain-core';
import { formatAmount } from '@custody/ledger-core';
import { LedgerUnderTest, startAnvil, type Anvil } from '@custody/testing';
import { ChainIndexer, type IndexerLog, type StepOutcome } from '../../../apps/chain-indexer/src/indexer/chain-indexer';
import { ledgerAssetTerms } from '../../../apps/chain-indexer/src/indexer/indexer.service';
import { LedgerClient } from '../../../apps/chain-indexer/src/ledger/ledger.client';
import { LedgerDelivery } from '../../../apps/chain-indexer/src/ledger/ledger-delivery';
import { JsonRpcClient, type RpcCall } from '../../../apps/chain-indexer/src/rpc/json-rpc.client';
import { IndexerRepository } from '../../../apps/chain-indexer/src/store/indexer.repository';

/**
 * A test world for the chain indexer: a real anvil (no automine: blocks only when the test mines),
 * a real ledger process on its own migrated database (the indexer's schema lives in the same
 * database, as in production), a TEST-ONLY ERC-20 token, wallets with derived deposit addresses,
 * and the indexer itself (in this process, or as the built service for crash tests).
 */

export const CHAIN = 'anvil';
export const TOKEN = 'TST';

export interface SentTransfer {
  readonly hash: Hex;
  readonly raw: Hex;
  readonly sender: Address;
  readonly nonce: number;
  readonly wallet: string;
  readonly asset: 'ETH' | typeof TOKEN;
  readonly amount: bigint;
}

export interface WorldOptions {
  readonly ethDepth?: number;
  readonly tokenDepth?: number;
  readonly window?: number;
  readonly wallets?: number;
  readonly batchBlocks?: number;
}

/** Rewrites what the node answered to one call (a fault put between the indexer and the node). */
export type RpcAnswerFilter = (call: RpcCall, answer: unknown) => unknown;

export const silentLog: IndexerLog = { info: () => undefined, warn: () => undefined, error: () => undefined };

export class IndexerWorld {
  readonly transfers: SentTransfer[] = [];
  private constructor(
    readonly anvil: Anvil,
    readonly ledger: LedgerUnderTest,
    readonly pool: Pool,
    readonly repository: IndexerRepository,
    readonly ledgerClient: LedgerClient,
    readonly senders: readonly Address[],
    readonly token: Address,
    readonly wallets: ReadonlyArray<{ readonly id: string; readonly address: Address }>,
    readonly options: Required<WorldOptions>,
  ) {}

  static async start(name: string, options: WorldOptions = {}): Promise<IndexerWorld> {
    const o: Required<WorldOptions> = { ethDepth: 3, tokenDepth: 4, window: 64, wallets: 3, batchBlocks: 100, ...options };
    const anvil = await startAnvil({ args: ['--no-mining'] });
    let ledger: LedgerUnderTest | undefined;
    try {
      ledger = await LedgerUnderTest.start(name, { METRICS_PORT: '0' });
      return await IndexerWorld.setUp(name, o, anvil, ledger);
    } catch (error) {
      await ledger?.stop().catch(() => undefined);
      await anvil.stop();
      throw error;
    }
  }

  private static async setUp(name: string, o: Required<WorldOptions>, anvil: Anvil, ledger: LedgerUnderTest): Promise<IndexerWorld> {
    const pool = new Pool({ connectionString: ledger.databaseUrl.toString(), max: 4 });
    const repository = new IndexerRepository(pool);
    const ledgerClient = new LedgerClient(ledger.address);
    const accounts = (await anvil.rpc<string[]>('eth_accounts')).map((a) => parseAddress(a));
    const [deployer, ...senders] = accounts;
    const deploy = await anvil.rpc<Hex>('eth_sendTransaction', [
      { from: deployer, data: encodeDeployData({ abi: erc20Artifact.abi, bytecode: erc20Artifact.bytecode as Hex, args: ['TEST-ONLY Token', TOKEN, 10n ** 30n, deployer] }) },
    ]);
    await anvil.rpc('anvil_mine', ['0x1']);
    const receipt = await anvil.rpc<{ contractAddress: string }>('eth_getTransactionReceipt', [deploy]);
    const token = parseAddress(receipt.contractAddress);
    // Every sender gets tokens to send (one block); deposits start after it.
    for (const s of senders) {
      await anvil.rpc('eth_sendTransaction', [{ from: deployer, to: token, data: toHex(erc20TransferData(s, 10n ** 27n)) }]);
    }
    await anvil.rpc('anvil_mine', ['0x1']);
    await ledger.call('CreateAsset', { idempotencyKey: `asset-eth-${name}`, asset: { chain: CHAIN, code: 'ETH', decimals: 18, contract: '', confirmations: o.ethDepth } });
    await ledger.call('CreateAsset', { idempotencyKey: `asset-tst-${name}`, asset: { chain: CHAIN, code: TOKEN, decimals: 18, contract: token, confirmations: o.tokenDepth } });
    await repository.registerToken(CHAIN, token, TOKEN);
    // One wallet key (TEST-ONLY, random), deposit addresses derived from its public key alone.
    const secret = secp256k1.utils.randomSecretKey();
    const walletKey = { publicKey: secp256k1.getPublicKey(secret, true), chainCode: new Uint8Array(randomBytes(32)) };
    const wallets = [];
    for (let i = 0; i < o.wallets; i++) {
      const id = `w${i}-${name}`.slice(0, 60);
      const { address } = depositAddress(walletKey, [0, i]);
      await repository.watchAddress(CHAIN, address, id);
      for (const code of ['ETH', TOKEN]) await ledger.call('OpenAccount', { idempotencyKey: `open-${id}-${code}`, wallet: id, chain: CHAIN, asset: code });
      wallets.push({ id, address });
    }
    return new IndexerWorld(anvil, ledger, pool, repository, ledgerClient, senders.slice(0, 8), token, wallets, o);
  }

  /** A new in-process indexer over the same state (a restart). */
  indexer(overrides: { window?: number; rpcUrl?: string; traces?: boolean; answer?: RpcAnswerFilter } = {}): ChainIndexer {
    const client = new JsonRpcClient({ url: overrides.rpcUrl ?? this.anvil.url, retries: 2, backoffMs: 10, timeoutMs: 2000 });
    const answer = overrides.answer;
    const rpc: Pick<JsonRpcClient, 'call' | 'batch'> = answer
      ? {
          call: async (method, params = []) => answer({ method, params }, await client.call(method, params)),
          batch: async (calls) => (await client.batch(calls)).map((a, i) => answer(calls[i]!, a)),
        }
      : client;
    return new ChainIndexer(
      { chain: CHAIN, chainId: this.anvil.chainId, nativeAsset: 'ETH', startBlock: 0, batchBlocks: this.options.batchBlocks, window: overrides.window ?? this.options.window, traces: overrides.traces ?? false },
      rpc,
      this.repository,
      new LedgerDelivery(CHAIN, this.repository, this.ledgerClient),
      () => ledgerAssetTerms(this.ledgerClient, CHAIN),
      silentLog,
    );
  }

  /** Steps until the indexer is at the node's head; returns the outcomes. */
  async sync(indexer: ChainIndexer, maxSteps = 1000): Promise<StepOutcome[]> {
    const outcomes: StepOutcome[] = [];
    for (let i = 0; i < maxSteps; i++) {
      const o = await indexer.step();
      outcomes.push(o);
      if (o.kind === 'idle') return outcomes;
    }
    throw new Error(`indexer not at the head after ${maxSteps} steps: ${JSON.stringify(outcomes.slice(-3))}`);
  }

  async head(): Promise<number> {
    return Number(BigInt(await this.anvil.rpc<string>('eth_blockNumber')));
  }

  async mine(blocks = 1): Promise<void> {
    await this.anvil.rpc('anvil_mine', [`0x${blocks.toString(16)}`]);
  }

  /** Signs (anvil's dev key) and sends a deposit to wallet `w`; it waits in the pool until mined. */
  async deposit(w: number, asset: 'ETH' | typeof TOKEN, amount: bigint, senderIndex = 0): Promise<SentTransfer> {
    const sender = this.senders[senderIndex % this.senders.length]!;
    const wallet = this.wallets[w]!;
    const nonce = Number(BigInt(await this.anvil.rpc<string>('eth_getTransactionCount', [sender, 'pending'])));
    const tx =
      asset === 'ETH'
        ? { from: sender, to: wallet.address, value: `0x${amount.toString(16)}`, gas: '0x5208' }
        : { from: sender, to: this.token, data: toHex(erc20TransferData(wallet.address, amount)), gas: '0x186a0' };
    const raw = await this.anvil.rpc<Hex>('eth_signTransaction', [{ ...tx, nonce: `0x${nonce.toString(16)}`, maxFeePerGas: '0x3b9aca000', maxPriorityFeePerGas: '0x1' }]);
    const hash = await this.anvil.rpc<Hex>('eth_sendRawTransaction', [raw]);
    const sent: SentTransfer = { hash, raw, sender, nonce, wallet: wallet.id, asset, amount };
    this.transfers.push(sent);
    return sent;
  }

  /** anvil_reorg: replaces the top `depth` blocks; `remine` lists signed transactions with their block offset on the new branch. */
  async reorg(depth: number, remine: ReadonlyArray<{ raw: Hex; offset: number }> = []): Promise<void> {
    await this.anvil.rpc('anvil_reorg', [depth, remine.map((r) => [r.raw, r.offset])]);
  }

  /** The ledger's customer balance (smallest units) of wallet `w`: posted and incoming (pending credits). */
  async balance(w: number, asset: 'ETH' | typeof TOKEN): Promise<{ posted: bigint; incoming: bigint }> {
    const b = await this.ledger.call<{ posted: string; incoming: string }>('GetBalance', { account: `customer/${this.wallets[w]!.id}/${CHAIN}/${asset}` });
    return { posted: units(b.posted), incoming: units(b.incoming) };
  }

  /**
   * The model: what the ledger must show, from the canonical chain alone: every transfer the test
   * sent whose receipt the node has (it is in a canonical block), pending below its asset's depth,
   * credited at or beyond it, counted against the node's head.
   */
  async model(): Promise<Map<string, { posted: bigint; incoming: bigint }>> {
    const head = await this.head();
    const expected = new Map<string, { posted: bigint; incoming: bigint }>();
    for (const w of this.wallets) for (const a of ['ETH', TOKEN]) expected.set(`${w.id}/${a}`, { posted: 0n, incoming: 0n });
    for (const t of this.transfers) {
      const receipt = await this.anvil.rpc<{ blockNumber: string; status: string } | null>('eth_getTransactionReceipt', [t.hash]);
      if (!receipt || receipt.status !== '0x1') continue;
      const confirmations = head - Number(BigInt(receipt.blockNumber)) + 1;
      const depth = t.asset === 'ETH' ? this.options.ethDepth : this.options.tokenDepth;
      const e = expected.get(`${t.wallet}/${t.asset}`)!;
      if (confirmations >= depth) e.posted += t.amount;
      else e.incoming += t.amount;
    }
    return expected;
  }

  /** The ledger's view in the model's shape. */
  async ledgerView(): Promise<Map<string, { posted: bigint; incoming: bigint }>> {
    const view = new Map<string, { posted: bigint; incoming: bigint }>();
    for (let i = 0; i < this.wallets.length; i++) for (const a of ['ETH', TOKEN] as const) view.set(`${this.wallets[i]!.id}/${a}`, await this.balance(i, a));
    return view;
  }

  async stop(): Promise<void> {
    this.ledgerClient.close();
    await this.pool.end();
    await this.ledger.stop();
    await this.anvil.stop();
  }
}

/** A ledger decimal string of an 18-decimal asset in smallest units. */
export function units(decimal: string): bigint {
  const [whole, fraction = ''] = decimal.split('.');
  return BigInt(whole!) * 10n ** 18n + BigInt((fraction + '0'.repeat(18)).slice(0, 18) || '0');
}

export function decimal(value: bigint): string {
  return formatAmount(value, 18);
}
