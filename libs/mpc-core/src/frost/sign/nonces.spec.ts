import { InvalidInputError } from '../../errors';
import * as frost from '../index';
import * as encoding from '../encoding';
import { encodeNonceRecord, takeNonce } from '../encoding';
import type { PublishedCommitment } from '../messages';
import { runDkg, runSign } from '../simulation';
import { InMemoryNonceStore, type DurableNonceStore, type NonceRecord, type NonceStore } from '../state';
import { getSuite, type SuiteName } from '../suite';
import { independentBip340Verify, nodeVerifyEd25519, testOnlySeededRng, testSessionId, thrown } from '../test/helpers';
import { preprocess } from './preprocess';
import { signRound1 } from './round-1';

/** A NonceStore that also keeps every record `preprocess` puts, as a node's pool does before sealing. */
class CapturingStore extends InMemoryNonceStore {
  readonly captured: NonceRecord[] = [];
  override put(record: NonceRecord): void {
    this.captured.push(record);
    super.put(record);
  }
}

/** A durable store that (wrongly) returns the same encoding every time: what a second restore does. */
const restoredEveryTime = (encoded: Uint8Array): DurableNonceStore => ({ consumeEncoded: () => Promise.resolve(Uint8Array.from(encoded)) });

async function rejection(p: Promise<unknown>): Promise<Error> {
  try {
    await p;
  } catch (error) {
    if (error instanceof Error) return error;
  }
  throw new Error('expected a rejection');
}

describe('FROST: the module has no way from a nonce record to usable nonces but takeNonce', () => {
  it('exports no decoder of nonce records, only takeNonce over a DurableNonceStore', () => {
    const names = Object.keys(frost);
    expect(names).toContain('takeNonce');
    expect(names).toContain('encodeNonceRecord');
    expect(names.filter((n) => /decode.*nonce/i.test(n))).toEqual([]);
    expect(Object.keys(encoding).filter((n) => /decode.*nonce/i.test(n))).toEqual([]);
  });
});

describe.each(['ed25519', 'bip340'] as SuiteName[])('FROST nonce records (%s)', (suiteName) => {
  const suite = getSuite(suiteName);
  const rng = testOnlySeededRng(`nonces-${suiteName}`);
  const shares = runDkg({ suite: suiteName, partyIds: [1, 2, 3], threshold: 2, sessionId: testSessionId(`nonces-dkg-${suiteName}`), rng });
  const verify = (sig: Uint8Array, msg: Uint8Array, pk: Uint8Array) => (suiteName === 'ed25519' ? nodeVerifyEd25519(sig, msg, pk) : independentBip340Verify(sig, msg, pk));
  const sign = (message: string, store: NonceStore, commitment: PublishedCommitment) =>
    runSign({
      keyShares: [shares[0]!, shares[1]!],
      message: new TextEncoder().encode(message),
      sessionId: testSessionId(`${suiteName}-${message}`),
      rng,
      stores: new Map([[1, store]]),
      commitments: new Map([[1, commitment]]),
    });
  const encodedRecord = (): Uint8Array => {
    const pool = new CapturingStore();
    preprocess(shares[0]!, 1, pool, rng);
    return encodeNonceRecord(pool.captured[0]!);
  };

  it('an encoded record restored twice signs once: the second restore is refused, and the record cannot be stored again', async () => {
    const source = restoredEveryTime(encodedRecord());
    const taken = (await takeNonce(source))!;
    const r = sign('first', taken.store, taken.commitment);
    expect(verify(r.signature, new TextEncoder().encode('first'), r.publicKey)).toBe(true);
    const again = await rejection(takeNonce(source));
    expect(again).toBeInstanceOf(InvalidInputError);
    expect((again as InvalidInputError).argument).toBe('store');
    expect(again.message).toMatch(/already taken in this process/);
    expect(again.message).not.toMatch(/[0-9a-f]{64}/); // no nonce bytes in the error
  });

  it('a taken record cannot be moved into another in-memory store', async () => {
    const taken = (await takeNonce(restoredEveryTime(encodedRecord())))!;
    const record = taken.store.consume(taken.commitment.commitmentId)!;
    const e = thrown(() => new InMemoryNonceStore().put(record));
    expect(e).toBeInstanceOf(InvalidInputError);
    expect(e.message).toMatch(/taken from a durable store/);
  });

  it('a used record put into a fresh store is refused as a used record (its nonces were wiped), not as an internal error', () => {
    const pool = new CapturingStore();
    const [c] = preprocess(shares[0]!, 1, pool, rng);
    const r = sign('used-once', pool, c!);
    expect(verify(r.signature, new TextEncoder().encode('used-once'), r.publicKey)).toBe(true);
    const used = pool.captured[0]!;
    const fresh = new InMemoryNonceStore();
    fresh.put({ commitment: used.commitment, hiding: Uint8Array.from(used.hiding), binding: Uint8Array.from(used.binding) });
    const e = thrown(() => sign('used-twice', fresh, c!));
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as InvalidInputError).argument).toBe('store');
    expect(fresh.has(c!.commitmentId)).toBe(false); // burned all the same
  });

  it('signRound1 refuses a commitment whose id is in the store but whose points differ, before anything is consumed', () => {
    const store = new InMemoryNonceStore();
    const [c, other] = preprocess(shares[0]!, 2, store, rng);
    const params = { keyShare: shares[0]!, sessionId: testSessionId(`${suiteName}-mismatch`), signers: [1, 2], message: new Uint8Array([1]) };
    const forged: PublishedCommitment[] = [
      { ...c!, hiding: other!.hiding, binding: other!.binding },
      { ...c!, hiding: c!.binding, binding: c!.hiding },
      { ...c!, binding: suite.mulBase(7n) },
    ];
    for (const commitment of forged) {
      const e = thrown(() => signRound1({ ...params, commitment }, store, rng));
      expect(e).toBeInstanceOf(InvalidInputError);
      expect((e as InvalidInputError).argument).toBe('params.commitment');
    }
    expect(thrown(() => signRound1({ ...params, commitment: { ...c!, hiding: new Uint8Array(3) } }, store, rng))).toBeInstanceOf(InvalidInputError);
    // nothing was consumed: the real commitment still signs
    expect(store.has(c!.commitmentId)).toBe(true);
    const r = sign('after-refusals', store, c!);
    expect(verify(r.signature, new TextEncoder().encode('after-refusals'), r.publicKey)).toBe(true);
  });
});
