/**
 * The development defaults `custody up` uses: small withdrawals to whitelisted addresses need one
 * approval, anything else two, from the group of development approvers; the gateway's deposit
 * sweeps (initiator `system:sweeper`) are allowed; the admins are the same approvers with quorum 2.
 * For development clusters only.
 */
import { BOOTSTRAP_FORMAT, validateBootstrap, type BootstrapDocument } from './governance';
import { PolicyInputError } from './errors';
import { POLICY_FORMAT, type PolicyDocument } from './types';
import { ID_PATTERN } from './units';
import { validatePolicy } from './validate';

export const DEV_APPROVER_IDS: readonly string[] = ['dev-approver-1', 'dev-approver-2'];
export const DEV_APPROVER_GROUP = 'dev-approvers';
/** The initiator the gateway's deposit sweeper evaluates as (no API client may have a `system:` id). */
export const SWEEPER_INITIATOR = 'system:sweeper';

/**
 * "Small" is at most one whole unit of the asset (`request.amount <= asset.unit`: 1 ETH, 1 USDC),
 * sent to an address-book entry. Everything else (larger or non-whitelisted withdrawals, message
 * signing, address-book and policy changes) needs two approvals. Approvals expire after 24 h; nobody
 * approves their own request.
 */
export function defaultDevelopmentPolicy(approverIds: readonly string[] = DEV_APPROVER_IDS): PolicyDocument {
  if (!Array.isArray(approverIds as unknown) || approverIds.length < 2 || new Set(approverIds).size !== approverIds.length) {
    throw new PolicyInputError('approverIds', 'must be at least two distinct approver ids');
  }
  approverIds.forEach((id, i) => {
    if (typeof id !== 'string' || !ID_PATTERN.test(id)) throw new PolicyInputError(`approverIds[${i}]`, 'is not a valid id');
  });
  const approvals = (quorum: number) =>
    ({
      type: 'require-approvals',
      combinator: 'all-of',
      groups: [{ group: DEV_APPROVER_GROUP, quorum }],
      expiry: '24h',
      allowSelfApproval: false,
    }) as const;
  return validatePolicy({
    format: POLICY_FORMAT,
    metadata: { name: 'development default', description: 'Written by custody up for a development cluster. Not for production.' },
    approverGroups: { [DEV_APPROVER_GROUP]: { members: [...approverIds], description: 'The development approvers' } },
    rules: [
      {
        id: 'deposit-sweeps',
        description: "The gateway's sweeper moving a hot wallet's deposit address to the wallet's own sending address: allowed.",
        match: { operation: ['withdrawal'], initiator: { clients: [SWEEPER_INITIATOR] } },
        action: { type: 'allow' },
      },
      {
        id: 'small-whitelisted-withdrawal',
        description: 'A withdrawal of at most one whole unit of the asset to an address-book entry: one approval.',
        match: { operation: ['withdrawal'], destination: 'whitelisted' },
        condition: 'request.amount <= asset.unit',
        action: approvals(1),
      },
      {
        id: 'everything-else',
        description: 'Any other withdrawal, message signing, address-book or policy change: two approvals.',
        match: { operation: ['withdrawal', 'message-signing', 'address-book-change', 'policy-change'] },
        action: approvals(2),
      },
    ],
  });
}

/** The bootstrap `custody up` writes: the default policy, the approvers as admins (quorum 2), their keys. */
export function defaultDevelopmentBootstrap(approvers: readonly { readonly id: string; readonly publicKey: string }[]): BootstrapDocument {
  if (!Array.isArray(approvers as unknown)) throw new PolicyInputError('approvers', 'must be an array');
  const ids = approvers.map((a) => a.id);
  return validateBootstrap({
    format: BOOTSTRAP_FORMAT,
    admins: { members: ids, quorum: 2 },
    keys: Object.fromEntries(approvers.map((a) => [a.id, a.publicKey])),
    policy: defaultDevelopmentPolicy(ids),
  });
}
