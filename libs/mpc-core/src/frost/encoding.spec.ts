import { ed25519 } from '@noble/curves/ed25519.js';
import { InvalidInputError } from '../errors';
import {
  broadcastDigest,
  decodeKeyShare,
  decodeMessage,
  decodePublicKeyPackage,
  decodePublishedCommitment,
  encodeKeyShare,
  encodeMessage,
  encodeNonceRecord,
  encodePublicKeyPackage,
  encodePublishedCommitment,
  takeNonce,
} from './encoding';
import type { FrostMessage } from './messages';
import { preprocess } from './sign/preprocess';
import { runDkg, runRefresh, runSign } from './simulation';
import { InMemoryNonceStore, type DurableNonceStore } from './state';
import { getSuite, type SuiteName } from './suite';
import { ValidatedEd25519Point } from './validated-points';
import { fromHexString, testOnlySeededRng, testSessionId, thrown, toHexString } from './test/helpers';

function fixture(suiteName: SuiteName) {
  const rng = testOnlySeededRng(`encoding-fixture-${suiteName}`);
  const messages = new Map<string, FrostMessage>();
  const capture = (_from: number, to: number, m: FrostMessage) => {
    if (to === 1 && !messages.has(m.kind)) messages.set(m.kind, m);
    return m;
  };
  const shares = runDkg({ suite: suiteName, partyIds: [1, 2, 3], threshold: 2, sessionId: testSessionId('encoding-dkg'), rng, tamper: capture });
  runSign({ keyShares: [shares[0]!, shares[1]!], message: new Uint8Array([1, 2, 3]), sessionId: testSessionId('encoding-sign'), rng, tamper: capture });
  runRefresh({ keyShares: shares, sessionId: testSessionId('encoding-refresh'), rng, tamper: capture });
  const store = new InMemoryNonceStore();
  const [commitment] = preprocess(shares[0]!, 1, store, rng);
  const record = store.consume(commitment!.commitmentId)!;
  return { shares, messages, commitment: commitment!, record };
}

function expectInvalid(f: () => unknown, argument?: string | RegExp): InvalidInputError {
  const e = thrown(f);
  expect(e).toBeInstanceOf(InvalidInputError);
  if (argument !== undefined) expect((e as InvalidInputError).argument).toMatch(argument);
  return e as InvalidInputError;
}

describe.each(['ed25519', 'bip340'] as SuiteName[])('FROST encodings (%s)', (suiteName) => {
  const suite = getSuite(suiteName);
  const { shares, messages, commitment, record } = fixture(suiteName);

  it('pins the bytes of the key share, public package, commitment and every message kind', () => {
    const pinned: Record<string, string> = {
      keyShare: toHexString(encodeKeyShare(shares[0]!)),
      publicPackage: toHexString(encodePublicKeyPackage(shares[0]!.publicPackage)),
      publishedCommitment: toHexString(encodePublishedCommitment(commitment)),
      nonceRecord: toHexString(encodeNonceRecord(record)),
    };
    for (const kind of ['dkg/round-1', 'dkg/round-2', 'sign/round-1', 'sign/round-2', 'refresh/round-1-commitment', 'refresh/round-1-share']) {
      const m = messages.get(kind);
      expect(m).toBeDefined();
      pinned[kind] = toHexString(encodeMessage(m!));
    }
    expect(pinned).toMatchSnapshot();
  });

  it('round-trips everything (a nonce record only through takeNonce)', async () => {
    for (const s of shares) expect(decodeKeyShare(encodeKeyShare(s))).toEqual(s);
    expect(decodePublicKeyPackage(encodePublicKeyPackage(shares[1]!.publicPackage))).toEqual(shares[1]!.publicPackage);
    expect(decodePublishedCommitment(encodePublishedCommitment(commitment))).toEqual(commitment);
    const durable = (bytes: Uint8Array): DurableNonceStore => ({ consumeEncoded: () => Promise.resolve(bytes) });
    const encoded = encodeNonceRecord(record);
    const taken = await takeNonce(durable(encoded));
    expect(taken!.commitment).toEqual(record.commitment);
    expect(taken!.store.consume(record.commitment.commitmentId)).toEqual(record);
    expect(encoded.every((b) => b === 0)).toBe(true); // takeNonce wiped the plaintext it was given
    // a nonce that does not match its commitment is refused
    const bad = encodeNonceRecord({ ...record, hiding: record.binding });
    const e = await takeNonce(durable(bad)).then(() => undefined, (error: unknown) => error);
    expect(e).toBeInstanceOf(InvalidInputError);
    expect((e as InvalidInputError).argument).toBe('record.hiding');
    for (const m of messages.values()) expect(decodeMessage(encodeMessage(m))).toEqual(m);
  });

  it('rejects bad headers, wrong lengths and trailing bytes with InvalidInputError', () => {
    const good = encodeKeyShare(shares[0]!);
    const edit = (i: number, v: number) => Uint8Array.from(good, (b, j) => (j === i ? v : b));
    expectInvalid(() => decodeKeyShare(good.subarray(0, 3)), 'keyShare');
    expectInvalid(() => decodeKeyShare(edit(0, 0x00)), 'keyShare');
    expectInvalid(() => decodeKeyShare(edit(2, 0x02)), 'keyShare.version');
    expectInvalid(() => decodeKeyShare(edit(3, 0x02)), 'keyShare.kind');
    expectInvalid(() => decodeKeyShare(edit(4, 0x09)), 'keyShare.suite');
    expect(expectInvalid(() => decodeKeyShare(good.subarray(0, good.length - 1))).message).toMatch(/truncated/);
    expectInvalid(() => decodeKeyShare(Uint8Array.from([...good, 0])), 'keyShare');
    expectInvalid(() => decodeMessage(encodeKeyShare(shares[0]!)), 'message.kind');
    const m = encodeMessage(messages.get('sign/round-2')!);
    expectInvalid(() => decodeMessage(Uint8Array.from([...m.subarray(0, 5), 8, ...m.subarray(6)])), 'message.sessionId');
    expectInvalid(() => decodeMessage(new Uint8Array(0)), 'message');
    expectInvalid(() => decodeMessage('CF' as unknown as Uint8Array), 'message');
  });

  it('rejects a scalar >= the group order and a share that is not on the committed polynomial', () => {
    const m = encodeMessage(messages.get('sign/round-2')!);
    const order = suite.order;
    const orderBytes = suite.name === 'ed25519'
      ? fromHexString(order.toString(16).padStart(64, '0')).reverse()
      : fromHexString(order.toString(16).padStart(64, '0'));
    for (const bad of [orderBytes, new Uint8Array(32).fill(0xff)]) {
      expectInvalid(() => decodeMessage(Uint8Array.from([...m.subarray(0, m.length - 32), ...bad])), 'message.signatureShare');
    }
    const ks = encodeKeyShare(shares[0]!);
    const other = encodeKeyShare(shares[1]!);
    expectInvalid(() => decodeKeyShare(Uint8Array.from([...ks.subarray(0, ks.length - 32), ...other.subarray(other.length - 32)])), 'keyShare.signingShare');
  });

  it('never crashes on corrupted bytes: decodes or throws InvalidInputError', () => {
    const rng = testOnlySeededRng(`fuzz-${suiteName}`);
    const inputs = [encodePublicKeyPackage(shares[0]!.publicPackage), ...[...messages.values()].map(encodeMessage)];
    for (let i = 0; i < 120; i++) {
      const base = inputs[i % inputs.length]!;
      const [pos, val] = rng(2);
      const corrupted = Uint8Array.from(base);
      corrupted[(pos! * 7 + i) % corrupted.length] ^= val! | 1;
      try {
        if (base[3] === 0x02) decodePublicKeyPackage(corrupted);
        else decodeMessage(corrupted);
      } catch (error) {
        expect(error).toBeInstanceOf(InvalidInputError);
      }
    }
  });
});

describe('FROST point checks', () => {
  const ed = getSuite('ed25519');
  const k1 = getSuite('bip340');
  const le = (x: bigint) => fromHexString(x.toString(16).padStart(64, '0')).reverse();
  const P = 2n ** 255n - 19n;

  it.each([
    ['identity', '0100000000000000000000000000000000000000000000000000000000000000', /identity/],
    ['order 2 (y = -1)', 'ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f', /prime-order subgroup/],
    ['order 4 (y = 0)', '0000000000000000000000000000000000000000000000000000000000000000', /prime-order subgroup/],
    ['order 8', 'c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a', /prime-order subgroup/],
    ['order 8', '26e8958fc2b227b045c3f489f2ef98f0d5dfac05d3c63339b13802886d53fc05', /prime-order subgroup/],
    ['non-canonical y = p (an encoding of y = 0)', toHexString(le(P)), /not a valid point encoding/],
    ['non-canonical y = p + 1 (an encoding of the identity)', toHexString(le(P + 1n)), /not a valid point encoding/],
    ['"-0": x = 0 with the sign bit set', '0100000000000000000000000000000000000000000000000000000000000080', /not a valid point encoding/],
    ['not on the curve', '0200000000000000000000000000000000000000000000000000000000000000', /not a valid point encoding/],
  ])('Ed25519 rejects %s', (_name, hexPoint, reason) => {
    const e = expectInvalid(() => ed.parsePoint(fromHexString(hexPoint), 'p'), 'p');
    expect(e.message).toMatch(reason);
  });

  it('Ed25519 rejects a point with a small-order component (B + T8) and wrong lengths', () => {
    const t8 = ed25519.Point.fromBytes(fromHexString('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'));
    const mixed = ed25519.Point.BASE.add(t8).toBytes();
    expect(expectInvalid(() => ed.parsePoint(mixed, 'p')).message).toMatch(/prime-order subgroup/);
    expectInvalid(() => ed.parsePoint(new Uint8Array(31), 'p'), 'p');
    expectInvalid(() => ed.parsePoint(ed25519.Point.BASE.toBytes().slice(0, 31), 'p'), 'p');
    expect(ed.parsePoint(ed25519.Point.BASE.toBytes(), 'p')).toEqual(ed25519.Point.BASE.toBytes());
  });

  it.each([
    ['x = 0 (not on the curve)', '02' + '00'.repeat(32)],
    ['x >= p', '02' + 'ff'.repeat(32)],
    ['bad prefix 0x05', '05' + '79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798'],
    ['prefix 0x04 (uncompressed) at compressed length', '04' + '79be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798'],
    ['the identity (all zero)', '00'.repeat(33)],
  ])('secp256k1 rejects %s', (_name, hexPoint) => {
    expectInvalid(() => k1.parsePoint(fromHexString(hexPoint), 'p'), 'p');
  });

  it('secp256k1 rejects an uncompressed (65-byte) point', () => {
    const G = fromHexString('0479be667ef9dcbbac55a06295ce870b07029bfcdb2dce28d959f2815b16f81798483ada7726a3c4655da4fbfc0e1108a8fd17b448a68554199c47d08ffb10d4b8');
    expectInvalid(() => k1.parsePoint(G, 'p'), 'p');
  });
});

describe('FROST broadcast digest (echo check)', () => {
  it('is the same for every party of an honest round and differs under equivocation', () => {
    const rng = testOnlySeededRng('echo');
    const sessionId = testSessionId('echo');
    const shares = runDkg({ suite: 'ed25519', partyIds: [1, 2, 3], threshold: 2, sessionId: testSessionId('echo-dkg'), rng });
    const seen = new Map<number, { from: number; message: FrostMessage }[]>([[1, []], [2, []], [3, []]]);
    let equivocate = false;
    const other = new Uint8Array(32).fill(3);
    const capture = (from: number, to: number, m: FrostMessage): FrostMessage => {
      if (m.kind !== 'sign/round-1') return m;
      const delivered = equivocate && from === 2 && to === 3 ? { ...m, sessionId: other } : m;
      seen.get(to)!.push({ from, message: delivered });
      if (!seen.get(from)!.some((e) => e.from === from)) seen.get(from)!.push({ from, message: m });
      return m;
    };
    runSign({ keyShares: shares, message: new Uint8Array([1]), sessionId, rng, tamper: capture });
    const digests = [1, 2, 3].map((p) => toHexString(broadcastDigest(sessionId, 'sign/round-1', seen.get(p)!)));
    expect(new Set(digests).size).toBe(1);
    for (const list of seen.values()) list.length = 0;
    equivocate = true;
    runSign({ keyShares: shares, message: new Uint8Array([1]), sessionId, rng, tamper: capture });
    const after = [1, 2, 3].map((p) => toHexString(broadcastDigest(sessionId, 'sign/round-1', seen.get(p)!)));
    expect(after[0]).toBe(after[1]);
    expect(after[2]).not.toBe(after[0]);
  });
});

describe('Ed25519 validation memo', () => {
  it('only decoded, checked encodings are marked validated; points computed from them are plain noble points', () => {
    const t8 = ed25519.Point.fromBytes(fromHexString('c7176a703d4dd84fba3c0b760d10670f2a2053fa2c39ccc64ec7fd7792ac037a'));
    const b = ValidatedEd25519Point.fromBytes(ed25519.Point.BASE.toBytes());
    expect(Object.getPrototypeOf(b)).toBe(ValidatedEd25519Point.prototype);
    const mixed = b.add(t8);
    expect(Object.getPrototypeOf(mixed)).not.toBe(ValidatedEd25519Point.prototype);
    expect(mixed.isTorsionFree()).toBe(false);
    // a small-order or mixed encoding is returned as a plain point, which the checks then reject
    const back = ValidatedEd25519Point.fromBytes(mixed.toBytes());
    expect(Object.getPrototypeOf(back)).not.toBe(ValidatedEd25519Point.prototype);
    expect(back.isTorsionFree()).toBe(false);
    expect(Object.getPrototypeOf(ValidatedEd25519Point.fromBytes(t8.toBytes()))).not.toBe(ValidatedEd25519Point.prototype);
  });
});
