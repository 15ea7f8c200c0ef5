export * from './config-error';
export * from './env-parser';
export * from './service-config';
export * from './project-root';
