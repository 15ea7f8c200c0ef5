/** Nest injection tokens of the ledger. */
export const LEDGER_POOL = Symbol('LEDGER_POOL');
export const LEDGER_CONFIG = Symbol('LEDGER_CONFIG');
/** The ledger's clock (milliseconds since the epoch): the adapters read time here, the core takes it as an argument. */
export const LEDGER_CLOCK = Symbol('LEDGER_CLOCK');
export type Clock = () => number;
