import { InvalidInputError, ProtocolAbortError, type PartyId } from '../../errors';
import { verifyLogStar, type LogStarProof } from '../../zk/pi-log-star';
import { G, type Point, assertScalar, invq, isHex, modq, mulPublic, pointFromHex } from '../curve';
import { type Inbox, assertObject, check, checkInbox, parseFrom } from '../protocol';
import { keyGenerationFingerprint } from './generation';
import { allowBlame, consumeRoundState, enterPool, issueFromOutput } from './one-time';
import type { PresignRound3Message } from './messages';
import { presignContext } from './round-1';
import type { Presignature, PresignRound3State } from './state';

export const PRESIGN_OUTPUT = 'ecdsa-presign/output';

export function parsePresignRound3Message(m: unknown): PresignRound3Message & { DeltaPoint: Point; SPoint: Point } {
  assertObject(m, 'message');
  if (m.kind !== 'presign/3') throw new InvalidInputError('message.kind', "must be 'presign/3'");
  assertScalar(m.delta, 'message.delta');
  assertObject(m.psiLog, 'message.psiLog');
  if (!isHex(m.rhoCommitment, 32)) throw new InvalidInputError('message.rhoCommitment', 'must be 32 bytes of lowercase hex');
  return {
    kind: 'presign/3',
    delta: m.delta,
    Delta: m.Delta as string,
    DeltaPoint: pointFromHex(m.Delta, 'message.Delta'),
    S: m.S as string,
    SPoint: pointFromHex(m.S, 'message.S'),
    rhoCommitment: m.rhoCommitment,
    psiLog: m.psiLog,
  };
}

/**
 * Output: verify each Πlog* for Δ_j (`pi-log-star`), then δ = Σ δ_j and check δ·G = Σ Δ_j
 * (`delta-consistency`) and Σ S_j = δ·X (`chi-consistency`); R = δ^-1·Γ.
 *
 * Blame: a failed proof names its sender. When δ or the S_j sums do not match although every proof
 * verified, the cheater sent a wrong δ_j, S_j or MtA share that no proof covers: the abort lists
 * every other signer as a suspect only, the presignature is dropped, and the caller runs the blame
 * round for that check (`presign/blame.ts`: `presignBlameRound` after `delta-consistency`,
 * `presignChiBlameRound` after `chi-consistency`), whose abort names exactly the culprits.
 *
 * Consumes `state` (a second call, or one with a copy, throws before anything is computed); after an
 * abort, the blame round may open this state's secrets once. The presignature is bound to the key
 * share's generation (presign/generation.ts) and usable once.
 */
export function presignOutput(state: PresignRound3State, inbox: Inbox<PresignRound3Message>): Presignature {
  if (state?.kind !== 'presign/state-3') throw new InvalidInputError('state', 'not a presign round-3 state');
  consumeRoundState(PRESIGN_OUTPUT, state, state.blame.K);
  const { keyShare, signers, self, sessionId } = state;
  const others = signers.filter((j) => j !== self);
  checkInbox(PRESIGN_OUTPUT, inbox, others);
  const myRp = keyShare.parties.get(self)!.ringPedersen;
  const Delta = new Map<PartyId, Point>([[self, state.Delta_i]]);
  const S = new Map<PartyId, Point>([[self, state.S_i]]);
  const rhoCommitments = new Map<PartyId, string>([[self, state.rhoCommitment]]);
  let delta = state.delta;
  for (const from of others) {
    const m = parseFrom(PRESIGN_OUTPUT, from, () => parsePresignRound3Message(inbox.get(from)));
    const ok = verifyLogStar(
      presignContext(sessionId, 'pi-log-star/delta', signers, from),
      { N0: keyShare.parties.get(from)!.paillier.N, C: state.peerK.get(from)!, X: m.DeltaPoint, B: state.Gamma, rp: myRp },
      m.psiLog as LogStarProof,
      keyShare.paillierSecret,
    );
    check(PRESIGN_OUTPUT, from, 'pi-log-star', ok, 'K_j encrypts log_Γ Δ_j');
    Delta.set(from, m.DeltaPoint);
    S.set(from, m.SPoint);
    rhoCommitments.set(from, m.rhoCommitment);
    delta = modq(delta + m.delta);
  }
  const sum = (pts: Iterable<Point>): Point => [...pts].reduce((a, b) => a.add(b));
  if (delta === 0n || !mulPublic(G, delta).equals(sum(Delta.values()))) {
    allowBlame(state.blame.K);
    throw new ProtocolAbortError(PRESIGN_OUTPUT, others, 'delta-consistency', 'g^δ ≠ ΣΔ_j with every proof valid: a δ_j or MtA share is wrong; suspects are all other signers');
  }
  if (!mulPublic(keyShare.publicKey, delta).equals(sum(S.values()))) {
    allowBlame(state.blame.K);
    throw new ProtocolAbortError(PRESIGN_OUTPUT, others, 'chi-consistency', 'ΣS_j ≠ δ·X: an S_j or MtA share is wrong; suspects are all other signers until the χ blame round names the culprit');
  }
  const R = mulPublic(state.Gamma, invq(delta));
  return issueFromOutput({
    id: state.presignatureId,
    publicKey: keyShare.publicKey,
    self,
    signers,
    R,
    Gamma: state.Gamma,
    delta,
    k: state.k,
    chi: state.chi,
    Delta,
    S,
    keyGeneration: keyGenerationFingerprint(keyShare),
    rho: state.rho,
    rhoCommitments: new Map(signers.map((j) => [j, rhoCommitments.get(j)!])),
  });
}

/**
 * Holds presignatures in memory and hands each out once: `consume(id)` returns it and deletes it, a
 * second `consume` of the same id throws. A presignature enters at most one pool, once, and only if
 * it was not used (signed or serialized) before. Survives no crash: a node keeps its presignatures
 * in a durable store instead (`takePresignature`, presign/presignature.ts).
 */
export class PresignaturePool {
  private readonly items = new Map<string, Presignature>();
  private readonly used = new Set<string>();

  add(p: Presignature): string {
    if (typeof p !== 'object' || p === null || typeof p.id !== 'string') throw new InvalidInputError('presignature', 'not a presignature');
    if (this.items.has(p.id) || this.used.has(p.id)) throw new InvalidInputError('presignature', `id ${p.id} was already added`);
    enterPool(p);
    this.items.set(p.id, p);
    return p.id;
  }

  get size(): number {
    return this.items.size;
  }

  ids(): string[] {
    return [...this.items.keys()];
  }

  consume(id: string): Presignature {
    const p = this.items.get(id);
    if (!p) throw new InvalidInputError('id', this.used.has(id) ? `presignature ${id} was already used` : `no presignature ${id}`);
    this.items.delete(id);
    this.used.add(id);
    return p;
  }
}
