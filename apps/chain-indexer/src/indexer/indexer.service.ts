import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { IndexerResources } from '../indexer-resources';
import type { LedgerClient } from '../ledger/ledger.client';
import { LedgerDelivery } from '../ledger/ledger-delivery';
import { JsonRpcClient } from '../rpc/json-rpc.client';
import type { AssetTerms } from '../store/indexer.repository';
import { ChainIndexer, type IndexerLog } from './chain-indexer';
import { runIndexer } from './indexer-runner';

export { CHAIN_INDEXER_CONFIG } from '../indexer-resources';

/** Exit code when the indexer stops on a fatal condition (a reorg beyond the window, the wrong chain): EX_SOFTWARE. */
export const EXIT_INDEXER_FATAL = 70;

/** Loads the ledger's terms (decimals, depth) of this chain's assets. */
export async function ledgerAssetTerms(ledger: LedgerClient, chain: string): Promise<Map<string, AssetTerms>> {
  const assets = await ledger.assets();
  return new Map(assets.filter((a) => a.chain === chain).map((a) => [a.code, { decimals: Number(a.decimals), confirmations: Number(a.confirmations) }]));
}

/** The indexer of the configured chain, run from application bootstrap until shutdown. */
@Injectable()
export class IndexerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('ChainIndexer');
  private readonly abort = new AbortController();
  private running: Promise<void> | undefined;

  constructor(private readonly resources: IndexerResources) {}

  onApplicationBootstrap(): void {
    const log: IndexerLog = {
      info: (m, f) => this.logger.log({ ...f }, m),
      warn: (m, f) => this.logger.warn({ ...f }, m),
      error: (m, f) => this.logger.error({ ...f }, m),
    };
    const c = this.resources.config;
    const ledger = this.resources.ledger;
    const rpc = new JsonRpcClient({
      url: c.rpcUrl.toString(),
      timeoutMs: c.rpcTimeoutMs,
      onRetry: (error, attempt, delayMs) => log.warn('node request failed; retrying', { error: error.message, attempt, delayMs }),
    });
    const repository = this.resources.repository;
    const delivery = new LedgerDelivery(c.chain, repository, ledger, {
      onRefused: (command, refusal) =>
        log.error('the ledger refused a withdrawal transition for good; recorded on the tracking, not retried', { subject: command.subject, event: command.request.event, refusal }),
    });
    const indexer = new ChainIndexer(
      { chain: c.chain, chainId: c.chainId, nativeAsset: c.nativeAsset, startBlock: c.startBlock, batchBlocks: c.batchBlocks, catchUpBlocks: c.catchUpBlocks, window: c.window, creditTag: c.creditTag },
      rpc,
      repository,
      delivery,
      () => ledgerAssetTerms(ledger, c.chain),
      log,
    );
    log.info('chain indexer started', { chain: c.chain, chainId: c.chainId, window: c.window, batchBlocks: c.batchBlocks, catchUpBlocks: c.catchUpBlocks, creditTag: c.creditTag ?? 'none' });
    this.running = runIndexer(indexer, log, { pollMs: c.pollMs }, this.abort.signal).catch((error: unknown) => {
      log.error('chain indexer stopped on a fatal error', { error: error instanceof Error ? error.message : String(error) });
      process.exit(EXIT_INDEXER_FATAL);
    });
  }

  async onApplicationShutdown(): Promise<void> {
    this.abort.abort();
    await this.running;
    await this.resources.close();
  }
}
