import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { protoPath } from '@custody/proto';

type HealthClient = grpc.Client & {
  Check(request: { service: string }, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response?: { status: string }) => void): void;
};
type HealthClientConstructor = new (address: string, credentials: grpc.ChannelCredentials) => HealthClient;

let healthClientConstructor: HealthClientConstructor | undefined;

function healthClient(address: string): HealthClient {
  if (!healthClientConstructor) {
    const definition = protoLoader.loadSync(protoPath('health'), { enums: String, defaults: true });
    const loaded = grpc.loadPackageDefinition(definition) as unknown as {
      grpc: { health: { v1: { Health: HealthClientConstructor } } };
    };
    healthClientConstructor = loaded.grpc.health.v1.Health;
  }
  return new healthClientConstructor(address, grpc.credentials.createInsecure());
}

/** The gRPC health status of `address` (e.g. `SERVING`), or the error's text. */
export async function grpcHealthStatus(address: string, service = '', timeoutMs = 2000): Promise<string> {
  const client = healthClient(address);
  try {
    return await new Promise<string>((resolve) => {
      client.Check({ service }, { deadline: Date.now() + timeoutMs }, (error, response) => {
        resolve(error ? `error: ${error.details || error.message}` : (response?.status ?? 'UNKNOWN'));
      });
    });
  } finally {
    client.close();
  }
}

/** The HTTP status of `url`, or 0 when nothing answered. */
export async function httpStatus(url: string, timeoutMs = 2000): Promise<number> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    await response.arrayBuffer();
    return response.status;
  } catch {
    return 0;
  }
}
