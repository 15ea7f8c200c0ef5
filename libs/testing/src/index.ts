export * from './run-to-exit';
export * from './test-database';
export * from './signer-cluster';
export * from './grants';
export * from './test-only-primes';
export * from './custody-command';
export * from './anvil';
export * from './ledger-process';
