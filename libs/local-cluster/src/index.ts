export * from './cluster-plan';
export * from './free-port';
export * from './health-probe';
export * from './local-cluster';
export * from './migrate';
export * from './local-secrets';
