import { Injectable } from '@nestjs/common';
import { identifier, sessionTimeout, signerSet, threshold as checkThreshold } from '../api/signer-inputs';
import { AuditWriter } from '../audit/audit-writer.service';
import { SignerNode } from '../node/signer-node.service';
import { SignerRepository, type KeyRecord, type KeyScheme } from '../storage/signer.repository';
import { newKeyId } from './key-ids';

export class KeyNotFound extends Error {
  override readonly name = 'KeyNotFound';
}

/**
 * Keys as the API sees them: created and refreshed in sessions this node coordinates. Every argument
 * is checked (../api/signer-inputs.ts) before any database or peer call.
 */
@Injectable()
export class KeysService {
  constructor(
    private readonly node: SignerNode,
    private readonly repository: SignerRepository,
    private readonly audit: AuditWriter,
  ) {}

  async createKey(scheme: KeyScheme, threshold: number, participants: readonly number[], timeoutMs?: number): Promise<KeyRecord> {
    const sorted = signerSet('participants', participants, this.node.self);
    const t = checkThreshold(threshold, sorted.length);
    const timeout = sessionTimeout(timeoutMs);
    const keyId = newKeyId();
    await this.node.coordinate({ protocol: `${scheme}-keygen`, keyId, participants: sorted, threshold: t }, timeout);
    const key = await this.getKey(keyId);
    await this.audit.key('key-generation', key);
    return key;
  }

  async refreshKey(keyId: string, timeoutMs?: number): Promise<KeyRecord> {
    const timeout = sessionTimeout(timeoutMs);
    const key = await this.getKey(keyId);
    await this.node.coordinate({ protocol: `${key.scheme}-refresh`, keyId, participants: key.participants }, timeout);
    const refreshed = await this.getKey(keyId);
    await this.audit.key('key-refresh', refreshed);
    return refreshed;
  }

  async getKey(keyId: string): Promise<KeyRecord> {
    const key = await this.repository.findKey(identifier('keyId', keyId));
    if (!key) throw new KeyNotFound(`key ${keyId} is not known to signer ${this.node.self}`);
    return key;
  }
}
