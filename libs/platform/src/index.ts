export * from './metrics-server';
export * from './platform.module';
export * from './readiness.service';
export * from './redis';
export * from './run-service';
export * from './tokens';
export * from './version';
