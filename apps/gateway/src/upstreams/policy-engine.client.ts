import { ApiError } from '../errors/api-error';
import { GrpcUpstream } from './grpc-upstream';

/** The part of custody.policy.v1.DecisionResponse the gateway reads. */
export interface PolicyDecision {
  readonly requestId: string;
  /** allow | deny | needs-approval */
  readonly outcome: string;
  readonly reason: string;
  /** allowed | denied | pending-approval | rejected | failed */
  readonly status: string;
  readonly matchedRule: string;
  /** libs/sign-grant JSON; empty until allowed with its approvals complete. */
  readonly grantJson: string;
}

export interface MessageSigningInput {
  readonly requestId: string;
  readonly initiatorId: string;
  readonly walletId: string;
  readonly signRequestJson: string;
}

/** The gateway's client of custody.policy.v1.PolicyService (POLICY_ENGINE_GRPC_ADDRESS). */
export class PolicyEngineClient {
  private upstream: GrpcUpstream | undefined;

  constructor(private readonly address: string | undefined) {}

  private engine(): GrpcUpstream {
    if (!this.address) throw new ApiError('unavailable', 'the gateway has no policy engine configured (POLICY_ENGINE_GRPC_ADDRESS)');
    this.upstream ??= new GrpcUpstream('policy engine', 'custodyPolicy', 'custody.policy.v1.PolicyService', this.address);
    return this.upstream;
  }

  /** Evaluate a raw message signing request (operation `message-signing`); the engine stores it under its id. */
  evaluateMessageSigning(input: MessageSigningInput): Promise<PolicyDecision> {
    return this.engine().call('Evaluate', {
      request: { requestId: input.requestId, operation: 'message-signing', initiatorId: input.initiatorId, sourceWalletId: input.walletId, signRequestJson: input.signRequestJson },
    });
  }

  getRequest(requestId: string): Promise<PolicyDecision> {
    return this.engine().call('GetRequest', { requestId });
  }

  /** The request failed downstream: its velocity reservations go back. */
  async releaseRequest(requestId: string): Promise<void> {
    await this.engine().call('ReleaseRequest', { requestId });
  }

  close(): void {
    this.upstream?.close();
  }
}
