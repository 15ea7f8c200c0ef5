import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { InvalidInputError } from '../errors';
import { G } from './curve';
import { keygenRound1 } from './keygen/round-1';
import { keygenRound2 } from './keygen/round-2';
import { decodeWire, encodeWire } from './protocol';
import { testOnlyDeterministicRng } from './testing/deterministic-rng';

/** Pins the wire encoding (house style: snapshots of every encoding we own). */
describe('wire encodings of the keygen messages are stable', () => {
  it('round-1 and round-2 messages', () => {
    const partyIds = [1, 2];
    const sid = new Uint8Array(16).fill(1);
    const r = partyIds.map((self) => keygenRound1({ sessionId: sid, self, partyIds, threshold: 2, mode: 'keygen' }, testOnlyDeterministicRng(`wire-${self}`)));
    const text1 = encodeWire(r[0]!.outgoing[0]!.message);
    expect(text1).toMatchSnapshot();
    const inbox = new Map([[2, r[1]!.outgoing[0]!.message]]);
    const r2 = keygenRound2(r[0]!.state, inbox, testOnlyDeterministicRng('x'));
    const text2 = encodeWire(r2.outgoing[0]!.message);
    expect(text2).toMatchSnapshot();
    expect(encodeWire(decodeWire(text2))).toBe(text2);
    expect(bytesToHex(sha256(new TextEncoder().encode(encodeWire({ n: -255n, b: new Uint8Array([1, 2]), s: 'x', a: [true, 1] }))))).toMatchSnapshot();
  });

  it('accepts plain data only, and rejects malformed encodings with InvalidInputError', () => {
    expect(() => encodeWire({ P: G })).toThrow(InvalidInputError);
    expect(() => encodeWire({ f: () => 1 })).toThrow(InvalidInputError);
    expect(() => encodeWire({ u: undefined })).toThrow(InvalidInputError);
    expect(() => decodeWire('{"$b":"abc"}')).toThrow(InvalidInputError);
    expect(() => decodeWire('{"$n":"-"}')).toThrow(InvalidInputError);
    expect(() => decodeWire('not json')).toThrow(InvalidInputError);
    expect(() => decodeWire(5)).toThrow(InvalidInputError);
    expect(decodeWire(encodeWire({ a: [-1n, 0n, 2n ** 300n], b: new Uint8Array([0, 255]) }))).toEqual({ a: [-1n, 0n, 2n ** 300n], b: new Uint8Array([0, 255]) });
  });
});
