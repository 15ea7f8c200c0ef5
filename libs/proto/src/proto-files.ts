import * as fs from 'node:fs';
import * as path from 'node:path';

function findProtoRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, 'proto', 'grpc', 'health', 'v1', 'health.proto'))) return path.join(dir, 'proto');
    if (path.dirname(dir) === dir) throw new Error(`proto/ directory not found above ${from}`);
  }
}

/** The folder of our .proto files (the same from sources, from dist/ and in the container image). */
export const PROTO_ROOT = findProtoRoot(__dirname);

/** The .proto files of each package, relative to {@link PROTO_ROOT}, for @grpc/proto-loader. */
export const PROTO_FILES = {
  health: 'grpc/health/v1/health.proto',
  custodySystem: 'custody/v1/system.proto',
  custodyClients: 'custody/v1/clients.proto',
  custodyResources: 'custody/v1/resources.proto',
  signerPeer: 'signer/v1/peer.proto',
  signerApi: 'signer/v1/signer.proto',
  custodyPolicy: 'custody/policy/v1/policy.proto',
  ledger: 'custody/ledger/v1/ledger.proto',
  chainIndexer: 'custody/chain/v1/indexer.proto',
} as const;

export function protoPath(file: keyof typeof PROTO_FILES): string {
  return path.join(PROTO_ROOT, PROTO_FILES[file]);
}
