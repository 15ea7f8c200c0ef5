import { Inject, Injectable } from '@nestjs/common';
import { deserializeKeyShare, type KeyShare as EcdsaKeyShare } from '@custody/mpc-core/ecdsa/key-share';
import { decodeKeyShare, type KeyShare as FrostKeyShare } from '@custody/mpc-core/frost';
import type { SignerConfig } from '../config';
import { InvitationRefused } from '../node/protocol-handler';
import { ShareVault } from '../storage/share-vault.service';
import { SignerRepository, type KeyRecord, type KeyScheme } from '../storage/signer.repository';
import { SIGNER_CONFIG } from '../storage/signer.tokens';
import { shareRecordId } from './key-ids';

const MAX_CACHED = 64;

/**
 * This node's current share of a key, opened from the vault. Opening an ECDSA share re-validates
 * everything in it (points, Paillier primes, ring-Pedersen parameters: about 30 ms), so opened
 * shares are kept in memory per key generation, at most 64, and dropped when a refresh replaces
 * them. (A share is in memory during every signing anyway; see the README on what JavaScript
 * cannot erase.)
 */
@Injectable()
export class KeyShares {
  private readonly cache = new Map<string, EcdsaKeyShare | FrostKeyShare>();

  constructor(
    private readonly repository: SignerRepository,
    private readonly vault: ShareVault,
    @Inject(SIGNER_CONFIG) private readonly config: SignerConfig,
  ) {}

  ecdsa(keyId: string): Promise<{ key: KeyRecord; share: EcdsaKeyShare }> {
    return this.load(keyId, 'ecdsa', (bytes) => deserializeKeyShare(new TextDecoder('utf-8', { fatal: true }).decode(bytes), this.config.paillierMaxBits)) as Promise<{ key: KeyRecord; share: EcdsaKeyShare }>;
  }

  frost(keyId: string): Promise<{ key: KeyRecord; share: FrostKeyShare }> {
    return this.load(keyId, 'eddsa', decodeKeyShare) as Promise<{ key: KeyRecord; share: FrostKeyShare }>;
  }

  private async load(keyId: string, scheme: KeyScheme, decode: (bytes: Uint8Array) => EcdsaKeyShare | FrostKeyShare): Promise<{ key: KeyRecord; share: EcdsaKeyShare | FrostKeyShare }> {
    const key = await this.repository.findKey(keyId);
    if (!key || key.scheme !== scheme) throw new InvitationRefused(`no ${scheme === 'ecdsa' ? 'ECDSA' : 'EdDSA'} key ${keyId} here`);
    const id = shareRecordId(keyId, key.generation);
    const cached = this.cache.get(id);
    if (cached) return { key, share: cached };
    const stored = await this.repository.findCurrentShare(keyId);
    if (!stored || stored.generation !== key.generation) throw new InvitationRefused(`no share of ${keyId} here`);
    const bytes = this.vault.open(id, scheme, stored.sealed);
    try {
      const share = decode(bytes);
      for (const other of [...this.cache.keys()]) if (other.startsWith(`${keyId}.g`)) this.cache.delete(other);
      if (this.cache.size >= MAX_CACHED) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(id, share);
      return { key, share };
    } finally {
      bytes.fill(0);
    }
  }
}
