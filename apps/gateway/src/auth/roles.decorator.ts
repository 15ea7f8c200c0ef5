import { SetMetadata } from '@nestjs/common';
import type { Role } from './api-client';

export const ROLES_KEY = 'custody:roles';
export const PUBLIC_KEY = 'custody:public';

/**
 * The roles that may call a route or gRPC method: the one authorization decorator. Every handler of
 * the public API (REST `/v1/…`, gRPC `custody.v1.…`) carries it or {@link Public}; one with neither
 * is refused to everyone (fail closed).
 */
export const Roles = (...roles: [Role, ...Role[]]): MethodDecorator => SetMetadata(ROLES_KEY, roles);

/** A handler anyone may call unsigned (service discovery only). */
export const Public = (): MethodDecorator => SetMetadata(PUBLIC_KEY, true);
