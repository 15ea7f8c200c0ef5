/** Nest injection tokens of the policy engine. */
export const POLICY_ENGINE_CONFIG = Symbol('POLICY_ENGINE_CONFIG');
