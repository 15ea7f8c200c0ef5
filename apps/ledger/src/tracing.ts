// First import of main.ts: parses the configuration once and starts OpenTelemetry before the
// modules it instruments (http, gRPC) are loaded.
import { parseConfigOrExit } from '@custody/config';
import { startTracing } from '@custody/observability';
import { parseLedgerConfig } from './config';

export const config = parseConfigOrExit('ledger', parseLedgerConfig);
startTracing(config.serviceName, config.otlpEndpoint?.toString());
