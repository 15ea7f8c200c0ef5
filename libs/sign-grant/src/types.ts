/** The signature schemes a grant can authorize. */
export type SignScheme = 'ecdsa' | 'eddsa' | 'schnorr';
export const SIGN_SCHEMES: readonly SignScheme[] = ['ecdsa', 'eddsa', 'schnorr'];

/** How an ECDSA message is hashed to the 32-byte digest; `none`: the message is the digest. */
export type MessageHash = 'sha256' | 'keccak256' | 'none';
export const MESSAGE_HASHES: readonly MessageHash[] = ['sha256', 'keccak256', 'none'];

/** An arbitrary message (later kinds: EVM transactions, from whose fields the signer recomputes the digest). */
export interface MessagePayload {
  readonly kind: 'message';
  readonly message: Uint8Array;
  readonly hash: MessageHash;
}

export type SignPayload = MessagePayload;

export interface SignRequest {
  /** 1..128 characters of [A-Za-z0-9._:-]; unique per request (the signer records it). */
  readonly requestId: string;
  /** 1..128 characters of [A-Za-z0-9._:-]. */
  readonly keyId: string;
  readonly scheme: SignScheme;
  /** Non-hardened BIP32-style indices, each in 0..2^31-1; at most 255 of them. */
  readonly derivationPath: readonly number[];
  readonly payload: SignPayload;
}

export interface Approval {
  /** 1..128 characters of [A-Za-z0-9._:@-]. */
  readonly approverId: string;
  /** Ed25519 signature by the approver over `requestDigest(request)`. */
  readonly signature: Uint8Array;
}

export const GRANT_VERSION = 1;

export interface SignGrant {
  readonly version: 1;
  readonly request: SignRequest;
  /** 1..64 characters of [A-Za-z0-9._:-]. */
  readonly policyVersion: string;
  readonly approvals: readonly Approval[];
  /** The quorum the policy demands, 0..64 (the signer may demand more: `minApprovals`). */
  readonly requiredApprovals: number;
  /** Milliseconds since the Unix epoch. */
  readonly issuedAt: number;
  readonly expiresAt: number;
  /** Ed25519 by the policy engine's key over `grantSigningBytes` (everything else). */
  readonly engineSignature: Uint8Array;
}

export type UnsignedSignGrant = Omit<SignGrant, 'engineSignature'>;
