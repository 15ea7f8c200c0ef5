import { config } from './tracing';
import { runService, SERVICE_VERSION } from '@custody/platform';
import { protoPath } from '@custody/proto';
import { GatewayModule } from './gateway.module';
import { recordRequestBytes } from './grpc/request-bytes';
import { mountOpenApi } from './openapi/openapi';
import { mountConsole } from './console/console-static';

void runService({
  config,
  version: SERVICE_VERSION,
  module: (gatewayConfig, platform) => GatewayModule.register(gatewayConfig, platform),
  bodyParser: false,
  ...(config.tls ? { tls: config.tls } : {}),
  configureApp: (app) => {
    mountOpenApi(app);
    mountConsole(app, config.consoleDir);
  },
  grpcServer: { maxReceiveMessageLength: config.maxBodyBytes, onLoadPackageDefinition: (definition) => recordRequestBytes(definition, 'custody.v1') },
  grpcServices: [
    { package: 'custody.v1', protoPath: protoPath('custodySystem'), services: ['custody.v1.SystemService'] },
    { package: 'custody.v1', protoPath: protoPath('custodyClients'), services: ['custody.v1.ApiClientService', 'custody.v1.IdentityService'] },
    { package: 'custody.v1', protoPath: protoPath('custodyEvents'), services: ['custody.v1.EventService', 'custody.v1.WebhookService'] },
    {
      package: 'custody.v1',
      protoPath: protoPath('custodyResources'),
      services: ['WalletService', 'AddressService', 'BalanceService', 'DepositService', 'WithdrawalService', 'ApprovalService', 'MessageService', 'PolicyService', 'AddressBookService', 'AuditService'].map((s) => `custody.v1.${s}`),
    },
  ],
});
