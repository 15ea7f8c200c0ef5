import { InvalidInputError, ProtocolAbortError, type PartyId } from '../../errors';
import { type Point, assertScalar, invq, isHex, modq, mulPublic } from '../curve';
import { consumeRoundState, signRunKey } from '../presign/one-time';
import { type Inbox, type RoundResult, assertObject, check, checkInbox, parseFrom } from '../protocol';
import { type EcdsaSignature, digestToScalar, normalizeSignature, verifySignature } from '../signature';
import type { SignRound1Message, SignRound2Message } from './messages';
import { commitmentView, rerandomizer, rhoCommitment } from './rerandomize';
import type { SignRound1State, SignRound2State } from './state';

export const SIGN_ROUND_2 = 'ecdsa-sign/round-2';
export const SIGN_OUTPUT = 'ecdsa-sign/output';

export function parseSignRound1Message(m: unknown): SignRound1Message {
  assertObject(m, 'message');
  if (m.kind !== 'sign/1') throw new InvalidInputError('message.kind', "must be 'sign/1'");
  if (!(m.rho instanceof Uint8Array) || m.rho.length !== 32) throw new InvalidInputError('message.rho', 'must be 32 bytes');
  if (!isHex(m.view, 32)) throw new InvalidInputError('message.view', 'must be 32 bytes of lowercase hex');
  return { kind: 'sign/1', rho: m.rho, view: m.view };
}

export function parseSignRound2Message(m: unknown): SignRound2Message {
  assertObject(m, 'message');
  if (m.kind !== 'sign/2') throw new InvalidInputError('message.kind', "must be 'sign/2'");
  assertScalar(m.sigma, 'message.sigma');
  return { kind: 'sign/2', sigma: m.sigma };
}

/**
 * The tweak is public, so it is folded into the message scalar: s = k·(m + r·(x + τ)) =
 * Σ_i [k_i·(m + r·τ) + r·χ_i]. Every signer applies it weighted by its k_i (Σ k_i = k), so no single
 * party has to be chosen to add it, and each σ_i stays checkable against Δ_i and S_i.
 */
function effectiveMessage(digest: Uint8Array, r: bigint, tweak: bigint): bigint {
  return modq(digestToScalar(digest) + r * tweak);
}

/**
 * Online round 2: checks that every signer holds the same commitments (`rho-view`, naming each
 * sender whose digest differs from ours) and that every ρ_j opens its commitment (`rho-opening`),
 * then ρ = H(…) (sign/rerandomize.ts), R' = ρ·R, r' = x(R') mod n, m' = m + r'·τ and
 * σ_i = k_i·m' + r'·χ_i, broadcast. With R = k^-1·G, R' = (k·ρ^-1)^-1·G, so s' = ρ^-1·Σσ_j.
 * Consumes `state`.
 */
export function signRound2(state: SignRound1State, inbox: Inbox<SignRound1Message>): RoundResult<SignRound2State, SignRound2Message> {
  if (state?.kind !== 'sign/state-1') throw new InvalidInputError('state', 'not a sign round-1 state');
  const p = state.presignature;
  consumeRoundState(SIGN_ROUND_2, state, signRunKey(p));
  const others = p.signers.filter((j) => j !== p.self);
  checkInbox(SIGN_ROUND_2, inbox, others);
  const view = commitmentView(p.id, p.signers, p.rhoCommitments);
  const rhos = new Map<PartyId, Uint8Array>([[p.self, p.rho]]);
  const differing: PartyId[] = [];
  for (const from of others) {
    const m = parseFrom(SIGN_ROUND_2, from, () => parseSignRound1Message(inbox.get(from)));
    if (m.view !== view) differing.push(from);
    else check(SIGN_ROUND_2, from, 'rho-opening', rhoCommitment(p.id, from, m.rho) === p.rhoCommitments.get(from));
    rhos.set(from, m.rho);
  }
  if (differing.length > 0) {
    throw new ProtocolAbortError(SIGN_ROUND_2, differing, 'rho-view', 'holds other ρ commitments than ours: a commitment was not broadcast consistently in presigning');
  }
  const rho = rerandomizer({ presignatureId: p.id, R: p.R, signers: p.signers, rhos, digest: state.digest, tweak: state.tweak, publicKey: p.publicKey });
  const Rp = mulPublic(p.R, rho);
  const r = modq(Rp.toAffine().x);
  // r' = 0 has probability about 2^-256 (ρ is a hash output); the presignature is spent either way.
  if (r === 0n) throw new ProtocolAbortError(SIGN_ROUND_2, [p.self], 'rerandomized-r-zero', 'x(ρ·R) ≡ 0 mod n');
  const m = effectiveMessage(state.digest, r, state.tweak);
  const sigma = modq(p.k * m + r * p.chi);
  const message: SignRound2Message = { kind: 'sign/2', sigma };
  return {
    state: { kind: 'sign/state-2', presignature: p, digest: state.digest, tweak: state.tweak, publicKey: state.publicKey, rho, Rp, r, m, sigma },
    outgoing: others.map((to) => ({ to, message })),
  };
}

/**
 * Combine: s' = ρ^-1·Σσ_j, low-s normalize and verify the signature under the (child) public key
 * before returning it. Only when it does not verify is each σ_j checked with the presigning's
 * public values, σ_j·Γ = m'·Δ_j + r'·S_j (`sigma-share`, naming j): the honest path costs one
 * verification, the blame path three scalar multiplications per signer. Consumes `state`.
 */
export function signOutput(state: SignRound2State, inbox: Inbox<SignRound2Message>): EcdsaSignature {
  if (state?.kind !== 'sign/state-2') throw new InvalidInputError('state', 'not a sign round-2 state');
  const p = state.presignature;
  consumeRoundState(SIGN_OUTPUT, state, signRunKey(p));
  const others = p.signers.filter((j) => j !== p.self);
  checkInbox(SIGN_OUTPUT, inbox, others);
  const sigmas = new Map<number, bigint>();
  let sum = state.sigma;
  for (const from of others) {
    const msg = parseFrom(SIGN_OUTPUT, from, () => parseSignRound2Message(inbox.get(from)));
    sigmas.set(from, msg.sigma);
    sum = modq(sum + msg.sigma);
  }
  const s = modq(sum * invq(state.rho));
  const sig = s === 0n ? undefined : normalizeSignature(state.Rp, s);
  if (sig && verifySignature(sig, state.digest, state.publicKey)) return sig;
  for (const [from, sigma] of sigmas) {
    const expected: Point = mulPublic(p.Delta.get(from)!, state.m).add(mulPublic(p.S.get(from)!, state.r));
    check(SIGN_OUTPUT, from, 'sigma-share', mulPublic(p.Gamma, sigma).equals(expected));
  }
  // Every share passed its check, so the fault is ours (or the presignature was altered locally).
  throw new ProtocolAbortError(SIGN_OUTPUT, [p.self], 'signature-verification', 'combined signature does not verify although every share checks');
}

