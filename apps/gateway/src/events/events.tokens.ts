/** Injection token of the outbox sources the relay copies from (the ledger, the policy engine). */
export const OUTBOX_SOURCES = Symbol('OUTBOX_SOURCES');
