import { Module, type DynamicModule } from '@nestjs/common';
import { SignerGrpcController } from './api/signer.grpc.controller';
import { AuditWriter } from './audit/audit-writer.service';
import type { SignerConfig } from './config';
import { KeyShares } from './keys/key-shares.service';
import { KeysService } from './keys/keys.service';
import { PROTOCOL_HANDLERS, SignerNode } from './node/signer-node.service';
import type { ProtocolHandler } from './node/protocol-handler';
import { PeerGrpcController } from './peer/peer.grpc.controller';
import { EddsaKeygenHandler, EddsaRefreshHandler, EddsaSignHandler } from './protocols/eddsa.handlers';
import { EcdsaKeygenHandler, EcdsaPresignHandler, EcdsaRefreshHandler, EcdsaSignHandler } from './protocols/ecdsa.handlers';
import { PrimeSource } from './keys/prime-source.service';
import { GrantCheck } from './signing/grant-check.service';
import { PresignaturePool } from './signing/presignature-pool.service';
import { NoncePool } from './signing/nonce-pool.service';
import { SigningService } from './signing/signing.service';
import { ShareVault } from './storage/share-vault.service';
import { SignerRepository } from './storage/signer.repository';
import { SIGNER_CONFIG } from './storage/signer.tokens';
import { WitnessRepository } from './witness/witness.repository';
import { WitnessService } from './witness/witness.service';

const HANDLERS = [EcdsaKeygenHandler, EcdsaRefreshHandler, EcdsaPresignHandler, EcdsaSignHandler, EddsaKeygenHandler, EddsaRefreshHandler, EddsaSignHandler];

/** A signer node: its peer network, its sessions, its keys and its vault. */
@Module({})
export class SignerModule {
  static register(platform: DynamicModule, config: SignerConfig): DynamicModule {
    return {
      module: SignerModule,
      imports: [platform],
      controllers: [SignerGrpcController, PeerGrpcController],
      providers: [
        { provide: SIGNER_CONFIG, useValue: config },
        SignerRepository,
        ShareVault,
        GrantCheck,
        PrimeSource,
        KeyShares,
        ...HANDLERS,
        { provide: PROTOCOL_HANDLERS, useFactory: (...handlers: ProtocolHandler[]) => handlers, inject: HANDLERS },
        SignerNode,
        KeysService,
        NoncePool,
        PresignaturePool,
        SigningService,
        WitnessRepository,
        WitnessService,
        AuditWriter,
      ],
    };
  }
}
