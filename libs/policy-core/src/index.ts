/**
 * @custody/policy-core: the policy document, its validation, compilation, evaluation with a trace,
 * approvals and quorums, lint, diff, replay and governance. Pure: no I/O, no clock, no framework.
 */
export * from './types';
export { PolicyValidationError, PolicyInputError, type ValidationIssue } from './errors';
export { AMOUNT_PATTERN, DURATION_PATTERN, ID_PATTERN, parseAmount, parseDuration } from './units';
export { POLICY_SCHEMA, MAX_DOCUMENT_LENGTH, parsePolicy, parsePolicyText, validatePolicy, type DocumentFormat } from './validate';
export { CelCheckError, CEL_VARIABLES, MAX_CONDITION_LENGTH, compileCondition, type CompiledCondition } from './cel';
export { canonicalJson, policyHash } from './hash';
export { compilePolicy, isCompiledPolicy, type CompiledPolicy, type CompiledRule, type CompiledVelocity } from './compile';
export { evaluate, velocityScopesFor, velocityScopeKey } from './evaluate';
export { validateRequest, validateContext, policyRequestDigest } from './request';
export { APPROVAL_DOMAIN, approvalMessage, signApproval, verifyApproval, countApprovals, type ApprovalSubject, type CountInput } from './approvals';
