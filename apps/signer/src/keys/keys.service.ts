import { Injectable } from '@nestjs/common';
import { InvalidInputError } from '@custody/mpc-core';
import { SignerNode } from '../node/signer-node.service';
import { SignerRepository, type KeyRecord, type KeyScheme } from '../storage/signer.repository';
import { newKeyId } from './key-ids';

export class KeyNotFound extends Error {
  override readonly name = 'KeyNotFound';
}

/** Keys as the API sees them: created and refreshed in sessions this node coordinates. */
@Injectable()
export class KeysService {
  constructor(
    private readonly node: SignerNode,
    private readonly repository: SignerRepository,
  ) {}

  async createKey(scheme: KeyScheme, threshold: number, participants: readonly number[], timeoutMs?: number): Promise<KeyRecord> {
    const sorted = [...participants].sort((a, b) => a - b);
    if (!Number.isInteger(threshold) || threshold < 2) throw new InvalidInputError('threshold', 'must be at least 2');
    if (sorted.length < threshold) throw new InvalidInputError('participants', `at least ${threshold} signers are needed`);
    if (!sorted.includes(this.node.self)) throw new InvalidInputError('participants', `must include signer ${this.node.self}, the node asked`);
    const keyId = newKeyId();
    await this.node.coordinate({ protocol: `${scheme}-keygen`, keyId, participants: sorted, threshold }, timeoutMs);
    return this.getKey(keyId);
  }

  async refreshKey(keyId: string, timeoutMs?: number): Promise<KeyRecord> {
    const key = await this.getKey(keyId);
    await this.node.coordinate({ protocol: `${key.scheme}-refresh`, keyId, participants: key.participants }, timeoutMs);
    return this.getKey(keyId);
  }

  async getKey(keyId: string): Promise<KeyRecord> {
    const key = await this.repository.findKey(keyId);
    if (!key) throw new KeyNotFound(`key ${keyId} is not known to signer ${this.node.self}`);
    return key;
  }
}
