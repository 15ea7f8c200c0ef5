import { Injectable } from '@nestjs/common';
import { sha256 } from '@noble/hashes/sha2.js';
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { decodeKeyShare, encodeKeyShare, encodePublicKeyPackage, groupPublicKey, type KeyShare as FrostKeyShare } from '@custody/mpc-core/frost';
import { shareRecordId } from '../keys/key-ids';
import { InvitationRefused, type PreparedSession, type ProtocolHandler } from '../node/protocol-handler';
import type { SessionInvite } from '../node/session-invite';
import { ShareVault } from '../storage/share-vault.service';
import { SignerRepository, type KeyRecord } from '../storage/signer.repository';
import { frostKeygenDriver, frostRefreshDriver } from './frost.driver';

/** What every participant must agree on about a FROST key: its whole public package. */
function publicDigest(share: FrostKeyShare): Uint8Array {
  return sha256(concatBytes(utf8ToBytes('custody/signer/frost-public/v1'), encodePublicKeyPackage(share.publicPackage)));
}

/** Loads this node's current FROST share of a key, or refuses. */
export async function loadFrostShare(repository: SignerRepository, vault: ShareVault, keyId: string): Promise<{ key: KeyRecord; share: FrostKeyShare }> {
  const key = await repository.findKey(keyId);
  if (!key || key.scheme !== 'eddsa') throw new InvitationRefused(`no EdDSA key ${keyId} here`);
  const stored = await repository.findCurrentShare(keyId);
  if (!stored) throw new InvitationRefused(`no share of ${keyId} here`);
  const bytes = vault.open(shareRecordId(keyId, stored.generation), 'eddsa', stored.sealed);
  try {
    return { key, share: decodeKeyShare(bytes) };
  } finally {
    bytes.fill(0);
  }
}

/** Distributed key generation for Ed25519 (FROST, RFC 9591): no dealer; each node keeps its share sealed. */
@Injectable()
export class EddsaKeygenHandler implements ProtocolHandler<FrostKeyShare> {
  readonly protocol = 'eddsa-keygen' as const;

  constructor(
    private readonly repository: SignerRepository,
    private readonly vault: ShareVault,
  ) {}

  async prepare(invite: SessionInvite, sessionId: Uint8Array, self: number): Promise<PreparedSession<FrostKeyShare>> {
    if (invite.threshold === undefined) throw new InvitationRefused('a keygen needs a threshold');
    if (await this.repository.findKey(invite.keyId)) throw new InvitationRefused(`key ${invite.keyId} exists already`);
    const keyId = invite.keyId;
    return {
      driver: frostKeygenDriver({ suite: 'ed25519', sessionId, self, participants: invite.participants, threshold: invite.threshold }),
      stage: async (share) => {
        await this.repository.insertKey(
          { keyId, scheme: 'eddsa', threshold: share.publicPackage.threshold, participants: share.publicPackage.partyIds, publicKey: groupPublicKey(share.publicPackage), chainCode: undefined, generation: 0 },
          this.vault.seal(shareRecordId(keyId, 0), 'eddsa', encodeKeyShare(share)),
        );
        return publicDigest(share);
      },
      commit: () => Promise.resolve(),
      discard: () => this.repository.deleteKey(keyId),
    };
  }
}

/** Refresh of an Ed25519 key's shares (zero-sharing): same group key, new shares, old ones erased. */
@Injectable()
export class EddsaRefreshHandler implements ProtocolHandler<FrostKeyShare> {
  readonly protocol = 'eddsa-refresh' as const;

  constructor(
    private readonly repository: SignerRepository,
    private readonly vault: ShareVault,
  ) {}

  async prepare(invite: SessionInvite, sessionId: Uint8Array, self: number): Promise<PreparedSession<FrostKeyShare>> {
    const { key, share } = await loadFrostShare(this.repository, this.vault, invite.keyId);
    if (invite.participants.join(',') !== key.participants.join(',')) throw new InvitationRefused('a refresh needs every holder of the key');
    const next = key.generation + 1;
    return {
      driver: frostRefreshDriver({ sessionId, self, keyShare: share }),
      stage: async (refreshed) => {
        await this.repository.insertShare(key.keyId, next, this.vault.seal(shareRecordId(key.keyId, next), 'eddsa', encodeKeyShare(refreshed)));
        return publicDigest(refreshed);
      },
      commit: () => this.repository.activateGeneration(key.keyId, next),
      discard: () => this.repository.deleteShare(key.keyId, next),
    };
  }
}
