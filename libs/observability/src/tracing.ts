import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

let sdk: NodeSDK | undefined;

/**
 * Starts the OpenTelemetry SDK once per process, before the modules it instruments are loaded
 * (each app's `tracing.ts` is its first import). Spans go to an OTLP/gRPC collector when
 * `otlpEndpoint` is set; without it context still propagates (W3C trace context) and nothing is
 * exported. Spans carry ids and names, never payloads: signer messages are not recorded.
 */
export function startTracing(serviceName: string, otlpEndpoint: string | undefined): void {
  if (sdk) return;
  sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    ...(otlpEndpoint ? { traceExporter: new OTLPTraceExporter({ url: otlpEndpoint }) } : { spanProcessors: [] }),
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => req.url === '/healthz' || req.url === '/metrics' }),
      new GrpcInstrumentation({ ignoreGrpcMethods: ['Check', 'Watch'] }),
    ],
  });
  sdk.start();
}

/** Flushes and stops the SDK (on shutdown). */
export async function stopTracing(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  if (running) await running.shutdown();
}
