import { Injectable, Logger } from '@nestjs/common';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { systemRng } from '@custody/mpc-core';
import {
  deriveKeySharePath,
  encodeKeyShare,
  encodePublicKeyPackage,
  groupPublicKey,
  InMemoryNonceStore,
  preprocess,
  type KeyShare as FrostKeyShare,
  type SignResult,
  type TakenNonce,
} from '@custody/mpc-core/frost';
import { signingInput } from '@custody/sign-grant';
import { GrantCheck } from '../signing/grant-check.service';
import { grantLeafHash } from '@custody/audit-core';
import { WitnessRepository } from '../witness/witness.repository';
import { WitnessService } from '../witness/witness.service';
import { takePooledNonce } from '../signing/nonce-pool.service';
import { shareRecordId } from '../keys/key-ids';
import { KeyShares } from '../keys/key-shares.service';
import { InvitationRefused, type PreparedSession, type ProtocolHandler } from '../node/protocol-handler';
import type { SessionInvite } from '../node/session-invite';
import { ShareVault } from '../storage/share-vault.service';
import { SignerRepository } from '../storage/signer.repository';
import { frostKeygenDriver, frostRefreshDriver, frostSignDriver } from './frost.driver';


/** What every participant must agree on about a FROST key: its whole public package. */
function publicDigest(share: FrostKeyShare): Uint8Array {
  return sha256(concatBytes(utf8ToBytes('custody/signer/frost-public/v1'), encodePublicKeyPackage(share.publicPackage)));
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
    private readonly shares: KeyShares,
  ) {}

  async prepare(invite: SessionInvite, sessionId: Uint8Array, self: number): Promise<PreparedSession<FrostKeyShare>> {
    const { key, share } = await this.shares.frost(invite.keyId);
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

/**
 * Signing with an Ed25519 key: the grant is checked here, the request id claimed and a nonce pair
 * consumed in one database transaction, all before the first message leaves this node.
 */
@Injectable()
export class EddsaSignHandler implements ProtocolHandler<SignResult> {
  readonly protocol = 'eddsa-sign' as const;
  private readonly logger = new Logger(EddsaSignHandler.name);

  constructor(
    private readonly repository: SignerRepository,
    private readonly vault: ShareVault,
    private readonly grants: GrantCheck,
    private readonly shares: KeyShares,
    private readonly witness: WitnessService,
    private readonly witnessGrants: WitnessRepository,
  ) {}

  async prepare(invite: SessionInvite, sessionId: Uint8Array, self: number): Promise<PreparedSession<SignResult>> {
    const grant = this.grants.check(invite.grant, invite.keyId, 'eddsa', invite.signingInput);
    // A witness that caught the audit log hiding a grant takes part in no new session until cleared.
    await this.witness.assertNotHalted();
    const { key, share } = await this.shares.frost(invite.keyId);
    const signers = invite.participants;
    if (signers.length < key.threshold || signers.some((p) => !key.participants.includes(p))) throw new InvitationRefused('the signers are not a quorum of this key');
    const message = signingInput(grant.request.payload, 'eddsa');
    const requestId = grant.request.requestId;
    // Everything that can refuse comes before the claim and the nonce: nothing is left half-done.
    const keyShare = grant.request.derivationPath.length > 0 ? deriveKeySharePath(share, grant.request.derivationPath) : share;
    const nonce = await this.repository.transaction(async (tx): Promise<TakenNonce> => {
      if (!(await this.repository.claimRequest(requestId, key.keyId, message, sessionId, tx))) {
        throw new InvitationRefused(`request ${requestId} was signed here before or is being signed`);
      }
      // Remembered with the claim: the witness will demand this grant's audit record in the tree.
      await this.witnessGrants.recordGrant(requestId, grantLeafHash(grant), tx);
      // A pooled pair is consumed in the database (with the claim) before it is opened.
      const pooled = await takePooledNonce(this.repository, this.vault, { keyId: key.keyId, generation: key.generation, consumedBy: bytesToHex(sessionId), tx }, (reason) =>
        this.logger.warn({ keyId: key.keyId, reason }, 'unusable pooled nonce burned'),
      );
      if (pooled) return pooled;
      // The pool is empty: a fresh pair, used only in this session's memory.
      const store = new InMemoryNonceStore();
      const [commitment] = preprocess(share, 1, store, systemRng);
      return { commitment: commitment!, store };
    });
    return {
      driver: frostSignDriver({ sessionId, self, signers, keyShare, message, nonce }),
      stage: (result) => Promise.resolve(sha256(concatBytes(result.publicKey, result.signature))),
      commit: () => this.repository.finishRequest(requestId, sessionId, 'completed'),
      discard: () => Promise.resolve(),
      failed: () => this.repository.finishRequest(requestId, sessionId, 'failed'),
    };
  }
}
