/**
 * @custody/ledger-check: reads the ledger's books from a live Postgres database into the core's
 * plain data and runs the core's invariants over it (`custody ledger check`, and the tests after
 * every scenario).
 */
export * from './ledger-check';
