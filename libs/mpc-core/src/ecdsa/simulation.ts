import { auxInfoRound1, AUX_ROUND_1 } from './aux-info/round-1';
import { auxInfoRound2, AUX_ROUND_2 } from './aux-info/round-2';
import { auxInfoOutput, AUX_OUTPUT } from './aux-info/output';
import type { AuxInfoOutput } from './aux-info/state';
import { assembleKeyShare, type KeyShare } from './key-share';
import { presignRound1, PRESIGN_ROUND_1 } from './presign/round-1';
import { presignRound2, PRESIGN_ROUND_2 } from './presign/round-2';
import { presignRound3, PRESIGN_ROUND_3 } from './presign/round-3';
import { presignOutput, PRESIGN_OUTPUT } from './presign/output';
import type { Presignature, PresignRound3State } from './presign/state';
import type { PresignRound3Message } from './presign/messages';
import { presignBlameOutput, presignBlameRound, presignChiBlameOutput, presignChiBlameRound, PRESIGN_BLAME, PRESIGN_BLAME_OUTPUT, PRESIGN_CHI_BLAME, PRESIGN_CHI_BLAME_OUTPUT } from './presign/blame';
import { InternalError, ProtocolAbortError } from '../errors';
import { signRound1, SIGN_ROUND_1 } from './sign/round-1';
import { signOutput, signRound2, SIGN_OUTPUT, SIGN_ROUND_2 } from './sign/round-2';
import type { EcdsaSignature } from './signature';
import { applyRefresh } from './refresh/refresh';
import type { PartyId } from '../errors';
import type { Rng } from '../rng';
import { type Inbox, type Outgoing, type RoundResult, decodeWire, encodeWire } from './protocol';
import { keygenRound1, KEYGEN_ROUND_1 } from './keygen/round-1';
import { keygenRound2, KEYGEN_ROUND_2 } from './keygen/round-2';
import { keygenRound3, KEYGEN_ROUND_3 } from './keygen/round-3';
import { keygenOutput, KEYGEN_ROUND_4 } from './keygen/round-4';
import type { KeygenOutput } from './keygen/state';

/**
 * An in-memory run of n parties, for tests, the CLI and the bench. Pure: no I/O, no clock. Every
 * message goes through the wire codec (so what is delivered is what a peer would decode), may be
 * altered by a `tamper` hook (tests of cheating parties), and is counted in `traffic`.
 */
export interface SimulationOptions {
  readonly rng: Rng;
  /** Replace a message in transit (from `from` to `to`, in round `round`): tests use it to cheat. */
  readonly tamper?: (round: string, from: PartyId, to: PartyId, message: unknown) => unknown;
  /** Bytes sent per party, added to as messages are encoded. */
  readonly traffic?: Map<PartyId, number>;
  /** Wraps each party's round computation (the bench measures CPU time with it). */
  readonly meter?: <T>(party: PartyId, round: string, work: () => T) => T;
}

/** Runs `work` for every party through the meter. */
export function forEachParty<T>(parties: readonly PartyId[], round: string, opts: SimulationOptions, work: (id: PartyId) => T): Map<PartyId, T> {
  const out = new Map<PartyId, T>();
  for (const id of parties) out.set(id, opts.meter ? opts.meter(id, round, () => work(id)) : work(id));
  return out;
}

/** Delivers every party's outgoing messages: returns each recipient's inbox (keyed by sender). */
export function deliver<M>(round: string, results: ReadonlyMap<PartyId, { readonly outgoing: readonly Outgoing<M>[] }>, opts: SimulationOptions): Map<PartyId, Map<PartyId, M>> {
  const inboxes = new Map<PartyId, Map<PartyId, M>>();
  for (const [from, result] of results) {
    for (const { to, message } of result.outgoing) {
      let m: unknown = decodeWire(encodeWire(message));
      if (opts.tamper) m = opts.tamper(round, from, to, m);
      const text = encodeWire(m);
      opts.traffic?.set(from, (opts.traffic.get(from) ?? 0) + text.length);
      let inbox = inboxes.get(to);
      if (!inbox) inboxes.set(to, (inbox = new Map<PartyId, M>()));
      inbox.set(from, decodeWire(text) as M);
    }
  }
  return inboxes;
}

/** One round for every party: run `step` on each state with its inbox, then deliver the messages. */
export function step<S, M, S2, M2>(
  round: string,
  states: ReadonlyMap<PartyId, S>,
  inboxes: ReadonlyMap<PartyId, Inbox<M>>,
  fn: (state: S, inbox: Inbox<M>, rng: Rng) => RoundResult<S2, M2>,
  opts: SimulationOptions,
): { states: Map<PartyId, S2>; inboxes: Map<PartyId, Map<PartyId, M2>> } {
  const results = forEachParty([...states.keys()], round, opts, (id) => fn(states.get(id)!, inboxes.get(id) ?? new Map<PartyId, M>(), opts.rng));
  const next = new Map<PartyId, S2>();
  for (const [id, r] of results) next.set(id, r.state);
  return { states: next, inboxes: deliver(round, results, opts) };
}

// ---- key generation and zero-sharing ---------------------------------------------------------------


export function simulateKeygenRounds(
  params: { readonly sessionId: Uint8Array; readonly partyIds: readonly PartyId[]; readonly threshold: number; readonly mode: 'keygen' | 'refresh' },
  opts: SimulationOptions,
): Map<PartyId, KeygenOutput> {
  const r1 = forEachParty(params.partyIds, KEYGEN_ROUND_1, opts, (self) => keygenRound1({ ...params, self }, opts.rng));
  const s1 = new Map([...r1].map(([id, r]) => [id, r.state]));
  const i1 = deliver(KEYGEN_ROUND_1, r1, opts);
  const r2 = step(KEYGEN_ROUND_2, s1, i1, keygenRound2, opts);
  const r3 = step(KEYGEN_ROUND_3, r2.states, r2.inboxes, keygenRound3, opts);
  return forEachParty(params.partyIds, KEYGEN_ROUND_4, opts, (id) => keygenOutput(r3.states.get(id)!, r3.inboxes.get(id) ?? new Map()));
}

export function simulateAuxInfo(
  params: { readonly sessionId: Uint8Array; readonly partyIds: readonly PartyId[]; readonly paillierBits: number; readonly primes: ReadonlyMap<PartyId, readonly [bigint, bigint]> },
  opts: SimulationOptions,
): Map<PartyId, AuxInfoOutput> {
  const r1 = forEachParty(params.partyIds, AUX_ROUND_1, opts, (self) =>
    auxInfoRound1({ sessionId: params.sessionId, self, partyIds: params.partyIds, paillierBits: params.paillierBits, primes: params.primes.get(self)! }, opts.rng),
  );
  const s1 = new Map([...r1].map(([id, r]) => [id, r.state]));
  const r2 = step(AUX_ROUND_2, s1, deliver(AUX_ROUND_1, r1, opts), auxInfoRound2, opts);
  return forEachParty(params.partyIds, AUX_OUTPUT, opts, (id) => auxInfoOutput(r2.states.get(id)!, r2.inboxes.get(id) ?? new Map()));
}

/** Key generation and auxiliary information for n parties; returns every party's key share. */
export function simulateKeygen(
  params: { readonly sessionId: Uint8Array; readonly partyIds: readonly PartyId[]; readonly threshold: number; readonly paillierBits: number; readonly primes: ReadonlyMap<PartyId, readonly [bigint, bigint]> },
  opts: SimulationOptions,
): Map<PartyId, KeyShare> {
  const kg = simulateKeygenRounds({ ...params, mode: 'keygen' }, opts);
  const aux = simulateAuxInfo(params, opts);
  const out = new Map<PartyId, KeyShare>();
  for (const id of params.partyIds) out.set(id, assembleKeyShare(kg.get(id)!, aux.get(id)!));
  return out;
}

/** Presigning among `signers`; returns each signer's presignature. */
export function simulatePresign(sessionId: Uint8Array, keyShares: ReadonlyMap<PartyId, KeyShare>, signers: readonly PartyId[], opts: SimulationOptions): Map<PartyId, Presignature> {
  const r1 = forEachParty(signers, PRESIGN_ROUND_1, opts, (self) => presignRound1({ sessionId, keyShare: keyShares.get(self)!, signers }, opts.rng));
  const s1 = new Map([...r1].map(([id, r]) => [id, r.state]));
  const r2 = step(PRESIGN_ROUND_2, s1, deliver(PRESIGN_ROUND_1, r1, opts), presignRound2, opts);
  const r3 = step(PRESIGN_ROUND_3, r2.states, r2.inboxes, presignRound3, opts);
  return presignOutputWithBlame(signers, r3.states, r3.inboxes, opts);
}

/**
 * The output step; when δ (or, δ being right, the χ sum) does not match for some party, every party
 * whose own view fails that check runs the matching blame round (the others refuse to reveal and are
 * named as missing) and the blame's abort, which names the culprits, is thrown.
 */
export function presignOutputWithBlame(
  signers: readonly PartyId[],
  states: ReadonlyMap<PartyId, PresignRound3State>,
  inboxes: ReadonlyMap<PartyId, Inbox<PresignRound3Message>>,
  opts: SimulationOptions,
): Map<PartyId, Presignature> {
  const out = new Map<PartyId, Presignature>();
  const failed: PartyId[] = [];
  const failedChi: PartyId[] = [];
  let firstError: ProtocolAbortError | undefined;
  for (const id of signers) {
    try {
      out.set(id, (opts.meter ?? ((_p, _r, w) => w()))(id, PRESIGN_OUTPUT, () => presignOutput(states.get(id)!, inboxes.get(id) ?? new Map())));
    } catch (e) {
      if (!(e instanceof ProtocolAbortError) || (e.check !== 'delta-consistency' && e.check !== 'chi-consistency')) throw e;
      (e.check === 'delta-consistency' ? failed : failedChi).push(id);
      firstError ??= e;
    }
  }
  if (!firstError) return out;
  if (failed.length > 0) {
    const rb = forEachParty(failed, PRESIGN_BLAME, opts, (id) => presignBlameRound(states.get(id)!, inboxes.get(id) ?? new Map()));
    const ib = deliver(PRESIGN_BLAME, rb, opts);
    forEachParty(failed, PRESIGN_BLAME_OUTPUT, opts, (id) => presignBlameOutput(rb.get(id)!.state, ib.get(id) ?? new Map()));
  } else {
    const rb = forEachParty(failedChi, PRESIGN_CHI_BLAME, opts, (id) => presignChiBlameRound(states.get(id)!, inboxes.get(id) ?? new Map(), opts.rng));
    const ib = deliver(PRESIGN_CHI_BLAME, rb, opts);
    forEachParty(failedChi, PRESIGN_CHI_BLAME_OUTPUT, opts, (id) => presignChiBlameOutput(rb.get(id)!.state, ib.get(id) ?? new Map()));
  }
  throw firstError;
}

/**
 * The online phase (reveal ρ_i, then σ_i); every signer combines and verifies; returns the signature
 * (all agree). Each presignature is consumed; `keyShares` must be the current generation's.
 */
export function simulateSign(
  keyShares: ReadonlyMap<PartyId, KeyShare>,
  presignatures: ReadonlyMap<PartyId, Presignature>,
  digest: Uint8Array,
  opts: SimulationOptions,
  tweak?: bigint,
): EcdsaSignature {
  const signers = [...presignatures.keys()];
  const r1 = forEachParty(signers, SIGN_ROUND_1, opts, (id) => signRound1({ presignature: presignatures.get(id)!, keyShare: keyShares.get(id)!, digest, tweak }));
  const s1 = new Map([...r1].map(([id, r]) => [id, r.state]));
  const r2 = step(SIGN_ROUND_2, s1, deliver(SIGN_ROUND_1, r1, opts), (state, inbox) => signRound2(state, inbox), opts);
  const sigs = forEachParty(signers, SIGN_OUTPUT, opts, (id) => signOutput(r2.states.get(id)!, r2.inboxes.get(id) ?? new Map()));
  const first = sigs.get(signers[0]!)!;
  for (const s of sigs.values()) if (s.r !== first.r || s.s !== first.s) throw new InternalError('signers disagree on the signature');
  return first;
}

/** Refresh of every party's share (zero-sharing), optionally with new Paillier keys from new primes. */
export function simulateRefresh(
  sessionId: Uint8Array,
  keyShares: ReadonlyMap<PartyId, KeyShare>,
  opts: SimulationOptions,
  newPrimes?: ReadonlyMap<PartyId, readonly [bigint, bigint]>,
): Map<PartyId, KeyShare> {
  const any = [...keyShares.values()][0]!;
  const zero = simulateKeygenRounds({ sessionId, partyIds: any.partyIds, threshold: any.threshold, mode: 'refresh' }, opts);
  const aux = newPrimes ? simulateAuxInfo({ sessionId, partyIds: any.partyIds, paillierBits: any.paillierBits, primes: newPrimes }, opts) : undefined;
  const out = new Map<PartyId, KeyShare>();
  for (const [id, ks] of keyShares) out.set(id, applyRefresh(ks, zero.get(id)!, aux?.get(id)));
  return out;
}
