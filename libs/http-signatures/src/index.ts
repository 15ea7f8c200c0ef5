export * from './content-digest';
export * from './errors';
export * from './signature';
