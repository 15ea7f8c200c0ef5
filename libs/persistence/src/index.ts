export * from './migrations';
export * from './postgres';
