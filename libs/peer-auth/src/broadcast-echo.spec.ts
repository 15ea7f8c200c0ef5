import { BroadcastEcho, broadcastEchoHash, echoMismatches, PeerAuthInputError } from './index';

const sid = new Uint8Array(32).fill(7);
const msg = (s: string) => new TextEncoder().encode(s);
const round = 'ecdsa-presign/round-1';

describe('BroadcastEcho', () => {
  const view = [
    { senderId: 1, payload: msg('a') },
    { senderId: 2, payload: msg('b') },
    { senderId: 3, payload: msg('c') },
  ];

  it('hashes the same broadcasts to the same 32 bytes whatever the arrival order', () => {
    const h = broadcastEchoHash(sid, round, view);
    expect(h).toHaveLength(32);
    expect(broadcastEchoHash(sid, round, [view[2]!, view[0]!, view[1]!])).toEqual(h);
    expect(BroadcastEcho.hash).toBe(broadcastEchoHash);
  });

  it('changes with any payload, sender, session or round', () => {
    const h = broadcastEchoHash(sid, round, view);
    expect(broadcastEchoHash(sid, round, [view[0]!, view[1]!, { senderId: 3, payload: msg('c2') }])).not.toEqual(h);
    expect(broadcastEchoHash(sid, round, [view[0]!, view[1]!, { senderId: 4, payload: msg('c') }])).not.toEqual(h);
    expect(broadcastEchoHash(new Uint8Array(32).fill(8), round, view)).not.toEqual(h);
    expect(broadcastEchoHash(sid, 'ecdsa-presign/round-2', view)).not.toEqual(h);
    // Moving bytes between adjacent payloads must change the hash (length prefixes).
    expect(
      broadcastEchoHash(sid, round, [{ senderId: 1, payload: msg('ab') }, { senderId: 2, payload: msg('') }, view[2]!]),
    ).not.toEqual(broadcastEchoHash(sid, round, [{ senderId: 1, payload: msg('a') }, { senderId: 2, payload: msg('b') }, view[2]!]));
  });

  it('names the parties whose echo differs (an equivocating sender shows up)', () => {
    // Signer 3 sent 'c' to signers 1 and 2 but 'X' to signers 4 and 5.
    const honest = broadcastEchoHash(sid, round, view);
    const fooled = broadcastEchoHash(sid, round, [view[0]!, view[1]!, { senderId: 3, payload: msg('X') }]);
    const echoes = new Map([
      [1, honest],
      [2, honest],
      [3, honest],
      [4, fooled],
      [5, fooled],
    ]);
    expect(echoMismatches(honest, echoes, 1)).toEqual([4, 5]);
    expect(echoMismatches(fooled, echoes, 4)).toEqual([1, 2, 3]);
    expect(echoMismatches(honest, new Map([[2, honest]]))).toEqual([]);
    expect(echoMismatches(honest, new Map([[2, honest.subarray(0, 31)]]))).toEqual([2]);
  });

  it('refuses duplicate senders and bad arguments', () => {
    expect(() => broadcastEchoHash(sid, round, [view[0]!, view[0]!])).toThrow(/duplicate sender 1/);
    expect(() => broadcastEchoHash(sid, round, [])).toThrow(PeerAuthInputError);
    expect(() => broadcastEchoHash(sid, round, [{ senderId: 0, payload: msg('a') }])).toThrow(/senderId/);
    expect(() => echoMismatches(new Uint8Array(31), new Map())).toThrow(/ownHash/);
    expect(() => echoMismatches(new Uint8Array(32), new Map([[300, new Uint8Array(32)]]))).toThrow(PeerAuthInputError);
  });
});
