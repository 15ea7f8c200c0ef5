import fc from 'fast-check';
import { EnvelopeRejected, openEnvelope, sealEnvelope, sessionIdHex } from './index';
import { testOnlyDirectory, testOnlyPeer, testOnlyRng } from '../test/test-only-fixtures';

const directory = testOnlyDirectory(3);
const peers = [1, 2, 3].map(testOnlyPeer);
const roundChars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:/-'.split('');

describe('envelope properties', () => {
  it('a sealed envelope opens at its recipient with the same payload, and nowhere else', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 0, maxLength: 2048 }),
        fc.uint8Array({ minLength: 16, maxLength: 64 }),
        fc.string({ unit: fc.constantFrom(...roundChars), minLength: 1, maxLength: 128 }),
        fc.integer({ min: 0, max: 2 }),
        fc.integer({ min: 1, max: 2 }),
        fc.boolean(),
        (payload, sessionId, round, from, offset, isBroadcast) => {
          const sender = peers[from]!;
          const recipient = peers[(from + offset) % 3]!;
          const third = peers[(from + 3 - offset) % 3]!;
          const to = isBroadcast ? 'broadcast' : directory.require(recipient.id);
          const e = sealEnvelope({ from: sender, to, sessionId, round, payload }, testOnlyRng(`prop/${round}`));
          const opened = openEnvelope(e, { self: recipient, directory, expectedSessionIds: new Set([sessionIdHex(sessionId)]) });
          expect(opened.payload).toEqual(payload);
          expect(opened.round).toBe(round);
          expect(opened.senderId).toBe(sender.id);
          if (isBroadcast) expect(openEnvelope(e, { self: third, directory, expectedSessionIds: new Set([sessionIdHex(sessionId)]) }).payload).toEqual(payload);
          else expect(() => openEnvelope(e, { self: third, directory, expectedSessionIds: new Set([sessionIdHex(sessionId)]) })).toThrow(EnvelopeRejected);
        },
      ),
      { numRuns: 25, seed: 20261122 },
    );
  });
});
