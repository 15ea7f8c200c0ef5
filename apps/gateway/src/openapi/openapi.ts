import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';
import { SERVICE_VERSION } from '@custody/platform';
import { GatewayModule } from '../gateway.module';
import { SystemModule } from '../system/system.module';
import { EventsModule } from '../events/events.module';
import { BalancesModule } from '../balances/balances.module';
import { MessagesModule } from '../messages/messages.module';
import { WalletsModule } from '../wallets/wallets.module';
import { WithdrawalsModule } from '../withdrawals/withdrawals.module';

/** The OpenAPI 3.1 document of the REST API, from the controllers' decorators. */
export function openApiDocument(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('custody.v1')
    .setDescription(
      'The public API of the custody service. Every /v1 request except GET /v1/system/info is signed: RFC 9421 HTTP Message Signatures (Ed25519) over @method, @target-uri and content-digest (RFC 9530, sha-256) with created, nonce, keyid and alg. Every POST takes an Idempotency-Key. Errors are RFC 9457 application/problem+json with a stable code.',
    )
    .setVersion(SERVICE_VERSION)
    .build();
  return SwaggerModule.createDocument(app, config, { include: [GatewayModule, SystemModule, EventsModule, WalletsModule, BalancesModule, MessagesModule, WithdrawalsModule], operationIdFactory: (_controller, method) => method });
}

/** `/openapi.json` and a browsable page at `/docs` (both unsigned). */
export function mountOpenApi(app: INestApplication): void {
  const document = openApiDocument(app);
  SwaggerModule.setup('docs', app, document, { jsonDocumentUrl: 'openapi.json', yamlDocumentUrl: 'openapi.yaml' });
}
