import { parseServiceConfig, type Environment, type ServiceConfig } from '@custody/config';

/** The chain-indexer's configuration (environment variables: see README, "Configuration"). */
export type ChainIndexerConfig = ServiceConfig;

export function parseChainIndexerConfig(env: Environment): ChainIndexerConfig {
  return parseServiceConfig(env, 'chain-indexer');
}
