/** Injection token of the signer's parsed configuration. */
export const SIGNER_CONFIG = Symbol('SIGNER_CONFIG');
