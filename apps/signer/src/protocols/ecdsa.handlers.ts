import { Inject, Injectable } from '@nestjs/common';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { derivePublicPath } from '@custody/mpc-core/derive/bip32';
import { serializeKeyShare, type KeyShare } from '@custody/mpc-core/ecdsa/key-share';
import type { Presignature } from '@custody/mpc-core/ecdsa/presign/state';
import { signatureToCompact, type EcdsaSignature } from '@custody/mpc-core/ecdsa/signature';
import { signingInput } from '@custody/sign-grant';
import type { SignerConfig } from '../config';
import { PrimeSource } from '../keys/prime-source.service';
import { shareRecordId } from '../keys/key-ids';
import { KeyShares } from '../keys/key-shares.service';
import { InvitationRefused, type PreparedSession, type ProtocolHandler } from '../node/protocol-handler';
import type { SessionInvite } from '../node/session-invite';
import { GrantCheck } from '../signing/grant-check.service';
import { grantLeafHash } from '@custody/audit-core';
import { WitnessRepository } from '../witness/witness.repository';
import { WitnessService } from '../witness/witness.service';
import { ShareVault } from '../storage/share-vault.service';
import { SignerRepository, type KeyRecord } from '../storage/signer.repository';
import { SIGNER_CONFIG } from '../storage/signer.tokens';
import { ecdsaKeygenDriver, ecdsaPresignAndSignDriver, ecdsaPresignDriver, ecdsaRefreshDriver, ecdsaSignDriver } from './ecdsa.driver';
import { InvalidInputError } from '@custody/mpc-core';
import { serializePresignature, takePresignature, type PresignatureStore } from '@custody/mpc-core/ecdsa/presign/presignature';

const utf8 = new TextEncoder();
const text = new TextDecoder('utf-8', { fatal: true });

/** What every participant must agree on about an ECDSA key: public key, chain code, each party's X_j and Paillier N_j. */
function publicDigest(share: KeyShare): Uint8Array {
  const parts: Uint8Array[] = [utf8ToBytes('custody/signer/ecdsa-public/v1'), share.publicKey.toBytes(true), share.chainCode];
  for (const [id, info] of [...share.parties].sort(([a], [b]) => a - b)) {
    parts.push(utf8ToBytes(`${id}:${info.X.toHex(true)}:${info.paillier.N.toString(16)}`));
  }
  return sha256(concatBytes(...parts));
}

function sealShare(vault: ShareVault, keyId: string, generation: number, share: KeyShare): string {
  return vault.seal(shareRecordId(keyId, generation), 'ecdsa', utf8.encode(serializeKeyShare(share)));
}

/** The vault record id of a presignature (binds the sealed record to it). */
export function presignatureRecordId(presignatureId: string): string {
  return `presig.${presignatureId}`;
}

function assertQuorum(key: KeyRecord, signers: readonly number[]): void {
  if (signers.length < key.threshold || signers.some((p) => !key.participants.includes(p))) throw new InvitationRefused('the signers are not a quorum of this key');
}

/** Key generation with auxiliary information: Feldman VSS, Paillier and ring-Pedersen keys with their proofs. */
@Injectable()
export class EcdsaKeygenHandler implements ProtocolHandler<KeyShare> {
  readonly protocol = 'ecdsa-keygen' as const;

  constructor(
    private readonly repository: SignerRepository,
    private readonly vault: ShareVault,
    private readonly primes: PrimeSource,
    @Inject(SIGNER_CONFIG) private readonly config: SignerConfig,
  ) {}

  async prepare(invite: SessionInvite, sessionId: Uint8Array, self: number): Promise<PreparedSession<KeyShare>> {
    if (invite.threshold === undefined) throw new InvitationRefused('a keygen needs a threshold');
    if (await this.repository.findKey(invite.keyId)) throw new InvitationRefused(`key ${invite.keyId} exists already`);
    const primes = await this.primes.take();
    const keyId = invite.keyId;
    return {
      driver: ecdsaKeygenDriver({ sessionId, self, participants: invite.participants, threshold: invite.threshold, paillierBits: this.config.paillierBits, paillierMaxBits: this.config.paillierMaxBits, primes }),
      stage: async (share) => {
        await this.repository.insertKey(
          { keyId, scheme: 'ecdsa', threshold: share.threshold, participants: share.partyIds, publicKey: share.publicKey.toBytes(true), chainCode: share.chainCode, generation: 0 },
          sealShare(this.vault, keyId, 0, share),
        );
        return publicDigest(share);
      },
      commit: () => Promise.resolve(),
      discard: () => this.repository.deleteKey(keyId),
    };
  }
}

/** Refresh: every share re-randomized by a sharing of zero; the public key stays. */
@Injectable()
export class EcdsaRefreshHandler implements ProtocolHandler<KeyShare> {
  readonly protocol = 'ecdsa-refresh' as const;

  constructor(
    private readonly repository: SignerRepository,
    private readonly vault: ShareVault,
    private readonly shares: KeyShares,
  ) {}

  async prepare(invite: SessionInvite, sessionId: Uint8Array): Promise<PreparedSession<KeyShare>> {
    const { key, share } = await this.shares.ecdsa(invite.keyId);
    if (invite.participants.join(',') !== key.participants.join(',')) throw new InvitationRefused('a refresh needs every holder of the key');
    const next = key.generation + 1;
    return {
      driver: ecdsaRefreshDriver({ sessionId, keyShare: share }),
      stage: async (refreshed) => {
        await this.repository.insertShare(key.keyId, next, sealShare(this.vault, key.keyId, next, refreshed));
        return publicDigest(refreshed);
      },
      commit: () => this.repository.activateGeneration(key.keyId, next),
      discard: () => this.repository.deleteShare(key.keyId, next),
    };
  }
}

/** Presigning for a signer set: the presignature is sealed in the pool, usable once. */
@Injectable()
export class EcdsaPresignHandler implements ProtocolHandler<Presignature> {
  readonly protocol = 'ecdsa-presign' as const;

  constructor(
    private readonly repository: SignerRepository,
    private readonly vault: ShareVault,
    private readonly shares: KeyShares,
  ) {}

  async prepare(invite: SessionInvite, sessionId: Uint8Array): Promise<PreparedSession<Presignature>> {
    const { key, share } = await this.shares.ecdsa(invite.keyId);
    assertQuorum(key, invite.participants);
    return {
      driver: ecdsaPresignDriver({ sessionId, keyShare: share, signers: invite.participants }),
      stage: async (presignature) => {
        const id = presignatureRecordId(presignature.id);
        await this.repository.insertOneTime({ id, kind: 'ecdsa-presignature', keyId: key.keyId, generation: key.generation, signers: invite.participants, owner: invite.coordinator, sealed: this.vault.seal(id, 'ecdsa', utf8.encode(serializePresignature(presignature))) });
        return sha256(concatBytes(utf8ToBytes(`custody/signer/presignature/v1:${presignature.id}`), presignature.R.toBytes(true)));
      },
      commit: () => Promise.resolve(),
      discard: (presignature) => this.repository.deleteOneTime(presignatureRecordId(presignature.id)),
    };
  }
}

export interface EcdsaSignOutcome {
  readonly signature: EcdsaSignature;
  /** The (derived) public key the signature verifies under, compressed. */
  readonly publicKey: Uint8Array;
}

/**
 * ECDSA signing: the grant is checked here; the request id is claimed and the named presignature
 * consumed in one database transaction before this node's first online message is computed (the
 * record reaches mpc-core only through `takePresignature`, whose store is that consumption). The
 * online phase is two rounds (reveal ρ_i, then σ_i); without a presignature the session presigns
 * first (five rounds).
 */
@Injectable()
export class EcdsaSignHandler implements ProtocolHandler<EcdsaSignOutcome> {
  readonly protocol = 'ecdsa-sign' as const;

  constructor(
    private readonly repository: SignerRepository,
    private readonly vault: ShareVault,
    private readonly grants: GrantCheck,
    private readonly shares: KeyShares,
    private readonly witness: WitnessService,
    private readonly witnessGrants: WitnessRepository,
  ) {}

  async prepare(invite: SessionInvite, sessionId: Uint8Array): Promise<PreparedSession<EcdsaSignOutcome>> {
    const grant = this.grants.check(invite.grant, invite.keyId, 'ecdsa', invite.signingInput);
    // A witness that caught the audit log hiding a grant takes part in no new session until cleared.
    await this.witness.assertNotHalted();
    const { key, share } = await this.shares.ecdsa(invite.keyId);
    assertQuorum(key, invite.participants);
    const digest = signingInput(grant.request.payload, 'ecdsa');
    const requestId = grant.request.requestId;
    const derived = derivePublicPath({ publicKey: share.publicKey, chainCode: share.chainCode }, grant.request.derivationPath);
    const tweak = grant.request.derivationPath.length > 0 ? derived.tweak : undefined;
    const presignature = await this.repository.transaction(async (tx) => {
      if (!(await this.repository.claimRequest(requestId, key.keyId, digest, sessionId, tx))) {
        throw new InvitationRefused(`request ${requestId} was signed here before or is being signed`);
      }
      // Remembered with the claim: the witness will demand this grant's audit record in the tree.
      await this.witnessGrants.recordGrant(requestId, grantLeafHash(grant), tx);
      if (invite.presignatureId === undefined) return undefined;
      const presignatureId = invite.presignatureId;
      // The store through which mpc-core takes the record: one atomic UPDATE … WHERE consumed_at IS NULL
      // RETURNING, and only for the presignature's owner (the coordinator of its presigning).
      const store: PresignatureStore = {
        consume: async (id) => {
          const recordId = presignatureRecordId(id);
          const sealed = await this.repository.consumeOneTime(recordId, key.keyId, invite.coordinator, bytesToHex(sessionId), tx);
          if (!sealed) return undefined;
          const bytes = this.vault.open(recordId, 'ecdsa', sealed);
          try {
            return text.decode(bytes);
          } finally {
            bytes.fill(0);
          }
        },
      };
      // Inside the transaction: a refusal here leaves neither the claim nor the consumption behind.
      try {
        return await takePresignature(store, presignatureId, { keyShare: share, signers: invite.participants });
      } catch (error) {
        if (!(error instanceof InvalidInputError)) throw error;
        if (error.argument === 'id') throw new InvitationRefused(`presignature ${presignatureId} is not available here`);
        if (error.argument === 'presignature.signers') throw new InvitationRefused('the presignature belongs to another signer set');
        if (error.argument === 'presignature.keyGeneration') throw new InvitationRefused('the presignature belongs to another key or generation');
        throw error;
      }
    });
    const driver = presignature
      ? ecdsaSignDriver({ presignature, keyShare: share, digest, tweak })
      : ecdsaPresignAndSignDriver({ sessionId, keyShare: share, signers: invite.participants, digest, tweak });
    const publicKey = derived.publicKey.toBytes(true);
    return {
      driver: {
        protocol: driver.protocol,
        rounds: driver.rounds,
        confirm: driver.confirm,
        start: (rng) => driver.start(rng),
        broadcastPart: (round, payload) => driver.broadcastPart(round, payload),
        step: (round, inbox, rng) => {
          const result = driver.step(round, inbox, rng);
          return 'output' in result ? { output: { signature: result.output, publicKey } } : result;
        },
      },
      stage: (outcome) => Promise.resolve(sha256(concatBytes(signatureToCompact(outcome.signature), outcome.publicKey))),
      commit: () => this.repository.finishRequest(requestId, sessionId, 'completed'),
      discard: () => Promise.resolve(),
      failed: () => this.repository.finishRequest(requestId, sessionId, 'failed'),
    };
  }
}

