import {
  BROADCAST_RECIPIENT,
  MAX_PAYLOAD_LENGTH,
  envelopeId,
  equivocationBy,
  EnvelopeRejected,
  envelopeSigningBytes,
  openEnvelope,
  PeerAuthInputError,
  sealEnvelope,
  sessionIdHex,
  type EnvelopeRejectionReason,
  type OpenOptions,
  type PeerEnvelope,
} from './index';
import { testOnlyDirectory, testOnlyPeer, testOnlyRng } from '../test/test-only-fixtures';

const directory = testOnlyDirectory(3);
const [p1, p2, p3] = [testOnlyPeer(1), testOnlyPeer(2), testOnlyPeer(3)];
const outsider = testOnlyPeer(9);
const sessionId = Uint8Array.from({ length: 32 }, (_, i) => i);
const otherSession = Uint8Array.from({ length: 32 }, (_, i) => 255 - i);
const payload = new TextEncoder().encode('round-2 message: the share for signer 2 (secret)');
const at = (peer: typeof p1): OpenOptions => ({ self: peer, directory, expectedSessionIds: new Set([sessionIdHex(sessionId)]) });

function p2p(rng = testOnlyRng('p2p')): PeerEnvelope {
  return sealEnvelope({ from: p1, to: directory.require(2), sessionId, round: 'ecdsa-presign/round-2', payload }, rng);
}
function broadcast(): PeerEnvelope {
  return sealEnvelope({ from: p1, to: 'broadcast', sessionId, round: 'ecdsa-presign/round-1', payload }, testOnlyRng('bc'));
}
function rejection(fn: () => unknown): EnvelopeRejected {
  try {
    fn();
  } catch (e) {
    if (e instanceof EnvelopeRejected) return e;
    throw new Error('expected EnvelopeRejected', { cause: e });
  }
  throw new Error('expected EnvelopeRejected, the envelope opened');
}
function resign(e: Omit<PeerEnvelope, 'signature'>, signer = p1): PeerEnvelope {
  return { ...e, signature: signer.identity.sign(envelopeSigningBytes(e)) };
}
const contains = (hay: Uint8Array, needle: Uint8Array) => Buffer.from(hay).includes(Buffer.from(needle));

describe('sealEnvelope / openEnvelope: round trips', () => {
  it('opens a point-to-point message at its recipient only, with the payload encrypted on the wire', () => {
    const e = p2p();
    expect(e.recipientId).toBe(2);
    expect(e.ephemeralPublicKey).toHaveLength(32);
    expect(e.aeadNonce).toHaveLength(12);
    expect(e.payload).toHaveLength(payload.length + 16);
    expect(contains(e.payload, payload.subarray(0, 16))).toBe(false);
    const opened = openEnvelope(e, at(p2));
    expect(opened).toEqual({ senderId: 1, recipientId: 2, sessionId, round: 'ecdsa-presign/round-2', payload });
  });

  it('opens a broadcast at every other party, in the clear', () => {
    const e = broadcast();
    expect(e.recipientId).toBe(BROADCAST_RECIPIENT);
    expect(e.ephemeralPublicKey).toHaveLength(0);
    expect(e.aeadNonce).toHaveLength(0);
    for (const peer of [p2, p3]) expect(openEnvelope(e, at(peer)).payload).toEqual(payload);
  });

  it('uses a fresh ephemeral key and nonce for every message', () => {
    const rng = testOnlyRng('fresh');
    const a = p2p(rng);
    const b = p2p(rng);
    expect(Buffer.from(a.ephemeralPublicKey).equals(Buffer.from(b.ephemeralPublicKey))).toBe(false);
    expect(Buffer.from(a.payload).equals(Buffer.from(b.payload))).toBe(false);
    expect(openEnvelope(b, at(p2)).payload).toEqual(payload);
  });

  it('round-trips an empty payload and accepts a session id set or predicate', () => {
    const e = sealEnvelope({ from: p3, to: directory.require(1), sessionId, round: 'r', payload: new Uint8Array(0) }, testOnlyRng('e'));
    expect(openEnvelope(e, { ...at(p1), expectedSessionIds: new Set([sessionIdHex(sessionId)]) }).payload).toHaveLength(0);
    expect(openEnvelope(e, { ...at(p1), expectedSessionIds: (s) => s.length === 32 }).senderId).toBe(3);
  });

  it('gives a stable envelope id for de-duplication', () => {
    const e = p2p();
    expect(envelopeId(e)).toEqual(envelopeId({ ...e }));
    expect(envelopeId(e)).not.toEqual(envelopeId(p2p(testOnlyRng('other'))));
  });
});

describe('openEnvelope: each rejection reason', () => {
  const cases: Array<[EnvelopeRejectionReason, string, () => unknown]> = [
    ['unknown-version', 'version 2', () => openEnvelope(resign({ ...p2p(), version: 2 }), at(p2))],
    ['unknown-version', 'version 0', () => openEnvelope({ ...p2p(), version: 0 }, at(p2))],
    ['unknown-sender', 'a sender id that is not pinned', () => openEnvelope(resign({ ...broadcast(), senderId: 9 }, outsider), at(p2))],
    ['unknown-sender', 'this node as the sender (reflection)', () => openEnvelope(broadcast(), at(p1))],
    ['bad-signature', 'a flipped signature bit', () => openEnvelope({ ...broadcast(), signature: flip(broadcast().signature, 10) }, at(p2))],
    ['bad-signature', 'signed by another pinned key', () => openEnvelope(resign(broadcast(), p3), at(p2))],
    ['bad-signature', 'signed by an unpinned key', () => openEnvelope(resign(broadcast(), outsider), at(p2))],
    ['not-for-me', 'sealed for signer 2, opened at signer 3', () => openEnvelope(p2p(), at(p3))],
    ['not-for-me', 'a session this node is not in', () => openEnvelope(p2p(), { ...at(p2), expectedSessionIds: new Set(['00']) })],
    ['decrypt-failed', 'a ciphertext re-signed by its sender after tampering', () => {
      const e = p2p();
      return openEnvelope(resign({ ...e, payload: flip(e.payload, 3) }), at(p2));
    }],
    ['decrypt-failed', 'a small-order ephemeral key', () => openEnvelope(resign({ ...p2p(), ephemeralPublicKey: new Uint8Array(32) }), at(p2))],
    ['malformed', 'not an object', () => openEnvelope(null, at(p2))],
    ['malformed', 'a missing signature', () => openEnvelope({ ...p2p(), signature: undefined }, at(p2))],
    ['malformed', 'a short session id', () => openEnvelope({ ...p2p(), sessionId: new Uint8Array(8) }, at(p2))],
    ['malformed', 'a broadcast carrying a nonce', () => openEnvelope({ ...broadcast(), aeadNonce: new Uint8Array(12) }, at(p2))],
    ['malformed', 'a point-to-point message without an ephemeral key', () => openEnvelope({ ...p2p(), ephemeralPublicKey: new Uint8Array(0) }, at(p2))],
    ['malformed', 'a round with a newline', () => openEnvelope({ ...p2p(), round: 'r\n1' }, at(p2))],
    ['malformed', 'a negative sender id', () => openEnvelope({ ...p2p(), senderId: -1 }, at(p2))],
  ];
  it.each(cases)('%s: %s', (reason, _name, fn) => {
    const error = rejection(fn);
    expect(error.reason).toBe(reason);
    expect(error.message).not.toContain(Buffer.from(payload).toString('hex').slice(0, 16));
  });

  it('refuses a replayed envelope whose session id was changed', () => {
    const e = p2p();
    expect(rejection(() => openEnvelope({ ...e, sessionId: otherSession }, at(p2))).reason).toBe('bad-signature');
    const b = broadcast();
    expect(rejection(() => openEnvelope({ ...b, sessionId: otherSession }, at(p3))).reason).toBe('bad-signature');
  });

  it('refuses a member that re-signs another sender\'s ciphertext as its own', () => {
    // Signer 3 captures 1 → 2 and presents it as 3 → 2 with its own valid signature.
    const { signature: _s, ...stolen } = p2p();
    const e = resign({ ...stolen, senderId: 3 }, p3);
    expect(rejection(() => openEnvelope(e, at(p2))).reason).toBe('decrypt-failed');
  });

  it('refuses a ciphertext moved to another round, even when re-signed by the sender', () => {
    const { signature: _s, ...e } = p2p();
    expect(rejection(() => openEnvelope(resign({ ...e, round: 'ecdsa-presign/round-3' }), at(p2))).reason).toBe('decrypt-failed');
  });
});

function flip(bytes: Uint8Array, index: number, mask = 1): Uint8Array {
  const out = Uint8Array.from(bytes);
  out[index % out.length]! ^= mask;
  return out;
}

describe('openEnvelope: tampering with any single field', () => {
  const mutations: Array<[keyof PeerEnvelope, (e: PeerEnvelope) => unknown]> = [
    ['version', (e) => e.version + 1],
    ['sessionId', (e) => flip(e.sessionId, 5)],
    ['senderId', () => 3],
    ['recipientId', (e) => (e.recipientId === 0 ? 2 : 0)],
    ['round', (e) => e.round + 'x'],
    ['payload', (e) => flip(e.payload, 7)],
    ['ephemeralPublicKey', (e) => (e.ephemeralPublicKey.length ? flip(e.ephemeralPublicKey, 2) : new Uint8Array(32))],
    ['aeadNonce', (e) => (e.aeadNonce.length ? flip(e.aeadNonce, 1) : new Uint8Array(12))],
    ['signature', (e) => flip(e.signature, 40)],
  ];
  for (const [kind, make] of [['point-to-point', () => p2p()], ['broadcast', broadcast]] as const) {
    it.each(mutations)(`${kind}: changing %s is refused`, (field, mutate) => {
      const e = make();
      expect(openEnvelope(e, at(p2)).payload).toEqual(payload);
      expect(() => openEnvelope({ ...e, [field]: mutate(e) }, at(p2))).toThrow(EnvelopeRejected);
    });
  }
});

describe('openEnvelope: garbled input never throws anything but EnvelopeRejected', () => {
  it('survives random field values, truncations and extensions (deterministic corpus)', () => {
    const rng = testOnlyRng('fuzz');
    const byte = () => rng(1)[0]!;
    const base = [p2p(), broadcast()];
    const fields: Array<keyof PeerEnvelope> = ['version', 'sessionId', 'senderId', 'recipientId', 'round', 'payload', 'ephemeralPublicKey', 'aeadNonce', 'signature'];
    const weird: unknown[] = [undefined, null, 0, -1, 1.5, 2 ** 32, NaN, 'x', '', [], {}, true, new Uint8Array(0), new Uint16Array(4), Buffer.alloc(3)];
    let opened = 0;
    for (let i = 0; i < 300; i++) {
      const e: Record<string, unknown> = { ...base[i % 2]! };
      const field = fields[byte() % fields.length]!;
      const value = e[field];
      const mode = byte() % 4;
      if (mode === 0) e[field] = weird[byte() % weird.length];
      else if (value instanceof Uint8Array && mode === 1) e[field] = value.subarray(0, byte() % (value.length + 1));
      else if (value instanceof Uint8Array && mode === 2) e[field] = Uint8Array.from([...value, ...rng(1 + (byte() % 40))]);
      else if (value instanceof Uint8Array) e[field] = rng(value.length);
      else if (typeof value === 'number') e[field] = value ^ (1 + (byte() % 255));
      else e[field] = String.fromCharCode(...rng(1 + (byte() % 10)));
      try {
        openEnvelope(e, at(p2));
        opened++;
      } catch (err) {
        expect(err).toBeInstanceOf(EnvelopeRejected);
      }
    }
    // A truncation to the full length or an identical random draw can leave the envelope intact;
    // anything that opened must have been unchanged, so the count stays small.
    expect(opened).toBeLessThan(30);
  });

  it('survives non-object inputs', () => {
    for (const value of [undefined, 0, 'envelope', [], new Uint8Array(100), () => 1]) {
      expect(() => openEnvelope(value, at(p2))).toThrow(EnvelopeRejected);
    }
  });
});

describe('argument validation (this node\'s own mistakes)', () => {
  it('refuses bad seal parameters with PeerAuthInputError naming the argument', () => {
    const ok = { from: p1, to: directory.require(2), sessionId, round: 'r', payload };
    expect(() => sealEnvelope({ ...ok, sessionId: new Uint8Array(4) })).toThrow(/sessionId/);
    expect(() => sealEnvelope({ ...ok, round: '' })).toThrow(/round/);
    expect(() => sealEnvelope({ ...ok, round: 'a b' })).toThrow(/round/);
    expect(() => sealEnvelope({ ...ok, to: { id: 1, identityPublicKey: p1.identity.publicKey } })).toThrow(/to\.id/);
    expect(() => sealEnvelope({ ...ok, to: { id: 2, identityPublicKey: new Uint8Array(32) } })).toThrow(/to\.identityPublicKey/);
    expect(() => sealEnvelope({ ...ok, from: { id: 0, identity: p1.identity } })).toThrow(/from\.id/);
    expect(() => sealEnvelope({ ...ok, payload: 'x' as unknown as Uint8Array })).toThrow(PeerAuthInputError);
    expect(() => sealEnvelope(ok, () => new Uint8Array(3))).toThrow(/rng/);
  });

  it('refuses to open with a self that is not pinned under its id', () => {
    expect(() => openEnvelope(p2p(), { ...at(p2), self: { id: 2, identity: p3.identity } })).toThrow(PeerAuthInputError);
  });

  it('refuses to open without expectedSessionIds (the session binding is mandatory), or with a bad one', () => {
    const e = p2p();
    const omitted = { self: p2, directory } as unknown as OpenOptions;
    expect(() => openEnvelope(e, omitted)).toThrow(PeerAuthInputError);
    expect(() => openEnvelope(e, omitted)).toThrow(/options\.expectedSessionIds/);
    expect(() => openEnvelope(e, { ...at(p2), expectedSessionIds: undefined } as unknown as OpenOptions)).toThrow(/options\.expectedSessionIds/);
    expect(() => openEnvelope(e, { ...at(p2), expectedSessionIds: [sessionIdHex(sessionId)] } as unknown as OpenOptions)).toThrow(/options\.expectedSessionIds/);
    // a predicate must say yes with `true`: anything else is a no
    expect(rejection(() => openEnvelope(e, { ...at(p2), expectedSessionIds: (() => 1) as unknown as () => boolean })).reason).toBe('not-for-me');
  });
});

describe('wire format, pinned (snapshots: a change breaks every running signer)', () => {
  const hexFields = (e: PeerEnvelope) =>
    Object.fromEntries(Object.entries(e).map(([k, v]) => [k, v instanceof Uint8Array ? Buffer.from(v).toString('hex') : v]));

  it('pins a point-to-point envelope (key derivation, AAD, ciphertext and signature) for a fixed rng', () => {
    expect(hexFields(p2p(testOnlyRng('snapshot')))).toMatchSnapshot('point-to-point');
  });

  it('pins a broadcast envelope and the signed bytes', () => {
    const e = broadcast();
    expect(hexFields(e)).toMatchSnapshot('broadcast');
    expect(Buffer.from(envelopeSigningBytes(e)).toString('hex')).toMatchSnapshot('broadcast signing bytes');
  });
});

describe('equivocationBy', () => {
  const seal = (from: typeof p1, text: string, round = 'ecdsa-presign/round-1', sid = sessionId) =>
    sealEnvelope({ from, to: 'broadcast', sessionId: sid, round, payload: new TextEncoder().encode(text) });

  it('names a sender who signed two different broadcasts for the same session and round', () => {
    expect(equivocationBy(seal(p1, 'to signer 2'), seal(p1, 'to signer 3'), directory)).toBe(1);
  });

  it('proves nothing for the same payload, other rounds or sessions, other senders, or bad signatures', () => {
    const a = seal(p1, 'x');
    expect(equivocationBy(a, seal(p1, 'x'), directory)).toBeUndefined();
    expect(equivocationBy(a, seal(p1, 'y', 'ecdsa-presign/round-2'), directory)).toBeUndefined();
    expect(equivocationBy(a, seal(p1, 'y', 'ecdsa-presign/round-1', otherSession), directory)).toBeUndefined();
    expect(equivocationBy(a, seal(p3, 'y'), directory)).toBeUndefined();
    const forged = { ...seal(p1, 'y'), signature: flip(seal(p1, 'y').signature, 9) };
    expect(equivocationBy(a, forged, directory)).toBeUndefined();
    expect(equivocationBy(a, resign({ ...seal(p1, 'y') }, p3), directory)).toBeUndefined();
    expect(equivocationBy(a, null, directory)).toBeUndefined();
  });
});

describe('hostile objects', () => {
  it('rejects an envelope whose getters throw as malformed', () => {
    const e = p2p();
    const hostile = Object.defineProperty({ ...e }, 'round', {
      get() {
        throw new Error('boom');
      },
    });
    expect(rejection(() => openEnvelope(hostile, at(p2))).reason).toBe('malformed');
  });
});

describe('size limits', () => {
  it('opens a point-to-point payload of exactly MAX_PAYLOAD_LENGTH bytes, and refuses one byte more', () => {
    const big = new Uint8Array(MAX_PAYLOAD_LENGTH);
    const e = sealEnvelope({ from: p1, to: directory.require(2), sessionId, round: 'r', payload: big }, testOnlyRng('max'));
    expect(openEnvelope(e, at(p2)).payload).toHaveLength(MAX_PAYLOAD_LENGTH);
    expect(() => sealEnvelope({ from: p1, to: 'broadcast', sessionId, round: 'r', payload: new Uint8Array(MAX_PAYLOAD_LENGTH + 1) })).toThrow(/payload/);
  });
});
