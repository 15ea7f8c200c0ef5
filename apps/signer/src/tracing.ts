// First import of main.ts: parses the configuration once and starts OpenTelemetry before the
// modules it instruments (http, gRPC) are loaded.
import { parseConfigOrExit } from '@custody/config';
import { startTracing } from '@custody/observability';
import { parseSignerConfig } from './config';

export const config = parseConfigOrExit('signer', parseSignerConfig);
startTracing(config.serviceName, config.otlpEndpoint?.toString());
