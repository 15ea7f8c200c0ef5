import { config } from './tracing';
import { runService, SERVICE_VERSION } from '@custody/platform';
import { protoPath } from '@custody/proto';
import { LEDGER_GRPC_MAX_RECEIVE_BYTES, refuseUndecodable } from './api/request-decoding';
import { LedgerModule } from './ledger.module';
import { ledgerStartupChecks } from './startup-checks';

void runService({
  config,
  version: SERVICE_VERSION,
  module: (ledgerConfig, platform) => LedgerModule.register(platform, ledgerConfig),
  grpcServer: {
    maxReceiveMessageLength: LEDGER_GRPC_MAX_RECEIVE_BYTES,
    onLoadPackageDefinition: (definition) => refuseUndecodable(definition, 'custody.ledger.v1.LedgerService'),
  },
  startupChecks: ledgerStartupChecks,
  grpcServices: [{ package: 'custody.ledger.v1', protoPath: protoPath('ledger'), services: ['custody.ledger.v1.LedgerService'] }],
});
