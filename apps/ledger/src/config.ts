import { parseServiceConfig, type Environment, type ServiceConfig } from '@custody/config';

/** The ledger's configuration (environment variables: see README, "Configuration"). */
export type LedgerConfig = ServiceConfig;

export function parseLedgerConfig(env: Environment): LedgerConfig {
  return parseServiceConfig(env, 'ledger');
}
