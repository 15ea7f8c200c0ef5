import { Injectable } from '@nestjs/common';
import { bytesToHex } from '@noble/hashes/utils.js';
import { InvalidInputError } from '@custody/mpc-core';
import type { SignResult as FrostSignResult } from '@custody/mpc-core/frost';
import { decodeSignGrant, SignGrantInputError } from '@custody/sign-grant';
import { SignerNode } from '../node/signer-node.service';
import { NoncePool } from './nonce-pool.service';

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
  ) {}

  async sign(grantText: string, signers: readonly number[], signingInput: Uint8Array, timeoutMs?: number): Promise<SignOutcome> {
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
    const participants = [...signers].sort((a, b) => a - b);
    if (!participants.includes(this.node.self)) throw new InvalidInputError('signers', `must include signer ${this.node.self}, the node asked`);
    if (scheme === 'eddsa') {
      const result = await this.node.coordinate<FrostSignResult>({ protocol: 'eddsa-sign', keyId, participants, grant: grantText, signingInput: bytesToHex(signingInput) }, timeoutMs);
      this.nonces.refillAll();
      return { requestId, signature: result.signature, recoveryId: 0, der: new Uint8Array(0), publicKey: result.publicKey };
    }
    throw new InvalidInputError('grant', `scheme ${scheme} is not served yet`);
  }
}
