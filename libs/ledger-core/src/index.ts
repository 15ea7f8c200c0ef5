/**
 * @custody/ledger-core: the pure core of the double-entry ledger. Amounts, assets, accounts, journal
 * entries and balances, the hold / deposit / withdrawal lifecycles as transition functions that
 * return the effects to persist, the invariants, a reference model for property tests, and
 * canonical request hashing for idempotency. No I/O, no clock (`now` is an argument), no framework.
 */
export * from './errors';
export * from './amount';
export * from './asset';
export * from './account';
export * from './journal';
export * from './effects';
export * from './hold';
export * from './deposit';
export * from './withdrawal';
export * from './idempotency';
export * from './invariants';
export * from './model';
export * from './generator';
export * from './transfer';
