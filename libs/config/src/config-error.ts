/** A missing or malformed configuration value; the message names the variable and never echoes a secret. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  constructor(
    readonly variable: string,
    reason: string,
  ) {
    super(`configuration error: ${variable} ${reason}`);
  }
}
