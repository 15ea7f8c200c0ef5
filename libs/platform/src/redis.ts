import Redis from 'ioredis';

export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';
}

function describe(url: URL): string {
  return `${url.hostname}:${url.port || '6379'}`;
}

/**
 * Connects to Redis and checks it answers PING, or fails with one clear sentence. BullMQ uses the
 * same settings later (it needs `maxRetriesPerRequest: null` on its own connections).
 */
export async function connectRedis(url: URL, connectionName: string): Promise<Redis> {
  const client = new Redis(url.toString(), {
    lazyConnect: true,
    connectionName,
    connectTimeout: 3000,
    maxRetriesPerRequest: 1,
    // At start-up we fail fast; once running, ioredis reconnects with a bounded back-off.
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    reconnectOnError: () => false,
  });
  let lastError: Error | undefined;
  // Once running, errors surface through readiness and failed commands; at start-up the first one
  // is the reason we report.
  client.on('error', (error: Error) => {
    lastError ??= error;
  });
  try {
    await client.connect();
    await client.ping();
  } catch (error) {
    client.disconnect();
    const cause = lastError ?? error;
    const why = cause instanceof Error ? cause.message : String(cause);
    throw new RedisUnavailableError(`Redis at ${describe(url)} is unreachable: ${why}`);
  }
  return client;
}
