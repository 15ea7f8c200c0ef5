import type { PeerEnvelope } from '@custody/peer-auth';

/** The envelope as @grpc/proto-loader hands it over (bytes as Buffers, numbers as numbers). */
export interface PeerEnvelopeWire {
  version?: number;
  sessionId?: Buffer | Uint8Array;
  senderId?: number;
  recipientId?: number;
  round?: string;
  payload?: Buffer | Uint8Array;
  ephemeralPublicKey?: Buffer | Uint8Array;
  aeadNonce?: Buffer | Uint8Array;
  signature?: Buffer | Uint8Array;
}

const bytes = (b: Buffer | Uint8Array | undefined): Uint8Array => (b ? new Uint8Array(b.buffer, b.byteOffset, b.byteLength) : new Uint8Array(0));

export function envelopeFromWire(w: PeerEnvelopeWire): PeerEnvelope {
  return {
    version: typeof w.version === 'number' ? w.version : 0,
    sessionId: bytes(w.sessionId),
    senderId: typeof w.senderId === 'number' ? w.senderId : 0,
    recipientId: typeof w.recipientId === 'number' ? w.recipientId : 0,
    round: typeof w.round === 'string' ? w.round : '',
    payload: bytes(w.payload),
    ephemeralPublicKey: bytes(w.ephemeralPublicKey),
    aeadNonce: bytes(w.aeadNonce),
    signature: bytes(w.signature),
  };
}

export function envelopeToWire(e: PeerEnvelope): PeerEnvelopeWire {
  return {
    version: e.version,
    sessionId: Buffer.from(e.sessionId),
    senderId: e.senderId,
    recipientId: e.recipientId,
    round: e.round,
    payload: Buffer.from(e.payload),
    ephemeralPublicKey: Buffer.from(e.ephemeralPublicKey),
    aeadNonce: Buffer.from(e.aeadNonce),
    signature: Buffer.from(e.signature),
  };
}
