import { bytesToHex } from '@noble/hashes/utils.js';
import { InvalidInputError, ProtocolAbortError, type PartyId } from '../../errors';
import { verifyLogStar, type LogStarProof } from '../../zk/pi-log-star';
import { G, type Point, assertScalar, invq, modq, mulPublic, pointFromHex } from '../curve';
import { type Inbox, assertObject, check, checkInbox, parseFrom, subSessionId } from '../protocol';
import type { PresignRound3Message } from './messages';
import { presignContext } from './round-1';
import type { Presignature, PresignRound3State } from './state';

export const PRESIGN_OUTPUT = 'ecdsa-presign/output';

export function parsePresignRound3Message(m: unknown): PresignRound3Message & { DeltaPoint: Point; SPoint: Point } {
  assertObject(m, 'message');
  if (m.kind !== 'presign/3') throw new InvalidInputError('message.kind', "must be 'presign/3'");
  assertScalar(m.delta, 'message.delta');
  assertObject(m.psiLog, 'message.psiLog');
  return {
    kind: 'presign/3',
    delta: m.delta,
    Delta: m.Delta as string,
    DeltaPoint: pointFromHex(m.Delta, 'message.Delta'),
    S: m.S as string,
    SPoint: pointFromHex(m.S, 'message.S'),
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
 */
export function presignOutput(state: PresignRound3State, inbox: Inbox<PresignRound3Message>): Presignature {
  if (state?.kind !== 'presign/state-3') throw new InvalidInputError('state', 'not a presign round-3 state');
  const { keyShare, signers, self, sessionId } = state;
  const others = signers.filter((j) => j !== self);
  checkInbox(PRESIGN_OUTPUT, inbox, others);
  const myRp = keyShare.parties.get(self)!.ringPedersen;
  const Delta = new Map<PartyId, Point>([[self, state.Delta_i]]);
  const S = new Map<PartyId, Point>([[self, state.S_i]]);
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
    delta = modq(delta + m.delta);
  }
  const sum = (pts: Iterable<Point>): Point => [...pts].reduce((a, b) => a.add(b));
  if (delta === 0n || !mulPublic(G, delta).equals(sum(Delta.values()))) {
    throw new ProtocolAbortError(PRESIGN_OUTPUT, others, 'delta-consistency', 'g^δ ≠ ΣΔ_j with every proof valid: a δ_j or MtA share is wrong; suspects are all other signers');
  }
  if (!mulPublic(keyShare.publicKey, delta).equals(sum(S.values()))) {
    throw new ProtocolAbortError(PRESIGN_OUTPUT, others, 'chi-consistency', 'ΣS_j ≠ δ·X: an S_j or MtA share is wrong; suspects are all other signers until the χ blame round names the culprit');
  }
  const R = mulPublic(state.Gamma, invq(delta));
  return {
    id: bytesToHex(subSessionId(sessionId, 'presignature-id')),
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
  };
}

/**
 * Holds presignatures and hands each out once: `consume(id)` returns it and deletes it, a second
 * `consume` of the same id throws. (A node must also mark it consumed in its database before a
 * signature share leaves the node: memory alone does not survive a crash.)
 */
export class PresignaturePool {
  private readonly items = new Map<string, Presignature>();
  private readonly used = new Set<string>();

  add(p: Presignature): string {
    if (typeof p !== 'object' || p === null || typeof p.id !== 'string') throw new InvalidInputError('presignature', 'not a presignature');
    if (this.items.has(p.id) || this.used.has(p.id)) throw new InvalidInputError('presignature', `id ${p.id} was already added`);
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
