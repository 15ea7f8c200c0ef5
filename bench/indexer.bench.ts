/**
 * Chain indexer benchmark against a real anvil, a real ledger process and Postgres. Prints its
 * figures; asserts nothing.
 *
 *   npm run bench:indexer      (builds, then node dist/bench/indexer.bench.js)
 *
 * 1. Makes a backlog: BENCH_BLOCKS (default 5,000) blocks holding BENCH_TRANSFERS (default 20,000)
 *    transfers to custody addresses, half native, half ERC-20 (a TEST-ONLY token), from 8 senders.
 * 2. The limit: fetches the same blocks and Transfer logs, checked by the chain-core parsers, with
 *    the indexer's batching (INDEXER_BATCH_BLOCKS, default 100, per JSON-RPC batch), nothing stored.
 * 3. Catch-up: a fresh indexer reads the backlog into its checkpoint (INDEXER_CATCHUP_BLOCKS, default
 *    1,000 blocks per step and checkpoint transaction, fetched in batches of INDEXER_BATCH_BLOCKS with
 *    the next batch asked for while the current one is stored) and delivers every deposit to the
 *    ledger (ApplyDepositEvents batches when the ledger has the call, else one RecordDeposit /
 *    UpdateDepositConfirmations each) until the ledger has credited them all; blocks/s and
 *    deposits/s, and how much of the time the ledger delivery took.
 */
import { randomBytes } from 'node:crypto';
import erc20Artifact from '@openzeppelin/contracts/build/contracts/ERC20PresetFixedSupply.json';
import { secp256k1 } from '@noble/curves/secp256k1.js';
import { Pool } from 'pg';
import { encodeDeployData, toHex, type Hex } from 'viem';
import { depositAddress, erc20TransferData, parseAddress, type Address } from '@custody/chain-core';
import { LedgerUnderTest, startAnvil, type Anvil } from '@custody/testing';
import { ChainIndexer, type IndexerLog } from '../apps/chain-indexer/src/indexer/chain-indexer';
import { ledgerAssetTerms } from '../apps/chain-indexer/src/indexer/indexer.service';
import { LedgerClient } from '../apps/chain-indexer/src/ledger/ledger.client';
import { LedgerDelivery } from '../apps/chain-indexer/src/ledger/ledger-delivery';
import { JsonRpcClient } from '../apps/chain-indexer/src/rpc/json-rpc.client';
import { IndexerRepository } from '../apps/chain-indexer/src/store/indexer.repository';

const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 5000);
const TRANSFERS = Number(process.env.BENCH_TRANSFERS ?? 20_000);
const BATCH = Number(process.env.INDEXER_BATCH_BLOCKS ?? 100);
const CATCHUP = Number(process.env.INDEXER_CATCHUP_BLOCKS ?? 1000);
const WALLETS = 50;
const quiet: IndexerLog = { info: () => undefined, warn: (m, f) => console.error(m, f), error: (m, f) => console.error(m, f) };

/** Times the real delivery (it is the ledger's share of the catch-up). */
class TimedDelivery extends LedgerDelivery {
  spentMs = 0;
  override async deliverAll(): Promise<number> {
    const t0 = performance.now();
    try {
      return await super.deliverAll();
    } finally {
      this.spentMs += performance.now() - t0;
    }
  }
}

async function makeBacklog(anvil: Anvil, pool: Pool, ledger: LedgerUnderTest): Promise<{ from: number; to: number }> {
  const repository = new IndexerRepository(pool);
  const accounts = (await anvil.rpc<string[]>('eth_accounts')).map((a) => parseAddress(a));
  const [deployer, ...senders] = accounts as [ReturnType<typeof parseAddress>, ...ReturnType<typeof parseAddress>[]];
  const deploy = await anvil.rpc<Hex>('eth_sendTransaction', [{ from: deployer, data: encodeDeployData({ abi: erc20Artifact.abi, bytecode: erc20Artifact.bytecode as Hex, args: ['TEST-ONLY Token', 'TST', 10n ** 30n, deployer] }) }]);
  await anvil.rpc('anvil_mine', ['0x1']);
  const token = parseAddress((await anvil.rpc<{ contractAddress: string }>('eth_getTransactionReceipt', [deploy])).contractAddress);
  for (const s of senders.slice(0, 8)) await anvil.rpc('eth_sendTransaction', [{ from: deployer, to: token, data: toHex(erc20TransferData(s, 10n ** 27n)) }]);
  await anvil.rpc('anvil_mine', ['0x1']);
  await ledger.call('CreateAsset', { idempotencyKey: 'bench-eth', asset: { chain: 'anvil', code: 'ETH', decimals: 18, contract: '', confirmations: 2 } });
  await ledger.call('CreateAsset', { idempotencyKey: 'bench-tst', asset: { chain: 'anvil', code: 'TST', decimals: 18, contract: token, confirmations: 2 } });
  await repository.registerToken('anvil', token, 'TST');
  const key = { publicKey: secp256k1.getPublicKey(secp256k1.utils.randomSecretKey(), true), chainCode: new Uint8Array(randomBytes(32)) };
  const addresses: Address[] = [];
  for (let i = 0; i < WALLETS; i++) {
    const { address } = depositAddress(key, [0, i]);
    await repository.watchAddress('anvil', address, `bench-w${i}`);
    addresses.push(address);
  }
  const from = Number(BigInt(await anvil.rpc<string>('eth_blockNumber'))) + 1;
  const perBlock = Math.ceil(TRANSFERS / BLOCKS);
  const nonces = new Map<string, number>();
  for (const s of senders.slice(0, 8)) nonces.set(s, Number(BigInt(await anvil.rpc<string>('eth_getTransactionCount', [s, 'latest']))));
  const rpc = new JsonRpcClient({ url: anvil.url, timeoutMs: 60_000 });
  let sent = 0;
  for (let b = 0; b < BLOCKS; b++) {
    const calls = [];
    for (let k = 0; k < perBlock && sent < TRANSFERS; k++, sent++) {
      const sender = senders[sent % 8]!;
      const nonce = nonces.get(sender)!;
      nonces.set(sender, nonce + 1);
      const to = addresses[sent % WALLETS]!;
      const tx =
        sent % 2 === 0
          ? { from: sender, to, value: toHex(BigInt(1 + (sent % 1000))), gas: '0x5208' }
          : { from: sender, to: token, data: toHex(erc20TransferData(to, BigInt(1 + (sent % 1000)))), gas: '0x186a0' };
      calls.push({ method: 'eth_sendTransaction', params: [{ ...tx, nonce: toHex(nonce) }] });
    }
    if (calls.length > 0) await rpc.batch(calls);
    await rpc.call('anvil_mine', ['0x1']);
  }
  const to = Number(BigInt(await anvil.rpc<string>('eth_blockNumber')));
  return { from, to };
}

async function main(): Promise<void> {
  const anvil = await startAnvil({ args: ['--no-mining'] });
  const ledger = await LedgerUnderTest.start('bench_indexer', { METRICS_PORT: '0', LOG_LEVEL: 'warn' });
  const pool = new Pool({ connectionString: ledger.databaseUrl.toString(), max: 4 });
  const ledgerClient = new LedgerClient(ledger.address);
  try {
    const t0 = performance.now();
    const { from, to } = await makeBacklog(anvil, pool, ledger);
    console.log(`backlog: blocks ${from}..${to} (${to - from + 1}), ${TRANSFERS} transfers to ${WALLETS} custody addresses, made in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const repository = new IndexerRepository(pool);
    const rpc = new JsonRpcClient({ url: anvil.url, timeoutMs: 60_000 });
    const settings = { chain: 'anvil', chainId: anvil.chainId, nativeAsset: 'ETH', startBlock: 0, batchBlocks: BATCH, catchUpBlocks: CATCHUP, window: 256 };
    const delivery = new TimedDelivery('anvil', repository, ledgerClient);
    const indexer = new ChainIndexer(settings, rpc, repository, delivery, () => ledgerAssetTerms(ledgerClient, 'anvil'), quiet);

    // The limit: the same blocks and logs fetched and checked with the same batching, nothing stored.
    const f0 = performance.now();
    let logs = 0;
    for (let n = 0; n <= to; n += BATCH) logs += (await indexer.fetchRange(n, Math.min(to, n + BATCH - 1))).logs.length;
    const fetchSeconds = (performance.now() - f0) / 1000;
    const fetchRate = (to + 1) / fetchSeconds;
    console.log(`fetch limit: ${to + 1} blocks and ${logs} logs in ${fetchSeconds.toFixed(2)} s: ${fetchRate.toFixed(0)} blocks/s (batches of ${BATCH} blocks + eth_getLogs)`);

    // Catch-up: checkpoint and ledger.
    const c0 = performance.now();
    for (;;) {
      const o = await indexer.step();
      if (o.kind === 'idle') break;
      if (o.kind === 'retry') throw new Error(`retry during the bench: ${o.reason}`);
    }
    const seconds = (performance.now() - c0) / 1000;
    const { rows } = await pool.query<{ n: string }>("SELECT count(*) AS n FROM ledger.deposits WHERE state = 'credited'");
    const credited = Number(rows[0]!.n);
    const rate = (to + 1) / seconds;
    console.log(`catch-up: ${to + 1} blocks, ${credited} deposits credited in the ledger, in ${seconds.toFixed(2)} s: ${rate.toFixed(0)} blocks/s, ${(credited / seconds).toFixed(0)} deposits/s (${((rate / fetchRate) * 100).toFixed(0)}% of the fetch limit)`);
    console.log(`  of which ledger delivery (${delivery.batching ? 'ApplyDepositEvents batches, 2 lanes' : 'one call per deposit event, 16 in flight'}): ${(delivery.spentMs / 1000).toFixed(2)} s; fetch + checks + checkpoint: ${(seconds - delivery.spentMs / 1000).toFixed(2)} s (${((to + 1) / (seconds - delivery.spentMs / 1000)).toFixed(0)} blocks/s)`);
    console.log('(shared machine: 2 cores, other agents running; figures vary run to run)');
  } finally {
    ledgerClient.close();
    await pool.end();
    await ledger.stop();
    await anvil.stop();
  }
}

void main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
