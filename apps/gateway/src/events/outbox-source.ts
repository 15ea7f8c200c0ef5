import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_ROOT, protoPath, type PROTO_FILES } from '@custody/proto';
import type { EventSource, SourceEvent } from '@custody/events-core';

type UnaryMethod = (request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions, callback: (error: grpc.ServiceError | null, response: unknown) => void) => void;

interface OutboxWire {
  events: Array<{ sequence: string; type: string; subject: string; data: string }>;
}

/** A service's outbox as the relay reads it: events after a sequence number, in order. */
export interface OutboxSource {
  readonly name: EventSource;
  read(after: bigint, limit: number): Promise<SourceEvent[]>;
  close(): void;
}

/**
 * An outbox read over gRPC (`ReadOutbox`, the same request and answer in the ledger's and the
 * policy engine's internal APIs): `after_sequence`, `limit` → events with `sequence`, `type`,
 * `subject` and `data` (a JSON object).
 */
export class GrpcOutboxSource implements OutboxSource {
  private readonly client: grpc.Client;

  constructor(
    readonly name: EventSource,
    address: string,
    file: keyof typeof PROTO_FILES,
    service: string,
    private readonly deadlineMs = 10_000,
  ) {
    const definition = protoLoader.loadSync(protoPath(file), { includeDirs: [PROTO_ROOT], keepCase: false, longs: String, enums: Number, defaults: true });
    const loaded = grpc.loadPackageDefinition(definition);
    let ctor: unknown = loaded;
    for (const part of service.split('.')) ctor = (ctor as Record<string, unknown>)[part];
    this.client = new (ctor as grpc.ServiceClientConstructor)(address, grpc.credentials.createInsecure(), { 'grpc.max_receive_message_length': 64 * 1024 * 1024 });
  }

  read(after: bigint, limit: number): Promise<SourceEvent[]> {
    return new Promise((resolve, reject) => {
      const fn = (this.client as unknown as Record<string, UnaryMethod>)['readOutbox']!;
      fn.call(this.client, { afterSequence: after.toString(), limit }, new grpc.Metadata(), { deadline: Date.now() + this.deadlineMs }, (error, response) => {
        if (error) return reject(new Error(`${this.name} ReadOutbox: ${grpc.status[error.code] ?? error.code}: ${error.details}`));
        try {
          resolve((response as OutboxWire).events.map((e) => ({ sequence: BigInt(e.sequence), type: e.type, subject: e.subject, data: parseData(e.data) })));
        } catch (cause) {
          reject(new Error(`${this.name} ReadOutbox: an event does not decode`, { cause }));
        }
      });
    });
  }

  close(): void {
    this.client.close();
  }
}

function parseData(text: string): Record<string, unknown> {
  const value: unknown = text === '' ? {} : JSON.parse(text);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('data is not a JSON object');
  return value as Record<string, unknown>;
}
