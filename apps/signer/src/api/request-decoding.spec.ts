import * as protoLoader from '@grpc/proto-loader';
import type { MethodDefinition } from '@grpc/proto-loader';
import { InvalidInputError } from '@custody/mpc-core';
import { PROTO_ROOT, protoPath } from '@custody/proto';
import { API_MAX_REQUEST_BYTES, decoded, refuseUndecodable } from './request-decoding';

function getKeyMethod(): MethodDefinition<object, object> {
  const definition = protoLoader.loadSync(protoPath('signerApi'), { includeDirs: [PROTO_ROOT], keepCase: false, longs: String, enums: Number, defaults: true });
  refuseUndecodable(definition, 'signer.v1.SignerService');
  return (definition['signer.v1.SignerService'] as Record<string, MethodDefinition<object, object>>).GetKey!;
}

describe('request decoding of signer.v1.SignerService', () => {
  const method = getKeyMethod();

  it('passes a request that decodes', () => {
    const bytes = method.requestSerialize({ keyId: 'key-1' });
    expect(decoded(method.requestDeserialize(bytes))).toEqual({ keyId: 'key-1' });
  });

  it.each([
    ['an unfinished varint', [0xff, 0xff, 0xff, 0xff, 0xff]],
    ['wire type 7', [0x0f, 0x00, 0x01]],
    ['a field longer than the message', [0x12, 0x05, 0x01]],
  ])('refuses %s as INVALID_ARGUMENT naming the message type', (_what, bytes) => {
    const request = method.requestDeserialize(Buffer.from(bytes));
    expect(() => decoded(request)).toThrow(InvalidInputError);
    expect(() => decoded(request)).toThrow(/invalid request: is not a valid signer\.v1\.GetKeyRequest protobuf message/);
  });

  it('refuses a request over the API limit without decoding it', () => {
    const bytes = method.requestSerialize({ keyId: 'k'.repeat(API_MAX_REQUEST_BYTES) });
    expect(() => decoded(method.requestDeserialize(bytes))).toThrow(/invalid request: is \d+ bytes, over the limit of 1048576/);
  });

  it('names a service that is not there', () => {
    const definition = protoLoader.loadSync(protoPath('signerApi'), { includeDirs: [PROTO_ROOT] });
    expect(() => refuseUndecodable(definition, 'signer.v1.NoSuchService')).toThrow(/signer\.v1\.NoSuchService/);
  });
});
