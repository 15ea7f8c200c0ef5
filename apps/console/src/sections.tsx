import type { ComponentType } from 'react';
import type { ConsoleApi } from './api/client';
import type { Identity } from './keys/key-store';
import { ApprovalsPage } from './pages/approvals-page';
import { PoliciesPage } from './pages/policies-page';
import { AddressBookPage } from './pages/address-book-page';
import { AuditPage } from './pages/audit-page';
import { OperationsPage } from './pages/operations-page';

export interface SectionProps {
  readonly api: ConsoleApi;
  readonly roles: readonly string[];
  readonly identity: Identity;
}

/** A section of the console and the roles that see it (the gateway enforces the same roles on every call). */
export interface Section {
  readonly id: string;
  readonly title: string;
  readonly roles: readonly string[];
  readonly component: ComponentType<SectionProps>;
}

export const SECTIONS: Section[] = [
  { id: 'approvals', title: 'Approvals', roles: ['approver'], component: ApprovalsPage },
  { id: 'policies', title: 'Policies', roles: ['compliance-admin', 'admin', 'auditor', 'approver'], component: PoliciesPage },
  { id: 'address-book', title: 'Address book', roles: ['compliance-admin', 'admin', 'viewer', 'operator', 'approver', 'auditor'], component: AddressBookPage },
  { id: 'audit', title: 'Audit log', roles: ['auditor'], component: AuditPage },
  { id: 'operations', title: 'Operations', roles: ['operator', 'viewer', 'admin'], component: OperationsPage },
];
