import { config } from './tracing';
import { runService, SERVICE_VERSION } from '@custody/platform';
import { protoPath } from '@custody/proto';
import { GRPC_MAX_RECEIVE_BYTES, refuseUndecodable } from './api/request-decoding';
import { SignerModule } from './signer.module';
import { signerStartupChecks } from './storage/startup-checks';

void runService({
  config,
  version: SERVICE_VERSION,
  module: (signerConfig, platform) => SignerModule.register(platform, signerConfig),
  grpcServer: {
    maxReceiveMessageLength: GRPC_MAX_RECEIVE_BYTES,
    onLoadPackageDefinition: (definition) => refuseUndecodable(definition, 'signer.v1.SignerService'),
  },
  startupChecks: signerStartupChecks,
  grpcServices: [
    { package: 'signer.v1', protoPath: protoPath('signerApi'), services: ['signer.v1.SignerService'] },
    { package: 'signer.v1', protoPath: protoPath('signerPeer'), services: ['signer.v1.SignerPeer'] },
  ],
});
