export * from './client';
export * from './errors';
export * from './signing';
export * from './grpc-client';
export * from './policy-api';
