import { parseServiceConfig, type Environment, type ServiceConfig } from '@custody/config';

/** The policy-engine's configuration (environment variables: see README, "Configuration"). */
export type PolicyEngineConfig = ServiceConfig;

export function parsePolicyEngineConfig(env: Environment): PolicyEngineConfig {
  return parseServiceConfig(env, 'policy-engine');
}
