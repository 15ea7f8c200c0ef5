/** The roles of API clients (issue 13). */
export const ROLES = ['viewer', 'operator', 'approver', 'compliance-admin', 'auditor', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

/** An API client: who signs requests with an Ed25519 key, and what it may do. */
export interface ApiClient {
  readonly clientId: string;
  /** The raw 32-byte Ed25519 public key. */
  readonly publicKey: Uint8Array;
  readonly roles: readonly Role[];
  readonly disabled: boolean;
  readonly createdAt: Date;
  readonly disabledAt: Date | undefined;
}

export const CLIENT_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;
