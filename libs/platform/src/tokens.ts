/** Nest injection tokens of the platform module. */
export const SERVICE_CONFIG = Symbol('SERVICE_CONFIG');
export const POSTGRES = Symbol('POSTGRES');
export const REDIS = Symbol('REDIS');
export const SERVICE_METRICS = Symbol('SERVICE_METRICS');
export const GRPC_SERVICE_NAMES = Symbol('GRPC_SERVICE_NAMES');
