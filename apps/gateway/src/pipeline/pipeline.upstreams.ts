import { status } from '@grpc/grpc-js';
import { GrpcUpstream, UpstreamError } from '../upstreams/grpc-upstream';

/** custody.ledger.v1.Withdrawal, as far as the pipeline reads it. */
export interface LedgerWithdrawal {
  readonly id: string;
  readonly state: string;
  readonly reason: string;
  readonly txHash: string;
  readonly feeActual: string;
}

/** custody.policy.v1.DecisionResponse, as far as the pipeline reads it. */
export interface WithdrawalDecision {
  readonly requestId: string;
  readonly outcome: string;
  readonly reason: string;
  readonly status: string;
  readonly matchedRule: string;
  readonly grantJson: string;
}

export interface WithdrawalPolicyInput {
  readonly requestId: string;
  readonly initiatorId: string;
  readonly walletId: string;
  readonly sourceTags: readonly string[];
  readonly destination: string;
  readonly chainId: number;
  readonly asset: string;
  readonly assetDecimals: number;
  /** Smallest unit. */
  readonly amount: bigint;
  readonly signRequestJson: string;
}

/** Whether the same call may succeed later (the job then retries with backoff). */
export function isRetryable(error: unknown): boolean {
  if (error instanceof UpstreamError) return [status.UNAVAILABLE, status.DEADLINE_EXCEEDED, status.ABORTED, status.RESOURCE_EXHAUSTED, status.CANCELLED, status.UNKNOWN].includes(error.code);
  return false;
}

export function isCode(error: unknown, code: status): boolean {
  return error instanceof UpstreamError && error.code === code;
}

/** The ledger's withdrawal lifecycle, as the pipeline drives it (every write with a derived idempotency key). */
export class LedgerWithdrawals {
  private readonly upstream: GrpcUpstream;

  constructor(address: string) {
    this.upstream = new GrpcUpstream('ledger', 'ledger', 'custody.ledger.v1.LedgerService', address);
  }

  request(input: Record<string, unknown>): Promise<LedgerWithdrawal> {
    return this.upstream.call('RequestWithdrawal', input);
  }

  transition(id: string, event: string, extra: { txHash?: string; feeActual?: string; reason?: string } = {}): Promise<LedgerWithdrawal> {
    return this.upstream.call('TransitionWithdrawal', { idempotencyKey: `pipeline.${id}.${event}`, id, event, ...extra });
  }

  async get(id: string): Promise<LedgerWithdrawal | undefined> {
    try {
      return await this.upstream.call<LedgerWithdrawal>('GetWithdrawal', { id });
    } catch (error) {
      if (isCode(error, status.NOT_FOUND)) return undefined;
      throw error;
    }
  }

  assets(): Promise<{ assets: { chain: string; code: string; decimals: number; contract: string }[] }> {
    return this.upstream.call('ListAssets', {});
  }

  /** What the ledger books as held on chain per (asset, address) of `chain` (decimal amounts). */
  async heldOnChain(chain: string): Promise<Array<{ asset: string; address: string; amount: string }>> {
    const { rows } = await this.upstream.call<{ rows: Array<{ chain: string; asset: string; address: string; amount: string }> }>('GetReconciliation', { chain });
    return (rows ?? []).filter((r) => r.chain === chain);
  }

  close(): void {
    this.upstream.close();
  }
}

/** The policy engine's side of a withdrawal. */
export class PolicyWithdrawals {
  private readonly upstream: GrpcUpstream;

  constructor(address: string) {
    this.upstream = new GrpcUpstream('policy engine', 'custodyPolicy', 'custody.policy.v1.PolicyService', address);
  }

  /** Idempotent per request id: a retry with the same content returns the first decision. */
  evaluate(i: WithdrawalPolicyInput): Promise<WithdrawalDecision> {
    return this.upstream.call('Evaluate', {
      request: {
        requestId: i.requestId,
        operation: 'withdrawal',
        initiatorId: i.initiatorId,
        sourceWalletId: i.walletId,
        sourceTags: [...i.sourceTags],
        destinationAddress: i.destination,
        destinationChainId: i.chainId,
        assetId: i.asset,
        assetDecimals: i.assetDecimals,
        amount: i.amount.toString(),
        chainId: i.chainId,
        signRequestJson: i.signRequestJson,
      },
    });
  }

  get(requestId: string): Promise<WithdrawalDecision> {
    return this.upstream.call('GetRequest', { requestId });
  }

  async release(requestId: string): Promise<void> {
    try {
      await this.upstream.call('ReleaseRequest', { requestId });
    } catch (error) {
      if (isCode(error, status.NOT_FOUND) || isCode(error, status.FAILED_PRECONDITION)) return;
      throw error;
    }
  }

  close(): void {
    this.upstream.close();
  }
}
