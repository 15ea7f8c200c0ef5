import { Inject, Injectable, Logger } from '@nestjs/common';
import { InvalidInputError } from '@custody/mpc-core';
import { witnessCheck, type WitnessDecision, type WitnessRequest } from '@custody/audit-core';
import { formatVerifierKey, SIG_TYPE_COSIGNATURE_V1, verifierFromKey, type NoteVerifier } from '@custody/transparency-log';
import type { SignerConfig } from '../config';
import { InvitationRefused } from '../node/protocol-handler';
import { SIGNER_CONFIG } from '../storage/signer.tokens';
import { WitnessRepository } from './witness.repository';

const MAX_INCLUSIONS = 10_000;

/**
 * This signer as a witness of the audit log (C2SP tlog-witness): cosigns a checkpoint only if it is
 * signed by the pinned log key, consistent with the last one it cosigned, and shows every grant this
 * node signed more than `witnessGrantBoundMs` ago. A fork or a hidden grant is refused and kept as
 * evidence; a hidden grant also halts this node's signing until an operator clears the alarm.
 */
@Injectable()
export class WitnessService {
  private readonly logger = new Logger(WitnessService.name);
  private readonly logVerifier: NoteVerifier | null;
  private readonly origin: string | null;

  constructor(
    @Inject(SIGNER_CONFIG) private readonly config: SignerConfig,
    private readonly repository: WitnessRepository,
  ) {
    this.logVerifier = config.auditLogKey === undefined ? null : verifierFromKey(config.auditLogKey);
    this.origin = this.logVerifier?.name ?? null;
  }

  verifierKey(): string {
    return formatVerifierKey(this.config.witness.name, SIG_TYPE_COSIGNATURE_V1, this.config.witness.publicKey);
  }

  async info(): Promise<{ verifierKey: string; halted: boolean; cosignedSize: number }> {
    const alarm = await this.repository.activeAlarm();
    const state = this.origin === null ? null : await this.repository.state(this.origin);
    return { verifierKey: this.verifierKey(), halted: alarm !== null, cosignedSize: state?.size ?? 0 };
  }

  /** Refuses to take part in a signing session while a missing-grant alarm is uncleared. */
  async assertNotHalted(): Promise<void> {
    const alarm = await this.repository.activeAlarm();
    if (alarm !== null) throw new InvitationRefused(`witness alarm ${alarm.id}: this signer is halted until an operator clears it (custody witness clear)`);
  }

  async addCheckpoint(raw: { oldSize: number; consistencyProof: Uint8Array[]; checkpoint: string; inclusions: { requestId: string; index: number; proof: Uint8Array[] }[] }): Promise<string> {
    if (this.logVerifier === null || this.origin === null) throw new InvitationRefused('this signer witnesses no audit log (AUDIT_LOG_KEY is unset)');
    if (!Number.isSafeInteger(raw.oldSize) || raw.oldSize < 0) throw new InvalidInputError('old_size', 'must be a size');
    if (typeof raw.checkpoint !== 'string' || raw.checkpoint.length === 0 || raw.checkpoint.length > 65_536) throw new InvalidInputError('checkpoint', 'must be a signed note of at most 64 KiB');
    if (raw.consistencyProof.length > 64 || raw.consistencyProof.some((h) => h.length !== 32)) throw new InvalidInputError('consistency_proof', 'must be at most 64 hashes of 32 bytes');
    if (raw.inclusions.length > MAX_INCLUSIONS) throw new InvalidInputError('grant_inclusions', `at most ${MAX_INCLUSIONS}`);
    const inclusions = new Map<string, { index: number; proof: Uint8Array[] }>();
    raw.inclusions.forEach((g, i) => {
      if (typeof g.requestId !== 'string' || !/^[A-Za-z0-9._:-]{1,128}$/.test(g.requestId)) throw new InvalidInputError(`grant_inclusions[${i}].request_id`, 'must be a request id');
      if (!Number.isSafeInteger(g.index) || g.index < 0) throw new InvalidInputError(`grant_inclusions[${i}].index`, 'must be an index');
      if (g.proof.length > 64 || g.proof.some((h) => h.length !== 32)) throw new InvalidInputError(`grant_inclusions[${i}].proof`, 'must be at most 64 hashes of 32 bytes');
      if (inclusions.has(g.requestId)) throw new InvalidInputError(`grant_inclusions[${i}].request_id`, 'appears twice');
      inclusions.set(g.requestId, { index: g.index, proof: g.proof });
    });
    const request: WitnessRequest = { checkpoint: raw.checkpoint, oldSize: raw.oldSize, consistencyProof: raw.consistencyProof, inclusions };
    const origin = this.origin;
    const logVerifier = this.logVerifier;
    const outcome = await this.repository.transaction(async (tx): Promise<{ line: string } | { decision: Exclude<WitnessDecision, { kind: 'cosign' }> }> => {
      const state = await this.repository.lockState(origin, tx);
      const pendingGrants = await this.repository.pendingGrants(tx);
      const now = Date.now();
      const decision = witnessCheck({ origin, logVerifier, state, request, pendingGrants, now, boundMs: this.config.witnessGrantBoundMs });
      if (decision.kind === 'cosign') {
        await this.repository.saveState(origin, { size: decision.checkpoint.size, rootHash: decision.checkpoint.rootHash, note: raw.checkpoint }, decision.included, tx);
        return { line: this.config.witness.cosign(decision.checkpointText, BigInt(Math.floor(now / 1000))) };
      }
      return { decision };
    });
    if ('line' in outcome) return outcome.line;
    // The refusal's transaction is over; the evidence is written in its own.
    const d = outcome.decision;
    switch (d.kind) {
      case 'conflict':
        throw new InvitationRefused(`conflict: this witness last cosigned size ${d.size}`);
      case 'invalid':
        throw new InvalidInputError('checkpoint', d.reason);
      case 'fork': {
        const id = await this.repository.keepEvidence({ origin, kind: 'fork', reason: d.reason, requestIds: [], evidence: d.evidence });
        this.logger.error({ evidence: id, reason: d.reason }, 'audit log fork refused; evidence kept');
        throw new InvitationRefused(`fork: ${d.reason} (evidence ${id} kept)`);
      }
      case 'missing-grant': {
        const id = await this.repository.keepEvidence({ origin, kind: 'missing-grant', reason: d.reason, requestIds: d.requestIds, evidence: d.evidence });
        this.logger.error({ evidence: id, reason: d.reason }, 'audit log hides a grant this signer signed; signing halted until cleared');
        throw new InvitationRefused(`missing grant: ${d.reason} (evidence ${id} kept; this signer is halted until cleared)`);
      }
      default:
        throw new Error('unreachable witness decision');
    }
  }
}
