import { EnvReader, parseServiceConfig, type Environment, type ServiceConfig } from '@custody/config';

/** The signer's configuration: one program, started once per signer with its own `SIGNER_ID`. */
export interface SignerConfig extends ServiceConfig {
  /** This node's party id in every key (1..255); also its Shamir evaluation point. */
  readonly signerId: number;
}

export const MAX_SIGNER_ID = 255;

export function parseSignerConfig(env: Environment): SignerConfig {
  const signerId = new EnvReader(env).integer('SIGNER_ID', { min: 1, max: MAX_SIGNER_ID });
  // The signer's DATABASE_URL points at its own database (`custody_signer_<id>` locally).
  return { ...parseServiceConfig(env, `signer-${signerId}`), signerId };
}
