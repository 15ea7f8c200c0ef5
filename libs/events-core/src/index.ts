export * from './errors';
export * from './public-events';
export * from './webhook-signature';
export * from './retry';
export * from './target';
