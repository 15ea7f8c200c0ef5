export * from './signer-client';
