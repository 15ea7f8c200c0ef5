import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import type { PeerEnvelope } from '@custody/peer-auth';
import { PROTO_ROOT, protoPath } from '@custody/proto';
import { envelopeToWire, type PeerEnvelopeWire } from './peer-envelope.codec';

type Callback<R> = (error: grpc.ServiceError | null, response?: R) => void;
interface SignerPeerStub extends grpc.Client {
  Invite(request: PeerEnvelopeWire, metadata: grpc.Metadata, options: grpc.CallOptions, callback: Callback<{ accepted?: boolean; reason?: string }>): void;
  Deliver(request: PeerEnvelopeWire, metadata: grpc.Metadata, options: grpc.CallOptions, callback: Callback<object>): void;
}
type SignerPeerConstructor = new (address: string, credentials: grpc.ChannelCredentials, options?: grpc.ChannelOptions) => SignerPeerStub;

let constructorCache: SignerPeerConstructor | undefined;
function stubConstructor(): SignerPeerConstructor {
  if (!constructorCache) {
    const definition = protoLoader.loadSync(protoPath('signerPeer'), { includeDirs: [PROTO_ROOT], longs: Number, defaults: true });
    const loaded = grpc.loadPackageDefinition(definition) as unknown as { signer: { v1: { SignerPeer: SignerPeerConstructor } } };
    constructorCache = loaded.signer.v1.SignerPeer;
  }
  return constructorCache;
}

const waitForReady = (): grpc.Metadata => new grpc.Metadata({ waitForReady: true });

export class PeerUnreachable extends Error {
  override readonly name = 'PeerUnreachable';
}

/**
 * A gRPC client of one peer signer. Channel security is the envelope's (signed by the sender's
 * pinned identity key, point-to-point payloads encrypted to the recipient), so the channel itself is
 * plaintext here; production deployments add mTLS at the mesh or with channel credentials.
 */
export class PeerClient {
  private readonly stub: SignerPeerStub;

  constructor(readonly address: string) {
    const Stub = stubConstructor();
    this.stub = new Stub(address, grpc.credentials.createInsecure(), {
      'grpc.max_receive_message_length': 32 * 1024 * 1024,
      'grpc.max_send_message_length': 32 * 1024 * 1024,
      'grpc.initial_reconnect_backoff_ms': 200,
      'grpc.max_reconnect_backoff_ms': 1000,
    });
  }

  invite(envelope: PeerEnvelope, timeoutMs: number): Promise<{ accepted: boolean; reason: string }> {
    return new Promise((resolve, reject) => {
      // waitForReady: a peer that just restarted is reached as soon as the channel reconnects,
      // instead of failing at once because the channel still remembers it was down.
      this.stub.Invite(envelopeToWire(envelope), waitForReady(), { deadline: Date.now() + timeoutMs }, (error, reply) => {
        if (error) reject(new PeerUnreachable(`${this.address}: ${error.details || error.message}`));
        else resolve({ accepted: reply?.accepted === true, reason: reply?.reason ?? '' });
      });
    });
  }

  deliver(envelope: PeerEnvelope, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      this.stub.Deliver(envelopeToWire(envelope), waitForReady(), { deadline: Date.now() + timeoutMs }, (error) => {
        if (error) reject(new PeerUnreachable(`${this.address}: ${error.details || error.message}`));
        else resolve();
      });
    });
  }

  close(): void {
    this.stub.close();
  }
}
