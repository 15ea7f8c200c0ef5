import {
  equalBytes,
  openNote,
  parseCheckpoint,
  verifyConsistency,
  verifyInclusion,
  type Checkpoint,
  type NoteVerifier,
} from '@custody/transparency-log';
import { encodeSignGrant, type SignGrant } from '@custody/sign-grant';
import { recordLeafHash, type AuditRecord } from './record';

/**
 * The witness's decision (C2SP tlog-witness semantics, plus the custody rule that every grant this
 * signer signed more than `boundMs` ago is in the tree). Pure: the signer passes its stored state,
 * the request, its pinned log key and the clock; it persists what this returns.
 */
export interface WitnessState {
  /** The last checkpoint this witness cosigned for the origin (null: none yet). */
  readonly size: number;
  readonly rootHash: Uint8Array;
  readonly note: string;
}

export interface SignedGrantRef {
  readonly requestId: string;
  /** `recordLeafHash(grantRecord(grant))`. */
  readonly leafHash: Uint8Array;
  /** Milliseconds since the epoch at which this signer produced its signature share. */
  readonly signedAt: number;
}

export interface WitnessRequest {
  /** The signed checkpoint note the log asks us to cosign. */
  readonly checkpoint: string;
  /** The size of the checkpoint the log believes we last cosigned (tlog-witness `old`). */
  readonly oldSize: number;
  readonly consistencyProof: readonly Uint8Array[];
  /** Inclusion proofs in the new tree, by request id of a sign grant. */
  readonly inclusions: ReadonlyMap<string, { readonly index: number; readonly proof: readonly Uint8Array[] }>;
}

export type WitnessDecision =
  | { readonly kind: 'cosign'; readonly checkpoint: Checkpoint; readonly checkpointText: string; readonly included: readonly string[] }
  /** tlog-witness 409: the log's idea of our last size is stale; it should retry from `size`. Not evidence. */
  | { readonly kind: 'conflict'; readonly size: number }
  /** Malformed request, wrong log, bad signature: refused, nothing learned about the log. */
  | { readonly kind: 'invalid'; readonly reason: string }
  /** A second history or a hidden grant: refused and kept as evidence. */
  | { readonly kind: 'fork'; readonly reason: string; readonly evidence: WitnessEvidence }
  | { readonly kind: 'missing-grant'; readonly reason: string; readonly requestIds: readonly string[]; readonly evidence: WitnessEvidence };

export interface WitnessEvidence {
  readonly previousNote: string | null;
  readonly presentedNote: string;
  readonly oldSize: number;
  readonly consistencyProof: readonly string[];
}

/** The audit record the policy engine writes for a grant: fixed by the grant alone, so a signer can recompute its leaf. */
export function grantRecord(grant: SignGrant): AuditRecord {
  return {
    version: 1,
    type: 'sign-grant',
    occurredAt: grant.issuedAt,
    actor: 'service:policy-engine',
    requestId: grant.request.requestId,
    wallet: grant.request.keyId,
    body: { grant: encodeSignGrant(grant) },
  };
}

export function grantLeafHash(grant: SignGrant): Uint8Array {
  return recordLeafHash(grantRecord(grant));
}

export function witnessCheck(input: {
  readonly origin: string;
  readonly logVerifier: NoteVerifier;
  readonly state: WitnessState | null;
  readonly request: WitnessRequest;
  /** Grants this signer signed that no cosigned checkpoint has shown yet. */
  readonly pendingGrants: readonly SignedGrantRef[];
  readonly now: number;
  readonly boundMs: number;
}): WitnessDecision {
  const { request, state } = input;
  let text: string;
  let cp: Checkpoint;
  try {
    text = openNote(request.checkpoint, [input.logVerifier]).text;
    cp = parseCheckpoint(text);
  } catch (e) {
    return { kind: 'invalid', reason: `checkpoint: ${(e as Error).message.slice(0, 160)}` };
  }
  if (cp.origin !== input.origin) return { kind: 'invalid', reason: 'checkpoint: unknown origin' };
  const evidence = (): WitnessEvidence => ({
    previousNote: state?.note ?? null,
    presentedNote: request.checkpoint,
    oldSize: request.oldSize,
    consistencyProof: request.consistencyProof.map((h) => Buffer.from(h).toString('base64')),
  });
  const ourSize = state?.size ?? 0;
  if (request.oldSize !== ourSize) return { kind: 'conflict', size: ourSize };
  if (cp.size < ourSize) return { kind: 'fork', reason: `checkpoint size ${cp.size} is below the ${ourSize} already cosigned`, evidence: evidence() };
  if (state !== null) {
    try {
      verifyConsistency(state.size, cp.size, request.consistencyProof, state.rootHash, cp.rootHash);
    } catch (e) {
      return { kind: 'fork', reason: `not consistent with the checkpoint of size ${state.size} cosigned before: ${(e as Error).message.slice(0, 120)}`, evidence: evidence() };
    }
  } else if (request.consistencyProof.length !== 0) {
    return { kind: 'invalid', reason: 'consistencyProof: must be empty for a first checkpoint' };
  }
  const included: string[] = [];
  const missing: string[] = [];
  for (const g of input.pendingGrants) {
    const p = request.inclusions.get(g.requestId);
    const due = g.signedAt <= input.now - input.boundMs;
    if (p === undefined) {
      if (due) missing.push(g.requestId);
      continue;
    }
    try {
      if (p.index >= cp.size) throw new Error('index beyond the tree');
      verifyInclusion(p.index, cp.size, g.leafHash, p.proof, cp.rootHash);
      included.push(g.requestId);
    } catch {
      if (due) missing.push(g.requestId);
    }
  }
  if (missing.length > 0) {
    return {
      kind: 'missing-grant',
      reason: `${missing.length} grant(s) this signer signed more than ${input.boundMs} ms ago are not shown in the tree: ${missing.slice(0, 5).join(', ')}`,
      requestIds: missing,
      evidence: evidence(),
    };
  }
  if (state !== null && cp.size === state.size && !equalBytes(cp.rootHash, state.rootHash)) {
    return { kind: 'fork', reason: 'same size, different root', evidence: evidence() };
  }
  return { kind: 'cosign', checkpoint: cp, checkpointText: text, included };
}
