import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { SignerNode } from '../node/signer-node.service';
import { envelopeFromWire, type PeerEnvelopeWire } from './peer-envelope.codec';

/** signer.v1.SignerPeer: what other signers send. The node authenticates every envelope itself. */
@Controller()
export class PeerGrpcController {
  constructor(private readonly node: SignerNode) {}

  @GrpcMethod('SignerPeer', 'Invite')
  invite(envelope: PeerEnvelopeWire): Promise<{ accepted: boolean; reason: string }> {
    return this.node.handleInvite(envelopeFromWire(envelope));
  }

  @GrpcMethod('SignerPeer', 'Deliver')
  deliver(envelope: PeerEnvelopeWire): Record<string, never> {
    this.node.handleDeliver(envelopeFromWire(envelope));
    return {};
  }
}
