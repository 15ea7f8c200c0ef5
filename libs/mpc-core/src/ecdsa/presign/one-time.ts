import { InvalidInputError } from '../../errors';
import { pointToHex } from '../curve';
import type { Presignature } from './state';

/**
 * One-time-ness of ECDSA presigning, enforced by the library (issue 8, finding 1). Two signatures
 * made with one presignature (or with two presignatures sharing k_i, χ_i) reveal the private key,
 * so every value holding k_i, γ_i or χ_i is consumed by the function it is given to:
 *
 * - Round states: presign rounds 2, 3, the output and the blame round consume their input state; a
 *   second call with the same object, or with a copy of it, throws before anything is computed.
 *   A copy is recognised by the state's own K_i = enc_i(k_i) (unique per round-1 run).
 * - Presignatures: only objects issued by `presignOutput` or `takePresignature` are usable, each once:
 *   signing it, serializing it (it moves into a record) or adding it to a pool consumes the handle.
 *   A spread copy is not an issued object and is refused.
 * - Per process, every presignature's R (which fixes k) goes through the stages live → stored →
 *   taken → spent, never back: a record taken from a store twice, or a presignature signed and also
 *   stored, is refused.
 *
 * Memory: the object marks are WeakSets (they keep nothing alive). The per-process registries of
 * K_i and R keep the most recent {@link MAX_REMEMBERED} entries each (about 150 bytes per entry, ~10 MB
 * at most), then forget the oldest: beyond that window only the durable store's atomic `consume`
 * (a node's database) stands between a record and its second use, which is the node's duty anyway.
 */
export const MAX_REMEMBERED = 1 << 16;

/** Insertion-ordered map that forgets its oldest entries beyond `max`. */
class BoundedRegistry<V> {
  private readonly map = new Map<string, V>();
  constructor(private readonly max: number) {}
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value as string);
  }
}

// ---- round states -----------------------------------------------------------------------------

const consumedStates = new WeakSet<object>();
const consumedRuns = new BoundedRegistry<true>(MAX_REMEMBERED);
/** Round-3 runs whose output aborted on `delta-consistency` (the blame round may open them once). */
const blameable = new BoundedRegistry<'open' | 'used'>(MAX_REMEMBERED);

/** The run key of one party's presigning: the low 128 bits of its K_i (a Paillier ciphertext, unique per run and party). */
function runKey(K: bigint): string {
  return (K & ((1n << 128n) - 1n)).toString(16);
}

/** The run key of one party's signing with a presignature: the party and R. */
export function signRunKey(p: Presignature): string {
  return `sign:${p.self}:${pointToHex(p.R)}`;
}

/**
 * Marks `state` as consumed by `round`; throws if this object, or another state of the same run
 * (same `K_i` for presigning, same {@link signRunKey} for signing), was given to `round` before.
 */
export function consumeRoundState(round: string, state: object, run: bigint | string): void {
  const key = `${round}:${typeof run === 'bigint' ? runKey(run) : run}`;
  if (consumedStates.has(state) || consumedRuns.get(key)) {
    throw new InvalidInputError('state', `this state (or a copy) was already given to ${round}; round states holding k_i, γ_i, χ_i are one-time`);
  }
  consumedStates.add(state);
  consumedRuns.set(key, true);
}

/** Records that the output of this run aborted on `delta-consistency`: the blame round may open it. */
export function allowBlame(K: bigint): void {
  blameable.set(runKey(K), 'open');
}

/** Consumes the permission to open this run's δ side; throws unless the output aborted on δ and it was not opened yet. */
export function takeBlame(K: bigint): void {
  const key = runKey(K);
  const status = blameable.get(key);
  if (status !== 'open') {
    throw new InvalidInputError('state', status === 'used' ? 'the δ side of this presigning was already opened' : 'the blame round runs only after presignOutput aborted on delta-consistency for this state');
  }
  blameable.set(key, 'used');
}

// ---- presignatures ----------------------------------------------------------------------------

type Stage = 'live' | 'stored' | 'taken' | 'spent';

const issued = new WeakSet<object>();
const spent = new WeakSet<object>();
const stages = new BoundedRegistry<Stage>(MAX_REMEMBERED);

/** Every signer of one presigning holds a presignature with the same R: the key is (party, R). */
const rKey = (p: Presignature): string => `${p.self}:${pointToHex(p.R)}`;

/** Registers a presignature just made by `presignOutput`. */
export function issueFromOutput(p: Presignature): Presignature {
  const key = rKey(p);
  if (stages.get(key) !== undefined) throw new InvalidInputError('presignature', `presignature ${p.id} was already issued in this process`);
  stages.set(key, 'live');
  issued.add(p);
  return p;
}

/** Registers a presignature parsed from a record its store has just consumed. */
export function issueFromStore(p: Presignature): Presignature {
  const key = rKey(p);
  const stage = stages.get(key);
  if (stage !== undefined && stage !== 'stored') throw new InvalidInputError('presignature', `presignature ${p.id} was already ${stage === 'live' ? 'issued' : stage === 'taken' ? 'taken from a store' : 'used'} in this process`);
  stages.set(key, 'taken');
  issued.add(p);
  return p;
}

/** Whether `p` is an issued presignature handle not consumed yet (nothing changes). */
export function assertUsable(p: unknown, name: string): asserts p is Presignature {
  if (typeof p !== 'object' || p === null || !issued.has(p)) {
    throw new InvalidInputError(name, 'not a presignature issued by presignOutput or takePresignature (copies are refused)');
  }
  const q = p as Presignature;
  if (spent.has(p) || stages.get(rKey(q)) === 'spent' || stages.get(rKey(q)) === 'stored') {
    throw new InvalidInputError(name, `presignature ${q.id} was already used (signed, serialized or pooled)`);
  }
}

/**
 * Consumes the handle `p`: `'sign'` (it signs now; its R is spent in this process) or `'store'` (it
 * moves into a serialized record, and comes back only through its store's one-time `consume`).
 */
export function consumePresignature(p: unknown, use: 'sign' | 'store', name = 'presignature'): Presignature {
  assertUsable(p, name);
  spent.add(p);
  stages.set(rKey(p), use === 'sign' ? 'spent' : 'stored');
  return p;
}

const pooled = new WeakSet<object>();

/** A presignature enters at most one pool, once. */
export function enterPool(p: unknown): Presignature {
  assertUsable(p, 'presignature');
  if (pooled.has(p)) throw new InvalidInputError('presignature', `presignature ${p.id} was already added to a pool`);
  pooled.add(p);
  return p;
}
