import { Injectable } from '@nestjs/common';
import { bytesToHex } from '@noble/hashes/utils.js';
import { InvalidInputError } from '@custody/mpc-core';
import { signatureToCompact, signatureToDer } from '@custody/mpc-core/ecdsa/signature';
import type { SignResult as FrostSignResult } from '@custody/mpc-core/frost';
import { decodeSignGrant, SignGrantInputError } from '@custody/sign-grant';
import { SignerNode } from '../node/signer-node.service';
import type { EcdsaSignOutcome } from '../protocols/ecdsa.handlers';
import { presignArguments, signArguments } from '../api/signer-inputs';
import { SessionFailed } from '../sessions/session-errors';
import { NoncePool } from './nonce-pool.service';
import { PresignaturePool } from './presignature-pool.service';

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
  constructor(
    private readonly node: SignerNode,
    private readonly nonces: NoncePool,
    private readonly presignatures: PresignaturePool,
  ) {}

  async sign(grantText: string, signers: readonly number[], signingInput: Uint8Array, requestedTimeoutMs?: number): Promise<SignOutcome> {
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
      const presignatureId = await this.presignatures.available(keyId, participants);
      let outcome: EcdsaSignOutcome;
      try {
        outcome = await this.node.coordinate<EcdsaSignOutcome>(presignatureId ? { ...base, presignatureId } : base, timeoutMs);
      } catch (error) {
        // A presignature another signer no longer has (used, or lost to a crash): sign without one.
        if (!(presignatureId && error instanceof SessionFailed && error.kind === 'invitation-refused' && /presignature .* is not available/.test(error.message))) throw error;
        outcome = await this.node.coordinate<EcdsaSignOutcome>(base, timeoutMs);
      } finally {
        this.presignatures.want(keyId, participants);
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

  presign(requestedKeyId: string, signers: readonly number[], requestedCount: number, requestedTimeoutMs?: number): Promise<number> {
    const { keyId, participants, count, timeoutMs } = presignArguments(requestedKeyId, signers, requestedCount, requestedTimeoutMs, this.node.self);
    return this.presignatures.presign(keyId, participants, count, timeoutMs);
  }
}
