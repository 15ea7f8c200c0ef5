import { InvalidInputError, ProtocolAbortError } from '../../errors';
import type { Rng } from '../../rng';
import { G, type Point, assertScalar, modq, mulPublic } from '../curve';
import { type Inbox, type RoundResult, assertObject, check, checkInbox, parseFrom } from '../protocol';
import { type EcdsaSignature, assertDigest, digestToScalar, normalizeSignature, verifySignature } from '../signature';
import type { SignRound1Message } from './messages';
import type { SignParams, SignRound1State } from './state';

export const SIGN_ROUND_1 = 'ecdsa-sign/round-1';
export const SIGN_OUTPUT = 'ecdsa-sign/output';

/**
 * The tweak is public, so it is folded into the message scalar: s = k·(m + r·(x + τ)) =
 * Σ_i [k_i·(m + r·τ) + r·χ_i]. Every signer applies it weighted by its k_i (Σ k_i = k), so no single
 * party has to be chosen to add it, and each σ_i stays checkable against Δ_i and S_i.
 */
function effectiveMessage(digest: Uint8Array, r: bigint, tweak: bigint): bigint {
  return modq(digestToScalar(digest) + r * tweak);
}

/** Online round: σ_i = k_i·m' + r·χ_i with r = R.x mod n, sent to every other signer. */
export function signRound1(params: SignParams, _rng?: Rng): RoundResult<SignRound1State, SignRound1Message> {
  if (typeof params !== 'object' || params === null) throw new InvalidInputError('params', 'must be an object');
  const p = params.presignature;
  if (typeof p !== 'object' || p === null || typeof p.k !== 'bigint' || typeof p.chi !== 'bigint') throw new InvalidInputError('params.presignature', 'not a presignature');
  assertDigest(params.digest, 'params.digest');
  const tweak = params.tweak ?? 0n;
  assertScalar(tweak, 'params.tweak');
  const r = modq(p.R.toAffine().x);
  const sigma = modq(p.k * effectiveMessage(params.digest, r, tweak) + r * p.chi);
  const message: SignRound1Message = { kind: 'sign/1', sigma };
  return {
    state: { kind: 'sign/state-1', presignature: p, digest: new Uint8Array(params.digest), tweak, sigma },
    outgoing: p.signers.filter((j) => j !== p.self).map((to) => ({ to, message })),
  };
}

export function parseSignRound1Message(m: unknown): SignRound1Message {
  assertObject(m, 'message');
  if (m.kind !== 'sign/1') throw new InvalidInputError('message.kind', "must be 'sign/1'");
  assertScalar(m.sigma, 'message.sigma');
  return { kind: 'sign/1', sigma: m.sigma };
}

/**
 * Combine: sum the σ_j, low-s normalize and verify the signature under the (child) public key
 * before returning it. Only when it does not verify is each σ_j checked with the presigning's
 * public values, σ_j·Γ = m'·Δ_j + r·S_j (`sigma-share`, naming j): the honest path costs one
 * verification, the blame path three scalar multiplications per signer.
 */
export function signOutput(state: SignRound1State, inbox: Inbox<SignRound1Message>): EcdsaSignature {
  if (state?.kind !== 'sign/state-1') throw new InvalidInputError('state', 'not a sign round-1 state');
  const p = state.presignature;
  const others = p.signers.filter((j) => j !== p.self);
  checkInbox(SIGN_OUTPUT, inbox, others);
  const r = modq(p.R.toAffine().x);
  const sigmas = new Map<number, bigint>();
  let s = state.sigma;
  for (const from of others) {
    const msg = parseFrom(SIGN_OUTPUT, from, () => parseSignRound1Message(inbox.get(from)));
    sigmas.set(from, msg.sigma);
    s = modq(s + msg.sigma);
  }
  const publicKey = state.tweak === 0n ? p.publicKey : p.publicKey.add(mulPublic(G, state.tweak));
  const sig = s === 0n ? undefined : normalizeSignature(p.R, s);
  if (sig && verifySignature(sig, state.digest, publicKey)) return sig;
  const m = effectiveMessage(state.digest, r, state.tweak);
  for (const [from, sigma] of sigmas) {
    const expected: Point = mulPublic(p.Delta.get(from)!, m).add(mulPublic(p.S.get(from)!, r));
    check(SIGN_OUTPUT, from, 'sigma-share', mulPublic(p.Gamma, sigma).equals(expected));
  }
  // Every share passed its check, so the fault is ours (or the presignature was altered locally).
  throw new ProtocolAbortError(SIGN_OUTPUT, [p.self], 'signature-verification', 'combined signature does not verify although every share checks');
}
