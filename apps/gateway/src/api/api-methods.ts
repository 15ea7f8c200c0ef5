import { ROLES, type Role } from '../auth/api-client';

export type HttpVerb = 'GET' | 'POST' | 'DELETE';

/** One method of `custody.v1`, on both transports. */
export interface ApiMethod {
  /** gRPC service, without the package: `WalletService`. */
  readonly service: string;
  readonly method: string;
  readonly http: HttpVerb;
  /** The REST route, Nest syntax (`:id` parameters), under `/v1`. */
  readonly path: string;
  readonly roles: readonly [Role, ...Role[]];
  /** False: answers UNIMPLEMENTED / 501 `not-implemented` after the signature and role checks. */
  readonly implemented: boolean;
}

const READ = ROLES;
const OPERATE: [Role, ...Role[]] = ['operator', 'admin'];
const APPROVE: [Role, ...Role[]] = ['approver'];
const COMPLIANCE: [Role, ...Role[]] = ['compliance-admin'];
const POLICY_READ: [Role, ...Role[]] = ['compliance-admin', 'auditor', 'admin', 'approver'];
const WEBHOOK_READ: [Role, ...Role[]] = ['operator', 'admin', 'auditor'];
const AUDIT: [Role, ...Role[]] = ['auditor'];

const m = (service: string, method: string, http: HttpVerb, path: string, roles: readonly [Role, ...Role[]], implemented = false): ApiMethod => ({ service, method, http, path, roles, implemented });

/**
 * Every method of the public API: the gRPC method, its REST route and the roles that may call it.
 * Tests check that the proto files declare exactly these gRPC methods and the OpenAPI document
 * exactly these routes.
 */
export const API_METHODS: readonly ApiMethod[] = [
  m('SystemService', 'GetServiceInfo', 'GET', '/v1/system/info', READ, true),
  m('IdentityService', 'WhoAmI', 'GET', '/v1/whoami', READ, true),
  m('ApiClientService', 'CreateApiClient', 'POST', '/v1/clients', ['admin'], true),
  m('ApiClientService', 'ListApiClients', 'GET', '/v1/clients', ['admin'], true),
  m('ApiClientService', 'GetApiClient', 'GET', '/v1/clients/:clientId', ['admin'], true),
  m('ApiClientService', 'DisableApiClient', 'POST', '/v1/clients/:clientId/disable', ['admin'], true),

  m('WalletService', 'CreateWallet', 'POST', '/v1/wallets', OPERATE, true),
  m('WalletService', 'GetWallet', 'GET', '/v1/wallets/:walletId', READ, true),
  m('WalletService', 'ListWallets', 'GET', '/v1/wallets', READ, true),
  m('AddressService', 'CreateAddress', 'POST', '/v1/wallets/:walletId/addresses', OPERATE, true),
  m('AddressService', 'GetAddress', 'GET', '/v1/wallets/:walletId/addresses/:addressId', READ, true),
  m('AddressService', 'ListAddresses', 'GET', '/v1/wallets/:walletId/addresses', READ, true),
  m('BalanceService', 'ListBalances', 'GET', '/v1/wallets/:walletId/balances', READ, true),
  m('DepositService', 'GetDeposit', 'GET', '/v1/deposits/:depositId', READ, true),
  m('DepositService', 'ListDeposits', 'GET', '/v1/deposits', READ, true),
  m('WithdrawalService', 'CreateWithdrawal', 'POST', '/v1/withdrawals', OPERATE, true),
  m('WithdrawalService', 'GetWithdrawal', 'GET', '/v1/withdrawals/:withdrawalId', READ, true),
  m('WithdrawalService', 'ListWithdrawals', 'GET', '/v1/withdrawals', READ, true),
  m('WithdrawalService', 'CancelWithdrawal', 'POST', '/v1/withdrawals/:withdrawalId/cancel', OPERATE, true),
  m('ApprovalService', 'ListApprovals', 'GET', '/v1/approvals', APPROVE, true),
  m('ApprovalService', 'ApproveApproval', 'POST', '/v1/approvals/:approvalId/approve', APPROVE, true),
  m('ApprovalService', 'RejectApproval', 'POST', '/v1/approvals/:approvalId/reject', APPROVE, true),
  m('MessageService', 'CreateMessage', 'POST', '/v1/messages', OPERATE, true),
  m('MessageService', 'GetMessage', 'GET', '/v1/messages/:messageId', READ, true),
  m('PolicyService', 'ProposePolicy', 'POST', '/v1/policies', COMPLIANCE, true),
  m('PolicyService', 'ApprovePolicy', 'POST', '/v1/policies/:policyId/approve', ['compliance-admin', 'admin'], true),
  m('PolicyService', 'ActivatePolicy', 'POST', '/v1/policies/:policyId/activate', ['compliance-admin', 'admin'], true),
  m('PolicyService', 'GetPolicy', 'GET', '/v1/policies/:policyId', POLICY_READ, true),
  m('PolicyService', 'ListPolicies', 'GET', '/v1/policies', POLICY_READ, true),
  m('PolicyService', 'DiffPolicy', 'POST', '/v1/policies/:policyId/diff', POLICY_READ, true),
  m('PolicyService', 'LintPolicy', 'POST', '/v1/policies/:policyId/lint', POLICY_READ, true),
  m('PolicyService', 'DryRunPolicy', 'POST', '/v1/policies/:policyId/dry-run', POLICY_READ, true),
  m('PolicyService', 'ReplayPolicy', 'POST', '/v1/policies/:policyId/replay', POLICY_READ, true),
  m('AddressBookService', 'CreateAddressBookEntry', 'POST', '/v1/address-book', COMPLIANCE, true),
  m('AddressBookService', 'ListAddressBookEntries', 'GET', '/v1/address-book', READ, true),
  m('AddressBookService', 'DeleteAddressBookEntry', 'DELETE', '/v1/address-book/:entryId', COMPLIANCE, true),

  m('EventService', 'ListEvents', 'GET', '/v1/events', READ, true),
  m('EventService', 'StreamEvents', 'GET', '/v1/events/stream', READ, true),
  m('WebhookService', 'CreateWebhookEndpoint', 'POST', '/v1/webhooks', OPERATE, true),
  m('WebhookService', 'ListWebhookEndpoints', 'GET', '/v1/webhooks', WEBHOOK_READ, true),
  m('WebhookService', 'GetWebhookPublicKey', 'GET', '/v1/webhooks/public-key', READ, true),
  m('WebhookService', 'GetWebhookEndpoint', 'GET', '/v1/webhooks/:webhookId', WEBHOOK_READ, true),
  m('WebhookService', 'DeleteWebhookEndpoint', 'DELETE', '/v1/webhooks/:webhookId', OPERATE, true),
  m('WebhookService', 'EnableWebhookEndpoint', 'POST', '/v1/webhooks/:webhookId/enable', OPERATE, true),
  m('WebhookService', 'ListWebhookDeliveries', 'GET', '/v1/webhooks/:webhookId/deliveries', WEBHOOK_READ, true),
  m('WebhookService', 'RedeliverWebhook', 'POST', '/v1/webhooks/:webhookId/deliveries/:seq/redeliver', OPERATE, true),

  m('AuditService', 'ListAuditRecords', 'GET', '/v1/audit/records', AUDIT, true),
  m('AuditService', 'GetAuditRecord', 'GET', '/v1/audit/records/:recordIndex', AUDIT, true),
  m('AuditService', 'GetLatestCheckpoint', 'GET', '/v1/audit/checkpoint', AUDIT, true),
  m('AuditService', 'GetConsistencyProof', 'GET', '/v1/audit/consistency-proof', AUDIT, true),
  m('AuditService', 'ExportAuditLog', 'GET', '/v1/audit/export', AUDIT, true),
  m('AuditService', 'GetProofBundle', 'GET', '/v1/audit/proof-bundle', AUDIT, true),
];

/** The OpenAPI form of a route: `/v1/clients/:clientId` → `/v1/clients/{clientId}`. */
export function openApiPath(path: string): string {
  return path.replace(/:([A-Za-z]+)/g, '{$1}');
}
