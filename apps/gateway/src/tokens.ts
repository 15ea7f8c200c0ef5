/** Injection token of the gateway's own configuration. */
export const GATEWAY_CONFIG = Symbol('GATEWAY_CONFIG');
