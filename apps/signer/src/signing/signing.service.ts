import { Inject, Injectable, Logger } from '@nestjs/common';
import { bytesToHex } from '@noble/hashes/utils.js';
import { InvalidInputError } from '@custody/mpc-core';
import { signatureToCompact, signatureToDer } from '@custody/mpc-core/ecdsa/signature';
import type { SignResult as FrostSignResult } from '@custody/mpc-core/frost';
import { decodeSignGrant, SignGrantInputError } from '@custody/sign-grant';
import type { SignerConfig } from '../config';
import { AuditWriter } from '../audit/audit-writer.service';
import { SignerNode } from '../node/signer-node.service';
import type { EcdsaSignOutcome } from '../protocols/ecdsa.handlers';
import { presignArguments, signArguments } from '../api/signer-inputs';
import { SessionFailed } from '../sessions/session-errors';
import { SIGNER_CONFIG } from '../storage/signer.tokens';
import { Admission, AdmissionTimeout } from './admission';
import { NoncePool } from './nonce-pool.service';
import { PresignaturePool } from './presignature-pool.service';

/** Less time than this left for a session: it is not started. */
const MIN_SESSION_MS = 100;

export interface SignOutcome {
  readonly requestId: string;
  readonly signature: Uint8Array;
  readonly recoveryId: number;
  readonly der: Uint8Array;
  readonly publicKey: Uint8Array;
}

/** Signing as the API sees it: this node coordinates; every participant checks the grant itself. */
@Injectable()
export class SigningService {
  private readonly logger = new Logger(SigningService.name);

  private readonly admission: Admission;

  constructor(
    @Inject(SIGNER_CONFIG) private readonly config: SignerConfig,
    private readonly node: SignerNode,
    private readonly nonces: NoncePool,
    private readonly presignatures: PresignaturePool,
    private readonly audit: AuditWriter,
  ) {
    this.admission = new Admission(config.maxConcurrentSigns);
  }

  /**
   * Signs, and writes the session's audit record before the signature is released (README, "The audit
   * log"): if that write fails, the caller gets an error, not the signature.
   */
  async sign(grantText: string, signers: readonly number[], signingInput: Uint8Array, requestedTimeoutMs?: number): Promise<SignOutcome> {
    const { participants } = signArguments(signers, signingInput, requestedTimeoutMs, this.node.self);
    let session: { requestId: string; scheme: string; keyId: string } | undefined;
    try {
      const g = decodeSignGrant(grantText);
      session = { requestId: g.request.requestId, scheme: g.request.scheme, keyId: g.request.keyId };
    } catch {
      // signSession refuses it with the reason
    }
    let outcome: SignOutcome;
    try {
      outcome = await this.signSession(grantText, signers, signingInput, requestedTimeoutMs);
    } catch (error) {
      if (session && !(error instanceof InvalidInputError)) await this.audit.failed({ ...session, participants, reason: error instanceof Error ? error.message : String(error) });
      throw error;
    }
    await this.audit.signed({ ...session!, participants, signature: outcome.signature, publicKey: outcome.publicKey });
    return outcome;
  }

  private async signSession(grantText: string, signers: readonly number[], signingInput: Uint8Array, requestedTimeoutMs?: number): Promise<SignOutcome> {
    const { participants, timeoutMs } = signArguments(signers, signingInput, requestedTimeoutMs, this.node.self);
    let keyId: string;
    let scheme: string;
    let requestId: string;
    try {
      const grant = decodeSignGrant(grantText);
      ({ keyId, scheme } = grant.request);
      requestId = grant.request.requestId;
    } catch (error) {
      if (error instanceof SignGrantInputError) throw new InvalidInputError('grant', error.message);
      throw error;
    }
    if (scheme === 'eddsa') {
      const result = await this.node.coordinate<FrostSignResult>({ protocol: 'eddsa-sign', keyId, participants, grant: grantText, signingInput: bytesToHex(signingInput) }, timeoutMs);
      this.nonces.refillAll();
      return { requestId, signature: result.signature, recoveryId: 0, der: new Uint8Array(0), publicKey: result.publicKey };
    }
    if (scheme === 'ecdsa') {
      const base = { protocol: 'ecdsa-sign' as const, keyId, participants, grant: grantText, signingInput: bytesToHex(signingInput) };
      // The request's deadline covers its wait for a slot: presigning in the session is CPU-heavy, and
      // a node running too many at once answers its peers' invitations too late.
      const deadline = Date.now() + (timeoutMs || this.config.sessionTimeoutMs);
      let leave: () => void;
      try {
        leave = await this.admission.enter(deadline);
      } catch (error) {
        if (!(error instanceof AdmissionTimeout)) throw error;
        const limit = this.config.maxConcurrentSigns;
        throw new SessionFailed('timeout', [this.node.self], `signer ${this.node.self} runs ${limit} ECDSA signing session${limit === 1 ? '' : 's'} at a time and had none free before the deadline`);
      }
      let outcome: EcdsaSignOutcome | undefined;
      try {
        outcome = await this.signEcdsa(base, requestId, deadline);
      } finally {
        leave();
        void this.presignatures.want(keyId, participants, outcome ? 'signed' : 'failed').catch((error: unknown) => {
          this.logger.warn({ reason: error instanceof Error ? error.message : String(error) }, 'presignature pool could not take the signer set');
        });
      }
      return {
        requestId,
        signature: signatureToCompact(outcome.signature),
        recoveryId: outcome.signature.recovery,
        der: signatureToDer(outcome.signature),
        publicKey: outcome.publicKey,
      };
    }
    throw new InvalidInputError('grant', `scheme ${scheme} is not served`);
  }

  /**
   * One ECDSA signature: with a presignature of this node's pool, reserved for this request alone
   * (every participant consumes that one id), or presigning in the session when none is ready or a
   * participant no longer holds the reserved one (lost to a crash). A reserved presignature is never
   * offered to another session, whatever becomes of this one.
   */
  private async signEcdsa(
    base: { protocol: 'ecdsa-sign'; keyId: string; participants: number[]; grant: string; signingInput: string },
    requestId: string,
    deadline: number,
  ): Promise<EcdsaSignOutcome> {
    const remaining = (): number => {
      const ms = deadline - Date.now();
      if (ms < MIN_SESSION_MS) throw new SessionFailed('timeout', [this.node.self], `the deadline passed before signer ${this.node.self} could start the session`);
      return ms;
    };
    const presignatureId = await this.presignatures.reserve(base.keyId, base.participants, requestId);
    if (!presignatureId) return this.node.coordinate<EcdsaSignOutcome>(base, remaining());
    try {
      return await this.node.coordinate<EcdsaSignOutcome>({ ...base, presignatureId }, remaining());
    } catch (error) {
      if (!(error instanceof SessionFailed && error.kind === 'invitation-refused' && /presignature .* is not available/.test(error.message))) throw error;
    } finally {
      await this.presignatures.release(presignatureId);
    }
    return this.node.coordinate<EcdsaSignOutcome>(base, remaining());
  }

  presign(requestedKeyId: string, signers: readonly number[], requestedCount: number, requestedTimeoutMs?: number): Promise<number> {
    const { keyId, participants, count, timeoutMs } = presignArguments(requestedKeyId, signers, requestedCount, requestedTimeoutMs, this.node.self);
    return this.presignatures.presign(keyId, participants, count, timeoutMs);
  }
}
