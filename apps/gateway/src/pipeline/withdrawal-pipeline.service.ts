import { Inject, Injectable, Logger, type OnApplicationShutdown } from '@nestjs/common';
import { status } from '@grpc/grpc-js';
import { randomBytes } from 'node:crypto';
import { formatUnits, getAddress, parseUnits, type Address } from 'viem';
import {
  ChainInputError,
  depositAddress,
  erc20TransferTransaction,
  feesFromHistory,
  nativeTransferTransaction,
  parseFeeHistory,
  replacementFees,
  signedTransactionBytes,
  sweepAmount,
  transactionHash,
  transactionSigningHash,
  type Eip1559Fees,
  type Eip1559Transaction,
} from '@custody/chain-core';
import type { WithdrawalStep } from '@custody/messaging';
import { SWEEPER_INITIATOR } from '@custody/policy-core';
import { decodeSignGrant, signRequestFromJson, signRequestToJson, type EvmTransactionPayload, type SignRequest } from '@custody/sign-grant';
import { SignerCallError } from '@custody/signer-client';
import type { GatewayConfig } from '../config';
import { GATEWAY_CONFIG } from '../tokens';
import { ChainIndexerClients, type WithdrawalTracking } from '../upstreams/chain-indexer.client';
import { isSignedBefore, SignerPool } from '../upstreams/signer-pool';
import { UpstreamError } from '../upstreams/grpc-upstream';
import { isFinal, type Withdrawal, type WithdrawalAttempt, type WithdrawalState } from '../withdrawals/withdrawal';
import { WithdrawalRepository, type WalletKey } from '../withdrawals/withdrawal.repository';
import { ChainRpc, ChainRpcError } from './chain-rpc';
import type { PipelineChain, PipelineConfig } from './pipeline.config';
import { isCode, isRetryable, LedgerWithdrawals, PolicyWithdrawals } from './pipeline.upstreams';

/** The step that has work for a withdrawal in its current state, or none. */
export function stepFor(w: Pick<Withdrawal, 'state' | 'released'>): WithdrawalStep | undefined {
  switch (w.state) {
    case 'requested':
      return 'hold';
    case 'held':
      return 'build';
    case 'built':
      return 'evaluate';
    case 'pending-approval':
      return 'await-approval';
    case 'approved':
    case 'signing':
      return 'sign';
    case 'signed':
      return 'broadcast';
    case 'broadcast':
      return 'confirm';
    case 'confirmed':
      return undefined;
    default:
      return w.released ? undefined : 'release';
  }
}

/** A step's outcome: the row moved on (enqueue its next step), or poll again after `waitMs`. */
export type StepOutcome = { readonly next: Withdrawal } | { readonly waitMs: number } | { readonly stale: true };

/** The step cannot go on: the withdrawal ends in `state` with `reason` (and its hold is released). */
export class StepFailure extends Error {
  override readonly name = 'StepFailure';
  constructor(
    readonly state: Extract<WithdrawalState, 'failed' | 'denied' | 'rejected' | 'expired'>,
    reason: string,
  ) {
    super(reason);
  }
}

const NATIVE_GAS = 21_000n;
/** A `signing` claim younger than this belongs to a job that may still be signing (sessions last at most 35 s). */
const SIGNING_GRACE_MS = 90_000;
/** Gas of an ERC-20 transfer: the node's estimate plus a quarter. */
const ERC20_GAS_MARGIN = 125n;

interface AssetInfo {
  readonly code: string;
  readonly decimals: number;
  readonly contract: string;
}

/**
 * The withdrawal pipeline's steps (README, "Withdrawals"). Each reads the row, does its external effect
 * idempotently (ledger writes with idempotency keys derived from the withdrawal id; the policy engine
 * keyed by the attempt's request id; the signers refusing a request id twice; a broadcast of a known
 * transaction counted as done) and then moves the row on by compare-and-set on its version. A step
 * that runs twice therefore changes nothing the second time.
 */
@Injectable()
export class WithdrawalPipeline implements OnApplicationShutdown {
  private readonly logger = new Logger('WithdrawalPipeline');
  private readonly pipeline: PipelineConfig;
  private readonly ledger: LedgerWithdrawals;
  private readonly policy: PolicyWithdrawals;
  private readonly rpcs = new Map<string, ChainRpc>();
  private assetCache: Map<string, AssetInfo> | undefined;

  constructor(
    @Inject(GATEWAY_CONFIG) config: GatewayConfig,
    private readonly repository: WithdrawalRepository,
    private readonly signers: SignerPool,
    private readonly indexers: ChainIndexerClients,
  ) {
    this.pipeline = config.pipeline!;
    this.ledger = new LedgerWithdrawals(config.upstreams.ledger!);
    this.policy = new PolicyWithdrawals(config.upstreams.policyEngine!);
  }

  onApplicationShutdown(): void {
    this.ledger.close();
    this.policy.close();
  }

  private chain(name: string): PipelineChain {
    const c = this.pipeline.chains.get(name);
    if (!c) throw new StepFailure('failed', `chain ${name} is not configured (PIPELINE_CHAINS)`);
    return c;
  }

  private rpc(chain: PipelineChain): ChainRpc {
    let r = this.rpcs.get(chain.chain);
    if (!r) this.rpcs.set(chain.chain, (r = new ChainRpc(chain.rpcUrl)));
    return r;
  }

  private async asset(chain: string, code: string): Promise<AssetInfo | undefined> {
    const key = `${chain}/${code}`;
    if (!this.assetCache?.has(key)) {
      const { assets } = await this.ledger.assets();
      this.assetCache = new Map(assets.map((a) => [`${a.chain}/${a.code}`, { code: a.code, decimals: Number(a.decimals), contract: a.contract }]));
    }
    return this.assetCache.get(key);
  }

  private async nativeAsset(chain: string): Promise<AssetInfo> {
    if (!this.assetCache) await this.asset(chain, '');
    const native = [...this.assetCache!.entries()].find(([k, a]) => k.startsWith(`${chain}/`) && a.contract === '');
    if (!native) throw new StepFailure('failed', `the ledger has no native asset on chain ${chain}`);
    return native[1];
  }

  private async wallet(walletId: string): Promise<WalletKey> {
    const wallet = await this.repository.wallet(walletId);
    if (!wallet) throw new StepFailure('failed', `wallet ${walletId} does not exist or has no secp256k1 key`);
    return wallet;
  }

  /** The address `w` sends from: the wallet's child `sourceIndex` as `CreateAddress` derives it (0, the sending address, unless it is a sweep). */
  private sourceAddressOf(wallet: WalletKey, w: Pick<Withdrawal, 'sourceIndex'>): Address {
    return depositAddress({ publicKey: wallet.publicKey, chainCode: wallet.chainCode }, [w.sourceIndex]).address;
  }

  private async currentFees(chain: PipelineChain): Promise<Eip1559Fees> {
    const history = parseFeeHistory(await this.rpc(chain).call('eth_feeHistory', ['0x5', 'latest', [50]]));
    return feesFromHistory(history, chain);
  }

  private async gasFor(chain: PipelineChain, w: Withdrawal, asset: AssetInfo, from: Address): Promise<bigint> {
    if (asset.contract === '') return NATIVE_GAS;
    const tx = erc20TransferTransaction({ chainId: chain.chainId, nonce: 0, maxFeePerGas: 0n, maxPriorityFeePerGas: 0n, gas: NATIVE_GAS, token: getAddress(asset.contract), recipient: getAddress(w.destination), amount: w.amount });
    const estimate = BigInt(await this.rpc(chain).call<string>('eth_estimateGas', [{ from, to: tx.to, data: `0x${Buffer.from(tx.data).toString('hex')}` }]));
    return (estimate * ERC20_GAS_MARGIN) / 100n;
  }

  private transaction(chain: PipelineChain, w: Withdrawal, asset: AssetInfo, nonce: number, fees: Eip1559Fees, gas: bigint): { tx: Eip1559Transaction; payload: EvmTransactionPayload } {
    const common = { chainId: chain.chainId, nonce, maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas, gas };
    const recipient = getAddress(w.destination);
    if (asset.contract === '') {
      const tx = nativeTransferTransaction({ ...common, to: recipient, value: w.amount });
      return { tx, payload: { kind: 'evm-transaction', ...tx, erc20: null } };
    }
    const tx = erc20TransferTransaction({ ...common, token: getAddress(asset.contract), recipient, amount: w.amount });
    return { tx, payload: { kind: 'evm-transaction', ...tx, erc20: { recipient, amount: w.amount } } };
  }

  /**
   * The sweeps due now (README, "Sweeps"): on each chain with `sweepMinWei`, every deposit address
   * (child ≥ 1) of a hot wallet whose native coin, booked and on chain, covers the most the fee can be
   * plus the minimum, and that has no open sweep, gets one: a withdrawal of kind `sweep` from that
   * child to the wallet's sending address, initiated by `system:sweeper` (policy-core's SWEEPER_INITIATOR) (so the policy decides
   * on it like any withdrawal). Returns the rows created, to be enqueued.
   */
  async createSweeps(): Promise<Withdrawal[]> {
    const created: Withdrawal[] = [];
    for (const chain of this.pipeline.chains.values()) {
      if (chain.sweepMinWei === undefined) continue;
      const candidates = await this.repository.sweepableAddresses(chain.chain);
      if (candidates.length === 0) continue;
      const native = await this.nativeAsset(chain.chain);
      const booked = new Map((await this.ledger.heldOnChain(chain.chain)).filter((r) => r.asset === native.code).map((r) => [r.address.toLowerCase(), parseUnits(r.amount, native.decimals)]));
      for (const c of candidates) {
        const held = booked.get(c.address.toLowerCase()) ?? 0n;
        if (held <= 0n) continue;
        const onChain = BigInt(await this.rpc(chain).call<string>('eth_getBalance', [c.address, 'latest']));
        const amount = sweepAmount({ booked: held, onChain, gas: NATIVE_GAS, maxFeePerGasCap: chain.maxFeePerGasCap, minimum: chain.sweepMinWei });
        if (amount === null) continue;
        const wallet = await this.repository.wallet(c.walletId);
        if (!wallet) continue;
        const sweep = await this.repository.insertSweep({
          id: `sw_${randomBytes(12).toString('hex')}`,
          createdBy: SWEEPER_INITIATOR,
          walletId: c.walletId,
          chain: chain.chain,
          asset: native.code,
          amount,
          sourceIndex: c.index,
          destination: this.sourceAddressOf(wallet, { sourceIndex: 0 }),
          expiresAt: new Date(Date.now() + this.pipeline.withdrawalTtlMs),
        });
        if (sweep) {
          this.logger.log({ withdrawal: sweep.id, wallet: c.walletId, address: c.address, amount: amount.toString() }, 'sweep of a deposit address created');
          created.push(sweep);
        }
      }
    }
    return created;
  }

  /** Runs `step` for `w` (a row read at the job's version). */
  async run(step: WithdrawalStep, w: Withdrawal): Promise<StepOutcome> {
    try {
      switch (step) {
        case 'hold':
          return await this.hold(w);
        case 'build':
          return await this.build(w);
        case 'evaluate':
          return await this.evaluate(w);
        case 'await-approval':
          return await this.awaitApproval(w);
        case 'sign':
          return await this.sign(w);
        case 'broadcast':
          return await this.broadcast(w);
        case 'confirm':
          return await this.confirm(w);
        case 'release':
          return await this.release(w);
      }
    } catch (error) {
      const failure = this.asFailure(error);
      if (!failure) throw error;
      if (isFinal(w.state)) throw error;
      // A replacement that cannot go on leaves the broadcast transaction to be mined as it is.
      const sent = w.attempt > 1 ? (await this.repository.attempts(w.id)).filter((a) => a.broadcastAt !== null) : [];
      if (sent.length > 0 && w.state !== 'broadcast' && w.state !== 'signed') {
        this.logger.warn({ withdrawal: w.id, reason: failure.message.slice(0, 200) }, 'replacement abandoned');
        return this.moved(await this.repository.transition(w.id, w.version, { state: 'broadcast', attempt: sent[sent.length - 1]!.attempt, replaceable: false, reason: `replacement refused: ${failure.message}` }));
      }
      this.logger.warn({ withdrawal: w.id, step, state: failure.state, reason: failure.message.slice(0, 200) }, 'withdrawal ends');
      return this.moved(await this.repository.transition(w.id, w.version, { state: failure.state, reason: failure.message }));
    }
  }

  private asFailure(error: unknown): StepFailure | undefined {
    if (error instanceof StepFailure) return error;
    if (error instanceof ChainInputError) return new StepFailure('failed', error.message);
    if (error instanceof UpstreamError && !isRetryable(error)) return new StepFailure('failed', error.message);
    if (error instanceof SignerCallError && !error.retryable && !isSignedBefore(error)) return new StepFailure('failed', `signers: ${error.message}`);
    return undefined;
  }

  /**
   * One event of the ledger's lifecycle, sent only while the ledger is in the state before it (a
   * replacement's approve / sign / broadcast were booked by the first attempt), with the event's
   * idempotency key, so a step that runs twice books it once.
   */
  private async ledgerStep(id: string, event: string, from: string, extra: { txHash?: string } = {}): Promise<void> {
    const booked = await this.ledger.get(id);
    if (booked?.state === from) await this.ledger.transition(id, event, extra);
  }

  private moved(next: Withdrawal | undefined): StepOutcome {
    return next ? { next } : { stale: true };
  }

  private attemptOf(attempts: readonly WithdrawalAttempt[], n: number): WithdrawalAttempt {
    const a = attempts.find((x) => x.attempt === n);
    if (!a) throw new Error(`withdrawal attempt ${n} is missing`);
    return a;
  }

  /** requested → held: the ledger holds amount + the most the fee can be (gas × the chain's cap). */
  private async hold(w: Withdrawal): Promise<StepOutcome> {
    const chain = this.chain(w.chain);
    const asset = await this.asset(w.chain, w.asset);
    if (!asset) throw new StepFailure('failed', `the ledger has no asset ${w.asset} on chain ${w.chain}`);
    const native = await this.nativeAsset(w.chain);
    const from = this.sourceAddressOf(await this.wallet(w.walletId), w);
    const gas = await this.gasFor(chain, w, asset, from);
    const feeEstimate = gas * chain.maxFeePerGasCap;
    try {
      await this.ledger.request({
        idempotencyKey: `pipeline.${w.id}.request`,
        id: w.id,
        wallet: w.walletId,
        chain: w.chain,
        asset: w.asset,
        amount: formatUnits(w.amount, asset.decimals),
        feeEstimate: formatUnits(feeEstimate, native.decimals),
        destination: w.destination,
        sourceAddress: from,
        expiresAtMs: String(w.expiresAt.getTime()),
        feeAsset: native.code,
      });
    } catch (error) {
      if (isCode(error, status.FAILED_PRECONDITION)) throw new StepFailure('failed', `the ledger refused the hold: ${(error as UpstreamError).details}`);
      throw error;
    }
    return this.moved(await this.repository.transition(w.id, w.version, { state: 'held', sourceAddress: from, feeEstimate }));
  }

  /** held → built: a nonce of the sending address (Postgres), fees from eth_feeHistory, the transaction and its sign request. */
  private async build(w: Withdrawal): Promise<StepOutcome> {
    const chain = this.chain(w.chain);
    const asset = (await this.asset(w.chain, w.asset))!;
    const wallet = await this.wallet(w.walletId);
    const from = w.sourceAddress as Address;
    const pending = Number(BigInt(await this.rpc(chain).call<string>('eth_getTransactionCount', [from, 'pending'])));
    const nonce = await this.repository.takeNonce(w.id, w.chain, from, pending);
    const fees = await this.currentFees(chain);
    const gas = await this.gasFor(chain, w, asset, from);
    const { payload } = this.transaction(chain, w, asset, nonce, fees, gas);
    const request: SignRequest = { requestId: `${w.id}.a1`, keyId: wallet.keyId, scheme: 'ecdsa', derivationPath: [w.sourceIndex], payload };
    await this.repository.insertAttempt({ withdrawalId: w.id, attempt: 1, requestId: request.requestId, nonce, maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas, gas, signRequestJson: JSON.stringify(signRequestToJson(request)) });
    return this.moved(await this.repository.transition(w.id, w.version, { state: 'built', attempt: 1 }));
  }

  /** built → approved | pending-approval | denied: the engine judges the exact transaction. */
  private async evaluate(w: Withdrawal): Promise<StepOutcome> {
    const chain = this.chain(w.chain);
    const asset = (await this.asset(w.chain, w.asset))!;
    const wallet = await this.wallet(w.walletId);
    const attempt = this.attemptOf(await this.repository.attempts(w.id), w.attempt);
    const decision = await this.policy.evaluate({
      requestId: attempt.requestId,
      initiatorId: w.createdBy,
      walletId: w.walletId,
      sourceTags: [wallet.custody],
      destination: w.destination,
      chainId: chain.chainId,
      asset: w.asset,
      assetDecimals: asset.decimals,
      amount: w.amount,
      signRequestJson: attempt.signRequestJson,
    });
    return this.decided(w, wallet, attempt, decision);
  }

  private async decided(w: Withdrawal, wallet: WalletKey, attempt: WithdrawalAttempt, decision: { status: string; reason: string; grantJson: string; matchedRule: string }): Promise<StepOutcome> {
    switch (decision.status) {
      case 'allowed': {
        if (!decision.grantJson) throw new StepFailure('failed', 'the policy engine allowed the request without a grant');
        // A cold wallet's withdrawal is never signed on policy alone: the grant must carry approvals.
        if (wallet.custody === 'cold' && decodeSignGrant(decision.grantJson).approvals.length === 0) throw new StepFailure('denied', `cold wallet: rule ${decision.matchedRule} allows without approvals; a cold wallet needs its approval group`);
        await this.repository.setGrant(w.id, attempt.attempt, decision.grantJson);
        await this.ledgerStep(w.id, 'approve', 'requested');
        return this.moved(await this.repository.transition(w.id, w.version, { state: 'approved' }));
      }
      case 'pending-approval':
        if (w.state === 'pending-approval') {
          if (Date.now() - w.updatedAt.getTime() > this.pipeline.approvalTimeoutMs) throw new StepFailure('expired', `approvals not complete within ${this.pipeline.approvalTimeoutMs} ms`);
          return { waitMs: this.pipeline.pollMs };
        }
        return this.moved(await this.repository.transition(w.id, w.version, { state: 'pending-approval' }));
      case 'denied':
        throw new StepFailure('denied', `denied by policy (rule ${decision.matchedRule || 'default'}): ${decision.reason}`);
      case 'rejected':
        throw new StepFailure('rejected', `rejected by an approver: ${decision.reason}`);
      default:
        throw new StepFailure('failed', `the policy engine answered ${decision.status}: ${decision.reason}`);
    }
  }

  /** pending-approval → approved | rejected | expired: the engine's request state, polled with backoff. */
  private async awaitApproval(w: Withdrawal): Promise<StepOutcome> {
    const wallet = await this.wallet(w.walletId);
    const attempt = this.attemptOf(await this.repository.attempts(w.id), w.attempt);
    return this.decided(w, wallet, attempt, await this.policy.get(attempt.requestId));
  }

  /** approved → signing → signed: claimed first (a cancel can no longer win), then signed by a quorum. */
  private async sign(w: Withdrawal): Promise<StepOutcome> {
    let row = w;
    if (row.state === 'approved') {
      const claimed = await this.repository.transition(row.id, row.version, { state: 'signing' });
      if (!claimed) return { stale: true };
      row = claimed;
    } else if (Date.now() - row.updatedAt.getTime() < SIGNING_GRACE_MS) {
      // Claimed by a job that may still be signing (the re-drive found the row in `signing`): wait;
      // only a claim older than any signing session is taken over.
      return { waitMs: this.pipeline.pollMs };
    }
    const attempts = await this.repository.attempts(row.id);
    const attempt = this.attemptOf(attempts, row.attempt);
    let signed = attempt;
    if (attempt.rawTx === null) {
      if (!attempt.grantJson) throw new StepFailure('failed', 'no grant stored for the attempt');
      const request = signRequestFromJson(JSON.parse(attempt.signRequestJson));
      const payload = request.payload as EvmTransactionPayload;
      const tx: Eip1559Transaction = { chainId: payload.chainId, nonce: payload.nonce, maxFeePerGas: payload.maxFeePerGas, maxPriorityFeePerGas: payload.maxPriorityFeePerGas, gas: payload.gas, to: payload.to as Address, value: payload.value, data: payload.data };
      let result;
      try {
        result = await this.signers.sign(new TextEncoder().encode(attempt.grantJson), transactionSigningHash(tx));
      } catch (error) {
        // The signers signed this request id before and the signature was lost (a crash between the
        // signature and its storage): nothing was broadcast, so the withdrawal fails cleanly.
        if (!isSignedBefore(error)) throw error;
        // The signers signed (or are signing) this request id but the signature never reached
        // Postgres (a crash, a lost answer): nothing of it was broadcast. A new attempt with the same
        // nonce and fees gets its own request id and grant; at most one transaction of the nonce can
        // ever be mined.
        const n = Math.max(...attempts.map((a) => a.attempt)) + 1;
        const again: SignRequest = { ...request, requestId: `${row.id}.a${n}` };
        await this.repository.insertAttempt({ withdrawalId: row.id, attempt: n, requestId: again.requestId, nonce: attempt.nonce, maxFeePerGas: attempt.maxFeePerGas, maxPriorityFeePerGas: attempt.maxPriorityFeePerGas, gas: attempt.gas, signRequestJson: JSON.stringify(signRequestToJson(again)) });
        this.logger.warn({ withdrawal: row.id, attempt: n }, 'signature of a request signed before was not stored; signing again under a new request id');
        return this.moved(await this.repository.transition(row.id, row.version, { state: 'built', attempt: n }));
      }
      const raw = signedTransactionBytes(tx, { signature: result.signature, recoveryId: result.recoveryId }, row.sourceAddress as Address);
      signed = await this.repository.setSigned(row.id, attempt.attempt, raw, `0x${Buffer.from(transactionHash(raw)).toString('hex')}`);
    }
    await this.ledgerStep(row.id, 'sign', 'approved');
    return this.moved(await this.repository.transition(row.id, row.version, { state: 'signed', txHash: signed.txHash! }));
  }

  private async mined(chain: PipelineChain, attempts: readonly WithdrawalAttempt[]): Promise<{ attempt: WithdrawalAttempt; receipt: { blockNumber: string; gasUsed: string; effectiveGasPrice: string; status: string } } | undefined> {
    for (const a of attempts) {
      if (!a.txHash) continue;
      const receipt = await this.rpc(chain).call<{ blockNumber: string; gasUsed: string; effectiveGasPrice: string; status: string } | null>('eth_getTransactionReceipt', [a.txHash]);
      if (receipt) return { attempt: a, receipt };
    }
    return undefined;
  }

  /** signed → broadcast: eth_sendRawTransaction; a transaction the node already knows, or one of ours mined, is success. */
  private async broadcast(w: Withdrawal): Promise<StepOutcome> {
    const chain = this.chain(w.chain);
    const attempts = await this.repository.attempts(w.id);
    const attempt = this.attemptOf(attempts, w.attempt);
    const raw = `0x${Buffer.from(attempt.rawTx!).toString('hex')}`;
    // A replacement of a transaction already broadcast (same nonce) is known to the indexer before the
    // node has it: mined before it was tracked, the indexer would take it for another transaction using
    // the nonce and fail a withdrawal the chain paid. The ledger is in broadcast already then, so the
    // indexer may settle it at once. (Nothing broadcast yet: no tracked row, so nothing is concluded
    // wrongly, and it is tracked after the ledger is in broadcast, as below.)
    if (this.indexers.watches(w.chain) && attempts.some((a) => a.broadcastAt !== null)) await this.track(w, attempts, attempt.txHash!);
    try {
      await this.rpc(chain).call('eth_sendRawTransaction', [raw]);
    } catch (error) {
      if (!(error instanceof ChainRpcError)) throw error;
      const known = /already known|known transaction|already imported|already exists/i.test(error.nodeMessage) || (await this.rpc(chain).call('eth_getTransactionByHash', [attempt.txHash])) !== null;
      if (!known && !(await this.mined(chain, attempts))) {
        if (/nonce too low/i.test(error.nodeMessage)) throw new StepFailure('failed', `nonce ${attempt.nonce} was used by another transaction of ${w.sourceAddress}`);
        if (w.attempt > 1 && /underpriced|replacement/i.test(error.nodeMessage)) {
          const sent = attempts.filter((a) => a.broadcastAt !== null);
          if (sent.length > 0) return this.moved(await this.repository.transition(w.id, w.version, { state: 'broadcast', attempt: sent[sent.length - 1]!.attempt, replaceable: false, reason: `replacement refused by the node: ${error.nodeMessage.slice(0, 200)}` }));
        }
        throw new StepFailure('failed', `the node refused the transaction: ${error.nodeMessage.slice(0, 300)}`);
      }
    }
    await this.repository.setBroadcast(w.id, attempt.attempt);
    await this.ledgerStep(w.id, 'broadcast', 'signed', { txHash: attempt.txHash! });
    // The ledger is in broadcast now: the chain's indexer may settle it (never before, or it would be refused).
    if (this.indexers.watches(w.chain)) await this.track(w, await this.repository.attempts(w.id));
    return this.moved(await this.repository.transition(w.id, w.version, { state: 'broadcast', txHash: attempt.txHash! }));
  }

  /**
   * Settlements a reorg undid: the chain indexer sent the ledger `unconfirm` (the block of the mined
   * transaction was orphaned), which the public stream shows as withdrawal.state_changed confirmed →
   * broadcast. Each such withdrawal still confirmed here, and in broadcast in the ledger now, goes back
   * to broadcast, so the confirm step follows it again until the indexer settles it once more.
   * Returns the reopened rows (to be enqueued).
   */
  async reopenUnconfirmed(limit = 500): Promise<Withdrawal[]> {
    const reopened: Withdrawal[] = [];
    for (;;) {
      const { ids, lastSeq, more } = await this.repository.unconfirmedByLedger(limit);
      for (const id of ids) {
        if ((await this.ledger.get(id))?.state !== 'broadcast') continue;
        const w = await this.repository.reopen(id, 'reorg: the block that confirmed it was orphaned; waiting for the transaction on the new branch');
        if (w) {
          this.logger.warn({ withdrawal: id }, 'settlement undone by a reorg; following the transaction again');
          reopened.push(w);
        }
      }
      await this.repository.unconfirmedRead(lastSeq);
      if (!more) return reopened;
    }
  }

  /** Tells the chain's indexer every transaction broadcast for `w` (one nonce; more than one after fee bumps), and `sending`, about to be. */
  private track(w: Withdrawal, attempts: readonly WithdrawalAttempt[], sending?: string): Promise<WithdrawalTracking> {
    const hashes = attempts.filter((a) => a.broadcastAt !== null && a.txHash).map((a) => a.txHash!);
    if (sending && !hashes.includes(sending)) hashes.push(sending);
    return this.indexers.trackWithdrawal(w.chain, { withdrawalId: w.id, sender: w.sourceAddress!, nonce: attempts[0]!.nonce, txHashes: hashes });
  }

  /**
   * broadcast → confirmed on a chain with an indexer: the indexer settles the ledger (the fee the mined
   * transaction paid) once one of the transactions is at the asset's depth, fails it when it reverted
   * or another transaction took the nonce, and undoes a settlement a reorg orphans (see `reopen`).
   * The row follows what the indexer sent to the ledger; the pipeline itself books nothing here.
   */
  private async settledByIndexer(w: Withdrawal, attempts: readonly WithdrawalAttempt[]): Promise<StepOutcome | undefined> {
    let tracking: WithdrawalTracking;
    try {
      tracking = await this.indexers.withdrawalTracking(w.chain, w.id);
    } catch (error) {
      // Not tracked yet (a crash between the broadcast and the call): track it now.
      if (!isCode(error, status.NOT_FOUND)) throw error;
      tracking = await this.track(w, attempts);
    }
    if (tracking.ledgerOutcome === 'confirm' && tracking.mined) {
      const booked = await this.ledger.get(w.id);
      if (booked?.state !== 'confirmed') return { waitMs: this.pipeline.pollMs };
      return this.moved(await this.repository.transition(w.id, w.version, { state: 'confirmed', feeActual: BigInt(tracking.mined.feeWei), txHash: tracking.mined.txHash }));
    }
    if (tracking.ledgerOutcome === 'fail') {
      const why = tracking.status === 'TRACKING_STATUS_REPLACED' ? `nonce used by another transaction (${tracking.replacedBy})` : `transaction ${tracking.mined?.txHash ?? ''} reverted on chain`;
      throw new StepFailure('failed', why);
    }
    // Mined but not at the depth yet: nothing to replace; wait.
    if (tracking.status === 'TRACKING_STATUS_MINED') return { waitMs: this.pipeline.pollMs };
    return undefined;
  }

  /**
   * broadcast → confirmed: the receipt of any of its transactions (one nonce, so at most one is ever
   * mined) at the chain's depth; the ledger settles with the fee that transaction paid. Not mined
   * within PIPELINE_STUCK_AFTER_MS: a replacement with higher fees (attempt n+1, back to `built`).
   */
  private async confirm(w: Withdrawal): Promise<StepOutcome> {
    const chain = this.chain(w.chain);
    const attempts = await this.repository.attempts(w.id);
    const byIndexer = this.indexers.watches(w.chain);
    if (byIndexer) {
      const outcome = await this.settledByIndexer(w, attempts);
      if (outcome) return outcome;
    }
    const found = byIndexer ? undefined : await this.mined(chain, attempts);
    if (found) {
      const head = Number(BigInt(await this.rpc(chain).call<string>('eth_blockNumber')));
      const depth = head - Number(BigInt(found.receipt.blockNumber)) + 1;
      if (depth < chain.confirmations) return { waitMs: this.pipeline.pollMs };
      const fee = BigInt(found.receipt.gasUsed) * BigInt(found.receipt.effectiveGasPrice);
      const native = await this.nativeAsset(w.chain);
      if (BigInt(found.receipt.status) !== 1n) throw new StepFailure('failed', `transaction ${found.attempt.txHash} reverted on chain (fee ${fee} wei paid)`);
      await this.ledger.transition(w.id, 'confirm', { feeActual: formatUnits(fee, native.decimals) });
      return this.moved(await this.repository.transition(w.id, w.version, { state: 'confirmed', feeActual: fee, txHash: found.attempt.txHash! }));
    }
    const latest = this.attemptOf(attempts, w.attempt);
    const rpc = this.rpc(chain);
    // Dropped from the node's pool (a restart, an eviction): the same signed bytes are sent again.
    if ((await rpc.call('eth_getTransactionByHash', [latest.txHash])) === null) {
      await rpc.call('eth_sendRawTransaction', [`0x${Buffer.from(latest.rawTx!).toString('hex')}`]).catch(() => undefined);
    }
    const since = latest.broadcastAt ? Date.now() - latest.broadcastAt.getTime() : 0;
    if (w.replaceable && since > this.pipeline.stuckAfterMs) {
      const fees = replacementFees(latest, await this.currentFees(chain), chain);
      if (fees === null) {
        this.logger.warn({ withdrawal: w.id }, 'stuck transaction not replaced: the fee cap is reached');
        return this.moved(await this.repository.transition(w.id, w.version, { state: 'broadcast', replaceable: false, reason: 'stuck: a replacement would pass the chain fee cap' }));
      }
      const asset = (await this.asset(w.chain, w.asset))!;
      const wallet = await this.wallet(w.walletId);
      const n = w.attempt + 1;
      const { payload } = this.transaction(chain, w, asset, latest.nonce, fees, latest.gas);
      const request: SignRequest = { requestId: `${w.id}.a${n}`, keyId: wallet.keyId, scheme: 'ecdsa', derivationPath: [w.sourceIndex], payload };
      await this.repository.insertAttempt({ withdrawalId: w.id, attempt: n, requestId: request.requestId, nonce: latest.nonce, maxFeePerGas: fees.maxFeePerGas, maxPriorityFeePerGas: fees.maxPriorityFeePerGas, gas: latest.gas, signRequestJson: JSON.stringify(signRequestToJson(request)) });
      this.logger.log({ withdrawal: w.id, attempt: n, maxFeePerGas: fees.maxFeePerGas.toString() }, 'replacing a stuck transaction');
      return this.moved(await this.repository.transition(w.id, w.version, { state: 'built', attempt: n }));
    }
    return { waitMs: this.pipeline.pollMs };
  }

  /** A final state other than confirmed: the ledger's hold voided, the engine's reservations and the nonce given back. */
  private async release(w: Withdrawal): Promise<StepOutcome> {
    const ledger = await this.ledger.get(w.id);
    if (ledger && !['confirmed', 'failed', 'rejected', 'expired', 'cancelled'].includes(ledger.state)) {
      const reason = `${w.state}: ${w.reason}`.slice(0, 256);
      if (w.state === 'cancelled') await this.ledger.transition(w.id, 'cancel', { reason });
      else if (ledger.state === 'requested') await this.ledger.transition(w.id, 'reject', { reason });
      else await this.ledger.transition(w.id, 'fail', { reason });
    }
    for (const a of await this.repository.attempts(w.id)) await this.policy.release(a.requestId);
    await this.repository.giveBackNonce(w.id);
    return this.moved(await this.repository.transition(w.id, w.version, { state: w.state, released: true }));
  }
}
