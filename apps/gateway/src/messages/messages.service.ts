import { randomBytes } from 'node:crypto';
import { Injectable, Logger } from '@nestjs/common';
import { decodeSignGrant, LIMITS, signingInput, signRequestToJson, type MessageHash, type SignRequest } from '@custody/sign-grant';
import { SignerCallError } from '@custody/signer-client';
import { checkId, parseName } from '../api/resource-paging';
import { ApiError, preview } from '../errors/api-error';
import { PolicyEngineClient, type PolicyDecision } from '../upstreams/policy-engine.client';
import { publicError } from '../upstreams/grpc-upstream';
import { isSignedBefore, SignerPool } from '../upstreams/signer-pool';
import { WALLET_SCHEMES, type Wallet } from '../wallets/wallet';
import { WalletsService } from '../wallets/wallets.service';
import { TERMINAL_STATES, type MessageRecord, type MessageView } from './message';
import { MessagesRepository } from './messages.repository';
import { MessageSigningQueue } from './message-signing.queue';

export interface CreateMessageInput {
  wallet: string;
  message: string;
  hash?: string;
}

/** What one step of a message found: done (a terminal state) or still waiting for approvals. */
export type StepOutcome = 'done' | 'waiting';

const HEX = /^(?:[0-9a-fA-F]{2})+$/;

function checkHash(value: unknown, wallet: Wallet): MessageHash {
  if (wallet.scheme === 'eddsa-ed25519') {
    if (value !== undefined && value !== '' && value !== 'none') throw new ApiError('invalid-argument', 'hash: an eddsa-ed25519 wallet signs the message itself (hash none)');
    return 'none';
  }
  if (value === undefined || value === '') return 'keccak256';
  if (value !== 'sha256' && value !== 'keccak256' && value !== 'none') throw new ApiError('invalid-argument', `hash ${preview(value)} must be sha256, keccak256 or none`);
  return value;
}

function checkMessage(value: unknown): Uint8Array {
  if (typeof value !== 'string' || !HEX.test(value)) throw new ApiError('invalid-argument', 'message must be the message as hex (an even number of hex digits, at least one byte)');
  const bytes = Uint8Array.from(Buffer.from(value, 'hex'));
  if (bytes.length > LIMITS.maxMessageBytes) throw new ApiError('invalid-argument', `message must be at most ${LIMITS.maxMessageBytes} bytes`);
  return bytes;
}

/**
 * Raw message signing under policy: the policy engine evaluates the request (operation
 * `message-signing`); allowed with its approvals complete, the engine's grant goes to a quorum of
 * signers; waiting for approvals, a queued job asks the engine again with backoff and signs once
 * approved; denied or rejected, no signer is asked. The request id is the message id, so the
 * engine and every signer see one request however often a step runs.
 */
@Injectable()
export class MessagesService {
  private readonly logger = new Logger('Messages');

  constructor(
    private readonly messages: MessagesRepository,
    private readonly wallets: WalletsService,
    private readonly policy: PolicyEngineClient,
    private readonly signers: SignerPool,
    private readonly queue: MessageSigningQueue,
  ) {}

  view(m: MessageRecord, wallet: Wallet): MessageView {
    return {
      name: `messages/${m.messageId}`,
      wallet: `wallets/${m.walletId}`,
      message: Buffer.from(m.message).toString('hex'),
      state: m.state,
      signature: m.signature ? Buffer.from(m.signature).toString('hex') : '',
      hash: m.hash,
      recoveryId: m.recoveryId ?? 0,
      reason: m.reason,
      publicKey: Buffer.from(wallet.publicKey).toString('hex'),
      createTime: m.createdAt.toISOString(),
      scheme: wallet.scheme,
    };
  }

  private signRequest(m: MessageRecord, wallet: Wallet): SignRequest {
    return { requestId: m.messageId, keyId: wallet.keyId, scheme: WALLET_SCHEMES[wallet.scheme], derivationPath: [], payload: { kind: 'message', message: m.message, hash: m.hash } };
  }

  async create(input: CreateMessageInput, createdBy: string): Promise<MessageView> {
    const [walletId] = parseName(input.wallet, ['wallets'], 'wallet');
    const wallet = await this.wallets.wallet(walletId!, 'wallet');
    const hash = checkHash(input.hash, wallet);
    const message = checkMessage(input.message);
    if (wallet.scheme === 'ecdsa-secp256k1' && hash === 'none' && message.length !== 32) throw new ApiError('invalid-argument', 'message must be 32 bytes with hash none (it is the digest signed)');
    const stored = await this.messages.insert({ messageId: `m-${randomBytes(10).toString('hex')}`, walletId: wallet.walletId, message, hash, createdBy });
    await this.step(stored.messageId);
    return this.get(stored.messageId);
  }

  async get(messageId: string, field = 'messageId'): Promise<MessageView> {
    const m = await this.messages.find(checkId(messageId, field));
    if (!m) throw new ApiError('not-found', `no message ${preview(messageId)}`);
    return this.view(m, await this.wallets.wallet(m.walletId));
  }

  /**
   * One step of a message: ask the engine (Evaluate the first time, which is idempotent by request
   * id; GetRequest after), then sign, wait or stop. Safe to run twice: every state change is
   * guarded, and the signers refuse a request id they signed before.
   */
  async step(messageId: string): Promise<StepOutcome> {
    const m = await this.messages.find(messageId);
    if (!m || TERMINAL_STATES.includes(m.state)) return 'done';
    const wallet = await this.wallets.wallet(m.walletId);
    const request = this.signRequest(m, wallet);
    let decision: PolicyDecision;
    try {
      decision =
        m.state === 'evaluating'
          ? await this.policy.evaluateMessageSigning({ requestId: m.messageId, initiatorId: m.createdBy, walletId: m.walletId, signRequestJson: JSON.stringify(signRequestToJson(request)) })
          : await this.policy.getRequest(m.messageId);
    } catch (error) {
      if (m.state === 'evaluating') {
        await this.messages.transition(m.messageId, ['evaluating'], 'failed', { reason: `policy evaluation failed: ${publicError(error).message}` });
        throw publicError(error);
      }
      throw error;
    }
    if (decision.status === 'denied' || decision.status === 'rejected' || decision.outcome === 'deny') {
      await this.messages.transition(m.messageId, ['evaluating', 'pending-approval'], 'rejected', { reason: `${decision.status || decision.outcome}: ${decision.reason}${decision.matchedRule ? ` (rule ${decision.matchedRule})` : ''}` });
      return 'done';
    }
    if (decision.status === 'failed') {
      await this.messages.transition(m.messageId, ['evaluating', 'pending-approval', 'signing'], 'failed', { reason: `the policy engine marked the request failed: ${decision.reason}` });
      return 'done';
    }
    if (decision.status === 'allowed' && decision.grantJson !== '') return this.sign(m, request, decision.grantJson);
    if (m.state === 'evaluating') {
      await this.messages.transition(m.messageId, ['evaluating'], 'pending-approval', { reason: decision.reason });
      await this.queue.enqueue(m.messageId);
    }
    return 'waiting';
  }

  private async sign(m: MessageRecord, request: SignRequest, grantJson: string): Promise<StepOutcome> {
    const grant = decodeSignGrant(grantJson);
    const granted = grant.request;
    // The gateway sends the signers only a grant for exactly this request.
    if (granted.requestId !== request.requestId || granted.keyId !== request.keyId || granted.payload.kind !== 'message' || Buffer.compare(Buffer.from(granted.payload.message), Buffer.from(m.message)) !== 0 || granted.derivationPath.length !== 0) {
      await this.messages.transition(m.messageId, ['evaluating', 'pending-approval', 'signing'], 'failed', { reason: 'the policy engine granted another request than this message' });
      return 'done';
    }
    const claimed = await this.messages.transition(m.messageId, ['evaluating', 'pending-approval', 'signing'], 'signing', { grantJson });
    if (!claimed) return 'done';
    try {
      const result = await this.signers.sign(new TextEncoder().encode(grantJson), signingInput(granted.payload, granted.scheme));
      await this.messages.recordSignature(m.messageId, result.signature, result.recoveryId);
      return 'done';
    } catch (error) {
      const again = await this.messages.find(m.messageId);
      if (again?.state === 'signed') return 'done';
      if (isSignedBefore(error)) {
        // Another step is signing it (or signed it and has not recorded it yet): never a second
        // signature, never a release; the queued job looks again until the signature is recorded.
        await this.queue.enqueue(m.messageId);
        return 'waiting';
      }
      const reason = error instanceof SignerCallError
          ? `the signers could not sign: ${error.message.slice(0, 300)}`
          : 'signing failed';
      if (!(error instanceof SignerCallError)) this.logger.error({ err: { name: (error as Error).name, message: String((error as Error).message).slice(0, 500) } }, 'signing failed');
      await this.messages.transition(m.messageId, ['signing'], 'failed', { reason });
      await this.policy.releaseRequest(m.messageId).catch(() => undefined);
      return 'done';
    }
  }
}
