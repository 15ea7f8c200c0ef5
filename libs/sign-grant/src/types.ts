/** The signature schemes a grant can authorize. */
export type SignScheme = 'ecdsa' | 'eddsa' | 'schnorr';
export const SIGN_SCHEMES: readonly SignScheme[] = ['ecdsa', 'eddsa', 'schnorr'];

/** How an ECDSA message is hashed to the 32-byte digest; `none`: the message is the digest. */
export type MessageHash = 'sha256' | 'keccak256' | 'none';
export const MESSAGE_HASHES: readonly MessageHash[] = ['sha256', 'keccak256', 'none'];

/** An arbitrary message: the signer signs what `hash` makes of it. Allowed in grant versions 1 and 2. */
export interface MessagePayload {
  readonly kind: 'message';
  readonly message: Uint8Array;
  readonly hash: MessageHash;
}

/** The decoded ERC-20 `transfer(recipient, amount)` call that an EVM transaction's `data` must be. */
export interface Erc20TransferCall {
  /** EIP-55 form. */
  readonly recipient: string;
  /** Token units, 0..2^256-1. */
  readonly amount: bigint;
}

/**
 * An EIP-1559 transaction (grant version 2 and later, ECDSA only). The signer never takes a digest on
 * trust: it re-encodes these fields with libs/chain-core and signs only Keccak-256 of the unsigned
 * envelope. Two shapes are accepted, and nothing else, so that what the policy saw is all the
 * transaction does:
 * - a native transfer: `erc20` null and `data` empty;
 * - an ERC-20 transfer: `to` is the token contract, `value` 0, `data` exactly the canonical
 *   `transfer(erc20.recipient, erc20.amount)` call.
 */
export interface EvmTransactionPayload {
  readonly kind: 'evm-transaction';
  /** EIP-155 chain id, 1..2^53-1. */
  readonly chainId: number;
  /** 0..2^53-1. */
  readonly nonce: number;
  /** wei per gas, 0..2^256-1; maxPriorityFeePerGas ≤ maxFeePerGas. */
  readonly maxFeePerGas: bigint;
  readonly maxPriorityFeePerGas: bigint;
  /** 21000..2^24 (EIP-7825). */
  readonly gas: bigint;
  /** The recipient, or the token contract; EIP-55 form. */
  readonly to: string;
  /** wei. */
  readonly value: bigint;
  readonly data: Uint8Array;
  readonly erc20: Erc20TransferCall | null;
}

export type SignPayload = MessagePayload | EvmTransactionPayload;
export type PayloadKind = SignPayload['kind'];
export const PAYLOAD_KINDS: readonly PayloadKind[] = ['message', 'evm-transaction'];

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

/**
 * Grant versions. 1: message payloads only, no policy content hash. 2 (the latest): also
 * `evm-transaction` payloads, and the content hash of the policy version beside its name. A signer
 * accepts both unless its own configuration sets a floor (`CheckGrantOptions.minGrantVersion`).
 */
export type GrantVersion = 1 | 2;
export const GRANT_VERSIONS: readonly GrantVersion[] = [1, 2];
/** The latest version: what a policy engine should issue. */
export const GRANT_VERSION: GrantVersion = 2;

interface SignGrantFields {
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

/** Version 1: `request.payload` is a message. */
export interface SignGrantV1 extends SignGrantFields {
  readonly version: 1;
}

/** Version 2: adds the policy version's content hash; any payload kind. */
export interface SignGrantV2 extends SignGrantFields {
  readonly version: 2;
  /** The 32-byte content hash of the policy version that decided (as the policy engine defines it). */
  readonly policyHash: Uint8Array;
}

export type SignGrant = SignGrantV1 | SignGrantV2;

export type UnsignedSignGrant = Omit<SignGrantV1, 'engineSignature'> | Omit<SignGrantV2, 'engineSignature'>;
