import { parseServiceConfig, type Environment, type ServiceConfig } from '@custody/config';

/** The gateway's configuration (environment variables: see README, "Configuration"). */
export type GatewayConfig = ServiceConfig;

export function parseGatewayConfig(env: Environment): GatewayConfig {
  return parseServiceConfig(env, 'gateway');
}
