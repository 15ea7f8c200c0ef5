// Interop with the generated proto class (needs `npm run proto:gen`, which `npm run test:unit` runs).
import { signer } from '@custody/proto';
import { EnvelopeRejected, openEnvelope, sealEnvelope, sessionIdHex } from './index';
import { testOnlyDirectory, testOnlyPeer, testOnlyRng } from '../test/test-only-fixtures';

const directory = testOnlyDirectory(3);
const [p1, p2] = [testOnlyPeer(1), testOnlyPeer(2)];
const sessionId = new Uint8Array(32).fill(0x5a);
const payload = new TextEncoder().encode('TEST-ONLY payload');

describe('PeerEnvelope through signer.v1.PeerEnvelope (protobuf)', () => {
  it('opens after a protobuf encode/decode, for point-to-point and broadcast', () => {
    for (const to of [directory.require(2), 'broadcast'] as const) {
      const sealed = sealEnvelope({ from: p1, to, sessionId, round: 'frost-sign/round-1', payload }, testOnlyRng('proto'));
      const wire = signer.v1.PeerEnvelope.encode(sealed).finish();
      const decoded = signer.v1.PeerEnvelope.decode(wire);
      expect(openEnvelope(decoded, { self: p2, directory, expectedSessionIds: new Set([sessionIdHex(sessionId)]) }).payload).toEqual(payload);
    }
  });

  it('refuses garbled wire bytes that still decode, with EnvelopeRejected only', () => {
    const sealed = sealEnvelope({ from: p1, to: directory.require(2), sessionId, round: 'r', payload }, testOnlyRng('proto2'));
    const wire = signer.v1.PeerEnvelope.encode(sealed).finish();
    const rng = testOnlyRng('garble');
    let decodedCount = 0;
    for (let i = 0; i < 200; i++) {
      const bytes = Uint8Array.from(wire);
      const [a, b] = rng(2);
      bytes[(a! * 256 + b!) % bytes.length] ^= 1 << (a! & 7);
      let decoded: signer.v1.PeerEnvelope;
      try {
        decoded = signer.v1.PeerEnvelope.decode(bytes);
      } catch {
        continue; // the lead's decoder maps this to 'malformed'
      }
      decodedCount++;
      expect(() => openEnvelope(decoded, { self: p2, directory, expectedSessionIds: new Set([sessionIdHex(sessionId)]) })).toThrow(EnvelopeRejected);
    }
    expect(decodedCount).toBeGreaterThan(100);
  });
});
