import { Controller, Delete, Get, Post, type Type } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { ApiError } from '../errors/api-error';
import { Idempotent } from '../idempotency/idempotency.interceptor';
import { API_METHODS, type ApiMethod } from './api-methods';

const VERBS = { GET: Get, POST: Post, DELETE: Delete } as const;

function define(target: object, key: string, method: ApiMethod): PropertyDescriptor {
  const name = `${method.service}.${method.method}`;
  Object.defineProperty(target, key, {
    value: function notImplemented(): never {
      throw new ApiError('not-implemented', `${name} is declared but not implemented yet`);
    },
    writable: true,
    configurable: true,
  });
  return Object.getOwnPropertyDescriptor(target, key)!;
}

/**
 * The methods of `custody.v1` whose services are not wired in yet, on both transports: each is
 * signed, rate-limited and role-checked like any other, then answers UNIMPLEMENTED (REST: 501
 * problem+json `not-implemented`); POSTs take an Idempotency-Key as they will.
 */
export function notImplementedControllers(): Type[] {
  class NotImplementedController {}
  class NotImplementedGrpcController {}
  for (const method of API_METHODS.filter((m) => !m.implemented)) {
    const rest = NotImplementedController.prototype;
    const restKey = `rest${method.method}`;
    const restDescriptor = define(rest, restKey, method);
    VERBS[method.http](method.path.slice(1))(rest, restKey, restDescriptor);
    Roles(...method.roles)(rest, restKey, restDescriptor);
    ApiOperation({ operationId: method.method, summary: `${method.service}.${method.method} (not implemented yet; roles: ${method.roles.join(', ')})` })(rest, restKey, restDescriptor);
    ApiResponse({ status: 501, description: 'not-implemented (problem+json)' })(rest, restKey, restDescriptor);

    const grpc = NotImplementedGrpcController.prototype;
    const grpcKey = `grpc${method.method}`;
    const grpcDescriptor = define(grpc, grpcKey, method);
    GrpcMethod(method.service, method.method)(grpc, grpcKey, grpcDescriptor);
    Roles(...method.roles)(grpc, grpcKey, grpcDescriptor);
    if (method.http === 'POST') Idempotent()(grpc, grpcKey, grpcDescriptor);
  }
  ApiTags('not-implemented')(NotImplementedController);
  Controller()(NotImplementedController);
  Controller()(NotImplementedGrpcController);
  return [NotImplementedController, NotImplementedGrpcController];
}
