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
export { decisionJson } from './decision-json';
export { validateRequest, validateContext, policyRequestDigest } from './request';
export { APPROVAL_DOMAIN, approvalMessage, signApproval, verifyApproval, countApprovals, type ApprovalSubject, type CountInput } from './approvals';
export { lintPolicy, alwaysMatchesWhen, mayOverlap, type LintReport, type LintWarning } from './lint';
export { diffPolicies, type PolicyDiff, type RuleChange, type RuleRef, type GroupChange } from './diff';
export { replay, verdictOf, type HistoricalRequest, type ReplayFlip, type ReplayReport } from './replay';
export {
  BOOTSTRAP_FORMAT,
  PROPOSAL_DOMAIN,
  validateBootstrap,
  parseBootstrap,
  bootstrapHash,
  registeredKeys,
  proposalDigest,
  proposalSubject,
  checkAdminQuorum,
  type BootstrapDocument,
  type Proposal,
  type AdminQuorumInput,
  type AdminQuorumResult,
} from './governance';
export { DEV_APPROVER_IDS, DEV_APPROVER_GROUP, SWEEPER_INITIATOR, defaultDevelopmentPolicy, defaultDevelopmentBootstrap } from './defaults';
export { HOOK_ANSWER_DOMAIN, hookRequestBody, hookAnswerMessage, verifyHookAnswer, type HookSubject, type HookVerdict } from './hook';
export { prepareAddressBook, isAddressBook, type AddressBook } from './address-book';
