import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-grpc';
import { GrpcInstrumentation } from '@opentelemetry/instrumentation-grpc';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';

let sdk: NodeSDK | undefined;

/** How long flushing spans may hold a shutdown (the platform's own deadline is a few seconds). */
export const TRACING_SHUTDOWN_MS = 1500;

/**
 * Starts the OpenTelemetry SDK once per process, before the modules it instruments are loaded
 * (each app's `tracing.ts` is its first import). Spans go to an OTLP/gRPC collector when
 * `otlpEndpoint` is set; without it context still propagates (W3C trace context) and nothing is
 * exported. Spans carry ids and names, never payloads: signer messages are not recorded.
 *
 * Every signal is configured here, never from the SDK's env defaults: left to them, NodeSDK adds an
 * OTLP metric reader and log exporter (`OTEL_METRICS_EXPORTER` / `OTEL_LOGS_EXPORTER` default to
 * `otlp`, target `localhost:4318`) whatever `OTEL_EXPORTER_OTLP_ENDPOINT` says. Metrics are served
 * by `/metrics` (Prometheus) and logs go to stdout, so the SDK exports traces only.
 */
export function startTracing(serviceName: string, otlpEndpoint: string | undefined): void {
  if (sdk) return;
  sdk = new NodeSDK({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    metricReaders: [],
    logRecordProcessors: [],
    ...(otlpEndpoint ? { traceExporter: new OTLPTraceExporter({ url: otlpEndpoint }) } : { spanProcessors: [] }),
    instrumentations: [
      new HttpInstrumentation({ ignoreIncomingRequestHook: (req) => ['/healthz', '/readyz', '/livez', '/metrics'].includes(req.url ?? '') }),
      new GrpcInstrumentation({ ignoreGrpcMethods: ['Check', 'Watch'] }),
    ],
  });
  sdk.start();
}

/**
 * Flushes and stops the SDK (on shutdown), waiting at most `TRACING_SHUTDOWN_MS`: spans a collector
 * does not take by then are dropped rather than holding the process past its shutdown deadline.
 */
export async function stopTracing(): Promise<void> {
  const running = sdk;
  sdk = undefined;
  if (!running) return;
  let timer: NodeJS.Timeout | undefined;
  const limit = new Promise<void>((resolve) => {
    timer = setTimeout(resolve, TRACING_SHUTDOWN_MS);
    timer.unref();
  });
  try {
    await Promise.race([running.shutdown(), limit]);
  } finally {
    clearTimeout(timer);
  }
}
